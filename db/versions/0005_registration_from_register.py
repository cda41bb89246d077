"""registration is a fact from Ofsted's register: services of types it must register that it never showed
are 'not_registered', not 'active'

Revision ID: 0005_registration_from_register
Revises: 0004_amendment_approval
Create Date: 2026-12-06

Before this revision a service written without the register (the council's provider list import, a row
with no status given) was 'active' by default: a children's home imported without an Ofsted URN was
treated as registered and offered for a child. Now a writer gives vocabulary.registration_on_entry: the
types that need no registration (the council's own and kinship fostering, 18+ accommodation) are
'not_required', the others 'not_registered' until the register import brings them (it sets the status,
the provision type and the registration date). No schema changes: registration_status is free text.

Existing rows put right, each with an audit event naming this upgrade: a service of a type Ofsted must
register (vocabulary.MUST_REGISTER_TYPES, as of this revision) recorded 'active' that the register never
showed: no URN, or a URN with no Ofsted provision type (a URN given in the council's list that no register
import has taken over). Services from the register, and every other status, are left as they are.

The downgrade gives every 'not_registered' service back the 'active' the code before this revision wrote
(it knows no other status for them), each with an audit event.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from broker_tui.domain.ids import new_id

revision: str = "0005_registration_from_register"
down_revision: str | None = "0004_amendment_approval"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# vocabulary.MUST_REGISTER_TYPES when this revision was written (a revision never follows later code)
MUST_REGISTER = ("fostering_ifa", "childrens_home_in_house", "childrens_home_external", "secure_childrens_home",
                 "supported_accommodation", "parent_and_child", "residential_special_school")

service = sa.table("service", sa.column("id", sa.Uuid()), sa.column("service_type", sa.String()),
                   sa.column("ofsted_urn", sa.String()), sa.column("ofsted_provision_type", sa.String()),
                   sa.column("registration_status", sa.String()), sa.column("version", sa.Integer()),
                   sa.column("updated_at", sa.DateTime(timezone=True)))
audit = sa.table("audit_event", sa.column("id", sa.Uuid()), sa.column("created_at", sa.DateTime(timezone=True)),
                 sa.column("at", sa.DateTime(timezone=True)), sa.column("actor", sa.String()),
                 sa.column("entity", sa.String()), sa.column("entity_id", sa.String()),
                 sa.column("action", sa.String()), sa.column("before", sa.JSON()), sa.column("after", sa.JSON()),
                 sa.column("txn_id", sa.String()))


def _restate(con: sa.Connection, where: sa.ColumnElement[bool], old: str, new: str, actor: str) -> None:
    now = dt.datetime.now(dt.UTC)
    txn = uuid.uuid4().hex
    rows = con.execute(sa.select(service.c.id, service.c.version).where(where).order_by(service.c.id)).all()
    for row in rows:
        con.execute(sa.update(service).where(service.c.id == row.id).values(
            registration_status=new, version=row.version + 1, updated_at=now))
        con.execute(sa.insert(audit).values(
            id=new_id(), created_at=now, at=now, actor=actor, entity="service", entity_id=str(row.id),
            action="update", before={"registration_status": old}, after={"registration_status": new}, txn_id=txn))


def upgrade() -> None:
    never_on_register = sa.or_(service.c.ofsted_urn.is_(None), service.c.ofsted_provision_type.is_(None))
    _restate(op.get_bind(), sa.and_(service.c.service_type.in_(MUST_REGISTER),
                                    service.c.registration_status == "active", never_on_register),
             "active", "not_registered", "broker-tui upgrade 0005")


def downgrade() -> None:
    _restate(op.get_bind(), service.c.registration_status == "not_registered", "not_registered", "active",
             "broker-tui downgrade 0005")
