"""Listening statistics: counters per article and UTC day, nothing about the listener.

A player reports what happened since its last report (a play started, seconds listened,
quartiles reached); each report adds to that day's row. No identifiers are stored, so
the numbers cannot be joined back to a reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from workers.catalog.models import Base

QUARTILES = (25, 50, 75, 100)


class ListenDayRow(Base):
    __tablename__ = "listen_days"

    article_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    plays: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[int] = mapped_column(Integer, default=0)
    q25: Mapped[int] = mapped_column(Integer, default=0)
    q50: Mapped[int] = mapped_column(Integer, default=0)
    q75: Mapped[int] = mapped_column(Integer, default=0)
    q100: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class Listen:
    """One report from a player: what happened since its previous one."""

    play: bool = False
    seconds: int = 0
    quartiles: frozenset[int] = field(default_factory=frozenset)

    def increments(self) -> dict[str, int]:
        counts = {"plays": int(self.play), "seconds": self.seconds}
        counts.update({f"q{q}": int(q in self.quartiles) for q in QUARTILES})
        return counts


def today() -> date:
    return datetime.now(UTC).date()


def record(session: Session, article_id: str, listen: Listen, day: date | None = None) -> None:
    """Add one report to the day's counters (an UPDATE, or the day's first INSERT)."""
    day = day or today()
    counts = listen.increments()
    values = {name: getattr(ListenDayRow, name) + n for name, n in counts.items()}
    where = (ListenDayRow.article_id == article_id, ListenDayRow.day == day)
    updated: Any = session.execute(update(ListenDayRow).where(*where).values(values))
    if updated.rowcount:  # a CursorResult: an UPDATE reports its rows
        return
    try:
        with session.begin_nested():
            session.add(ListenDayRow(article_id=article_id, day=day, **counts))
    except IntegrityError:  # another report inserted the day's row first
        session.execute(update(ListenDayRow).where(*where).values(values))


COUNTERS = ("plays", "seconds", *(f"q{q}" for q in QUARTILES))


def _counters(source) -> dict:
    return {
        "plays": source.plays,
        "listening_seconds": source.seconds,
        "quartiles": {str(q): getattr(source, f"q{q}") for q in QUARTILES},
    }


def stats(session: Session, article_id: str, days: int) -> dict:
    """Totals over the last `days` days, and each day that had any listening."""
    since = today() - timedelta(days=days - 1)
    rows = session.scalars(
        select(ListenDayRow)
        .where(ListenDayRow.article_id == article_id, ListenDayRow.day >= since)
        .order_by(ListenDayRow.day)
    ).all()
    totals = SimpleNamespace(**{name: sum(getattr(r, name) for r in rows) for name in COUNTERS})
    return {
        "since": since.isoformat(),
        "totals": _counters(totals),
        "days": [{"day": r.day.isoformat(), **_counters(r)} for r in rows],
    }


def plays_by_article(session: Session, article_ids: list[str]) -> dict[str, int]:
    """All-time plays of each article, for the article list."""
    rows = session.execute(
        select(ListenDayRow.article_id, func.sum(ListenDayRow.plays))
        .where(ListenDayRow.article_id.in_(article_ids))
        .group_by(ListenDayRow.article_id)
    )
    return {article_id: int(plays or 0) for article_id, plays in rows}
