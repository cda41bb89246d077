"""Writers to one SQLite file queue fairly: each write transaction first takes an exclusive lock on a side file.

Why: SQLite lets one connection write at a time, and a writer that finds the lock taken waits in SQLite's
busy handler, which *polls*: it sleeps 1, 2, 5 ... then 100 ms between tries and wins only if the lock
happens to be free at that instant, while writers arriving meanwhile take it first. With eight brokers'
processes writing at once (bench/bench_writers.py) one write in a thousand waited 2 to 5 s, and with the
machine busy some failed after the 5 s busy_timeout with "database is locked". The wait was luck, not the
length of the queue.

So every write transaction of the app takes an exclusive ``flock`` on ``<database>.lock`` (0600, beside the
file) just before the statement that begins it (the driver opens a transaction before the first INSERT,
UPDATE, DELETE or REPLACE; reads before it stay outside, and never queue), and releases it right after
COMMIT or ROLLBACK. Waiters sleep in the kernel and are woken the moment it is released, so a write waits
for the writes ahead of it and no longer; SQLite's own lock is then free when they reach it (its busy
timeout stays, for writers outside the app: migrations, sqlite3 in a shell). The lock belongs to its own
file descriptor, opened for that one transaction, so threads queue like processes, and a process killed
while holding it loses it with the descriptor. A write still waiting after WAIT_SECONDS (a writer stopped
with the lock, say) raises SQLite's own busy error, which the engine turns into one line.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import threading
from typing import Any

if sys.platform != "win32":  # POSIX (Linux, macOS): flock. Windows has none: writers wait in SQLite's handler
    import fcntl

WAIT_SECONDS = 60.0
# pysqlite's rule for the statements it opens a transaction before (Modules/_sqlite/statement.c).
_DML = re.compile(r"\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE | re.DOTALL)


def _take(path: str, seconds: float) -> int | None:
    """An open descriptor holding the exclusive lock on ``path``, or None after ``seconds``."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except BlockingIOError:
        pass
    got, guard, abandoned = threading.Event(), threading.Lock(), [False]

    def wait() -> None:  # blocks in the kernel; hands the lock over, or drops it if no one waits any more
        fcntl.flock(fd, fcntl.LOCK_EX)
        with guard:
            if abandoned[0]:
                _give_back(fd)
            else:
                got.set()

    threading.Thread(target=wait, name="sqlite-write-queue", daemon=True).start()
    if got.wait(seconds):
        return fd
    with guard:
        if got.is_set():
            return fd
        abandoned[0] = True
    return None


def _give_back(fd: int) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)  # for the open file, whichever process shares it after a fork
    finally:
        os.close(fd)


class QueuedConnection(sqlite3.Connection):
    """A sqlite3 connection whose write transactions queue on the side file ``lock_path`` (set per database)."""

    lock_path = ""
    wait_seconds = WAIT_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: int | None = None

    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or _QueuedCursor)

    def before(self, sql: str) -> None:
        if self._held is None and not self.in_transaction and _DML.match(sql):
            held = _take(self.lock_path, self.wait_seconds)
            if held is None:
                raise sqlite3.OperationalError(f"database is locked (waited {self.wait_seconds:.0f} s for "
                                               "other writers)")
            self._held = held

    def after(self) -> None:
        """After a statement: a write that left no transaction open (it failed to begin, or the connection
        commits by itself) has nothing more to hold the queue for."""
        if self._held is not None and not self.in_transaction:
            self.release()

    def release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            _give_back(held)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self.release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release()


class _QueuedCursor(sqlite3.Cursor):
    connection: QueuedConnection

    def execute(self, sql: str, parameters: Any = (), /) -> _QueuedCursor:
        self.connection.before(sql)
        try:
            super().execute(sql, parameters)
        finally:
            self.connection.after()
        return self

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> _QueuedCursor:
        self.connection.before(sql)
        try:
            super().executemany(sql, seq_of_parameters)
        finally:
            self.connection.after()
        return self


def queued_connection(lock_path: str) -> type[sqlite3.Connection]:
    """The sqlite3 connection class (``sqlite3.connect(factory=...)``) for one database's write queue; the
    plain one where the system has no flock (Windows), whose writers wait in SQLite's busy handler."""
    if sys.platform == "win32":
        return sqlite3.Connection
    return type("QueuedConnection", (QueuedConnection,), {"lock_path": lock_path})
