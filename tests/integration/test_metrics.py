"""/metrics: Prometheus text, request counts by route, work read from the catalog and
the broker."""

from __future__ import annotations

import pytest

from tests.integration.conftest import run_jobs_in_process

pytestmark = pytest.mark.integration


def scraped(client, **kwargs) -> dict[tuple[str, tuple], float]:
    from prometheus_client.parser import text_string_to_metric_families

    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.data
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


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
    assert value(samples, "narrate_jobs", status="queued") == 2
    assert value(samples, "narrate_queue_depth", queue="narrate") == 2  # the test client's sends
    assert value(samples, "narrate_broker_up") == 1

    broker.delete(*broker.keys(f"{settings.broker_prefix}*"))  # as if a worker took them
    run_jobs_in_process(settings, tmp_path)
    samples = scraped(client)
    assert value(samples, "narrate_jobs", status="done") == 2
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
