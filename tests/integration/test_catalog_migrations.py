"""The catalog schema is made by whichever process starts first; the web process and
every worker run the migrations as they start, often at the same moment."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from sqlalchemy import inspect, text

from workers.catalog.db import engine_for
from workers.catalog.models import Base

pytestmark = [pytest.mark.integration, pytest.mark.empty_catalog]

PROCESSES = 6


def test_many_processes_migrating_an_empty_catalog_at_once_all_succeed(settings):
    script = (
        "import sys, time\n"
        "from workers.catalog.db import migrate\n"
        "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # start together\n"
        "migrate(sys.argv[1])\n"
    )
    start_at = str(time.time() + 3)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, settings.database_url, start_at],
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    failures = [p.stderr.read()[-400:] for p in processes if p.wait(timeout=120) != 0]
    assert failures == []
    engine = engine_for(settings.database_url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert len(versions) == 1
