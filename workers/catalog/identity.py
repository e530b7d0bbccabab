"""Is a submission an article the catalog has, and is its content there already? One
decision for a single submission (workers/catalog/submit.py, from the stored rows) and for
each of a batch's (workers/catalog/bulk.py, from the rows it loaded and the ones it plans).

A submission is the article with its `external_id` in its collection (an external_id is
unique within a collection: another collection's "42" is another article), or the
article a PUT or PATCH names, else the article that holds its content hash as
`content_key`: the hash of its text as received with its format (or of its cleaned
paragraphs), voice, rate and bitrate. An article outside the collections the submitting
key reaches is never matched. It is the same content when the article's current revision
has that hash, was not given up (failed or cancelled: then it is tried again) and is
said the same way: with the same lexicon (its fingerprint), or for cleaned content the
same spoken text. The `source_url` is not part of it: the same page fetched again with
other bytes is another article."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from workers.catalog.content import Pending
from workers.pipeline.errors import Conflict


class Verdict(StrEnum):
    NEW_ARTICLE = "new article"
    NEW_REVISION = "new revision"
    REUSE = "reuse"  # identical content exists: nothing to store or synthesise


class Seen(Protocol):
    """An article as the decision sees it, with its current revision's identity."""

    @property
    def external_id(self) -> str | None: ...
    @property
    def collection(self) -> str: ...
    @property
    def content_key(self) -> str | None: ...
    @property
    def digest(self) -> str | None: ...  # the current revision's content hash
    @property
    def given_up(self) -> bool: ...  # the current revision's job failed or was cancelled
    @property
    def lexicon(self) -> str | None: ...  # the current revision's lexicon fingerprint
    @property
    def spoken(self) -> list[str]: ...  # the current revision's spoken paragraphs


S = TypeVar("S", bound=Seen)
S_co = TypeVar("S_co", bound=Seen, covariant=True)


class Lookup(Protocol[S_co]):
    """Where the decision finds articles: the catalog, or a batch's plan of it."""

    def by_external_id(self, collection: str, external_id: str) -> S_co | None: ...
    def by_content_key(self, digest: str) -> S_co | None: ...


class ExternalIdTaken(Conflict):
    def __init__(self, external_id: str, collection: str) -> None:
        super().__init__(
            f"another article in the collection {collection!r} has the external_id "
            f"{external_id!r}: an article moves there only if its external_id is free; "
            "delete or move that article first, or keep this one in its collection"
        )


@dataclass(frozen=True)
class Identity:
    """What the decision compares of a submission."""

    external_id: str | None
    collection: str  # where the submission is to be stored
    digest: str
    lexicon: str | None  # as received: the fingerprint it is to be said with
    spoken: list[str] | None  # cleaned: the spoken text (compared instead of the lexicon)

    @classmethod
    def of(cls, pending: Pending) -> Identity:
        if pending.raw is not None:
            return cls(
                pending.metadata.external_id,
                pending.metadata.collection,
                pending.digest(),
                pending.raw.lexicon,
                None,
            )
        said = [s for _, s in pending.spoken]
        metadata = pending.metadata
        return cls(metadata.external_id, metadata.collection, pending.digest(), None, said)

    def said_as(self, seen: Seen) -> bool:
        if self.spoken is not None:
            return seen.spoken == self.spoken
        return seen.lexicon == self.lexicon


@dataclass(frozen=True)
class Decision(Generic[S]):
    verdict: Verdict
    article: S | None  # the existing article; None for a new one
    content_key: str | None  # the key the article holds once stored (None: none)


def decide(
    identity: Identity,
    lookup: Lookup[S],
    *,
    target: S | None = None,
    reach: Collection[str] | None = None,
) -> Decision[S]:
    """Reuse, a new revision of a known article, or a new article. `target` is the
    article a PUT or PATCH names; `reach` the collections the submitting key may write
    (None: all). Raises ExternalIdTaken when `target` is to move to a collection where
    another article has its external_id."""
    holder: S | None = None  # the article holding the digest as its key, when looked up
    existing: S | None
    if target is not None:
        existing = target
        moving = target.external_id and target.collection != identity.collection
        if moving and lookup.by_external_id(identity.collection, target.external_id or ""):
            raise ExternalIdTaken(target.external_id or "", identity.collection)
    elif identity.external_id:
        # Its collection is one the key writes (the request was refused otherwise).
        existing = lookup.by_external_id(identity.collection, identity.external_id)
    else:
        holder = lookup.by_content_key(identity.digest)
        within = holder is not None and (reach is None or holder.collection in reach)
        existing = holder if within and holder and holder.digest == identity.digest else None
    if (
        existing is not None
        and existing.digest == identity.digest
        and not existing.given_up
        and identity.said_as(existing)
    ):
        return Decision(Verdict.REUSE, existing, existing.content_key)
    # New content, or the same after a failure or a cancelled batch (a retry), or said
    # differently (the lexicon changed): a new revision; earlier ones stay as history.
    if existing is None:
        # A new article claims its content unless it has an external_id or another
        # article (out of reach) holds it; a concurrent claim fails the write.
        claim = not identity.external_id and holder is None
        return Decision(Verdict.NEW_ARTICLE, None, identity.digest if claim else None)
    if existing.external_id is not None or existing.content_key == identity.digest:
        return Decision(Verdict.NEW_REVISION, existing, existing.content_key)
    # An edit claims its new text unless another article holds it.
    held = lookup.by_content_key(identity.digest) is not None
    return Decision(Verdict.NEW_REVISION, existing, None if held else identity.digest)
