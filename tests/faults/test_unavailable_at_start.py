"""The Procfile's web process and a worker started while the database is unreachable:
the web process starts, answers 503 with Retry-After and becomes ready when the database
is back; the worker takes no task until it can reach the database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.cluster import SCHEMA
from tests.support.harness import environment_for, procfile, start_worker, stop_worker
from tests.support.paths import ROOT
from tests.support.services import free_port, reset_schema, schema_url
from tests.support.tcp_proxy import TcpProxy
from tests.support.waits import wait_until

pytestmark = pytest.mark.faults
LATE = f"{SCHEMA}_late"


TOKEN = "late-start-token"  # the Procfile's web listens on every address: it needs a key


def get(url: str, data: bytes | None = None) -> tuple[int, dict[str, str], dict]:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
    request = urllib.request.Request(url, data, headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.load(error)


def wait_for(condition, timeout: float, what: str) -> None:
    wait_until(condition, timeout, what, ignoring=(OSError,), interval=0.2)


def test_web_and_worker_started_while_the_database_is_away(
    cluster, postgres_server, tmp_path: Path
):
    reset_schema(postgres_server.url, LATE)
    proxy = TcpProxy(postgres_server.socket_path)  # not listening yet
    settings = cluster.settings.with_overrides(
        database_url=schema_url(postgres_server.url, LATE, port=proxy.port),
        data_dir=tmp_path / "data",
        broker_prefix="late:",  # the suite's own workers must not take these tasks
    )
    port = free_port()
    env = {
        **environment_for(settings),
        "PORT": str(port),
        "NARRATE_API_TOKENS": TOKEN,
        "NARRATE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    web = subprocess.Popen(
        ["bash", "-c", f"exec {procfile()['web']}"],
        env=env,
        cwd=ROOT,
        stdout=(tmp_path / "web.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = start_worker(settings, tmp_path / "worker.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: get(f"{base}/healthz")[0] == 200, 60, (tmp_path / "web.log").read_text())
        status, _, body = get(f"{base}/readyz")
        assert status == 503 and body["checks"]["database"] is False, body
        status, headers, body = get(f"{base}/api/v1/articles")
        assert status == 503, body
        assert headers["Retry-After"].isdigit()
        assert headers["Content-Type"] == "application/problem+json"
        assert "database" in body["detail"]
        posted = get(f"{base}/api/v1/articles", json.dumps({"text": "Title\n\nBody."}).encode())
        assert posted[0] == 503
        worker_log = tmp_path / "worker.log"
        wait_for(lambda: "database unavailable" in worker_log.read_text(), 60, "worker waits")
        # it keeps waiting (a second attempt failed too): it does not go on to take tasks
        wait_for(lambda: worker_log.read_text().count("before taking tasks") >= 2, 60, "retries")
        assert web.poll() is None and worker.poll() is None
        assert "ready." not in worker_log.read_text(), worker_log.read_text()

        proxy.restore()
        wait_for(lambda: get(f"{base}/readyz")[0] == 200, 30, "the web process became ready")
        status, _, article = get(
            f"{base}/api/v1/articles",
            json.dumps({"text": "Back again\n\nThe database came back."}).encode(),
        )
        assert status == 202, article
        wait_for(
            lambda: get(article["links"]["self"])[2]["status"] == "done",
            60,
            (tmp_path / "worker.log").read_text()[-3000:],
        )
        assert "ready." in (tmp_path / "worker.log").read_text()
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)
        stop_worker(worker)
        proxy.cut()
        reset_schema(postgres_server.url, LATE, create=False)
