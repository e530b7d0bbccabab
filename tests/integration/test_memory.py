"""Memory is bounded by design: the largest inputs Narrate accepts are made into audio
by a real `celery worker` in a few hundred megabytes, measured as bench/run.py measures
it (the resident memory of the worker's whole process tree: the main process, its pool
child and the engine process, sampled every 20 ms).

Before utterances were bounded and shaping streamed, 20 KB of text in one paragraph
peaked at 1.84 GB and the figure grew by about 92 MB per 1,000 characters.

Each input has a worker, a catalog and broker keys of its own, so the two run side by
side and each tree's peak belongs to one input. Both are spoken at 450 words a minute,
the fastest rate, to keep the run time down (the 1 MB article is still about eight hours
of audio); how much audio an utterance makes at other rates is bounded too, and far
below the limit.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest

from bench.run import PeakRss, generated_article, sentence
from service.app import create_app
from tests.integration.conftest import (
    BROKER_PREFIX,
    REDIS_URL,
    UNLIMITED,
    start_worker,
    stop_worker,
)
from workers.config import Settings

pytestmark = pytest.mark.integration

LIMIT_MB = 300
MAX_UPLOAD_BYTES = 1_000_000
TIMEOUT_S = 40 * 60  # the article took about 6 minutes on a quiet 2-core machine


def one_long_paragraph(size: int, seed: int) -> str:
    rng = random.Random(seed)
    sentences, length = [], 0
    while length < size:
        sentences.append(sentence(rng))
        length += len(sentences[-1]) + 1
    return "One very long paragraph\n\n" + " ".join(sentences)


def article_just_under(size: int, seed: int) -> str:
    text = generated_article(8000, seed)
    assert len(text.encode()) > size
    return text.encode()[:size].decode(errors="ignore").rsplit("\n\n", 1)[0]


def own_service(name: str, folder: Path) -> Settings:
    """A catalog, data folder and broker keys for one input alone; made (and migrated)
    before any thread starts, as migrations are not for two threads at once."""
    folder.mkdir()
    return Settings(
        data_dir=folder / "data",
        database_url=f"sqlite:///{folder / 'narrate.db'}",
        redis_url=REDIS_URL,
        broker_prefix=f"{BROKER_PREFIX}{name}:",  # the broker fixture clears it
        **UNLIMITED,
    )


def made_by_its_own_worker(name: str, text: str, client, folder: Path, results: dict) -> None:
    """Submit `text` to its own service, let its worker make the audio, and record the
    worker tree's peak RSS, the seconds it took and the finished article."""
    settings = client.application.extensions["narrate.settings"]
    log = folder / "worker.log"
    worker = start_worker(settings, log, name=name)
    started = time.monotonic()
    try:
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
                time.sleep(1)
                polled = client.get(url)
                if polled.status_code == 503:  # a moment's contention: as told, try again
                    continue
                assert polled.status_code == 200, polled.get_json()
                body = polled.get_json()
        results[name] = (memory.peak_mb, time.monotonic() - started, body)
    finally:
        stop_worker(worker)


def test_a_worker_makes_a_200_kb_paragraph_and_a_1_mb_article_each_under_300_mb(tmp_path, broker):
    inputs = {
        "paragraph": one_long_paragraph(200_000, 13),
        "article": article_just_under(MAX_UPLOAD_BYTES, 13),
    }
    assert len(inputs["paragraph"].encode()) >= 200_000
    assert 990_000 <= len(inputs["article"].encode()) <= MAX_UPLOAD_BYTES

    results: dict[str, tuple[float, float, dict]] = {}
    clients = {
        name: create_app(
            {"TESTING": True, "NARRATE_SETTINGS": own_service(name, tmp_path / name)}
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
        name: f"{peak:.0f} MB in {seconds:.0f} s, {body['duration_ms'] / 3_600_000:.1f} h of audio"
        for name, (peak, seconds, body) in results.items()
    }
    print(f"peak RSS of each worker's process tree: {figures}")
    for name, (peak, _, body) in results.items():
        assert body["status"] == "done", (name, body.get("error"))
        words = len(inputs[name].split())
        assert body["duration_ms"] >= 0.8 * words / 450 * 60_000, (name, words, body)
        assert 20 < peak <= LIMIT_MB, figures  # above 20 MB: it was measured
