"""an amendment keeps why it needed approval when it was made: spot_amendment.approval_reasons

Revision ID: 0004_amendment_approval
Revises: 0003_purchases
Create Date: 2026-12-05

Before this revision whether an amendment waited for an approver was worked out again from the settings
of the day (threshold and raise percentage) every time it was read, so changing a setting changed history:
a lower threshold made raises long in force wait again (and dropped them from costs), a higher one put
waiting raises in force with nobody deciding. Now each amendment keeps the reasons it needed approval under
the rules when it was written (a JSON list of the words; empty: it needed none); approval rows still decide.

Existing rows get the reasons worked out as the code before this revision did, with the DEFAULT rules of
broker_tui.domain.settings.Settings (high_cost_threshold_pence, raise_basis_points), not a settings file:
- the first amendment of an agreement (the agreement as made): agreement_approval_reasons of its price;
- each later one, in the order made: amendment_approval_reasons against the price in force on its date (its
  date or the agreement's start, whichever is later) among the versions that counted before it (the as made
  one; those approved; those needing nothing and not rejected), the latest date on or before it, a
  later-made one winning a tie.
So a database whose settings were the defaults keeps today's behaviour exactly. Filling a new column is
not a change to the recorded history, so no audit event is written for it.

spot_amendment is insert-only: its guard triggers (revision 0003) are dropped for the fill and, on SQLite,
for the table rebuild that dropping the column's server default takes (batch mode copies the table, which
loses its triggers), and created again after, on both backends. The downgrade drops the column.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from broker_tui.domain.purchases import ApprovalRules, agreement_approval_reasons, amendment_approval_reasons
from broker_tui.domain.settings import Settings

revision: str = "0004_amendment_approval"
down_revision: str | None = "0003_purchases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "spot_amendment"
COUNTING = ("as_made", "in_force", "approved")

amendment = sa.table(TABLE, sa.column("id", sa.Uuid()), sa.column("agreement_id", sa.Uuid()),
                     sa.column("effective_from", sa.Date()), sa.column("weekly_price_pence", sa.Integer()),
                     sa.column("created_at", sa.DateTime(timezone=True)),
                     sa.column("approval_reasons", sa.JSON()))
agreement = sa.table("spot_agreement", sa.column("id", sa.Uuid()), sa.column("start_date", sa.Date()))
approval = sa.table("approval", sa.column("amendment_id", sa.Uuid()), sa.column("kind", sa.String()),
                    sa.column("decision", sa.String()), sa.column("created_at", sa.DateTime(timezone=True)),
                    sa.column("id", sa.Uuid()))


def _drop_guards(con: sa.Connection) -> None:
    if con.dialect.name == "sqlite":
        for verb in ("update", "delete"):
            con.execute(sa.text(f"DROP TRIGGER IF EXISTS tr_{TABLE}_no_{verb}"))
    else:
        con.execute(sa.text(f"DROP TRIGGER IF EXISTS tr_{TABLE}_insert_only ON {TABLE}"))


def _create_guards(con: sa.Connection) -> None:
    """As revision 0003 made them (its broker_tui_insert_only() function still serves on PostgreSQL)."""
    if con.dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            con.execute(sa.text(
                f"CREATE TRIGGER tr_{TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, 'insert_only_{TABLE}: history is never changed, add a new row'); END"))
    else:
        con.execute(sa.text(f"CREATE TRIGGER tr_{TABLE}_insert_only BEFORE UPDATE OR DELETE ON {TABLE} "
                            f"FOR EACH ROW EXECUTE FUNCTION broker_tui_insert_only()"))


def _reasons_then(start: dt.date, entries: Sequence[tuple[dt.date, int, str | None]],
                  rules: ApprovalRules) -> list[list[str]]:
    """Each version's approval reasons, as the code before this revision judged them (see the docstring)."""
    out: list[list[str]] = []
    counted: list[tuple[dt.date, int]] = []
    for i, (effective, weekly, decision) in enumerate(entries):
        if i == 0:
            out.append(agreement_approval_reasons(weekly, rules))
            counted.append((effective, weekly))
            continue
        night = max(effective, start)
        best: dt.date | None = None
        old = 0
        for day, pence in counted:
            if day <= night and (best is None or day >= best):
                best, old = day, pence
        reasons = amendment_approval_reasons(old, weekly, rules)
        out.append(reasons)
        if decision is not None:
            state = "approved" if decision == "approved" else "rejected"
        else:
            state = "awaiting_approval" if reasons else "in_force"
        if state in COUNTING:
            counted.append((effective, weekly))
    return out


def _fill(con: sa.Connection) -> None:
    rules = ApprovalRules(Settings.high_cost_threshold_pence, Settings.raise_basis_points)
    starts = dict(con.execute(sa.select(agreement.c.id, agreement.c.start_date)).all())
    decided: dict[uuid.UUID, str] = {}
    for amendment_id, decision in con.execute(
            sa.select(approval.c.amendment_id, approval.c.decision)
            .where(approval.c.kind == "cost", approval.c.amendment_id.is_not(None))
            .order_by(approval.c.created_at, approval.c.id)):
        decided[amendment_id] = decision  # the last decision wins, as the services read it
    versions: dict[uuid.UUID, list[tuple[uuid.UUID, dt.date, int]]] = defaultdict(list)
    for row in con.execute(sa.select(amendment.c.id, amendment.c.agreement_id, amendment.c.effective_from,
                                     amendment.c.weekly_price_pence)
                           .order_by(amendment.c.agreement_id, amendment.c.created_at, amendment.c.id)):
        versions[row.agreement_id].append((row.id, row.effective_from, row.weekly_price_pence))
    for agreement_id, rows in versions.items():
        entries = [(effective, weekly, decided.get(ident)) for ident, effective, weekly in rows]
        for (ident, _effective, _weekly), reasons in zip(rows, _reasons_then(starts[agreement_id], entries, rules),
                                                          strict=True):
            if reasons:
                con.execute(sa.update(amendment).where(amendment.c.id == ident).values(approval_reasons=reasons))


def upgrade() -> None:
    con = op.get_bind()
    _drop_guards(con)
    with op.batch_alter_table(TABLE) as b:
        b.add_column(sa.Column("approval_reasons", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    _fill(con)
    with op.batch_alter_table(TABLE) as b:  # the default filled the old rows; the app sets its own
        b.alter_column("approval_reasons", existing_type=sa.JSON(), existing_nullable=False, server_default=None)
    _create_guards(con)


def downgrade() -> None:
    con = op.get_bind()
    _drop_guards(con)
    with op.batch_alter_table(TABLE) as b:
        b.drop_column("approval_reasons")
    _create_guards(con)
