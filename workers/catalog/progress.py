"""A job's progress as its paragraphs are synthesised, counted in the catalog."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from workers.catalog.models import JobRow, ParagraphRow, now


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
