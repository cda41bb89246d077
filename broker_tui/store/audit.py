"""The audit trail: every change to a record writes who, when, what, before and after."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlmodel import Session, SQLModel

from broker_tui.domain.ids import new_id
from broker_tui.store.tables import AuditEvent


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
                       before=before, after=after)
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
