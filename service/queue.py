"""Hands jobs to the workers by task name, so the web process never imports the tasks."""

from __future__ import annotations

import logging

from workers.config import Settings
from workers.runtime.celery_app import (
    CONVERT,
    CONVERT_MANY,
    INTERACTIVE_QUEUE,
    create_celery,
    queue_depths,
)

log = logging.getLogger("narrate.queue")
FAN_OUT_CHUNK = 500  # jobs per convert_many message


class TaskQueue:
    def __init__(self, settings: Settings) -> None:
        self._celery = create_celery(settings)

    def convert(self, job_id: int, queue: str = INTERACTIVE_QUEUE) -> bool:
        """Enqueue a job; False (logged) when the broker is down. The job stays queued in
        the catalog and workers pick it up when they start."""
        try:
            self._celery.send_task(CONVERT, args=[job_id], queue=queue, retry=False)
        except Exception:  # kombu raises many kinds; the catalog keeps the job either way
            log.exception("job %s: could not reach the broker; it stays queued", job_id)
            return False
        return True

    def convert_many(self, job_ids: list[int], queue: str) -> bool:
        """Enqueue many jobs, a message per FAN_OUT_CHUNK of them that a worker fans out;
        False (logged) when the broker is down: the jobs stay queued in the catalog."""
        try:
            for start in range(0, len(job_ids), FAN_OUT_CHUNK):
                chunk = job_ids[start : start + FAN_OUT_CHUNK]
                self._celery.send_task(CONVERT_MANY, args=[chunk, queue], queue=queue, retry=False)
        except Exception:  # kombu raises many kinds; the catalog keeps the jobs either way
            log.exception("%d jobs: could not reach the broker; they stay queued", len(job_ids))
            return False
        return True

    def reachable(self, timeout_s: float = 0.5) -> bool:
        """Whether the broker takes a connection within `timeout_s` (one try, no retry)."""
        try:
            with self._celery.connection_for_write(connect_timeout=timeout_s) as connection:
                connection.ensure_connection(max_retries=0, timeout=timeout_s)
        except Exception:
            return False
        return True

    def depths(self, queues: tuple[str, ...]) -> dict[str, int] | None:
        """Messages waiting on each queue; None when the broker is unreachable."""
        try:
            return queue_depths(self._celery, queues, timeout_s=2)
        except Exception:
            return None
