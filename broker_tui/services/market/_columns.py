"""The directory's stored sort and search columns on Service, derived in one place.

Every writer of a service (the Ofsted importer, the demo seed, later edits of prices, specialisms or
areas covered) computes these columns with ``directory_columns`` or refreshes them with
``refresh_directory_columns``, so the directory can sort and filter on indexed columns:

- sort_name: the name casefolded (ties break on id in the indexes);
- distance_miles: haversine miles from the home authority's centre (its local_authority centroid; the
  home postcode district's centre if the authority has none), None when the service has no position;
- in_area: the service's authority is the home authority, or (when settings.home.local_radius_miles > 0)
  it lies within that many miles; a fostering agency is also in area when the authorities its carers
  live in (areas_covered) include the home authority;
- judgement_sort: vocabulary.judgement_sort_key (each judgement scale sorts as its own block);
- search_text: lowercased name, owner, town, authority, region, type labels and specialism labels;
- price_from_pence: the core weekly fee of the price list in force today (the latest valid_from on or
  before today whose valid_to is empty or not before today), None when there is none.

Refreshing these columns does not bump a service's version: they are derived, not edited, so a
broker's open edit of the service is not made stale by someone else changing a price list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlmodel import Session

from broker_tui.domain.geo import miles_between
from broker_tui.domain.settings import Settings
from broker_tui.domain.vocabulary import SERVICE_TYPE_BY_CODE, SPECIALIST_TAGS, judgement_sort_key
from broker_tui.store.tables import LocalAuthority, PostcodeDistrict, PriceList, Provider, Service

DIRECTORY_COLUMNS = ("sort_name", "distance_miles", "in_area", "judgement_sort", "search_text",
                     "price_from_pence")


@dataclass(frozen=True)
class HomeOrigin:
    """Where distances are measured from, and what counts as local."""

    la_code: str
    latitude: float | None
    longitude: float | None
    local_radius_miles: int = 0


def _connection(bind: Connection | Session) -> Connection:
    return bind.connection() if isinstance(bind, Session) else bind


def home_origin(bind: Connection | Session, settings: Settings) -> HomeOrigin:
    con = _connection(bind)
    la = LocalAuthority.__table__
    row = con.execute(select(la.c.latitude, la.c.longitude).where(la.c.ons_code == settings.home.la_code)).first()
    lat, lon = (row[0], row[1]) if row else (None, None)
    if lat is None:
        pd = PostcodeDistrict.__table__
        row = con.execute(select(pd.c.latitude, pd.c.longitude)
                          .where(pd.c.outcode == settings.home.district)).first()
        lat, lon = (row[0], row[1]) if row else (None, None)
    return HomeOrigin(settings.home.la_code, lat, lon, settings.home.local_radius_miles)


def price_in_force(price_lists: Iterable[tuple[dt.date, dt.date | None, int]], today: dt.date) -> int | None:
    """Core weekly fee of the list in force today from (valid_from, valid_to, core_weekly_pence) rows."""
    best: tuple[dt.date, int] | None = None
    for valid_from, valid_to, core in price_lists:
        if valid_from <= today and (valid_to is None or valid_to >= today) and (best is None or valid_from >= best[0]):
            best = (valid_from, core)
    return best[1] if best else None


def directory_columns(*, name: str, owner: str, town: str | None, la_code: str | None, la_name: str | None,
                      region: str | None, service_type: str, specialisms: Iterable[str],
                      areas_covered: Iterable[str], latitude: float | None, longitude: float | None,
                      ofsted_grade: str | None, sa_outcome: str | None, price_from_pence: int | None,
                      home: HomeOrigin) -> dict[str, Any]:
    distance = None
    if latitude is not None and longitude is not None and home.latitude is not None and home.longitude is not None:
        distance = round(miles_between(home.latitude, home.longitude, latitude, longitude), 1)
    in_area = la_code == home.la_code or home.la_code in set(areas_covered or ())
    if not in_area and home.local_radius_miles > 0 and distance is not None:
        in_area = distance <= home.local_radius_miles
    stype = SERVICE_TYPE_BY_CODE.get(service_type)
    words = [name, owner, town or "", la_name or "", region or ""]
    if stype:
        words += [stype.label, stype.short]
    words += [SPECIALIST_TAGS.get(s, s) for s in specialisms or ()]
    return {
        "sort_name": name.casefold(),
        "distance_miles": distance,
        "in_area": in_area,
        "judgement_sort": judgement_sort_key(ofsted_grade, sa_outcome),
        "search_text": " ".join(w.strip().lower() for w in words if w and w.strip()),
        "price_from_pence": price_from_pence,
    }


def refresh_directory_columns(bind: Connection | Session, settings: Settings, today: dt.date,
                              service_ids: Iterable[Any] | None = None) -> int:
    """Recompute the columns for the given services (all when None); write those that differ.

    Returns how many services changed. Call it after editing a price list, specialisms, areas covered,
    a name or an owner, inside the same transaction.
    """
    con = _connection(bind)
    home = home_origin(con, settings)
    s, p, pl = Service.__table__, Provider.__table__, PriceList.__table__
    query = select(s.c.id, s.c.name, p.c.name.label("owner"), s.c.town, s.c.local_authority_code,
                   s.c.local_authority_name, s.c.region, s.c.service_type, s.c.specialisms, s.c.areas_covered,
                   s.c.latitude, s.c.longitude, s.c.ofsted_grade, s.c.sa_outcome,
                   *[s.c[c] for c in DIRECTORY_COLUMNS]).join(p, p.c.id == s.c.provider_id)
    prices_q = select(pl.c.service_id, pl.c.valid_from, pl.c.valid_to, pl.c.core_weekly_pence)
    if service_ids is not None:
        ids = list(service_ids)
        if not ids:
            return 0
        query = query.where(s.c.id.in_(ids))
        prices_q = prices_q.where(pl.c.service_id.in_(ids))
    prices: dict[Any, list[tuple[dt.date, dt.date | None, int]]] = {}
    for sid, vf, vt, core in con.execute(prices_q):
        prices.setdefault(sid, []).append((vf, vt, core))
    changes = []
    for r in con.execute(query).mappings():
        cols = directory_columns(
            name=r["name"], owner=r["owner"], town=r["town"], la_code=r["local_authority_code"],
            la_name=r["local_authority_name"], region=r["region"], service_type=r["service_type"],
            specialisms=r["specialisms"], areas_covered=r["areas_covered"], latitude=r["latitude"],
            longitude=r["longitude"], ofsted_grade=r["ofsted_grade"], sa_outcome=r["sa_outcome"],
            price_from_pence=price_in_force(prices.get(r["id"], ()), today), home=home)
        if any(cols[c] != r[c] for c in DIRECTORY_COLUMNS):
            changes.append({"b_id": r["id"], **cols})
    if changes:
        con.execute(update(s).where(s.c.id == bindparam("b_id")), changes)
    return len(changes)
