"""Catalog operations the service and the workers share."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from workers.catalog.models import (
    JOB_GIVEN_UP,
    ArticleRow,
    JobRow,
    ParagraphRow,
    RevisionRow,
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
) -> Submitted:
    """Store a submission: reuse identical content, add a revision to a known article
    (by id or external_id), or create a new article.

    Insert-or-get: when a request storing the same content (or external_id) at the same
    moment wins the race to the unique index, this one takes what the winner stored."""
    digest = content_hash(article, options)
    for attempt in range(_ATTEMPTS):
        existing = _existing(session, digest, metadata, article_id)
        current = existing.current if existing is not None else None
        if (
            existing is not None
            and current is not None
            and current.content_hash == digest
            and current.job.status not in JOB_GIVEN_UP
            and [p.spoken for p in current.paragraphs] == [said for _, said in spoken]
        ):
            return Submitted(existing, None)
        # New text, the same text said differently (the lexicon changed), or the same text
        # after a failure or a cancelled batch (a retry): a new revision with a new job;
        # earlier revisions stay as history.
        key = _content_key(session, existing, digest, metadata)
        try:  # writes only: on SQLite a read first would make the write lock fail at once
            with session.begin_nested():
                row = existing or ArticleRow(external_id=metadata.external_id)
                row.content_key = key
                number = current.number + 1 if current is not None else 1
                return _store(
                    session, row, number, digest, article, spoken, options, metadata, queue
                )
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
    session: Session,
    row: ArticleRow,
    number: int,
    digest: str,
    article: Article,
    spoken: list[tuple[str, str]],
    options: VoiceOptions,
    metadata: Metadata,
    queue: str,
) -> Submitted:
    stamp = now()
    if row.created_at is None:
        row.created_at = stamp
    row.collection = metadata.collection
    if metadata.visibility or row.visibility is None:  # a new article: unlisted
        row.visibility = metadata.visibility or "unlisted"
    revision = RevisionRow(
        number=number,
        content_hash=digest,
        title=article.title,
        byline=article.byline,
        published=article.published,
        source_url=metadata.source_url,
        callback_url=metadata.callback_url,
        voice=options.voice,
        rate=options.rate,
        bitrate_kbps=options.bitrate_kbps,
        removed=[{"text": r.text, "rule": r.rule, "position": r.position} for r in article.removed],
        language=article.language,
        paragraphs=[
            ParagraphRow(index=i, text=text, spoken=said, clip_key=clip_key(said, options))
            for i, (text, said) in enumerate(spoken)
        ],
        job=JobRow(total=len(spoken), created_at=stamp, queue=queue),
        created_at=stamp,
    )
    row.revisions.append(revision)
    row.updated_at = stamp
    session.add(row)
    session.flush()
    return Submitted(row, revision.job.id)


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


def mark_paragraph_done(session: Session, job_id: int, paragraph_id: int) -> int | None:
    """Record one finished paragraph once; return the job's new done count, or None when
    it was already recorded (a redelivered task)."""
    claimed = session.execute(
        update(ParagraphRow)
        .where(ParagraphRow.id == paragraph_id, ParagraphRow.done.is_(False))
        .values(done=True)
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
    """One more clip this job had to synthesise (not found in the clip cache)."""
    session.execute(
        update(JobRow).where(JobRow.id == job_id).values(synthesised=JobRow.synthesised + 1)
    )
