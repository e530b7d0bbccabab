"""Memory is bounded by design: what a real `celery worker` holds does not grow with
the input. Each shape of input the bound is about (one long paragraph, whose utterances
must be bounded; a long article, which must never be held whole) is made into audio at
two sizes, four times apart, each by a worker of its own, and the peak resident memory
of each worker's whole process tree (the main process, its pool child and the engine
process, sampled every 20 ms as bench/run.py does) must stay under 300 MB and must not
grow from the smaller size to the larger.

Before utterances were bounded and shaping streamed, 20 KB of text in one paragraph
peaked at 1.84 GB and the figure grew by about 92 MB per 1,000 characters; a worker
that held an article's audio would grow by tens of megabytes between the two articles.

Each input has a worker, a catalog and broker keys of its own, so the four run side by
side and each tree's peak belongs to one input. All are spoken at 450 words a minute,
the fastest rate, to keep the run time down.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest

from bench.run import PeakRss, generated_article, sentence
from service.app import create_app
from tests.support.harness import start_worker, stop_worker, wait_ready
from tests.support.services import BROKER_PREFIX
from tests.support.settings import settings_for
from workers.config import Settings

pytestmark = pytest.mark.integration

LIMIT_MB = 300
# The larger input's peak may exceed the smaller's by this much: sampling noise and the
# catalog's rows for more paragraphs, far below what holding the input's audio would add.
GROWTH_MB = 15
SIZES = {"paragraph": (20_000, 80_000), "article": (40_000, 160_000)}
TIMEOUT_S = 15 * 60


def one_long_paragraph(size: int, seed: int) -> str:
    rng = random.Random(seed)
    sentences, length = [], 0
    while length < size:
        sentences.append(sentence(rng))
        length += len(sentences[-1]) + 1
    return "One very long paragraph\n\n" + " ".join(sentences)


def article_just_under(size: int, seed: int) -> str:
    text = generated_article(size // 60, seed)  # a paragraph is about 130 bytes
    assert len(text.encode()) > size
    return text.encode()[:size].decode(errors="ignore").rsplit("\n\n", 1)[0]


def own_service(name: str, folder: Path, redis_url: str) -> Settings:
    """A catalog, data folder and broker keys for one input alone; made (and migrated)
    before any thread starts, as migrations are not for two threads at once."""
    folder.mkdir()
    return settings_for(
        folder / "data",
        f"sqlite:///{folder / 'narrate.db'}",
        redis_url,
        broker_prefix=f"{BROKER_PREFIX}{name}:",  # the broker fixture clears it
    )


def made_by_its_own_worker(name: str, text: str, client, folder: Path, results: dict) -> None:
    """Submit `text` to its own service, let its worker make the audio, and record the
    worker tree's peak RSS, the seconds it took and the finished article."""
    settings = client.application.extensions["narrate.settings"]
    log = folder / "worker.log"
    worker = start_worker(settings, log, name=name)
    started = time.monotonic()
    try:
        # ready first: a job stored before the worker is up would be queued twice (by the
        # submission and by the worker's resume at start)
        wait_ready(worker, log, timeout=120)
        with PeakRss(worker.pid) as memory:
            created = client.post(
                "/api/v1/articles?rate=450", data=text.encode(), content_type="text/plain"
            )
            assert created.status_code == 202, created.get_json()
            body = created.get_json()
            url = body["links"]["self"]
            while body["status"] not in {"done", "failed"}:
                assert worker.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() - started < TIMEOUT_S, f"{name}: {body['progress']}"
                time.sleep(0.5)  # paces the poll
                polled = client.get(url)
                if polled.status_code == 503:  # a moment's contention: as told, try again
                    continue
                assert polled.status_code == 200, polled.get_json()
                body = polled.get_json()
        results[name] = (memory.peak_mb, time.monotonic() - started, body)
        print(f"{name} at its peak: {memory.at_peak}")
    finally:
        stop_worker(worker)


def test_a_workers_memory_does_not_grow_with_a_paragraph_or_an_article(
    tmp_path, broker, redis_url
):
    inputs = {}
    for shape, sizes in SIZES.items():
        make = one_long_paragraph if shape == "paragraph" else article_just_under
        for size in sizes:
            inputs[f"{shape}-{size // 1000}k"] = make(size, 13)
            assert abs(len(inputs[f"{shape}-{size // 1000}k"].encode()) - size) < 1000

    results: dict[str, tuple[float, float, dict]] = {}
    clients = {
        name: create_app(
            {"TESTING": True, "NARRATE_SETTINGS": own_service(name, tmp_path / name, redis_url)}
        ).test_client()
        for name in inputs
    }
    threads = [
        threading.Thread(
            target=made_by_its_own_worker, args=(n, t, clients[n], tmp_path / n, results)
        )
        for n, t in inputs.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert set(results) == set(inputs), "a worker failed (see the error above)"
    figures = {
        name: f"{peak:.0f} MB in {seconds:.0f} s, {body['duration_ms'] / 60_000:.0f} min of audio"
        for name, (peak, seconds, body) in results.items()
    }
    print(f"peak RSS of each worker's process tree: {figures}")
    for name, (peak, _, body) in results.items():
        assert body["status"] == "done", (name, body.get("error"))
        words = len(inputs[name].split())
        assert body["duration_ms"] >= 0.8 * words / 450 * 60_000, (name, words, body)
        assert 20 < peak <= LIMIT_MB, figures  # above 20 MB: it was measured
    for shape, (small, large) in SIZES.items():
        grown = results[f"{shape}-{large // 1000}k"][0] - results[f"{shape}-{small // 1000}k"][0]
        assert grown <= GROWTH_MB, (shape, figures)
