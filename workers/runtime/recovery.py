"""No job left behind: a heartbeat while a task works on a job, and a sweep every
worker runs on a timer that queues again the jobs that stopped moving.

A job's `progressed_at` moves when a paragraph is done and, while a task works on it,
every third of NARRATE_STALL_S (10 s with the defaults), from the process's heartbeat
thread, so one long utterance keeps it moving too. A job still for longer than
NARRATE_STALL_S whose queue is empty (so its work is not merely waiting its turn behind
others) has lost its messages: a worker killed mid-task, a broker restarted without its
data, a task given up during an outage. The sweep claims it with a conditional UPDATE
(only one worker wins), counts the stall and queues `convert` again, which is idempotent
and picks up where the job stopped. After NARRATE_JOB_ATTEMPTS stalls in a row the job
is failed with a message: it is never left "processing" with no error once it cannot
progress.

Every STORE_SWEEP_S the same thread also clears the segment folder of files the catalog
does not list, and every folder the service writes of a write's temporaries
(workers.storage.segments.remove_strays): a temporary left by a process killed
mid-write, a segment whose job failed before it was listed.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select, update

from workers.catalog.db import session_scope
from workers.catalog.models import JOB_UNFINISHED, JobRow, now
from workers.config import Settings
from workers.runtime.resilience import describe
from workers.storage.factory import storage_for
from workers.storage.segments import remove_strays

log = logging.getLogger("narrate.recovery")
STORE_SWEEP_S = 600.0  # how often a worker clears stray files from the segment folder

QueueLength = Callable[[str], int]  # messages waiting in a broker queue
Send = Callable[[int, str], None]  # queue `convert` for (job id, queue)
GiveUp = Callable[[int, str], None]  # fail (job id, message) and announce it


def touch(settings: Settings, job_id: int) -> None:
    """Record a sign of work on an unfinished job."""
    with session_scope(settings.database_url) as session:
        session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status.in_(JOB_UNFINISHED))
            .values(progressed_at=now())
        )


@dataclass
class _Working:
    """A job that tasks of this process are working on."""

    settings: Settings
    tasks: int
    due: float  # when it is next touched (monotonic)


class Heartbeats:
    """This process's one heartbeat thread: every job a task here is working on is
    touched every stall_s / 3 from when its work began (a thread started for each task
    made a busy worker wait for it to be scheduled, every task)."""

    def __init__(self) -> None:
        self._start()
        # a forked child has none of its parent's threads, and may hold a copy of a lock
        # one of them held at the fork
        os.register_at_fork(after_in_child=self._start)

    def _start(self) -> None:
        self._changed = threading.Condition()
        self._working: dict[int, _Working] = {}
        self._beating = False  # its thread started

    @contextmanager
    def beating(self, settings: Settings, job_id: int) -> Iterator[None]:
        self._add(settings, job_id)
        try:
            yield
        finally:
            self._remove(job_id)

    def _add(self, settings: Settings, job_id: int) -> None:
        with self._changed:
            if not self._beating:
                self._beating = True
                threading.Thread(target=self._beat, name="heartbeat", daemon=True).start()
            if job_id in self._working:
                self._working[job_id].tasks += 1
            else:
                due = time.monotonic() + interval_s(settings)
                self._working[job_id] = _Working(settings, 1, due)
            self._changed.notify()

    def _remove(self, job_id: int) -> None:
        with self._changed:
            working = self._working[job_id]
            working.tasks -= 1
            if not working.tasks:
                del self._working[job_id]

    def _beat(self) -> None:
        while True:
            with self._changed:
                now_s = time.monotonic()
                due = [(job, w) for job, w in self._working.items() if w.due <= now_s]
                for _, working in due:
                    working.due = now_s + interval_s(working.settings)
                if not due:
                    soonest = min((w.due for w in self._working.values()), default=None)
                    self._changed.wait(None if soonest is None else soonest - now_s)
                    continue
            for job_id, working in due:
                try:
                    touch(working.settings, job_id)
                except Exception as exc:  # the database may be away; the task will notice
                    log.debug("job %s: heartbeat failed: %s", job_id, exc)


def interval_s(settings: Settings) -> float:
    return max(0.5, settings.stall_s / 3)


_heartbeats = Heartbeats()


def heartbeat(settings: Settings, job_id: int) -> AbstractContextManager[None]:
    """While the body runs, tell the sweep every stall_s / 3 that the job is alive."""
    return _heartbeats.beating(settings, job_id)


@dataclass
class Swept:
    requeued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def sweep(settings: Settings, queue_length: QueueLength, send: Send, give_up: GiveUp) -> Swept:
    """Queue again (or fail) every job that has been still longer than stall_s."""
    cutoff = now() - timedelta(seconds=settings.stall_s)
    last_sign = func.coalesce(JobRow.progressed_at, JobRow.started_at, JobRow.created_at)
    still = (JobRow.status.in_(JOB_UNFINISHED), last_sign < cutoff)
    with session_scope(settings.database_url) as session:
        candidates = session.execute(
            select(JobRow.id, JobRow.queue).where(*still).order_by(JobRow.id).limit(500)
        ).all()
    swept, waiting = Swept(), {}
    for job_id, queue in candidates:
        if queue not in waiting:
            waiting[queue] = queue_length(queue)
        if waiting[queue]:
            continue  # its work may be in line behind others: not lost
        with session_scope(settings.database_url) as session:
            stalls = session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, *still)
                .values(stalls=JobRow.stalls + 1, progressed_at=now())
                .returning(JobRow.stalls)
            ).scalar()
            if stalls is None:
                continue  # another worker claimed it, or it moved
            if stalls <= settings.job_attempts:
                send(job_id, queue)  # if the broker refuses, the claim is rolled back
                swept.requeued.append(job_id)
                log.warning(
                    "job %s: no progress for %d s; queued again (%d)",
                    job_id,
                    settings.stall_s,
                    stalls,
                )
                continue
        give_up(
            job_id,
            f"the job made no progress for {settings.stall_s} s, {settings.job_attempts} "
            "times in a row, and was given up; submit it again",
        )
        swept.failed.append(job_id)
    return swept


def tidy_store(settings: Settings) -> int:
    """Delete the storage's stray files (see remove_strays); how many."""
    with session_scope(settings.database_url) as session:
        removed = remove_strays(session, storage_for(settings))
    if removed:
        log.info("segment store: %d stray files (unlisted or temporaries) deleted", removed)
    return removed


class RecoveryLoop:
    """A daemon thread that sweeps every recovery_interval_s (with jitter, so workers
    started together spread out). Failures (database or broker away) wait for the next
    round. The segment folder is cleared of strays at the first round, then every
    STORE_SWEEP_S."""

    def __init__(
        self, settings: Settings, queue_length: QueueLength, send: Send, give_up: GiveUp
    ) -> None:
        self._settings = settings
        self._calls = (queue_length, send, give_up)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="narrate-recovery", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        interval = self._settings.recovery_interval_s
        tidy_at = time.monotonic()
        while not self._stop.wait(interval * random.uniform(0.75, 1.25)):
            try:
                sweep(self._settings, *self._calls)
            except Exception as exc:
                log.warning("recovery sweep skipped: %s", describe(exc))
            if time.monotonic() >= tidy_at:
                tidy_at = time.monotonic() + STORE_SWEEP_S
                try:
                    tidy_store(self._settings)
                except Exception as exc:
                    log.warning("segment store sweep skipped: %s", describe(exc))
