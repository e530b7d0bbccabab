"""What a worker measures of its own work, for /metrics: engine restarts, engines open,
seconds of synthesis per paragraph and of stitching per article.

A worker's processes write prometheus_client's multiprocess files into the `workers`
folder of the web's metrics directory (PROMETHEUS_MULTIPROC_DIR, else DATA_DIR/metrics;
the web empties only the folder's top level when it starts), named by host and process
id, so workers on several machines sharing DATA_DIR never write one file; the web's
scrape reads them with its own (service.web.metrics).
"""

from __future__ import annotations

import os
import socket
from functools import cache
from pathlib import Path

from workers.config import Settings
from workers.pipeline.engines.workdirs import process_alive

WORKER_FOLDER = "workers"
SYNTHESIS_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120)
STITCH_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300)


def metrics_directory(settings: Settings) -> Path:
    """The web's multiprocess directory (service.web.metrics.use_multiprocess_dir)."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(given) if given else settings.data_dir / "metrics"


def use_worker_directory(settings: Settings) -> None:
    """In a worker's main process, before it forks its pool and before any instrument is
    made: write multiprocess files under `workers/`, one per host and process."""
    directory = metrics_directory(settings) / WORKER_FOLDER
    directory.mkdir(parents=True, exist_ok=True)
    host = socket.gethostname()
    _forget_dead_processes(directory, host)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    from prometheus_client import values

    values.ValueClass = values.MultiProcessValue(lambda: f"{host}-{os.getpid()}")


def _forget_dead_processes(directory: Path, host: str) -> None:
    """Files of this host's processes that are gone (an earlier start of the worker):
    their counts restart from zero, which Prometheus reads as a counter reset."""
    for stale in directory.glob(f"*_{host}-*.db"):
        pid = stale.stem.rsplit("-", 1)[-1]
        if pid.isdigit() and not process_alive(int(pid)):
            stale.unlink(missing_ok=True)


@cache
def instruments():
    """Made on first use in each process (after fork); not in the default registry."""
    from prometheus_client import Counter, Gauge, Histogram

    restarts = Counter(
        "narrate_engine_restarts",
        "Engine processes replaced after a timeout, crash, error or bad audio",
        ["engine", "reason"],
        registry=None,
    )
    synthesis = Histogram(
        "narrate_synthesis_seconds",
        "Seconds to synthesise and shape one paragraph's audio, in a worker",
        ["engine"],
        buckets=SYNTHESIS_BUCKETS,
        registry=None,
    )
    stitch = Histogram(
        "narrate_stitch_seconds",
        "Seconds to stitch an article's paragraphs into its MP3, timings and captions",
        buckets=STITCH_BUCKETS,
        registry=None,
    )
    engines = Gauge(
        "narrate_engines_open",
        "Engines (one per voice) held open by workers; closed after NARRATE_ENGINE_IDLE_S unused",
        registry=None,
        multiprocess_mode="livesum",
    )
    return restarts, synthesis, stitch, engines


def engine_restarted(engine: str, reason: str) -> None:
    instruments()[0].labels(engine, reason).inc()


def synthesised(engine: str, seconds: float) -> None:
    instruments()[1].labels(engine).observe(seconds)


def stitched(seconds: float) -> None:
    instruments()[2].observe(seconds)


def engines_open(count: int) -> None:
    instruments()[3].set(count)
