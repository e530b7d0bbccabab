"""A worker closes an engine it has not used for NARRATE_ENGINE_IDLE_S, with no further
task to prompt it, and starts one again for the next article."""

from __future__ import annotations

import time

import pytest

from tests.support.harness import engine_processes, run_worker
from tests.support.metrics import scraped, value

pytestmark = pytest.mark.integration
IDLE_S = 5  # long enough that the sample just after "done" still finds the engine, under load too


@pytest.fixture
def idle_worker(settings, app, tmp_path):
    yield from run_worker(settings, tmp_path, 1, {"NARRATE_ENGINE_IDLE_S": str(IDLE_S)})


def converted(client, worker_pid: int, title: str) -> tuple[set[int], float]:
    """Convert an article; return the engine processes seen while it was made (and just
    after) and the most engines /metrics showed open."""
    text = f"{title}\n\nThe council met on Friday.\n\nIt approved the harbour wall."
    article = client.post("/api/v1/articles", json={"text": text}).get_json()
    seen: set[int] = set()
    most_open = 0.0
    deadline = time.monotonic() + 120
    while True:
        body = client.get(article["links"]["self"]).get_json()
        assert body["status"] != "failed", body["error"]
        seen.update(engine_processes(worker_pid))
        most_open = max(most_open, value(scraped(client), "narrate_engines_open"))
        if body["status"] == "done":
            return seen, most_open
        assert time.monotonic() < deadline, f"{title}: not done in 120 s"
        time.sleep(0.05)


def wait_until_closed(client, worker_pid: int) -> float:
    """Seconds until the worker has no engine process left and says so in /metrics."""
    started = time.monotonic()
    while engine_processes(worker_pid) or value(scraped(client), "narrate_engines_open") != 0:
        assert time.monotonic() - started < 30, "the idle engine was not closed in 30 s"
        time.sleep(0.1)
    return time.monotonic() - started


def test_an_idle_worker_closes_its_engine_process_and_starts_one_for_the_next_article(
    client, idle_worker
):
    first, most_open = converted(client, idle_worker.pid, "First")
    assert len(first) == 1 and most_open == 1, (first, most_open)  # one engine throughout
    closed_after_s = wait_until_closed(client, idle_worker.pid)

    second, most_open = converted(client, idle_worker.pid, "Second")
    assert len(second) == 1 and most_open == 1, (second, most_open)
    assert second.isdisjoint(first)  # a new engine process
    assert idle_worker.poll() is None
    closed_again_s = wait_until_closed(client, idle_worker.pid)
    print(f"engine closed {closed_after_s:.1f} s and {closed_again_s:.1f} s after done")
