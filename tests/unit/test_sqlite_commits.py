"""The web flushes every SQLite commit (a 202 survives a power cut); a worker process does
not (`worker_commits`), so two worker processes do not wait on each other's flushes."""

from __future__ import annotations

import subprocess
import sys

from workers.catalog.db import engine_for

SYNCHRONOUS = """
import sys
from sqlalchemy import text
from workers.catalog import db
if sys.argv[2] == "worker":
    import workers.runtime.worker  # the app module `celery -A` imports
with db.engine_for(sys.argv[1]).connect() as connection:
    print(connection.execute(text("PRAGMA synchronous")).scalar_one())
"""


def synchronous(url: str, process: str, tmp_path) -> int:
    run = subprocess.run(
        [sys.executable, "-c", SYNCHRONOUS, url, process],
        capture_output=True,
        text=True,
        check=True,
        env={"NARRATE_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"},
    )
    return int(run.stdout.split()[-1])


def test_the_web_flushes_every_commit_and_a_worker_does_not(tmp_path):
    url = f"sqlite:///{tmp_path / 'narrate.db'}"
    assert synchronous(url, "web", tmp_path) == 2  # FULL
    assert synchronous(url, "worker", tmp_path) == 1  # NORMAL
    with engine_for(url).connect() as connection:  # this process is no worker
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
