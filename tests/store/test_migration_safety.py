"""Migration safety: every row of a real database survives the upgrade from the first revision to head.

A database is built at the FIRST revision of db/versions and filled with the demo market (thousands of
services, price lists and audit events, every referral status, offers, contracts, placements, QA notes);
each table is then counted and hashed row by row (ordered by its primary key, over the columns the first
revision made); the database is upgraded the way a start does it (``prepare_database``: the check, the
copy aside, one transaction) and every table is counted and hashed again over the same columns. On
SQLite and PostgreSQL.

It goes from the first revision to HEAD, whatever they are: with a single revision it proves only the
machinery; every revision added to db/versions is covered by it the day it lands, with nothing to edit
here. A revision that means to change rows (a data fix, a dropped or renamed column) fails this test
until its expected change is written into ``EXPECTED_CHANGES`` below, which is the point: rows are never
changed by an upgrade by accident.

The demo is written by today's code into the first revision's tables. Should a later revision change a
table the demo fills so that it no longer fits the first revision, ``seed_demo`` fails here loudly: then
keep a first-revision demo file (made by the code of that revision) as this test's input rather than
weakening the test.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Callable

from sqlalchemy import Engine, column, inspect, select, table, text

from broker_tui.services.context import AppContext
from broker_tui.services.demo import seed_demo
from broker_tui.services.startup import prepare_database
from broker_tui.store import migrate
from tests.conftest import TODAY

# table -> what a revision deliberately does to its rows: a function from the first revision's
# (count, digest) to the one expected at head. Empty: no revision so far changes a row of the demo.
EXPECTED_CHANGES: dict[str, Callable[[tuple[int, str]], tuple[int, str]]] = {}


def _canonical(value: object) -> object:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, dt.datetime | dt.date | dt.time | uuid.UUID | decimal.Decimal | bytes | memoryview):
        return str(bytes(value)) if isinstance(value, memoryview) else str(value)
    return value


def _shape(engine: Engine) -> dict[str, tuple[list[str], list[str]]]:
    """Every table but alembic_version: its columns and the columns to order its rows by."""
    with engine.connect() as con:
        insp = inspect(con)
        shape = {}
        for name in insp.get_table_names():
            if name == "alembic_version":
                continue
            columns = [c["name"] for c in insp.get_columns(name)]
            key = insp.get_pk_constraint(name).get("constrained_columns") or columns
            shape[name] = (columns, key)
    return shape


def _fingerprint(engine: Engine, shape: dict[str, tuple[list[str], list[str]]]) -> dict[str, tuple[int, str]]:
    """Per table: the row count and a SHA-256 of its rows in key order, over the columns in ``shape``."""
    found = {}
    with engine.connect() as con:
        for name, (columns, key) in sorted(shape.items()):
            query = select(*[column(c) for c in columns]).select_from(table(name)).order_by(
                *[column(c) for c in key])
            digest, count = hashlib.sha256(), 0
            for row in con.execute(query):
                digest.update(repr(tuple(_canonical(v) for v in row)).encode())
                count += 1
            found[name] = (count, digest.hexdigest())
    return found


def test_every_row_survives_the_upgrade_from_the_first_revision_to_head(db_url: str) -> None:
    first, head = migrate.first_revision(), migrate.head_revision()
    ctx = AppContext.for_target(db_url, today=TODAY)
    try:
        migrate.upgrade(ctx.engine, ctx.location, target=first)
        assert migrate.current_revision(ctx.engine) == first
        seed_demo(ctx)
        shape = _shape(ctx.engine)
        before = _fingerprint(ctx.engine, shape)
        assert before["service"][0] > 1000 and before["referral"][0] > 0 and before["audit_event"][0] > 0
        assert sum(1 for count, _ in before.values() if count) >= 15  # the demo fills nearly every table
    finally:
        ctx.close()

    again = AppContext.for_target(db_url, today=TODAY)
    try:
        report = prepare_database(again, seed_demo_if_new=False)  # as the next start does it
        assert migrate.current_revision(again.engine) == head
        assert report.upgraded_from == (first if first != head else None)
        if again.location.path is not None and first != head:
            assert report.backup is not None and report.backup.exists()
        after_tables = set(_shape(again.engine))
        assert set(shape) <= after_tables, f"tables gone: {set(shape) - after_tables}"
        after = _fingerprint(again.engine, shape)
        with again.engine.connect() as con:
            if again.location.path is not None:
                assert con.execute(text("PRAGMA foreign_key_check")).all() == []
                assert con.execute(text("PRAGMA integrity_check")).all() == [("ok",)]
    finally:
        again.close()
    expected = {name: EXPECTED_CHANGES.get(name, lambda found: found)(found) for name, found in before.items()}
    changed = {name: (expected[name], after[name]) for name in expected if expected[name] != after[name]}
    assert not changed, f"rows changed by the upgrade from {first} to {head}: {changed}"
