"""Is the job a task works on still wanted? A job whose article was deleted (its rows
with it) or that finished meanwhile (failed, cancelled) is not: the task stops between
utterances instead of synthesising the rest of a paragraph no one will hear."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from sqlalchemy import select

from workers.catalog.db import session_scope
from workers.catalog.models import JOB_FINISHED, JobRow
from workers.config import Settings

CHECK_S = 1.0  # a long paragraph asks the catalog at most this often


class JobGone(Exception):
    """The job was deleted or finished while a task worked on it."""


def job_wanted(settings: Settings, job_id: int) -> bool:
    """True while the job exists and has not finished."""
    with session_scope(settings.database_url) as session:
        status = session.execute(select(JobRow.status).where(JobRow.id == job_id)).scalar()
    return status is not None and status not in JOB_FINISHED


def while_wanted(settings: Settings, job_id: int, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """`chunks`, checking between them (at most every CHECK_S) that the job is still
    wanted; JobGone when it is not, so the write in progress is abandoned."""
    checked = time.monotonic()
    for chunk in chunks:
        if time.monotonic() - checked >= CHECK_S:
            if not job_wanted(settings, job_id):
                raise JobGone(f"job {job_id} was deleted or finished")
            checked = time.monotonic()
        yield chunk
