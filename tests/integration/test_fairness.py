"""Fair scheduling with a real worker (2 processes) and the real engine: an article has
at most NARRATE_ARTICLE_IN_FLIGHT paragraph tasks queued or running, so a 2-paragraph
article posted behind a 1,000-paragraph one waits behind a few tasks, not a thousand.

Before lanes, every paragraph was queued at once: the short article's tasks went to the
back of 1,000, and it was done only after the long one's last paragraph. Likewise an
article of one huge paragraph: it was one task, which held the worker until it was done."""

from __future__ import annotations

import time

import pytest

from tests.support.harness import run_worker
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
