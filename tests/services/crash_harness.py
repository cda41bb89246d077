"""The harness of the crash tests (tests/services/test_crash_safety.py): run a real process, kill it with
SIGKILL a seeded random delay after it begins its work, and look at the database it leaves.
"""

from __future__ import annotations

import fcntl
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import IO, Any, TypeVar

import pytest
from sqlalchemy import func, inspect, select, table, text

from broker_tui.services.context import AppContext
from broker_tui.services.market import DirectoryQuery, iter_services
from broker_tui.services.referrals import ReferralQuery, list_referrals
from broker_tui.services.startup import prepare_database
from tests.conftest import REPO, TODAY, _drop_pg_database, _migrated_sqlite, _new_pg_database

KILLS = int(os.environ.get("BROKER_TUI_CRASH_KILLS", "3"))
SEED = int(os.environ.get("BROKER_TUI_CRASH_SEED", "20261201"))
REPORT = os.environ.get("BROKER_TUI_CRASH_REPORT")
REGISTER = "ofsted_childrens_social_care_providers_2025.csv"
T = TypeVar("T")
NOT_WRITTEN_HERE = {"alembic_version", "app_meta", "postcode_district", "local_authority", "code_list"}


def note(case: str, delay: float, outcome: str) -> None:
    """One line per kill, for the long profile's tally (bench/long_crashes.py sets BROKER_TUI_CRASH_REPORT)."""
    if REPORT:
        with open(REPORT, "a", encoding="utf-8") as fh:
            fh.write(f"{case}\t{delay:.3f}\t{outcome}\n")


def delays(salt: int, low: float, high: float) -> list[float]:
    """KILLS delays over [low, high): one drawn at random (a fixed seed) in each of KILLS equal parts, so
    that even a few kills land early, midway and late in the work."""
    rng, step = random.Random(SEED + salt), (high - low) / KILLS
    return [low + step * (i + rng.random()) for i in range(KILLS)]


def run_and_kill(args: list[str], delay: float, marker: str | Callable[[], bool] | None) -> bool:
    """Run ``python args``; ``delay`` seconds after it begins the work, SIGKILL it. The work has begun when it
    prints ``marker`` (stderr or stdout), or when ``marker()`` turns true, or (None) when it starts. True
    when it was killed (False: it finished first)."""
    proc = subprocess.Popen([sys.executable, *args], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    begun = threading.Event()
    if marker is None:
        begun.set()

    def drain(stream: IO[str]) -> None:
        for line in stream:
            if isinstance(marker, str) and marker in line:
                begun.set()
        begun.set()  # ended without it: nothing left to wait for

    readers = [threading.Thread(target=drain, args=(s,), daemon=True) for s in (proc.stdout, proc.stderr) if s]
    for r in readers:
        r.start()
    try:
        deadline = time.monotonic() + 60
        while not begun.wait(0.002):
            if callable(marker) and marker():
                break
            assert time.monotonic() < deadline, f"{args} did not begin"
        try:
            proc.wait(timeout=delay)
            return False
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            return True
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for r in readers:
            r.join(10)


def cli(target: str, *args: str) -> list[str]:
    return ["-m", "broker_tui", "--db", target, "--today", TODAY.strftime("%d/%m/%Y"), *args]


def _queue_held(lock: str) -> bool:
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


class Databases:
    """Fresh migrated, empty databases on one backend, and what a test needs to look at them."""

    def __init__(self, backend: str, request: pytest.FixtureRequest, folder: Path, admin: str | None) -> None:
        self.backend, self.folder, self.admin = backend, folder, admin
        self.made: list[str] = []
        self.polls: list[Any] = []
        self.count = 0
        self.template = request.getfixturevalue("_sqlite_template" if self.backend == "sqlite" else "_pg_template")

    def fresh(self) -> str:
        self.count += 1
        if self.backend == "sqlite":
            return _migrated_sqlite(self.template, self.folder / f"crash-{self.count}.sqlite3")
        assert self.admin
        name, url = _new_pg_database(self.admin, template=self.template)
        self.made.append(name)
        return url

    def settle(self, target: str) -> None:
        """On PostgreSQL, until the killed client's server process has rolled back and gone."""
        if self.backend == "sqlite":
            return
        import psycopg

        name = target.rsplit("/", 1)[1]
        assert self.admin
        with psycopg.connect(self.admin.replace("+psycopg", ""), autocommit=True) as con:
            for _ in range(200):
                row = con.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)).fetchone()
                if row is not None and row[0] == 0:
                    return
                time.sleep(0.05)
        raise AssertionError(f"the killed client's session on {name} did not end")

    def writing(self, target: str) -> Callable[[], bool]:
        """True once a process is inside a write transaction on the database, so that a kill can be aimed
        inside the transaction of a command that prints nothing before it: on SQLite, it holds the writers'
        queue (store.writers); on PostgreSQL, its transaction has a transaction id (given at its first write)."""
        if self.backend == "sqlite":
            return partial(_queue_held, f"{target}.lock")
        import psycopg

        assert self.admin
        con = psycopg.connect(self.admin.replace("+psycopg", ""), autocommit=True)
        self.polls.append(con)
        name = target.rsplit("/", 1)[1]

        def held() -> bool:
            row = con.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL",
                              (name,)).fetchone()
            return row is not None and row[0] > 0
        return held

    def close(self) -> None:
        for con in self.polls:
            con.close()
        for name in self.made:
            assert self.admin
            _drop_pg_database(self.admin, name)


def looked_at(target: str, look: Callable[[AppContext], T]) -> T:
    ctx = AppContext.for_target(target, today=TODAY)
    try:
        return look(ctx)
    finally:
        ctx.close()


def counts(target: str) -> dict[str, int]:
    """Rows per table (a table not created yet counts 0), after checking a SQLite file's integrity."""
    def look(ctx: AppContext) -> dict[str, int]:
        with ctx.engine.connect() as con:
            if ctx.location.path is not None:
                assert con.execute(text("PRAGMA integrity_check")).all() == [("ok",)]
            names = inspect(con).get_table_names()
            return {n: con.execute(select(func.count()).select_from(table(n))).scalar_one() for n in names}
    return looked_at(target, look)


def start_path_works(target: str, *, seed_demo_if_new: bool = False) -> None:
    """What the next start does: prepare the database, then read it as the first screens do."""
    def look(ctx: AppContext) -> None:
        prepare_database(ctx, seed_demo_if_new=seed_demo_if_new)
        list_referrals(ctx, ReferralQuery(status="open"))
        list(iter_services(ctx, DirectoryQuery(), limit=20))
    looked_at(target, look)


def written(found: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in found.items() if k not in NOT_WRITTEN_HERE}
