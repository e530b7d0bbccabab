"""The versioned JSON API: /api/v1."""

from __future__ import annotations

import re
import unicodedata

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.orm import joinedload

from service.errors import ApiError, bad_request
from service.intake.sanitize import is_id
from service.intake.store import accept
from service.intake.submissions import read_submission
from service.links import external_url
from service.openapi import document as openapi_document
from service.security import auth
from service.security.limits import charge_paragraphs
from service.web.stored_files import send_stored
from workers.catalog.db import session_scope
from workers.catalog.models import VISIBILITIES, ArticleRow, JobRow, JobStatus, RevisionRow
from workers.catalog.queries import list_articles
from workers.config import Settings
from workers.runtime.jobs import audio_key
from workers.storage.base import Stat, Storage
from workers.storage.factory import storage_for
from workers.storage.segments import release_segments, segment_keys_of

api = Blueprint("api", __name__, url_prefix="/api/v1")
STATUSES = tuple(status.value for status in JobStatus)
RETRY_AFTER_S = 5
REVISION_HEADER = "Narrate-Revision"  # which revision's audio a media response holds


def settings() -> Settings:
    return current_app.extensions["narrate.settings"]


def storage() -> Storage:
    return storage_for(settings())


MEDIA = {
    "audio": ("api.audio", ".mp3"),
    "timings": ("api.timings", ".json"),
    "captions": ("api.captions", ".vtt"),
}


def links(article_id: str, *, signed: bool = False) -> dict[str, str]:
    """The article's URLs; `signed` (a private article, for a reader allowed to see it)
    makes the media links and the player's link work for a few minutes without a key."""
    media = {}
    for name, (endpoint, suffix) in MEDIA.items():
        url = external_url(endpoint, article_id=article_id)
        media[name] = auth.sign_link(url, article_id, suffix) if signed else url
    player = external_url("player.iframe_player", article_id=article_id)
    return {
        "self": external_url("api.get_article", article_id=article_id),
        **media,
        "player": auth.sign_link(player, article_id, auth.PLAYER_GRANT) if signed else player,
    }


def progress_of(job: JobRow) -> dict:
    """Paragraphs done of the job's; none are known while it is being cleaned."""
    if job.status == JobStatus.CLEANING:
        percent = 0
    else:
        percent = round(100 * job.done / job.total) if job.total else 100
    return {"done": job.done, "total": job.total, "percent": percent}


def summary(row: ArticleRow) -> dict:
    revision, job = row.current, row.current.job
    return {
        "id": row.id,
        "status": job.status,
        "title": revision.title,
        "revision": revision.number,
        "progress": progress_of(job),
        "duration_ms": revision.duration_ms,
        "visibility": row.visibility,
        "created_at": row.created_at.isoformat() + "Z",
        "updated_at": row.updated_at.isoformat() + "Z",
        "links": links(row.id, signed=row.visibility == "private"),
    }


def detail(row: ArticleRow) -> dict:
    """Everything, for a reader allowed to see it; otherwise what a player needs."""
    revision, job = row.current, row.current.job
    player_view = {**summary(row), "byline": revision.byline, "published": revision.published}
    if not auth.reads_everything_of(row):
        return player_view
    return {
        **player_view,
        "external_id": row.external_id,
        "source_url": revision.source_url,
        "voice": revision.voice,
        "rate": revision.rate,
        "paragraphs": [p.text for p in revision.paragraphs],
        "removed": revision.removed,
        "language": revision.language,
        "error": job.error,
        "collection": row.collection,
        "webhooks": [
            {
                "event": d.event,
                "url": d.url,
                "status": d.status,
                "attempts": d.attempts,
                "last_status_code": d.last_status_code,
                "last_error": d.last_error,
                "delivered_at": d.delivered_at.isoformat() + "Z" if d.delivered_at else None,
            }
            for d in row.webhooks
        ],
    }


def _find(session, article_id: str, signed_file: str | None = None) -> ArticleRow:
    """The article, if this request may see it (or, given `signed_file`, carries a
    signature for that file of it); else a 404."""
    # Revisions and their jobs in the same statement as the article: read one by one, a
    # job finishing in between (PostgreSQL reads each statement afresh) could show as
    # done beside its revision's duration from before.
    consistent = joinedload(ArticleRow.revisions).joinedload(RevisionRow.job)
    row = session.get(ArticleRow, article_id, options=[consistent]) if is_id(article_id) else None
    signed = signed_file is not None and auth.signed_for(article_id, signed_file)
    if row is None or not (auth.may_see(row) or signed):
        raise _not_found(article_id)
    return row


def _not_found(article_id: str) -> ApiError:
    return ApiError(
        404, "Not found", f"there is no article {article_id!r}; list them at /api/v1/articles"
    )


def _accept(article_id: str | None = None):
    """Store a submission as received and queue its job (a worker cleans it); no job when
    identical content exists."""
    submission = read_submission(request)
    who = auth.require("write", submission.collection)
    with session_scope(settings().database_url) as session:
        if article_id is not None:
            auth.require("write", _find(session, article_id).collection)
        result = accept(
            session,
            submission,
            settings(),
            article_id=article_id,
            charge=charge_paragraphs,
            reach=who.collections if who is not None else None,
        )
        body = summary(result.article)
    if result.job_id is not None:
        current_app.extensions["narrate.queue"].convert(result.job_id)
    response = jsonify(body)
    response.status_code = 202 if result.job_id is not None else 200
    response.headers["Location"] = body["links"]["self"]
    return response


@api.post("/articles")
def create_article():
    return _accept()


@api.put("/articles/<article_id>")
def update_article(article_id: str):
    return _accept(article_id)


@api.get("/articles")
def list_all():
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        raise bad_request(f"status must be one of {', '.join(STATUSES)}")
    page = positive_arg("page", 1, 10_000)
    per_page = positive_arg("per_page", 20, 100)
    collections = auth.collections_readable()
    with session_scope(settings().database_url) as session:
        rows, total = list_articles(
            session, status=status, page=page, per_page=per_page, collections=collections
        )
        items = [summary(row) for row in rows]
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": total})


def positive_arg(name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise bad_request(f"{name} must be a whole number from 1 to {maximum}")
    return int(raw)


@api.get("/articles/<article_id>")
def get_article(article_id: str):
    with session_scope(settings().database_url) as session:
        return jsonify(detail(_find(session, article_id)))


@api.delete("/articles/<article_id>")
def delete_article(article_id: str):
    with session_scope(settings().database_url) as session:
        article = _find(session, article_id)
        auth.require("write", article.collection)
        segments = segment_keys_of(session, [revision.id for revision in article.revisions])
        session.delete(article)
        session.flush()  # its revisions no longer count as needing the segments
        release_segments(session, storage(), segments)
    storage().delete_tree(f"articles/{article_id}")
    return "", 204


def newest_finished(row: ArticleRow) -> RevisionRow | None:
    """The revision whose audio the article serves: the newest with a finished job."""
    finished = [r for r in row.revisions if r.job is not None and r.job.status == "done"]
    return finished[-1] if finished else None


def _ready_file(article_id: str, suffix: str) -> tuple[str, Stat, str, int]:
    """The newest finished revision's file (while an edit is being made, or has failed,
    the previous audio is still the article's), with its revision number; a 409 when no
    revision has audio yet (Retry-After while the first is being made)."""
    with session_scope(settings().database_url) as session:
        row = session.get(ArticleRow, article_id) if is_id(article_id) else None
        if row is None or not (auth.may_see(row) or auth.signed_for(article_id, suffix)):
            raise _not_found(article_id)
        served = newest_finished(row) or row.current
        key = audio_key(row.id, served.number, suffix)
        title, number, status, error = (
            served.title,
            served.number,
            served.job.status,
            served.job.error,
        )
    if status == "failed":
        raise ApiError(409, "Conversion failed", f"this article could not be converted: {error}")
    found = storage().stat(key) if status == "done" else None
    if found is None:
        raise ApiError(
            409,
            "Not ready",
            f"the audio is still being made (status: {status}); try again shortly",
            {"Retry-After": str(RETRY_AFTER_S)},
        )
    return key, found, title, number


def download_name(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-").lower()[:80]
    return slug or "article"


def _revision_file(article_id: str, suffix: str, mimetype: str, **options):
    """A finished revision's file, saying which revision it is (REVISION_HEADER)."""
    key, found, title, number = _ready_file(article_id, suffix)
    if suffix == ".mp3":
        options["download_name"] = f"{download_name(title)}.mp3"
    response = send_stored(storage(), key, found, mimetype=mimetype, max_age=60, **options)
    response.headers[REVISION_HEADER] = str(number)
    return response


@api.get("/articles/<article_id>/audio.mp3")
def audio(article_id: str):
    response = _revision_file(
        article_id, ".mp3", "audio/mpeg", as_attachment=request.args.get("download") == "1"
    )
    response.headers["Accept-Ranges"] = "bytes"
    return response


@api.get("/articles/<article_id>/timings.json")
def timings(article_id: str):
    return _revision_file(article_id, ".json", "application/json")


@api.get("/articles/<article_id>/captions.vtt")
def captions(article_id: str):
    return _revision_file(article_id, ".vtt", "text/vtt")


@api.put("/articles/<article_id>/visibility")
def set_visibility(article_id: str):
    """Publish, unlist or hide an article without touching its audio."""
    body = request.get_json(silent=True)
    visibility = body.get("visibility") if isinstance(body, dict) else None
    if visibility not in VISIBILITIES:
        raise bad_request(f'send JSON {{"visibility": ...}} with one of {", ".join(VISIBILITIES)}')
    with session_scope(settings().database_url) as session:
        row = _find(session, article_id)
        auth.require("write", row.collection)
        row.visibility = visibility
        session.flush()
        return jsonify(detail(row))


@api.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
