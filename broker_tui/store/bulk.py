"""Bulk writes with SQLAlchemy Core: many rows in one executemany, each row complete and explicit.

Imports and the demo seed write thousands of rows; building one ORM object per row is several times
slower. These helpers fill every column the caller leaves out with the table's declared default (and a
new UUIDv7 id, and the created/updated stamps), so a Core insert writes exactly what the ORM would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, cast

from pydantic_core import PydanticUndefined
from sqlalchemy import Connection, bindparam, insert, update

from broker_tui.domain.ids import new_id
from broker_tui.store.base import TableModel
from broker_tui.store.errors import StaleEdit

_STAMPS = ("created_at", "updated_at")


@cache
def _defaults(model: type[TableModel]) -> tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...]]:
    """(constant defaults, (name, factory) of columns whose default is a factory) for a table model."""
    constants: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    for name, info in model.model_fields.items():
        if name == "id" or name in _STAMPS:
            continue
        if info.default_factory is not None:
            if info.default_factory_takes_validated_data:
                raise TypeError(f"{model.__name__}.{name}: a bulk row has no validated data for its default")
            # Checked just above: pydantic types a factory as maybe taking the validated data; this one does not.
            factories.append((name, cast(Callable[[], Any], info.default_factory)))
        elif info.default is not PydanticUndefined:
            constants[name] = info.default
    return constants, tuple(factories)


def complete_row(model: type[TableModel], values: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
    """``values`` plus every column's default, an id (unless given) and the created/updated stamps."""
    constants, factories = _defaults(model)
    fields = model.model_fields
    row = dict(constants)
    for name, factory in factories:
        row[name] = factory()
    for stamp in _STAMPS:
        if stamp in fields:
            row[stamp] = at
    row.update(values)
    if "id" in fields and row.get("id") is None:
        row["id"] = new_id()
    return row


def insert_rows(con: Connection, model: type[TableModel], rows: Iterable[dict[str, Any]],
                at: dt.datetime) -> list[dict[str, Any]]:
    """Insert the rows (completed with defaults) in one executemany; returns the completed rows.

    On SQLite the statement is compiled once and the column types' own bind processors are applied in
    one tight loop before the driver's executemany (Core's per-row parameter handling is most of the
    cost of a large insert there); elsewhere it is a plain Core executemany.
    """
    done = [complete_row(model, r, at) for r in rows]
    if not done:
        return done
    table = model.__table__
    if con.dialect.name != "sqlite":
        con.execute(insert(table), done)
        return done
    keys = list(done[0])
    dialect = con.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    order = compiled.positiontup or keys
    procs = [(k, table.c[k].type.dialect_impl(dialect).bind_processor(dialect)) for k in order]
    con.exec_driver_sql(compiled.string, _driver_params(done, procs))
    return done


def update_rows(con: Connection, model: type[TableModel], rows: list[dict[str, Any]], *,
                check_version: bool = False) -> int:
    """UPDATE ... WHERE id = :b_id [AND version = :b_version] for each row, in one executemany.

    Each row holds ``b_id`` (and ``b_version`` when checking), plus the same columns to set. Returns the
    number of rows changed (-1 when the driver cannot tell). SQLite takes the same fast path as inserts.
    """
    if not rows:
        return 0
    table = model.__table__
    stmt = update(table).where(table.c.id == bindparam("b_id"))
    if check_version:
        stmt = stmt.where(table.c.version == bindparam("b_version"))
    if con.dialect.name != "sqlite":
        return con.execute(stmt, rows).rowcount
    dialect = con.dialect
    keys = [k for k in rows[0] if not k.startswith("b_")]
    compiled = stmt.compile(dialect=dialect, column_keys=keys)
    procs = [(k, table.c[k[2:] if k.startswith("b_") else k].type.dialect_impl(dialect).bind_processor(dialect))
             for k in compiled.positiontup or ()]
    return con.exec_driver_sql(compiled.string, _driver_params(rows, procs)).rowcount


def update_versioned(con: Connection, model: type[TableModel], rows: list[dict[str, Any]]) -> None:
    """``update_rows`` under the version check: a row changed by someone else meanwhile (its version moved)
    refuses the whole write with StaleEdit, so the caller's transaction rolls back."""
    if not rows:
        return
    changed = update_rows(con, model, rows, check_version=True)
    if changed not in (-1, len(rows)) and (con.dialect.name == "sqlite" or con.dialect.supports_sane_multi_rowcount):
        raise StaleEdit(model.__table__.name, {"rows": (len(rows), changed)})


def _driver_params(rows: list[dict[str, Any]], procs: list[tuple[str, Any]]) -> list[tuple[Any, ...]]:
    """Each row as a tuple in statement order, through its column's bind processor. A value that is the
    very object the previous row had (a shared timestamp, None) reuses the processed result."""
    columns = []
    for key, proc in procs:
        if proc is None:
            columns.append([r[key] for r in rows])
            continue
        out, last_in, last_out = [], object(), None
        for r in rows:
            value = r[key]
            if value is not last_in:
                last_in, last_out = value, proc(value)
            out.append(last_out)
        columns.append(out)
    return list(zip(*columns, strict=True))
