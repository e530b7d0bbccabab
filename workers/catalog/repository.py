"""Catalog operations the service and the workers share."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

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
from workers.pipeline.article import Article

PIPELINE_VERSION = "1"  # bump to invalidate cached clips when shaping changes


@dataclass(frozen=True)
class VoiceOptions:
    voice: str
    rate: int
    bitrate_kbps: int


@dataclass(frozen=True)
class Metadata:
    external_id: str | None = None
    source_url: str | None = None
    callback_url: str | None = None
    collection: str = "all"
    visibility: str | None = None  # None: "unlisted" for a new article, else unchanged


def clip_key(spoken: str, options: VoiceOptions) -> str:
    """Content hash of one paragraph's audio: the same words in the same voice are reused."""
    material = json.dumps([PIPELINE_VERSION, options.voice, options.rate, spoken])
    return hashlib.sha256(material.encode()).hexdigest()


def paragraph_values(spoken: list[tuple[str, str]], options: VoiceOptions) -> list[dict]:
    """The paragraph rows of a revision, from its (written, spoken) pairs."""
    return [
        {"index": i, "text": text, "spoken": said, "clip_key": clip_key(said, options)}
        for i, (text, said) in enumerate(spoken)
    ]


def content_hash(article: Article, options: VoiceOptions) -> str:
    material = json.dumps(
        [PIPELINE_VERSION, options.voice, options.rate, options.bitrate_kbps, article.paragraphs]
    )
    return hashlib.sha256(material.encode()).hexdigest()


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
) -> Submitted:
    """Store a cleaned submission (an editor's PATCH): reuse identical content, add a
    revision to a known article (by id or external_id), or create a new article.
    `lexicon` is the fingerprint of the lexicon `spoken` was made with."""
    digest = content_hash(article, options)
    said = [s for _, s in spoken]

    def revision(number: int) -> RevisionRow:
        return RevisionRow(
            **_revision_columns(number, digest, article, options, metadata),
            paragraphs=[ParagraphRow(**values) for values in paragraph_values(spoken, options)],
            lexicon_key=lexicon,
            job=JobRow(total=len(spoken), queue=queue),
        )

    # The same text said differently (the lexicon changed) is a new revision.
    return _insert_or_get(
        session,
        digest,
        metadata,
        article_id,
        same=lambda current: [p.spoken for p in current.paragraphs] == said,
        revision=revision,
    )


@dataclass(frozen=True)
class Raw:
    """A submission as received: the text or HTML, a provisional title to show until a
    worker has cleaned it, and the fingerprint of the lexicon it would be said with."""

    text: str
    format: str  # "text" or "html"
    title: str
    lexicon: str
    language: str | None = None  # as detected from the text as received


def raw_hash(raw: Raw, options: VoiceOptions) -> str:
    """The identity of a submission before it is cleaned: its text and how to say it."""
    voice = [options.voice, options.rate, options.bitrate_kbps]
    material = json.dumps(["raw", PIPELINE_VERSION, *voice, raw.format, raw.text])
    return hashlib.sha256(material.encode()).hexdigest()


def submit_raw(
    session: Session, pending: Pending, *, article_id: str | None = None, queue: str = "narrate"
) -> Submitted:
    """Store a submission as received (`pending.raw`), its job "cleaning" (a worker makes
    its paragraphs, workers/preparing.py); the same submission again is the article it
    already is."""
    raw, options, metadata = pending.raw, pending.options, pending.metadata
    if raw is None:
        raise ValueError("submit_raw stores a submission as received: pending.raw is None")
    digest = pending.digest()

    def revision(number: int) -> RevisionRow:
        return RevisionRow(
            **_revision_columns(number, digest, pending.article, options, metadata),
            raw_text=raw.text,
            raw_format=raw.format,
            lexicon_key=raw.lexicon,
            job=JobRow(total=0, queue=queue, status=JobStatus.CLEANING),
        )

    # The same text said differently (the lexicon changed) is a new revision.
    return _insert_or_get(
        session,
        digest,
        metadata,
        article_id,
        same=lambda current: current.lexicon_key == raw.lexicon,
        revision=revision,
    )


def _insert_or_get(
    session: Session,
    digest: str,
    metadata: Metadata,
    article_id: str | None,
    *,
    same: Callable[[RevisionRow], bool],
    revision: Callable[[int], RevisionRow],
) -> Submitted:
    """Insert-or-get: when a request storing the same content (or external_id) at the
    same moment wins the race to the unique index, this one takes what the winner stored."""
    for attempt in range(_ATTEMPTS):
        existing = _existing(session, digest, metadata, article_id)
        current = existing.current if existing is not None else None
        if (
            existing is not None
            and current is not None
            and current.content_hash == digest
            and current.job.status not in JOB_GIVEN_UP
            and same(current)
        ):
            return Submitted(existing, None)
        # New content, or the same after a failure or a cancelled batch (a retry): a new
        # revision with a new job; earlier revisions stay as history.
        key = _content_key(session, existing, digest, metadata)
        try:  # writes only: on SQLite a read first would make the write lock fail at once
            with session.begin_nested():
                row = existing or ArticleRow(external_id=metadata.external_id)
                row.content_key = key
                number = current.number + 1 if current is not None else 1
                return _store(session, row, revision(number), metadata)
        except IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
            if existing is not None:
                session.expire(existing)
    raise AssertionError("unreachable")


_ATTEMPTS = 3


def _existing(
    session: Session, digest: str, metadata: Metadata, article_id: str | None
) -> ArticleRow | None:
    if article_id is not None:
        return session.get(ArticleRow, article_id)
    if metadata.external_id:
        return session.scalar(
            select(ArticleRow).where(ArticleRow.external_id == metadata.external_id)
        )
    existing = session.scalar(select(ArticleRow).where(ArticleRow.content_key == digest))
    if existing is not None and existing.current.content_hash != digest:
        return None
    return existing


def _content_key(
    session: Session, existing: ArticleRow | None, digest: str, metadata: Metadata
) -> str | None:
    """The key the article will hold: a new article claims its content (a concurrent
    claim fails the flush); an edit claims its new text unless another article holds it."""
    if existing is None:
        return None if metadata.external_id else digest
    if existing.external_id is not None or existing.content_key == digest:
        return existing.content_key
    holder = session.scalar(select(ArticleRow.id).where(ArticleRow.content_key == digest))
    return digest if holder is None else None


def _store(
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


def _revision_columns(
    number: int, digest: str, article: Article, options: VoiceOptions, metadata: Metadata
) -> dict:
    return {
        "number": number,
        "content_hash": digest,
        "source_url": metadata.source_url,
        "callback_url": metadata.callback_url,
        "voice": options.voice,
        "rate": options.rate,
        "bitrate_kbps": options.bitrate_kbps,
        **cleaned_columns(article),
    }


def cleaned_columns(article: Article) -> dict:
    """A revision's columns that come from its cleaned text."""
    return {
        "title": article.title,
        "byline": article.byline,
        "published": article.published,
        "removed": [
            {"text": r.text, "rule": r.rule, "position": r.position} for r in article.removed
        ],
        "language": article.language,
    }


def list_articles(
    session: Session,
    *,
    status: str | None,
    page: int,
    per_page: int,
    collections: tuple[str, ...] | None = None,
    visibility: str | None = None,
) -> tuple[list[ArticleRow], int]:
    latest = (
        select(RevisionRow.article_id, func.max(RevisionRow.id).label("revision_id"))
        .group_by(RevisionRow.article_id)
        .subquery()
    )
    query = select(ArticleRow).join(latest, latest.c.article_id == ArticleRow.id)
    if status:
        query = query.join(JobRow, JobRow.revision_id == latest.c.revision_id).where(
            JobRow.status == status
        )
    if collections is not None:
        query = query.where(ArticleRow.collection.in_(collections))
    if visibility is not None:
        query = query.where(ArticleRow.visibility == visibility)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(selectinload(ArticleRow.revisions).joinedload(RevisionRow.job))
        .order_by(ArticleRow.created_at.desc(), ArticleRow.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), total


def mark_paragraph_done(
    session: Session, job_id: int, paragraph_id: int, segment_key: str
) -> int | None:
    """Record one finished paragraph (and the segment its audio is) once; return the
    job's new done count, or None when it was already recorded (a redelivered task)."""
    claimed = session.execute(
        update(ParagraphRow)
        .where(ParagraphRow.id == paragraph_id, ParagraphRow.done.is_(False))
        .values(done=True, segment_key=segment_key)
    ).rowcount  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
    if not claimed:
        return None
    return session.execute(
        update(JobRow)
        .where(JobRow.id == job_id)
        .values(done=JobRow.done + 1, progressed_at=now(), stalls=0)
        .returning(JobRow.done)
    ).scalar_one()


def count_synthesised(session: Session, job_id: int) -> None:
    """One more paragraph this job had to synthesise (not found in the segment store)."""
    session.execute(
        update(JobRow).where(JobRow.id == job_id).values(synthesised=JobRow.synthesised + 1)
    )


@dataclass(frozen=True)
class Stored:
    article_id: str
    revision_id: int
    job_id: int | None  # None: identical content already exists, nothing to do


@dataclass(frozen=True)
class Pending:
    """One submission of many, to be stored by `submit_many`: cleaned, or (`raw`) as
    received, for a worker to clean (its article then only holds the provisional title)."""

    article: Article
    spoken: list[tuple[str, str]]
    options: VoiceOptions
    metadata: Metadata
    raw: Raw | None = None

    @classmethod
    def of_raw(cls, raw: Raw, options: VoiceOptions, metadata: Metadata) -> Pending:
        article = Article(title=raw.title, paragraphs=[], language=raw.language)
        return cls(article, [], options, metadata, raw)

    def digest(self) -> str:
        if self.raw is not None:
            return raw_hash(self.raw, self.options)
        return content_hash(self.article, self.options)


def submit_many(session: Session, pending: list[Pending], *, queue: str) -> list[Stored]:
    """`submit` for many submissions at once, in order, in a constant number of
    statements per chunk: existing articles are looked up together and the new rows
    inserted in bulk. Raises IntegrityError when a concurrent request claimed one of the
    contents or external ids first (the caller then stores that chunk one by one)."""
    digests = [p.digest() for p in pending]
    known = _known_articles(session, pending, digests)
    plan = _Plan(known)
    stored = [plan.place(item, digest) for item, digest in zip(pending, digests, strict=True)]
    return plan.write(session, stored, queue)


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
    """What `submit_many` knows of one article: stored, or planned by this call."""

    id: str
    external_id: str | None
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


class _Plan:
    """The rows `submit_many` will write, decided in order as `submit` would decide."""

    def __init__(self, rows: list[ArticleRow]) -> None:
        self.by_external: dict[str, _Known] = {}
        self.by_key: dict[str, _Known] = {}
        self.metadata: dict[str, Metadata] = {}
        self.revisions: list[dict] = []
        self.paragraphs: list[list[dict]] = []
        self.cleaning: list[bool] = []  # per revision: stored as received
        for row in rows:
            current = row.revisions[-1] if row.revisions else None
            known = _Known(
                row.id,
                row.external_id,
                row.content_key,
                current.number if current else 0,
                current.content_hash if current else None,
                [p.spoken for p in current.paragraphs] if current else [],
                current.lexicon_key if current else None,
                current is None or current.job.status in JOB_GIVEN_UP,
                current.id if current else None,
                None,
            )
            self._index(known)

    def _index(self, known: _Known) -> None:
        if known.external_id:
            self.by_external[known.external_id] = known
        if known.content_key:
            self.by_key[known.content_key] = known

    def place(self, item: Pending, digest: str) -> _Placed:
        """The article the item goes to, and the index of its new revision (None: the
        article has this content already, in a stored or a planned revision)."""
        said = [s for _, s in item.spoken]
        metadata = item.metadata
        if metadata.external_id:
            existing = self.by_external.get(metadata.external_id)
        else:
            existing = self.by_key.get(digest)
            if existing is not None and existing.digest != digest:
                existing = None
        if (
            existing is not None
            and existing.digest == digest
            and not existing.given_up
            and (
                existing.lexicon == item.raw.lexicon
                if item.raw is not None
                else existing.spoken == said
            )
        ):
            return _Placed(existing, None, existing.planned)
        if existing is None:
            key = None if metadata.external_id else digest
            existing = _Known(
                new_article_id(),
                metadata.external_id,
                key,
                0,
                None,
                [],
                None,
                True,
                None,
                None,
                new=True,
            )
        elif not (existing.external_id is not None or existing.content_key == digest):
            key = digest if digest not in self.by_key else None
        else:
            key = existing.content_key
        if existing.content_key and existing.content_key != key:
            self.by_key.pop(existing.content_key, None)
        existing.content_key = key
        existing.number += 1
        existing.digest, existing.spoken, existing.given_up = digest, said, False
        existing.lexicon = item.raw.lexicon if item.raw is not None else None
        existing.changed = True
        existing.planned = len(self.revisions)
        self.metadata[existing.id] = metadata
        self._index(existing)
        self.revisions.append(_revision_values(existing, digest, item))
        self.cleaning.append(item.raw is not None)
        self.paragraphs.append(paragraph_values(item.spoken, item.options))
        return _Placed(existing, existing.planned, None)

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


def _revision_values(known: _Known, digest: str, item: Pending) -> dict:
    raw = item.raw
    return {
        "article_id": known.id,
        **_revision_columns(known.number, digest, item.article, item.options, item.metadata),
        "raw_text": raw.text if raw else None,
        "raw_format": raw.format if raw else None,
        "lexicon_key": raw.lexicon if raw else None,
    }
