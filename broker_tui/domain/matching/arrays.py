"""The market as numpy arrays, built once per snapshot, and the per-referral array work on them:
where each service is from the child's point of view (miles, in area, distant, avoided) and its
weekly price estimate (the same arithmetic as domain/pricing.py, on whole columns at once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from broker_tui.domain.geo import EARTH_RADIUS_MILES
from broker_tui.domain.matching.columns import MarketColumns, ServiceRows, columns_of
from broker_tui.domain.matching.types import MarketService, MatchConfig, MatchRequest, PlaceFacts
from broker_tui.domain.vocabulary import (
    MUST_REGISTER_TYPES,
    NEED_DOMAIN_CODES,
    REGISTRATION_STATUSES,
    SECTORS,
    SERVICE_TYPES,
    TAGS,
)

TYPE_CODES = tuple(t.code for t in SERVICE_TYPES)
TYPE_INDEX = {c: i for i, c in enumerate(TYPE_CODES)}
GROUPS = ("fostering", "residential", "supported", "secure", "family", "school", "leaving_care", "other")
GROUP_OF_TYPE = np.array([GROUPS.index(t.group) for t in SERVICE_TYPES], dtype=np.int8)
MUST_REGISTER_OF_TYPE = np.array([t.code in MUST_REGISTER_TYPES for t in SERVICE_TYPES], dtype=bool)
UNREGULATED_OF_TYPE = np.array([not t.regulated for t in SERVICE_TYPES], dtype=bool)
SECTOR_CODES = tuple(SECTORS)
REG_CODES = tuple(REGISTRATION_STATUSES)
SEX_CODES = ("mixed", "female", "male")
TAG_BIT = {t.code: np.uint64(1) << np.uint64(i) for i, t in enumerate(TAGS)}
# One code per judgement, whichever scale it is on (the scale stays known: see scores).
JUDGEMENT_CODES = ("", "outstanding", "good", "requires_improvement", "inadequate",
                   "consistently_strong", "inconsistent", "serious_weaknesses")
SECTOR_POS = {c: i for i, c in enumerate(SECTOR_CODES)}
REG_POS = {c: i for i, c in enumerate(REG_CODES)}
SEX_POS = {c: i for i, c in enumerate(SEX_CODES)}
JUDGEMENT_POS = {c: i for i, c in enumerate(JUDGEMENT_CODES)}
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def tag_mask(tags: Sequence[str]) -> np.uint64:
    mask = np.uint64(0)
    for t in tags:
        mask |= TAG_BIT.get(t, np.uint64(0))
    return mask


@dataclass
class MarketArrays:
    services: ServiceRows
    type_idx: np.ndarray
    group_idx: np.ndarray
    sector_idx: np.ndarray
    reg_idx: np.ndarray
    in_register: np.ndarray
    has_urn: np.ndarray  # an Ofsted URN is recorded: the register's key
    min_age: np.ndarray
    max_age: np.ndarray
    sex_idx: np.ndarray
    places: np.ndarray  # -1: not known
    free: np.ndarray  # -1: not known
    hh_max: np.ndarray  # largest household's free places; -1 when no households are recorded
    hh_sum: np.ndarray
    most_together: np.ndarray  # the most children it may ever hold together: the largest household's approved
    # places (fostering, when known), else the registered places; -1: not known
    caps: np.ndarray  # (n, 8) in NEED_DOMAIN_CODES order
    tags: np.ndarray  # uint64 bit mask of vocabulary.TAGS
    lat: np.ndarray  # nan: not known
    lon: np.ndarray
    lat_r: np.ndarray  # the same in radians, with cos(lat), for the haversine
    lon_r: np.ndarray
    cos_lat: np.ndarray
    approx: np.ndarray
    la_idx: np.ndarray  # index into la_codes; -1 none
    district_idx: np.ndarray  # index into districts; -1 none
    la_codes: list[str]
    districts: list[str]
    pair_service: np.ndarray  # (service, area covered) pairs, sorted by service
    pair_la: np.ndarray
    pair_lat: np.ndarray
    pair_lon: np.ndarray
    pair_lat_r: np.ndarray
    pair_lon_r: np.ndarray
    pair_cos: np.ndarray
    pair_starts: np.ndarray  # first pair of each service that has areas
    pair_owners: np.ndarray  # the services those segments belong to
    stop: np.ndarray
    block_free: np.ndarray
    judgement_idx: np.ndarray
    tie_rank: np.ndarray  # position in (name casefolded, URN or id) order
    pl_service: np.ndarray  # price lists, sorted by (service, valid_from)
    pl_from: np.ndarray  # ordinal
    pl_from_year: np.ndarray
    pl_from_md: np.ndarray
    pl_to: np.ndarray  # ordinal; NO_END when open
    pl_parts: np.ndarray  # (L, 6) core, 1:1, 2:1, education, therapy, solo; -1 when not priced
    pl_bp: np.ndarray
    pl_per_child: np.ndarray
    pl_starts: np.ndarray
    pl_owners: np.ndarray

    @property
    def n(self) -> int:
        return len(self.services)

    @property
    def position_of(self) -> dict[str, int]:
        """Each service's position in ``services``, by id (built on first use)."""
        return self.services.position_of

    @classmethod
    def build(cls, services: Sequence[MarketService]) -> MarketArrays:
        """The arrays of MarketService rows (``services`` gives back these very rows)."""
        services = list(services)
        return cls.from_columns(columns_of(services), services)

    @classmethod
    def from_columns(cls, c: MarketColumns, objects: Sequence[MarketService] | None = None) -> MarketArrays:
        """The arrays of the market's columns (sharing the columns' own arrays where they are the same; nothing
        changes them in place); ``services`` makes each MarketService when it is asked for."""
        n = c.n
        other = TYPE_INDEX["other"]
        type_idx = np.array([TYPE_INDEX.get(t, other) for t in c.service_type], dtype=np.int16)
        pairs = [(i, a.code, np.nan if a.latitude is None else a.latitude,
                  np.nan if a.longitude is None else a.longitude)
                 for i, areas in enumerate(c.areas_covered) if areas for a in areas]
        # authorities numbered in the order they first appear: the areas covered, then the services' own
        la_codes = [code for code in dict.fromkeys([p[1] for p in pairs] + list(c.local_authority_code)) if code]
        la_index: dict[str | None, int] = {code: i for i, code in enumerate(la_codes)}
        districts = [d for d in dict.fromkeys(c.postcode_district) if d]
        district_index: dict[str | None, int] = {d: i for i, d in enumerate(districts)}
        tie_rank = np.empty(n, dtype=np.int64)
        tie_rank[_tie_order(c)] = np.arange(n)
        pair_service = np.array([p[0] for p in pairs], dtype=np.int64)
        pair_starts, pair_owners = _segments(pair_service)
        pl_starts, pl_owners = _segments(c.pl_service)
        hh_starts, hh_owners = _segments(c.hh_service)
        hh_max = np.full(n, -1, dtype=np.int32)
        hh_sum = np.zeros(n, dtype=np.int32)
        most = c.places.astype(np.int32)
        if len(hh_owners):
            hh_max[hh_owners] = np.maximum.reduceat(c.hh_free, hh_starts)
            hh_sum[hh_owners] = np.add.reduceat(c.hh_free, hh_starts)
            approved = np.maximum.reduceat(c.hh_places, hh_starts)
            known = np.minimum.reduceat(c.hh_places, hh_starts) >= 0
            most[hh_owners[known]] = approved[known]
        lat, lon = c.latitude, c.longitude
        pair_lat = np.array([p[2] for p in pairs], dtype=np.float64)
        pair_lon = np.array([p[3] for p in pairs], dtype=np.float64)
        masks: dict[tuple[str, ...], np.uint64] = {}
        stop = np.zeros(n, dtype=bool)
        stop[list(c.stops)] = True
        pl_from_days = (c.pl_from - _EPOCH_ORDINAL).astype("datetime64[D]")
        pl_from_year = pl_from_days.astype("datetime64[Y]").astype(np.int64) + 1970
        pl_from_month = pl_from_days.astype("datetime64[M]")
        pl_from_md = ((pl_from_month.astype(np.int64) % 12 + 1) * 100
                      + (pl_from_days - pl_from_month.astype("datetime64[D]")).astype(np.int64) + 1)
        return cls(
            services=ServiceRows(c, objects), type_idx=type_idx, group_idx=GROUP_OF_TYPE[type_idx],
            sector_idx=np.array([SECTOR_POS.get(v, -1) for v in c.sector], dtype=np.int8),
            reg_idx=np.array([REG_POS.get(v, 0) for v in c.registration_status], dtype=np.int8),
            in_register=c.in_register.astype(bool, copy=False), has_urn=np.array([bool(u) for u in c.ofsted_urn], dtype=bool),
            min_age=c.min_age.astype(np.int16, copy=False), max_age=c.max_age.astype(np.int16, copy=False),
            sex_idx=np.array([SEX_POS.get(v, 0) for v in c.sexes], dtype=np.int8),
            places=c.places.astype(np.int32, copy=False),
            free=c.free_places.astype(np.int32, copy=False),
            hh_max=hh_max, hh_sum=hh_sum, most_together=most,
            caps=c.caps.astype(np.int8, copy=False).reshape(n, len(NEED_DOMAIN_CODES)),
            tags=np.array([masks[t] if t in masks else masks.setdefault(t, tag_mask(t)) for t in c.specialisms],
                          dtype=np.uint64),
            lat=lat, lon=lon, lat_r=np.radians(lat), lon_r=np.radians(lon), cos_lat=np.cos(np.radians(lat)),
            approx=c.location_approximate.astype(bool, copy=False),
            la_idx=np.array([la_index.get(v, -1) for v in c.local_authority_code], dtype=np.int32),
            district_idx=np.array([district_index.get(d, -1) for d in c.postcode_district], dtype=np.int32),
            la_codes=la_codes, districts=districts,
            pair_service=pair_service, pair_la=np.array([la_index.get(p[1], -1) for p in pairs], dtype=np.int32),
            pair_lat=pair_lat, pair_lon=pair_lon, pair_lat_r=np.radians(pair_lat), pair_lon_r=np.radians(pair_lon),
            pair_cos=np.cos(np.radians(pair_lat)),
            pair_starts=pair_starts, pair_owners=pair_owners, stop=stop, block_free=c.block_free.astype(np.int32, copy=False),
            judgement_idx=np.array([JUDGEMENT_POS[a or g or ""] for a, g in zip(c.sa_outcome, c.ofsted_grade,
                                                                               strict=True)], dtype=np.int8),
            tie_rank=tie_rank, pl_service=c.pl_service, pl_from=c.pl_from, pl_from_year=pl_from_year,
            pl_from_md=pl_from_md, pl_to=c.pl_to, pl_parts=c.pl_parts.reshape(len(c.pl_service), 6), pl_bp=c.pl_bp,
            pl_per_child=c.pl_per_child.astype(bool, copy=False), pl_starts=pl_starts, pl_owners=pl_owners,
        )

    def la_position(self, code: str) -> int:
        try:
            return self.la_codes.index(code)
        except ValueError:
            return -2  # matches nothing (-1 is "no authority")


def most_together(s: MarketService) -> int | None:
    """The most children the service may ever hold together (None: not known): the largest household's
    approved places when its households are recorded with them, else its registered places (no one home
    of a fostering service holds more than all of them together)."""
    return max(s.household_places) if s.household_places else s.places


def _tie_order(c: MarketColumns) -> np.ndarray:
    """Positions in (name casefolded, URN or "", id) order: sorted by name, then only the runs of equal
    names by URN and id (names are nearly all different: a sort of three text keys over every service
    took 70 ms at 100,000)."""
    if not c.n:
        return np.zeros(0, dtype=np.int64)
    names = np.array([name.casefold() for name in c.name])
    order: np.ndarray = np.argsort(names, kind="stable")  # code point order, as str compares
    ranked = names[order]
    same = ranked[1:] == ranked[:-1]
    if same.any():
        tied = np.zeros(c.n, dtype=bool)
        tied[1:] |= same
        tied[:-1] |= same
        slots = np.nonzero(tied)[0]  # the places the tied services hold, in name order
        them = order[slots]
        urns = np.array([c.ofsted_urn[i] or "" for i in them.tolist()])
        ids = np.array([c.id[i] for i in them.tolist()])
        order[slots] = them[np.lexsort((ids, urns, names[them]))]
    return order


def _segments(owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start of each run of equal values in a sorted array, and the value of each run."""
    if len(owner) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.concatenate(([0], np.nonzero(np.diff(owner))[0] + 1))
    return starts, owner[starts]


def miles_from(lat0: float, lon0: float, lat_r: np.ndarray, lon_r: np.ndarray, cos_lat: np.ndarray) -> np.ndarray:
    """Haversine miles from one point to many, given in radians with cos(lat) (nan where not known)."""
    p1, l1 = np.radians(lat0), np.radians(lon0)
    a = np.sin((lat_r - p1) * 0.5) ** 2 + (np.cos(p1) * cos_lat) * np.sin((lon_r - l1) * 0.5) ** 2
    miles: np.ndarray = (2 * EARTH_RADIUS_MILES) * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return miles


def within(lat0: float, lon0: float, radius_miles: float, lat_r: np.ndarray, lon_r: np.ndarray,
           cos_lat: np.ndarray) -> np.ndarray:
    """Whether each point is within ``radius_miles`` (the haversine term compared, no arcsin needed)."""
    p1, l1 = np.radians(lat0), np.radians(lon0)
    a = np.sin((lat_r - p1) * 0.5) ** 2 + (np.cos(p1) * cos_lat) * np.sin((lon_r - l1) * 0.5) ** 2
    limit = np.sin(min(np.pi / 2, radius_miles / (2 * EARTH_RADIUS_MILES))) ** 2
    inside: np.ndarray = a <= limit
    return inside


def member(codes: np.ndarray, wanted: Sequence[int], size: int) -> np.ndarray:
    """codes (indices 0..size-1, -1 for none) that are among ``wanted``, by a lookup table."""
    table = np.zeros(size + 1, dtype=bool)  # the extra last entry answers for -1
    table[[w for w in wanted if 0 <= w < size]] = True
    found: np.ndarray = table[codes]
    return found


def place_facts(m: MarketArrays, req: MatchRequest, config: MatchConfig) -> PlaceFacts:
    """Miles from the child's school or home district (or the home area's centre), in area, distant and
    inside an area to keep away from, for every service. A fostering agency with areas covered is
    measured to the nearest area it covers that is not to be avoided, and is avoided only when all are."""
    n = m.n
    home = m.la_position(config.home.la_code)
    near = {home, *(m.la_position(c) for c in config.home.bordering)}
    avoid_la = [m.la_position(c) for c in req.avoid_las]
    nla = len(m.la_codes)
    origin = req.origin
    lat0, lon0 = (origin.latitude, origin.longitude) if origin else (config.home_centre or (np.nan, np.nan))
    miles = miles_from(lat0, lon0, m.lat_r, m.lon_r, m.cos_lat)
    own_avoided = member(m.la_idx, avoid_la, nla)
    for c in req.avoid_circles:
        own_avoided |= within(c.latitude, c.longitude, c.radius_miles, m.lat_r, m.lon_r, m.cos_lat)
        if c.district in m.districts:
            own_avoided |= m.district_idx == m.districts.index(c.district)
    in_area = m.la_idx == home
    distant = ~member(m.la_idx, list(near), nla) & (m.la_idx >= 0)
    avoided = own_avoided.copy()
    via = np.full(n, -1, dtype=np.int64)
    if len(m.pair_service):
        p_avoided = member(m.pair_la, avoid_la, nla)
        for c in req.avoid_circles:
            p_avoided |= within(c.latitude, c.longitude, c.radius_miles, m.pair_lat_r, m.pair_lon_r, m.pair_cos)
        p_miles = miles_from(lat0, lon0, m.pair_lat_r, m.pair_lon_r, m.pair_cos)
        p_key = np.where(p_avoided | np.isnan(p_miles), np.inf, p_miles)
        owners = m.pair_owners
        best = np.minimum.reduceat(p_key, m.pair_starts)
        all_avoided = np.logical_and.reduceat(p_avoided, m.pair_starts)
        has_miles = np.isfinite(best)
        # which pair gave the minimum: the first pair in the segment whose key equals it
        seg = np.repeat(np.arange(len(owners)), np.diff(np.append(m.pair_starts, len(p_key))))
        hit = np.nonzero(p_key == best[seg])[0]
        first_hit = np.full(len(owners), -1, dtype=np.int64)
        first_hit[seg[hit[::-1]]] = hit[::-1]
        miles[owners] = np.where(has_miles, best, miles[owners])
        via[owners] = np.where(has_miles, first_hit, -1)
        avoided[owners] = all_avoided
        p_home = (m.pair_la == home) & ~p_avoided
        p_near = member(m.pair_la, list(near), nla) & ~p_avoided
        in_area[owners] = np.logical_or.reduceat(p_home, m.pair_starts)
        distant[owners] = ~np.logical_or.reduceat(p_near, m.pair_starts)
    if config.home.local_radius_miles > 0 and config.home_centre is not None:
        own = miles_from(config.home_centre[0], config.home_centre[1], m.lat_r, m.lon_r, m.cos_lat)
        in_area |= own <= config.home.local_radius_miles
    distant &= ~in_area
    label = origin.label if origin else config.home.la_name
    return PlaceFacts(miles=miles, via_area=via, in_area=in_area, distant=distant, avoided=avoided,
                      origin_label=label)


def weekly_estimates(m: MarketArrays, req: MatchRequest, idx: np.ndarray | None = None) -> np.ndarray:
    """The weekly estimate in pence of each service at ``idx`` (all when None) for the request (-1: no
    price list in force on the start date), as domain/pricing.estimate computes it, part by part,
    uplift by uplift; only the parts the child needs are worked out."""
    idx = np.arange(m.n) if idx is None else idx
    out = np.full(len(idx), -1, dtype=np.int64)
    if not len(m.pl_service) or not len(idx):
        return out
    start = req.start_date
    s_ord, s_md = start.toordinal(), start.month * 100 + start.day
    valid = (m.pl_from <= s_ord) & (m.pl_to >= s_ord)
    key = np.where(valid, np.arange(len(valid)), -1)
    best = np.full(m.n, -1, dtype=np.int64)
    best[m.pl_owners] = np.maximum.reduceat(key, m.pl_starts)
    rows = best[idx]
    has = rows >= 0
    rows = rows[has]
    years = np.maximum(0, start.year - m.pl_from_year[rows] - (s_md < m.pl_from_md[rows]))
    pn = req.price_needs
    cols = [(0, 1), (1, pn.one_to_one_hours), (2, pn.two_to_one_hours), (3, int(pn.education)),
            (4, int(pn.therapy)), (5, int(pn.solo))]
    cols = [(c, times) for c, times in cols if times]
    parts = m.pl_parts[rows][:, [c for c, _ in cols]]
    priced = parts >= 0
    bp = m.pl_bp[rows][:, None]
    for k in range(int(years.max()) if len(years) else 0):
        raise_now = (years > k)[:, None] & priced
        parts = np.where(raise_now, (parts * (10_000 + bp) + 5_000) // 10_000, parts)
    parts = np.where(priced, parts, 0)
    weekly = parts @ np.array([times for _, times in cols], dtype=np.int64)
    if pn.children > 1:
        weekly = np.where(m.pl_per_child[rows], weekly * pn.children, weekly)
    out[has] = weekly
    return out
