"""The demo market's broker-entered side: prices, capabilities, specialisms, vacancies, contacts, stops.

Weekly prices sit in shared/domain.md's ranges (PRICE_RANGES, in pounds): in-house fostering £400-700,
IFA £850-1,300, external homes £4,000-8,000 with single-place (solo) homes £10,000-20,000, 16+
supported accommodation £300-2,500 mostly near £620 with supported lodgings £250-450. Region and
judgement nudge a price inside its range. 1:1 staffing £20-35 an hour, 2:1 double; annual uplift 2-5%.
About a third of services also have last year's list (valid_to the day before the current one began).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from broker_tui.domain.geo import miles_between
from broker_tui.domain.money import apply_uplift
from broker_tui.domain.vocabulary import NEED_DOMAIN_CODES
from broker_tui.services.demo._base import Seed, pick_weighted, pounds
from broker_tui.services.market import directory_columns
from broker_tui.store.bulk import update_rows
from broker_tui.store.tables import PlacementStop, PriceList, Provider, Service

PRICE_RANGES: dict[str, tuple[int, int]] = {  # core weekly fee, pounds
    "fostering_in_house": (400, 700),
    "fostering_kinship": (400, 700),
    "fostering_ifa": (850, 1300),
    "childrens_home_in_house": (4000, 8000),
    "childrens_home_external": (4000, 8000),
    "secure_childrens_home": (6500, 9500),
    "supported_accommodation": (300, 2500),
    "parent_and_child": (3000, 6000),
    "residential_special_school": (3500, 7500),
    "care_leavers_18_plus": (200, 450),
    "other": (300, 2500),
}
SOLO_RANGE = (10000, 20000)
LODGINGS_RANGE = (250, 450)
REGION_FACTOR = {"London": 1.12, "South East": 1.07, "East of England": 1.03, "North East": 0.93,
                 "Yorkshire and The Humber": 0.96, "North West": 0.97}
GRADE_FACTOR = {"outstanding": 1.05, "good": 1.0, "requires_improvement": 0.95, "inadequate": 0.92,
                "consistently_strong": 1.04, "inconsistent": 0.96, "serious_weaknesses": 0.92}
SPECIALISMS_BY_TYPE = {
    "childrens_home_external": ["cse", "cce", "missing", "self_harm", "harmful_sexual_behaviour", "autism",
                                "learning_disability", "therapeutic_care", "emergency", "mental_health",
                                "substance_misuse", "sibling_group"],
    "childrens_home_in_house": ["missing", "cce", "emergency", "sibling_group", "therapeutic_care"],
    "fostering_ifa": ["sibling_group", "parent_and_child", "uasc", "therapeutic_care", "emergency", "autism",
                      "learning_disability", "physical_disability"],
    "fostering_in_house": ["sibling_group", "emergency", "uasc", "parent_and_child"],
    "fostering_kinship": ["sibling_group"],
    "supported_accommodation": ["uasc", "cce", "missing", "emergency", "substance_misuse", "parent_and_child"],
    "parent_and_child": ["parent_and_child"],
    "residential_special_school": ["autism", "learning_disability", "physical_disability"],
    "secure_childrens_home": ["deprivation_of_liberty", "remand", "self_harm", "mental_health"],
    "care_leavers_18_plus": ["uasc", "parent_and_child"],
}
CAPABILITY_BASE = {  # typical highest level met per need domain, before variation
    "childrens_home_external": 2, "childrens_home_in_house": 2, "secure_childrens_home": 3,
    "fostering_ifa": 2, "fostering_in_house": 1, "fostering_kinship": 1, "supported_accommodation": 1,
    "parent_and_child": 2, "residential_special_school": 2, "care_leavers_18_plus": 1,
}
SA_CATEGORY_WEIGHTS = {"ring_fenced_shared": 35, "single_occupancy": 30, "non_ring_fenced_shared": 20,
                       "private_residence": 15}
VACANCY_SOURCES = ("weekly vacancy return", "provider email", "phone call", "regional vacancy portal")
FRAMEWORK = "East Midlands Children's Framework"
OPEN_FRAMEWORK = "Leicester 16+ Supported Accommodation Open Framework"
IFA_AREA_MILES = 30.0


def _core_price(rng: random.Random, s: dict[str, Any], sa_category: str | None) -> int:
    stype = s["service_type"]
    if stype == "supported_accommodation":
        if sa_category == "private_residence":
            return pounds(rng, *LODGINGS_RANGE)
        if rng.random() < 0.8:
            low, high = 350, 1000  # most near £620
            value = rng.triangular(low, high, 600)
            return pounds(rng, value, value)
        return pounds(rng, 1000, 2500, 25)  # 24-hour staffed or 1:1 support
    if stype == "childrens_home_external" and s["places"] == 1:
        return pounds(rng, *SOLO_RANGE, 50)
    low, high = PRICE_RANGES.get(stype, PRICE_RANGES["other"])
    factor = REGION_FACTOR.get(s["region"] or "", 1.0) * GRADE_FACTOR.get(s["sa_outcome"] or s["ofsted_grade"] or "", 1.0)
    mid = rng.uniform(low, high) * factor
    value = min(max(mid, low), high)
    return pounds(rng, value, value, 5 if high < 3000 else 25)


def price_lists(seed: Seed, s: dict[str, Any], sa_category: str | None) -> list[dict[str, Any]]:
    rng = seed.rng("price", s["ofsted_urn"] or s["name"])
    core = _core_price(rng, s, sa_category)
    uplift = rng.choice([200, 250, 300, 350, 400, 450, 500])
    staffed = s["service_type"] in ("childrens_home_external", "childrens_home_in_house", "supported_accommodation",
                                    "secure_childrens_home", "parent_and_child", "residential_special_school")
    one_to_one = pounds(rng, 20, 35, 1) if staffed else None
    homes = s["service_type"] in ("childrens_home_external", "residential_special_school")
    current = {
        "service_id": s["id"], "valid_from": seed.days(-rng.randint(20, 330)), "core_weekly_pence": core,
        "one_to_one_hourly_pence": one_to_one, "two_to_one_hourly_pence": 2 * one_to_one if one_to_one else None,
        "education_weekly_pence": pounds(rng, 500, 1500, 25) if homes and rng.random() < 0.5 else None,
        "therapy_weekly_pence": pounds(rng, 200, 800, 25) if homes and rng.random() < 0.4 else None,
        "solo_premium_weekly_pence": (pounds(rng, 1000, 3000, 50)
                                      if s["service_type"] == "childrens_home_external" and (s["places"] or 0) > 1
                                      and rng.random() < 0.25 else None),
        "annual_uplift_bp": uplift, "source": "demo", "created_by": seed.actor,
    }
    rows = [current]
    if rng.random() < 0.35:
        previous_core = (core * 10_000) // (10_000 + uplift)
        low = (LODGINGS_RANGE if sa_category == "private_residence" else
               SOLO_RANGE if s["service_type"] == "childrens_home_external" and s["places"] == 1 else
               PRICE_RANGES.get(s["service_type"], PRICE_RANGES["other"]))[0] * 100
        if previous_core >= low and apply_uplift(previous_core, uplift) <= core:
            rows.insert(0, {**current, "valid_from": current["valid_from"] - dt.timedelta(days=365),
                            "valid_to": current["valid_from"] - dt.timedelta(days=1),
                            "core_weekly_pence": previous_core})
    return rows


def _capabilities(rng: random.Random, stype: str) -> dict[str, int]:
    base = CAPABILITY_BASE.get(stype, 1)
    caps = {}
    for domain in NEED_DOMAIN_CODES:
        level = base + rng.choice([-1, 0, 0, 0, 1])
        if stype == "supported_accommodation" and domain == "independence":
            level = 3
        caps[f"cap_{domain}"] = max(0, min(3, level))
    return caps


def _areas(seed: Seed, s: dict[str, Any]) -> list[str]:
    if s["latitude"] is None:
        return list(s["areas_covered"] or [])
    near = {code for code, la in seed.authorities.items() if la["latitude"] is not None
            and miles_between(s["latitude"], s["longitude"], la["latitude"], la["longitude"]) <= IFA_AREA_MILES}
    return sorted(near | set(s["areas_covered"] or []))


def enrich_services(seed: Seed) -> None:
    """Prices, capabilities, specialisms, vacancies, categories, routes; then the directory columns."""
    prices: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    em = seed.authorities.get(seed.home.la_code, {}).get("region_name")
    for s in seed.services:
        stype = s["service_type"]
        rng = seed.rng("service", s["ofsted_urn"] or s["name"])
        sa_category = pick_weighted(rng, SA_CATEGORY_WEIGHTS) if stype == "supported_accommodation" else None
        lists = price_lists(seed, s, sa_category)
        prices += lists
        seed.prices[s["id"]] = lists[-1]["core_weekly_pence"]
        pool = SPECIALISMS_BY_TYPE.get(stype, [])
        specialisms = sorted(rng.sample(pool, k=min(len(pool), rng.randint(1, 3)))) if pool else []
        if stype == "childrens_home_external" and s["places"] == 1:
            specialisms = sorted(set(specialisms) | {"solo_placement"})
        vacancies, as_of, source = s.get("vacancies"), None, None
        if s["ofsted_urn"] and rng.random() < 0.75:
            cap = s["places"] if s["places"] is not None else 6
            vacancies = 0 if rng.random() < 0.55 else rng.randint(1, max(1, min(3, cap)))
            as_of, source = seed.days(-rng.randint(0, 35)), rng.choice(VACANCY_SOURCES)
        areas = _areas(seed, s) if stype == "fostering_ifa" else list(s["areas_covered"] or [])
        route, framework, lot = "spot", None, None
        if s["region"] == em and s["sector"] not in ("in_house",):
            if stype in ("childrens_home_external", "fostering_ifa") and rng.random() < 0.45:
                route, framework = "framework", FRAMEWORK
                lot = "Lot 1: children's homes" if stype == "childrens_home_external" else "Lot 2: fostering"
            elif stype == "supported_accommodation" and rng.random() < 0.6:
                route, framework, lot = "open_framework", OPEN_FRAMEWORK, "Lot A: 16-17 supported accommodation"
        row = {"b_id": s["id"], "sa_category": sa_category, "specialisms": specialisms, "areas_covered": areas,
               "purchasing_route": route, "framework_name": framework, "framework_lot": lot,
               **_capabilities(rng, stype)}
        if s["ofsted_urn"]:
            row.update(vacancies=vacancies, vacancies_as_of=as_of, vacancies_source=source)
        else:  # the council's own services keep the figures set when they were added
            row.update(vacancies=s.get("vacancies"), vacancies_as_of=seed.days(-2), vacancies_source="in-house placements team")
        row.update(directory_columns(
            name=s["name"], owner=seed.providers[s["provider_id"]]["name"], town=s["town"],
            la_code=s["local_authority_code"], la_name=s["local_authority_name"], region=s["region"],
            service_type=stype, specialisms=specialisms, areas_covered=areas, latitude=s["latitude"],
            longitude=s["longitude"], ofsted_grade=s["ofsted_grade"], sa_outcome=s["sa_outcome"],
            price_from_pence=seed.prices[s["id"]], home=seed.home))
        updates.append(row)
    seed.insert(PriceList, prices, audit=False)
    seed.audit_bulk("price_list", len(prices), "demo price lists, one per service in force (some with last year's)")
    update_rows(seed.con, Service, updates)
    seed.audit_bulk("service", len(updates), "demo capabilities, specialisms, vacancies, categories and routes")


def provider_contacts(seed: Seed) -> None:
    """A referral contact on every provider: a team mailbox at example.org and an Ofcom drama number."""
    rows = []
    for n, p in enumerate(sorted(seed.providers.values(), key=lambda p: p["name"].casefold()), start=1):
        slug = "".join(ch for ch in p["name"].lower() if ch.isalnum())[:24] or f"provider{n}"
        rows.append({"b_id": p["id"], "referral_contact_name": "Referrals team",
                     "referral_email": f"referrals.{slug}@example.org",
                     "referral_phone": f"0115 496 0{n % 1000:03d}"})
    update_rows(seed.con, Provider, rows)
    seed.audit_bulk("provider", len(rows), "demo referral contacts (example.org addresses, drama phone numbers)")


STOP_REASONS = (
    ("Ofsted inadequate judgement: safeguarding concerns under review", None),
    ("Regulation 40 notification: serious incident, investigation open", None),
    ("Staffing below the registered ratio on two unannounced visits", -20),
    ("Concerns about missing-episode responses; action plan agreed", -60),
)


def placement_stops(seed: Seed) -> None:
    homes = [s for s in seed.of_type("childrens_home_external", "supported_accommodation")
             if s["region"] == seed.authorities.get(seed.home.la_code, {}).get("region_name")]
    inadequate = [s for s in homes if s["ofsted_grade"] == "inadequate" or s["sa_outcome"] == "serious_weaknesses"]
    chosen = (inadequate[:1] + [s for s in homes if s not in inadequate][::37])[:len(STOP_REASONS)]
    rows = []
    for i, (s, (reason, lifted)) in enumerate(zip(chosen, STOP_REASONS, strict=False)):
        start = seed.days(-30 - 25 * i)
        rows.append({"service_id": s["id"], "imposed_by": "Head of service (commissioning)", "reason": reason,
                     "starts_on": start, "lifted_on": seed.days(lifted) if lifted else None,
                     "lifted_by": "Head of service (commissioning)" if lifted else None,
                     "lifted_reason": "Action plan completed and verified on a visit" if lifted else None})
    seed.insert(PlacementStop, rows)
