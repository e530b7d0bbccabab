"""The sqlite3 connection the catalog uses on a SQLite file: its write transactions take
turns through an OS file lock, and a savepoint is always inside a transaction.

**Turns.** SQLite lets one writer at a time hold a database, and a connection that finds
it held waits in SQLite's busy handler, which sleeps and looks again (1, 2, 5, 10 ... up
to 100 ms a sleep): a writer that arrives 1 ms after another began sleeps on while the
lock is long free. Two worker processes writing a few times a paragraph lost about 4 %
of their time so (sampled). Here a connection takes an exclusive `flock` on a file
beside the database before the statement that begins its write transaction, and drops
it when the transaction ends: the kernel wakes the next writer the moment the lock is
free. Readers never take it (WAL lets them read while one writes).

It cannot deadlock with SQLite's own lock: a connection takes the file lock only while
it holds no transaction, so no holder of SQLite's write lock ever waits for the file
lock; a process that does not use it (an older one) is waited for by SQLite's busy
handler as before. Nor within a process: while one of its connections holds the file
lock, its others write as before (a session opened inside another's transaction, the
heartbeat's thread), so they never wait on their own process. A process that dies drops
its file lock with it.

**Savepoints.** sqlite3 begins a transaction only before INSERT, UPDATE, DELETE and
REPLACE, so a SAVEPOINT (SQLAlchemy's `begin_nested`) that comes first began one of its
own, and releasing it committed everything: the statements after it were a transaction
apart. Here a SAVEPOINT outside a transaction is preceded by BEGIN, so it nests in the
session's transaction, as it does on PostgreSQL.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from typing import Any

# The statements that may begin a transaction that writes (pysqlite begins one before
# INSERT, UPDATE, DELETE and REPLACE; SAVEPOINT and BEGIN begin their own).
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT", "BEGIN", "CREATE", "DROP", "ALTER")


_held: set[str] = set()  # the lock files this process holds a turn on
_held_guard = threading.Lock()


def _may_write(statement: str) -> bool:
    return statement.lstrip()[:9].upper().startswith(_WRITES)


def _savepoint(statement: str) -> bool:
    return statement.lstrip()[:9].upper() == "SAVEPOINT"


class CatalogConnection(sqlite3.Connection):
    """A sqlite3 connection (pass as `factory`) whose writes take turns, see above."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._path = f"{os.fsdecode(database)}-writers"
        self._turn = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        self._holding = False

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory or _Cursor)

    # sqlite3's own shortcuts run the statement in C, past the cursor's methods
    def execute(self, statement: str, *args: Any) -> sqlite3.Cursor:
        return self.cursor().execute(statement, *args)

    def executemany(self, statement: str, *args: Any) -> sqlite3.Cursor:
        return self.cursor().executemany(statement, *args)

    def _before(self, statement: str) -> None:
        if self._holding or self.in_transaction or not _may_write(statement):
            return
        with _held_guard:
            if self._path in _held:  # another connection of this process has the turn
                return
            _held.add(self._path)
        try:
            fcntl.flock(self._turn, fcntl.LOCK_EX)  # waits without the GIL
        except BaseException:
            with _held_guard:
                _held.discard(self._path)
            raise
        self._holding = True

    def _after(self) -> None:
        if self._holding and not self.in_transaction:  # autocommitted, or never began
            self._release()

    def _release(self) -> None:
        self._holding = False
        fcntl.flock(self._turn, fcntl.LOCK_UN)
        with _held_guard:
            _held.discard(self._path)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._after()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._after()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._holding:
                self._release()
            if self._turn >= 0:
                os.close(self._turn)
                self._turn = -1


class _Cursor(sqlite3.Cursor):
    connection: CatalogConnection

    def execute(self, statement: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        self.connection._before(statement)
        try:
            if not self.connection.in_transaction and _savepoint(statement):
                super().execute("BEGIN")
            return super().execute(statement, *args)
        finally:
            self.connection._after()

    def executemany(self, statement: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        self.connection._before(statement)
        try:
            return super().executemany(statement, *args)
        finally:
            self.connection._after()
