"""Who may read what: the one rule every read route asks (service.web.context's
`find_article` for one article, `listing` for a list of them).

A reader is whoever sends the request: anonymous, an API key (a scope and, perhaps,
collections), or anyone carrying a signed grant for one article (its `links.player`,
or one media link), which is checked against the file asked for and its expiry.

- public: anyone reads it, and it is listed (`/`, feeds, the playlist) to anyone;
- unlisted: anyone with the link reads it; it is listed only to a key that reads its
  collection;
- private: only a key with the read scope for its collection reads or lists it; a valid
  grant opens what the grant names (the player's: the player, status, audio, segments,
  timings and captions, the last three carrying each paragraph's text) and nothing
  else: not the article's JSON, page, playlist or statistics. Listens are not counted.

An open service (no key at all) reads and lists everything for anyone; beyond loopback
it answers nothing (service.security.auth).
An article a reader may not read is a 404 to them, as if it did not exist. The article
list of the API (`catalogue`) is a key's own: the articles of its collections.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, true

from service.errors import ApiError
from service.security import auth
from workers.catalog.keys import Principal
from workers.catalog.models import ArticleRow

# which grant each signable link of an article carries (workers.links names)
LINK_GRANTS = {
    "audio": ".mp3",
    "timings": ".json",
    "captions": ".vtt",
    "status": "status",
    "segments": "segments",
    "player": auth.PLAYER_GRANT,
}


@dataclass(frozen=True)
class Listing:
    """The articles a reader may see in a list: the public ones, and every one of
    `collections` (None: of every collection)."""

    collections: tuple[str, ...] | None = ()

    def clause(self) -> ColumnElement[bool]:
        """The same, as a condition on ArticleRow for a query."""
        if self.collections is None:
            return true()
        return or_(ArticleRow.visibility == "public", ArticleRow.collection.in_(self.collections))


EVERYTHING = Listing(None)
PUBLISHED = Listing()  # what anyone may list: a feed is for anyone


def _reading_key() -> Principal | None:
    """The request's key when it has the read scope."""
    who = auth.principal()
    return who if who is not None and who.allows("read") else None


def reads_everything_of(row: ArticleRow) -> bool:
    """May this reader see the article's text and private metadata?"""
    if not auth.protected():
        return True
    who = _reading_key()
    return who is not None and who.reaches(row.collection)


def may_read(row: ArticleRow, grant: str | None = None) -> bool:
    """Whether the article exists for this reader; `grant` is the file the route serves
    (auth.PLAYER_READS), so that a signed grant for it opens a private article."""
    if row.visibility != "private" or reads_everything_of(row):
        return True
    return grant is not None and auth.signed_for(row.id, grant)


def counts_listens(row: ArticleRow) -> bool:
    """Whether a listening beacon for the article is counted: never for a private one."""
    return row.visibility != "private" and may_read(row)


def listing() -> Listing:
    """What this reader may see listed: everything on an open service; the public
    articles, and with a read key every article of its collections."""
    if not auth.protected():
        return EVERYTHING
    who = _reading_key()
    return PUBLISHED if who is None else Listing(who.collections)


def catalogue() -> tuple[str, ...] | None:
    """The collections the API's article list shows this reader (None: all): a read
    key's own; raises (401/403) without the read scope."""
    who = auth.require("read")
    return who.collections if who is not None else None


def require_read() -> None:
    """Reads of the whole service that name no article (the metrics' counts): the read
    scope, whatever its collections."""
    auth.require("read")


def require_every_collection(scope: str) -> None:
    """A batch spans collections: reading or changing one needs a key for all of them."""
    who = auth.require(scope)
    if who is not None and who.collections is not None:
        raise ApiError(
            403,
            "Forbidden",
            f"the key {who.name!r} is limited to collections; this needs a key for all",
        )
