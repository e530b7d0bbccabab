"""What a worker does around its tasks: set up its metrics files, wait for the database
before taking any, keep each pool process to a core when the pool fills them, queue again
what the catalog holds as unfinished, and run the recovery sweep."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from celery import Celery
from celery.signals import (
    after_setup_logger,
    worker_init,
    worker_process_init,
    worker_ready,
    worker_shutdown,
)

from workers.config import Settings
from workers.runtime.celery_app import CONVERT, create_celery, queue_depths, settings_of
from workers.runtime.recovery import RecoveryLoop

if TYPE_CHECKING:
    from celery.worker import WorkController

log = logging.getLogger("narrate.worker")
_recovery: list[RecoveryLoop] = []
_controller: list[WorkController] = []  # for its pool processes to read


def connect() -> None:
    worker_init.connect(_metrics_files, dispatch_uid="narrate.metrics", weak=False)
    worker_init.connect(_wait_for_the_database, dispatch_uid="narrate.migrate", weak=False)
    worker_init.connect(_remember_controller, dispatch_uid="narrate.controller", weak=False)
    worker_process_init.connect(_pin, dispatch_uid="narrate.pin", weak=False)
    worker_ready.connect(_resume, dispatch_uid="narrate.resume", weak=False)
    worker_shutdown.connect(_stop_recovery, dispatch_uid="narrate.stop-recovery", weak=False)
    after_setup_logger.connect(_log_format, dispatch_uid="narrate.log-format", weak=False)


def _log_format(logger: logging.Logger, **_: object) -> None:
    """NARRATE_LOG_FORMAT for the worker's own lines and ours alike."""
    from workers.runtime.logs import configure_logging

    configure_logging(Settings.from_env().log_format, logger)


def _metrics_files(sender, **_: object) -> None:
    """Before the pool forks (see workers.runtime.metrics)."""
    from workers.runtime.metrics import use_worker_directory

    use_worker_directory(settings_of(sender.app))


def _remember_controller(sender, **_: object) -> None:
    _controller[:] = [sender]


def _pin(**_: object) -> None:
    """In a prefork pool process, as it starts: keep to one core when the pool fills the
    cores evenly (workers.runtime.placement). Not for an autoscaled pool, whose size
    changes."""
    from billiard.process import current_process

    from workers.runtime.placement import pin_pool_process

    index = getattr(current_process(), "index", None)
    if not _controller or index is None:
        return
    controller = _controller[0]
    enabled = settings_of(controller.app).pin_processes
    pin_pool_process(
        index,
        int(controller.concurrency),
        enabled=enabled and not getattr(controller, "autoscale", None),
    )


def _wait_for_the_database(sender, **_: object) -> None:
    """Before taking any task: wait for the database (the schema must be in place), so a
    worker started while it is away takes nothing it would only fail."""
    from workers.catalog.db import migrate
    from workers.runtime.resilience import backoff_s, describe, is_transient

    settings = settings_of(sender.app)
    attempt = 0
    while True:
        try:
            migrate(settings.database_url)
            return
        except Exception as exc:
            if not is_transient(exc):
                raise
            delay = backoff_s(attempt, cap_s=settings.retry_backoff_max_s)
            log.warning("%s; trying again in %.1f s before taking tasks", describe(exc), delay)
            attempt += 1
            time.sleep(delay)


def _resume(sender, **_: object) -> None:
    """Jobs the catalog holds as queued or processing may have lost their messages (a
    broker restart, a worker killed mid-job): queue them again. Tasks are idempotent."""
    from workers.runtime.jobs import unfinished

    settings = settings_of(sender.app)
    _recovery.append(recovery_loop(settings))
    _recovery[-1].start()
    try:
        for job_id, queue in unfinished(settings):
            sender.app.send_task(CONVERT, args=[job_id], queue=queue)
    except Exception as exc:  # the recovery sweep queues them once both are back
        log.warning("could not queue unfinished jobs at start: %s", exc)


def recovery_loop(settings: Settings) -> RecoveryLoop:
    """Every worker sweeps for stalled jobs (see workers.runtime.recovery); its own Celery app
    keeps the sweep's connections apart from the consumer's."""
    from workers.runtime import announcing

    app: Celery = create_celery(settings)

    def send(job_id: int, queue: str) -> None:
        app.send_task(CONVERT, args=[job_id], queue=queue, retry=False)

    def give_up(job_id: int, message: str) -> None:
        announcing.fail(app, job_id, message)

    def queue_length(queue: str) -> int:
        return queue_depths(app, (queue,))[queue]

    return RecoveryLoop(settings, queue_length, send, give_up)


def _stop_recovery(**_: object) -> None:
    while _recovery:
        _recovery.pop().stop()
