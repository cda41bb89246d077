"""The market as columns (one value per service, side tables grouped by service), and the services as
rows made from them on demand.

A store reads the market straight into MarketColumns (no object per service); MarketArrays is built
from them. ``columns_of`` gives the same columns from MarketService rows (tests, benches, offers judged
at their price), so both ways in build the same arrays. ``ServiceRows`` gives a MarketService for one
position when a result, an explanation or an exclusion shows it, and finds a position by id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from broker_tui.domain.matching.types import Area, MarketService
from broker_tui.domain.pricing import PriceParts
from broker_tui.domain.vocabulary import NEED_DOMAIN_CODES

NO_END = np.iinfo(np.int64).max
_EPOCH = dt.date(1970, 1, 1).toordinal()


@dataclass
class MarketColumns:
    """One entry per service in each column (ints -1 and floats nan where not known); households and price
    lists as flat arrays sorted by the service's position (prices by valid_from within a service, ties kept
    in the order given); stops only for the services under one."""

    id: Sequence[str]
    name: Sequence[str]
    service_type: Sequence[str]
    sector: Sequence[str]
    provider: Sequence[str]
    ofsted_urn: Sequence[str | None]
    registration_status: Sequence[str]
    in_register: np.ndarray  # bool
    ofsted_grade: Sequence[str | None]
    sa_outcome: Sequence[str | None]
    sa_category: Sequence[str | None]
    latitude: np.ndarray  # float64, nan: not known
    longitude: np.ndarray
    location_approximate: np.ndarray  # bool
    postcode_district: Sequence[str | None]
    local_authority_code: Sequence[str | None]
    local_authority_name: Sequence[str | None]
    areas_covered: Sequence[tuple[Area, ...]]  # many services share one tuple
    min_age: np.ndarray  # int16
    max_age: np.ndarray
    sexes: Sequence[str]
    places: np.ndarray  # int32, -1: not known
    free_places: np.ndarray  # int32, -1: not known (a store gives its households' sum when it has them)
    caps: np.ndarray  # (n, 8) int8 in NEED_DOMAIN_CODES order
    specialisms: Sequence[tuple[str, ...]]  # many services share one tuple
    purchasing_route: Sequence[str]
    block_free: np.ndarray  # int32
    stops: Mapping[int, tuple[dt.date | None, str]] = field(default_factory=dict)  # position -> since, reason
    hh_service: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    hh_free: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    hh_places: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    pl_service: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pl_from: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # ordinal
    pl_to: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # ordinal; NO_END when open
    pl_parts: np.ndarray = field(default_factory=lambda: np.zeros((0, 6), dtype=np.int64))  # -1: not priced
    pl_bp: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pl_per_child: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @property
    def n(self) -> int:
        return len(self.id)


def ordinals(days: np.ndarray) -> np.ndarray:
    """datetime64[D] values as date ordinals (NaT: NO_END)."""
    out = days.astype("datetime64[D]").astype(np.int64) + _EPOCH
    out[np.isnat(days)] = NO_END
    result: np.ndarray = out
    return result


def ints(values: Sequence[int | None] | np.ndarray, missing: int = -1, dtype: type = np.int32) -> np.ndarray:
    """Whole numbers with None as ``missing``, in one conversion (through float64 only when there is a None)."""
    try:
        return np.asarray(values, dtype=dtype)
    except TypeError:
        as_float = np.asarray(values, dtype=np.float64)
        return np.where(np.isnan(as_float), missing, as_float).astype(dtype)


def columns_of(services: Sequence[MarketService]) -> MarketColumns:
    """The columns of MarketService rows (prices sorted by valid_from within each, as matching reads them)."""
    hh = [(i, f, p) for i, s in enumerate(services) for f, p in _households(s)]
    pl = [(i, p) for i, s in enumerate(services) for p in sorted(s.prices, key=lambda p: p.valid_from)]
    parts = [(p.core_weekly_pence, p.one_to_one_hourly_pence, p.two_to_one_hourly_pence, p.education_weekly_pence,
              p.therapy_weekly_pence, p.solo_premium_weekly_pence) for _i, p in pl]
    return MarketColumns(
        id=[s.id for s in services], name=[s.name for s in services],
        service_type=[s.service_type for s in services], sector=[s.sector for s in services],
        provider=[s.provider for s in services], ofsted_urn=[s.ofsted_urn for s in services],
        registration_status=[s.registration_status for s in services],
        in_register=np.array([s.in_register for s in services], dtype=bool),
        ofsted_grade=[s.ofsted_grade for s in services], sa_outcome=[s.sa_outcome for s in services],
        sa_category=[s.sa_category for s in services],
        latitude=np.array([np.nan if s.latitude is None else s.latitude for s in services], dtype=np.float64),
        longitude=np.array([np.nan if s.longitude is None else s.longitude for s in services], dtype=np.float64),
        location_approximate=np.array([s.location_approximate for s in services], dtype=bool),
        postcode_district=[s.postcode_district for s in services],
        local_authority_code=[s.local_authority_code for s in services],
        local_authority_name=[s.local_authority_name for s in services],
        areas_covered=[s.areas_covered for s in services],
        min_age=ints([s.min_age for s in services], 0, np.int16),
        max_age=ints([s.max_age for s in services], 99, np.int16), sexes=[s.sexes for s in services],
        places=ints([s.places for s in services]), free_places=ints([s.free_places for s in services]),
        caps=np.array([[s.capabilities.get(d, 1) for d in NEED_DOMAIN_CODES] for s in services],
                      dtype=np.int8).reshape(len(services), len(NEED_DOMAIN_CODES)),
        specialisms=[s.specialisms for s in services], purchasing_route=[s.purchasing_route for s in services],
        block_free=np.array([s.free_block_units for s in services], dtype=np.int32),
        stops={i: (s.stop_since, s.stop_reason) for i, s in enumerate(services) if s.stop_in_force},
        hh_service=np.array([h[0] for h in hh], dtype=np.int64), hh_free=np.array([h[1] for h in hh], dtype=np.int32),
        hh_places=np.array([h[2] for h in hh], dtype=np.int32),
        pl_service=np.array([i for i, _p in pl], dtype=np.int64),
        pl_from=np.array([p.valid_from.toordinal() for _i, p in pl], dtype=np.int64),
        pl_to=np.array([NO_END if p.valid_to is None else p.valid_to.toordinal() for _i, p in pl], dtype=np.int64),
        pl_parts=ints([v for row in parts for v in row], -1, np.int64).reshape(len(pl), 6),
        pl_bp=np.array([p.annual_uplift_bp for _i, p in pl], dtype=np.int64),
        pl_per_child=np.array([p.per_child for _i, p in pl], dtype=bool))


def _households(s: MarketService) -> list[tuple[int, int]]:
    """(free, approved) places of each household; approved -1 where the service gives only the free places."""
    approved = s.household_places if len(s.household_places) == len(s.household_free_places) else ()
    return [(f, approved[k] if approved else -1) for k, f in enumerate(s.household_free_places)]


class ServiceRows:
    """The market's services by position: a MarketService made from the columns when asked for (or the rows
    the market was built from, when it was), and the position of a service by id."""

    def __init__(self, columns: MarketColumns, objects: Sequence[MarketService] | None = None):
        self.columns = columns
        self._objects = objects
        self._position: dict[str, int] | None = None

    def __len__(self) -> int:
        return self.columns.n

    def __iter__(self) -> Iterator[MarketService]:
        return (self[i] for i in range(len(self)))

    @property
    def ids(self) -> Sequence[str]:
        return self.columns.id

    @property
    def position_of(self) -> dict[str, int]:
        """Each service's position by id (built on first use)."""
        if self._position is None:
            self._position = dict(zip(self.columns.id, range(self.columns.n), strict=True))
        return self._position

    def index_of(self, service_id: str) -> int | None:
        return self.position_of.get(service_id)

    def __getitem__(self, i: int) -> MarketService:
        if self._objects is not None:
            return self._objects[i]
        c = self.columns
        n = c.n
        if not -n <= i < n:
            raise IndexError(i)
        i = i % n if n else i
        h0, h1 = np.searchsorted(c.hh_service, [i, i + 1])
        approved = tuple(int(v) for v in c.hh_places[h0:h1])
        p0, p1 = np.searchsorted(c.pl_service, [i, i + 1])
        stop = c.stops.get(i)
        return MarketService(
            id=c.id[i], name=c.name[i], service_type=c.service_type[i], sector=c.sector[i], provider=c.provider[i],
            ofsted_urn=c.ofsted_urn[i], registration_status=c.registration_status[i],
            in_register=bool(c.in_register[i]), ofsted_grade=c.ofsted_grade[i], sa_outcome=c.sa_outcome[i],
            sa_category=c.sa_category[i], latitude=_real(c.latitude[i]), longitude=_real(c.longitude[i]),
            location_approximate=bool(c.location_approximate[i]), postcode_district=c.postcode_district[i],
            local_authority_code=c.local_authority_code[i], local_authority_name=c.local_authority_name[i],
            areas_covered=c.areas_covered[i], min_age=int(c.min_age[i]), max_age=int(c.max_age[i]),
            sexes=c.sexes[i], places=_maybe(c.places[i]), free_places=_maybe(c.free_places[i]),
            household_free_places=tuple(int(v) for v in c.hh_free[h0:h1]),
            household_places=() if any(v < 0 for v in approved) else approved,
            capabilities={d: int(v) for d, v in zip(NEED_DOMAIN_CODES, c.caps[i], strict=True)},
            specialisms=c.specialisms[i], purchasing_route=c.purchasing_route[i], stop_in_force=stop is not None,
            stop_since=stop[0] if stop else None, stop_reason=stop[1] if stop else "",
            free_block_units=int(c.block_free[i]), prices=tuple(_price(c, k) for k in range(p0, p1)))


def _maybe(v: np.integer) -> int | None:
    return None if v < 0 else int(v)


def _real(v: np.floating) -> float | None:
    return None if np.isnan(v) else float(v)


def _price(c: MarketColumns, k: int) -> PriceParts:
    parts = [_maybe(v) for v in c.pl_parts[k]]
    to = int(c.pl_to[k])
    return PriceParts(valid_from=dt.date.fromordinal(int(c.pl_from[k])), core_weekly_pence=parts[0] or 0,
                      valid_to=None if to == NO_END else dt.date.fromordinal(to), one_to_one_hourly_pence=parts[1],
                      two_to_one_hourly_pence=parts[2], education_weekly_pence=parts[3],
                      therapy_weekly_pence=parts[4], solo_premium_weekly_pence=parts[5],
                      annual_uplift_bp=int(c.pl_bp[k]), per_child=bool(c.pl_per_child[k]))
