"""Hands jobs to the workers by task name, so the web process never imports the tasks."""

from __future__ import annotations

import logging

from workers.celery_app import CONVERT, INTERACTIVE_QUEUE, create_celery
from workers.settings import Settings

log = logging.getLogger("narrate.queue")


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

    def reachable(self) -> bool:
        try:
            with self._celery.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception:
            return False
        return True

    def depths(self, queues: tuple[str, ...]) -> dict[str, int] | None:
        """Messages waiting on each queue; None when the broker is unreachable."""
        try:
            with self._celery.connection_for_read() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
                channel = connection.default_channel
                return {
                    queue: channel.queue_declare(queue).message_count  # declaring is idempotent
                    for queue in queues
                }
        except Exception:
            return None
