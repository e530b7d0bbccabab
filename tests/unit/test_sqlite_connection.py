"""SQLite writers take turns through a file lock (workers/catalog/sqlite_connection.py)."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from workers.catalog.sqlite_connection import CatalogConnection

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.db"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE t (x INTEGER)")
    return path


def turn_is_free(database: Path) -> bool:
    fd = os.open(f"{database}-writers", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # and the lock with it
    return True


def test_a_write_transaction_holds_the_turn_until_it_ends_and_reads_never_take_it(database):
    connection = sqlite3.connect(database, factory=CatalogConnection)
    connection.execute("SELECT count(*) FROM t").fetchall()
    assert turn_is_free(database)
    connection.execute("INSERT INTO t VALUES (1)")
    assert not turn_is_free(database)
    connection.execute("SELECT count(*) FROM t").fetchall()
    assert not turn_is_free(database)  # still its transaction
    connection.commit()
    assert turn_is_free(database)
    connection.execute("UPDATE t SET x = 2")
    connection.rollback()
    assert turn_is_free(database)
    connection.close()


def test_an_autocommitted_write_gives_the_turn_back_at_once(database):
    connection = sqlite3.connect(database, factory=CatalogConnection, isolation_level=None)
    connection.execute("INSERT INTO t VALUES (1)")
    assert turn_is_free(database)
    connection.close()


def test_closing_a_connection_mid_transaction_gives_the_turn_back(database):
    connection = sqlite3.connect(database, factory=CatalogConnection)
    connection.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
    assert not turn_is_free(database)
    connection.close()
    assert turn_is_free(database)


def test_a_writer_in_another_process_waits_for_the_turn_and_writes_when_it_ends(database):
    holder = sqlite3.connect(database, factory=CatalogConnection)
    holder.execute("INSERT INTO t VALUES (1)")
    other = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; from workers.catalog.sqlite_connection import CatalogConnection; "
            "c = sqlite3.connect(sys.argv[1], factory=CatalogConnection, timeout=0.3); "
            "c.execute('INSERT INTO t VALUES (2)'); c.commit()",
            str(database),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    time.sleep(1.0)
    # waiting for its turn, not in SQLite's busy handler (which gives up after 0.3 s)
    assert other.poll() is None
    holder.commit()
    assert other.wait(timeout=20) == 0
    rows = holder.execute("SELECT x FROM t ORDER BY x").fetchall()
    assert rows == [(1,), (2,)]
    holder.close()


def test_a_second_connection_of_the_same_process_never_waits_for_its_own_turn(database):
    """Inside another connection's write transaction, in the same thread, a write fails
    as SQLite's busy timeout says, where waiting for the turn would wait for ever."""
    outer = sqlite3.connect(database, factory=CatalogConnection)
    outer.execute("INSERT INTO t VALUES (1)")
    failures: list[BaseException] = []

    def inner_write() -> None:
        inner = sqlite3.connect(database, factory=CatalogConnection, timeout=0.2)
        try:
            inner.execute("INSERT INTO t VALUES (2)")
        except sqlite3.OperationalError as exc:
            failures.append(exc)
        finally:
            inner.close()

    writer = threading.Thread(target=inner_write, daemon=True)
    writer.start()
    writer.join(timeout=10)
    assert not writer.is_alive()
    assert [str(f) for f in failures] == ["database is locked"]
    assert not turn_is_free(database)  # the outer transaction still has it
    outer.commit()
    assert turn_is_free(database)
    outer.close()


def test_a_savepoint_first_in_a_session_nests_in_its_transaction(tmp_path):
    """Rolling the session back undoes what its savepoint held (with sqlite3's own
    behaviour, releasing the savepoint had committed it)."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from workers.catalog.db import engine_for

    engine = engine_for(f"sqlite:///{tmp_path / 'nested.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    with Session(engine) as session:
        with session.begin_nested():
            session.execute(text("INSERT INTO t VALUES (1)"))
        session.execute(text("INSERT INTO t VALUES (2)"))
        session.rollback()
    with Session(engine) as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
    engine.dispose()
