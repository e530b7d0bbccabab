"""/metrics: Prometheus text, request counts by route, work read from the catalog and
the broker."""

from __future__ import annotations

import os
import signal

import pytest

from tests.support.harness import engine_processes, run_jobs_in_process, run_worker
from tests.support.metrics import scraped, value
from tests.support.waits import wait_for

pytestmark = pytest.mark.integration


def test_metrics_count_requests_jobs_queues_and_durations(client, settings, tmp_path, broker):
    before = scraped(client)
    route = "/api/v1/articles/<article_id>"
    for n in range(2):
        client.post("/api/v1/articles", json={"title": f"T{n}", "text": "A paragraph."})
    client.get("/api/v1/articles/missing")
    samples = scraped(client)
    created = dict(route="/api/v1/articles", method="POST", status="202")
    assert (
        value(samples, "narrate_http_requests_total", **created)
        - value(before, "narrate_http_requests_total", **created)
        == 2
    )
    assert (
        value(samples, "narrate_http_requests_total", route=route, method="GET", status="404") >= 1
    )
    assert value(samples, "narrate_http_request_seconds_count", route="/api/v1/articles") >= 2
    assert value(samples, "narrate_jobs", status="cleaning") == 2  # stored as received
    assert value(samples, "narrate_queue_depth", queue="narrate") == 2  # the test client's sends
    assert value(samples, "narrate_broker_up") == 1

    broker.delete(*broker.keys(f"{settings.broker_prefix}*"))  # as if a worker took them
    run_jobs_in_process(settings, tmp_path)
    samples = scraped(client)
    assert value(samples, "narrate_jobs", status="done") == 2
    assert value(samples, "narrate_jobs", status="cleaning") == 0
    assert value(samples, "narrate_jobs", status="queued") == 0
    assert value(samples, "narrate_queue_depth", queue="narrate") == 0
    assert value(samples, "narrate_article_seconds_count") == 2
    assert value(samples, "narrate_paragraph_seconds_count") == 2


def test_a_protected_service_wants_a_read_key_for_metrics(settings):
    from service.app import create_app

    guarded = settings.with_overrides(api_tokens=("ops-token",))
    client = create_app({"TESTING": True, "NARRATE_SETTINGS": guarded}).test_client()
    assert client.get("/metrics").status_code == 401
    samples = scraped(client, headers={"Authorization": "Bearer ops-token"})
    assert ("narrate_broker_up", ()) in samples


@pytest.fixture
def quick_worker(settings, app, tmp_path):
    """One pool process (so one engine), which gives up on a silent engine after 2 s."""
    yield from run_worker(settings, tmp_path, 1, {"NARRATE_SYNTH_TIMEOUT_S": "2"})


def test_a_worker_reports_synthesis_stitch_seconds_and_engine_restarts(client, quick_worker):
    def converted(title: str) -> None:
        text = f"{title}\n\nThe council met on Friday.\n\nIt approved the harbour wall."
        article = client.post("/api/v1/articles", json={"text": text}).get_json()
        wait_for(client, article["links"]["self"], "done")

    before = scraped(client)

    def more(name: str, **labels) -> float:
        return value(scraped(client), name, **labels) - value(before, name, **labels)

    converted("First")
    assert more("narrate_synthesis_seconds_count", engine="espeak") == 3  # title + two
    assert more("narrate_synthesis_seconds_sum", engine="espeak") > 0
    assert more("narrate_stitch_seconds_count") == 1
    assert more("narrate_stitch_seconds_bucket", le="+Inf") == 1
    assert more("narrate_engine_restarts_total", engine="espeak", reason="timeout") == 0

    [engine] = engine_processes(quick_worker.pid)
    os.kill(engine, signal.SIGSTOP)  # silent: the next paragraph misses its deadline
    converted("Second")
    assert more("narrate_engine_restarts_total", engine="espeak", reason="timeout") == 1
    assert more("narrate_engine_restarts_total", engine="espeak", reason="crash") == 0

    [engine] = engine_processes(quick_worker.pid)
    os.kill(engine, signal.SIGKILL)  # dies while idle, as under the OOM killer
    converted("Third")
    assert more("narrate_engine_restarts_total", engine="espeak", reason="crash") == 1
    # the paragraphs the articles share were synthesised once: only each new title again
    assert more("narrate_synthesis_seconds_count", engine="espeak") == 3 + 1 + 1
    assert more("narrate_stitch_seconds_count") == 3
