"""Batches over the API: every input shape, per-item failures, limits, cancel, the
archive, fairness against interactive work, and a real worker converting 20+ articles."""

from __future__ import annotations

import base64
import csv
import io
import json
import time
import zipfile

import pytest
from sqlalchemy import func, select

from tests.support.articles import article
from tests.support.harness import clean_submitted, run_jobs_in_process, run_worker
from tests.support.openapi_check import conforms
from tests.support.services import queue_key
from workers.catalog.db import session_scope
from workers.catalog.models import JobRow

pytestmark = pytest.mark.integration


def zipped(files: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def queued_jobs_by_queue(broker) -> dict[str, int]:
    return {queue: broker.llen(queue_key(queue)) for queue in ("narrate", "narrate-batch")}


def test_json_array_is_accepted_and_queued_on_the_batch_queue(client, broker, settings):
    response = client.post("/api/v1/batches", json=[article(n) for n in range(3)])
    assert response.status_code == 202
    body = conforms(response, "/api/v1/batches", "post")
    assert response.headers["Location"] == body["links"]["self"]
    assert (body["total"], body["counts"]["cleaning"], body["status"]) == (3, 3, "queued")
    # one message for the batch's jobs, which a worker fans out one convert task each
    assert queued_jobs_by_queue(broker) == {"narrate": 0, "narrate-batch": 1}
    message = json.loads(broker.lindex(queue_key("narrate-batch"), 0))
    assert message["headers"]["task"] == "narrate.convert_many"
    with session_scope(settings.database_url) as session:
        job_ids = sorted(session.scalars(select(JobRow.id)))
    assert json.loads(base64.b64decode(message["body"]))[0] == [job_ids, "narrate-batch"]


def test_one_bad_item_fails_alone_with_its_reason(client, settings, tmp_path):
    items = [article(1), {"text": "Share this article\n\nAdvertisement"}, {"title": 5}, article(2)]
    body = client.post("/api/v1/batches", json=items).get_json()
    assert body["counts"]["failed"] == 1  # what the request can tell; the cleaner finds more
    listing = conforms(client.get(body["links"]["self"]), "/api/v1/batches/{batch_id}")
    failed = {
        item["position"]: item["error"] for item in listing["items"] if item["status"] == "failed"
    }
    assert "send exactly one of 'text'" in failed[2] or "must be a string" in failed[2]
    assert listing["items"][1]["status"] == "cleaning"
    run_jobs_in_process(settings, tmp_path)
    done = client.get(body["links"]["self"]).get_json()
    assert "nothing left to read" in done["items"][1]["error"]
    assert (done["counts"]["done"], done["counts"]["failed"], done["status"]) == (2, 2, "done")
    assert done["eta_seconds"] == 0


def test_ndjson_multipart_files_and_zip(client):
    ndjson = "\n".join(json.dumps(article(n)) for n in range(2)).encode()
    response = client.post("/api/v1/batches", data=ndjson, content_type="application/x-ndjson")
    assert response.get_json()["total"] == 2

    files = {
        "files": [
            (io.BytesIO(b"First title\n\nFirst story text."), "one.txt"),
            (
                io.BytesIO(
                    b"<html><body><article><h1>Second</h1><p>Second story text here.</p>"
                    b"</article></body></html>"
                ),
                "two.html",
            ),
            (io.BytesIO(b"%PDF-1.4"), "three.pdf"),
        ]
    }
    response = client.post("/api/v1/batches", data=files, content_type="multipart/form-data")
    body = response.get_json()
    assert (body["total"], body["counts"]["failed"]) == (3, 1)
    items = client.get(body["links"]["self"]).get_json()["items"]
    assert "upload a .txt or .html file" in items[2]["error"]

    archive = zipped(
        {f"stories/{n}.txt": f"Zip headline {n}\n\nZip story {n}.".encode() for n in range(4)}
    )
    response = client.post("/api/v1/batches", data=archive, content_type="application/zip")
    body = response.get_json()
    assert (body["total"], body["counts"]["cleaning"]) == (4, 4)
    names = [item["name"] for item in client.get(body["links"]["self"]).get_json()["items"]]
    assert names == [f"stories/{n}.txt" for n in range(4)]


@pytest.mark.parametrize(
    ("payload", "status", "says"),
    [
        (b"[]", 400, "has no articles"),
        (b'{"not": "a list"}', 400, "JSON array of articles"),
        (b"[{", 400, "not valid JSON"),
    ],
)
def test_whole_batch_errors(client, payload, status, says):
    response = client.post("/api/v1/batches", data=payload, content_type="application/json")
    assert response.status_code == status
    assert says in response.get_json()["detail"]


def test_zip_limits_are_enforced(client, app, settings):
    bomb = zipped({"bomb.txt": b"A headline\n\n" + b"a " * 500_000})
    response = client.post("/api/v1/batches", data=bomb, content_type="application/zip")
    assert response.status_code == 413
    assert "compressed" in response.get_json()["detail"]

    app.extensions["narrate.settings"] = settings.with_overrides(max_batch_items=3)
    many = zipped({f"{n}.txt": f"Title {n}\n\nText {n}.".encode() for n in range(5)})
    response = client.post("/api/v1/batches", data=many, content_type="application/zip")
    assert response.status_code == 413
    assert "at most 3" in response.get_json()["detail"]

    response = client.post("/api/v1/batches", data=b"not a zip", content_type="application/zip")
    assert response.status_code == 400


def test_batch_uploads_may_exceed_the_single_article_limit(client):
    # each under the per-article ceiling (200,000 characters), together over 1 MB
    items = [{"title": f"Long {n}", "text": ("Words of the story. " * 9_000)} for n in range(6)]
    payload = json.dumps(items).encode()
    assert len(payload) > 1_000_000
    response = client.post("/api/v1/batches", data=payload, content_type="application/json")
    assert response.status_code == 202
    assert response.get_json()["counts"]["cleaning"] == 6


def test_cancel_stops_what_has_not_started(client, settings, tmp_path):
    body = client.post("/api/v1/batches", json=[article(n) for n in range(4)]).get_json()
    with session_scope(settings.database_url) as session:
        first = session.query(JobRow).order_by(JobRow.id).first()
        first.status = "processing"  # as if a worker had started it
    cancelled = conforms(
        client.delete(body["links"]["self"]), "/api/v1/batches/{batch_id}", "delete"
    )
    assert cancelled["counts"]["cancelled"] == 3
    assert cancelled["counts"]["processing"] == 1
    assert client.delete("/api/v1/batches/nope").status_code == 404


def test_an_item_with_nothing_to_read_at_all_fails_alone_at_the_door(client):
    """An empty, blank or letterless item is refused as the request is taken in, with
    the reason, and only it: it had been stored and failed later by the worker."""
    items = [article(1), {"text": "  \n\n  "}, {"html": "<p>!!! &mdash;</p>"}, article(2)]
    body = client.post("/api/v1/batches", json=items).get_json()
    assert (body["total"], body["counts"]["cleaning"], body["counts"]["failed"]) == (4, 2, 2)
    listing = conforms(client.get(body["links"]["self"]), "/api/v1/batches/{batch_id}")
    statuses = [item["status"] for item in listing["items"]]
    assert statuses == ["cleaning", "failed", "failed", "cleaning"]
    assert "no letter or digit" in listing["items"][1]["error"]
    assert "outside its tags" in listing["items"][2]["error"]


@pytest.mark.also_on_s3
def test_archive_streams_finished_mp3s_timings_and_a_manifest(client, settings, tmp_path):
    items = [article(n) for n in range(3)] + [{"text": "Advertisement"}]
    body = client.post("/api/v1/batches", json=items).get_json()
    run_jobs_in_process(settings, tmp_path)
    response = client.get(body["links"]["archive"])
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert [row["status"] for row in manifest] == ["done", "done", "done", "failed"]
    for row in manifest[:3]:
        assert archive.read(row["mp3"])[:3] == b"ID3"
        timings = json.loads(archive.read(row["timings"]))
        assert int(row["duration_ms"]) == timings["duration_ms"]
        assert timings["paragraphs"][0]["text"] == row["title"]
    assert manifest[3]["mp3"] == "" and "nothing left to read" in manifest[3]["error"]
    assert len(archive.namelist()) == 3 * 2 + 1


def test_twenty_articles_through_a_real_worker(client, worker, broker):
    body = client.post("/api/v1/batches", json=[article(n) for n in range(22)]).get_json()
    deadline = time.monotonic() + 300
    while (status := client.get(body["links"]["self"]).get_json())["status"] != "done":
        assert time.monotonic() < deadline, status["counts"]
        time.sleep(0.5)
    assert status["counts"]["done"] == 22
    archive = zipfile.ZipFile(io.BytesIO(client.get(body["links"]["archive"]).data))
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert len(manifest) == 22
    assert [row["title"] for row in manifest] == [f"Headline number {n}" for n in range(22)]
    assert all(archive.read(row["mp3"])[:3] == b"ID3" for row in manifest)


def test_an_article_published_now_finishes_before_a_queued_backfill(client, settings, tmp_path):
    backfill = client.post(
        "/api/v1/batches", json=[article(n, paragraphs=4) for n in range(12)]
    ).get_json()
    urgent = client.post("/api/v1/articles", json=article(999, paragraphs=4)).get_json()
    for _ in run_worker(settings, tmp_path, concurrency=1):
        deadline = time.monotonic() + 300
        while client.get(backfill["links"]["self"]).get_json()["status"] != "done":
            assert time.monotonic() < deadline
            time.sleep(0.5)
    with session_scope(settings.database_url) as session:
        jobs = session.query(JobRow).all()
        urgent_done = next(j.finished_at for j in jobs if j.queue == "narrate")
        batch_done = sorted(j.finished_at for j in jobs if j.queue == "narrate-batch")
    assert client.get(urgent["links"]["self"]).get_json()["status"] == "done"
    assert urgent_done < batch_done[-1]
    assert urgent_done < batch_done[1], "the interactive article waited behind the backfill"


def test_repeated_content_and_external_ids_within_a_batch(client, settings):
    """Items stored together decide as one-by-one submissions would: the same content is
    one article and one job; an external_id's changed text is its next revision."""
    first, changed = "First text of the story.", "Changed text of the story."
    items = [
        article(1),
        article(1),
        {"external_id": "cms-7", "title": "Seven", "text": first},
        {"external_id": "cms-7", "title": "Seven", "text": changed},
        {"external_id": "cms-7", "title": "Seven", "text": changed},
    ]
    body = client.post("/api/v1/batches", json=items).get_json()
    listed = client.get(body["links"]["self"]).get_json()["items"]
    ids = [item["id"] for item in listed]
    assert ids[0] == ids[1] and ids[2] == ids[3] == ids[4] and ids[0] != ids[2]
    assert [item["status"] for item in listed] == ["cleaning"] * 5
    clean_submitted(settings)
    seven = client.get(f"/api/v1/articles/{ids[2]}").get_json()
    assert (seven["revision"], seven["paragraphs"]) == (2, ["Seven", changed])
    with session_scope(settings.database_url) as session:
        assert session.scalar(select(func.count(JobRow.id))) == 3
    again = client.post("/api/v1/batches", json=[items[0], items[4]]).get_json()
    relisted = client.get(again["links"]["self"]).get_json()["items"]
    assert [item["id"] for item in relisted] == [ids[0], ids[4]]
    with session_scope(settings.database_url) as session:
        assert session.scalar(select(func.count(JobRow.id))) == 3  # nothing new to make


def test_an_item_over_the_character_quota_fails_alone(client, app, settings):
    size = len(" ".join(article(0)["text"].split())) + len(article(0)["title"]) + 1
    app.extensions["narrate.settings"] = settings.with_overrides(
        limit_characters=f"{2 * size + 5}/hour"
    )
    body = client.post("/api/v1/batches", json=[article(n) for n in range(3)]).get_json()
    assert (body["counts"]["cleaning"], body["counts"]["failed"]) == (2, 1)
    failed = client.get(body["links"]["self"]).get_json()["items"][2]
    assert "NARRATE_LIMIT_CHARACTERS" in failed["error"]


def test_ten_thousand_items_are_all_taken_in(client, app, settings, broker):
    """The documented limit: every item stored and queued (timed in bench/batch_post.py)."""
    app.extensions["narrate.settings"] = settings.with_overrides(limit_characters="1000000000/hour")
    items = [article(n) for n in range(9_999)] + [{"title": 5}]
    body = client.post("/api/v1/batches", json=items).get_json()
    assert (body["total"], body["counts"]["cleaning"], body["counts"]["failed"]) == (
        10_000,
        9_999,
        1,
    )
    page = client.get(body["links"]["self"] + "?page=10&per_page=1000").get_json()
    assert [item["position"] for item in page["items"]] == list(range(9_000, 10_000))
    assert page["items"][-1]["error"] and page["items"][-2]["status"] == "cleaning"
    with session_scope(settings.database_url) as session:
        assert session.scalar(select(func.count(JobRow.id))) == 9_999
    assert queued_jobs_by_queue(broker)["narrate-batch"] == 20  # 500 jobs a message
