"""The Celery application, configured from the environment (see workers.settings)."""

from __future__ import annotations

from celery import Celery
from celery.signals import after_setup_logger, worker_init, worker_ready

from workers.settings import Settings

CONVERT = "narrate.convert_article"
SYNTHESISE = "narrate.synthesise_paragraph"
STITCH = "narrate.stitch"
DELIVER = "narrate.deliver_webhook"
INTERACTIVE_QUEUE = "narrate"
BATCH_QUEUE = "narrate-batch"
# Deliveries are short (a bounded deadline each) and never wait behind a backfill, nor
# hold up synthesis: an operator may also run a worker for this queue alone.
WEBHOOK_QUEUE = "narrate-webhooks"
QUEUES = (INTERACTIVE_QUEUE, WEBHOOK_QUEUE, BATCH_QUEUE)  # in priority order


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


@worker_init.connect
def _migrate(**_: object) -> None:
    from workers.catalog.db import migrate

    migrate(settings.database_url)


@worker_ready.connect
def _resume_unfinished_jobs(sender, **_: object) -> None:
    """Jobs the catalog holds as queued or processing may have lost their messages (a
    broker restart, a worker killed mid-job): queue them again. Tasks are idempotent."""
    from workers.jobs import unfinished

    for job_id, queue in unfinished(settings):
        sender.app.send_task(CONVERT, args=[job_id], queue=queue)


@after_setup_logger.connect
def _log_format(logger, **_: object) -> None:
    """NARRATE_LOG_FORMAT for the worker's own lines and ours alike."""
    from workers.logs import configure_logging

    configure_logging(settings.log_format, logger)
