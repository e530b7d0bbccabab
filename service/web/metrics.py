"""/metrics in the Prometheus text format (names prefixed narrate_).

Request counts and latencies are counted in each web process; with several gunicorn
processes they add up through prometheus_client's multiprocess mode (a directory of
per-process files, PROMETHEUS_MULTIPROC_DIR, set before the client is imported). The
workers write theirs (engine restarts, synthesis and stitch seconds: workers.runtime.metrics) in
the same way into its `workers` folder, and a scrape adds up both.
Everything about the work itself is read from the catalog and the broker at scrape
time, so it is right whichever machine the workers run on: jobs by status, queue depth
per queue, seconds per finished article and per paragraph over the last hour, and
webhook deliveries by outcome.

When the service is protected (any API key), a scrape needs the read scope.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from functools import cache
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, g, request
from sqlalchemy import func, select

from service.security import access
from service.web import context
from workers.catalog.db import session_scope
from workers.catalog.models import JobRow, WebhookDeliveryRow, now
from workers.config import Settings
from workers.runtime import metrics as work_metrics
from workers.runtime.celery_app import QUEUES

metrics = Blueprint("metrics", __name__)
SECONDS_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800)
RECENT = timedelta(hours=1)


def use_multiprocess_dir(settings: Settings) -> None:
    """Point prometheus_client at a per-deployment directory (before it is imported)."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        directory = settings.data_dir / "metrics"
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):  # from web processes of an earlier start
            stale.unlink(missing_ok=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


@cache
def _instruments():
    """One counter and one histogram per process, however many apps it builds; not in
    the default registry: a scrape reads every process's files instead."""
    from prometheus_client import Counter, Histogram

    requests = Counter(
        "narrate_http_requests",
        "HTTP requests answered",
        ["route", "method", "status"],
        registry=None,
    )
    latency = Histogram(
        "narrate_http_request_seconds", "Time to answer an HTTP request", ["route"], registry=None
    )
    return requests, latency


def init_metrics(app: Flask, settings: Settings) -> None:
    requests, latency = _instruments()

    @app.before_request
    def _start_clock() -> None:
        g.narrate_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule else "(no route)"
        requests.labels(route, request.method, str(response.status_code)).inc()
        started = g.get("narrate_started")
        if started is not None:
            latency.labels(route).observe(time.perf_counter() - started)
        return response

    app.register_blueprint(metrics)


class _CatalogCollector:
    """Gauges read from the catalog and the broker when scraped."""

    def __init__(self, settings: Settings, depths) -> None:
        self.settings, self.depths = settings, depths

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

        since = now() - RECENT
        with session_scope(self.settings.database_url) as session:
            statuses = session.execute(
                select(JobRow.status, func.count()).group_by(JobRow.status)
            ).all()
            deliveries = session.execute(
                select(WebhookDeliveryRow.status, func.count()).group_by(WebhookDeliveryRow.status)
            ).all()
            finished = [
                (started, done, total)
                for started, done, total in session.execute(
                    select(JobRow.started_at, JobRow.finished_at, JobRow.total).where(
                        JobRow.status == "done", JobRow.finished_at >= since
                    )
                )
                if started is not None and done is not None
            ]
        jobs = GaugeMetricFamily("narrate_jobs", "Jobs in the catalog by status", labels=["status"])
        for status, count in statuses:
            jobs.add_metric([status], count)
        yield jobs
        webhooks = GaugeMetricFamily(
            "narrate_webhook_deliveries", "Webhook deliveries by outcome", labels=["outcome"]
        )
        for status, count in deliveries:
            webhooks.add_metric([status], count)
        yield webhooks
        per_article = [(done - started).total_seconds() for started, done, _ in finished]
        per_paragraph = [
            (done - started).total_seconds() / total for started, done, total in finished if total
        ]
        for name, what, values in (
            (
                "narrate_article_seconds",
                "Start to MP3, articles done in the last hour",
                per_article,
            ),
            (
                "narrate_paragraph_seconds",
                "Per paragraph, articles done in the last hour",
                per_paragraph,
            ),
        ):
            yield _histogram(HistogramMetricFamily, name, what, values)
        depths = self.depths(QUEUES)
        queue = GaugeMetricFamily(
            "narrate_queue_depth", "Tasks waiting on each broker queue", labels=["queue"]
        )
        for name, depth in (depths or {}).items():
            queue.add_metric([name], depth)
        yield queue
        up = GaugeMetricFamily("narrate_broker_up", "1 if the broker answered this scrape")
        up.add_metric([], 1 if depths is not None else 0)
        yield up


def _histogram(family, name: str, documentation: str, values: list[float]):
    buckets, running = [], 0
    for bound in SECONDS_BUCKETS:
        running = sum(1 for value in values if value <= bound)
        buckets.append((str(bound), running))
    buckets.append(("+Inf", len(values)))
    return family(name, documentation, buckets=buckets, sum_value=sum(values))


class _ProcessFiles:
    """Every web and worker process's multiprocess files, added up as one."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def collect(self):
        from prometheus_client.multiprocess import MultiProcessCollector

        files = [
            *self.directory.glob("*.db"),
            *(self.directory / work_metrics.WORKER_FOLDER).glob("*.db"),
        ]
        return MultiProcessCollector.merge([str(path) for path in files], accumulate=True)


def _multiprocess() -> bool:
    from prometheus_client import values

    return values.ValueClass.__name__ == "MmapedValue"


@metrics.get("/metrics")
def scrape():
    from prometheus_client import CollectorRegistry, generate_latest

    access.require_read()
    registry = CollectorRegistry()
    if _multiprocess():
        registry.register(_ProcessFiles(Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])))
    else:  # prometheus_client was imported before the directory was set: this process only
        for instrument in (*_instruments(), *work_metrics.instruments()):
            registry.register(instrument)
    registry.register(
        _CatalogCollector(context.settings(), current_app.extensions["narrate.queue"].depths)
    )
    body = generate_latest(registry)
    return Response(body, mimetype="text/plain")
