"""The audit trail: every change to a record writes who, when, what, before and after.

By construction: a session opened by ``engine.session_scope`` with an actor carries an audit scope, and
a flush listener here writes one event for every row the flush creates, changes or deletes, in the same
transaction, before the rows go to the database. No service writes its own events, so none can forget
one; a service may only *name* what it did (``name_action``: "approve", "end", "status"), or add the
reason. A flush of a session with no actor is refused (AuditMissing): nothing is written unattributed.
Bulk Core writers (the importers, the demo seed) insert their events with ``insert_audit_rows``.

Every event of one database transaction carries the same transaction id (``transaction_id``), whether it
was added one at a time (``record``) or in bulk (``insert_audit_rows``), so "what else changed with this"
is one query.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, RootTransaction, event, inspect
from sqlalchemy.orm import Session as OrmSession
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


class AuditMissing(RuntimeError):
    """A write through a session that names nobody: refused, since every change must say who made it."""


@dataclass
class AuditScope:
    actor: str
    now: Callable[[], dt.datetime]
    actions: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # (table, id) -> (action, why)


_SCOPE = "broker_tui.audit"
_UNAUDITED = frozenset({"audit_event"})


def attach(session: Session, *, actor: str, now: Callable[[], dt.datetime]) -> None:
    """Every row this session writes from now on leaves an event naming ``actor`` at ``now()``."""
    if not actor.strip():
        raise AuditMissing("a change must say who made it")
    session.info[_SCOPE] = AuditScope(actor, now)


def name_action(session: Session, row: SQLModel, action: str, note: str = "") -> None:
    """Name what the next flush of ``row`` (or any copy of it: the same table and id) did ("approve",
    "end"...) and why; otherwise it is "create", "update" or "delete". The name is used once."""
    scope = session.info.get(_SCOPE)
    if scope is None:
        raise AuditMissing("this session names nobody, so nothing it writes can be audited")
    scope.actions[(str(getattr(type(row), "__tablename__", "")), str(getattr(row, "id", "")))] = (action, note)


def _changes(row: SQLModel) -> tuple[dict[str, Any], dict[str, Any]]:
    """The columns the flush will change: (before, after), JSON-safe."""
    state = inspect(row)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if old == new:
            continue
        before[attr.key] = _json_safe(old)
        after[attr.key] = _json_safe(new)
    return before, after


def _key(row: object) -> str:
    """The row's primary key as text (its id; a keyed table's key)."""
    state = inspect(row)
    return "/".join(str(getattr(row, c.key)) for c in state.mapper.primary_key)


@event.listens_for(OrmSession, "before_flush")
def _audit_flush(session: OrmSession, _context: object, _instances: object) -> None:
    rows = [(obj, kind) for kind, objs in (("create", session.new), ("update", session.dirty),
                                            ("delete", session.deleted))
            for obj in objs if getattr(type(obj), "__tablename__", None) not in _UNAUDITED | {None}]
    if not rows:
        return
    scope: AuditScope | None = session.info.get(_SCOPE)
    if scope is None:
        raise AuditMissing("a change must say who made it: open the session with an actor")
    at = scope.now()
    txn = transaction_id(session.connection())
    for obj, kind in rows:
        before: dict[str, Any] | None
        after: dict[str, Any] | None
        if kind == "update":
            if not session.is_modified(obj, include_collections=False):
                continue
            before, after = _changes(obj)
            if not after or set(after) <= {"updated_at", "version"}:
                continue
        elif kind == "create":
            before, after = None, snapshot(cast(SQLModel, obj))
        else:
            before, after = snapshot(cast(SQLModel, obj)), None
        entity, entity_id = type(obj).__tablename__, _key(obj)
        if entity == "app_meta" and entity_id.endswith(SECRET_SUFFIX):  # that it changed, never what it is
            before, after = _hidden(before), _hidden(after)
        action, note = scope.actions.pop((entity, entity_id), (kind, ""))
        if note:
            after = {**(after or {}), "why": note}
        session.add(AuditEvent(at=at, actor=scope.actor, entity=entity, entity_id=entity_id,
                               action=action, before=before, after=after, txn_id=txn))


SECRET_SUFFIX = "_secret"  # an app_meta key ending so holds a key (a pseudonym's): audited, its value not kept


def _hidden(values: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if values is None else {k: "[secret: not recorded]" if k == "value" else v
                                         for k, v in values.items()}


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
