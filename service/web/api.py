"""The versioned JSON API: /api/v1."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, current_app, jsonify, request

from service.errors import ApiError, bad_request
from service.intake.store import accept
from service.intake.submissions import parse_json, read_submission
from service.openapi import document as openapi_document
from service.security import access, auth
from service.security.limits import charge_chars
from service.web.context import (
    RETRY_AFTER_S,
    catalog,
    find_article,
    positive_arg,
    settings,
    storage,
)
from service.web.stored_files import send_stored
from service.web.views import STATUSES, download_name, newest_finished, summary
from workers.catalog.models import VISIBILITIES, ArticleRow
from workers.catalog.queries import list_articles
from workers.runtime.jobs import audio_key
from workers.storage.base import Stat
from workers.storage.segments import release_segments, segment_keys_of

api = Blueprint("api", __name__, url_prefix="/api/v1")
REVISION_HEADER = "Narrate-Revision"  # which revision's audio a media response holds


def detail(row: ArticleRow) -> dict:
    """Everything, for a reader allowed to see it; otherwise what a player needs."""
    revision, job = row.current, row.current.job
    player_view = {**summary(row), "byline": revision.byline, "published": revision.published}
    if not access.reads_everything_of(row):
        return player_view
    return {
        **player_view,
        "external_id": row.external_id,
        "source_url": revision.source_url,
        "voice": revision.voice,
        "rate": revision.rate,
        "style": revision.style,
        "paragraphs": revision.written,
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


def _accept(article_id: str | None = None):
    """Store a submission as received and queue its job (a worker cleans it); no job when
    identical content exists. A PUT (`article_id`) keeps the article's collection unless
    it names one: moving needs a key that writes both collections."""
    submission = read_submission(request)
    with catalog() as session:
        if article_id is not None:
            held = find_article(session, article_id).collection
            auth.require("write", held)
            if not submission.names_collection:
                submission = replace(submission, collection=held)
        who = auth.require("write", submission.collection)
        result = accept(
            session,
            submission,
            settings(),
            article_id=article_id,
            charge=charge_chars,
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
    collections = access.catalogue()
    with catalog() as session:
        rows, total = list_articles(
            session, status=status, page=page, per_page=per_page, collections=collections
        )
        items = [summary(row) for row in rows]
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": total})


@api.get("/articles/<article_id>")
def get_article(article_id: str):
    with catalog() as session:
        return jsonify(detail(find_article(session, article_id)))


@api.delete("/articles/<article_id>")
def delete_article(article_id: str):
    with catalog() as session:
        article = find_article(session, article_id)
        auth.require("write", article.collection)
        segments = segment_keys_of(session, [revision.id for revision in article.revisions])
        session.delete(article)
        session.flush()  # its revisions no longer count as needing the segments
        release_segments(session, storage(), segments)
    storage().delete_tree(f"articles/{article_id}")
    return "", 204


def ready_file(article_id: str, suffix: str) -> tuple[str, Stat, str, int]:
    """The newest finished revision's file (while an edit is being made, or has failed,
    the previous audio is still the article's), with its revision number; a 409 when no
    revision has audio yet (Retry-After while the first is being made)."""
    with catalog() as session:
        row = find_article(session, article_id, grant=suffix)
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


def _revision_file(article_id: str, suffix: str, mimetype: str, **options):
    """A finished revision's file, saying which revision it is (REVISION_HEADER)."""
    key, found, title, number = ready_file(article_id, suffix)
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
    body = parse_json(request.get_data(), '{"visibility": ...}')
    visibility = body.get("visibility") if isinstance(body, dict) else None
    if visibility not in VISIBILITIES:
        raise bad_request(f'send JSON {{"visibility": ...}} with one of {", ".join(VISIBILITIES)}')
    with catalog() as session:
        row = find_article(session, article_id)
        auth.require("write", row.collection)
        row.visibility = visibility
        session.flush()
        return jsonify(detail(row))


@api.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
