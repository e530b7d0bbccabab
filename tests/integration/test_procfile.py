"""The Procfile's processes, as a platform runs them, against the session's own Redis
and PostgreSQL: submit the seed, download its MP3."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.harness import procfile
from tests.support.paths import ROOT, SEED
from tests.support.services import BROKER_PREFIX, free_port

pytestmark = pytest.mark.integration
TOKEN = "procfile-test-token"


def test_procfile_web_and_worker_on_redis_and_postgresql(
    tmp_path: Path, broker, redis_url: str, postgres_url: str
):
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "REDIS_URL": redis_url,
        "NARRATE_BROKER_PREFIX": BROKER_PREFIX,
        "DATABASE_URL": postgres_url,
        "NARRATE_DATA_DIR": str(tmp_path / "data"),
        "NARRATE_API_TOKENS": TOKEN,  # it listens on every address: it must have a key
        "NARRATE_PUBLIC_URL": f"http://127.0.0.1:{port}",  # links come from here alone
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    processes = {
        name: subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            env=env,
            cwd=ROOT,
            stdout=(tmp_path / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for name, command in procfile().items()
    }
    assert set(processes) == {"web", "worker"}
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # generous: a loaded 2-core machine starts slowly
        while True:
            try:
                urllib.request.urlopen(f"{base}/readyz", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "web.log").read_text()
                time.sleep(0.2)
        request = urllib.request.Request(
            f"{base}/api/v1/articles",
            SEED.read_bytes(),
            {"Content-Type": "text/plain", "Authorization": f"Bearer {TOKEN}"},
        )
        article = json.load(urllib.request.urlopen(request, timeout=10))
        deadline = time.monotonic() + 120
        while json.load(urllib.request.urlopen(article["links"]["self"]))["status"] != "done":
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.2)
        mp3 = urllib.request.urlopen(article["links"]["audio"]).read()
        assert mp3[:3] == b"ID3" and len(mp3) > 100_000
    finally:
        for process in processes.values():
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            process.wait(timeout=30)


def test_procfile_web_refuses_to_listen_on_every_address_with_no_key(tmp_path: Path):
    env = {
        **os.environ,
        "PORT": str(free_port()),
        "NARRATE_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'narrate.db'}",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    env.pop("NARRATE_API_TOKENS", None)
    web = subprocess.run(
        ["bash", "-c", f"exec {procfile()['web']}"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert web.returncode != 0
    assert "refusing to listen on 0.0.0.0 with no API key" in web.stderr
    assert "narrate keys create --name NAME --scope admin" in web.stderr
