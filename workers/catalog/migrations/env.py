"""Alembic environment: a connection is handed over by workers.catalog.db.migrate."""

from __future__ import annotations

from alembic import context

import workers.catalog.listens  # noqa: F401  (its table, for autogenerate)
from workers.catalog.models import Base

connection = context.config.attributes["connection"]  # in a transaction, maybe locked
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
