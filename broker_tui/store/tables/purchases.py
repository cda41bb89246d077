"""Purchases: spot agreements with dated amendments, block contracts with dated terms, placements."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlmodel import Field

from broker_tui.store.base import InsertOnly, Versioned, fk, id_field, insert_only


class SpotAgreement(Versioned, table=True):
    """An individual placement agreement (IPA) for one child at one service. Prices live in amendments."""

    __tablename__ = "spot_agreement"
    id: uuid.UUID = id_field()
    referral_id: uuid.UUID | None = fk("referral.id", nullable=True)
    service_id: uuid.UUID = fk("service.id")
    offer_id: uuid.UUID | None = fk("offer.id", nullable=True)
    case_ref: str = Field(index=True)
    contract_basis: str = ""  # e.g. "National contract (IPA)", "East Midlands regional framework"
    start_date: dt.date
    planned_end: dt.date | None = None
    ended_on: dt.date | None = None
    status: str = "active"  # active | ended
    conditions: str = ""
    approved_by: str = ""


@insert_only
class SpotAmendment(InsertOnly, table=True):
    """The agreement's price and split from a date. The first row is the agreement as made."""

    __tablename__ = "spot_amendment"
    id: uuid.UUID = id_field()
    agreement_id: uuid.UUID = fk("spot_agreement.id")
    effective_from: dt.date
    weekly_price_pence: int
    core_weekly_pence: int
    staffing_weekly_pence: int = 0
    education_weekly_pence: int = 0
    therapy_weekly_pence: int = 0
    solo_premium_weekly_pence: int = 0
    social_care_pct: int = 100
    education_pct: int = 0
    health_pct: int = 0
    reason: str = ""
    created_by: str = ""


class BlockContract(Versioned, table=True):
    """A block of units (beds, flats, carers) bought for a period; units and price live in terms."""

    __tablename__ = "block_contract"
    id: uuid.UUID = id_field()
    provider_id: uuid.UUID = fk("provider.id")
    service_id: uuid.UUID | None = fk("service.id", nullable=True)
    reference: str = Field(unique=True)
    name: str
    purchasing_route: str = "block"
    starts_on: dt.date
    ends_on: dt.date = Field(index=True)
    extension_option: str = ""
    status: str = "active"  # active | ended
    notes: str = ""


@insert_only
class BlockContractTerm(InsertOnly, table=True):
    """The contract's units and unit price from a date (an uplift or a variation is a new row)."""

    __tablename__ = "block_contract_term"
    id: uuid.UUID = id_field()
    contract_id: uuid.UUID = fk("block_contract.id")
    effective_from: dt.date
    units: int
    unit_weekly_pence: int
    reason: str = ""
    created_by: str = ""


class Placement(Versioned, table=True):
    """A child living in a service: bought spot (an agreement) or in a unit of a block contract."""

    __tablename__ = "placement"
    id: uuid.UUID = id_field()
    referral_id: uuid.UUID | None = fk("referral.id", nullable=True)
    case_ref: str = Field(index=True)
    service_id: uuid.UUID = fk("service.id")
    spot_agreement_id: uuid.UUID | None = fk("spot_agreement.id", nullable=True)
    block_contract_id: uuid.UUID | None = fk("block_contract.id", nullable=True)
    unit_label: str = ""
    placement_type: str = ""  # SSDA903 PLACE code
    start_date: dt.date
    end_date: dt.date | None = None
    end_reason: str | None = None  # SSDA903 REASON_PLACE_CHANGE / REC code
