"""Helpers for the database-safety tests (store and CLI): this code's migrations plus one more revision, a
demo-filled SQLite file, and damaging a copy of one as a failing disk would."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from broker_tui.resources import MIGRATIONS_DIR
from broker_tui.store import migrate

REVISION = '''"""{doc}"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
{body}


def downgrade() -> None:
    pass
'''

# A revision that fails halfway: its first table is made, then it breaks.
FAILS_HALFWAY = '''    op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("INSERT INTO half_done (id) VALUES (1)")
    raise RuntimeError("the revision broke halfway")'''

# A revision that rebuilds a table other tables refer to (Alembic's batch mode on SQLite: copy, drop, rename).
REBUILDS_PROVIDER = '''    with op.batch_alter_table("provider", recreate="always") as batch_op:
        batch_op.add_column(sa.Column("test_note", sa.String(), nullable=True))'''

# A revision that would leave services pointing at providers that are gone.
BREAKS_REFERENCES = '''    op.execute("DELETE FROM provider")'''


def with_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, body: str) -> str:
    """Make ``name`` (upgrade body ``body``) the new head after this code's own revisions, for this test."""
    scripts = tmp_path / "db-scripts"
    if not scripts.exists():
        shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    head = migrate.head_revision()
    (scripts / "versions" / f"{name}.py").write_text(
        REVISION.format(doc=f"{name}, for a test", revision=name, down=head, body=body))
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)
    monkeypatch.setattr("broker_tui.services.startup.HEAD_REVISION", name)
    return name


def table_pages(path: Path, table: str) -> list[int]:
    """The pages (1-based) of a table's b-tree: all of them where SQLite has dbstat, else its root page."""
    con = sqlite3.connect(path)
    try:
        with contextlib.suppress(sqlite3.OperationalError):  # dbstat is optional in a SQLite build
            pages = [r[0] for r in con.execute("SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno", (table,))]
            if pages:
                return pages
        return [con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]]
    finally:
        con.close()


def damage(path: Path, table: str = "service") -> None:
    """Overwrite pages in the middle of ``table`` (and its root) with garbage, as a failing disk would. The
    file must be closed by everyone: its -wal is checkpointed into it first."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    pages = table_pages(path, table)
    middle = pages[len(pages) // 3: len(pages) // 3 + max(1, len(pages) // 10)]
    with open(path, "r+b") as fh:
        for page in {pages[0], *middle}:
            fh.seek((page - 1) * page_size)
            fh.write(bytes([0xA5, 0x00, 0xFF, 0x13]) * (page_size // 4))


def seed_demo_file(path: Path) -> Path:
    """A SQLite file at head holding the demo market, closed (its -wal checkpointed into it)."""
    from broker_tui.services.context import AppContext
    from broker_tui.services.demo import seed_demo
    from broker_tui.services.startup import prepare_database
    from tests.conftest import TODAY

    ctx = AppContext.for_target(str(path), today=TODAY)
    try:
        prepare_database(ctx, seed_demo_if_new=False)
        seed_demo(ctx)
    finally:
        ctx.close()
    return path


def copy_file(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(0o600)
    return target


def sqlite_scalar(path: Path, sql: str) -> object:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def run_cli(*args: str) -> Any:
    """The command line in-process, with no traceback allowed through."""
    from click.testing import CliRunner

    from broker_tui.cli import main

    result = CliRunner().invoke(main, ["--today", "01/12/2026", *args])
    assert isinstance(result.exception, SystemExit | type(None)), result.exception
    assert "Traceback" not in result.output
    return result


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got: {text!r}"
    return lines[0]
