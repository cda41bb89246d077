"""A spot agreement and an amendment as a person gives them, read field by field.

The weekly price comes in parts (integer pence a week, or money as text): core fee; 1:1 staffing as hours a
week (``one_to_one_minutes``, or ``one_to_one_hours`` as typed: "10.5", "7:20") times an hourly rate; 2:1
likewise; education; therapy; solo premium; other, with words saying what it is for. The staffing parts are
derived (minutes x rate / 60, rounded half up once) and the parts must add to the weekly price exactly
(domain.purchases.check_price_parts). Who pays: social care, education and health in whole percentages
adding to 100. Every problem is reported by the field's name here, all at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import apply_uplift, format_pence
from broker_tui.domain.pricing import PriceParts as ListPrice
from broker_tui.domain.pricing import list_in_force, whole_years
from broker_tui.domain.purchases import (
    FundingSplit,
    HoursError,
    WeeklyPriceParts,
    check_funding_split,
    check_price_parts,
    parse_hours,
    staffing_pence,
)
from broker_tui.domain.vocabulary import PURCHASING_ROUTES
from broker_tui.services.context import AppContext
from broker_tui.services.placements import as_pence, as_text, as_uuid, is_blank, unknown_keys
from broker_tui.services.purchases._common import SpotRefused, as_whole
from broker_tui.store.tables import Offer, PriceList, Service

# the input's names for the price parts -> domain.purchases.WeeklyPriceParts' names
PRICE_FIELDS = {
    "weekly_price_pence": "weekly_pence",
    "core_weekly_pence": "core_pence",
    "one_to_one_minutes": "one_to_one_minutes",
    "one_to_one_hourly_pence": "one_to_one_hourly_pence",
    "two_to_one_minutes": "two_to_one_minutes",
    "two_to_one_hourly_pence": "two_to_one_hourly_pence",
    "education_weekly_pence": "education_pence",
    "therapy_weekly_pence": "therapy_pence",
    "solo_premium_weekly_pence": "solo_premium_pence",
    "other_weekly_pence": "other_pence",
    "other_text": "other_words",
}
_DOMAIN_TO_INPUT = {v: k for k, v in PRICE_FIELDS.items()}
HOURS_FIELDS = {"one_to_one_hours": "one_to_one_minutes", "two_to_one_hours": "two_to_one_minutes"}
SHARE_FIELDS = ("social_care_pct", "education_pct", "health_pct")
SPOT_ROUTES = tuple(r for r in PURCHASING_ROUTES if r != "block")  # a block place is bought under its contract
NAMED_ROUTES = ("framework", "open_framework", "dynamic_purchasing_system")
OVERLAP_KINDS = ("retainer", "transition")


def _value(source: Any, name: str) -> Any:
    return source.get(name) if isinstance(source, Mapping) else getattr(source, name, None)


def read_price(source: Any, problems: dict[str, str]) -> WeeklyPriceParts | None:
    """The weekly price and its parts from ``source`` (a mapping or an object with the input's names), or
    None with every problem added by field. Weekly price and core fee are required; other parts default to 0."""
    mine: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, domain_name in PRICE_FIELDS.items():
        raw = _value(source, name)
        if name == "other_text":
            values[domain_name] = as_text(raw, name, mine)
        elif name.endswith("_minutes"):
            values[domain_name] = as_whole(raw, name, mine, default=0)
        else:
            required = "enter the weekly price" if name == "weekly_price_pence" else (
                "enter the core fee (0 when the price is all in other parts)" if name == "core_weekly_pence" else "")
            amount = as_pence(raw, name, mine, required=required)
            values[domain_name] = 0 if amount is None and not required else amount
    for hours_name, minutes_name in HOURS_FIELDS.items():
        raw = _value(source, hours_name)
        if is_blank(raw):
            continue
        try:
            minutes = parse_hours(str(raw))
        except HoursError as exc:
            mine[hours_name] = str(exc)
            continue
        given = _value(source, minutes_name)
        if not is_blank(given) and values.get(minutes_name) != minutes:
            mine[hours_name] = f"says {minutes} minutes a week but {minutes_name} says {given}: give one"
        values[minutes_name] = minutes
    if not mine:
        for domain_name, problem in check_price_parts(values).items():
            mine[_DOMAIN_TO_INPUT.get(domain_name, domain_name)] = problem
    problems.update(mine)
    if mine:
        return None
    return WeeklyPriceParts(**values)


def read_split(source: Any, problems: dict[str, str], *, default: FundingSplit | None = None) -> FundingSplit | None:
    """The funding split (whole percentages adding to 100), or None with the problems added ("funding" for
    shares that do not add up). No share given: ``default`` (social care 100% when none); a share left out
    beside others given is 0."""
    if all(is_blank(_value(source, n)) for n in SHARE_FIELDS):
        return default or FundingSplit()
    mine: dict[str, str] = {}
    shares = {name: as_whole(_value(source, name), name, mine, default=0) for name in SHARE_FIELDS}
    if not mine:
        for name, problem in check_funding_split(shares).items():
            mine["funding" if name == "shares" else name] = problem
    problems.update(mine)
    return None if mine else FundingSplit(**{k: int(v or 0) for k, v in shares.items()})


# ---------------------------------------------------------------------------------------------- the agreement

SPOT_FIELDS = ("referral", "case_ref", "service", "offer", "start_date", "planned_end", *PRICE_FIELDS,
               *HOURS_FIELDS, *SHARE_FIELDS, "cost_centre", "purchasing_route", "framework_name", "framework_lot",
               "route_reason", "contract_basis", "conditions", "overlap_kind", "overlap_reason", "placement_type")


@dataclass(frozen=True)
class SpotInput:
    """A spot agreement (IPA) as the broker gives it. The child is named by the referral (id) or the case
    reference; the service by id or Ofsted URN; an accepted offer (id) may be named. ``planned_end`` is the
    first night not bought. Money is integer pence (or money as text); hours are minutes a week (or
    ``*_hours`` as typed). ``overlap_kind`` (retainer or transition, with ``overlap_reason``) lets the child
    keep another placement on the same nights."""

    referral: str | uuid.UUID | None = None
    case_ref: str = ""
    service: str | uuid.UUID | None = None
    offer: str | uuid.UUID | None = None
    start_date: dt.date | str | None = None
    planned_end: dt.date | str | None = None
    weekly_price_pence: int | str | None = None
    core_weekly_pence: int | str | None = None
    one_to_one_minutes: int | str | None = None
    one_to_one_hours: str | None = None
    one_to_one_hourly_pence: int | str | None = None
    two_to_one_minutes: int | str | None = None
    two_to_one_hours: str | None = None
    two_to_one_hourly_pence: int | str | None = None
    education_weekly_pence: int | str | None = None
    therapy_weekly_pence: int | str | None = None
    solo_premium_weekly_pence: int | str | None = None
    other_weekly_pence: int | str | None = None
    other_text: str = ""
    social_care_pct: int | str | None = 100
    education_pct: int | str | None = 0
    health_pct: int | str | None = 0
    cost_centre: str = ""
    purchasing_route: str = "spot"
    framework_name: str = ""
    framework_lot: str = ""
    route_reason: str = ""
    contract_basis: str = ""
    conditions: str = ""
    overlap_kind: str = ""
    overlap_reason: str = ""
    placement_type: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any], base: SpotInput | None = None) -> SpotInput:
        """From a JSON object (laid over ``base``, e.g. a prefill from an offer); an unknown field is refused
        by name. Hours may be numbers (10.5) or text ("10:30")."""
        if problems := unknown_keys(data, SPOT_FIELDS):
            raise SpotRefused(problems)
        values = dict(data)
        for name in HOURS_FIELDS:
            if isinstance(values.get(name), int | float) and not isinstance(values.get(name), bool):
                values[name] = str(values[name])
        return dataclasses.replace(base, **values) if base is not None else cls(**values)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None or value == "":
                continue
            out[f.name] = value.isoformat() if isinstance(value, dt.date) else (
                str(value) if isinstance(value, uuid.UUID) else value)
        return out


def route_problems(route: str, name: str, lot: str, reason: str) -> dict[str, str]:
    """The purchasing route: one of the spot routes; a framework names itself and its lot, an open framework
    or dynamic purchasing system its name; a spot purchase says why it was bought spot."""
    problems: dict[str, str] = {}
    if route == "block":
        problems["purchasing_route"] = "a block place is bought under its block contract (contracts place), not here"
    elif route not in SPOT_ROUTES:
        problems["purchasing_route"] = f"must be one of {', '.join(SPOT_ROUTES)}"
    elif route in NAMED_ROUTES and not name:
        problems["framework_name"] = f"name the {PURCHASING_ROUTES[route].lower()} the service was bought under"
    if route == "framework" and not lot:
        problems["framework_lot"] = "say which lot of the framework"
    if route == "spot" and not reason:
        problems["route_reason"] = "say why this placement is bought spot (not under a framework or block)"
    return problems


def list_rate(session: Session, service_id: uuid.UUID, start: dt.date,
              price: WeeklyPriceParts) -> tuple[int, dt.date] | None:
    """The service's own rate for this package on ``start``: the price list in force then (its annual uplift
    applied for each whole year since it was set) for the core fee, the same staffing hours at its hourly
    rates, and its education, therapy and solo fees where the package has them; a part the list does not
    price counts at the agreed amount. (pence, the list's date), or None when the service has no list then."""
    rows = session.scalars(select(PriceList).where(col(PriceList.service_id) == service_id)).all()
    lists = [ListPrice(valid_from=r.valid_from, valid_to=r.valid_to, core_weekly_pence=r.core_weekly_pence,
                       one_to_one_hourly_pence=r.one_to_one_hourly_pence,
                       two_to_one_hourly_pence=r.two_to_one_hourly_pence,
                       education_weekly_pence=r.education_weekly_pence, therapy_weekly_pence=r.therapy_weekly_pence,
                       solo_premium_weekly_pence=r.solo_premium_weekly_pence, annual_uplift_bp=r.annual_uplift_bp)
             for r in rows]
    found = list_in_force(lists, start)
    if found is None:
        return None
    years = whole_years(found.valid_from, start)

    def up(pence: int) -> int:
        return apply_uplift(pence, found.annual_uplift_bp, years)

    def part(agreed: int, listed: int | None) -> int:
        return 0 if agreed == 0 else (agreed if listed is None else up(listed))

    def staff(minutes: int, agreed_rate: int, listed_rate: int | None) -> int:
        return staffing_pence(minutes, agreed_rate if listed_rate is None else up(listed_rate))

    total = (up(found.core_weekly_pence)
             + staff(price.one_to_one_minutes, price.one_to_one_hourly_pence, found.one_to_one_hourly_pence)
             + staff(price.two_to_one_minutes, price.two_to_one_hourly_pence, found.two_to_one_hourly_pence)
             + part(price.education_pence, found.education_weekly_pence)
             + part(price.therapy_pence, found.therapy_weekly_pence)
             + part(price.solo_premium_pence, found.solo_premium_weekly_pence)
             + price.other_pence)
    return total, found.valid_from


def above_rate_problem(session: Session, service_id: uuid.UUID, start: dt.date, price: WeeklyPriceParts,
                       reason: str) -> dict[str, str]:
    """A price above the service's own rate needs words saying why (route_reason)."""
    rate = list_rate(session, service_id, start, price)
    if rate is None or price.weekly_pence <= rate[0] or reason:
        return {}
    return {"route_reason": f"{format_pence(price.weekly_pence)} a week is above the service's rate of "
                            f"{format_pence(rate[0])} for this package (its price list from {format_date(rate[1])}): "
                            "say why"}


# --------------------------------------------------------------------------------------------------- amendments

AMENDMENT_KINDS = {
    "price_change": "Price change",
    "uplift": "Annual uplift",
    "extension": "Extension",
    "planned_end": "New planned end",
}
AMENDMENT_FIELDS = ("kind", "effective_from", "uplift_bp", "planned_end", "reason", *PRICE_FIELDS, *HOURS_FIELDS,
                    *SHARE_FIELDS)
MAX_UPLIFT_BP = 5_000  # 50%: an uplift above it is a typing slip (basis points: 350 = 3.5%)


@dataclass(frozen=True)
class AmendmentInput:
    """A dated change to an agreement: ``kind`` price_change (the new price in parts, and/or a new split),
    uplift (``uplift_bp`` basis points applied to every part: 350 = 3.5%), extension (a later
    ``planned_end``) or planned_end (a new planned end); ``effective_from`` is the first night it applies.
    Parts left out of an extension or planned end carry over from the version in force that night."""

    kind: str = ""
    effective_from: dt.date | str | None = None
    uplift_bp: int | str | None = None
    planned_end: dt.date | str | None = None
    reason: str = ""
    weekly_price_pence: int | str | None = None
    core_weekly_pence: int | str | None = None
    one_to_one_minutes: int | str | None = None
    one_to_one_hours: str | None = None
    one_to_one_hourly_pence: int | str | None = None
    two_to_one_minutes: int | str | None = None
    two_to_one_hours: str | None = None
    two_to_one_hourly_pence: int | str | None = None
    education_weekly_pence: int | str | None = None
    therapy_weekly_pence: int | str | None = None
    solo_premium_weekly_pence: int | str | None = None
    other_weekly_pence: int | str | None = None
    other_text: str = ""
    social_care_pct: int | str | None = None
    education_pct: int | str | None = None
    health_pct: int | str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AmendmentInput:
        if problems := unknown_keys(data, AMENDMENT_FIELDS):
            raise SpotRefused(problems)
        values = dict(data)
        for name in HOURS_FIELDS:
            if isinstance(values.get(name), int | float) and not isinstance(values.get(name), bool):
                values[name] = str(values[name])
        return cls(**values)

    def gives_price(self) -> bool:
        return any(not is_blank(getattr(self, name)) for name in (*PRICE_FIELDS, *HOURS_FIELDS) if name != "other_text")

    def gives_split(self) -> bool:
        return any(not is_blank(getattr(self, name)) for name in SHARE_FIELDS)


def uplifted(price: WeeklyPriceParts, basis_points: int) -> WeeklyPriceParts:
    """Every part raised by the uplift (domain.money.apply_uplift, half up), hourly rates too; the staffing
    parts follow from the new rates and the weekly price is the sum, so the parts still add up exactly."""

    def up(pence: int) -> int:
        return apply_uplift(pence, basis_points)

    new = dataclasses.replace(
        price, core_pence=up(price.core_pence), one_to_one_hourly_pence=up(price.one_to_one_hourly_pence),
        two_to_one_hourly_pence=up(price.two_to_one_hourly_pence), education_pence=up(price.education_pence),
        therapy_pence=up(price.therapy_pence), solo_premium_pence=up(price.solo_premium_pence),
        other_pence=up(price.other_pence))
    return dataclasses.replace(new, weekly_pence=new.parts_pence)


# ---------------------------------------------------------------------------------------------- from an offer

def prefill_from_offer(ctx: AppContext, offer_id: str | uuid.UUID) -> SpotInput:
    """A SpotInput filled from an ACCEPTED offer: its referral, service, weekly price and parts, and start.
    The offer gives staffing as pence a week, not hours and a rate: it comes over as an "other" part saying
    so (give the hours and hourly rate instead, with other_weekly_pence 0, to record them). A core fee the
    offer left out is the price less its other parts. Raises SpotRefused on the field "offer"."""
    key = as_uuid(offer_id)
    with ctx.session() as session:
        offer = session.get(Offer, key) if key is not None else None
        if offer is None or offer.outcome != "offered":
            raise SpotRefused({"offer": f"no offer {offer_id}"})
        if offer.status != "accepted":
            raise SpotRefused({"offer": f"the offer is {offer.status.replace('_', ' ')}: accept it first "
                                        "(a purchase is made from an accepted offer)"})
        service = session.get_one(Service, offer.service_id)
        weekly = offer.weekly_price_pence or 0
        staffing = offer.staffing_weekly_pence or 0
        education, therapy = offer.education_weekly_pence or 0, offer.therapy_weekly_pence or 0
        solo = offer.solo_premium_weekly_pence or 0
        core = offer.core_weekly_pence if offer.core_weekly_pence is not None else max(
            0, weekly - staffing - education - therapy - solo)
        conditions = offer.conditions.split("Price parts: ")[0].strip()
        return SpotInput(referral=offer.referral_id, service=service.id, offer=offer.id, start_date=offer.start_date,
                         weekly_price_pence=weekly, core_weekly_pence=core,
                         other_weekly_pence=staffing or None,
                         other_text="Staffing as offered (hours and hourly rate not given)" if staffing else "",
                         education_weekly_pence=education or None, therapy_weekly_pence=therapy or None,
                         solo_premium_weekly_pence=solo or None, conditions=conditions)
