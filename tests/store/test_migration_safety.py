"""Migration safety: every row of a real database survives the upgrade from the first revision to head.

The demo market (thousands of services, price lists and audit events, every referral status, offers,
contracts, units, placements, QA notes) is written by today's code at head, then the database is brought
down to the FIRST revision of db/versions (each revision's downgrade keeps what the older schema can hold).
That first-revision database is counted and hashed table by table (rows in key order, over its columns);
it is upgraded the way a start does it (``prepare_database``: the check, the copy aside, one transaction)
and every table is counted and hashed again over the same columns. On SQLite and PostgreSQL.

A revision that means to move data out of a column (a split, a column that becomes rows) names it in
``MOVED`` with a check that the information arrived; every other column of every row must be exactly as
it was: rows are never changed by an upgrade by accident.
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


# table -> {column dropped by a revision: a check, given the engine at head and the first revision's
# (key, value) pairs, that the value arrived where the revision moved it}
def _units_kept(engine: Engine, values: dict[object, object]) -> None:
    with engine.connect() as con:
        found = dict(con.execute(text("SELECT p.id, u.label FROM placement p JOIN block_unit u ON u.id = p.block_unit_id"))
                     .all())
    assert {str(k): v for k, v in found.items()} == {str(k): v for k, v in values.items() if v}


def _reasons_kept(engine: Engine, values: dict[object, object]) -> None:
    with engine.connect() as con:
        found = dict(con.execute(text("SELECT id, coalesce(reason_place_change, reason_episode_ceased) FROM placement"))
                     .all())
    assert {str(k): v for k, v in found.items()} == {str(k): v for k, v in values.items()}


def _approvals_kept(engine: Engine, values: dict[object, object]) -> None:
    with engine.connect() as con:
        found = dict(con.execute(text("SELECT agreement_id, decided_by FROM approval WHERE kind = 'cost'")).all())
    assert {str(k): v for k, v in found.items()} == {str(k): v for k, v in values.items() if v}


MOVED: dict[str, dict[str, Callable[[Engine, dict[object, object]], None]]] = {
    "placement": {"unit_label": _units_kept, "end_reason": _reasons_kept},  # 0003: units as rows; SSDA903 reasons
    "spot_agreement": {"approved_by": _approvals_kept},  # 0003: approvals as rows
}


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


def _moved_values(engine: Engine) -> dict[tuple[str, str], dict[object, object]]:
    out = {}
    with engine.connect() as con:
        for name, columns in MOVED.items():
            for col in columns:
                out[(name, col)] = dict(con.execute(select(column("id"), column(col)).select_from(table(name))).all())
    return out


def test_every_row_survives_the_upgrade_from_the_first_revision_to_head(db_url: str) -> None:
    first, head = migrate.first_revision(), migrate.head_revision()
    ctx = AppContext.for_target(db_url, today=TODAY)
    try:
        prepare_database(ctx, seed_demo_if_new=False)
        seed_demo(ctx)
        migrate.downgrade(ctx.engine, first)
        assert migrate.current_revision(ctx.engine) == first
        shape = _shape(ctx.engine)
        kept = {name: ([c for c in columns if c not in MOVED.get(name, {})], key)
                for name, (columns, key) in shape.items()}
        before = _fingerprint(ctx.engine, kept)
        moved = _moved_values(ctx.engine)
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
        after = _fingerprint(again.engine, kept)
        for (name, col), values in moved.items():
            MOVED[name][col](again.engine, values)
        with again.engine.connect() as con:
            if again.location.path is not None:
                assert con.execute(text("PRAGMA foreign_key_check")).all() == []
                assert con.execute(text("PRAGMA integrity_check")).all() == [("ok",)]
    finally:
        again.close()
    changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    assert not changed, f"rows changed by the upgrade from {first} to {head}: {changed}"


def test_prices_whose_parts_never_added_up_upgrade_with_the_difference_said(db_url: str) -> None:
    """Before 0003 nothing made the parts add up to the price. The upgrade keeps every price: a shortfall
    becomes an "other" part with words saying so; parts above the price set it, and the reason says so."""
    first = migrate.first_revision()
    ctx = AppContext.for_target(db_url, today=TODAY)
    try:
        prepare_database(ctx, seed_demo_if_new=False)
        seed_demo(ctx)
        migrate.downgrade(ctx.engine, first)
        with ctx.engine.begin() as con:
            short, over = [r[0] for r in con.execute(text(
                "SELECT id FROM spot_amendment WHERE core_weekly_pence > 10000 ORDER BY id LIMIT 2"))]
            con.execute(text("UPDATE spot_amendment SET weekly_price_pence = core_weekly_pence + "
                             "coalesce(staffing_weekly_pence, 0) + 12345 WHERE id = :id"), {"id": short})
            con.execute(text("UPDATE spot_amendment SET weekly_price_pence = core_weekly_pence - 100 WHERE id = :id"),
                        {"id": over})
            wanted = {str(r[0]): r[1] for r in con.execute(text(
                "SELECT id, weekly_price_pence FROM spot_amendment WHERE id = :id"), {"id": short})}
    finally:
        ctx.close()
    again = AppContext.for_target(db_url, today=TODAY)
    try:
        prepare_database(again, seed_demo_if_new=False)
        with again.engine.connect() as con:
            row = con.execute(text("SELECT weekly_price_pence, other_weekly_pence, other_text FROM spot_amendment "
                                   "WHERE id = :id"), {"id": short}).one()
            assert (row[0], row[1]) == (wanted[str(short)], 12345) and "Not broken down" in row[2]
            row = con.execute(text("SELECT weekly_price_pence, core_weekly_pence, staffing_weekly_pence, reason "
                                   "FROM spot_amendment WHERE id = :id"), {"id": over}).one()
            assert row[0] >= row[1] and "sum of its parts" in row[3]
    finally:
        again.close()
