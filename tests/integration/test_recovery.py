"""The recovery sweep against the real catalog (SQLite and PostgreSQL): a job still for
too long is queued again by exactly one sweeper, work waiting its turn is left alone, and
a job that keeps stalling is failed with an error that says so."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from workers import jobs
from workers.catalog.db import session_scope
from workers.catalog.models import JobRow, now
from workers.recovery import heartbeat, sweep


def submit(client) -> tuple[str, int]:
    body = client.post("/api/v1/articles", json={"text": "Stalled\n\nNobody works on it."})
    article_id = body.get_json()["id"]
    with session_scope(client.application.extensions["narrate.settings"].database_url) as s:
        job_id = s.query(JobRow).one().id
    return article_id, job_id


def age(settings, job_id: int, seconds: float) -> None:
    """Make the job's last sign of work `seconds` old."""
    with session_scope(settings.database_url) as session:
        session.execute(
            update(JobRow)
            .where(JobRow.id == job_id)
            .values(progressed_at=now() - timedelta(seconds=seconds))
        )


def test_a_stalled_job_is_queued_again_once_then_failed(client, settings):
    settings = settings.with_overrides(stall_s=60, job_attempts=2)
    article_id, job_id = submit(client)
    sent, failed = [], []

    def give_up(job: int, message: str) -> None:
        failed.append(job)
        jobs.fail(settings, job, message)

    assert sweep(settings, lambda q: 0, lambda j, q: sent.append(j), give_up).requeued == []
    for attempt in (1, 2):
        age(settings, job_id, 61)
        first = sweep(settings, lambda q: 0, lambda j, q: sent.append(j), give_up)
        second = sweep(settings, lambda q: 0, lambda j, q: sent.append(j), give_up)
        assert (first.requeued, second.requeued) == ([job_id], [])  # one claim wins
        assert sent == [job_id] * attempt
    age(settings, job_id, 61)
    assert sweep(settings, lambda q: 0, lambda j, q: sent.append(j), give_up).failed == [job_id]
    assert failed == [job_id] and len(sent) == 2
    body = client.get(f"/api/v1/articles/{article_id}").get_json()
    assert body["status"] == "failed"
    assert "made no progress for 60 s, 2 times in a row" in body["error"]


def test_work_waiting_its_turn_is_left_alone(client, settings):
    settings = settings.with_overrides(stall_s=60)
    _, job_id = submit(client)
    age(settings, job_id, 3600)
    sent: list[int] = []
    swept = sweep(settings, lambda queue: 5, lambda j, q: sent.append(j), lambda j, m: None)
    assert swept.requeued == [] and sent == []


def test_a_broker_that_refuses_leaves_the_claim_untaken(client, settings):
    settings = settings.with_overrides(stall_s=60)
    _, job_id = submit(client)
    age(settings, job_id, 61)

    def refuse(job: int, queue: str) -> None:
        raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        sweep(settings, lambda q: 0, refuse, lambda j, m: None)
    with session_scope(settings.database_url) as session:
        assert session.get_one(JobRow, job_id).stalls == 0  # rolled back: tried again later
    assert sweep(settings, lambda q: 0, lambda j, q: None, lambda j, m: None).requeued == [job_id]


def test_a_heartbeat_keeps_a_working_job_from_looking_stalled(client, settings):
    settings = settings.with_overrides(stall_s=2)  # beats every 0.67 s
    _, job_id = submit(client)
    age(settings, job_id, 10)
    with heartbeat(settings, job_id):
        time.sleep(1.2)
    assert sweep(settings, lambda q: 0, lambda j, q: None, lambda j, m: None).requeued == []
