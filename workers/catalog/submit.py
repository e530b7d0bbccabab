"""One submission stored: a POST or PUT as received (`submit_raw`), or an editor's cleaned
PATCH (`submit`). Whether it is new is decided by workers/catalog/identity.py.

A change of a named article (PUT, PATCH) is a compare-and-set on the revision it was built
from: its revision's number is that one's plus one, and the unique (article, number) index
refuses it, in every process and on every database, when another change stored that number
first; it then raises RevisionConflict instead of being stored on top."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workers.catalog.content import (
    Metadata,
    Pending,
    VoiceOptions,
    paragraph_values,
    revision_values,
)
from workers.catalog.identity import Identity, Verdict, decide
from workers.catalog.models import (
    JOB_GIVEN_UP,
    ArticleRow,
    JobRow,
    JobStatus,
    ParagraphRow,
    RevisionRow,
    now,
)
from workers.pipeline.article import Article
from workers.pipeline.errors import Conflict


class RevisionConflict(Conflict):
    def __init__(self, read: int, current: int) -> None:
        super().__init__(
            f"this change was made from revision {read}, but another change made revision "
            f"{current} meanwhile: fetch the article again and send the change for it"
        )


@dataclass(frozen=True)
class Submitted:
    article: ArticleRow
    job_id: int | None  # None: identical content already exists, nothing to do


def submit(
    session: Session,
    article: Article,
    spoken: list[tuple[str, str]],
    options: VoiceOptions,
    metadata: Metadata,
    *,
    article_id: str | None = None,
    queue: str = "narrate",
    lexicon: str | None = None,
    revision: int | None = None,
) -> Submitted:
    """Store cleaned content (an editor's PATCH): reuse identical content, add a revision
    to a known article (by id or external_id), or create a new article. `lexicon` is the
    fingerprint of the lexicon `spoken` was made with; `revision` the number of the
    article's revision the content was made from (RevisionConflict if it is not current)."""
    pending = Pending(article, spoken, options, metadata, lexicon=lexicon)
    return _insert_or_get(session, pending, article_id, queue, revision=revision)


def submit_raw(
    session: Session,
    pending: Pending,
    *,
    article_id: str | None = None,
    queue: str = "narrate",
    reach: Collection[str] | None = None,
) -> Submitted:
    """Store a submission as received (`pending.raw`), its job "cleaning" (a worker makes
    its paragraphs, workers/runtime/preparing.py); the same submission again is the
    article it already is. `reach`: the collections the submitting key may write. A PUT
    (`article_id`) is made from the revision the session read first: RevisionConflict if
    another change stored a revision since."""
    if pending.raw is None:
        raise ValueError("submit_raw stores a submission as received: pending.raw is None")
    return _insert_or_get(session, pending, article_id, queue, reach)


def _insert_or_get(
    session: Session,
    pending: Pending,
    article_id: str | None,
    queue: str,
    reach: Collection[str] | None = None,
    *,
    revision: int | None = None,
) -> Submitted:
    """Insert-or-get: when a request storing the same content (or external_id) at the
    same moment wins the race to the unique index, this one takes what the winner stored.
    A change of `article_id` made from `revision` (None: the current one as first read)
    is stored as the next revision, or refused (RevisionConflict) if it is not."""
    identity = Identity.of(pending)
    catalog = _Catalog(session)
    for attempt in range(_ATTEMPTS):
        target = session.get(ArticleRow, article_id) if article_id is not None else None
        if target is not None:
            if revision is None:
                revision = target.current.number
            if target.current.number != revision:
                raise RevisionConflict(revision, target.current.number)
        decision = decide(
            identity, catalog, target=_Stored(target) if target else None, reach=reach
        )
        existing = decision.article.row if decision.article is not None else None
        if decision.verdict == Verdict.REUSE:
            assert existing is not None
            return Submitted(existing, None)
        try:  # writes only: on SQLite a read first would make the write lock fail at once
            with session.begin_nested():
                row = existing or ArticleRow(external_id=pending.metadata.external_id)
                row.content_key = decision.content_key
                if target is not None and revision is not None:
                    number = revision + 1  # compare-and-set: see the module's docstring
                else:
                    number = row.current.number + 1 if existing is not None else 1
                stored = _revision(pending, number, identity.digest, queue)
                return _write(session, row, stored, pending.metadata)
        except IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
            if existing is not None:
                session.expire(existing)
    raise AssertionError("unreachable")


_ATTEMPTS = 3


@dataclass(frozen=True)
class _Stored:
    """A stored article as identity.decide sees it."""

    row: ArticleRow

    @property
    def external_id(self) -> str | None:
        return self.row.external_id

    @property
    def collection(self) -> str:
        return self.row.collection

    @property
    def content_key(self) -> str | None:
        return self.row.content_key

    @property
    def digest(self) -> str | None:
        return self.row.current.content_hash

    @property
    def given_up(self) -> bool:
        return self.row.current.job.status in JOB_GIVEN_UP

    @property
    def lexicon(self) -> str | None:
        return self.row.current.lexicon_key

    @property
    def spoken(self) -> list[str]:
        return [p.spoken for p in self.row.current.paragraphs]


@dataclass(frozen=True)
class _Catalog:
    session: Session

    def by_external_id(self, collection: str, external_id: str) -> _Stored | None:
        row = self.session.scalar(
            select(ArticleRow).where(
                ArticleRow.collection == collection, ArticleRow.external_id == external_id
            )
        )
        return _Stored(row) if row is not None else None

    def by_content_key(self, digest: str) -> _Stored | None:
        row = self.session.scalar(select(ArticleRow).where(ArticleRow.content_key == digest))
        return _Stored(row) if row is not None else None


def _revision(pending: Pending, number: int, digest: str, queue: str) -> RevisionRow:
    """The new revision with its paragraphs (none yet when stored as received) and job."""
    cleaning = pending.raw is not None
    return RevisionRow(
        **revision_values(pending, number, digest),
        paragraphs=[
            ParagraphRow(**values) for values in paragraph_values(pending.spoken, pending.options)
        ],
        job=JobRow(
            total=len(pending.spoken),
            queue=queue,
            status=JobStatus.CLEANING if cleaning else JobStatus.QUEUED,
        ),
    )


def _write(
    session: Session, row: ArticleRow, revision: RevisionRow, metadata: Metadata
) -> Submitted:
    stamp = now()
    if row.created_at is None:
        row.created_at = stamp
    row.collection = metadata.collection
    if metadata.visibility or row.visibility is None:  # a new article: unlisted
        row.visibility = metadata.visibility or "unlisted"
    revision.created_at = revision.job.created_at = stamp
    row.revisions.append(revision)
    row.updated_at = stamp
    session.add(row)
    session.flush()
    return Submitted(row, revision.job.id)
