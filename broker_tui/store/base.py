"""Shared column helpers for every table."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Column, DateTime, event
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from broker_tui.domain.ids import new_id


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def id_field(**kw: Any) -> Any:
    return Field(default_factory=new_id, primary_key=True, **kw)


def fk(target: str, *, nullable: bool = False, index: bool = True) -> Any:
    return Field(default=None if nullable else ..., foreign_key=target, index=index, nullable=nullable)


def json_field(default_factory: Any = list) -> Any:
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False))


def stamp_field() -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)


class Versioned(SQLModel):
    """A row that is edited: its version is checked on every update (optimistic concurrency).

    SQLAlchemy's version_id_col makes an UPDATE carry ``WHERE version = :old``; a stale save
    raises StaleDataError, which the services turn into a refusal naming what changed.
    """

    version: int = Field(default=1, nullable=False)
    created_at: dt.datetime = stamp_field()
    updated_at: dt.datetime = stamp_field()

    @declared_attr  # type: ignore[misc]
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}


class InsertOnly(SQLModel):
    """A history row: written once, never updated or deleted."""

    created_at: dt.datetime = stamp_field()


class HistoryIsInsertOnly(RuntimeError):
    pass


def _refuse(mapper: Any, connection: Any, target: Any) -> None:
    raise HistoryIsInsertOnly(f"{type(target).__name__} rows are history: insert a new row instead")


def insert_only(cls: type) -> type:
    event.listen(cls, "before_update", _refuse)
    event.listen(cls, "before_delete", _refuse)
    return cls


__all__ = ["SQLModel", "Field", "uuid", "dt"]
