"""The audit trail: every change to a record writes who, when, what, before and after.

Every event of one database transaction carries the same transaction id (``transaction_id``), whether it
was added one at a time (``record``) or in bulk (``insert_audit_rows``), so "what else changed with this"
is one query.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
import weakref
from typing import Any

from sqlalchemy import Connection, RootTransaction
from sqlmodel import Session, SQLModel

from broker_tui.domain.ids import new_id
from broker_tui.store.bulk import insert_rows
from broker_tui.store.tables import AuditEvent

_TRANSACTIONS: weakref.WeakKeyDictionary[RootTransaction, str] = weakref.WeakKeyDictionary()


def transaction_id(con: Connection) -> str:
    """The id of the transaction ``con`` is in (made on first asking; the same for every event of it)."""
    txn = con.get_transaction()
    if txn is None:  # outside a transaction: the event is a transaction of its own
        return new_id().hex
    found = _TRANSACTIONS.get(txn)
    if found is None:
        found = _TRANSACTIONS[txn] = new_id().hex
    return found


def insert_audit_rows(con: Connection, rows: list[dict[str, Any]], now: dt.datetime) -> None:
    """Bulk-insert events made by ``audit_row``, all in the connection's transaction and carrying its id."""
    txn = transaction_id(con)
    for row in rows:
        row["txn_id"] = txn
    insert_rows(con, AuditEvent, rows, now)


def snapshot(row: SQLModel | None, *, exclude: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """A JSON-safe copy of a row's columns (dates ISO, ids as text, money stays integer pence)."""
    if row is None:
        return None
    out: dict[str, Any] = {}
    for name, value in row.model_dump().items():
        if name in exclude:
            continue
        out[name] = _json_safe(value)
    return out


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


def record(session: Session, *, actor: str, at: dt.datetime, entity: str, entity_id: Any, action: str,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> AuditEvent:
    """Add an audit event to the session's transaction (it commits or rolls back with the change)."""
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)} | {k for k in before if k not in after}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    event = AuditEvent(at=at, actor=actor, entity=entity, entity_id=str(entity_id), action=action,
                       before=before, after=after, txn_id=transaction_id(session.connection()))
    session.add(event)
    return event


def audit_row(*, actor: str, at: dt.datetime, entity: str, entity_id: Any, action: str,
              before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> dict[str, Any]:
    """The same event as ``record`` as a plain row, for bulk writers (imports, the demo seed) that insert
    many events in one executemany. ``before``/``after`` are trimmed to the changed keys likewise."""
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)} | {k for k in before if k not in after}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    before = {k: _scalar_safe(v) for k, v in before.items()} if before is not None else None
    after = {k: _scalar_safe(v) for k, v in after.items()} if after is not None else None
    return {"id": new_id(), "at": at, "created_at": at, "actor": actor, "entity": entity,
            "entity_id": str(entity_id), "action": action, "before": before, "after": after}


def _scalar_safe(value: Any) -> Any:
    """_json_safe with a fast path for the plain values most columns hold."""
    cls = type(value)
    if value is None or cls is str or cls is int or cls is bool or cls is float:
        return value
    if cls is dt.date or cls is dt.datetime:
        return value.isoformat()
    if cls is uuid.UUID:
        return str(value)
    return _json_safe(value)
