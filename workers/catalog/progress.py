"""A job's progress as its paragraphs are synthesised, counted in the catalog."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import update
from sqlalchemy.orm import Session

from workers.catalog.models import JobRow, ParagraphRow, now
from workers.storage.segments import known_segments, touch


def mark_paragraph_done(
    session: Session, job_id: int, paragraph_id: int, segment_key: str
) -> tuple[int, int] | None:
    """Record one finished paragraph (and the segment its audio is) once; return the
    job's new done count and its total, read in the same statement (a lane saying the
    last paragraphs may lower the total meanwhile), or None when it was already
    recorded (a redelivered task)."""
    claimed = session.execute(
        update(ParagraphRow)
        .where(ParagraphRow.id == paragraph_id, ParagraphRow.done.is_(False))
        .values(done=True, segment_key=segment_key)
    ).rowcount  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
    if not claimed:
        return None
    done, total = session.execute(
        update(JobRow)
        .where(JobRow.id == job_id)
        .values(done=JobRow.done + 1, progressed_at=now(), stalls=0)
        .returning(JobRow.done, JobRow.total)
    ).one()
    return done, total


def count_synthesised(session: Session, job_id: int) -> None:
    """One more paragraph this job had to synthesise (not found in the segment store)."""
    session.execute(
        update(JobRow).where(JobRow.id == job_id).values(synthesised=JobRow.synthesised + 1)
    )


def done_if_stored(
    session: Session, job_id: int, paragraphs: Mapping[int, str]
) -> tuple[int, bool]:
    """Mark done each of `paragraphs` (id: the key of its segment) whose segment the store
    has already (an edit's unchanged paragraphs, a shared sign-off), touched as used.
    Returns how many were, and whether that left every paragraph of the job done."""
    stored = known_segments(session, paragraphs.values())
    finished = False
    for paragraph_id, key in paragraphs.items():
        if key in stored and (progress := mark_paragraph_done(session, job_id, paragraph_id, key)):
            finished = progress[0] >= progress[1]
    touch(session, stored)
    return sum(key in stored for key in paragraphs.values()), finished
