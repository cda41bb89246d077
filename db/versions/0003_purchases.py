"""purchases held by the schema: block units, one way to buy a placement, half-open nights, approvals as
rows, price parts with hours and rates, QA about any subject, insert-only history guarded by triggers

Revision ID: 0003_purchases
Revises: 0002_casework_rules
Create Date: 2026-12-04

Every row is kept. What moves:
- block units become rows: each contract gets the units its placements name (``unit_label``) and enough
  more ("Unit k") to reach the most units its terms ever held; each block placement points at its unit;
- a placement's single ``end_reason`` is split into the SSDA903 reason for the placement change
  (REASON_PLACE_CHANGE codes) and the reason the episode ceased (REC codes);
- ``approved_by`` on an agreement becomes an approval row (cost, approved, by that name, on the start);
- an amendment's reason "N hours a week of 1:1 ..." gives its hours and hourly rate; uplifts are coded;
- a QA note names its subject (the block contract when it has one, else the service); a done action is
  status done.
Insert-only tables get triggers refusing UPDATE and DELETE on both backends. A later revision that
rebuilds one of them on SQLite (batch mode) must create its triggers again (tests check they exist at head).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from broker_tui.domain.ids import new_id

revision: str = "0003_purchases"
down_revision: str | None = "0002_casework_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSERT_ONLY = ("price_list", "spot_amendment", "block_contract_term", "block_unit_status", "qa_note",
               "audit_event", "approval")
REASON_PLACE_CHANGE = ("ALLEG", "APPRR", "CARPL", "CHILD", "CLOSE", "CREQB", "CREQO", "CUSTOD", "LAREQ", "OTHER",
                       "PLACE", "STAND")
SIXTEEN_PLUS = ("supported_accommodation", "care_leavers_18_plus")
BEFORE = "(recorded before revision 0003)"
HOURS = re.compile(r"(\d+) hours? a week of 1:1")


def _uuid(value: object) -> uuid.UUID:
    """An id read through plain SQL: SQLite gives the 32 hex digits SQLAlchemy stored, PostgreSQL a UUID."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    con = op.get_bind()
    _new_tables()
    _new_columns()
    _move_data(con)
    _drop_old_and_check()
    _guards(con)


def _new_tables() -> None:
    op.create_table(
        "block_unit",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["block_contract.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_id", "label", name="uq_block_unit_label"),
    )
    op.create_index("ix_block_unit_contract_id", "block_unit", ["contract_id"])
    op.create_table(
        "block_unit_status",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.CheckConstraint(_in("status", ("available", "held", "out_of_use_provider", "out_of_use_council")),
                           name="ck_block_unit_status"),
        sa.ForeignKeyConstraint(["unit_id"], ["block_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_block_unit_status_unit_id", "block_unit_status", ["unit_id"])
    op.create_table(
        "approval",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), nullable=True),
        sa.Column("amendment_id", sa.Uuid(), nullable=True),
        sa.Column("placement_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("decision", sa.String(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("weekly_pence", sa.Integer(), nullable=True),
        sa.CheckConstraint(_in("kind", ("cost", "out_of_area", "distant", "school_years_10_11",
                                        "host_council_told")), name="ck_approval_kind"),
        sa.CheckConstraint(_in("decision", ("approved", "rejected", "told")), name="ck_approval_decision"),
        sa.CheckConstraint("decision <> 'rejected' OR reason <> ''", name="ck_approval_reason"),
        sa.ForeignKeyConstraint(["agreement_id"], ["spot_agreement.id"]),
        sa.ForeignKeyConstraint(["amendment_id"], ["spot_amendment.id"]),
        sa.ForeignKeyConstraint(["placement_id"], ["placement.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("agreement_id", "amendment_id", "placement_id"):
        op.create_index(f"ix_approval_{column}", "approval", [column])


def _new_columns() -> None:
    text, num = sa.String(), sa.Integer()
    with op.batch_alter_table("audit_event") as b:
        b.add_column(sa.Column("txn_id", text, nullable=False, server_default=""))
        b.create_index("ix_audit_event_txn_id", ["txn_id"])
    with op.batch_alter_table("block_contract") as b:
        b.add_column(sa.Column("for_16_plus", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("block_contract_term") as b:
        b.add_column(sa.Column("uplift_bp", num, nullable=False, server_default="0"))
        b.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
    with op.batch_alter_table("placement") as b:
        b.add_column(sa.Column("block_unit_id", sa.Uuid(), nullable=True))
        for name in ("overlap_kind", "overlap_reason", "ended_by"):
            b.add_column(sa.Column(name, text, nullable=False, server_default=""))
        b.add_column(sa.Column("reason_place_change", text, nullable=True))
        b.add_column(sa.Column("reason_episode_ceased", text, nullable=True))
    with op.batch_alter_table("spot_agreement") as b:
        b.add_column(sa.Column("purchasing_route", text, nullable=False, server_default="spot"))
        for name in ("framework_name", "framework_lot", "route_reason", "cost_centre", "recorded_by", "status_reason"):
            b.add_column(sa.Column(name, text, nullable=False, server_default=""))
    with op.batch_alter_table("spot_amendment") as b:
        b.add_column(sa.Column("kind", text, nullable=False, server_default="as_made"))
        b.add_column(sa.Column("planned_end", sa.Date(), nullable=True))
        for name in ("one_to_one_minutes", "one_to_one_hourly_pence", "two_to_one_weekly_pence",
                     "two_to_one_minutes", "two_to_one_hourly_pence", "other_weekly_pence"):
            b.add_column(sa.Column(name, num, nullable=False, server_default="0"))
        b.add_column(sa.Column("other_text", text, nullable=False, server_default=""))
    with op.batch_alter_table("qa_note") as b:
        b.add_column(sa.Column("subject", text, nullable=False, server_default="service"))
        for name in ("provider_id", "spot_agreement_id", "placement_id"):
            b.add_column(sa.Column(name, sa.Uuid(), nullable=True))
        b.add_column(sa.Column("young_people_involved", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("qa_action") as b:
        b.add_column(sa.Column("status", text, nullable=False, server_default="open"))
        b.add_column(sa.Column("done_by", text, nullable=False, server_default=""))
        b.add_column(sa.Column("cancelled_reason", text, nullable=False, server_default=""))


def _move_data(con: sa.Connection) -> None:
    now = dt.datetime.now(dt.UTC)
    con.execute(sa.text(f"UPDATE block_contract SET for_16_plus = {'true' if con.dialect.name == 'postgresql' else 1} "
                        f"WHERE service_id IN (SELECT id FROM service WHERE {_in('service_type', SIXTEEN_PLUS)})"))
    _units(con)
    con.execute(sa.text(f"UPDATE placement SET reason_place_change = end_reason "
                        f"WHERE {_in('end_reason', REASON_PLACE_CHANGE)}"))
    con.execute(sa.text(f"UPDATE placement SET reason_episode_ceased = end_reason "
                        f"WHERE end_reason IS NOT NULL AND NOT {_in('end_reason', REASON_PLACE_CHANGE)}"))
    approval = sa.table("approval", sa.column("id", sa.Uuid()), sa.column("created_at", sa.DateTime(timezone=True)),
                        sa.column("agreement_id", sa.Uuid()), *[sa.column(c) for c in (
                            "kind", "decision", "decided_by", "decided_on", "reason")])
    for row in con.execute(sa.text("SELECT id, approved_by, start_date FROM spot_agreement WHERE approved_by <> ''")):
        con.execute(sa.insert(approval).values(id=new_id(), created_at=now, agreement_id=_uuid(row.id), kind="cost",
                                               decision="approved", decided_by=row.approved_by,
                                               decided_on=row.start_date, reason=BEFORE))
    con.execute(sa.text("UPDATE spot_agreement SET purchasing_route = 'framework', framework_name = contract_basis "
                        "WHERE lower(contract_basis) LIKE '%framework%'"))
    amendment = sa.table("spot_amendment", sa.column("id", sa.Uuid()), sa.column("one_to_one_minutes"),
                         sa.column("one_to_one_hourly_pence"))
    for row in con.execute(sa.text("SELECT id, reason, staffing_weekly_pence FROM spot_amendment "
                                   "WHERE staffing_weekly_pence > 0")):
        found = HOURS.search(row.reason or "")
        if found and int(found.group(1)) > 0 and row.staffing_weekly_pence % int(found.group(1)) == 0:
            hours = int(found.group(1))
            con.execute(sa.update(amendment).where(amendment.c.id == _uuid(row.id)).values(
                one_to_one_minutes=hours * 60, one_to_one_hourly_pence=row.staffing_weekly_pence // hours))
    # the parts must now add up to the price: what an earlier price left unexplained is kept as "other" with
    # words; parts that came to more than the price (nothing stopped it before) set the price, and say so
    parts = ("coalesce(core_weekly_pence, 0) + coalesce(staffing_weekly_pence, 0) + two_to_one_weekly_pence"
             " + coalesce(education_weekly_pence, 0) + coalesce(therapy_weekly_pence, 0)"
             " + coalesce(solo_premium_weekly_pence, 0) + other_weekly_pence")
    con.execute(sa.text(f"UPDATE spot_amendment SET other_weekly_pence = other_weekly_pence + weekly_price_pence - "
                        f"({parts}), other_text = '{NOT_BROKEN_DOWN}' WHERE weekly_price_pence > {parts}"))
    con.execute(sa.text(f"UPDATE spot_amendment SET weekly_price_pence = {parts}, reason = reason || "
                        f"' [{PRICE_FROM_PARTS}]' WHERE weekly_price_pence < {parts}"))
    con.execute(sa.text("UPDATE spot_amendment SET kind = 'uplift' WHERE lower(reason) LIKE 'annual uplift%'"))
    con.execute(sa.text("UPDATE spot_amendment SET kind = 'price_change' WHERE kind = 'as_made' AND EXISTS ("
                        "SELECT 1 FROM spot_amendment e WHERE e.agreement_id = spot_amendment.agreement_id "
                        "AND (e.effective_from < spot_amendment.effective_from OR (e.effective_from = "
                        "spot_amendment.effective_from AND e.created_at < spot_amendment.created_at)))"))
    con.execute(sa.text("UPDATE qa_note SET subject = 'block_contract' WHERE block_contract_id IS NOT NULL"))
    con.execute(sa.text("UPDATE qa_note SET subject = 'provider', provider_id = (SELECT provider_id FROM service "
                        "WHERE service.id = qa_note.service_id) WHERE block_contract_id IS NULL AND service_id IS NULL"))
    con.execute(sa.text(f"UPDATE qa_action SET status = 'done', done_by = '{BEFORE}' WHERE done_on IS NOT NULL"))


def _units(con: sa.Connection) -> None:
    """A unit row for each unit a contract held; each block placement in its unit."""
    stamp = sa.DateTime(timezone=True)
    unit = sa.table("block_unit", sa.column("id", sa.Uuid()), sa.column("version"), sa.column("created_at", stamp),
                    sa.column("updated_at", stamp), sa.column("contract_id", sa.Uuid()), sa.column("label"))
    placement = sa.table("placement", sa.column("id", sa.Uuid()), sa.column("block_unit_id", sa.Uuid()))
    now = dt.datetime.now(dt.UTC)
    sizes = {_uuid(row[0]): row[1] for row in con.execute(sa.text(
        "SELECT contract_id, max(units) FROM block_contract_term GROUP BY contract_id"))}
    by_contract: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
    for row in con.execute(sa.text("SELECT id, block_contract_id, unit_label FROM placement "
                                   "WHERE block_contract_id IS NOT NULL ORDER BY start_date, id")):
        by_contract.setdefault(_uuid(row.block_contract_id), []).append((_uuid(row.id), (row.unit_label or "").strip()))
    for (raw_id,) in con.execute(sa.text("SELECT id FROM block_contract ORDER BY reference")).all():
        contract_id = _uuid(raw_id)
        placed = by_contract.get(contract_id, [])
        labels = list(dict.fromkeys(label for _pid, label in placed if label))
        k = 1
        while len(labels) < (sizes.get(contract_id) or 0):
            if f"Unit {k}" not in labels:
                labels.append(f"Unit {k}")
            k += 1
        if any(not label for _pid, label in placed):
            labels.append("Unit (not named before revision 0003)")
        ids = {label: new_id() for label in labels}
        for label, uid in ids.items():
            con.execute(sa.insert(unit).values(id=uid, version=1, created_at=now, updated_at=now,
                                               contract_id=contract_id, label=label))
        for pid, label in placed:
            con.execute(sa.update(placement).where(placement.c.id == pid).values(
                block_unit_id=ids[label or "Unit (not named before revision 0003)"]))


NOT_BROKEN_DOWN = "Not broken down (recorded before the parts had to add up)"
PRICE_FROM_PARTS = "the weekly price set to the sum of its parts at revision 0003"

ADDED_WITH_DEFAULTS = {
    "audit_event": ("txn_id",), "block_contract": ("for_16_plus",), "block_contract_term": ("uplift_bp",),
    "placement": ("overlap_kind", "overlap_reason", "ended_by"),
    "spot_agreement": ("purchasing_route", "framework_name", "framework_lot", "route_reason", "cost_centre",
                       "recorded_by", "status_reason"),
    "spot_amendment": ("kind", "one_to_one_minutes", "one_to_one_hourly_pence", "two_to_one_weekly_pence",
                       "two_to_one_minutes", "two_to_one_hourly_pence", "other_weekly_pence", "other_text"),
    "qa_note": ("subject", "young_people_involved"), "qa_action": ("status", "done_by", "cancelled_reason"),
}


def _drop_old_and_check() -> None:
    for table, columns in ADDED_WITH_DEFAULTS.items():  # the defaults filled the old rows; the app sets its own
        with op.batch_alter_table(table) as b:
            for name in columns:
                b.alter_column(name, server_default=None)
    with op.batch_alter_table("placement") as b:
        b.drop_column("end_reason")
        b.drop_column("unit_label")
        b.create_index("ix_placement_block_unit_id", ["block_unit_id"])
        b.create_index("ix_placement_case_nights", ["case_ref", "start_date"])
        b.create_foreign_key("fk_placement_block_unit_id", "block_unit", ["block_unit_id"], ["id"])
        b.create_check_constraint("ck_placement_one_purchase", "(spot_agreement_id IS NULL) <> (block_unit_id IS NULL)")
        b.create_check_constraint("ck_placement_unit_contract", "block_unit_id IS NULL OR block_contract_id IS NOT NULL")
        b.create_check_constraint("ck_placement_nights", "end_date IS NULL OR end_date > start_date")
        b.create_check_constraint("ck_placement_overlap_kind", _in("overlap_kind", ("", "retainer", "transition")))
        b.create_check_constraint("ck_placement_overlap_reason", "overlap_kind = '' OR overlap_reason <> ''")
    with op.batch_alter_table("spot_agreement") as b:
        b.drop_column("approved_by")
        b.create_check_constraint("ck_spot_agreement_status", _in("status", (
            "draft", "awaiting_approval", "active", "rejected", "cancelled", "ended")))
        b.create_check_constraint("ck_spot_agreement_planned_end", "planned_end IS NULL OR planned_end > start_date")
        b.create_check_constraint("ck_spot_agreement_ended", "ended_on IS NULL OR ended_on >= start_date")
    money = ("weekly_price_pence", "core_weekly_pence", "staffing_weekly_pence", "two_to_one_weekly_pence",
             "education_weekly_pence", "therapy_weekly_pence", "solo_premium_weekly_pence", "other_weekly_pence",
             "one_to_one_hourly_pence", "two_to_one_hourly_pence", "one_to_one_minutes",
             "two_to_one_minutes")
    with op.batch_alter_table("spot_amendment") as b:
        b.create_check_constraint("ck_spot_amendment_parts", (
            "weekly_price_pence = core_weekly_pence + staffing_weekly_pence + two_to_one_weekly_pence"
            " + education_weekly_pence + therapy_weekly_pence + solo_premium_weekly_pence + other_weekly_pence"))
        b.create_check_constraint("ck_spot_amendment_shares", "social_care_pct + education_pct + health_pct = 100")
        b.create_check_constraint("ck_spot_amendment_shares_positive",
                                  "social_care_pct >= 0 AND education_pct >= 0 AND health_pct >= 0")
        b.create_check_constraint("ck_spot_amendment_money", " AND ".join(f"{c} >= 0" for c in money))
        b.create_check_constraint("ck_spot_amendment_kind", _in("kind", (
            "as_made", "price_change", "uplift", "extension", "planned_end")))
        b.create_check_constraint("ck_spot_amendment_other_text", "other_weekly_pence = 0 OR other_text <> ''")
    with op.batch_alter_table("block_contract") as b:
        b.create_check_constraint("ck_block_contract_dates", "ends_on > starts_on")
    with op.batch_alter_table("block_contract_term") as b:
        b.create_check_constraint("ck_block_contract_term_money", "units >= 0 AND unit_weekly_pence >= 0")
    subjects = ("provider", "service", "spot_agreement", "block_contract", "placement")
    with op.batch_alter_table("qa_note") as b:
        for column, target in (("provider_id", "provider"), ("spot_agreement_id", "spot_agreement"),
                               ("placement_id", "placement")):
            b.create_index(f"ix_qa_note_{column}", [column])
            b.create_foreign_key(f"fk_qa_note_{column}", target, [column], ["id"])
        b.create_check_constraint("ck_qa_note_rag", _in("rag", ("red", "amber", "green")))
        b.create_check_constraint("ck_qa_note_subject", _in("subject", subjects))
        b.create_check_constraint("ck_qa_note_subject_named", " OR ".join(
            f"(subject = '{s}' AND {s}_id IS NOT NULL)" for s in subjects))
    with op.batch_alter_table("qa_action") as b:
        b.create_check_constraint("ck_qa_action_status", _in("status", ("open", "done", "cancelled")))
        b.create_check_constraint("ck_qa_action_done", "status <> 'done' OR (done_on IS NOT NULL AND done_by <> '')")
        b.create_check_constraint("ck_qa_action_cancelled", "status <> 'cancelled' OR cancelled_reason <> ''")


# --- guards: insert-only history and one placement a night -------------------------------------------------

def _guards(con: sa.Connection) -> None:
    if con.dialect.name == "sqlite":
        for table in INSERT_ONLY:
            for verb in ("UPDATE", "DELETE"):
                con.execute(sa.text(
                    f"CREATE TRIGGER tr_{table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'insert_only_{table}: history is never changed, add a new row'); END"))
        for verb in ("INSERT", "UPDATE"):
            con.execute(sa.text(_sqlite_nights_trigger(verb)))
        return
    con.execute(sa.text(
        "CREATE FUNCTION broker_tui_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'insert_only_%: history is never changed, add a new row', TG_TABLE_NAME "
        "USING ERRCODE = 'integrity_constraint_violation'; END $$"))
    for table in INSERT_ONLY:
        con.execute(sa.text(f"CREATE TRIGGER tr_{table}_insert_only BEFORE UPDATE OR DELETE ON {table} "
                            f"FOR EACH ROW EXECUTE FUNCTION broker_tui_insert_only()"))
    _postgres_exclusions(con)


_OVERLAP = ("p.id <> NEW.id AND p.start_date < coalesce(NEW.end_date, '9999-12-31') "
            "AND NEW.start_date < coalesce(p.end_date, '9999-12-31')")


def _sqlite_nights_trigger(verb: str) -> str:
    """On SQLite (one writer at a time, so a trigger's look is never stale): no two placements in one unit on
    a night; a child in one placement a night unless one of them is a retainer or transition."""
    return (
        f"CREATE TRIGGER tr_placement_nights_{verb.lower()} BEFORE {verb} ON placement BEGIN "
        f"SELECT RAISE(ABORT, 'placement_unit_nights: the unit is taken on some of these nights') "
        f"WHERE NEW.block_unit_id IS NOT NULL AND EXISTS (SELECT 1 FROM placement p "
        f"WHERE p.block_unit_id = NEW.block_unit_id AND {_OVERLAP}); "
        f"SELECT RAISE(ABORT, 'placement_child_nights: the child has another placement on some of these nights') "
        f"WHERE NEW.overlap_kind = '' AND EXISTS (SELECT 1 FROM placement p "
        f"WHERE p.case_ref = NEW.case_ref AND p.overlap_kind = '' AND {_OVERLAP}); END")


def _postgres_exclusions(con: sa.Connection) -> None:
    """Exclusion constraints need btree_gist: used when it installs (extension rights) and the rows already
    keep the rules; the services' row locks hold the rules either way."""
    try:
        with con.begin_nested():
            con.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
    except sa.exc.DBAPIError:
        return
    for name, spec in (
            ("ex_placement_unit_nights", "block_unit_id WITH =, daterange(start_date, end_date) WITH &&) "
                                         "WHERE (block_unit_id IS NOT NULL"),
            ("ex_placement_child_nights", "case_ref WITH =, daterange(start_date, end_date) WITH &&) "
                                          "WHERE (overlap_kind = ''")):
        try:
            with con.begin_nested():
                con.execute(sa.text(f"ALTER TABLE placement ADD CONSTRAINT {name} EXCLUDE USING gist ({spec})"))
        except sa.exc.DBAPIError:
            continue  # rows made before this revision break it: the lock in the services still holds


def downgrade() -> None:
    con = op.get_bind()
    if con.dialect.name == "sqlite":
        for table in INSERT_ONLY:
            for verb in ("update", "delete"):
                con.execute(sa.text(f"DROP TRIGGER IF EXISTS tr_{table}_no_{verb}"))
        for verb in ("insert", "update"):
            con.execute(sa.text(f"DROP TRIGGER IF EXISTS tr_placement_nights_{verb}"))
    else:
        for table in INSERT_ONLY:
            con.execute(sa.text(f"DROP TRIGGER IF EXISTS tr_{table}_insert_only ON {table}"))
        con.execute(sa.text("DROP FUNCTION IF EXISTS broker_tui_insert_only()"))
        for name in ("ex_placement_unit_nights", "ex_placement_child_nights"):
            con.execute(sa.text(f"ALTER TABLE placement DROP CONSTRAINT IF EXISTS {name}"))
    with op.batch_alter_table("placement") as b:
        b.add_column(sa.Column("end_reason", sa.String(), nullable=True))
        b.add_column(sa.Column("unit_label", sa.String(), nullable=False, server_default=""))
    with op.batch_alter_table("spot_agreement") as b:
        b.add_column(sa.Column("approved_by", sa.String(), nullable=False, server_default=""))
    con.execute(sa.text("UPDATE placement SET end_reason = coalesce(reason_place_change, reason_episode_ceased)"))
    con.execute(sa.text("UPDATE placement SET unit_label = (SELECT label FROM block_unit "
                        "WHERE block_unit.id = placement.block_unit_id) WHERE block_unit_id IS NOT NULL"))
    con.execute(sa.text("UPDATE spot_agreement SET approved_by = coalesce((SELECT max(decided_by) FROM approval a "
                        "WHERE a.agreement_id = spot_agreement.id AND a.kind = 'cost' AND a.decision = 'approved' "
                        "AND a.amendment_id IS NULL), '')"))
    with op.batch_alter_table("placement") as b:
        for name in ("ck_placement_one_purchase", "ck_placement_unit_contract", "ck_placement_nights",
                     "ck_placement_overlap_kind", "ck_placement_overlap_reason"):
            b.drop_constraint(name, type_="check")
        b.drop_constraint("fk_placement_block_unit_id", type_="foreignkey")
        b.drop_index("ix_placement_block_unit_id")
        b.drop_index("ix_placement_case_nights")
        for name in ("block_unit_id", "overlap_kind", "overlap_reason", "ended_by", "reason_place_change",
                     "reason_episode_ceased"):
            b.drop_column(name)
    with op.batch_alter_table("spot_agreement") as b:
        for name in ("ck_spot_agreement_status", "ck_spot_agreement_planned_end", "ck_spot_agreement_ended"):
            b.drop_constraint(name, type_="check")
        for name in ("purchasing_route", "framework_name", "framework_lot", "route_reason", "cost_centre",
                     "recorded_by", "status_reason"):
            b.drop_column(name)
    # 0001 knew one staffing part: 2:1 support and "other" are folded into it, so the parts still add up
    con.execute(sa.text("UPDATE spot_amendment SET staffing_weekly_pence = staffing_weekly_pence + "
                        "two_to_one_weekly_pence + other_weekly_pence, two_to_one_weekly_pence = 0, "
                        "other_weekly_pence = 0"))
    with op.batch_alter_table("spot_amendment") as b:
        for name in ("ck_spot_amendment_parts", "ck_spot_amendment_shares", "ck_spot_amendment_shares_positive",
                     "ck_spot_amendment_money", "ck_spot_amendment_kind", "ck_spot_amendment_other_text"):
            b.drop_constraint(name, type_="check")
        for name in ("kind", "planned_end", "one_to_one_minutes", "one_to_one_hourly_pence",
                     "two_to_one_weekly_pence", "two_to_one_minutes", "two_to_one_hourly_pence",
                     "other_weekly_pence", "other_text"):
            b.drop_column(name)
    with op.batch_alter_table("block_contract") as b:
        b.drop_constraint("ck_block_contract_dates", type_="check")
        b.drop_column("for_16_plus")
    with op.batch_alter_table("block_contract_term") as b:
        b.drop_constraint("ck_block_contract_term_money", type_="check")
        b.drop_column("uplift_bp")
        b.drop_column("ends_on")
    with op.batch_alter_table("qa_note") as b:
        for name in ("ck_qa_note_rag", "ck_qa_note_subject", "ck_qa_note_subject_named"):
            b.drop_constraint(name, type_="check")
        for column in ("provider_id", "spot_agreement_id", "placement_id"):
            b.drop_constraint(f"fk_qa_note_{column}", type_="foreignkey")
            b.drop_index(f"ix_qa_note_{column}")
            b.drop_column(column)
        b.drop_column("subject")
        b.drop_column("young_people_involved")
    with op.batch_alter_table("qa_action") as b:
        for name in ("ck_qa_action_status", "ck_qa_action_done", "ck_qa_action_cancelled"):
            b.drop_constraint(name, type_="check")
        for name in ("status", "done_by", "cancelled_reason"):
            b.drop_column(name)
    with op.batch_alter_table("audit_event") as b:
        b.drop_index("ix_audit_event_txn_id")
        b.drop_column("txn_id")
    op.drop_table("approval")
    op.drop_table("block_unit_status")
    op.drop_table("block_unit")
