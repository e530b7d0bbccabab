"""Integration tests' settings: the catalog on both SQLite (a temp file) and PostgreSQL
(this run's schema on the session's own server), the session's own Redis, and files in
the data folder; a test marked `also_on_s3` runs a second time with its files in an S3
bucket (moto's server). The `broker`, `app`, `client` and `worker` fixtures built on
these settings are in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.catalogs import sqlite_catalog
from tests.support.settings import settings_for
from tests.support.webhooks import Receiver
from workers.config import Settings


def pytest_generate_tests(metafunc) -> None:
    if metafunc.definition.get_closest_marker("also_on_s3"):
        metafunc.parametrize("storage", ["local", "s3"], indirect=True)


@pytest.fixture
def storage(request) -> str:
    """Where the files go: "local" (the data folder) unless parametrized with "s3"."""
    return getattr(request, "param", "local")


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path: Path, broker, redis_url: str, storage: str) -> Settings:
    """The catalog starts migrated and empty (tests/support/catalogs.py), or, for a test
    marked `empty_catalog`, with no schema at all."""
    empty = request.node.get_closest_marker("empty_catalog") is not None
    if request.param == "sqlite":
        database = tmp_path / "narrate.db"
        database_url = (
            f"sqlite:///{database}"
            if empty
            else sqlite_catalog(request.getfixturevalue("sqlite_template"), database)
        )
    else:
        database_url = request.getfixturevalue("postgres_url" if empty else "postgres_catalog")
    settings = settings_for(
        tmp_path / "data",
        database_url,
        redis_url,
        webhook_secret="test-secret",
        webhook_backoff_s=0.2,
        webhook_allow_private=True,  # the test receivers listen on 127.0.0.1
    )
    if storage == "s3":
        settings = settings.with_overrides(
            s3_bucket=request.getfixturevalue("s3_bucket"),
            s3_prefix="n/",
            s3_endpoint_url=request.getfixturevalue("s3_endpoint"),
        )
    return settings


@pytest.fixture
def receiver() -> Iterator:
    """Makes webhook receivers on local ports (each fails `failures` times first)."""
    receivers: list[Receiver] = []

    def make(failures: int = 0) -> Receiver:
        receivers.append(Receiver(failures))
        return receivers[-1]

    yield make
    for r in receivers:
        r.server.shutdown()
