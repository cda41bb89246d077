"""The SQLite file: WAL, foreign keys and a busy timeout on every connection; the database, its -wal and
-shm files and every backup readable by their owner only, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from broker_tui.services.context import AppContext
from broker_tui.services.startup import prepare_database
from broker_tui.store.location import backup_sqlite
from broker_tui.store.tables import Provider
from tests.conftest import TODAY


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_every_connection_has_wal_foreign_keys_and_busy_timeout(sqlite_ctx) -> None:
    for _ in range(2):  # a second pooled connection gets them too
        with sqlite_ctx.engine.connect() as con:
            assert con.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert con.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert con.execute(text("PRAGMA busy_timeout")).scalar_one() >= 1000
        sqlite_ctx.engine.dispose()


def test_database_wal_shm_and_backup_are_private_under_umask_022(tmp_path: Path, umask_022) -> None:
    path = tmp_path / "data" / "broker.sqlite3"
    ctx = AppContext.for_target(str(path), today=TODAY)
    try:
        prepare_database(ctx, seed_demo_if_new=False)
        with ctx.engine.connect() as con:  # an open connection keeps -wal and -shm in place
            with ctx.session() as s:
                s.add(Provider(name="Meadow View Care", sector="private"))
            wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
            assert wal.exists() and shm.exists()
            assert (_mode(path), _mode(wal), _mode(shm)) == (0o600, 0o600, 0o600)
            backup = backup_sqlite(path, "manual")
            assert _mode(backup) == 0o600
            con.execute(text("SELECT 1"))
    finally:
        ctx.close()
    assert _mode(path.parent) == 0o700  # the folder made for it is private too
    for p in path.parent.iterdir():
        assert _mode(p) == 0o600, p.name


def test_an_existing_file_with_loose_mode_is_made_private(sqlite_ctx, umask_022) -> None:
    path = sqlite_ctx.location.path
    sqlite_ctx.close()
    os.chmod(path, 0o644)
    ctx = AppContext.for_target(str(path), today=TODAY)
    try:
        with ctx.engine.connect() as con:
            con.execute(text("SELECT count(*) FROM provider"))
        assert _mode(path) == 0o600
    finally:
        ctx.close()
