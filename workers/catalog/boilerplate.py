"""Learning each publisher's boilerplate from the catalog.

Every article of a publisher (the host of its `source_url`, else its `collection` other
than 'all') leaves the fingerprints of its paragraphs in `publisher_lines`. A line found
in at least `min_articles` *other* articles of the same publisher is that publisher's
boilerplate and is removed from an article when a worker cleans it
(workers/runtime/preparing.py). The article's own earlier revisions never count: its
rows are replaced, not added to.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workers.catalog.content import clipped
from workers.catalog.models import ArticleRow, PublisherLineRow
from workers.pipeline.article import Article
from workers.pipeline.clean.boilerplate import fingerprints, strip_boilerplate

_QUERY_CHUNK = 500  # fingerprints per IN (...) clause


def publisher_of(source_url: str | None, collection: str = "all") -> str | None:
    """'host:example.com' for a source URL (without 'www.'), else 'collection:NAME';
    None for an article that names neither: nothing is learned from it."""
    host = (urlsplit(source_url).hostname or "") if source_url else ""
    host = host.removeprefix("www.")
    if host:
        return f"host:{host}"[:300]
    if collection and collection != "all":
        return f"collection:{collection}"
    return None


@dataclass(frozen=True)
class Learned:
    article: Article  # without the publisher's boilerplate
    fingerprints: set[str]  # of the article as cleaned, to remember once it is stored


def strip_learned(
    session: Session,
    publisher: str,
    article: Article,
    *,
    min_articles: int,
    article_id: str | None = None,
    external_id: str | None = None,
    collection: str = "all",
) -> Learned:
    """Remove the lines at least `min_articles` other articles of `publisher` share. The
    article itself (`article_id`, or its `external_id` in its `collection`) never counts."""
    lines = fingerprints(article)
    own = {article_id} if article_id else set()
    if external_id:
        mine = (ArticleRow.external_id == external_id) & (ArticleRow.collection == collection)
        own.update(session.scalars(select(ArticleRow.id).where(mine)))
    own |= _with_exactly(session, publisher, lines, clipped(article.title))  # as stored
    known = _shared(session, publisher, lines, own, min_articles)
    return Learned(strip_boilerplate(article, known, publisher), lines)


def _shared(
    session: Session, publisher: str, lines: set[str], own: set[str], min_articles: int
) -> set[str]:
    found: set[str] = set()
    ordered = sorted(lines)
    for start in range(0, len(ordered), _QUERY_CHUNK):
        query = (
            select(PublisherLineRow.fingerprint)
            .where(
                PublisherLineRow.publisher == publisher,
                PublisherLineRow.fingerprint.in_(ordered[start : start + _QUERY_CHUNK]),
                PublisherLineRow.article_id.not_in(own),
            )
            .group_by(PublisherLineRow.fingerprint)
            .having(func.count(func.distinct(PublisherLineRow.article_id)) >= min_articles)
        )
        found.update(session.scalars(query))
    return found


def _with_exactly(session: Session, publisher: str, lines: set[str], title: str) -> set[str]:
    """The articles of the publisher with this headline whose remembered lines are
    exactly `lines`: the same text submitted again (a page fetched again, a copy under
    another id), which must not count towards itself. (Another headline over the same
    text is another article.)"""
    if not lines:
        return set()
    line = PublisherLineRow
    holding_all = (
        select(line.article_id)
        .where(line.publisher == publisher, line.fingerprint.in_(sorted(lines)))
        .group_by(line.article_id)
        .having(func.count() == len(lines))
    )
    exactly = (
        select(line.article_id)
        .where(line.article_id.in_(holding_all))
        .group_by(line.article_id)
        .having(func.count() == len(lines))
    )
    found = set()
    for candidate in session.scalars(exactly):
        row = session.get(ArticleRow, candidate)
        if row is not None and row.current.title == title:
            found.add(candidate)
    return found


def remember(session: Session, publisher: str, article_id: str, lines: set[str]) -> None:
    """Record the article's lines for its publisher, in place of any it had before."""
    try:
        with session.begin_nested():
            session.execute(
                delete(PublisherLineRow).where(PublisherLineRow.article_id == article_id)
            )
            session.add_all(
                PublisherLineRow(publisher=publisher, fingerprint=line, article_id=article_id)
                for line in sorted(lines)
            )
    except IntegrityError:
        pass  # the same article, submitted at the same moment, recorded them first
