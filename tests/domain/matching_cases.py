"""The worked matching cases of shared/matching-cases.md as data: the small market S1-S12 and the
referrals R1-R6, with builders for the in-memory domain market and for a database loaded through the
store. "Today" is 1 December 2026; positions are postcode-district centroids from seed/.
"""

from __future__ import annotations

import datetime as dt
import uuid
from functools import cache
from typing import Any

from broker_tui.domain.matching import Area, MarketService
from broker_tui.domain.pricing import PriceParts
from broker_tui.domain.referrals.rules import age_facts
from broker_tui.domain.vocabulary import MUST_REGISTER_TYPES, NEED_DOMAIN_CODES

TODAY = dt.date(2026, 12, 1)
LEICESTER, LEICESTERSHIRE = "E06000016", "E10000018"
PRICES_FROM = dt.date(2026, 4, 1)
CHILDRENS_HOMES = ("childrens_home_in_house", "childrens_home_external")
FOSTERING = ("fostering_in_house", "fostering_ifa", "fostering_kinship")

# key, name, provider, type, sector, district, ages, places, free (None: by household), households,
# judgement (Ofsted grade or SA outcome), specialisms, capabilities (others 1), core pounds, extras
MARKET: list[dict[str, Any]] = [
    dict(key="S1", name="Beaumont Lodge", provider="Leicester City Council", type="childrens_home_in_house",
         sector="in_house", district="LE4", ages=(8, 17), places=6, free=2, grade="good",
         specialisms=("cce", "missing"), caps={"behaviour": 3, "emotional": 3, "risk": 2}, core=4200),
    dict(key="S2", name="Oakfield House", provider="Oakfield Care Ltd", type="childrens_home_external",
         sector="private", district="NG5", ages=(11, 17), places=4, free=1, grade="outstanding",
         specialisms=("cce", "cse", "missing", "self_harm"), caps={"behaviour": 3, "risk": 3, "emotional": 3},
         core=5600),
    dict(key="S3", name="Harbour View", provider="Coastline Homes Ltd", type="childrens_home_external",
         sector="private", district="PE25", ages=(12, 17), places=3, free=2, grade="good",
         specialisms=("cce", "cse", "missing"), caps={"behaviour": 3, "risk": 3, "emotional": 3}, core=6200),
    dict(key="S4", name="Meadow Farm", provider="Meadow Farm Trust", type="childrens_home_external",
         sector="voluntary", district="LE15", ages=(6, 12), places=4, free=0, grade="good", core=4900),
    dict(key="S5", name="Brightstart Fostering", provider="Brightstart Fostering Ltd", type="fostering_ifa",
         sector="private", district="LE1", areas=(LEICESTER, LEICESTERSHIRE), ages=(0, 17), households=(1, 1, 1),
         grade="good", caps={"behaviour": 2, "emotional": 2}, core=950),
    dict(key="S6", name="Leicester Fostering", provider="Leicester City Council", type="fostering_in_house",
         sector="in_house", district="LE1", areas=(LEICESTER,), ages=(0, 17), households=(2, 1, 2, 1, 1),
         caps={"behaviour": 2, "emotional": 2}, core=520),
    dict(key="S7", name="Northgate Supported Living", provider="Northgate Housing Ltd",
         type="supported_accommodation", sector="private", district="LE3", ages=(16, 17), places=8, free=3,
         outcome="consistently_strong", sa_category="single_occupancy", core=900),
    dict(key="S8", name="Riverside Lodgings", provider="Riverside Trust", type="supported_accommodation",
         sector="voluntary", district="LE11", ages=(16, 17), places=1, free=1, sa_category="private_residence",
         registered=dt.date(2025, 6, 2), core=350),
    dict(key="S9", name="Castle Homes Derby", provider="Castle Homes Ltd", type="childrens_home_external",
         sector="private", district="DE1", ages=(10, 17), places=5, free=2, grade="inadequate",
         stop=(dt.date(2026, 11, 1), "Safeguarding concerns after the Ofsted inspection"), core=5100),
    dict(key="S10", name="Greenway House", provider="Greenway Care Ltd", type="childrens_home_external",
         sector="private", district="LE5", ages=(10, 17), places=4, free=2, grade="good", status="suspended",
         core=4800),
    dict(key="S11", name="Hawthorn Secure", provider="Nottinghamshire County Council",
         type="secure_childrens_home", sector="other_council", district="NG15", ages=(10, 17), places=8, free=1,
         grade="good", core=8500),
    dict(key="S12", name="Kinfield Family Placements", provider="Kinfield Families", type="fostering_ifa",
         sector="voluntary", district="LE9", areas=(LEICESTERSHIRE,), ages=(0, 17), households=(3,),
         grade="good", specialisms=("sibling_group",), caps={"behaviour": 1, "emotional": 1}, core=1100),
]
KEY_BY_NAME = {s["name"]: s["key"] for s in MARKET}


def service_id(key: str) -> uuid.UUID:
    return uuid.UUID(int=int(key[1:]))


def registration(spec: dict[str, Any]) -> tuple[str | None, str]:
    """The URN and registration status the register gives each service (every one Ofsted registers is on
    it; the council's own fostering needs no registration)."""
    if spec["type"] not in MUST_REGISTER_TYPES:
        return None, spec.get("status", "not_required")
    return f"SC{500000 + int(spec['key'][1:])}", spec.get("status", "active")


@cache
def geography() -> tuple[dict[str, tuple[float, float, str | None]], dict[str, tuple[str, float, float]]]:
    """District centroids (lat, lon, upper-tier authority) and authorities (name, lat, lon), as the app
    loads them from seed/."""
    from broker_tui.services.reference import local_authority_rows, postcode_district_rows

    districts = postcode_district_rows()
    las = local_authority_rows(districts)
    return ({d["outcode"]: (d["latitude"], d["longitude"], d["utla_code"]) for d in districts},
            {la["ons_code"]: (la["name"], la["latitude"], la["longitude"]) for la in las})


def district_point(code: str) -> tuple[float, float] | None:
    d = geography()[0].get(code)
    return (d[0], d[1]) if d else None


def home_centre() -> tuple[float, float]:
    _name, lat, lon = geography()[1][LEICESTER]
    return lat, lon


def price_parts(spec: dict[str, Any]) -> PriceParts:
    return PriceParts(valid_from=PRICES_FROM, core_weekly_pence=spec["core"] * 100, one_to_one_hourly_pence=2800,
                      two_to_one_hourly_pence=5600, annual_uplift_bp=300)


def market_services() -> list[MarketService]:
    """The market as the domain sees it (built by hand, not through the store)."""
    districts, las = geography()
    out = []
    for spec in MARKET:
        lat, lon, la = districts[spec["district"]]
        hh = spec.get("households", ())
        stop = spec.get("stop")
        urn, status = registration(spec)
        out.append(MarketService(
            id=str(service_id(spec["key"])), name=spec["name"], provider=spec["provider"], ofsted_urn=urn,
            service_type=spec["type"], sector=spec["sector"], registration_status=status,
            ofsted_grade=spec.get("grade"), sa_outcome=spec.get("outcome"), sa_category=spec.get("sa_category"),
            latitude=lat, longitude=lon, postcode_district=spec["district"], local_authority_code=la,
            local_authority_name=las[la][0],
            areas_covered=tuple(Area(c, las[c][0], las[c][1], las[c][2]) for c in spec.get("areas", ())),
            min_age=spec["ages"][0], max_age=spec["ages"][1], places=spec.get("places", sum(hh) or None),
            free_places=spec.get("free", sum(hh) if hh else None), household_free_places=tuple(hh),
            capabilities={d: spec.get("caps", {}).get(d, 1) for d in NEED_DOMAIN_CODES},
            specialisms=tuple(spec.get("specialisms", ())), stop_in_force=stop is not None,
            stop_since=stop[0] if stop else None, stop_reason=stop[1] if stop else "",
            prices=(price_parts(spec),)))
    return out


def _needs(**levels: int) -> dict[str, int]:
    return {d: levels.get(d, 0) for d in NEED_DOMAIN_CODES}


def referral_values(case_ref: str, age: int, types: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    """A referral's values, as ReferralView.values holds them."""
    values: dict[str, Any] = {
        "case_ref": case_ref, "initials": "XY", "date_received": TODAY, "needed_by": TODAY, "age_years": age,
        "date_of_birth": None, "types_sought": list(types), "needs": _needs(), "risks": [], "specialist_needs": [],
        "free_text_needs": [], "avoid_areas": [], "sibling_group_size": 1, "siblings_together": True,
        "home_district": None, "school_district": None, "within_home_area": False, "max_distance_miles": None,
        "living_alongside": "with_others", "dol_order": None, "section25_order": None, "one_to_one_hours": 0,
        "two_to_one_hours": 0, "education_needed": False, "therapy_needed": False, "budget_weekly_pence": None,
        "year_group": None, "expected_duration_weeks": None, "gender": "",
    }
    values.update(extra)
    return values


SECTION_25 = {"court": "Family Court at Leicester", "made_on": "2026-11-27", "ends_on": "2027-02-26",
              "review_on": None}
REFERRALS: dict[str, dict[str, Any]] = {
    "R1": referral_values("MC-R1", 14, CHILDRENS_HOMES, needs=_needs(risk=3, behaviour=2, emotional=2),
                          risks=[{"tag": "cce", "present": True, "level": 3},
                                 {"tag": "missing", "present": True, "level": 2}],
                          avoid_areas=[{"kind": "la", "code": LEICESTER, "radius_miles": None}],
                          budget_weekly_pence=650_000),
    "R2": referral_values("MC-R2", 15, ("supported_accommodation",)),
    "R3": referral_values("MC-R3", 16, ("supported_accommodation",),
                          needs=_needs(independence=1, emotional=1, education=1), home_district="LE2",
                          budget_weekly_pence=120_000),
    "R4": referral_values("MC-R4", 9, FOSTERING, sibling_group_size=3, siblings_together=True,
                          specialist_needs=["sibling_group"]),
    "R5": referral_values("MC-R5", 13, ("secure_childrens_home",)),
    "R5-order": referral_values("MC-R5B", 13, ("secure_childrens_home",), section25_order=SECTION_25),
    "R6": referral_values("MC-R6", 10, FOSTERING, needs=_needs(behaviour=2, emotional=2), school_district="LE2",
                          budget_weekly_pence=100_000),
}
SIBLING_AGES = {"R4": (4, 6)}


def eighteenth(values: dict[str, Any]) -> dt.date | None:
    facts = age_facts(date_of_birth=None, age_years=values["age_years"], date_received=values["date_received"],
                      needed_by=values["needed_by"])
    return facts.eighteenth_birthday if facts else None


def load_into_store(ctx: Any) -> None:
    """The same market, written through the store's tables (and the referrals, as rows)."""
    from broker_tui.store.tables import FosterHousehold, PlacementStop, PriceList, Provider, Referral, Service

    districts, las = geography()
    with ctx.session() as s:
        providers: dict[str, Any] = {}
        for spec in MARKET:
            if spec["provider"] not in providers:
                p = Provider(name=spec["provider"], sector=spec["sector"])
                s.add(p)
                s.flush()
                providers[spec["provider"]] = p
            lat, lon, la = districts[spec["district"]]
            hh = spec.get("households", ())
            caps = {f"cap_{d}": spec.get("caps", {}).get(d, 1) for d in NEED_DOMAIN_CODES}
            urn, status = registration(spec)
            s.add(Service(
                id=service_id(spec["key"]), provider_id=providers[spec["provider"]].id, name=spec["name"],
                ofsted_urn=urn, service_type=spec["type"], sector=spec["sector"], registration_status=status,
                registration_date=spec.get("registered"), ofsted_grade=spec.get("grade"),
                sa_outcome=spec.get("outcome"), sa_category=spec.get("sa_category"), postcode_district=spec["district"],
                latitude=lat, longitude=lon, local_authority_code=la, local_authority_name=las[la][0],
                areas_covered=list(spec.get("areas", ())), min_age=spec["ages"][0], max_age=spec["ages"][1],
                places=spec.get("places", sum(hh) or None), vacancies=spec.get("free", sum(hh) if hh else None),
                specialisms=list(spec.get("specialisms", ())), sort_name=spec["name"].casefold(), **caps))
            s.flush()
            for n, free in enumerate(hh):
                s.add(FosterHousehold(service_id=service_id(spec["key"]), reference=f"{spec['key']}-H{n + 1}",
                                      places=max(free, 1), free_places=free))
            pp = price_parts(spec)
            s.add(PriceList(service_id=service_id(spec["key"]), valid_from=pp.valid_from,
                            core_weekly_pence=pp.core_weekly_pence, one_to_one_hourly_pence=pp.one_to_one_hourly_pence,
                            two_to_one_hourly_pence=pp.two_to_one_hourly_pence, annual_uplift_bp=pp.annual_uplift_bp))
            if spec.get("stop"):
                s.add(PlacementStop(service_id=service_id(spec["key"]), imposed_by="Head of Service",
                                    reason=spec["stop"][1], starts_on=spec["stop"][0]))
        for values in REFERRALS.values():
            cols = {k: v for k, v in values.items() if k != "needs"}
            cols.update({f"need_{d}": v for d, v in values["needs"].items()})
            s.add(Referral(**cols))
