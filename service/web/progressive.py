"""Audio before the article is finished: the newest revision's paragraphs that are ready,
from the first, as MP3 segments a player appends one after another (Media Source
Extensions), while the rest are made.

Segment i's body is the pause before paragraph i and its stored segment (the last one,
once every paragraph is ready, with the closing pause), placed by the same `Layout` as
the join: the segments in order are the article's MP3 without its tag, frame for frame,
so their timings are the final timing map's and a player can move to the MP3 at the
same time. `progress.playable` in the status says how many paragraphs are ready.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import func, select

from service.errors import ApiError
from service.links import segment_url
from service.security.access import LINK_GRANTS
from service.web.context import catalog, find_article, storage
from workers.catalog.models import ArticleRow, ParagraphRow, RevisionRow
from workers.pipeline.audio.segments import Layout, Segment, silence_frames
from workers.storage.base import read_in_chunks
from workers.storage.segments import known_segments, segment_storage_key

progressive_api = Blueprint("progressive", __name__, url_prefix="/api/v1")
GRANT = LINK_GRANTS["segments"]  # the signed-link grant (or the player's) for these reads


@dataclass(frozen=True)
class Ready:
    index: int
    text: str
    key: str
    segment: Segment
    continues: bool  # after a sentence's pause, not a paragraph's (Layout)


def playable_count(session, revision: RevisionRow) -> int:
    """Paragraphs from the first whose audio is made: up to the first one still to make
    (or still to say: a worker stores the paragraphs of a long article as it says them,
    workers/runtime/saying.py)."""
    first_undone, stored = session.execute(
        select(
            func.min(ParagraphRow.index).filter(ParagraphRow.done.is_(False)),
            func.count(ParagraphRow.id),
        ).where(ParagraphRow.revision_id == revision.id)
    ).one()
    return stored if first_undone is None else first_undone


def _ready(session, revision: RevisionRow, up_to: int | None = None) -> list[Ready]:
    """The run of paragraphs from the first whose segments are stored (to `up_to`)."""
    limit = playable_count(session, revision)
    if up_to is not None:
        limit = min(limit, up_to + 1)
    rows = session.execute(
        select(
            ParagraphRow.index, ParagraphRow.text, ParagraphRow.segment_key, ParagraphRow.continues
        )
        .where(ParagraphRow.revision_id == revision.id, ParagraphRow.index < limit)
        .order_by(ParagraphRow.index)
    ).all()
    stored = known_segments(session, [key for _, _, key, _ in rows if key])
    ready: list[Ready] = []
    for index, text, key, continues in rows:
        if key not in stored or index != len(ready):
            break
        ready.append(Ready(index, text, key, stored[key], continues))
    return ready


def _made(session, article_id: str) -> tuple[ArticleRow, RevisionRow]:
    row = find_article(session, article_id, grant=GRANT)
    revision = row.current
    if revision.job.status in ("failed", "cancelled"):
        raise ApiError(
            409, "Conversion failed", f"this article could not be converted: {revision.job.error}"
        )
    return row, revision


@progressive_api.get("/articles/<article_id>/segments.json")
def segment_list(article_id: str):
    with catalog() as session:
        row, revision = _made(session, article_id)
        ready = _ready(session, revision)
        complete = len(ready) == revision.job.total
        number = revision.number
        urls = [segment_url(row, number, piece.index) for piece in ready]
    layout = Layout()
    listed = []
    for piece, url in zip(ready, urls, strict=True):
        layout.pause_before(piece.continues)
        timing = layout.place(piece.text, piece.segment)
        listed.append(
            {
                "index": piece.index,
                "url": url,
                "start_ms": timing.start_ms,
                "end_ms": timing.end_ms,
                "text": piece.text,
            }
        )
    if complete:
        layout.tail()
    response = jsonify(
        {
            "revision": number,
            "complete": complete,
            "duration_ms": layout.duration_ms,
            "segments": listed,
        }
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@progressive_api.get("/articles/<article_id>/segments/<int:revision>/<int:index>.mp3")
def segment(article_id: str, revision: int, index: int):
    with catalog() as session:
        row, _ = _made(session, article_id)
        chosen = next((r for r in row.revisions if r.number == revision), None)
        if chosen is None or index >= (chosen.job.total if chosen.job else 0):
            raise ApiError(404, "Not found", f"revision {revision} has no paragraph {index}")
        ready = _ready(session, chosen, up_to=index)
        total, bitrate = chosen.job.total, chosen.bitrate_kbps
    if len(ready) <= index:
        raise ApiError(
            409,
            "Not ready",
            f"paragraph {index} is still being made; try again shortly",
            {"Retry-After": "1"},
        )
    layout = Layout()
    for piece in ready[:index]:
        layout.pause_before(piece.continues)
        layout.place(piece.text, piece.segment)
    piece = ready[index]
    before = silence_frames(layout.pause_before(piece.continues), bitrate)
    layout.place(piece.text, piece.segment)
    after = silence_frames(layout.tail(), bitrate) if index == total - 1 else b""
    key, store = segment_storage_key(piece.key), storage()
    if not store.exists(key):  # evicted since it was listed: it is made again
        raise ApiError(
            409, "Not ready", f"paragraph {index} is being made again", {"Retry-After": "1"}
        )

    def body() -> Iterator[bytes]:
        yield before
        yield from read_in_chunks(store, key)
        yield after

    response = Response(body(), mimetype="audio/mpeg")
    response.content_length = len(before) + piece.segment.size + len(after)
    version = f"{piece.key}:{len(before)}:{len(after)}"
    response.set_etag(hashlib.sha256(version.encode()).hexdigest()[:20])
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)
