"""GET /api/v1/articles/<id>/status: what a waiting player needs, and nothing more.

The player polls this while the audio is made, so it is small (a few hundred bytes
whatever the article's length: the title and byline are cut at 200 characters), carries an
ETag (an unchanged answer is a 304 with no body) and names the stage a reader can be told
about. "finishing" is the time between the last paragraph's segment and the segments joined
into the MP3, when the percentage alone would sit at 100 looking hung.
Operator detail (the error) stays in GET …/articles/<id>.
"""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, request

from service.security.access import LINK_GRANTS
from service.web.context import catalog, find_article
from service.web.progressive import playable_count
from service.web.views import newest_finished, progress_of
from workers.catalog.collections import collection_setting
from workers.catalog.content import clipped
from workers.catalog.models import ArticleRow

status_api = Blueprint("status", __name__, url_prefix="/api/v1")
STATUS_TEXT_CHARS = 200  # title and byline: the rest of the answer is ids, numbers and words


def stage_of(status: str, done: int, total: int) -> str:
    """queued, synthesising, finishing, done or failed (a cancelled job is failed; one
    being cleaned is queued, as far as a listener can tell)."""
    if status == "cleaning":
        return "queued"
    if status == "processing":
        return "finishing" if done >= total else "synthesising"
    if status == "cancelled":
        return "failed"
    return status


def article_status(row: ArticleRow, playable: int, brand: dict | None = None) -> dict:
    """The status document; `playable` is read in a statement of its own, so it is held
    to the job as read here (a worker may have made paragraphs in between: while the
    job reads "cleaning" with none, nothing is playable yet). `brand` is the article's
    collection's (colours, logo, label), which the player draws itself with."""
    revision, job = row.current, row.current.job
    playable = min(playable, job.total)
    return {
        "id": row.id,
        "status": job.status,
        "stage": stage_of(job.status, job.done, job.total),
        "progress": {**progress_of(job), "playable": playable},
        "duration_ms": revision.duration_ms,
        # the revision audio.mp3 serves (during an edit, the one before), null before any
        "audio_revision": finished.number if (finished := newest_finished(row)) else None,
        "title": clipped(revision.title, STATUS_TEXT_CHARS),
        "byline": clipped(revision.byline, STATUS_TEXT_CHARS) if revision.byline else None,
        "brand": brand,
    }


@status_api.get("/articles/<article_id>/status")
def get_status(article_id: str):
    with catalog() as session:
        row = find_article(session, article_id, grant=LINK_GRANTS["status"])
        brand = collection_setting(session, row.collection, "brand")
        status = article_status(row, playable_count(session, row.current), brand)
        body = json.dumps(status, separators=(",", ":"))
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:20])
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)
