"""The market read the way services.matching read it before issue 14 (row by row into MarketService
objects, then MarketArrays.build): the reference the columnar load is compared with
(tests/services/test_market_load.py). Kept here, not in the app, because only the tests use it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from broker_tui.domain.matching import Area, MarketService
from broker_tui.domain.pricing import PriceParts
from broker_tui.domain.vocabulary import NEED_DOMAIN_CODES
from broker_tui.store.tables import (
    BlockContract,
    BlockContractTerm,
    FosterHousehold,
    LocalAuthority,
    Placement,
    PlacementStop,
    PostcodeDistrict,
    PriceList,
    Provider,
    Service,
)

_SERVICE_COLUMNS = ("id", "name", "service_type", "sector", "ofsted_urn", "registration_status", "in_register",
                    "ofsted_grade", "sa_outcome", "sa_category", "latitude", "longitude", "location_approximate",
                    "postcode_district", "local_authority_code", "local_authority_name", "areas_covered", "min_age",
                    "max_age", "sexes", "places", "vacancies", "specialisms", "purchasing_route")


def read_market_objects(con: Connection, today: dt.date) -> tuple[list[MarketService], dict[str, str],
                                                           dict[str, tuple[float, float]]]:
    s, p = Service.__table__, Provider.__table__
    las = {r.ons_code: r for r in con.execute(select(LocalAuthority.__table__))}
    pd = PostcodeDistrict.__table__
    districts = {r.outcode: (r.latitude, r.longitude)
                 for r in con.execute(select(pd.c.outcode, pd.c.latitude, pd.c.longitude)) if r.latitude is not None}
    hh = FosterHousehold.__table__
    households: dict[Any, list[tuple[int, int]]] = defaultdict(list)  # (free, approved) places of each
    for sid, free, approved in con.execute(select(hh.c.service_id, hh.c.free_places, hh.c.places)
                                           .where(hh.c.archived_on.is_(None))
                                           .order_by(hh.c.service_id, hh.c.reference)):
        households[sid].append((free, approved))
    pl = PriceList.__table__
    prices: dict[Any, list[PriceParts]] = defaultdict(list)
    for r in con.execute(select(pl)):
        prices[r.service_id].append(PriceParts(
            valid_from=r.valid_from, valid_to=r.valid_to, core_weekly_pence=r.core_weekly_pence,
            one_to_one_hourly_pence=r.one_to_one_hourly_pence, two_to_one_hourly_pence=r.two_to_one_hourly_pence,
            education_weekly_pence=r.education_weekly_pence, therapy_weekly_pence=r.therapy_weekly_pence,
            solo_premium_weekly_pence=r.solo_premium_weekly_pence, annual_uplift_bp=r.annual_uplift_bp,
            per_child=r.per_child))
    st = PlacementStop.__table__
    stops: dict[Any, tuple[dt.date, str]] = {}
    for r in con.execute(select(st.c.service_id, st.c.starts_on, st.c.reason)
                         .where(st.c.starts_on <= today, or_(st.c.lifted_on.is_(None), st.c.lifted_on > today))
                         .order_by(st.c.starts_on)):
        stops.setdefault(r.service_id, (r.starts_on, r.reason))
    free_units = free_block_units(con, today)
    services = []
    rows = con.execute(select(*[s.c[c] for c in _SERVICE_COLUMNS], *[s.c[f"cap_{d}"] for d in NEED_DOMAIN_CODES],
                              p.c.name.label("provider_name")).join(p, p.c.id == s.c.provider_id)
                       .where(s.c.archived_on.is_(None)))
    for r in rows:
        stop = stops.get(r.id)
        hh_free = tuple(free for free, _approved in households.get(r.id, ()))
        hh_places = tuple(approved for _free, approved in households.get(r.id, ()))
        areas = tuple(Area(c, las[c].name, las[c].latitude, las[c].longitude) if c in las else Area(c)
                      for c in (r.areas_covered or ()))
        services.append(MarketService(
            id=str(r.id), name=r.name, service_type=r.service_type, sector=r.sector, provider=r.provider_name,
            ofsted_urn=r.ofsted_urn, registration_status=r.registration_status, in_register=r.in_register,
            ofsted_grade=r.ofsted_grade, sa_outcome=r.sa_outcome, sa_category=r.sa_category,
            latitude=r.latitude, longitude=r.longitude, location_approximate=r.location_approximate,
            postcode_district=r.postcode_district, local_authority_code=r.local_authority_code,
            local_authority_name=r.local_authority_name, areas_covered=areas, min_age=r.min_age, max_age=r.max_age,
            sexes=r.sexes, places=r.places, free_places=sum(hh_free) if hh_free else r.vacancies,
            household_free_places=hh_free, household_places=hh_places, capabilities={d: getattr(r, f"cap_{d}") for d in NEED_DOMAIN_CODES},
            specialisms=tuple(r.specialisms or ()), purchasing_route=r.purchasing_route,
            stop_in_force=stop is not None, stop_since=stop[0] if stop else None, stop_reason=stop[1] if stop else "",
            free_block_units=free_units.get(r.id, 0), prices=tuple(prices.get(r.id, ()))))
    return services, {code: la.name for code, la in las.items()}, districts


def free_block_units(con: Connection, today: dt.date) -> dict[Any, int]:
    """Units of block contracts running today (the term in force) less the placements open in them."""
    bc, bt, pm = BlockContract.__table__, BlockContractTerm.__table__, Placement.__table__
    contracts = {r.id: r.service_id for r in con.execute(
        select(bc.c.id, bc.c.service_id).where(bc.c.status == "active", bc.c.service_id.is_not(None),
                                               bc.c.starts_on <= today, bc.c.ends_on >= today))}
    units: dict[Any, tuple[dt.date, int]] = {}
    for cid, eff, n in con.execute(select(bt.c.contract_id, bt.c.effective_from, bt.c.units)
                                   .where(bt.c.effective_from <= today)):
        if cid in contracts and (cid not in units or eff >= units[cid][0]):
            units[cid] = (eff, n)
    used: dict[Any, int] = defaultdict(int)
    for (cid,) in con.execute(select(pm.c.block_contract_id).where(
            and_(pm.c.block_contract_id.is_not(None), pm.c.start_date <= today,
                 or_(pm.c.end_date.is_(None), pm.c.end_date > today)))):
        used[cid] += 1
    free: dict[Any, int] = defaultdict(int)
    for cid, (_eff, n) in units.items():
        free[contracts[cid]] += max(0, n - used[cid])
    return dict(free)
