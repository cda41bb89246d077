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

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from broker_tui.store.base import Versioned, utcnow
from broker_tui.store.errors import StaleEdit

V = TypeVar("V", bound=Versioned)

_BOOKKEEPING = frozenset({"version", "updated_at"})


def entity_label(cls: type) -> str:
    """'spot_agreement' -> 'spot agreement', for messages."""
    return str(getattr(cls, "__tablename__", cls.__name__)).replace("_", " ")


def changed_fields(opened: Versioned, current: Versioned) -> dict[str, tuple[Any, Any]]:
    """Fields whose stored value differs from the copy that was opened: {name: (opened, now)}."""
    seen, now = opened.model_dump(), current.model_dump()
    return {k: (seen.get(k), v) for k, v in now.items() if k not in _BOOKKEEPING and seen.get(k) != v}


def _stale(session: Session, opened: V) -> StaleEdit:
    cls = type(opened)
    with Session(session.get_bind()) as fresh:  # outside the failed transaction
        current = fresh.get(cls, opened.id)
        if current is None:
            return StaleEdit(entity_label(cls), {"(removed)": (opened.version, None)})
        return StaleEdit(entity_label(cls), changed_fields(opened, current))


def apply_edit(session: Session, opened: V, changes: Mapping[str, Any]) -> V:
    """Apply ``changes`` to the stored row that ``opened`` is a copy of, if nobody saved it since.

    ``opened`` is the row as the person saw it (detached, or from an earlier session); the session
    holds the transaction the edit belongs to. Returns the updated row (its version is one higher).
    Raises StaleEdit when the row moved on, KeyError for an unknown field.
    """
    cls = type(opened)
    unknown = set(changes) - set(cls.model_fields) | (set(changes) & {"id", *_BOOKKEEPING})
    if unknown:
        raise KeyError(f"cannot edit {', '.join(sorted(unknown))} of a {entity_label(cls)}")
    current = session.get(cls, opened.id, populate_existing=True)
    if current is None or current.version != opened.version:
        raise _stale(session, opened)
    for name, value in changes.items():
        setattr(current, name, value)
    current.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError:
        raise _stale(session, opened) from None
    return current
