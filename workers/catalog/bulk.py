"""Many submissions stored at once (a batch), in a constant number of statements per
chunk: the articles they may be are loaded together, each submission is decided in order
by workers/catalog/identity.py as a single one would be, and the new rows are inserted in
bulk."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, selectinload

from workers.catalog.content import Metadata, Pending, paragraph_values, revision_values
from workers.catalog.identity import Identity, Verdict, decide
from workers.catalog.models import (
    JOB_GIVEN_UP,
    ArticleRow,
    JobRow,
    JobStatus,
    ParagraphRow,
    RevisionRow,
    new_article_id,
    now,
)


@dataclass(frozen=True)
class Stored:
    article_id: str
    revision_id: int
    job_id: int | None  # None: identical content already exists, nothing to do


def submit_many(
    session: Session,
    pending: list[Pending],
    *,
    queue: str,
    reach: Collection[str] | None = None,
) -> list[Stored]:
    """`submit_raw` (or `submit`) for many submissions at once, in order. Raises
    IntegrityError when a concurrent request claimed one of the contents or external ids
    first (the caller then stores that chunk one by one)."""
    identities = [Identity.of(p) for p in pending]
    plan = _Plan(_known_articles(session, pending, [i.digest for i in identities]))
    placed = [
        plan.place(item, identity, reach)
        for item, identity in zip(pending, identities, strict=True)
    ]
    return plan.write(session, placed, queue)


def _known_articles(
    session: Session, pending: list[Pending], digests: list[str]
) -> list[ArticleRow]:
    """The stored articles any of `pending` may be: by external id or content, with
    their revisions, jobs and paragraphs (to tell identical content)."""
    external_ids = sorted({p.metadata.external_id for p in pending if p.metadata.external_id})
    found: dict[str, ArticleRow] = {}
    loading = selectinload(ArticleRow.revisions)
    for column, values in (
        (ArticleRow.external_id, external_ids),
        (ArticleRow.content_key, sorted(set(digests))),
    ):
        for start in range(0, len(values), _QUERY_CHUNK):
            query = (
                select(ArticleRow)
                .where(column.in_(values[start : start + _QUERY_CHUNK]))
                .options(
                    loading.joinedload(RevisionRow.job),
                    loading.selectinload(RevisionRow.paragraphs),
                )
            )
            found.update((row.id, row) for row in session.scalars(query))
    return list(found.values())


_QUERY_CHUNK = 500  # values per IN (...) clause, well inside every database's limit


@dataclass
class _Known:
    """What `submit_many` knows of one article: stored, or planned by this call (the
    fields identity.decide reads, as they will be once the plan is written)."""

    id: str
    external_id: str | None
    collection: str
    content_key: str | None
    number: int  # of its current revision; 0 for none
    digest: str | None  # its current revision's content hash
    spoken: list[str]
    lexicon: str | None  # its current revision's lexicon_key
    given_up: bool  # its current revision's job failed or was cancelled
    revision: int | None  # the current revision's id, or
    planned: int | None  # the index of the revision this call will insert
    new: bool = False
    changed: bool = False

    @classmethod
    def of(cls, row: ArticleRow) -> _Known:
        current = row.revisions[-1] if row.revisions else None
        return cls(
            row.id,
            row.external_id,
            row.collection,
            row.content_key,
            current.number if current else 0,
            current.content_hash if current else None,
            [p.spoken for p in current.paragraphs] if current else [],
            current.lexicon_key if current else None,
            current is None or current.job.status in JOB_GIVEN_UP,
            current.id if current else None,
            None,
        )


class _Plan:
    """The rows `submit_many` will write, decided in order as `submit` would decide."""

    def __init__(self, rows: list[ArticleRow]) -> None:
        self.by_external: dict[tuple[str, str], _Known] = {}  # by (collection, external_id)
        self.by_key: dict[str, _Known] = {}
        self.metadata: dict[str, Metadata] = {}
        self.revisions: list[dict] = []
        self.paragraphs: list[list[dict]] = []
        self.cleaning: list[bool] = []  # per revision: stored as received
        for row in rows:
            self._index(_Known.of(row))

    def _index(self, known: _Known) -> None:
        if known.external_id:
            self.by_external[known.collection, known.external_id] = known
        if known.content_key:
            self.by_key[known.content_key] = known

    def by_external_id(self, collection: str, external_id: str) -> _Known | None:
        return self.by_external.get((collection, external_id))

    def by_content_key(self, digest: str) -> _Known | None:
        return self.by_key.get(digest)

    def place(self, item: Pending, identity: Identity, reach: Collection[str] | None) -> _Placed:
        """The article the item goes to, and the index of its new revision (None: the
        article has this content already, in a stored or a planned revision)."""
        decision = decide(identity, self, reach=reach)
        if decision.verdict == Verdict.REUSE:
            assert decision.article is not None
            return _Placed(decision.article, None, decision.article.planned)
        known = decision.article or _Known(
            new_article_id(),
            item.metadata.external_id,
            item.metadata.collection,
            None,
            0,
            None,
            [],
            None,
            True,
            None,
            None,
            new=True,
        )
        if known.content_key and known.content_key != decision.content_key:
            self.by_key.pop(known.content_key, None)
        known.content_key = decision.content_key
        known.collection = item.metadata.collection
        known.number += 1
        known.digest, known.given_up = identity.digest, False
        known.spoken = [s for _, s in item.spoken]
        known.lexicon = item.raw.lexicon if item.raw is not None else None
        known.changed = True
        known.planned = len(self.revisions)
        self.metadata[known.id] = item.metadata
        self._index(known)
        values = revision_values(item, known.number, identity.digest)
        self.revisions.append({"article_id": known.id, **values})
        self.cleaning.append(item.raw is not None)
        self.paragraphs.append(paragraph_values(item.spoken, item.options))
        return _Placed(known, known.planned, None)

    def write(self, session: Session, placed: list[_Placed], queue: str) -> list[Stored]:
        stamp = now()
        articles = {p.known.id: p.known for p in placed if p.known.changed}
        new = [
            {
                "id": known.id,
                "external_id": known.external_id,
                "content_key": known.content_key,
                "collection": self.metadata[known.id].collection,
                "visibility": self.metadata[known.id].visibility or "unlisted",
                "created_at": stamp,
                "updated_at": stamp,
            }
            for known in articles.values()
            if known.new
        ]
        changed = [
            {
                "id": known.id,
                "content_key": known.content_key,
                "collection": self.metadata[known.id].collection,
                "updated_at": stamp,
                **({"visibility": v} if (v := self.metadata[known.id].visibility) else {}),
            }
            for known in articles.values()
            if not known.new
        ]
        if new:
            session.execute(insert(ArticleRow), new)
        for values in changed:  # each may differ in its columns (visibility)
            session.execute(update(ArticleRow).where(ArticleRow.id == values["id"]).values(values))
        revision_ids: list[int] = []
        job_ids: list[int] = []
        if self.revisions:
            for values in self.revisions:
                values["created_at"] = stamp
            revision_ids = list(
                session.scalars(
                    insert(RevisionRow).returning(RevisionRow.id, sort_by_parameter_order=True),
                    self.revisions,
                )
            )
            rows = [
                {**paragraph, "revision_id": revision_id}
                for revision_id, paragraphs in zip(revision_ids, self.paragraphs, strict=True)
                for paragraph in paragraphs
            ]
            if rows:
                session.execute(insert(ParagraphRow), rows)
            job_ids = list(
                session.scalars(
                    insert(JobRow).returning(JobRow.id, sort_by_parameter_order=True),
                    [
                        {
                            "revision_id": revision_id,
                            "total": len(paragraphs),
                            "created_at": stamp,
                            "queue": queue,
                            "status": JobStatus.CLEANING if cleaning else JobStatus.QUEUED,
                        }
                        for revision_id, paragraphs, cleaning in zip(
                            revision_ids, self.paragraphs, self.cleaning, strict=True
                        )
                    ],
                )
            )
        session.expire_all()  # the rows loaded before are stale now
        return [_stored(p, revision_ids, job_ids) for p in placed]


@dataclass(frozen=True)
class _Placed:
    known: _Known
    new: int | None  # the index of the revision this call inserts for the item
    reused: int | None  # or the index of the one an earlier item planned (None: stored)


def _stored(placed: _Placed, revision_ids: list[int], job_ids: list[int]) -> Stored:
    if placed.new is not None:
        return Stored(placed.known.id, revision_ids[placed.new], job_ids[placed.new])
    if placed.reused is not None:
        return Stored(placed.known.id, revision_ids[placed.reused], None)
    assert placed.known.revision is not None  # identical to its stored current revision
    return Stored(placed.known.id, placed.known.revision, None)
