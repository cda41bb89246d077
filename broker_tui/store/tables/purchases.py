"""Purchases: spot agreements with dated amendments, block contracts with dated terms and their units,
placements in either, and the approvals they need.

The rules the database holds (revision 0003; store.rules names them):
- a placement is bought exactly one way: a spot agreement or a unit of a block contract;
- a placement is a half-open range of nights [start_date, end_date): the end date is the first night not
  occupied, so the unit is free that night; at least one night;
- no two placements in one unit on any night, and a child (case reference) has one placement a night
  unless one of them is coded as a retainer or a planned transition, with a reason (SQLite: triggers;
  PostgreSQL: exclusion constraints when btree_gist can be installed; the services lock the unit and the
  child in the writing transaction on both);
- an amendment's price parts add to its weekly price, its funding shares to 100, and no money is negative;
- amendments, terms, unit statuses and approvals are insert-only (database triggers refuse an UPDATE or a
  DELETE, whoever sends it).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field

from broker_tui.store.base import InsertOnly, Versioned, fk, id_field, insert_only, json_field, one_of

# the modules of the tables its foreign keys name (each table module is imported alone when first named)
from broker_tui.store.tables import market as _market  # noqa: F401
from broker_tui.store.tables import referrals as _referrals  # noqa: F401

PARTS_ADD_UP = ("weekly_price_pence = core_weekly_pence + staffing_weekly_pence + two_to_one_weekly_pence"
                " + education_weekly_pence + therapy_weekly_pence + solo_premium_weekly_pence + other_weekly_pence")
MONEY_COLUMNS = ("weekly_price_pence", "core_weekly_pence", "staffing_weekly_pence", "two_to_one_weekly_pence",
                 "education_weekly_pence", "therapy_weekly_pence", "solo_premium_weekly_pence",
                 "other_weekly_pence", "one_to_one_hourly_pence", "two_to_one_hourly_pence",
                 "one_to_one_minutes", "two_to_one_minutes")
AGREEMENT_STATUSES = ("draft", "awaiting_approval", "active", "rejected", "cancelled", "ended")
AMENDMENT_KINDS = ("as_made", "price_change", "uplift", "extension", "planned_end")
UNIT_STATUSES = ("available", "held", "out_of_use_provider", "out_of_use_council")
OVERLAP_KINDS = ("", "retainer", "transition")
APPROVAL_KINDS = ("cost", "out_of_area", "distant", "school_years_10_11", "host_council_told")
APPROVAL_DECISIONS = ("approved", "rejected", "told")



class SpotAgreement(Versioned, table=True):
    """An individual placement agreement (IPA) for one child at one service. Prices live in amendments;
    approvals in approval rows; the status moves draft > awaiting approval > active > ended (or rejected,
    or cancelled before it started)."""

    __tablename__ = "spot_agreement"
    __table_args__ = (CheckConstraint(one_of("status", AGREEMENT_STATUSES), name="ck_spot_agreement_status"),
                      CheckConstraint("planned_end IS NULL OR planned_end > start_date",
                                      name="ck_spot_agreement_planned_end"),
                      CheckConstraint("ended_on IS NULL OR ended_on >= start_date", name="ck_spot_agreement_ended"))
    id: uuid.UUID = id_field()
    referral_id: uuid.UUID | None = fk("referral.id", nullable=True)
    service_id: uuid.UUID = fk("service.id")
    offer_id: uuid.UUID | None = fk("offer.id", nullable=True)
    case_ref: str = Field(index=True)
    contract_basis: str = ""  # e.g. "National contract (IPA)", "East Midlands regional framework"
    purchasing_route: str = "spot"  # vocabulary.PURCHASING_ROUTES
    framework_name: str = ""
    framework_lot: str = ""
    route_reason: str = ""  # why spot, or why above the framework rate
    cost_centre: str = ""
    start_date: dt.date
    planned_end: dt.date | None = None
    ended_on: dt.date | None = None
    status: str = "active"
    conditions: str = ""
    recorded_by: str = ""  # who recorded it (the database role or the login): never its approver
    status_reason: str = ""  # why rejected or cancelled


@insert_only
class SpotAmendment(InsertOnly, table=True):
    """The agreement's price, parts and split from a date. The first row is the agreement as made; an
    amendment that needs approval takes effect only once approved (its approval rows say so).
    ``approval_reasons`` are why it needed approval under the rules in force when it was written (the
    threshold and raise percentage then; empty: it needed none): a fact of that moment, never re-judged
    when the settings change (revision 0004)."""

    __tablename__ = "spot_amendment"
    __table_args__ = (
        CheckConstraint(PARTS_ADD_UP, name="ck_spot_amendment_parts"),
        CheckConstraint("social_care_pct + education_pct + health_pct = 100", name="ck_spot_amendment_shares"),
        CheckConstraint("social_care_pct >= 0 AND education_pct >= 0 AND health_pct >= 0",
                        name="ck_spot_amendment_shares_positive"),
        CheckConstraint(" AND ".join(f"{c} >= 0" for c in MONEY_COLUMNS), name="ck_spot_amendment_money"),
        CheckConstraint(one_of("kind", AMENDMENT_KINDS), name="ck_spot_amendment_kind"),
        CheckConstraint("other_weekly_pence = 0 OR other_text <> ''", name="ck_spot_amendment_other_text"),
    )
    id: uuid.UUID = id_field()
    agreement_id: uuid.UUID = fk("spot_agreement.id")
    kind: str = "as_made"
    effective_from: dt.date
    planned_end: dt.date | None = None  # a new planned end from this amendment (extension, planned end)
    weekly_price_pence: int
    core_weekly_pence: int
    staffing_weekly_pence: int = 0  # 1:1 support: minutes a week x hourly rate / 60, rounded half up once
    one_to_one_minutes: int = 0
    one_to_one_hourly_pence: int = 0
    two_to_one_weekly_pence: int = 0  # 2:1 support
    two_to_one_minutes: int = 0
    two_to_one_hourly_pence: int = 0
    education_weekly_pence: int = 0
    therapy_weekly_pence: int = 0
    solo_premium_weekly_pence: int = 0
    other_weekly_pence: int = 0
    other_text: str = ""
    social_care_pct: int = 100
    education_pct: int = 0
    health_pct: int = 0
    reason: str = ""
    created_by: str = ""
    approval_reasons: list[str] = json_field()


class BlockContract(Versioned, table=True):
    """A block of units (beds, flats, carers) bought for a period; units are rows, price lives in terms."""

    __tablename__ = "block_contract"
    __table_args__ = (CheckConstraint("ends_on > starts_on", name="ck_block_contract_dates"),)
    id: uuid.UUID = id_field()
    provider_id: uuid.UUID = fk("provider.id")
    service_id: uuid.UUID | None = fk("service.id", nullable=True)
    reference: str = Field(unique=True)
    name: str
    purchasing_route: str = "block"
    for_16_plus: bool = False
    starts_on: dt.date
    ends_on: dt.date = Field(index=True)  # the first day not covered (half-open, like placements)
    extension_option: str = ""
    status: str = "active"  # active | ended
    notes: str = ""


@insert_only
class BlockContractTerm(InsertOnly, table=True):
    """The contract's units and unit price from a date (an uplift, a variation or an extension is a new row)."""

    __tablename__ = "block_contract_term"
    __table_args__ = (CheckConstraint("units >= 0 AND unit_weekly_pence >= 0", name="ck_block_contract_term_money"),)
    id: uuid.UUID = id_field()
    contract_id: uuid.UUID = fk("block_contract.id")
    effective_from: dt.date
    units: int
    unit_weekly_pence: int
    uplift_bp: int = 0  # the uplift this row applies, in basis points (350 = 3.5%)
    ends_on: dt.date | None = None  # a new end date (an extension taken)
    reason: str = ""
    created_by: str = ""


class BlockUnit(Versioned, table=True):
    """One unit of a block contract (a bed, a flat, a carer): at most one child in it on any night."""

    __tablename__ = "block_unit"
    __table_args__ = (UniqueConstraint("contract_id", "label", name="uq_block_unit_label"),)
    id: uuid.UUID = id_field()
    contract_id: uuid.UUID = fk("block_contract.id")
    label: str


@insert_only
class BlockUnitStatus(InsertOnly, table=True):
    """A unit's state from a date, so a void is told apart: available (a true void), held for an incoming
    young person, or out of use through the provider's or the council's doing."""

    __tablename__ = "block_unit_status"
    __table_args__ = (CheckConstraint(one_of("status", UNIT_STATUSES), name="ck_block_unit_status"),)
    id: uuid.UUID = id_field()
    unit_id: uuid.UUID = fk("block_unit.id")
    effective_from: dt.date
    status: str
    reason: str = ""
    created_by: str = ""


class Placement(Versioned, table=True):
    """A child living in a service over the nights [start_date, end_date), bought spot (an agreement) or in
    a unit of a block contract. Ending it sets end_date once, with the SSDA903 reasons kept apart."""

    __tablename__ = "placement"
    __table_args__ = (
        CheckConstraint("(spot_agreement_id IS NULL) <> (block_unit_id IS NULL)", name="ck_placement_one_purchase"),
        CheckConstraint("block_unit_id IS NULL OR block_contract_id IS NOT NULL", name="ck_placement_unit_contract"),
        CheckConstraint("end_date IS NULL OR end_date > start_date", name="ck_placement_nights"),
        CheckConstraint(one_of("overlap_kind", OVERLAP_KINDS), name="ck_placement_overlap_kind"),
        CheckConstraint("overlap_kind = '' OR overlap_reason <> ''", name="ck_placement_overlap_reason"),
        Index("ix_placement_case_nights", "case_ref", "start_date"),
    )
    id: uuid.UUID = id_field()
    referral_id: uuid.UUID | None = fk("referral.id", nullable=True)
    case_ref: str = Field(index=True)
    service_id: uuid.UUID = fk("service.id")
    spot_agreement_id: uuid.UUID | None = fk("spot_agreement.id", nullable=True)
    block_contract_id: uuid.UUID | None = fk("block_contract.id", nullable=True)
    block_unit_id: uuid.UUID | None = fk("block_unit.id", nullable=True)
    placement_type: str = ""  # SSDA903 PLACE code
    start_date: dt.date
    end_date: dt.date | None = None  # the first night not occupied
    overlap_kind: str = ""  # '' | retainer | transition: a second placement of the child on the same nights
    overlap_reason: str = ""
    reason_place_change: str | None = None  # SSDA903 REASON_PLACE_CHANGE: why the child moved on
    reason_episode_ceased: str | None = None  # SSDA903 REC: why the child left care
    ended_by: str = ""


@insert_only
class Approval(InsertOnly, table=True):
    """A decision on a purchase: a manager's approval of its cost (or an amendment's), the nominated
    officer's for out of area, the Director's for a distant placement, a school years 10-11 move; or the
    host council told. Who decided is the database role or the login, never the recorder."""

    __tablename__ = "approval"
    __table_args__ = (CheckConstraint(one_of("kind", APPROVAL_KINDS), name="ck_approval_kind"),
                      CheckConstraint(one_of("decision", APPROVAL_DECISIONS), name="ck_approval_decision"),
                      CheckConstraint("decision <> 'rejected' OR reason <> ''", name="ck_approval_reason"))
    id: uuid.UUID = id_field()
    agreement_id: uuid.UUID | None = fk("spot_agreement.id", nullable=True)
    amendment_id: uuid.UUID | None = fk("spot_amendment.id", nullable=True)
    placement_id: uuid.UUID | None = fk("placement.id", nullable=True)
    kind: str
    decision: str
    decided_by: str
    decided_on: dt.date
    reason: str = ""
    weekly_pence: int | None = None  # the weekly amount approved
