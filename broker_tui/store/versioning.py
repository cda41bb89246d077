"""Saving an edit to a versioned row: a stale save is refused with what changed, never written over.

A person opens a record (a copy at version N), changes some fields and saves. ``apply_edit`` writes the
changes only if the row is still at version N; otherwise it raises StaleEdit naming the fields someone
else changed since, with the value the person saw and the value now stored. The UPDATE itself also
carries ``WHERE version = N`` (SQLAlchemy's version_id_col), so a save racing another one between the
check and the write is refused the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from broker_tui.store.base import Versioned, utcnow
from broker_tui.store.errors import StaleEdit

V = TypeVar("V", bound=Versioned)

_BOOKKEEPING = frozenset({"version", "updated_at"})


def entity_label(cls: type) -> str:
    """'spot_agreement' -> 'spot agreement', for messages."""
    return str(getattr(cls, "__tablename__", cls.__name__)).replace("_", " ")


def changed_fields(opened: Versioned | Mapping[str, Any], current: Versioned) -> dict[str, tuple[Any, Any]]:
    """Fields whose stored value differs from the copy that was opened: {name: (opened, now)}. ``opened``
    is the row as the person saw it, or its values taken (``model_dump``) before anything re-read it."""
    seen = opened if isinstance(opened, Mapping) else opened.model_dump()
    now = current.model_dump()
    return {k: (seen.get(k), v) for k, v in now.items() if k not in _BOOKKEEPING and seen.get(k) != v}


def _stale(bind: Engine | Connection, cls: type[V], row_id: Any, seen: Mapping[str, Any]) -> StaleEdit:
    """The refusal, naming what changed. Read in a session of its own on ``bind`` (taken before the failed
    write: a session whose flush failed must not be asked for anything but a rollback)."""
    try:
        with Session(bind) as fresh:
            current = fresh.get(cls, row_id)
            if current is None:
                return StaleEdit(entity_label(cls), {"(removed)": (seen.get("version"), None)})
            return StaleEdit(entity_label(cls), changed_fields(seen, current))
    except SQLAlchemyError:  # the database cannot say what changed: the refusal still stands
        return StaleEdit(entity_label(cls), {})


def apply_edit(session: Session, opened: V, changes: Mapping[str, Any]) -> V:
    """Apply ``changes`` to the stored row that ``opened`` is a copy of, if nobody saved it since.

    ``opened`` is the row as the person saw it: detached, from an earlier session, or read earlier in this
    very session (its values and version are taken before the row is read again, so re-reading can never
    make a stale copy look current). The session holds the transaction the edit belongs to. Returns the
    updated row (its version is one higher). Raises StaleEdit when the row moved on, KeyError for an
    unknown field.
    """
    cls = type(opened)
    unknown = set(changes) - set(cls.model_fields) | (set(changes) & {"id", *_BOOKKEEPING})
    if unknown:
        raise KeyError(f"cannot edit {', '.join(sorted(unknown))} of a {entity_label(cls)}")
    seen = opened.model_dump()
    row_id = opened.id
    bind = session.get_bind()
    current = session.get(cls, row_id, populate_existing=True)
    if current is None or current.version != seen["version"]:
        raise _stale(bind, cls, row_id, seen)
    for name, value in changes.items():
        setattr(current, name, value)
    current.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError:
        raise _stale(bind, cls, row_id, seen) from None
    return current
