"""Fair scheduling with a real worker (2 processes) and the real engine: an article has
at most NARRATE_ARTICLE_IN_FLIGHT paragraph tasks queued or running, so a 2-paragraph
article posted behind a 1,000-paragraph one waits behind a few tasks, not a thousand.

Before lanes, every paragraph was queued at once: the short article's tasks went to the
back of 1,000, and it was done only after the long one's last paragraph. Likewise an
article of one huge paragraph: it was one task, which held the worker until it was done."""

from __future__ import annotations

import random
import time
from itertools import pairwise

import pytest

from tests.support.articles import NEWS
from tests.support.harness import run_worker, synthesised_by_revision
from tests.support.waits import wait_for

pytestmark = pytest.mark.integration

LONG_PARAGRAPHS = 1000


def test_a_short_article_behind_a_long_one_is_done_long_before_it(client, worker):
    lines = (f"Paragraph {n} of the long article is one short line." for n in range(1, 1000))
    long_text = "A long article\n\n" + "\n\n".join(lines)
    long = client.post("/api/v1/articles", json={"text": long_text}).get_json()
    wait_for(client, long["links"]["self"], "processing")

    posted = time.monotonic()
    short = client.post("/api/v1/articles", json={"text": "Breaking\n\nOne line of news."})
    assert short.status_code == 202
    wait_for(client, short.get_json()["links"]["self"], "done", timeout=120)
    waited = time.monotonic() - posted

    behind = client.get(long["links"]["self"]).get_json()
    assert behind["progress"]["total"] == LONG_PARAGRAPHS
    assert behind["status"] == "processing", behind
    assert behind["progress"]["done"] < LONG_PARAGRAPHS // 2, behind["progress"]
    print(f"short article done {waited:.1f} s after posting; long one at {behind['progress']}")


@pytest.fixture
def one_process(settings, app, tmp_path):
    """A real Celery worker with a single process: one task at a time."""
    yield from run_worker(settings, tmp_path, concurrency=1)


def test_one_huge_paragraph_does_not_hold_the_worker_while_others_wait(client, one_process):
    # 62,600 characters on one line, about an hour of speech, no two of its pieces alike
    # (alike, they would share one segment and be made in seconds)
    sentences = (f"The council met on day {n} and agreed the budget for it." for n in range(1100))
    huge = " ".join(sentences)
    long = client.post("/api/v1/articles", json={"text": f"One line\n\n{huge}"}).get_json()
    wait_for(client, long["links"]["self"], "processing")

    posted = time.monotonic()
    short = client.post("/api/v1/articles", json={"text": "Breaking\n\nOne line of news."})
    wait_for(client, short.get_json()["links"]["self"], "done", timeout=120)
    waited = time.monotonic() - posted

    behind = client.get(long["links"]["self"]).get_json()
    assert behind["progress"]["total"] >= 16, behind["progress"]  # read as many paragraphs
    assert behind["status"] == "processing", behind
    print(f"short article done {waited:.1f} s after posting; huge one at {behind['progress']}")


def test_an_edit_to_one_sentence_of_a_huge_paragraph_remakes_only_its_piece(
    client, worker, settings
):
    """A 30,000-character line is made as many pieces, each a segment of its own with its
    own timing, read one after another with a sentence's pause; re-posted with one
    sentence changed, only the piece holding it is made again (about a minute of audio,
    not the whole line), the rest are reused."""
    rng = random.Random(7)
    sentences = [f"{rng.choice(NEWS)[:-1]}, item {n}." for n in range(430)]
    text = "One line\n\n" + " ".join(sentences)
    first = client.post("/api/v1/articles", json={"text": text, "external_id": "huge"})
    done = wait_for(client, first.get_json()["links"]["self"], "done")[-1]
    before = client.get(done["links"]["timings"]).get_json()["paragraphs"]
    assert len(before) >= 16 and len(before) == done["progress"]["total"]
    assert all(len(p["text"]) <= 2000 for p in before)  # about two minutes of speech each
    assert " ".join(p["text"] for p in before[1:]).split() == " ".join(sentences).split()
    gaps = [b["start_ms"] - a["end_ms"] for a, b in pairwise(before)]
    assert gaps[0] > 1000  # after the title
    assert all(350 < gap < 450 for gap in gaps[1:]), gaps  # a sentence's pause, not 650 ms
    listed = client.get(f"/api/v1/articles/{done['id']}/segments.json").get_json()
    assert [(s["start_ms"], s["end_ms"]) for s in listed["segments"]] == [
        (p["start_ms"], p["end_ms"]) for p in before
    ]  # a player streaming it piece by piece hears the same pauses

    sentences[200] = sentences[200][:-1] + ", or so the council said."
    edited = "One line\n\n" + " ".join(sentences)
    second = client.post("/api/v1/articles", json={"text": edited, "external_id": "huge"})
    assert second.get_json()["revision"] == 2
    redone = wait_for(client, second.get_json()["links"]["self"], "done")[-1]
    after = client.get(redone["links"]["timings"]).get_json()["paragraphs"]
    assert [p["text"] for p in after] == redone["paragraphs"]  # read-along lines up
    made_again = [p for p in after if p["text"] not in {q["text"] for q in before}]
    assert 1 <= len(made_again) <= 2, made_again
    assert sum(len(p["text"]) for p in made_again) <= 2000  # not the whole line again
    assert synthesised_by_revision(settings, done["id"]) == {1: len(before), 2: len(made_again)}
    changed = after.index(made_again[0])
    assert [p["text"] for p in after[:changed]] == [p["text"] for p in before[:changed]]
    assert after[:changed] == before[:changed]  # the same segments, where they were
