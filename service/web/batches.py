"""Batches: many articles in one request, converted on the low-priority batch queue.
Their items are read by service.web.batch_items, stored by service.web.batch_intake and
archived by service.web.batch_archive; reading or changing a batch needs a key for every
collection (service.security.access)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from service.errors import ApiError, bad_request
from service.intake.sanitize import is_id, printable
from service.intake.submissions import checked_url
from service.links import article_url, external_url
from service.security.access import require_every_collection
from service.web.batch_archive import archive_rows, zip_stream
from service.web.batch_intake import take_in
from service.web.batch_items import items_from_request, limits_error
from service.web.context import catalog, positive_arg, settings
from service.web.views import STATUSES
from workers.catalog.batches import items_page, status_counts
from workers.catalog.models import (
    JOB_FINISHED,
    BatchItemRow,
    BatchRow,
    JobRow,
    JobStatus,
    now,
)
from workers.delivery.callback_urls import check_callback_url
from workers.runtime.celery_app import BATCH_QUEUE

batches = Blueprint("batches", __name__, url_prefix="/api/v1")
ITEM_STATUSES = STATUSES  # JobStatus


@batches.post("/batches")
def create_batch():
    require_every_collection("write")
    config = settings()
    request.max_content_length = config.max_batch_bytes
    items, callback = items_from_request()
    if not items:
        raise bad_request("the batch has no articles")
    if len(items) > config.max_batch_items:
        raise limits_error(f"{len(items)} articles; at most {config.max_batch_items} per batch")
    if callback is not None:
        checked_url(callback, "callback_url")
        check_callback_url(callback, allow_private=config.webhook_allow_private)
    with catalog() as session:
        batch = BatchRow(callback_url=callback)
        session.add(batch)
        session.flush()
        outcomes = take_in(session, items)
        session.execute(
            insert(BatchItemRow),
            [
                {
                    "batch_id": batch.id,
                    "position": position,
                    "name": printable(item.name),
                    "article_id": outcome.article_id,
                    "revision_id": outcome.revision_id,
                    "error": outcome.error and printable(outcome.error),
                }
                for position, (item, outcome) in enumerate(zip(items, outcomes, strict=True))
            ],
        )
        queued = [outcome.job_id for outcome in outcomes if outcome.job_id is not None]
        body = _batch_body(session, batch, page=1, per_page=0)
    if queued:
        current_app.extensions["narrate.queue"].convert_many(queued, BATCH_QUEUE)
    response = jsonify(body)
    response.status_code = 202
    response.headers["Location"] = body["links"]["self"]
    return response


def _find_batch(session, batch_id: str, scope: str = "read") -> BatchRow:
    require_every_collection(scope)
    batch = session.get(BatchRow, batch_id) if is_id(batch_id) else None
    if batch is None:
        raise ApiError(404, "Not found", f"there is no batch {batch_id!r}")
    return batch


def _eta_seconds(batch: BatchRow, finished: int, total: int) -> int | None:
    """Time left, from the pace so far: elapsed / finished * remaining."""
    if finished == 0 or finished == total:
        return 0 if finished == total else None
    elapsed = (now() - batch.created_at).total_seconds()
    return round(elapsed / finished * (total - finished))


def _batch_body(session: Session, batch: BatchRow, *, page: int, per_page: int) -> dict:
    counts = status_counts(session, batch.id)
    total = counts.total()
    finished = sum(counts[s] for s in JOB_FINISHED)
    if finished == total:
        overall = "cancelled" if batch.cancelled and counts["cancelled"] else "done"
    else:
        overall = "processing" if counts["processing"] or finished else "queued"
    window = (
        items_page(session, batch.id, offset=(page - 1) * per_page, limit=per_page)
        if per_page
        else []
    )
    return {
        "id": batch.id,
        "status": overall,
        "total": total,
        "counts": {status: counts[status] for status in ITEM_STATUSES},
        "progress": {
            "finished": finished,
            "total": total,
            "percent": round(100 * finished / total) if total else 100,
        },
        "eta_seconds": _eta_seconds(batch, finished, total),
        "created_at": batch.created_at.isoformat() + "Z",
        "items": [
            {
                "position": item.position,
                "name": item.name,
                "id": item.article_id,
                "status": status,
                "error": error,
                "links": {
                    "self": article_url(item.article_id, "self"),
                    "audio": article_url(item.article_id, "audio"),
                }
                if item.article_id
                else None,
            }
            for item, status, error in window
        ],
        "page": page,
        "per_page": per_page,
        "links": {
            "self": external_url("batches.get_batch", batch_id=batch.id),
            "archive": external_url("batches.archive", batch_id=batch.id),
        },
    }


@batches.get("/batches/<batch_id>")
def get_batch(batch_id: str):
    page = positive_arg("page", 1, 100_000)
    per_page = positive_arg("per_page", 100, 1000)
    with catalog() as session:
        batch = _find_batch(session, batch_id)
        return jsonify(_batch_body(session, batch, page=page, per_page=per_page))


@batches.delete("/batches/<batch_id>")
def cancel_batch(batch_id: str):
    """Cancel every item not yet started; finished and running ones are kept."""
    with catalog() as session:
        batch = _find_batch(session, batch_id)
        revisions = select(BatchItemRow.revision_id).where(BatchItemRow.batch_id == batch.id)
        session.execute(
            update(JobRow)
            .where(
                JobRow.revision_id.in_(revisions),
                JobRow.status.in_((JobStatus.CLEANING, JobStatus.QUEUED)),
            )
            .values(status="cancelled", finished_at=now(), error="cancelled with its batch")
        )
        batch.cancelled = True
        session.flush()
        return jsonify(_batch_body(session, batch, page=1, per_page=0))


@batches.get("/batches/<batch_id>/archive.zip")
def archive(batch_id: str):
    """Every finished MP3 with its timings, and manifest.csv, streamed as one zip."""
    with catalog() as session:
        rows = archive_rows(session, _find_batch(session, batch_id))
    stamp = datetime.now().timetuple()[:6]
    response = Response(stream_with_context(zip_stream(rows, stamp)), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="batch-{batch_id}.zip"'
    return response
