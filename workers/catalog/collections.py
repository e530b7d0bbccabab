"""Collections in the catalog: a collection exists once it has an article or settings
(a CollectionRow); its settings are read with their defaults (`Collection`), replaced
(`replace_settings`), changed (`change_settings`) and given images here. The API
(service/web/collections.py) and the command line (`narrate collection`) both come here.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workers.catalog.collection_fields import checked, merged
from workers.catalog.models import ArticleRow, CollectionRow, RevisionRow

EVERY_ARTICLE = "all"  # its feed has every article (and it is the default collection)
# https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/tags/guid.md
PODCAST_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
DEFAULT_LANGUAGE = "en"
# what podcast apps ask for that only the publisher can give (Apple and Spotify e-mail
# the owner to verify a feed)
FOR_PODCAST_APPS = ("owner_email",)


@dataclass(frozen=True)
class Collection:
    """A collection's settings with their defaults filled in."""

    name: str
    settings: dict[str, Any] = field(default_factory=dict)  # as set
    artwork: str | None = None  # the uploaded artwork's file name
    languages: tuple[str, ...] = ()  # its articles', most common first
    articles: int = 0
    updated_at: datetime | None = None

    def get(self, name: str, default: Any = None) -> Any:
        return self.settings.get(name, default)

    @property
    def title(self) -> str:
        return self.get("title") or f"Narrate: {self.name}"

    @property
    def description(self) -> str:
        return (
            self.get("description") or f"Articles read aloud by Narrate (collection {self.name})."
        )

    @property
    def author(self) -> str:
        return self.get("author") or "Narrate"

    @property
    def owner_name(self) -> str:
        return self.get("owner_name") or self.author

    @property
    def explicit(self) -> bool:
        return bool(self.get("explicit", False))

    @property
    def locked(self) -> bool:
        return bool(self.get("locked", False))

    @property
    def language(self) -> str:
        return self.get("language") or (self.languages[0] if self.languages else DEFAULT_LANGUAGE)

    @property
    def category(self) -> list[str]:
        return self.get("category") or ["News"]

    @property
    def artwork_file(self) -> str:
        """The artwork's file name: the uploaded one, else the default cover's."""
        from workers.catalog.images import cover_file_name  # Pillow: only when drawn

        return self.artwork or cover_file_name(self.title)

    def guid(self, feed_url: str) -> str:
        """podcast:guid: as set, else the UUIDv5 of the feed's URL without its scheme."""
        bare = feed_url.split("://", 1)[-1].rstrip("/")
        return self.get("guid") or str(uuid.uuid5(PODCAST_NAMESPACE, bare))

    @property
    def missing(self) -> list[str]:
        return [name for name in FOR_PODCAST_APPS if not self.get(name)]


def _languages(session: Session, name: str) -> tuple[tuple[str, ...], int]:
    """Its articles' languages (their current revisions'), most common first, and how
    many articles it has."""
    current = (
        select(RevisionRow.article_id, func.max(RevisionRow.number).label("n"))
        .group_by(RevisionRow.article_id)
        .subquery()
    )
    query = (
        select(ArticleRow.id, RevisionRow.language)
        .join(current, current.c.article_id == ArticleRow.id)
        .join(
            RevisionRow,
            (RevisionRow.article_id == ArticleRow.id) & (RevisionRow.number == current.c.n),
        )
        .order_by(ArticleRow.created_at, ArticleRow.id)  # of two as common, the older first
    )
    if name != EVERY_ARTICLE:
        query = query.where(ArticleRow.collection == name)
    rows = session.execute(query).all()
    counts = Counter(language for _, language in rows if language)
    return tuple(language for language, _ in counts.most_common()), len(rows)


def collection_setting(session: Session, name: str | None, field: str) -> Any:
    """One of the collection's settings as set (its `style`, its `brand`), None when not
    set; without counting its articles, as `find_collection` does."""
    row = session.get(CollectionRow, name) if name else None
    return (row.settings or {}).get(field) if row is not None else None


def find_collection(session: Session, name: str) -> Collection | None:
    """The collection, or None when it has neither articles nor settings ("all" always
    exists: it is every article)."""
    row = session.get(CollectionRow, name)
    languages, articles = _languages(session, name)
    if row is None and not articles and name != EVERY_ARTICLE:
        return None
    return Collection(
        name,
        dict(row.settings) if row else {},
        row.artwork if row else None,
        languages,
        articles,
        row.updated_at if row else None,
    )


def _row(session: Session, name: str) -> CollectionRow:
    row = session.get(CollectionRow, name)
    if row is None:
        row = CollectionRow(name=name, settings={})
        session.add(row)
    return row


def replace_settings(session: Session, name: str, body: Any) -> None:
    """Every setting replaced by `body`'s (what it leaves out takes its default)."""
    settings = checked(body)
    _row(session, name).settings = {k: v for k, v in settings.items() if v is not None}
    session.flush()


def change_settings(session: Session, name: str, body: Any) -> None:
    """The settings `body` names changed (None clears one), the others kept."""
    row = _row(session, name)
    row.settings = merged(row.settings or {}, checked(body))
    session.flush()


def set_artwork(session: Session, name: str, file_name: str | None) -> None:
    """The uploaded artwork's file name (None: back to the generated cover)."""
    _row(session, name).artwork = file_name
    session.flush()
