"""The lexicon with the real engine and a real `celery worker`."""

from __future__ import annotations

import json
import time

import pytest

from tests.support.harness import clean_submitted, run_worker
from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow, JobRow
from workers.pipeline.engines.synth import Pyttsx3Synthesizer
from workers.runtime.jobs import audio_key

pytestmark = pytest.mark.integration

ARTICLE = (
    "Talks in Kyiv\n\nMinisters met on Tuesday to talk about the harbour.\n\n"
    "The mayor of Kyiv spoke after them.\n\nNothing else was said that day."
)


def test_phonemes_from_the_lexicon_reach_the_engine_as_phonemes():
    """'[[w'In]]' sounds as long as 'win'; read as text it took 60% longer (0.85 s)."""
    with Pyttsx3Synthesizer() as synth:
        phonemes, word, words = list(
            synth.synthesize_many(["[[w'In]]", "win", "[[w'In]] and [[w'In]] again"])
        )
    assert phonemes.duration_ms == pytest.approx(word.duration_ms, rel=0.1)
    assert words.duration_ms > 1.5 * word.duration_ms  # phonemes and words mixed


def _jobs_done(settings, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope(settings.database_url) as session:
            states = [job.status for job in session.query(JobRow)]
        assert "failed" not in states, states
        if states and set(states) == {"done"}:
            return
        time.sleep(0.2)
    raise AssertionError(f"jobs not done after {timeout} s: {states}")


def _durations(settings, article_id: str, revision: int) -> list[int]:
    path = settings.audio_dir / audio_key(article_id, revision, ".json")
    timings = json.loads(path.read_text(encoding="utf-8"))
    return [p["end_ms"] - p["start_ms"] for p in timings["paragraphs"]]


def test_changing_an_entry_resynthesises_exactly_the_paragraphs_that_contain_it(
    client, settings, tmp_path
):
    """Revision 1 (no entry, cleaned before the entry was made) and revision 2 (Kyiv ->
    Keev) are queued before the worker starts, so revision 1's segments are still in the
    store when revision 2 is made: of revision 2's four paragraphs only the two with
    'Kyiv' are synthesised again."""
    first = client.post("/api/v1/articles", json={"text": ARTICLE, "external_id": "kyiv"})
    article_id = first.get_json()["id"]
    clean_submitted(settings)  # the lexicon applies when a worker cleans: before the change
    client.put("/api/v1/lexicon", json={"entries": [{"word": "Kyiv", "say": "Keev"}]})
    second = client.put(f"/api/v1/articles/{article_id}", json={"text": ARTICLE})
    assert (first.status_code, second.status_code) == (202, 202)

    worker = run_worker(settings, tmp_path, concurrency=1)
    next(worker)
    try:
        _jobs_done(settings)
    finally:
        next(worker, None)

    log = (tmp_path / "worker.log").read_text()
    assert log.count("synthesised (segment") == 4 + 2, log
    with session_scope(settings.database_url) as session:
        assert session.get(ArticleRow, article_id).current.number == 2
    before, after = _durations(settings, article_id, 1), _durations(settings, article_id, 2)
    assert [a == b for a, b in zip(before, after, strict=True)] == [False, True, False, True]
