"""Batches: many articles in one request, converted on the low-priority batch queue."""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.errors import ApiError, bad_request
from service.intake.sanitize import is_id, printable
from service.intake.store import as_received, check, estimated_paragraphs
from service.intake.submissions import (
    Submission,
    checked_url,
    from_fields,
    from_file,
    parse_json,
    query_fields,
)
from service.links import external_url
from service.security import auth
from service.security.limits import charge_paragraphs
from service.web.api import STATUSES, download_name, positive_arg, settings, storage
from workers.catalog.batches import items_page, status_counts
from workers.catalog.db import session_scope
from workers.catalog.models import (
    JOB_FINISHED,
    BatchItemRow,
    BatchRow,
    JobRow,
    JobStatus,
    RevisionRow,
    now,
)
from workers.catalog.repository import Pending, submit_many, submit_raw
from workers.delivery.callback_urls import check_callback_url
from workers.pipeline.errors import NarrateError
from workers.runtime.celery_app import BATCH_QUEUE
from workers.runtime.jobs import audio_key
from workers.storage.base import read_in_chunks

batches = Blueprint("batches", __name__, url_prefix="/api/v1")
ZIP_MAX_RATIO = 100  # uncompressed / compressed, per entry: more is a zip bomb
ITEM_STATUSES = STATUSES  # JobStatus


@dataclass(frozen=True)
class Item:
    name: str
    submission: Submission | None
    error: str | None = None


def _limits_error(detail: str) -> ApiError:
    return ApiError(413, "Batch too large", detail)


def _items_from_request() -> tuple[list[Item], str | None]:
    """Every article of the request, each parsed or with its own error; and a callback."""
    mimetype = request.mimetype
    if mimetype == "application/json":
        body = parse_json(request.get_data(), "a JSON array of articles")
        callback = None
        if isinstance(body, dict) and "articles" in body:
            callback = body.get("callback_url")
            if callback is not None and not isinstance(callback, str):
                raise bad_request("'callback_url' must be a string")
            body = body["articles"]
        if not isinstance(body, list):
            raise bad_request(
                'send a JSON array of articles, or {"articles": [...], "callback_url": ...}'
            )
        return [
            _item(f"#{n + 1}", lambda a=article: from_fields(a)) for n, article in enumerate(body)
        ], callback
    if mimetype == "application/x-ndjson":
        items = []
        lines = [line for line in request.get_data().splitlines() if line.strip()]
        for n, line in enumerate(lines):
            items.append(
                _item(
                    f"line {n + 1}",
                    lambda n=n, line=line: from_fields(parse_json(line, "JSON", f"line {n + 1}")),
                )
            )
        return items, query_fields(request).get("callback_url")
    if mimetype in {"application/zip", "application/x-zip-compressed"}:
        return _items_from_zip(request.get_data(), "upload.zip"), query_fields(request).get(
            "callback_url"
        )
    if mimetype == "multipart/form-data":
        items = []
        for upload in request.files.getlist("files") + request.files.getlist("file"):
            data = upload.read()
            if (upload.filename or "").lower().endswith(".zip"):
                try:
                    items.extend(_items_from_zip(data, upload.filename or "upload.zip"))
                except ApiError as error:  # an unreadable archive is one failed item
                    if error.status != 400:
                        raise
                    items.append(Item(upload.filename or "upload.zip", None, error.detail))
            else:
                name = upload.filename or "upload"
                items.append(_item(name, lambda n=name, d=data: from_file(n, d, request.form)))
        return items, request.form.get("callback_url")
    raise ApiError(
        415,
        "Unsupported media type",
        f"Content-Type {mimetype or '(none)'} is not accepted for batches; send a JSON array, "
        "NDJSON, a zip of .txt/.html files, or multipart/form-data files",
    )


def _item(name: str, parse) -> Item:
    try:
        return Item(name, parse())
    except NarrateError as error:
        return Item(name, None, error.detail)


# What zipfile raises for a damaged entry, and what to tell the sender.
_ZIP_ENTRY_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (zipfile.BadZipFile, "is damaged ({error})"),
    (zlib.error, "has a corrupt compressed stream ({error})"),
    (NotImplementedError, "uses a compression method Narrate cannot read; use deflate"),
    (RuntimeError, "is encrypted; zip it again without a password"),
    (EOFError, "is cut short"),
)


def _items_from_zip(data: bytes, zip_name: str) -> list[Item]:
    config = settings()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, ValueError, UnicodeDecodeError) as error:
        raise bad_request(
            f"{zip_name} is not a readable zip file ({error}): it may be truncated; "
            "send the whole archive"
        ) from None
    entries = [e for e in archive.infolist() if not e.is_dir() and not _hidden(e.filename)]
    if len(entries) > config.max_batch_items:
        raise _limits_error(
            f"{zip_name} has {len(entries)} files; at most {config.max_batch_items} per batch"
        )
    if sum(e.file_size for e in entries) > config.max_batch_bytes:
        raise _limits_error(
            f"{zip_name} unpacks to more than {config.max_batch_bytes} bytes; split it"
        )
    items = []
    for entry in sorted(entries, key=lambda e: e.filename):
        ratio = entry.file_size / max(entry.compress_size, 1)
        if ratio > ZIP_MAX_RATIO:
            raise _limits_error(
                f"{entry.filename} in {zip_name} is compressed {ratio:.0f}:1; "
                f"more than {ZIP_MAX_RATIO}:1 is refused"
            )
        if entry.file_size > config.max_upload_bytes:
            items.append(Item(entry.filename, None, "larger than the per-article limit"))
            continue
        try:
            content = _read_entry(archive, entry, config.max_upload_bytes)
        except ApiError as error:
            items.append(Item(entry.filename, None, error.detail))
            continue
        items.append(_item(entry.filename, lambda e=entry, c=content: from_file(e.filename, c, {})))
    return items


def _read_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limit: int) -> bytes:
    """The entry's bytes, checked against its header; a 400 saying what is wrong."""
    try:
        with archive.open(entry) as handle:  # read no more than the limit
            content = handle.read(limit + 1)
    except tuple(kind for kind, _ in _ZIP_ENTRY_ERRORS) as error:
        reason = next(text for kind, text in _ZIP_ENTRY_ERRORS if isinstance(error, kind))
        raise bad_request(f"{entry.filename} {reason.format(error=error)}") from None
    if len(content) != entry.file_size:
        raise bad_request(
            f"{entry.filename} is damaged: its header says {entry.file_size} bytes but it "
            f"holds {len(content)}; zip it again"
        )
    return content


def _hidden(path: str) -> bool:
    return any(part.startswith((".", "__MACOSX")) for part in path.split("/"))


@batches.post("/batches")
def create_batch():
    _require_every_collection("write")
    config = settings()
    request.max_content_length = config.max_batch_bytes
    items, callback = _items_from_request()
    if not items:
        raise bad_request("the batch has no articles")
    if len(items) > config.max_batch_items:
        raise _limits_error(f"{len(items)} articles; at most {config.max_batch_items} per batch")
    if callback is not None:
        checked_url(callback, "callback_url")
        check_callback_url(callback, allow_private=config.webhook_allow_private)
    with session_scope(config.database_url) as session:
        batch = BatchRow(callback_url=callback)
        session.add(batch)
        session.flush()
        outcomes = _take_in(session, items)
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


TAKE_IN_CHUNK = 500  # items stored together, in one savepoint


@dataclass(frozen=True)
class Outcome:
    """What became of one item: its article, revision and job (None when identical
    content exists), or the reason it was refused."""

    article_id: str | None = None
    revision_id: int | None = None
    job_id: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class _Taken:
    position: int
    pending: Pending  # as received: the worker cleans it
    paragraphs: int  # the quota's estimate


def _take_in(session: Session, items: list[Item]) -> list[Outcome]:
    """Store every item as received, in order, in chunks, in bulk. Each is checked as a
    single submission is (a voice or callback it may not have fails the item alone) and
    charged the paragraph quota's estimate; workers clean them."""
    config = settings()
    outcomes: list[Outcome | None] = [None] * len(items)
    chunk: list[_Taken] = []

    def store_chunk() -> None:
        if not chunk:
            return
        charged = _charged(chunk, outcomes)
        try:
            with session.begin_nested():
                stored = submit_many(session, [t.pending for t in charged], queue=BATCH_QUEUE)
        except IntegrityError:  # a concurrent request stored one of them first
            for taken in charged:
                outcomes[taken.position] = _store_one(session, taken.pending)
        else:
            for taken, outcome in zip(charged, stored, strict=True):
                outcomes[taken.position] = Outcome(
                    outcome.article_id, outcome.revision_id, outcome.job_id
                )
        chunk.clear()

    for position, item in enumerate(items):
        if item.submission is None:
            outcomes[position] = Outcome(error=item.error)
            continue
        try:
            check(item.submission, config)
        except NarrateError as error:
            outcomes[position] = Outcome(error=error.detail)
            continue
        estimate = estimated_paragraphs(item.submission.raw, item.submission.format)
        chunk.append(_Taken(position, as_received(item.submission, config), estimate))
        if len(chunk) >= TAKE_IN_CHUNK:
            store_chunk()
    store_chunk()
    return [outcome for outcome in outcomes if outcome is not None]


def _charged(chunk: list[_Taken], outcomes: list[Outcome | None]) -> list[_Taken]:
    """The items the paragraph quota lets through: charged together when they all fit,
    else one by one, so that an item over the quota fails alone with the reason."""
    try:
        charge_paragraphs(sum(taken.paragraphs for taken in chunk))
        return chunk
    except ApiError as error:
        if len(chunk) == 1:
            outcomes[chunk[0].position] = Outcome(error=error.detail)
            return []
    kept = []
    for taken in chunk:
        try:
            charge_paragraphs(taken.paragraphs)
        except ApiError as error:
            outcomes[taken.position] = Outcome(error=error.detail)
            continue
        kept.append(taken)
    return kept


def _store_one(session: Session, pending: Pending) -> Outcome:
    try:
        with session.begin_nested():
            result = submit_raw(session, pending, queue=BATCH_QUEUE)
    except NarrateError as error:
        return Outcome(error=error.detail)
    return Outcome(result.article.id, result.article.current.id, result.job_id)


def _require_every_collection(scope: str) -> None:
    """A batch spans collections: making, reading or changing one needs a key for all."""
    who = auth.require(scope)
    if who is not None and who.collections is not None:
        raise ApiError(
            403,
            "Forbidden",
            f"the key {who.name!r} is limited to collections; batches need a key for all",
        )


def _find_batch(session, batch_id: str, scope: str = "read") -> BatchRow:
    _require_every_collection(scope)
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
                    "self": external_url("api.get_article", article_id=item.article_id),
                    "audio": external_url("api.audio", article_id=item.article_id),
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
    with session_scope(settings().database_url) as session:
        batch = _find_batch(session, batch_id)
        return jsonify(_batch_body(session, batch, page=page, per_page=per_page))


@batches.delete("/batches/<batch_id>")
def cancel_batch(batch_id: str):
    """Cancel every item not yet started; finished and running ones are kept."""
    with session_scope(settings().database_url) as session:
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
    with session_scope(settings().database_url) as session:
        batch = _find_batch(session, batch_id)
        revisions = {
            revision.id: revision
            for revision in session.scalars(
                select(RevisionRow)
                .join(BatchItemRow, BatchItemRow.revision_id == RevisionRow.id)
                .where(BatchItemRow.batch_id == batch.id)
            )
        }
        rows = []
        for item, status, error in items_page(session, batch.id, offset=0, limit=None):
            revision = revisions.get(item.revision_id) if item.revision_id else None
            title = revision.title if revision else item.name
            stem = f"{item.position + 1:04d}-{download_name(title)}"
            done = status == "done" and revision is not None and item.article_id is not None
            rows.append(
                {
                    "position": item.position + 1,
                    "name": item.name,
                    "article_id": item.article_id or "",
                    "status": status,
                    "title": revision.title if revision else "",
                    "duration_ms": revision.duration_ms if done and revision else "",
                    "mp3": f"{stem}.mp3" if done else "",
                    "timings": f"{stem}.timings.json" if done else "",
                    "error": error or "",
                    "_keys": (
                        audio_key(item.article_id, revision.number, ".mp3"),
                        audio_key(item.article_id, revision.number, ".json"),
                    )
                    if done and revision and item.article_id
                    else None,
                }
            )
    stamp = datetime.now().timetuple()[:6]
    response = Response(stream_with_context(_zip_stream(rows, stamp)), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="batch-{batch_id}.zip"'
    return response


class _Sink(io.RawIOBase):
    """A write-only stream whose bytes are handed on as they come (zipfile needs no seek)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def _zip_stream(rows: list[dict], stamp: tuple) -> Iterator[bytes]:
    sink = _Sink()
    store = storage()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for row in rows:
            if row["_keys"] is None:
                continue
            for key, name in zip(row["_keys"], (row["mp3"], row["timings"]), strict=True):
                info = zipfile.ZipInfo(name, date_time=stamp)
                chunks = read_in_chunks(store, key, 256 * 1024)
                with archive.open(info, "w") as target:
                    for chunk in chunks:
                        target.write(chunk)
                        yield sink.drain()
        manifest = io.StringIO()
        fields = [f for f in rows[0] if not f.startswith("_")] if rows else []
        writer = csv.DictWriter(manifest, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        archive.writestr(
            zipfile.ZipInfo("manifest.csv", date_time=stamp), manifest.getvalue().encode()
        )
    yield sink.drain()
