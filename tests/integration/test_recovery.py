"""The recovery sweep against the real catalog (SQLite and PostgreSQL): a job still for
too long is queued again by exactly one sweeper, work waiting its turn is left alone, and
a job that keeps stalling is failed with an error that says so; a long utterance keeps its
job's heartbeat moving, and with the defaults a lost job is queued again within a minute."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace

import pytest
from celery.exceptions import Retry
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from tests.support.audio import RATE, tone
from tests.support.harness import clean_submitted
from tests.support.waits import wait_until
from workers.catalog.db import session_scope
from workers.catalog.models import JobRow, now
from workers.config import Settings
from workers.pipeline.engines.synth import Clip
from workers.pipeline.errors import InvalidInput
from workers.runtime import jobs
from workers.runtime.celery_app import create_celery, queue_depths
from workers.runtime.recovery import heartbeat, sweep


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


def progressed_s_ago(settings, job_id: int) -> float:
    """How old the job's last sign of work is."""
    with session_scope(settings.database_url) as session:
        progressed = session.get_one(JobRow, job_id).progressed_at
    return (now() - progressed).total_seconds()


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


def test_a_submission_never_cleaned_is_queued_again_and_then_cleaned(client, settings):
    settings = settings.with_overrides(stall_s=60)
    article_id, job_id = submit(client)  # stored as received; its message lost, say
    age(settings, job_id, 61)
    sent: list[int] = []
    swept = sweep(settings, lambda q: 0, lambda j, q: sent.append(j), lambda j, m: None)
    assert swept.requeued == sent == [job_id]
    plan = jobs.start(settings, job_id)  # what the queued convert task does
    assert [len(chunk) for chunk in plan.to_synthesise] == [1, 1]  # the first on its own
    body = client.get(f"/api/v1/articles/{article_id}").get_json()
    assert body["status"] == "processing"
    assert body["paragraphs"] == ["Stalled", "Nobody works on it."]


def test_work_waiting_its_turn_is_left_alone(client, settings):
    settings = settings.with_overrides(stall_s=60)
    _, job_id = submit(client)
    age(settings, job_id, 3600)
    sent: list[int] = []
    swept = sweep(settings, lambda queue: 5, lambda j, q: sent.append(j), lambda j, m: None)
    assert swept.requeued == [] and sent == []


def test_the_sweep_sees_the_messages_waiting_on_a_prefixed_redis_queue(settings):
    # A passive declare answered "no queue" under the key prefix, so the sweep took every
    # queue for empty and queued again work that was only waiting its turn.
    app = create_celery(settings)
    queues = ("narrate-sweep-test", "narrate-sweep-other")
    assert queue_depths(app, queues) == {"narrate-sweep-test": 0, "narrate-sweep-other": 0}
    for n in range(3):
        app.send_task("narrate.nothing", args=[n], queue="narrate-sweep-test")
    app.send_task("narrate.nothing", args=[3], queue="narrate-sweep-other")
    assert queue_depths(app, queues) == {"narrate-sweep-test": 3, "narrate-sweep-other": 1}


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
        wait_until(lambda: progressed_s_ago(settings, job_id) < 5, 10, "a heartbeat")
    assert sweep(settings, lambda q: 0, lambda j, q: None, lambda j, m: None).requeued == []


def test_with_the_defaults_a_dead_workers_job_is_queued_again_within_a_minute(client, settings):
    defaults = Settings.from_env({})
    settings = settings.with_overrides(
        stall_s=defaults.stall_s, recovery_interval_s=defaults.recovery_interval_s
    )
    # A worker dies after its last heartbeat; the sweep after that runs within 1.25 intervals.
    worst_s = settings.stall_s + 1.25 * settings.recovery_interval_s
    assert worst_s <= 60, worst_s
    _, job_id = submit(client)
    nothing = (lambda q: 0, lambda j, q: None, lambda j, m: None)
    age(settings, job_id, settings.stall_s * 2 / 3 + 1)  # a heartbeat missed: not yet
    assert sweep(settings, *nothing).requeued == []
    age(settings, job_id, settings.stall_s + 1)
    assert sweep(settings, *nothing).requeued == [job_id]


class SlowSynthesizer:
    """An in-process engine that takes `seconds` over every utterance."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def synthesize_many(self, texts) -> Iterator[Clip]:
        for _ in texts:
            time.sleep(self.seconds)
            yield Clip(tone(0.4), RATE)

    def start(self) -> None:
        pass

    def at_rate(self, rate: int) -> SlowSynthesizer:
        return self

    def close(self) -> None:
        pass


def sweeps_during_one_long_utterance(settings, *, as_a_task: bool) -> tuple[list[int], float]:
    """Synthesise a job's one paragraph with an utterance 2.5 stall windows long, as the
    synthesise task does (inside `_working_on`) or bare, sweeping every 0.3 s meanwhile:
    the jobs the sweeps queued again, and how long the utterance took."""
    from workers.runtime.tasks import _working_on

    clean_submitted(settings)
    job_id = jobs.unfinished(settings)[0][0]
    paragraph_id = jobs.start(settings, job_id).to_synthesise[0][0]
    slow = SlowSynthesizer(2.5 * settings.stall_s)

    def work() -> None:
        if as_a_task:
            with _working_on(FakeTask(settings, 0), job_id) as task_settings:
                jobs.synthesise_paragraph(task_settings, job_id, paragraph_id, lambda v, r: slow)
        else:
            jobs.synthesise_paragraph(settings, job_id, paragraph_id, lambda v, r: slow)

    requeued: list[int] = []
    worker = threading.Thread(target=work)
    started = time.monotonic()
    worker.start()
    while worker.is_alive():
        requeued += sweep(settings, lambda q: 0, lambda j, q: None, lambda j, m: None).requeued
        worker.join(0.3)
    return requeued, time.monotonic() - started


def test_a_long_utterance_keeps_its_job_from_being_queued_again(client, settings):
    settings = settings.with_overrides(stall_s=2)  # beats every 0.67 s
    submit(client)
    requeued, took = sweeps_during_one_long_utterance(settings, as_a_task=True)
    assert took > 2 * settings.stall_s  # one utterance outlasted the stall window twice
    assert requeued == []
    with session_scope(settings.database_url) as session:
        assert session.query(JobRow).one().done == 1


def test_without_the_heartbeat_the_same_utterance_looks_stalled(client, settings):
    settings = settings.with_overrides(stall_s=2)
    _, job_id = submit(client)
    requeued, _ = sweeps_during_one_long_utterance(settings, as_a_task=False)
    assert requeued and set(requeued) == {job_id}  # what the heartbeat prevents


class FakeTask:
    """What `_working_on` needs of a bound Celery task: its app and retry count."""

    def __init__(self, settings, retries: int) -> None:
        from workers.runtime.celery_app import create_celery

        self.app, self.request = create_celery(settings), SimpleNamespace(retries=retries)
        self.retried_after: float | None = None

    def retry(self, exc: Exception, countdown: float, max_retries: int) -> Retry:
        self.retried_after = countdown
        return Retry(exc=exc, when=countdown)


def database_down() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("connection refused"))


@pytest.mark.parametrize(
    ("error", "retries", "outcome"),
    [
        (database_down(), 0, "retried"),
        (PermissionError(13, "Permission denied"), 3, "retried"),
        (database_down(), 20, "failed: database unavailable: (builtins.Exception) connection "
         "refused (gave up after 20 retries)"),
        (InvalidInput("unknown voice 'xx'"), 0, "failed: unknown voice 'xx'"),
        (ValueError("a bug"), 0, "failed: internal error: ValueError('a bug')"),
    ],
)  # fmt: skip
def test_one_policy_for_a_task_that_fails(client, settings, error, retries, outcome):
    from workers.runtime.tasks import _working_on

    _, job_id = submit(client)
    task = FakeTask(settings, retries)
    try:
        with _working_on(task, job_id):
            raise error
    except Retry:
        result = "retried"
        assert task.retried_after is not None and task.retried_after > 0
    else:
        with session_scope(settings.database_url) as session:
            job = session.get_one(JobRow, job_id)
            result = f"{job.status}: {job.error}"
    assert result == outcome
