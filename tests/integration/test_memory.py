"""Memory is bounded by design: the largest inputs Narrate accepts convert in a few
hundred megabytes, measured as bench/run.py measures it (the resident memory of
`narrate convert` and its engine process together, sampled every 20 ms).

Before utterances were bounded and shaping streamed, 20 KB of text in one paragraph
peaked at 1.84 GB and the figure grew by about 92 MB per 1,000 characters.

Both inputs are spoken at 450 words a minute, the fastest rate, to keep the test's
run time down (the 1 MB article is still about six hours of audio); how much audio an
utterance makes at other rates is bounded too, and far below the limit.
"""

from __future__ import annotations

import random
import sys
import threading
from pathlib import Path

import pytest

from bench.run import Run, generated_article, sentence, timed

pytestmark = pytest.mark.integration

LIMIT_MB = 300
MAX_UPLOAD_BYTES = 1_000_000


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


def convert(source: Path, results: dict[str, Run]) -> None:
    command = [sys.executable, "-m", "service.cli", "convert", str(source)]
    command += ["-o", str(source.with_suffix(".mp3")), "--rate", "450"]
    results[source.stem] = timed(command, watch_memory=True)


def test_a_200_kb_paragraph_and_a_1_mb_article_each_peak_under_300_mb(tmp_path):
    paragraph = tmp_path / "paragraph.txt"
    paragraph.write_text(one_long_paragraph(200_000, 13), encoding="utf-8")
    article = tmp_path / "article.txt"
    article.write_text(article_just_under(MAX_UPLOAD_BYTES, 13), encoding="utf-8")
    assert len(paragraph.read_bytes()) >= 200_000
    assert 990_000 <= len(article.read_bytes()) <= MAX_UPLOAD_BYTES

    results: dict[str, Run] = {}
    threads = [threading.Thread(target=convert, args=(p, results)) for p in (paragraph, article)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    figures = {
        name: f"{run.peak_rss_mb:.0f} MB in {run.seconds:.0f} s" for name, run in results.items()
    }
    print(f"peak RSS (narrate + engine): {figures}")
    assert set(results) == {"paragraph", "article"}, "a conversion failed"
    assert all(run.peak_rss_mb <= LIMIT_MB for run in results.values()), figures
    assert all(run.peak_rss_mb > 20 for run in results.values()), figures  # it was measured
