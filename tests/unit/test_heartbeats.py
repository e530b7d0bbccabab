"""A worker process's one heartbeat thread (workers.runtime.recovery.Heartbeats): every
job a task is working on is touched every stall_s / 3 from when its work began, and no
job once its work has ended."""

from __future__ import annotations

import threading
import time

import pytest

from workers.config import Settings
from workers.runtime import recovery

SETTINGS = Settings.from_env({}).with_overrides(stall_s=1)  # a touch every 0.5 s


@pytest.fixture
def touched(monkeypatch) -> list[tuple[int, float]]:
    """(job, monotonic time) of every touch, in order."""
    touches: list[tuple[int, float]] = []
    monkeypatch.setattr(
        recovery, "touch", lambda settings, job: touches.append((job, time.monotonic()))
    )
    return touches


def heartbeat_threads() -> int:
    return sum(t.name == "heartbeat" for t in threading.enumerate())


def test_two_jobs_at_once_are_each_touched_every_interval_and_not_after(touched):
    beats = recovery.Heartbeats()
    began = time.monotonic()
    with beats.beating(SETTINGS, 1):
        time.sleep(0.6)
        with beats.beating(SETTINGS, 2):
            time.sleep(1.2)
    ended = time.monotonic()
    time.sleep(0.8)
    first = [at - began for job, at in touched if job == 1]
    second = [at - began for job, at in touched if job == 2]
    assert len(first) == 3 and first[0] == pytest.approx(0.5, abs=0.15)
    assert len(second) == 2 and second[0] == pytest.approx(1.1, abs=0.15)
    assert all(at <= ended - began for at in first + second)


def test_one_job_worked_on_by_two_tasks_beats_until_the_last_ends(touched):
    beats = recovery.Heartbeats()
    outer = beats.beating(SETTINGS, 7)
    outer.__enter__()
    with beats.beating(SETTINGS, 7):
        pass
    time.sleep(0.7)  # the inner task is over; the outer one still works
    outer.__exit__(None, None, None)
    assert [job for job, _ in touched] == [7]


def test_tasks_one_after_another_start_one_thread_between_them(touched):
    beats = recovery.Heartbeats()
    before = heartbeat_threads()
    for job in range(20):
        with beats.beating(SETTINGS, job):
            pass
    assert heartbeat_threads() == before + 1
    assert touched == []  # none worked long enough to be touched


def test_a_forked_child_beats_on_a_thread_of_its_own(touched):
    import multiprocessing

    beats = recovery.Heartbeats()
    with beats.beating(SETTINGS, 1):  # the parent's thread now exists (and waits)
        pass
    context = multiprocessing.get_context("fork")
    results = context.Queue()

    def child() -> None:
        with beats.beating(SETTINGS, 5):
            time.sleep(0.7)
        results.put([job for job, _ in touched])

    process = context.Process(target=child)
    process.start()
    try:
        assert results.get(timeout=20) == [5]
    finally:
        process.join(5)
