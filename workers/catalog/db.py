"""Engines, sessions and schema migrations for the catalog."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from workers.catalog.sqlite_connection import CatalogConnection

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x4E415252  # one PostgreSQL advisory lock key for every Narrate process


def normalise_url(url: str) -> str:
    """postgres:// and postgresql:// mean psycopg 3, the driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_file(url: str) -> Path | None:
    """The database file of a sqlite:/// URL; None for other databases and :memory:."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


# FULL: every commit flushed to disk before it returns (what the web commits, a 202 a
# client relies on, survives a power cut). A worker's process sets NORMAL (`worker_commits`).
_SQLITE_SYNCHRONOUS = ["FULL"]


def worker_commits() -> None:
    """In a worker process, before its first connection: SQLite commits are not flushed
    one by one (the write-ahead log is, at each checkpoint). A worker commits a few times
    a paragraph and each flush held the write lock a millisecond or more, so two worker
    processes waited on each other's. A crashed process loses nothing; a power cut may
    lose a worker's last commits, which are progress the recovery sweep makes again."""
    _SQLITE_SYNCHRONOUS[0] = "NORMAL"


@cache
def engine_for(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite:"):
        database = sqlite_file(url)
        if database is not None:
            database.parent.mkdir(parents=True, exist_ok=True)
        connect_args: dict[str, object] = {"timeout": 30}
        if database is not None:
            connect_args["factory"] = CatalogConnection  # writers wake the moment it is free
        engine = create_engine(url, connect_args=connect_args)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # web and workers read while one writes
            cursor.execute(f"PRAGMA synchronous={_SQLITE_SYNCHRONOUS[0]}")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


@cache
def _sessions(url: str) -> sessionmaker[Session]:
    return sessionmaker(engine_for(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = _sessions(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def migrate(url: str) -> None:
    """Bring the schema to the newest Alembic revision: idempotent, and safe to run from
    many processes at once, as the web process and every worker do when they start."""
    from alembic import command
    from alembic.config import Config

    engine = engine_for(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _one_migration_at_a_time(url), migrating(engine) as connection:
        if connection.dialect.name == "postgresql":  # held until this transaction ends
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()  # no pooled connection may cross a fork (gunicorn --preload, Celery)


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction for Alembic to migrate with. On SQLite, with foreign
    keys off: batch mode copies a table and drops the old one, and with them on the drop
    deletes every row referring to it (ON DELETE CASCADE). The pragma is a no-op inside
    a transaction, so it is set before one begins, and set back after."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                yield connection
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


@contextmanager
def _one_migration_at_a_time(url: str) -> Iterator[None]:
    """For SQLite, a lock file beside the database: its DDL is not transactional, so two
    processes would both see an empty schema and both try to create it. (PostgreSQL
    takes an advisory lock inside the migration's own transaction instead.)"""
    database = sqlite_file(url)  # its folder exists: engine_for made it
    if database is None:
        yield
        return
    with open(database.with_name(database.name + ".migrate-lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        yield
