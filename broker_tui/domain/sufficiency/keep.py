"""What forecasting keeps of a checked SSDA903 return: no CHILD id, no full date of birth, no full postcode.

A child is its council (the LA column, "" when the return has none) and CHILD, kept only as the key the
service turns into a pseudonym; of its Header, the year and month of birth and sex (the latest year's);
of UASC, that the child was unaccompanied and the month that status ceased. An episode is kept once: the
same child's episode starting the same day in several years' returns is the latest year's row (it has the
final end). Postcodes are kept as their district (outward code) only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from broker_tui.domain.sufficiency.checks import ChildKey, ReturnRows


def year_month(day: dt.date | None) -> str | None:
    """A day as its year and month only ('2009-07')."""
    return None if day is None else f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class ChildRecord:
    key: ChildKey
    la: str
    birth_month: str | None  # yyyy-mm; None when no table gave a date of birth
    sex: str  # M | F | U | ""
    uasc: bool
    uasc_ceased_month: str | None  # yyyy-mm


@dataclass(frozen=True)
class EpisodeRecord:
    key: ChildKey
    year: str  # the collection year of the return the row came from
    decom: dt.date
    dec: dt.date | None
    rne: str
    ls: str
    cin: str
    place: str
    place_provider: str
    rec: str
    reason_place_change: str
    pl_la: str
    pl_district: str
    home_district: str


@dataclass(frozen=True)
class Oc3Record:
    key: ChildKey
    year: str
    in_touch: str
    activ: str
    accom: str


@dataclass(frozen=True)
class ForecastData:
    children: tuple[ChildRecord, ...]
    episodes: tuple[EpisodeRecord, ...]
    oc3: tuple[Oc3Record, ...]


def forecast_data(rows: ReturnRows) -> ForecastData:
    """The records forecasting needs from a checked return (call only when it has no errors)."""
    births: dict[ChildKey, dt.date] = {}
    sexes: dict[ChildKey, tuple[str, str]] = {}
    for h in rows.headers:
        births.setdefault((h.la, h.child), h.dob)
        if (h.la, h.child) not in sexes or sexes[(h.la, h.child)][0] <= h.year:
            sexes[(h.la, h.child)] = (h.year, h.sex)
    uasc: dict[ChildKey, dt.date] = {}
    for u in rows.uasc:
        births.setdefault((u.la, u.child), u.dob)
        sexes.setdefault((u.la, u.child), (u.year, u.sex))
        uasc[(u.la, u.child)] = max(u.duc, uasc.get((u.la, u.child), u.duc))
    for o in rows.oc3:
        if o.dob is not None:
            births.setdefault((o.la, o.child), o.dob)
        if o.sex:
            sexes.setdefault((o.la, o.child), (o.year, o.sex))
    latest: dict[tuple[str, str, dt.date], EpisodeRecord] = {}
    for e in rows.episodes:
        key = (e.la, e.child)
        record = EpisodeRecord(key, e.year, e.decom, e.dec, e.rne, e.ls, e.cin, e.place, e.place_provider, e.rec,
                               e.reason_place_change, e.pl_la, e.pl_district, e.home_district)
        earlier = latest.get((e.la, e.child, e.decom))
        if earlier is None or earlier.year <= e.year:
            latest[(e.la, e.child, e.decom)] = record
    oc3 = tuple(Oc3Record((o.la, o.child), o.year, o.in_touch, o.activ, o.accom) for o in rows.oc3)
    keys = sorted({*births, *sexes, *uasc, *(k[:2] for k in latest), *(o.key for o in oc3)})
    children = tuple(ChildRecord(k, k[0], year_month(births.get(k)), sexes.get(k, ("", ""))[1], k in uasc,
                                 year_month(uasc.get(k))) for k in keys)
    episodes = tuple(sorted(latest.values(), key=lambda e: (e.key, e.decom)))
    return ForecastData(children, episodes, oc3)
