"""The Celery application, configured from the environment (see workers.settings)."""

from __future__ import annotations

import logging
import time

from celery import Celery
from celery.signals import worker_init, worker_ready, worker_shutdown

from workers.settings import Settings

CONVERT = "narrate.convert_article"
SYNTHESISE = "narrate.synthesise_paragraph"
STITCH = "narrate.stitch"
DELIVER = "narrate.deliver_webhook"
INTERACTIVE_QUEUE = "narrate"
BATCH_QUEUE = "narrate-batch"
QUEUES = (INTERACTIVE_QUEUE, BATCH_QUEUE)  # in priority order


def create_celery(settings: Settings) -> Celery:
    app = Celery("narrate", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=INTERACTIVE_QUEUE,
        task_ignore_result=True,  # state lives in the catalog
        task_acks_late=True,  # a task whose worker dies is delivered again
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        # Redis redelivers unacknowledged tasks after this; every task is far shorter.
        broker_transport_options={
            "visibility_timeout": settings.visibility_timeout_s,
            # Always take from the interactive queue first: a backfill of thousands of
            # articles must never delay one published now.
            "queue_order_strategy": "priority",
            **({"global_keyprefix": settings.broker_prefix} if settings.broker_prefix else {}),
        },
        worker_hijack_root_logger=False,
    )
    return app


settings = Settings.from_env()
celery = create_celery(settings)
celery.autodiscover_tasks(["workers"], related_name="tasks", force=True)


log = logging.getLogger("narrate.worker")


@worker_init.connect
def _migrate(**_: object) -> None:
    """Before taking any task: wait for the database (the schema must be in place), so a
    worker started while it is away takes nothing it would only fail."""
    from workers.catalog.db import migrate
    from workers.resilience import backoff_s, describe, is_transient

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


@worker_ready.connect
def _resume_unfinished_jobs(sender, **_: object) -> None:
    """Jobs the catalog holds as queued or processing may have lost their messages (a
    broker restart, a worker killed mid-job): queue them again. Tasks are idempotent."""
    from workers.jobs import unfinished

    _start_recovery()
    try:
        for job_id, queue in unfinished(settings):
            sender.app.send_task(CONVERT, args=[job_id], queue=queue)
    except Exception as exc:  # the recovery sweep queues them once both are back
        log.warning("could not queue unfinished jobs at start: %s", exc)


_recovery = None


def _start_recovery() -> None:
    """Every worker sweeps for stalled jobs (see workers.recovery); its own Celery app
    keeps the sweep's connections apart from the consumer's."""
    global _recovery
    from kombu.exceptions import ChannelError

    from workers import jobs, webhooks
    from workers.recovery import RecoveryLoop

    app = create_celery(settings)

    def queue_length(queue: str) -> int:
        with app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=1, timeout=5)
            try:
                return connection.default_channel.queue_declare(queue, passive=True)[1]
            except ChannelError:  # Redis keeps no key for an empty queue
                return 0

    def send(job_id: int, queue: str) -> None:
        app.send_task(CONVERT, args=[job_id], queue=queue, retry=False)

    def give_up(job_id: int, message: str) -> None:
        if jobs.fail(settings, job_id, message):
            article_id = jobs.article_of(settings, job_id)
            links = settings.article_links(article_id) if article_id else {}
            queue = jobs.queue_of(settings, job_id)
            for delivery_id in webhooks.events_for_job(settings, job_id, links):
                app.send_task(DELIVER, args=[delivery_id], queue=queue)

    _recovery = RecoveryLoop(settings, queue_length, send, give_up)
    _recovery.start()


@worker_shutdown.connect
def _stop_recovery(**_: object) -> None:
    if _recovery is not None:
        _recovery.stop()
