"""Podcast feeds: RSS 2.0 with iTunes tags, one per collection ("all" has every article)."""

from __future__ import annotations

import re
from datetime import UTC
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from flask import Blueprint, Response
from sqlalchemy import func, select

from service.errors import ApiError
from service.intake.sanitize import xml_text
from service.links import article_url, external_url
from service.security.access import PUBLISHED
from service.web.context import settings, storage
from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow, JobRow, JobStatus, RevisionRow
from workers.runtime.jobs import audio_key

feeds = Blueprint("feeds", __name__)
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
FEED_SIZE = 200
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
ET.register_namespace("itunes", ITUNES)


def _hms(ms: int) -> str:
    seconds = round(ms / 1000)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _text(parent: ET.Element, tag: str, value: str, **attributes: str) -> ET.Element:
    """A child element; characters XML cannot carry (stored before they were refused at
    the edge) are left out, so one title never makes the whole feed unreadable."""
    element = ET.SubElement(parent, tag, attributes)
    element.text = xml_text(value)
    return element


@feeds.get("/feeds/<name>.xml")
def feed(name: str):
    """One episode per finished article, newest first publication first: its guid and
    pubDate are the article's first publication (its first finished revision), so an
    edit is not a new, re-dated episode; its enclosure and words are the newest finished
    revision's (while an edit is made, or when it failed, the previous one's)."""
    if not _NAME.match(name):
        raise ApiError(404, "Not found", f"there is no feed {name!r}")
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
    if name != "all":
        query = query.where(ArticleRow.collection == name)
    channel_link = external_url("feeds.feed", name=name)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", f"Narrate: {name}")
    _text(channel, "link", channel_link)
    _text(channel, "description", f"Articles read aloud by Narrate (collection {name}).")
    _text(channel, "language", "en-gb")
    _text(channel, f"{{{ITUNES}}}author", "Narrate")
    _text(channel, f"{{{ITUNES}}}explicit", "false")
    ET.SubElement(channel, f"{{{ITUNES}}}category", {"text": "News"})
    store = storage()
    episodes = 0
    with session_scope(settings().database_url) as session:
        for article, revision, first, published in session.execute(query.limit(FEED_SIZE * 2)):
            found = store.stat(audio_key(article.id, revision.number, ".mp3"))
            if found is None:
                continue
            item = ET.SubElement(channel, "item")
            _text(item, "title", revision.title)
            # The number of the first finished revision, as the guid of an article never
            # edited has always been: episodes already in podcast apps keep theirs.
            _text(item, "guid", f"narrate:{article.id}:{first}", isPermaLink="false")
            _text(item, "link", article_url(article.id, "self"))
            summary = revision.paragraphs[1] if len(revision.paragraphs) > 1 else None
            _text(item, "description", summary.text if summary else revision.title)
            _text(item, "pubDate", format_datetime(published.replace(tzinfo=UTC), usegmt=True))
            # The audio route serves the newest finished revision; the revision in the URL
            # makes it a new enclosure for podcast apps, which keep audio by its URL.
            audio = f"{article_url(article.id, 'audio')}?revision={revision.number}"
            ET.SubElement(
                item,
                "enclosure",
                {"url": audio, "length": str(found.size), "type": "audio/mpeg"},
            )
            _text(item, f"{{{ITUNES}}}duration", _hms(revision.duration_ms or 0))
            if revision.byline:
                _text(item, f"{{{ITUNES}}}author", revision.byline)
            episodes += 1
            if episodes >= FEED_SIZE:
                break
    body = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/rss+xml")
