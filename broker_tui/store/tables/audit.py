"""The audit trail: every create, update and end of a record, with who, when, before and after."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from broker_tui.store.base import InsertOnly, UTCDateTime, id_field, insert_only


@insert_only
class AuditEvent(InsertOnly, table=True):
    __tablename__ = "audit_event"
    id: uuid.UUID = id_field()
    at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    actor: str
    entity: str = Field(index=True)  # table name
    entity_id: str = Field(index=True)
    action: str  # create | update | end | import
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    txn_id: str = Field(default="", index=True)  # every event of one transaction shares it
