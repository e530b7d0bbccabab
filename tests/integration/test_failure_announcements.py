"""A failed job is announced once, on the webhook queue, whichever path fails it: a task
that meets an error, or the recovery sweep giving up a job that stopped moving."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.support.services import queue_key
from workers.catalog.db import session_scope
from workers.catalog.models import JobRow, WebhookDeliveryRow, now
from workers.runtime.celery_app import CONVERT, DELIVER, QUEUES, WEBHOOK_QUEUE, create_celery

pytestmark = pytest.mark.integration

HOOK = "http://127.0.0.1:9/hook"  # nothing is delivered here: no worker takes the queue


def submitted(client, broker) -> int:
    """An article the cleaner will fail (nothing but page furniture); the convert
    message its POST queued is taken off, as a worker would take it."""
    created = client.post("/api/v1/articles", json={"text": "Advertisement", "callback_url": HOOK})
    assert created.status_code == 202
    for queue in QUEUES:
        broker.delete(queue_key(queue))
    with session_scope(client.application.extensions["narrate.settings"].database_url) as s:
        return s.query(JobRow).one().id


def fail_in_a_task(settings, job_id: int) -> None:
    import workers.runtime.tasks  # noqa: F401  registers the tasks with every app

    create_celery(settings).tasks[CONVERT].apply(args=[job_id])


def fail_in_the_sweep(settings, job_id: int) -> None:
    from workers.runtime.hooks import recovery_loop

    settings = settings.with_overrides(stall_s=60, job_attempts=0, recovery_interval_s=0.1)
    with session_scope(settings.database_url) as session:
        session.execute(
            update(JobRow)
            .where(JobRow.id == job_id)
            .values(progressed_at=now() - timedelta(seconds=61))
        )
    loop = recovery_loop(settings)
    loop.start()
    try:
        deadline = time.monotonic() + 30
        while status(settings, job_id) != "failed":
            assert time.monotonic() < deadline, "the sweep did not give the job up"
            time.sleep(0.1)
    finally:
        loop.stop()


def status(settings, job_id: int) -> str:
    with session_scope(settings.database_url) as session:
        return session.get(JobRow, job_id).status


@pytest.mark.parametrize("fail", [fail_in_a_task, fail_in_the_sweep])
def test_a_failed_job_is_announced_once_on_the_webhook_queue(client, settings, broker, fail):
    job_id = submitted(client, broker)
    fail(settings, job_id)
    assert status(settings, job_id) == "failed"
    with session_scope(settings.database_url) as session:
        events = [(d.event, d.url) for d in session.query(WebhookDeliveryRow)]
    assert events == [("article.failed", HOOK)]
    waiting = {
        queue: [json.loads(m)["headers"]["task"] for m in broker.lrange(queue_key(queue), 0, -1)]
        for queue in QUEUES
    }
    assert waiting == {queue: [DELIVER] if queue == WEBHOOK_QUEUE else [] for queue in QUEUES}
