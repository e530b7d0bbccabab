"""Every endpoint and every error of /api/v1 through Flask's test client, against the
real catalog and Redis. Jobs are run in-process with the fake engine, so these tests
are about HTTP; test_worker.py runs the real worker and engine."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest

from tests.support.articles import post_seed
from tests.support.engines import FakeEngineSynthesizer
from tests.support.harness import clean_submitted, run_job, run_jobs_in_process
from tests.support.openapi_check import conforms
from tests.support.paths import SEED, SEED_EXPECTED
from tests.support.services import queue_key
from tests.support.waits import wait_until
from workers.catalog.db import session_scope
from workers.catalog.models import JobRow
from workers.runtime import jobs

pytestmark = pytest.mark.integration

SEED_TEXT = SEED.read_text(encoding="utf-8")
EXPECTED = SEED_EXPECTED.read_text(encoding="utf-8").strip().split("\n\n")


def queued_jobs(broker) -> list[int]:
    messages = [json.loads(m) for m in broker.lrange(queue_key("narrate"), 0, -1)]
    return [json.loads(base64.b64decode(m["body"]))[0][0] for m in messages]


def test_post_json_answers_202_with_links_and_queues_one_job(client, broker, settings):
    response = post_seed(client)
    body = conforms(response, "/api/v1/articles", "post")
    assert response.status_code == 202
    assert response.headers["Location"] == body["links"]["self"]
    assert body["status"] == "cleaning"  # stored as sent: the worker cleans it
    assert body["title"] == SEED_TEXT.splitlines()[0]  # until then, the first line
    assert body["progress"] == {"done": 0, "total": 0, "percent": 0}
    assert body["links"]["audio"].endswith(f"/api/v1/articles/{body['id']}/audio.mp3")
    assert body["links"]["player"].endswith(f"/player/{body['id']}")
    assert len(queued_jobs(broker)) == 1
    assert client.get(body["links"]["self"]).get_json()["paragraphs"] == []
    clean_submitted(settings)
    cleaned = conforms(client.get(body["links"]["self"]), "/api/v1/articles/{article_id}")
    assert cleaned["status"] == "queued"
    assert cleaned["progress"] == {"done": 0, "total": len(EXPECTED), "percent": 0}
    assert (cleaned["title"], cleaned["paragraphs"]) == (EXPECTED[0], EXPECTED)


@pytest.mark.parametrize(
    ("content_type", "payload"),
    [
        ("text/plain", SEED_TEXT.encode()),
        (
            "text/html",
            f"<html><body><article><h1>{EXPECTED[0]}</h1>".encode()
            + "".join(f"<p>{p}</p>" for p in EXPECTED[1:]).encode()
            + b"</article></body></html>",
        ),
    ],
    ids=["text", "html"],
)
def test_post_plain_text_and_html(client, settings, content_type, payload):
    response = client.post("/api/v1/articles", data=payload, content_type=content_type)
    assert response.status_code == 202, response.get_json()
    clean_submitted(settings)
    article = client.get(response.headers["Location"]).get_json()
    assert article["paragraphs"] == EXPECTED


def test_post_multipart_file_with_options(client, settings):
    response = client.post(
        "/api/v1/articles",
        data={"file": (io.BytesIO(SEED_TEXT.encode()), "seed.txt"), "rate": "160"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202
    clean_submitted(settings)
    article = client.get(response.headers["Location"]).get_json()
    assert article["rate"] == 160
    assert article["byline"] == "Emma Soteriou"


def test_json_title_and_metadata_are_kept(client, settings):
    response = client.post(
        "/api/v1/articles",
        json={
            "title": "A headline",
            "text": "The first paragraph.",
            "source_url": "https://example.com/story",
            "external_id": "cms-1",
        },
    )
    clean_submitted(settings)
    article = client.get(response.headers["Location"]).get_json()
    assert article["paragraphs"] == ["A headline", "The first paragraph."]
    assert article["source_url"] == "https://example.com/story"
    assert article["external_id"] == "cms-1"


def test_identical_resubmission_returns_the_same_article_and_queues_nothing(client, broker):
    first = post_seed(client).get_json()
    again = post_seed(client)
    assert again.status_code == 200
    assert conforms(again, "/api/v1/articles", "post")["id"] == first["id"]
    assert len(queued_jobs(broker)) == 1


def test_resubmitting_an_article_that_failed_tries_again(client, broker, settings):
    first = post_seed(client, external_id="story-7").get_json()
    jobs.fail(settings, queued_job_id(settings), "the engine crashed")
    assert client.get(first["links"]["self"]).get_json()["status"] == "failed"
    again = post_seed(client, external_id="story-7")
    assert again.status_code == 202
    body = conforms(again, "/api/v1/articles", "post")
    assert (body["id"], body["revision"], body["status"]) == (first["id"], 2, "cleaning")
    assert len(queued_jobs(broker)) == 2
    assert post_seed(client, external_id="story-7").status_code == 200  # cleaning: no third


def test_changed_text_for_the_same_external_id_is_a_new_revision(client, broker):
    first = post_seed(client, external_id="story-42").get_json()
    changed = post_seed(client, external_id="story-42", title="Updated headline")
    assert changed.status_code == 202
    body = changed.get_json()
    assert (body["id"], body["revision"]) == (first["id"], 2)
    assert body["title"] == "Updated headline"
    assert len(queued_jobs(broker)) == 2


def segment_files(settings) -> list[Path]:
    return sorted((settings.audio_dir / "segments").rglob("*.mp3"))


def test_put_revises_and_regenerates_sharing_the_unchanged_paragraphs(client, settings, tmp_path):
    created = post_seed(client).get_json()
    first_job = queued_job_id(settings)
    edited = SEED_TEXT.replace("this weekend.", "this weekend, officials said.")
    response = client.put(
        f"/api/v1/articles/{created['id']}", data=edited.encode(), content_type="text/plain"
    )
    assert conforms(response, "/api/v1/articles/{article_id}", "put")["revision"] == 2
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        run_job(settings, first_job, synth)  # revision 1 finishes while 2 waits
    assert len(segment_files(settings)) == len(EXPECTED)  # the latest finished revision's
    plan = jobs.start(settings, queued_job_id(settings))
    assert [len(chunk) for chunk in plan.to_synthesise] == [1]  # the one changed paragraph


def test_segments_stay_after_their_job_and_go_with_the_article(client, settings, tmp_path):
    created = post_seed(client).get_json()
    run_jobs_in_process(settings, tmp_path)
    assert client.get(created["links"]["self"]).get_json()["status"] == "done"
    first = segment_files(settings)
    assert len(first) == len(EXPECTED)  # kept, so an edit synthesises only what changed
    assert client.get(created["links"]["audio"]).status_code == 200
    edited = SEED_TEXT.replace("this weekend.", "this weekend, officials said.")
    client.put(created["links"]["self"], data=edited.encode(), content_type="text/plain")
    run_jobs_in_process(settings, tmp_path)
    second = segment_files(settings)
    assert set(first) < set(second) and len(second) == len(EXPECTED) + 1  # the edit's one
    assert client.delete(created["links"]["self"]).status_code == 204
    assert segment_files(settings) == []


def test_stitch_makes_a_missing_segment_again(client, settings, tmp_path):
    created = post_seed(client).get_json()
    job_id = queued_job_id(settings)
    count = tmp_path / "count"
    with FakeEngineSynthesizer("ok", count) as synth:
        run_job(settings, job_id, synth, stitch=False)
        segment_files(settings)[0].unlink()  # lost with a disk, say
        assert jobs.stitch(settings, job_id, lambda v, r: synth) is not None
    assert int(count.read_text()) == len(EXPECTED) + 1  # one request per paragraph, one more
    timings = client.get(created["links"]["timings"]).get_json()
    assert [p["text"] for p in timings["paragraphs"]] == EXPECTED
    assert all(p["end_ms"] > p["start_ms"] for p in timings["paragraphs"])


def test_deleting_an_unfinished_article_releases_its_segments(client, settings, tmp_path):
    created = post_seed(client).get_json()
    job_id = queued_job_id(settings)
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        first = jobs.start(settings, job_id).to_synthesise[0][0]
        jobs.synthesise_paragraph(settings, job_id, first, lambda v, r: synth)
    assert len(segment_files(settings)) == 1
    assert client.delete(created["links"]["self"]).status_code == 204
    assert segment_files(settings) == []


def queued_job_id(settings) -> int:
    with session_scope(settings.database_url) as session:
        waiting = session.query(JobRow).filter(JobRow.status.in_(("cleaning", "queued")))
        return waiting.order_by(JobRow.id).first().id  # the oldest


def test_put_to_an_unknown_article_is_404(client):
    response = client.put(
        "/api/v1/articles/nope", data=b"Title\n\nText.", content_type="text/plain"
    )
    assert response.status_code == 404


def test_get_article_reports_text_removed_lines_and_progress(client, settings, tmp_path):
    created = post_seed(client).get_json()
    clean_submitted(settings)
    queued = client.get(created["links"]["self"])
    body = conforms(queued, "/api/v1/articles/{article_id}")
    assert body["status"] == "queued"
    assert body["paragraphs"] == EXPECTED
    assert {"text": "By Emma Soteriou", "rule": "byline", "position": 1} in body["removed"]
    assert body["language"] == "en"
    assert body["published"] == "2023-02-15T00:36"
    run_jobs_in_process(settings, tmp_path)
    done = conforms(client.get(created["links"]["self"]), "/api/v1/articles/{article_id}")
    assert done["status"] == "done"
    assert done["progress"] == {"done": len(EXPECTED), "total": len(EXPECTED), "percent": 100}
    assert done["duration_ms"] > 0
    assert done["error"] is None


def test_audio_before_it_is_ready_says_when_to_retry(client):
    created = post_seed(client).get_json()
    for link in ("audio", "timings", "captions"):
        response = client.get(created["links"][link])
        assert response.status_code == 409
        assert response.headers["Retry-After"] == "5"
        assert "still being made" in response.get_json()["detail"]


@pytest.mark.also_on_s3
def test_audio_download_with_range_etag_and_file_name(client, settings, tmp_path):
    created = post_seed(client).get_json()
    run_jobs_in_process(settings, tmp_path)
    url = created["links"]["audio"]
    whole = client.get(url)
    assert whole.status_code == 200
    assert whole.mimetype == "audio/mpeg"
    assert whole.data[:3] == b"ID3"
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert "Last-Modified" in whole.headers
    assert "max-age=60" in whole.headers["Cache-Control"]
    assert "filename=west-risks-running-out-of-ammunition" in whole.headers["Content-Disposition"]
    assert whole.headers["Content-Disposition"].startswith("inline")
    attachment = client.get(url + "?download=1")
    assert attachment.headers["Content-Disposition"].startswith("attachment")

    part = client.get(url, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.data == whole.data[100:1100]
    assert part.headers["Content-Range"] == f"bytes 100-1099/{len(whole.data)}"

    etag = whole.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"Range": f"bytes={len(whole.data) + 10}-"}).status_code == 416


@pytest.mark.also_on_s3
def test_timings_and_captions(client, settings, tmp_path):
    created = post_seed(client).get_json()
    run_jobs_in_process(settings, tmp_path)
    timings = client.get(created["links"]["timings"])
    body = conforms(timings, "/api/v1/articles/{article_id}/timings.json")
    assert [p["text"] for p in body["paragraphs"]] == EXPECTED
    captions = client.get(created["links"]["captions"])
    assert captions.mimetype == "text/vtt"
    assert captions.data.decode().startswith("WEBVTT")


def test_list_is_paginated_and_filters_by_status(client, settings, tmp_path):
    for n in range(3):
        client.post("/api/v1/articles", json={"text": f"Headline {n}\n\nStory number {n}."})
    run_jobs_in_process(settings, tmp_path)
    client.post("/api/v1/articles", json={"text": "Late headline\n\nStill queued."})
    page = conforms(client.get("/api/v1/articles?per_page=2"), "/api/v1/articles")
    assert (page["total"], len(page["items"]), page["items"][0]["title"]) == (4, 2, "Late headline")
    second = client.get("/api/v1/articles?per_page=2&page=2").get_json()
    assert len(second["items"]) == 2
    done = client.get("/api/v1/articles?status=done").get_json()
    assert done["total"] == 3
    assert {item["status"] for item in done["items"]} == {"done"}
    cleaning = client.get("/api/v1/articles?status=cleaning").get_json()
    assert [item["title"] for item in cleaning["items"]] == ["Late headline"]
    bad = client.get("/api/v1/articles?status=nonsense")
    assert bad.status_code == 400
    assert "status must be one of" in conforms(bad, "/api/v1/articles")["detail"]


def test_delete_removes_rows_and_files(client, settings, tmp_path):
    created = post_seed(client).get_json()
    run_jobs_in_process(settings, tmp_path)
    folder = settings.audio_dir / "articles" / created["id"]
    assert any(folder.iterdir())
    assert client.delete(created["links"]["self"]).status_code == 204
    assert not folder.exists()
    assert client.get(created["links"]["self"]).status_code == 404
    assert client.delete(created["links"]["self"]).status_code == 404


@pytest.mark.parametrize(
    ("kwargs", "status", "says"),
    [
        ({"data": b"{not json", "content_type": "application/json"}, 400, "not valid JSON"),
        ({"json": ["a", "list"]}, 400, "must be an object"),
        ({"json": {"title": "Only a title"}}, 400, "exactly one of 'text'"),
        ({"json": {"text": "T\n\nx.", "colour": "red"}}, 400, "unknown field(s) colour"),
        ({"json": {"text": "T\n\nx.", "rate": 5}}, 400, "rate must be a whole number"),
        ({"json": {"text": "T\n\nx.", "voice": "en gb!"}}, 400, "not a voice name"),
        ({"json": {"text": "T\n\nx.", "callback_url": "ftp://x"}}, 400, "http(s) URL"),
        ({"data": b"x", "content_type": "application/pdf"}, 415, "is not accepted"),
        (
            {
                "data": {"file": (b"%PDF", "a.pdf")},
                "content_type": "multipart/form-data",
            },
            415,
            "upload a .txt or .html file",
        ),
        ({"data": {"other": "x"}, "content_type": "multipart/form-data"}, 400, "named 'file'"),
        ({"data": b"\xff\xfe\x00bad", "content_type": "text/plain"}, 400, "not UTF-8"),
        ({"data": b"x" * 1_000_001, "content_type": "text/plain"}, 413, "larger than the limit"),
    ],
    ids=[
        "malformed-json",
        "json-list",
        "no-text",
        "unknown-field",
        "bad-rate",
        "bad-voice",
        "bad-callback",
        "unsupported-type",
        "unsupported-file",
        "no-file",
        "not-utf8",
        "too-large",
    ],
)
def test_bad_submissions_get_a_problem_that_says_what_to_change(
    client, broker, kwargs, status, says
):
    if isinstance(kwargs.get("data"), dict) and "file" in kwargs["data"]:
        content, name = kwargs["data"]["file"]
        kwargs = {**kwargs, "data": {"file": (io.BytesIO(content), name)}}
    response = client.post("/api/v1/articles", **kwargs)
    assert response.status_code == status
    body = conforms(response, "/api/v1/articles", "post")
    assert says in body["detail"]
    assert response.mimetype == "application/problem+json"
    assert queued_jobs(broker) == []


NOTHING_TO_READ = [
    ({"data": b"", "content_type": "text/plain"}, "it is empty"),
    ({"data": b"  \n\t\n  ", "content_type": "text/plain"}, "no letter or digit"),
    ({"data": b"!!! ---\n\n* * *", "content_type": "text/plain"}, "no letter or digit"),
    ({"json": {"text": " \n\n \u3000 "}}, "no letter or digit"),
    ({"json": {"html": "<p> </p><div>&nbsp;&mdash;</div>"}}, "outside its tags"),
    ({"data": b"<html><body><p>!!!</p></body></html>", "content_type": "text/html"}, "tags"),
    ({"data": {"file": (b"   ", "a.txt")}, "content_type": "multipart/form-data"}, "letter"),
]


@pytest.mark.parametrize("method", ["post", "put"])
@pytest.mark.parametrize(
    ("kwargs", "says"),
    NOTHING_TO_READ,
    ids=["empty", "whitespace", "punctuation", "json-spaces", "json-html", "html", "upload"],
)
def test_nothing_to_read_at_all_is_refused_at_the_door(
    client, broker, settings, method, kwargs, says
):
    """Empty, only whitespace, or no letter or digit (in HTML, outside its tags): a 422
    that says what to send, and no job (it had been a 202 and a job that failed later)."""
    path, template = "/api/v1/articles", "/api/v1/articles"
    if method == "put":
        created = client.post(path, json={"text": "Headline\n\nA paragraph."}).get_json()
        path, template = created["links"]["self"], "/api/v1/articles/{article_id}"
    with session_scope(settings.database_url) as session:
        jobs_before = session.query(JobRow).count()
    if isinstance(kwargs.get("data"), dict):
        content, name = kwargs["data"]["file"]
        kwargs = {**kwargs, "data": {"file": (io.BytesIO(content), name)}}
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == 422
    body = conforms(response, template, method)
    assert says in body["detail"] and "send" in body["detail"], body["detail"]
    assert response.mimetype == "application/problem+json"
    with session_scope(settings.database_url) as session:
        assert session.query(JobRow).count() == jobs_before


def test_nothing_to_read_is_accepted_then_fails_with_the_cleaners_message(client, settings):
    response = client.post("/api/v1/articles", json={"text": "Share this article\n\nAdvertisement"})
    assert response.status_code == 202  # only the cleaner can tell, and it runs in the worker
    job_id = queued_job_id(settings)
    assert clean_submitted(settings) == [job_id]
    article = conforms(client.get(response.headers["Location"]), "/api/v1/articles/{article_id}")
    assert article["status"] == "failed"
    assert "nothing left to read" in article["error"]
    assert article["paragraphs"] == []
    audio = client.get(article["links"]["audio"])
    assert audio.status_code == 409
    assert "nothing left to read" in audio.get_json()["detail"]


def test_unknown_ids_and_paths_are_404_problems(client):
    for url in ("/api/v1/articles/missing", "/api/v1/articles/missing/audio.mp3"):
        response = client.get(url)
        assert response.status_code == 404
        assert "no article 'missing'" in response.get_json()["detail"]
    assert client.get("/api/v2/whatever").get_json()["status"] == 404


@pytest.mark.also_on_s3
def test_health_and_readiness(client):
    assert conforms(client.get("/healthz"), "/healthz") == {"status": "ok"}
    ready = conforms(client.get("/readyz"), "/readyz")
    checks = {"database": True, "broker": True, "storage": True}
    assert ready == {"status": "ready", "checks": checks, "oldest_unfinished_job_age_s": None}
    client.post("/api/v1/articles", json={"text": "Waiting\n\nNo worker runs here."})
    wait_until(
        lambda: (
            (conforms(client.get("/readyz"), "/readyz")["oldest_unfinished_job_age_s"] or 0) >= 0.2
        ),
        10,
        "the unfinished job's age counted up",
    )


def test_readiness_fails_when_the_broker_is_unreachable(settings):
    from service.app import create_app

    broken = settings.with_overrides(redis_url="redis://127.0.0.1:1/0")
    client = create_app({"TESTING": True, "NARRATE_SETTINGS": broken}).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": True, "broker": False, "storage": True}


def test_readiness_says_which_part_is_away_when_the_database_is_unreachable(settings):
    from service.app import create_app

    away = settings.with_overrides(database_url="postgresql+psycopg://narrate@127.0.0.1:1/x")
    client = create_app({"TESTING": True, "NARRATE_SETTINGS": away}).test_client()
    response = client.get("/readyz")  # no key check may need the database first
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": False, "broker": True, "storage": True}


def test_openapi_document_is_served_and_lists_every_api_route(client, app):
    served = conforms(client.get("/api/v1/openapi.json"), "/api/v1/openapi.json")
    documented = set(served["paths"])
    routes = {
        str(rule)
        .replace("<article_id>", "{article_id}")
        .replace("<batch_id>", "{batch_id}")
        .replace("<name>", "{name}")
        .replace("<key_id>", "{key_id}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in {"api", "batches", "feeds", "keys", "speech"}
        or rule.endpoint in {"healthz", "readyz"}
    }
    assert routes <= documented, routes - documented
