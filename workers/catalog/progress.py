"""A job's progress as its paragraphs are synthesised, counted in the catalog."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import case, update
from sqlalchemy.orm import Session

from workers.catalog.models import JobRow, ParagraphRow, now
from workers.storage.segments import known_segments, query_chunks, touch


def mark_done(
    session: Session, job_id: int, segment_keys: Mapping[int, str]
) -> tuple[int, int] | None:
    """Record finished paragraphs (id: the key of the segment its audio is), each once, in
    one statement; return the job's new done count and its total, read in the same
    statement (a lane saying the last paragraphs may lower the total meanwhile), or None
    when every one was recorded already (a redelivered task)."""
    claimed = 0
    for chunk in query_chunks(segment_keys):
        claimed += len(
            session.execute(
                update(ParagraphRow)
                .where(ParagraphRow.id.in_(chunk), ParagraphRow.done.is_(False))
                .values(
                    done=True,
                    segment_key=case({i: segment_keys[i] for i in chunk}, value=ParagraphRow.id),
                )
                .returning(ParagraphRow.id)
                .execution_options(synchronize_session=False)
            ).all()
        )
    if not claimed:
        return None
    done, total = session.execute(
        update(JobRow)
        .where(JobRow.id == job_id)
        .values(done=JobRow.done + claimed, progressed_at=now(), stalls=0)
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
    found = {i: key for i, key in paragraphs.items() if key in stored}
    progress = mark_done(session, job_id, found) if found else None
    touch(session, stored)
    return len(found), progress is not None and progress[0] >= progress[1]
