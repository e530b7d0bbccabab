"""The Celery application, built by a factory from Settings: nothing is built at import.

`create_celery` is what the web process uses to send tasks by name; the worker's own app
(workers.runtime.worker) adds the tasks and the start-up hooks to it. `queue_depths` is
how both see the messages waiting (the web's metrics, the workers' recovery sweep)."""

from __future__ import annotations

from collections.abc import Iterable

from celery import Celery

from workers.config import Settings

CONVERT = "narrate.convert_article"
CONVERT_MANY = "narrate.convert_many"  # a batch's jobs, fanned out by a worker
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
        narrate_settings=settings,  # read by the tasks through settings_of(task.app)
        task_default_queue=INTERACTIVE_QUEUE,
        task_ignore_result=True,  # state lives in the catalog
        task_acks_late=True,  # a task whose worker dies is delivered again
        task_reject_on_worker_lost=True,
        # a child that finishes finds its next task waiting in the parent, not a broker
        # round trip away (about 3 % of two busy processes' time, sampled)
        worker_prefetch_multiplier=2,
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


def settings_of(app: Celery) -> Settings:
    return app.conf["narrate_settings"]


def queue_depths(app: Celery, queues: Iterable[str], *, timeout_s: float = 5.0) -> dict[str, int]:
    """Messages waiting on each broker queue (the broker's errors pass through). The
    declare is not passive: on Redis a passive declare cannot see a queue under a key
    prefix (it says "no queue") however many messages wait, and declaring is idempotent."""
    with app.connection_for_read() as connection:
        connection.ensure_connection(max_retries=1, timeout=timeout_s)
        channel = connection.default_channel
        return {queue: channel.queue_declare(queue).message_count for queue in queues}
