"""Placement requests (referrals), who they were sent to, and the offers and declines that came back."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Index, text
from sqlmodel import Field

from broker_tui.domain.vocabulary import OPEN_REFERRAL_STATUSES
from broker_tui.store.base import UTCDateTime, Versioned, fk, id_field, json_field, one_of

# the module of the tables its foreign keys name (each table module is imported alone when first named)
from broker_tui.store.tables import market as _market  # noqa: F401

# The rules of casework the database holds itself, so that no second process can race past a check in
# Python (store.rules names them for the services' messages):
# one open referral per case reference; a referral sent to a service once; one accepted offer per referral.
_OPEN = text(one_of("status", OPEN_REFERRAL_STATUSES))
_ACCEPTED = text("status = 'accepted'")


class Referral(Versioned, table=True):
    """A placement request. The child is a case reference and initials; date of birth is optional."""

    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_status_needed", "status", "needed_by", "case_ref"),
                      Index("uq_referral_open_case", "case_ref", unique=True, sqlite_where=_OPEN,
                            postgresql_where=_OPEN))
    id: uuid.UUID = id_field()
    case_ref: str = Field(index=True)
    initials: str
    status: str = Field(default="new", index=True)  # vocabulary.REFERRAL_STATUSES
    date_received: dt.date
    social_worker: str = ""
    social_work_team: str = ""
    assigned_broker: str = ""
    date_of_birth: dt.date | None = None
    age_years: int | None = None
    gender: str = ""
    ethnicity: str = ""  # SSDA903 ETHNIC code
    religion: str = ""
    first_language: str = ""
    legal_status: str = ""  # SSDA903 LS code
    category_of_need: str = ""  # SSDA903 CIN code
    disability_health: str = ""
    school: str = ""
    year_group: int | None = None
    ehcp: bool = False
    current_placement: str = ""
    move_reason: str = ""  # SSDA903 REASON_PLACE_CHANGE code
    types_sought: list[str] = json_field()
    emergency: bool = False
    needed_by: dt.date
    expected_duration_weeks: int | None = None
    home_district: str | None = None
    school_district: str | None = None
    within_home_area: bool = False
    max_distance_miles: int | None = None
    avoid_areas: list[dict[str, Any]] = json_field()  # [{"kind": "la"|"district", "code": ..., "radius_miles": n}]
    living_alongside: str = ""  # "" not answered | alone | with_others | older_only | younger_only | no_preference
    pets: str = ""
    sibling_group_size: int = 1
    siblings_together: bool = True
    contact_arrangements: str = ""
    dol_order: dict[str, Any] | None = json_field(default_factory=lambda: None)
    section25_order: dict[str, Any] | None = json_field(default_factory=lambda: None)
    uasc: bool = False
    nts_deadline: dt.date | None = None
    one_to_one_hours: int = 0
    two_to_one_hours: int = 0
    education_needed: bool = False
    therapy_needed: bool = False
    budget_weekly_pence: int | None = None
    funding_social_care_pct: int = 100
    funding_education_pct: int = 0
    funding_health_pct: int = 0
    need_health: int = 0
    need_emotional: int = 0
    need_behaviour: int = 0
    need_education: int = 0
    need_identity: int = 0
    need_relationships: int = 0
    need_independence: int = 0
    need_risk: int = 0
    risks: list[dict[str, Any]] = json_field()  # [{"tag": "cce", "present": true, "level": 3}]
    specialist_needs: list[str] = json_field()
    free_text_needs: list[str] = json_field()
    previous_referral_id: uuid.UUID | None = fk("referral.id", nullable=True)
    withdrawn_reason: str | None = None
    closed_on: dt.date | None = None
    # The Placements Data Standard's fields (domain.referrals.standard; docs/placements-standard.md).
    # Not answered: "" for a choice, None for yes/no, a place or a date, [] for a list.
    communication_needs: str = ""  # yes | no | not_specified
    communication_requirements: list[str] = json_field()  # esol bsl makaton other | none
    communication_other: str = ""
    home_adaptation: bool | None = None
    cultural_needs: str = ""  # required | not_required | not_known | other
    cultural_needs_other: str = ""
    living_with_pets: str = ""  # must | can | no | not_known (pets: the free-text notes)
    additional_support: list[str] = json_field()  # additional_supervision ... other | none
    additional_support_other: str = ""
    preferred_location: dict[str, Any] | None = json_field(default_factory=lambda: None)  # {"kind", "code"}
    suitability_foster: str = ""  # preferred | suitable | unsuitable | not_specified
    suitability_residential: str = ""
    suitability_supported: str = ""
    risk_to_child_other: str = ""
    risk_to_others_other: str = ""
    placed_weekly_cost_pence: int | None = None
    placed_location: dict[str, Any] | None = json_field(default_factory=lambda: None)  # {"kind", "code"}
    placed_location_preferred: bool | None = None
    placed_education_continuity: bool | None = None
    placed_provider_urn: str = ""
    placed_siblings_together: int | None = None
    placed_type: str = ""  # residential | foster | supported_accommodation
    qa_referral_officer: str = ""
    qa_referral_on: dt.date | None = None
    qa_placement_officer: str = ""
    qa_placement_on: dt.date | None = None
    qa_cost_officer: str = ""
    qa_cost_on: dt.date | None = None


class ReferralSent(Versioned, table=True):
    """The referral went to a service's provider: to whom, when, and the reply deadline."""

    __tablename__ = "referral_sent"
    __table_args__ = (Index("uq_referral_sent_once", "referral_id", "service_id", unique=True),)
    id: uuid.UUID = id_field()
    referral_id: uuid.UUID = fk("referral.id")
    service_id: uuid.UUID = fk("service.id")
    sent_at: dt.datetime = Field(sa_type=UTCDateTime)
    sent_by: str
    contact: str = ""
    reply_due_on: dt.date
    provider_text: str = ""  # the anonymised referral text as sent (case reference only)


class Offer(Versioned, table=True):
    """A provider's reply: an offer with its price parts, or a decline with a coded reason."""

    __tablename__ = "offer"
    __table_args__ = (Index("uq_offer_one_accepted", "referral_id", unique=True, sqlite_where=_ACCEPTED,
                            postgresql_where=_ACCEPTED),)
    id: uuid.UUID = id_field()
    referral_id: uuid.UUID = fk("referral.id")
    service_id: uuid.UUID = fk("service.id")
    referral_sent_id: uuid.UUID | None = fk("referral_sent.id", nullable=True)
    received_on: dt.date
    outcome: str  # offered | declined
    decline_reason: str | None = None  # vocabulary.DECLINE_REASONS
    decline_text: str | None = None
    weekly_price_pence: int | None = None
    core_weekly_pence: int | None = None
    staffing_weekly_pence: int | None = None
    education_weekly_pence: int | None = None
    therapy_weekly_pence: int | None = None
    solo_premium_weekly_pence: int | None = None
    start_date: dt.date | None = None
    conditions: str = ""
    valid_until: dt.date | None = None
    status: str = "open"  # open | accepted | not_taken | withdrawn | expired
