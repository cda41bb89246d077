"""Writers to one SQLite file queue for it (store.writers): a writer that has to wait waits, never fails.

SQLite's busy handler alone gave up after its 5 s busy_timeout ("database is locked", a raw error) and,
polling, let a waiter lose to writers arriving after it. These tests hold a write open from one engine
and write from another, as two brokers' processes do.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, insert, select

from broker_tui.services.context import AppContext
from broker_tui.store import writers
from broker_tui.store.errors import DatabaseError
from broker_tui.store.tables import AppMeta
from tests.conftest import REPO, TODAY


def _other(ctx: AppContext) -> AppContext:
    return AppContext.for_target(str(ctx.location.path), today=TODAY)


@contextmanager
def _write_held_open(ctx: AppContext, seconds: float) -> Iterator[threading.Thread]:
    """A thread with a write transaction open for ``seconds`` (begun before the block's body runs)."""
    begun = threading.Event()

    def hold() -> None:
        with ctx.engine.begin() as con:
            con.execute(insert(AppMeta.__table__), {"key": "holder", "value": "x"})
            begun.set()
            time.sleep(seconds)

    thread = threading.Thread(target=hold)
    thread.start()
    assert begun.wait(10)
    try:
        yield thread
    finally:
        thread.join(30)


def _meta(ctx: AppContext, key: str) -> int:
    with ctx.engine.connect() as con:
        return con.execute(select(func.count()).select_from(AppMeta).where(AppMeta.key == key)).scalar_one()


def test_a_writer_waits_out_a_write_longer_than_the_busy_timeout(sqlite_ctx) -> None:
    other = _other(sqlite_ctx)
    try:
        with _write_held_open(sqlite_ctx, 5.5):
            started = time.perf_counter()
            with other.engine.begin() as con:  # SQLite alone: "database is locked" after 5 s
                con.execute(insert(AppMeta.__table__), {"key": "waiter", "value": "y"})
            waited = time.perf_counter() - started
        assert waited > 4
        assert _meta(sqlite_ctx, "holder") == 1 and _meta(sqlite_ctx, "waiter") == 1
    finally:
        other.close()


def test_reads_never_queue_behind_a_write(sqlite_ctx) -> None:
    other = _other(sqlite_ctx)
    try:
        with _write_held_open(sqlite_ctx, 1.5):
            started = time.perf_counter()
            assert _meta(other, "holder") == 0  # the holder has not committed: its row is not seen
            assert time.perf_counter() - started < 0.5
    finally:
        other.close()


def test_a_write_held_up_too_long_is_one_line_and_writes_nothing(sqlite_ctx, monkeypatch) -> None:
    monkeypatch.setattr(writers.QueuedConnection, "wait_seconds", 0.3)
    other = _other(sqlite_ctx)
    try:
        with _write_held_open(sqlite_ctx, 1.5), pytest.raises(DatabaseError) as caught, \
                other.engine.begin() as con:
            con.execute(insert(AppMeta.__table__), {"key": "waiter", "value": "y"})
        message = str(caught.value)
        assert "is busy" in message and "nothing was saved" in message and "\n" not in message
        assert "INSERT" not in message and "[SQL" not in message
        assert _meta(sqlite_ctx, "holder") == 1 and _meta(sqlite_ctx, "waiter") == 0
        with other.engine.begin() as con:  # and the queue works again for that engine
            con.execute(insert(AppMeta.__table__), {"key": "waiter", "value": "y"})
    finally:
        other.close()


HOLDER = """
import sys, time
from sqlalchemy import insert
from broker_tui.services.context import AppContext
from broker_tui.store.tables import AppMeta
ctx = AppContext.for_target(sys.argv[1])
with ctx.engine.begin() as con:
    con.execute(insert(AppMeta.__table__), {"key": "killed", "value": "x"})
    print("holding", flush=True)
    time.sleep(60)
"""


def test_a_writer_killed_holding_the_queue_releases_it(sqlite_ctx) -> None:
    path = str(sqlite_ctx.location.path)
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, path], cwd=REPO, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        started = time.perf_counter()
        with sqlite_ctx.engine.begin() as con:
            con.execute(insert(AppMeta.__table__), {"key": "after", "value": "y"})
        assert time.perf_counter() - started < 2
        assert _meta(sqlite_ctx, "killed") == 0 and _meta(sqlite_ctx, "after") == 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
