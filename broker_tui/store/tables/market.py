"""The market: providers (owning organisations), their services, price lists, households, stops."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Index
from sqlmodel import Field

from broker_tui.store.base import InsertOnly, Versioned, fk, id_field, insert_only, json_field


class Provider(Versioned, table=True):
    """The organisation that owns one or more services, with its contact for referrals."""

    __tablename__ = "provider"
    id: uuid.UUID = id_field()
    name: str = Field(index=True)
    sector: str  # vocabulary.SECTORS
    referral_contact_name: str | None = None
    referral_email: str | None = None
    referral_phone: str | None = None
    archived_on: dt.date | None = None


class Service(Versioned, table=True):
    """A registered service (a home, an agency, a supported accommodation provider ...)."""

    __tablename__ = "service"
    __table_args__ = (
        Index("ix_service_dir_name", "sort_name", "id"),
        Index("ix_service_dir_distance", "distance_miles", "sort_name", "id"),
        Index("ix_service_dir_price", "price_from_pence", "sort_name", "id"),
        Index("ix_service_dir_judgement", "judgement_sort", "sort_name", "id"),
        Index("ix_service_type_name", "service_type", "sort_name", "id"),
    )
    id: uuid.UUID = id_field()
    provider_id: uuid.UUID = fk("provider.id")
    name: str
    service_type: str = Field(index=True)  # vocabulary.SERVICE_TYPES code
    sector: str = Field(index=True)  # vocabulary.SECTORS
    ofsted_urn: str | None = Field(default=None, unique=True)
    ofsted_provision_type: str | None = None
    # vocabulary.REGISTRATION_STATUSES: a fact from Ofsted's register (its importer sets it), never assumed;
    # other writers give vocabulary.registration_on_entry (not_required, or not_registered until the register
    # brings it), and so does this default's caution: a row written without it is not registered.
    registration_status: str = "not_registered"
    registration_date: dt.date | None = None
    in_register: bool = True  # False once the service is gone from Ofsted's register (never struck off: True)
    left_register_on: dt.date | None = None
    ofsted_grade: str | None = None  # vocabulary.OFSTED_GRADES (homes and agencies)
    sa_outcome: str | None = None  # vocabulary.SA_OUTCOMES (supported accommodation)
    inspected_on: dt.date | None = None
    sa_category: str | None = None  # vocabulary.SA_CATEGORIES
    short_breaks_only: bool = False
    town: str | None = None
    postcode_district: str | None = Field(default=None, index=True)
    latitude: float | None = None
    longitude: float | None = None
    location_approximate: bool = False  # True when placed at its local authority's centroid
    local_authority_code: str | None = Field(default=None, index=True)
    local_authority_name: str | None = None
    region: str | None = Field(default=None, index=True)
    areas_covered: list[str] = json_field()  # ONS codes of authorities a fostering agency's carers live in
    min_age: int = 0
    max_age: int = 17
    sexes: str = "mixed"  # mixed | female | male
    places: int | None = None
    vacancies: int | None = None
    vacancies_as_of: dt.date | None = None
    vacancies_source: str | None = None
    specialisms: list[str] = json_field()
    cap_health: int = 1
    cap_emotional: int = 1
    cap_behaviour: int = 1
    cap_education: int = 1
    cap_identity: int = 1
    cap_relationships: int = 1
    cap_independence: int = 1
    cap_risk: int = 1
    purchasing_route: str = "spot"  # vocabulary.PURCHASING_ROUTES
    framework_name: str | None = None
    framework_lot: str | None = None
    description: str = ""
    # Stored, indexed sort and filter columns for the directory (kept in step by the services).
    sort_name: str = Field(default="", index=False)
    distance_miles: float | None = None  # from the home area's centre
    in_area: bool = Field(default=False, index=True)
    price_from_pence: int | None = None  # core weekly fee of the price list in force
    judgement_sort: int = 20
    search_text: str = ""
    archived_on: dt.date | None = None


class FosterHousehold(Versioned, table=True):
    """One fostering household of a fostering service, with its approved and free places."""

    __tablename__ = "foster_household"
    id: uuid.UUID = id_field()
    service_id: uuid.UUID = fk("service.id")
    reference: str
    places: int
    free_places: int
    archived_on: dt.date | None = None


@insert_only
class PriceList(InsertOnly, table=True):
    """A service's prices from a date: a change is a new row, the old one stays."""

    __tablename__ = "price_list"
    id: uuid.UUID = id_field()
    service_id: uuid.UUID = fk("service.id")
    valid_from: dt.date
    valid_to: dt.date | None = None
    core_weekly_pence: int
    one_to_one_hourly_pence: int | None = None
    two_to_one_hourly_pence: int | None = None
    education_weekly_pence: int | None = None
    therapy_weekly_pence: int | None = None
    solo_premium_weekly_pence: int | None = None
    annual_uplift_bp: int = 0  # basis points: 350 = 3.5% a year
    per_child: bool = True
    source: str = "entered"  # entered | demo | offer | contract
    created_by: str = ""


class PlacementStop(Versioned, table=True):
    """A council's placement stop (embargo): who imposed it, why, from when; and when it was lifted."""

    __tablename__ = "placement_stop"
    id: uuid.UUID = id_field()
    service_id: uuid.UUID = fk("service.id")
    imposed_by: str
    reason: str
    starts_on: dt.date
    lifted_on: dt.date | None = None
    lifted_by: str | None = None
    lifted_reason: str | None = None
