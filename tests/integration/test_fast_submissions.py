"""A submission is stored as received and answered at once; a real `celery worker` cleans
it (status "cleaning" until then), fails it with the cleaner's message when nothing is
left to read, and finds it again through the recovery sweep when its task is lost."""

from __future__ import annotations

import pytest

from tests.support.harness import run_worker
from tests.support.openapi_check import conforms
from tests.support.paths import SEED, SEED_EXPECTED
from tests.support.waits import wait_for, wait_until

pytestmark = pytest.mark.integration

EXPECTED = SEED_EXPECTED.read_text(encoding="utf-8").strip().split("\n\n")
PATH = "/api/v1/articles/{article_id}"


def test_an_article_is_cleaning_then_cleaned_and_made_by_a_real_worker(client, worker):
    created = client.post("/api/v1/articles", json={"text": SEED.read_text(encoding="utf-8")})
    body = conforms(created, "/api/v1/articles", "post")
    assert (created.status_code, body["status"]) == (202, "cleaning")
    states = wait_for(client, body["links"]["self"], "done")
    assert states[-1]["progress"]["total"] == len(EXPECTED)
    done = conforms(client.get(body["links"]["self"]), PATH)
    assert (done["title"], done["paragraphs"], done["language"]) == (EXPECTED[0], EXPECTED, "en")
    timings = client.get(body["links"]["timings"]).get_json()
    assert [p["text"] for p in timings["paragraphs"]] == EXPECTED


def test_while_cleaning_the_player_is_told_it_is_queued(client):
    created = client.post("/api/v1/articles", json={"text": "Headline\n\nA story."}).get_json()
    status = client.get(f"/api/v1/articles/{created['id']}/status")
    body = conforms(status, "/api/v1/articles/{article_id}/status")
    assert (body["status"], body["stage"]) == ("cleaning", "queued")
    assert body["progress"] == {"done": 0, "total": 0, "percent": 0, "playable": 0}
    assert client.get(created["links"]["audio"]).status_code == 409  # not ready, not failed


def test_nothing_to_read_fails_the_job_with_the_cleaners_message_and_a_webhook(
    client,
    worker,
    receiver,
):
    hook = receiver()
    created = client.post(
        "/api/v1/articles",
        json={"text": "Share this article\n\nAdvertisement", "callback_url": hook.url},
    )
    assert created.status_code == 202
    wait_until(lambda: hook.accepted(), timeout=60)
    (event,) = hook.accepted()
    assert event["event"] == "article.failed"
    assert "nothing left to read" in event["article"]["error"]
    article = conforms(client.get(created.get_json()["links"]["self"]), PATH)
    assert article["status"] == "failed"
    assert "nothing left to read" in article["error"]


class LostMessages:
    """A queue whose messages never arrive: a broker that lost them, say."""

    def __init__(self) -> None:
        self.lost: list[int] = []

    def convert(self, job_id: int, queue: str = "narrate") -> bool:
        self.lost.append(job_id)
        return True


def test_a_submission_whose_task_was_lost_is_cleaned_after_the_sweep_finds_it(
    app, client, settings, tmp_path
):
    environment = {"NARRATE_STALL_S": "1", "NARRATE_RECOVERY_INTERVAL_S": "0.5"}
    for _ in run_worker(settings, tmp_path, 1, extra_env=environment):
        # the worker is up (and has queued what was unfinished when it started: nothing)
        queue = app.extensions["narrate.queue"]
        app.extensions["narrate.queue"] = lost = LostMessages()
        try:
            created = client.post("/api/v1/articles", json={"text": "Lost\n\nThen found."})
        finally:
            app.extensions["narrate.queue"] = queue
        assert created.status_code == 202 and len(lost.lost) == 1
        url = created.get_json()["links"]["self"]
        requeued = f"job {lost.lost[0]}: no progress for 1 s; queued again"

        def swept(url: str = url, requeued: str = requeued) -> bool:
            status = client.get(url).get_json()["status"]
            found = requeued in (tmp_path / "worker.log").read_text()
            assert found or status == "cleaning", status  # nothing took it before the sweep
            return found

        wait_until(swept, 60, "the sweep queued the lost job again")
        wait_for(client, url, "done", timeout=60)
        assert client.get(url).get_json()["paragraphs"] == ["Lost", "Then found."]
