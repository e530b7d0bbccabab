"""Fixtures every suite may ask for: the artifacts folder, an S3 server, the session's
own Redis and PostgreSQL servers (started on first use, stopped at the end), and, on a
suite's `settings` fixture, the broker, the app, its test client and a real worker."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.support.catalogs import migrated_sqlite_template
from tests.support.catalogs import postgres_catalog as postgres_catalog_url
from tests.support.harness import run_worker
from tests.support.object_store import FAKE_AWS, UNSET_AWS, moto_server, new_bucket
from tests.support.paths import ARTIFACTS
from tests.support.services import (
    BROKER_PREFIX,
    POSTGRES_SCHEMA,
    PostgresServer,
    RedisServer,
    own_folder,
    reset_schema,
    schema_url,
)
from workers.config import Settings


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests leave files worth a look (MP3s, transcripts); ignored by git."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """This session's redis-server on a free port of 127.0.0.1 (database 0 is its own)."""
    with own_folder("narrate-redis-") as folder, RedisServer(folder) as server:
        yield server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """This session's PostgreSQL, on a unix socket in a folder of its own."""
    with own_folder("narrate-pg-") as folder, PostgresServer(folder) as server:
        yield server


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory) -> Iterator[str]:
    """moto's S3 server on loopback for the session, with fake credentials in the
    environment (which the worker processes the tests start inherit)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAKE_AWS.items():
            patch.setenv(name, value)
        for name in UNSET_AWS:
            patch.delenv(name, raising=False)
        with moto_server(tmp_path_factory.mktemp("moto") / "moto.log") as url:
            yield url


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    """A new, empty bucket on the session's S3 server."""
    return new_bucket(s3_endpoint)


@pytest.fixture(scope="session")
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The session's PostgreSQL with this run's schema first on the search path, made
    again empty for each test that asks."""
    reset_schema(postgres_server.url, POSTGRES_SCHEMA)
    return schema_url(postgres_server.url, POSTGRES_SCHEMA)


@pytest.fixture(scope="session")
def sqlite_template() -> Iterator[Path]:
    """A SQLite catalog migrated once a session, which tests' catalogs are copies of."""
    with own_folder("narrate-catalog-") as folder:
        yield migrated_sqlite_template(folder)


@pytest.fixture
def postgres_catalog(postgres_server: PostgresServer) -> str:
    """The session's PostgreSQL with this run's schema first on the search path, a
    migrated catalog with no rows for each test that asks."""
    return postgres_catalog_url(postgres_server.url, POSTGRES_SCHEMA)


@pytest.fixture
def broker(redis_url: str) -> Iterator[redis.Redis]:
    """The session's Redis, with this run's keys gone before and after the test."""
    client = redis.Redis.from_url(redis_url)
    forget = lambda: [client.delete(k) for k in client.scan_iter(match=f"{BROKER_PREFIX}*")]  # noqa: E731
    forget()
    yield client
    forget()


@pytest.fixture
def app(settings: Settings):
    from service.app import create_app

    return create_app({"TESTING": True, "NARRATE_SETTINGS": settings})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def worker(settings: Settings, app, tmp_path: Path) -> Iterator[subprocess.Popen]:
    """A real Celery worker process (2 prefork children) on the test broker."""
    yield from run_worker(settings, tmp_path, concurrency=2)
