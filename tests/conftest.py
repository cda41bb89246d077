"""Shared fixtures: an isolated environment, a fixed clock, and databases on SQLite and PostgreSQL.

PostgreSQL tests use the server named by BROKER_TUI_TEST_PG_URL (an admin URL; each test gets a fresh
database on it). ./test and .ci/run start a throwaway cluster (scripts/pg-cluster) and set it. Without
one, PostgreSQL tests are skipped with the reason shown, except under CI or BROKER_TUI_REQUIRE_PG=1,
where they fail.

`db_url` is an empty database (no tables). `ctx` and `sqlite_ctx` are migrated ones: each test process
migrates (and loads reference data into) one template per backend, and every test gets a copy of it
(a file copy for SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), which is much cheaper than
migrating each time.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# CI (and ./test under CI=true) runs the property tests on a fixed draw, so a landing is never decided by
# what a new random draw happens to find; elsewhere each run explores afresh (bench/ has the long profiles).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
TODAY = dt.date(2026, 12, 1)
PG_ENV = "BROKER_TUI_TEST_PG_URL"


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's real settings or database."""
    monkeypatch.setenv("BROKER_TUI_CONFIG", str(tmp_path / "config" / "settings.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    # the app log and caches (platformdirs), beside the test folder so that tests listing it see only theirs
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path.with_name(tmp_path.name + "-xdg-state")))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path.with_name(tmp_path.name + "-xdg-cache")))
    monkeypatch.delenv("BROKER_TUI_DB", raising=False)
    monkeypatch.delenv("BROKER_TUI_TODAY", raising=False)


def pg_required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("BROKER_TUI_REQUIRE_PG") == "1"


def _pg_unavailable(reason: str) -> None:
    if pg_required():
        pytest.fail(f"PostgreSQL is required here but {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def pg_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def _plain(url: str) -> str:
    """A SQLAlchemy URL -> the libpq form psycopg takes."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _pg_url(admin_url: str, name: str) -> str:
    url = f"{admin_url.rsplit('/', 1)[0]}/{name}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _new_pg_database(admin_url: str, template: str | None = None) -> tuple[str, str]:
    """A new database on the server (a copy of ``template`` when given): its name and SQLAlchemy URL."""
    import psycopg

    name = f"bt_test_{uuid.uuid4().hex[:12]}"
    clause = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(_plain(admin_url), autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"{clause}')
    return name, _pg_url(admin_url, name)


def _drop_pg_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_plain(admin_url), autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _require_pg(admin_url: str | None) -> str:
    if not admin_url:
        _pg_unavailable(f"{PG_ENV} is not set (./test starts a server when PostgreSQL is installed)")
    return admin_url  # type: ignore[return-value]


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, pg_admin_url: str | None) -> Iterator[str]:
    """A fresh, empty database (no tables): a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "test.sqlite3")
        return
    admin = _require_pg(pg_admin_url)
    name, url = _new_pg_database(admin)
    try:
        yield url
    finally:
        _drop_pg_database(admin, name)


def _context(url: str):
    from broker_tui.services.context import AppContext
    from broker_tui.services.startup import prepare_database

    ctx = AppContext.for_target(url, today=TODAY)
    ctx.acting_as = "test.broker"
    prepare_database(ctx, seed_demo_if_new=False)
    return ctx


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per test process; each test gets a private copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _context(str(path)).close()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def _pg_template(pg_admin_url: str | None) -> Iterator[str]:
    """A PostgreSQL database migrated to head once per test process, copied by CREATE DATABASE ... TEMPLATE."""
    admin = _require_pg(pg_admin_url)
    name, url = _new_pg_database(admin)
    _context(url).close()  # no connection may stay open on a template
    try:
        yield name
    finally:
        _drop_pg_database(admin, name)


def _migrated_sqlite(template: Path, target: Path) -> str:
    fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(template.read_bytes())
    return str(target)


@pytest.fixture(params=BACKENDS)
def ctx(request: pytest.FixtureRequest, tmp_path: Path, pg_admin_url: str | None):
    """A migrated, empty database on each backend, with the clock fixed at TODAY."""
    if request.param == "sqlite":
        url = _migrated_sqlite(request.getfixturevalue("_sqlite_template"), tmp_path / "test.sqlite3")
        context = _context(url)
        yield context
        context.close()
        return
    admin = _require_pg(pg_admin_url)
    name, url = _new_pg_database(admin, template=request.getfixturevalue("_pg_template"))
    context = _context(url)
    try:
        yield context
    finally:
        context.close()
        _drop_pg_database(admin, name)


@pytest.fixture
def sqlite_ctx(tmp_path: Path, _sqlite_template: Path):
    """A migrated, empty SQLite database with the clock fixed at TODAY."""
    context = _context(_migrated_sqlite(_sqlite_template, tmp_path / "test.sqlite3"))
    yield context
    context.close()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is not beside the repository")
    return SHARED_DATA


def writing_session(ctx):
    """A bare session (no commit on exit) that names the test's actor, as ctx.session() does: a session
    naming nobody may only read (store.audit)."""
    from sqlmodel import Session

    from broker_tui.store.audit import attach

    session = Session(ctx.engine)
    attach(session, actor=ctx.actor, now=ctx.clock.now)
    return session
