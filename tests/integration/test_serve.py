"""`narrate serve` as a user runs it: embedded Redis, SQLite, a worker, the web server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.support.harness import alive, descendants
from tests.support.paths import SEED
from tests.support.services import free_port
from tests.support.waits import wait_until

pytestmark = pytest.mark.integration


def request(url: str, data: bytes | None = None, headers: dict | None = None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(req, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def test_serve_submit_download_and_ctrl_c(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env["NARRATE_DATA_DIR"] = str(tmp_path / "data")
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner = ""
        deadline = time.monotonic() + 60
        while "running at" not in banner:
            assert serve.poll() is None and time.monotonic() < deadline, banner
            banner += serve.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        assert f"Narrate is running at {base}/" in banner
        status, _, body = request(
            f"{base}/api/v1/articles", SEED.read_bytes(), {"Content-Type": "text/plain"}
        )
        assert status == 202
        article = json.loads(body)
        deadline = time.monotonic() + 120
        while json.loads(request(article["links"]["self"])[2])["status"] != "done":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        status, _, mp3 = request(article["links"]["audio"])
        assert status == 200 and mp3[:3] == b"ID3" and len(mp3) > 100_000
        assert (tmp_path / "data" / "narrate.db").is_file()
        assert (tmp_path / "data" / "redis.sock").exists()
        family = descendants(serve.pid)
        assert len(family) >= 3  # redis, worker (+ its pool), gunicorn (+ its workers)
    finally:
        serve.send_signal(signal.SIGINT)
        output, _ = serve.communicate(timeout=60)
    assert serve.returncode == 0, output
    assert "stopping" in output
    wait_until(lambda: not any(alive(pid) for pid in family), 10, "every process stopped")
