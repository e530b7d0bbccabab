"""Submit through the API, convert in a real `celery worker` with the real engine."""

from __future__ import annotations

import signal
import time
from urllib.parse import urlsplit

import pytest

from tests.support.decode import decode_mp3
from tests.support.harness import start_worker, stop_worker, synthesised_by_revision
from tests.support.paths import SEED, SEED_EXPECTED
from tests.support.waits import wait_for, wait_until
from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow

pytestmark = pytest.mark.integration

EXPECTED = SEED_EXPECTED.read_text(encoding="utf-8").strip().split("\n\n")


def test_seed_is_converted_by_a_real_worker(client, worker, artifacts):
    created = client.post("/api/v1/articles", json={"text": SEED.read_text(encoding="utf-8")})
    assert created.status_code == 202
    links = created.get_json()["links"]
    states = wait_for(client, links["self"], "done")

    done_counts = [s["progress"]["done"] for s in states]
    assert done_counts == sorted(done_counts)
    assert len(set(done_counts)) >= 3, states  # progress rose in steps, not all at once
    assert states[-1]["progress"]["percent"] == 100

    whole = client.get(links["audio"])
    (artifacts / "worker-seed.mp3").write_bytes(whole.data)
    size = len(whole.data)
    first = client.get(links["audio"], headers={"Range": f"bytes=0-{size // 2 - 1}"})
    rest = client.get(links["audio"], headers={"Range": f"bytes={size // 2}-"})
    assert (first.status_code, rest.status_code) == (206, 206)
    assert first.data + rest.data == whole.data

    samples, rate, channels = decode_mp3(artifacts / "worker-seed.mp3")
    timings = client.get(links["timings"]).get_json()
    assert (rate, channels) == (22050, 1)
    assert len(samples) / rate * 1000 == pytest.approx(timings["duration_ms"], abs=0.5)
    assert [p["text"] for p in timings["paragraphs"]] == EXPECTED
    assert client.get(links["self"]).get_json()["duration_ms"] == timings["duration_ms"]


def test_a_long_article_plays_its_first_paragraph_before_its_last_are_said(
    client, worker, settings
):
    """The first paragraph is said, made and playable while the end of a long article is
    still written text: first audio does not wait for the whole article to be said."""
    count = 300
    text = "The headline of a long article\n\n" + "\n\n".join(
        f"Paragraph {n} costs £{n}m, up {n}% on 15/02/2023, says No. 10." for n in range(count)
    )
    created = client.post("/api/v1/articles", json={"text": text}).get_json()
    base = f"/api/v1/articles/{created['id']}"
    seen: list[dict] = []

    def playable() -> bool:
        seen.append(client.get(base + "/status").get_json()["progress"])
        return seen[-1]["playable"] > 0

    wait_until(playable, 60, "the first paragraph playable", interval=0.02)
    with session_scope(settings.database_url) as session:
        revision = session.get_one(ArticleRow, created["id"]).current
        said = [p.text for p in revision.paragraphs]
    assert said[0] == "The headline of a long article"
    assert len(said) < count // 2, len(said)  # the last paragraphs are not said yet
    assert not any(t.startswith(f"Paragraph {count - 1} ") for t in said)
    assert {p["total"] for p in seen if p["total"]} == {count + 1}  # right from the start
    first = client.get(base + "/segments.json").get_json()["segments"][0]
    assert client.get(urlsplit(first["url"]).path).status_code == 200
    assert client.delete(base).status_code == 204  # its lanes find no job and stop


def test_a_revision_synthesises_only_what_changed_and_deleting_leaves_no_segments(
    client, worker, settings
):
    text = SEED.read_text(encoding="utf-8")
    first = client.post("/api/v1/articles", json={"text": text, "external_id": "seed"})
    done = wait_for(client, first.get_json()["links"]["self"], "done")[-1]
    segments = settings.audio_dir / "segments"
    assert len(list(segments.rglob("*.mp3"))) == len(EXPECTED)  # kept for the next revision
    before = client.get(first.get_json()["links"]["timings"]).get_json()["paragraphs"]
    edited = text.replace("this weekend.", "this weekend, officials said.")
    second = client.post("/api/v1/articles", json={"text": edited, "external_id": "seed"})
    assert second.get_json()["revision"] == 2
    redone = wait_for(client, second.get_json()["links"]["self"], "done")[-1]
    assert redone["duration_ms"] > done["duration_ms"]  # two more words are read
    timings = client.get(second.get_json()["links"]["timings"]).get_json()
    after = timings["paragraphs"]
    changed = next(i for i, p in enumerate(after) if "officials said" in p["text"])
    assert after[:changed] == before[:changed]  # the same segments, where they were
    longer = after[changed]["end_ms"] - after[changed]["start_ms"]
    assert longer > before[changed]["end_ms"] - before[changed]["start_ms"]
    assert len(after) == len(before)
    assert synthesised_by_revision(settings, done["id"]) == {1: len(EXPECTED), 2: 1}
    assert client.delete(second.get_json()["links"]["self"]).status_code == 204
    assert list(segments.rglob("*.mp3")) == []


def test_a_job_whose_worker_died_is_finished_by_the_next_worker(client, settings, app, tmp_path):
    long_article = "Headline\n\n" + "\n\n".join(
        f"Paragraph {n} has a few words of its own to say, number {n}." for n in range(40)
    )
    created = client.post("/api/v1/articles", json={"text": long_article}).get_json()
    doomed = start_worker(settings, tmp_path / "doomed.log", name="doomed")
    deadline = time.monotonic() + 60
    while client.get(created["links"]["self"]).get_json()["progress"]["done"] < 3:
        assert time.monotonic() < deadline, "the first worker never started"
        time.sleep(0.05)
    doomed.send_signal(signal.SIGKILL)  # no warm shutdown, no chance to hand work back
    doomed.wait()
    interrupted = client.get(created["links"]["self"]).get_json()
    assert interrupted["status"] == "processing"
    assert interrupted["progress"]["done"] < interrupted["progress"]["total"]

    rescuer = start_worker(settings, tmp_path / "rescuer.log", name="rescuer")
    try:
        wait_for(client, created["links"]["self"], "done", timeout=180)
    finally:
        stop_worker(rescuer)
    timings = client.get(created["links"]["timings"]).get_json()
    assert len(timings["paragraphs"]) == 41


def test_a_paragraph_that_keeps_failing_fails_the_job_with_a_clear_error(
    client, settings, tmp_path
):
    (tmp_path / "nolib").mkdir()
    (tmp_path / "nolib" / "libespeak-ng.so.1").write_bytes(b"")  # the engine cannot load
    worker = start_worker(
        settings, tmp_path / "broken.log", extra_env={"LD_LIBRARY_PATH": str(tmp_path / "nolib")}
    )
    try:
        created = client.post("/api/v1/articles", json={"text": "Headline\n\nBody."}).get_json()
        deadline = time.monotonic() + 60
        while (body := client.get(created["links"]["self"]).get_json())["status"] != "failed":
            assert time.monotonic() < deadline, body
            time.sleep(0.1)
    finally:
        stop_worker(worker)
    assert "speech engine unavailable" in body["error"]
    assert "espeak-ng" in body["error"]
    audio = client.get(created["links"]["audio"])
    assert audio.status_code == 409
    assert "could not be converted" in audio.get_json()["detail"]
