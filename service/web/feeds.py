"""Podcast feeds, one per collection ("all" has every article), with their settings
(workers.catalog.collections), and each episode's chapters. A feed answers with an
ETag (its bytes' hash) and a Last-Modified, and 304 to a client that has it."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from flask import Blueprint, Response, request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from service.errors import ApiError
from service.links import article_url
from service.security.access import PUBLISHED
from service.web.api import REVISION_HEADER, ready_file
from service.web.collections import feed_url, image_url, site_url
from service.web.context import catalog, storage
from service.web.feed_xml import CHAPTERS_TYPE, Channel, Episode, feed_xml
from workers.catalog.collections import EVERY_ARTICLE, find_collection
from workers.catalog.models import COLLECTION_NAME, ArticleRow, JobRow, JobStatus, RevisionRow
from workers.pipeline.chapters import chapters
from workers.runtime.jobs import audio_key

feeds = Blueprint("feeds", __name__)
FEED_SIZE = 200
FEED_MAX_AGE_S = 300


def _episodes_query(name: str) -> Select:
    """Finished public articles, newest first publication first: an episode's guid and
    pubDate are the article's first publication (its first finished revision), so an
    edit is not a new, re-dated episode; its enclosure and words are the newest finished
    revision's (while an edit is made, or when it failed, the previous one's)."""
    finished = (
        select(
            RevisionRow.article_id,
            func.min(RevisionRow.number).label("first"),
            func.max(RevisionRow.number).label("newest"),
            func.min(func.coalesce(JobRow.finished_at, JobRow.created_at)).label("published"),
        )
        .join(JobRow, JobRow.revision_id == RevisionRow.id)
        .where(JobRow.status == JobStatus.DONE)
        .group_by(RevisionRow.article_id)
        .subquery()
    )
    query = (
        select(ArticleRow, RevisionRow, finished.c.first, finished.c.published)
        .join(finished, finished.c.article_id == ArticleRow.id)
        .join(
            RevisionRow,
            (RevisionRow.article_id == ArticleRow.id) & (RevisionRow.number == finished.c.newest),
        )
        .where(PUBLISHED.clause())  # a feed is for anyone
        .order_by(finished.c.published.desc(), ArticleRow.id)
    )
    return query if name == EVERY_ARTICLE else query.where(ArticleRow.collection == name)


def _episodes(session: Session, name: str) -> list[Episode]:
    store = storage()
    episodes: list[Episode] = []
    for article, revision, first, published in session.execute(
        _episodes_query(name).limit(FEED_SIZE * 2)
    ):
        found = store.stat(audio_key(article.id, revision.number, ".mp3"))
        if found is None:
            continue
        summary = revision.paragraphs[1] if len(revision.paragraphs) > 1 else None
        episodes.append(
            Episode(
                # The number of the first finished revision, as the guid of an article
                # never edited has always been: episodes already in podcast apps keep theirs.
                guid=f"narrate:{article.id}:{first}",
                title=revision.title,
                summary=summary.text if summary else revision.title,
                byline=revision.byline,
                link=revision.source_url or article_url(article.id, "page"),
                published=published,
                # The audio route serves the newest finished revision; the revision in the
                # URL makes it a new enclosure for podcast apps, which keep audio by URL.
                audio_url=f"{article_url(article.id, 'audio')}?revision={revision.number}",
                audio_bytes=found.size,
                duration_ms=revision.duration_ms or 0,
                language=revision.language,
                captions_url=article_url(article.id, "captions"),
                chapters_url=article_url(article.id, "chapters"),
            )
        )
        if len(episodes) >= FEED_SIZE:
            break
    return episodes


def _changed_at(session: Session, name: str, settings_changed: datetime | None) -> datetime:
    """When the feed last changed: its settings, an article of it (made, edited,
    published or hidden) or a job of one finishing."""
    articles = select(func.max(ArticleRow.updated_at))
    finished = (
        select(func.max(JobRow.finished_at))
        .join(RevisionRow, RevisionRow.id == JobRow.revision_id)
        .join(ArticleRow, ArticleRow.id == RevisionRow.article_id)
    )
    if name != EVERY_ARTICLE:
        articles = articles.where(ArticleRow.collection == name)
        finished = finished.where(ArticleRow.collection == name)
    moments = [session.scalar(articles), session.scalar(finished), settings_changed]
    latest = max((m for m in moments if m is not None), default=datetime(2000, 1, 1))
    return latest.replace(tzinfo=UTC, microsecond=0)


@feeds.get("/feeds/<name>.xml")
def feed(name: str):
    unknown = ApiError(404, "Not found", f"there is no feed {name!r}: no collection has that name")
    if not COLLECTION_NAME.match(name):
        raise unknown
    with catalog() as session:
        collection = find_collection(session, name)
        if collection is None:
            raise unknown
        episodes = _episodes(session, name)
        changed = _changed_at(session, name, collection.updated_at)
    about = Channel(
        collection,
        feed_url(name),
        site_url(collection),
        image_url(name, collection.artwork_file),
    )
    body = feed_xml(about, episodes)
    response = Response(body, mimetype="application/rss+xml")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.last_modified = changed
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE_S
    return response.make_conditional(request)


@feeds.get("/api/v1/articles/<article_id>/chapters.json")
def chapters_of(article_id: str):
    """The newest finished revision's chapters (Podcasting 2.0 JSON chapters), from its
    timings: the headline, then each subheading."""
    key, _, title, number = ready_file(article_id, ".json")
    with storage().open_reader(key) as reader:
        timings = json.load(reader)
    body = json.dumps(chapters(timings, title), ensure_ascii=False, indent=1).encode()
    response = Response(body, mimetype=CHAPTERS_TYPE)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.max_age = 60
    response.headers[REVISION_HEADER] = str(number)
    return response.make_conditional(request)
