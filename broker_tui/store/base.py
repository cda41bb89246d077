"""Shared column helpers for every table."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import JSON, Column, DateTime, Dialect, Table, event
from sqlalchemy.orm import declared_attr
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from broker_tui.domain.ids import new_id


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A moment in time, stored as UTC and read back as an aware UTC datetime on every backend.

    PostgreSQL keeps the offset itself; SQLite has no time zone type, and SQLAlchemy's plain DateTime
    there drops the offset (09:00+01:00 would be stored as 09:00). This converts to UTC before writing
    and marks what it reads as UTC, so both backends hand back the same value. A naive value is taken
    to be UTC already (the app makes aware datetimes: ``utcnow``, ``Clock.now``).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK's text: the column holds one of the codes (the codes are ours, never user input)."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def id_field(**kw: Any) -> Any:
    return Field(default_factory=new_id, primary_key=True, **kw)


def fk(target: str, *, nullable: bool = False, index: bool = True) -> Any:
    return Field(default=None if nullable else ..., foreign_key=target, index=index, nullable=nullable)


def json_field(default_factory: Any = list) -> Any:
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False))


def stamp_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class TableModel(SQLModel):
    """The base of every table model (``table=True``), directly or through Versioned or InsertOnly.

    It declares, for the type checker only, what SQLAlchemy's declarative mapping sets on each table class:
    ``__table__``, the Core Table that bulk writes and Core queries use. SQLModel's own types leave it out.
    """

    # Pydantic builds each model's validator when first used, not when the table is declared: declaring
    # the tables was most of the first Find placements' import (237 -> 137 ms)
    model_config = {"defer_build": True}

    if TYPE_CHECKING:
        __table__: ClassVar[Table]


class Versioned(TableModel):
    """A row that is edited: its version is checked on every update (optimistic concurrency).

    SQLAlchemy's version_id_col makes an UPDATE carry ``WHERE version = :old``; a stale save
    raises StaleDataError, which the services turn into a refusal naming what changed.
    """

    if TYPE_CHECKING:
        id: uuid.UUID  # declared by each table (id_field), in its own column order; edits look rows up by it

    version: int = Field(default=1, nullable=False)
    created_at: dt.datetime = stamp_field()
    updated_at: dt.datetime = stamp_field()

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}


class InsertOnly(TableModel):
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
