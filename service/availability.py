"""Whether the service can work right now: the schema (migrated when the database is
first reachable, so the web process starts even while it is away) and /readyz."""

from __future__ import annotations

import logging
import threading
import time
import uuid
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


def readiness(settings: Settings, schema: Schema, queue: TaskQueue) -> tuple[bool, dict[str, Any]]:
    """(ready, body) for /readyz: the database, the broker, writable storage, and the age
    of the oldest unfinished job (a growing age means work is not moving)."""
    checks = {
        "database": schema.try_now() and _database_reachable(settings),
        "broker": queue.reachable(),
        "storage": _storage_writable(settings),
    }
    ready = all(checks.values())
    body: dict[str, Any] = {"status": "ready" if ready else "unavailable", "checks": checks}
    if checks["database"]:
        body["oldest_unfinished_job_age_s"] = _oldest_unfinished_age_s(settings)
    return ready, body


def _database_reachable(settings: Settings) -> bool:
    try:
        with engine_for(settings.database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


def _storage_writable(settings: Settings) -> bool:
    probe = f".ready-{uuid.uuid4().hex}"
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
