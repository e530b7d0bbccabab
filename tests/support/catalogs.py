"""Catalogs that start migrated: a test's SQLite catalog is a copy of one migrated once a
session, and its PostgreSQL schema is emptied of rows when it is at the newest revision
already. Alembic's migrations from nothing took about a quarter of a second a test (a
third of an API test's time); the service still runs `migrate` as it starts, which finds
the catalog up to date. Tests about migrating start from an empty catalog of their own."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import text

from tests.support.services import reset_schema, schema_url
from workers.catalog.db import engine_for, migrate

_AT_HEAD: dict[str, str] = {}  # a schema's URL -> its revision just after migrating


def migrated_sqlite_template(folder: Path) -> Path:
    """A catalog in `folder` migrated to the newest revision (its engine disposed, so the
    write-ahead log is folded into the file)."""
    template = folder / "narrate.db"
    migrate(f"sqlite:///{template}")
    engine_for(f"sqlite:///{template}").dispose()
    return template


def sqlite_catalog(template: Path, database: Path) -> str:
    """A copy of the migrated `template` at `database`; its URL."""
    shutil.copyfile(template, database)
    return f"sqlite:///{database}"


def postgres_catalog(server_url: str, schema: str) -> str:
    """`schema` as a migrated catalog with no rows (identities restarted); its URL. A
    schema a test dropped or took to another revision is made again and migrated."""
    url = schema_url(server_url, schema)
    engine = engine_for(server_url)
    try:
        with engine.begin() as connection:
            tables = (
                connection.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                    {"schema": schema},
                )
                .scalars()
                .all()
            )
            if "alembic_version" in tables:
                revision = connection.execute(
                    text(f"SELECT version_num FROM {schema}.alembic_version")
                ).scalar()
                if revision is not None and revision == _AT_HEAD.get(url):
                    rows = ", ".join(f"{schema}.{t}" for t in tables if t != "alembic_version")
                    connection.execute(text(f"TRUNCATE {rows} RESTART IDENTITY CASCADE"))
                    return url
    finally:
        engine.dispose()
    reset_schema(server_url, schema)
    migrate(url)
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            _AT_HEAD[url] = connection.execute(
                text("SELECT version_num FROM alembic_version")
            ).scalar()
    finally:
        engine.dispose()
    return url
