"""Whether the service can work right now: the schema (migrated when the database is
first reachable, so the web process starts even while it is away) and /readyz."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, text

from service.queue import TaskQueue
from workers.catalog.db import engine_for, migrate, session_scope
from workers.catalog.models import JOB_UNFINISHED, JobRow, now
from workers.config import Settings
from workers.runtime.resilience import describe, is_transient
from workers.storage.factory import storage_for

log = logging.getLogger("narrate.availability")


class Schema:
    """Runs the migrations once; while the database is unreachable, every request tries
    again (at most once a second) and is answered 503 until it works."""

    RETRY_S = 1.0

    def __init__(self, settings: Settings) -> None:
        self._url = settings.database_url
        self._lock = threading.Lock()
        self._ready = False
        self._last_try = 0.0
        self._last_error: Exception | None = None

    def ensure(self) -> None:
        """Raise the database's error (a 503) while the schema cannot be brought up."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            if self._last_error and time.monotonic() - self._last_try < self.RETRY_S:
                raise self._last_error  # no storm of connection attempts
            self._last_try = time.monotonic()
            try:
                migrate(self._url)
            except Exception as exc:
                self._last_error = exc
                raise
            self._ready, self._last_error = True, None

    def try_now(self) -> bool:
        try:
            self.ensure()
        except Exception as exc:
            if not is_transient(exc):
                raise
            log.warning("%s; the service answers 503 until it is back", describe(exc))
            return False
        return True


Answer = tuple[bool, dict[str, Any]]


class Readiness:
    """(ready, body) for /readyz: the database, the broker, writable storage, and the age
    of the oldest unfinished job (a growing age means work is not moving).

    The answer comes in bounded time and costs little however often it is asked: the
    checks run side by side, and one that has not answered within its time (CHECK_S,
    STORAGE_S) counts as failed; one check runs at a time per process, and its answer
    is reused for FRESH_S (callers meanwhile get the last answer)."""

    FRESH_S = 1.0
    CHECK_S = 0.5  # the database and the broker
    STORAGE_S = 1.0  # a write and a delete, perhaps to a bucket across a network

    def __init__(self, settings: Settings, schema: Schema, queue: TaskQueue) -> None:
        self._settings = settings
        self._checks: dict[str, tuple[Callable[[], bool], float]] = {
            "database": (lambda: schema.try_now() and _database_reachable(settings), self.CHECK_S),
            "broker": (lambda: queue.reachable(self.CHECK_S), self.CHECK_S),
            "storage": (lambda: _storage_writable(settings), self.STORAGE_S),
        }
        self._lock = threading.Lock()
        self._answer: Answer | None = None
        self._at = 0.0

    def answer(self) -> Answer:
        if self._answer is not None and time.monotonic() - self._at < self.FRESH_S:
            return self._answer
        if not self._lock.acquire(blocking=self._answer is None):
            return self._answer  # type: ignore[return-value]  # another caller checks now
        try:
            if self._answer is None or time.monotonic() - self._at >= self.FRESH_S:
                self._answer, self._at = self._check(), time.monotonic()
            return self._answer
        finally:
            self._lock.release()

    def _check(self) -> Answer:
        checks = _within_time(self._checks)
        ready = all(checks.values())
        body: dict[str, Any] = {"status": "ready" if ready else "unavailable", "checks": checks}
        if checks["database"]:
            body["oldest_unfinished_job_age_s"] = _oldest_unfinished_age_s(self._settings)
        return ready, body


def _within_time(checks: dict[str, tuple[Callable[[], bool], float]]) -> dict[str, bool]:
    """Each check's result, run side by side in daemon threads; False for one that
    raised or had not answered within its seconds (its thread is left to finish)."""
    results: dict[str, bool] = {}

    def run(name: str, check: Callable[[], bool]) -> None:
        try:
            results[name] = bool(check())
        except Exception as exc:
            log.warning("readiness check %s failed: %s", name, describe(exc))
            results[name] = False

    started = time.monotonic()
    threads = {
        name: threading.Thread(target=run, args=(name, check), daemon=True)
        for name, (check, _) in checks.items()
    }
    for thread in threads.values():
        thread.start()
    for name, thread in threads.items():
        thread.join(max(0.0, started + checks[name][1] - time.monotonic()))
    return {name: results.get(name, False) for name in checks}


def _database_reachable(settings: Settings) -> bool:
    try:
        with engine_for(settings.database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


def _storage_writable(settings: Settings) -> bool:
    probe = f"probes/.ready-{uuid.uuid4().hex}"  # a temporary: see remove_strays
    store = storage_for(settings)
    try:
        store.write_bytes(probe, b"ok")
        store.delete_tree(probe)
    except Exception:  # a disk that refuses, a bucket unreachable or forbidden
        return False
    return True


def _oldest_unfinished_age_s(settings: Settings) -> float | None:
    try:
        with session_scope(settings.database_url) as session:
            oldest = session.scalar(
                select(func.min(JobRow.created_at)).where(JobRow.status.in_(JOB_UNFINISHED))
            )
    except Exception:
        return None
    return None if oldest is None else round((now() - oldest).total_seconds(), 1)
