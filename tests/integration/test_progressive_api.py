"""The paragraphs ready so far, as segments a player appends while the rest is made."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.support.engines import FakeEngineSynthesizer
from tests.support.harness import clean_submitted, run_job
from tests.support.openapi_check import conforms
from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow
from workers.runtime import jobs

pytestmark = pytest.mark.integration

ARTICLE = "A headline for the test\n\n" + "\n\n".join(
    f"Paragraph {n} says a sentence or two of its own, with number {n} in it." for n in range(6)
)


def submitted(client, settings) -> tuple[str, int, list[int]]:
    created = client.post("/api/v1/articles", json={"text": ARTICLE}).get_json()
    clean_submitted(settings)  # the worker's first step
    with session_scope(settings.database_url) as session:
        revision = session.get_one(ArticleRow, created["id"]).current
        return created["id"], revision.job.id, [p.id for p in revision.paragraphs]


def listing(client, article_id: str) -> dict:
    response = client.get(f"/api/v1/articles/{article_id}/segments.json")
    return conforms(response, "/api/v1/articles/{article_id}/segments.json", "get")


def body(client, url: str):
    parts = urlsplit(url)
    return client.get(parts.path, query_string=parts.query)


def playable(client, article_id: str) -> int:
    return client.get(f"/api/v1/articles/{article_id}/status").get_json()["progress"]["playable"]


def test_the_first_paragraph_is_a_task_of_its_own(client, settings):
    _, job_id, paragraph_ids = submitted(client, settings)
    plan = jobs.start(settings, job_id)
    assert plan.to_synthesise[0] == paragraph_ids[:1]
    assert plan.to_synthesise[1][0] == paragraph_ids[1]


def test_only_the_run_from_the_first_paragraph_is_listed(client, settings, tmp_path):
    article_id, job_id, ids = submitted(client, settings)
    assert listing(client, article_id)["segments"] == [] and playable(client, article_id) == 0
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        jobs.start(settings, job_id)
        for paragraph_id in (ids[0], ids[2]):  # not the second: the third cannot play yet
            jobs.synthesise_paragraph(settings, job_id, paragraph_id, lambda v, r: synth)
    listed = listing(client, article_id)
    assert [s["index"] for s in listed["segments"]] == [0] and not listed["complete"]
    assert playable(client, article_id) == 1
    first = body(client, listed["segments"][0]["url"])
    assert first.status_code == 200 and first.mimetype == "audio/mpeg"
    assert first.data[:2] == b"\xff\xf3"  # an MPEG-2 Layer III frame, no tag
    ahead = body(client, listed["segments"][0]["url"].replace("/0.mp3", "/2.mp3"))
    assert ahead.status_code == 409 and ahead.headers["Retry-After"] == "1"
    beyond = body(client, listed["segments"][0]["url"].replace("/0.mp3", "/7.mp3"))
    assert beyond.status_code == 404


def test_the_segments_in_order_are_the_finished_mp3_and_its_timings(client, settings, tmp_path):
    article_id, job_id, _ = submitted(client, settings)
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        run_job(settings, job_id, synth, stitch=False)
        before_join = listing(client, article_id)
        assert before_join["complete"] and len(before_join["segments"]) == 7
        streamed = b"".join(body(client, s["url"]).data for s in before_join["segments"])
        jobs.stitch(settings, job_id, lambda v, r: synth)
    mp3 = client.get(f"/api/v1/articles/{article_id}/audio.mp3").data
    tag = 10 + sum(b << (7 * (3 - i)) for i, b in enumerate(mp3[6:10]))  # ID3 syncsafe size
    assert mp3[:3] == b"ID3" and mp3[tag:] == streamed
    timings = client.get(f"/api/v1/articles/{article_id}/timings.json").get_json()
    assert before_join["duration_ms"] == timings["duration_ms"]
    assert [
        {k: s[k] for k in ("index", "start_ms", "end_ms", "text")} for s in before_join["segments"]
    ] == timings["paragraphs"]
    assert listing(client, article_id) == before_join


def test_a_failed_article_lists_nothing_and_says_why(client, settings):
    article_id, job_id, _ = submitted(client, settings)
    jobs.fail(settings, job_id, "the engine crashed")
    response = client.get(f"/api/v1/articles/{article_id}/segments.json")
    assert response.status_code == 409 and "the engine crashed" in response.get_json()["detail"]
