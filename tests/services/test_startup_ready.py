"""Start-up on a database that is ready (at the head revision, first start finished) imports nothing of
Alembic on either backend (its import and the walk of db/versions cost a PostgreSQL start most of a
second); a new database is still created and prepared."""

from __future__ import annotations

import subprocess
import sys

from broker_tui.services.context import AppContext
from broker_tui.services.startup import prepare_database
from broker_tui.store.revision import HEAD_REVISION, stored_revision

CODE = """
import sys
from broker_tui.services.context import AppContext
from broker_tui.services.startup import prepare_database
ctx = AppContext.for_target(sys.argv[1])
report = prepare_database(ctx, seed_demo_if_new=False)
ctx.close()
print('alembic' in sys.modules, 'broker_tui.store.migrate' in sys.modules, report.created, report.upgraded_from,
      report.seeded)
"""


def test_a_ready_database_starts_without_alembic(ctx) -> None:
    url = ctx.location.url
    ctx.close()
    out = subprocess.run([sys.executable, "-c", CODE, url], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False", "None", "False"]


def test_the_stored_revision_is_read_without_alembic(ctx) -> None:
    with ctx.engine.connect() as con:
        assert stored_revision(con) == HEAD_REVISION


def test_a_new_database_is_still_created_and_prepared(db_url) -> None:
    fresh = AppContext.for_target(db_url)
    try:
        with fresh.engine.connect() as con:
            assert stored_revision(con) is None
        report = prepare_database(fresh, seed_demo_if_new=False)
        assert report.created and not report.seeded
        with fresh.engine.connect() as con:
            assert stored_revision(con) == HEAD_REVISION
        assert prepare_database(fresh, seed_demo_if_new=False) == type(report)()  # ready: nothing more to do
    finally:
        fresh.close()
