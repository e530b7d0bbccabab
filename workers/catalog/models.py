from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC everywhere


def new_article_id() -> str:
    return secrets.token_urlsafe(9)  # 12 URL-safe characters


class Base(DeclarativeBase):
    pass


class ArticleRow(Base):
    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_article_id)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    revisions: Mapped[list[RevisionRow]] = relationship(
        back_populates="article",
        cascade="all, delete-orphan",
        order_by="RevisionRow.number",
        passive_deletes=True,
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
    duration_ms: Mapped[int | None]
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

    revision: Mapped[RevisionRow] = relationship(back_populates="paragraphs")


class JobRow(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("revisions.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    revision: Mapped[RevisionRow] = relationship(back_populates="job")
