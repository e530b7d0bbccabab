"""50 identical submissions at the same moment, to a real gunicorn (two processes of 25
threads each), on SQLite and PostgreSQL: one article, one job, one task on the broker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.harness import environment_for
from tests.support.services import free_port, queue_key
from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow, JobRow

pytestmark = pytest.mark.integration

CLIENTS = 50


@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    log: Path

    def stacks(self) -> str:
        """Every worker thread's stack (tests/support/gunicorn_stacks.py), and the log."""
        children = subprocess.run(
            ["pgrep", "-P", str(self.pid)], capture_output=True, text=True
        ).stdout.split()
        for child in children:
            os.kill(int(child), signal.SIGUSR2)
        time.sleep(1)
        return self.log.read_text()


@pytest.fixture
def server(settings, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    log = tmp_path / "gunicorn.log"
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"),
            *("--workers", "2", "--threads", str(CLIENTS // 2), "--preload"),
            *("--config", "python:tests.support.gunicorn_stacks"),
            "service.app:create_app()",
        ],
        # 3 rounds of 50 from one address: past the default submission limit (120/minute),
        # which test_rate_limits covers; here the race is the point
        env={**environment_for(settings), "NARRATE_LIMIT_SUBMISSIONS": "10000/minute"},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/readyz", timeout=2)
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield Server(base, process.pid, log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    assert "Traceback" not in log.read_text(), log.read_text()


def post_all_at_once(server: Server, body: dict) -> list[tuple[int, str]]:
    """POST `body` from CLIENTS threads released together; (status, article id) each.
    A request that gets no answer fails the test with the workers' stacks."""
    url = f"{server.url}/api/v1/articles"
    data = json.dumps(body).encode()
    start = threading.Barrier(CLIENTS)
    results: list[tuple[int, str]] = []
    unanswered: list[OSError] = []

    def post() -> None:
        request = urllib.request.Request(url, data, {"Content-Type": "application/json"})
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                results.append((response.status, json.load(response)["id"]))
        except urllib.error.HTTPError as error:
            results.append((error.code, error.read().decode()[:300]))
        except OSError as error:
            unanswered.append(error)

    threads = [threading.Thread(target=post) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if unanswered:
        pytest.fail(f"{len(unanswered)} requests unanswered ({unanswered[0]!r})\n{server.stacks()}")
    return results


def catalog_counts(settings) -> tuple[int, int]:
    with session_scope(settings.database_url) as session:
        return session.query(ArticleRow).count(), session.query(JobRow).count()


def test_identical_concurrent_submissions_create_one_article(server, settings, broker):
    text = "Schools reopen\n\nEvery school in the county reopens on Monday after the floods."
    results = post_all_at_once(server, {"text": text})
    statuses = Counter(status for status, _ in results)
    assert statuses == {202: 1, 200: CLIENTS - 1}, results
    assert len({article_id for _, article_id in results}) == 1
    assert catalog_counts(settings) == (1, 1)
    assert broker.llen(queue_key("narrate")) == 1

    # After a failure the same text is tried again: once, as one new revision and job.
    with session_scope(settings.database_url) as session:
        session.query(JobRow).update({"status": "failed", "error": "engine crashed"})
    results = post_all_at_once(server, {"text": text})
    assert Counter(status for status, _ in results) == {202: 1, 200: CLIENTS - 1}, results
    assert catalog_counts(settings) == (1, 2)
    assert broker.llen(queue_key("narrate")) == 2

    # The same race on an external_id, with a new text: one more article, one more job.
    roads = {"text": "Roads close\n\nThe coast road closes for repairs.", "external_id": "cms-7"}
    results = post_all_at_once(server, roads)
    assert Counter(status for status, _ in results) == {202: 1, 200: CLIENTS - 1}, results
    assert len({article_id for _, article_id in results}) == 1
    assert catalog_counts(settings) == (2, 3)
    assert broker.llen(queue_key("narrate")) == 3


def test_an_edit_takes_its_new_text_along_unless_another_article_holds_it(client):
    def post(text: str):
        response = client.post("/api/v1/articles", data=text.encode(), content_type="text/plain")
        return response.status_code, response.get_json()["id"]

    first, second, third = (f"Story {n}\n\nThe story number {n} is told here." for n in (1, 2, 3))
    _, a = post(first)
    _, b = post(second)
    assert client.put(f"/api/v1/articles/{a}", json={"text": third}).status_code == 202
    assert post(third) == (200, a)  # a now holds the third text
    status, c = post(first)  # and no longer the first: that is a new article
    assert status == 202 and c not in {a, b}
    assert client.put(f"/api/v1/articles/{a}", json={"text": second}).status_code == 202
    assert post(second) == (200, b)  # b still holds its text
    assert post(third)[0] == 202  # nobody holds the third text any more
