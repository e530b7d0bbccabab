from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, object_session, relationship

from workers.pipeline.article import marked


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC everywhere


def new_article_id() -> str:
    return secrets.token_urlsafe(9)  # 12 URL-safe characters


class Base(DeclarativeBase):
    pass


class ArticleRow(Base):
    __tablename__ = "articles"
    # An external_id is the CMS's name for an article within a collection: two
    # collections may each have their own "42".
    __table_args__ = (
        UniqueConstraint("collection", "external_id", name="uq_articles_collection_external_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_article_id)
    external_id: Mapped[str | None] = mapped_column(String(200))
    collection: Mapped[str] = mapped_column(String(100), default="all", index=True)
    # Without an external_id, the current revision's content hash: the unique index lets
    # one article, and only one, hold each content (see identity.py).
    content_key: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)
    visibility: Mapped[str] = mapped_column(String(10), default="unlisted", index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    revisions: Mapped[list[RevisionRow]] = relationship(
        back_populates="article",
        cascade="all, delete-orphan",
        order_by="RevisionRow.number",
        passive_deletes=True,
    )
    webhooks: Mapped[list[WebhookDeliveryRow]] = relationship(
        cascade="all, delete-orphan", order_by="WebhookDeliveryRow.id", passive_deletes=True
    )

    @property
    def current(self) -> RevisionRow:
        return self.revisions[-1]


class RevisionRow(Base):
    """One version of an article's text, and the audio made from it."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text)
    byline: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(40))
    source_url: Mapped[str | None] = mapped_column(Text)
    callback_url: Mapped[str | None] = mapped_column(Text)
    voice: Mapped[str] = mapped_column(String(100))
    rate: Mapped[int]
    bitrate_kbps: Mapped[int]
    removed: Mapped[list] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(String(16))  # ISO 639-1, as detected
    # The house style it is said in (en-GB, en-US): as asked for until it is cleaned
    # (None: not asked), then the one workers.pipeline.speaking.style_for chose.
    style: Mapped[str | None] = mapped_column(String(8))
    # The submission as received, while its job is "cleaning" (workers/runtime/preparing.py);
    # cleared once the paragraphs are made from it.
    raw_text: Mapped[str | None] = mapped_column(Text)
    raw_format: Mapped[str | None] = mapped_column(String(10))  # "text" or "html"
    # The fingerprint of the lexicon its spoken text was (or is to be) made with: the
    # same submission after a lexicon change is said differently, a new revision.
    lexicon_key: Mapped[str | None] = mapped_column(String(64))
    # The fingerprint of the speech rules it was said with (workers.pipeline.speech
    # .fingerprint), None until it is: a later revision said alike keeps its spoken text.
    speech_key: Mapped[str | None] = mapped_column(String(64))
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)  # 64-bit, as every audio count
    created_at: Mapped[datetime] = mapped_column(default=now)

    article: Mapped[ArticleRow] = relationship(back_populates="revisions")
    paragraphs: Mapped[list[ParagraphRow]] = relationship(
        back_populates="revision",
        cascade="all, delete-orphan",
        order_by="ParagraphRow.index",
        passive_deletes=True,
    )
    job: Mapped[JobRow] = relationship(
        back_populates="revision", cascade="all, delete-orphan", passive_deletes=True
    )
    unsaid: Mapped[list[UnsaidRow]] = relationship(
        cascade="all, delete-orphan", order_by="UnsaidRow.position", passive_deletes=True
    )

    @property
    def written(self) -> list[str]:
        """Its cleaned paragraphs' text, those not yet said included (one of them found to
        have nothing to say is left out once said). Read in one statement: a lane that
        says a chunk deletes its unsaid rows and stores its paragraphs in one commit, and
        two reads could fall either side of it and lose the chunk."""
        said = select(
            ParagraphRow.index.label("seq"), literal(0).label("part"), ParagraphRow.text,
            ParagraphRow.continues,
        ).where(ParagraphRow.revision_id == self.id)  # fmt: skip
        unsaid = select(UnsaidRow.position, literal(1), UnsaidRow.text, UnsaidRow.continues).where(
            UnsaidRow.revision_id == self.id
        )
        rows = object_session(self).execute(  # type: ignore[union-attr]
            union_all(said, unsaid).order_by("part", "seq")
        )
        return [marked(text, continues) for _, _, text, continues in rows]


class UnsaidRow(Base):
    """A cleaned paragraph of a revision not yet said (no spoken text, so no paragraph
    row): the worker stores the first paragraph said and the rest written, and says
    them in order as its lanes need them (workers/runtime/saying.py)."""

    __tablename__ = "unsaid_paragraphs"
    __table_args__ = (UniqueConstraint("revision_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    position: Mapped[int]  # the order they are said in
    text: Mapped[str] = mapped_column(Text)
    continues: Mapped[bool] = mapped_column(default=False, server_default=false())


class ParagraphRow(Base):
    __tablename__ = "paragraphs"
    __table_args__ = (UniqueConstraint("revision_id", "index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    index: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    spoken: Mapped[str] = mapped_column(Text)
    clip_key: Mapped[str] = mapped_column(String(64))  # content hash of voice, rate, spoken
    done: Mapped[bool] = mapped_column(default=False)
    segment_key: Mapped[str | None] = mapped_column(String(120))  # its audio, once done
    # a piece of a written paragraph after its first (pipeline.article.Continued): it is
    # placed after a sentence's pause, not a paragraph's
    continues: Mapped[bool] = mapped_column(default=False, server_default=false())

    revision: Mapped[RevisionRow] = relationship(back_populates="paragraphs")


class SegmentRow(Base):
    """One paragraph's encoded audio in storage, shared by every paragraph that sounds
    the same (workers.storage.segments)."""

    __tablename__ = "segments"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    # 64-bit: a 599 s paragraph is 2.6 billion speech samples, past a 32-bit integer.
    frames: Mapped[int] = mapped_column(BigInteger)
    speech_samples: Mapped[int] = mapped_column(BigInteger)
    size: Mapped[int] = mapped_column(BigInteger)  # bytes
    used_at: Mapped[datetime] = mapped_column(default=now, index=True)


class JobStatus(StrEnum):
    """A job's state: the models, the API, the OpenAPI document and the feeds share it."""

    CLEANING = "cleaning"  # stored as submitted; a worker makes its paragraphs
    QUEUED = "queued"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"  # its batch was cancelled before it started


JOB_UNFINISHED = (JobStatus.CLEANING, JobStatus.QUEUED, JobStatus.PROCESSING)
JOB_FINISHED = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)
# finished without audio: the same text is tried again
JOB_GIVEN_UP = (JobStatus.FAILED, JobStatus.CANCELLED)


class JobRow(Base):
    __tablename__ = "jobs"
    # status: one of JOB_UNFINISHED or JOB_FINISHED

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("revisions.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED, index=True)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int]
    synthesised: Mapped[int] = mapped_column(default=0)  # segments this job had to make
    error: Mapped[str | None] = mapped_column(Text)
    queue: Mapped[str] = mapped_column(String(40), default="narrate")
    created_at: Mapped[datetime] = mapped_column(default=now)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # The last sign of work (a paragraph done, or a task's heartbeat); workers queue a job
    # again when it has been still too long, and fail it after `stalls` such attempts.
    progressed_at: Mapped[datetime | None]
    stalls: Mapped[int] = mapped_column(default=0, server_default="0")
    # Paragraph tasks are taken in index order from here, a few at a time
    # (see workers/runtime/jobs.py)
    next_paragraph: Mapped[int] = mapped_column(default=0, server_default="0")

    revision: Mapped[RevisionRow] = relationship(back_populates="job")


class BatchRow(Base):
    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_article_id)
    callback_url: Mapped[str | None] = mapped_column(Text)
    cancelled: Mapped[bool] = mapped_column(default=False)
    notified: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=now)
    items: Mapped[list[BatchItemRow]] = relationship(
        back_populates="batch",
        cascade="all, delete-orphan",
        order_by="BatchItemRow.position",
        passive_deletes=True,
    )


class BatchItemRow(Base):
    """One submission of a batch: an article, or the reason it was refused."""

    __tablename__ = "batch_items"
    __table_args__ = (UniqueConstraint("batch_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(Text)
    article_id: Mapped[str | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", ondelete="SET NULL"), index=True
    )
    error: Mapped[str | None] = mapped_column(Text)

    batch: Mapped[BatchRow] = relationship(back_populates="items")
    article: Mapped[ArticleRow | None] = relationship()
    revision: Mapped[RevisionRow | None] = relationship()


class WebhookDeliveryRow(Base):
    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(40), unique=True, default=new_article_id)
    article_id: Mapped[str | None] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    batch_id: Mapped[str | None] = mapped_column(
        ForeignKey("batches.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # delivered, failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    delivered_at: Mapped[datetime | None]


class PublisherLineRow(Base):
    """One line (its fingerprint) of one article of a publisher: lines many articles of
    a publisher share are that publisher's boilerplate (workers/catalog/boilerplate.py)."""

    __tablename__ = "publisher_lines"
    __table_args__ = (UniqueConstraint("publisher", "fingerprint", "article_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publisher: Mapped[str] = mapped_column(String(300))
    fingerprint: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )


VISIBILITIES = ("public", "unlisted", "private")
COLLECTION_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
COLLECTION_RULE = "lower-case letters, digits, '-' or '_' (at most 100)"


class CollectionRow(Base):
    """A collection's settings: what its feed, cover and player say about it
    (workers/catalog/collections.py checks each field). A collection without a row has
    every default."""

    __tablename__ = "collections"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    # every field a publisher may set, checked, as JSON: {"title": ..., "brand": {...}}
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    # the uploaded artwork's file name under collections/NAME/ ("artwork-DIGEST.jpg");
    # None: the generated cover
    artwork: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)


class ApiKeyRow(Base):
    """An API key: only a hash of its secret is kept; the key is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(10))
    collections: Mapped[list | None] = mapped_column(JSON)  # None: every collection
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # Flask-Limiter notation; None: NARRATE_LIMIT_SUBMISSIONS
    submission_limit: Mapped[str | None] = mapped_column(String(200))
