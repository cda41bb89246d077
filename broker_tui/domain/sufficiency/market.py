"""What the market can supply beside forecast demand, and how concentrated it is (issue 15).

Supply is counted by forecast category from the services a council can buy:
- **the council's own**: in-house foster households and their places, in-house children's homes' places, and
  the units of block contracts in force on a day (a contract's units until the day it ends);
- **the register within reach**: places of the other services in the local area, and within a distance of
  the home area's centre. Places are what Ofsted registers; they are shared with every other council, so they
  are shown beside demand, never as ours. Fostering agencies register no places: they are counted as agencies.

The gap of a category in a year is the forecast children in care less the council's own supply then
(positive: a shortfall the market must meet); the register within reach stands beside it.

Diversity, per category within reach: providers, the largest provider's share (of places, or of services
where places are not registered), the Herfindahl-Hirschman index (the sum of squared percentage shares, 0 to
10,000: above 2,500 is highly concentrated), and if the largest provider failed: its places, our children
placed with it now, and whether the vacancies known elsewhere within reach would take them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from broker_tui.domain.sufficiency.categories import ADULT_MONTHS, AGE_BANDS

MARKET_CATEGORY = {
    "fostering_in_house": "in_house_fostering",
    "fostering_ifa": "external_fostering",
    "fostering_kinship": "kinship",
    "childrens_home_in_house": "residential",
    "childrens_home_external": "residential",
    "secure_childrens_home": "residential",
    "residential_special_school": "residential",
    "supported_accommodation": "supported",
}  # anything else (parent and child, 18+, other) is "other"
PLACE_BASED = ("residential", "supported")  # categories whose register entries carry places
# the categories the council supplies or buys: kinship care and "other" (with parents, adoption, custody) are
# neither, so they have no gap against the market
SUPPLIED = ("in_house_fostering", "external_fostering", "residential", "supported")


def category_of_service(service_type: str) -> str:
    return MARKET_CATEGORY.get(service_type, "other")


@dataclass(frozen=True)
class ServiceSupply:
    service_id: uuid.UUID
    provider_id: uuid.UUID
    provider_name: str
    service_type: str
    in_house: bool
    places: int | None
    vacancies: int | None  # known free places (None: not known)
    in_area: bool
    distance_miles: float | None
    min_age: int
    max_age: int
    our_children: int = 0  # our children placed there now

    @property
    def category(self) -> str:
        return category_of_service(self.service_type)

    def within(self, miles: float | None) -> bool:
        """In the local area, or within ``miles`` of the home area's centre (None: the area only)."""
        return self.in_area or (miles is not None and self.distance_miles is not None
                                and self.distance_miles <= miles)

    def takes_band(self, band: int) -> bool:
        """Whether its age range meets the age band (index into AGE_BANDS)."""
        lower = AGE_BANDS[band][0] // 12
        upper = (AGE_BANDS[band + 1][0] // 12 - 1) if band + 1 < len(AGE_BANDS) else ADULT_MONTHS // 12 - 1
        return self.min_age <= upper and self.max_age >= lower


@dataclass(frozen=True)
class BlockSupply:
    """A block contract's units over its life: bought from ``starts_on`` to the day before ``ends_on`` (its
    latest extension), as many as the term in force on a day says."""

    category: str
    starts_on: dt.date
    ends_on: dt.date  # the first day not covered
    terms: tuple[tuple[dt.date, int], ...]  # (effective from, units), in the order they take effect

    def units_on(self, day: dt.date) -> int:
        if not self.starts_on <= day < self.ends_on:
            return 0
        units = 0
        for since, n in self.terms:
            if since <= day:
                units = n
        return units


@dataclass(frozen=True)
class FosterSupply:
    households: int
    places: int
    free_places: int


@dataclass(frozen=True)
class OwnSupply:
    """The council's own places in a category on a day."""

    in_house_places: int
    block_units: int
    scenario_places: int
    households: int = 0  # in-house fostering only

    @property
    def total(self) -> int:
        """Never below nought (a scenario may take places away)."""
        return max(0, self.in_house_places + self.block_units + self.scenario_places)


def household_places(foster: FosterSupply, households: int) -> int:
    """The places ``households`` more (or fewer, below nought) in-house foster households bring, at today's
    average a household (one a household when there are none yet)."""
    per = foster.places / foster.households if foster.households else 1.0
    return round(households * per)


def own_supply(category: str, day: dt.date, services: Sequence[ServiceSupply], foster: FosterSupply,
               blocks: Sequence[BlockSupply], extra_places: int = 0, extra_households: int = 0) -> OwnSupply:
    """In-house places (foster households' places for in-house fostering), block units in force on ``day``,
    and what a scenario adds (extra households bring the current average places a household)."""
    units = sum(b.units_on(day) for b in blocks if b.category == category)
    if category == "in_house_fostering":
        return OwnSupply(foster.places, units, extra_places + household_places(foster, extra_households),
                         foster.households + extra_households)
    places = sum(s.places or 0 for s in services if s.in_house and s.category == category)
    return OwnSupply(places, units, extra_places)


@dataclass(frozen=True)
class ReachSupply:
    """The register's services of a category: in the area, and within the distance."""

    services_in_area: int
    places_in_area: int
    services_within: int
    places_within: int
    unstated: int  # services within reach whose places are not registered


def reach_supply(category: str, services: Iterable[ServiceSupply], miles: float | None) -> ReachSupply:
    mine = [s for s in services if s.category == category and not s.in_house]
    area = [s for s in mine if s.in_area]
    near = [s for s in mine if s.within(miles)]
    return ReachSupply(len(area), sum(s.places or 0 for s in area), len(near), sum(s.places or 0 for s in near),
                       sum(1 for s in near if s.places is None))


@dataclass(frozen=True)
class GapRow:
    category: str
    day: dt.date  # the forecast month's end
    demand: float  # forecast mean
    demand_high: float  # the 80% interval's top
    own: OwnSupply
    reach: ReachSupply

    @property
    def gap(self) -> float:
        """Forecast children less the council's own places: positive, a shortfall the market must meet."""
        return self.demand - self.own.total


@dataclass(frozen=True)
class Diversity:
    category: str
    reach: str  # "local area" or "within N miles"
    providers: int
    services: int
    basis: str  # "places" or "services" (fostering agencies register no places)
    total: int  # places (or services) within reach
    largest: str  # the largest provider's name ("" when none)
    largest_share: float
    hhi: float
    displaced_places: int
    displaced_children: int
    vacancies_elsewhere: int | None  # known vacancies at the other providers within reach (None: none known)
    vacancies_known_at: int  # services whose vacancies are known
    absorbs: bool | None  # would the known vacancies elsewhere take the displaced children (None: not known)


def diversity(category: str, services: Iterable[ServiceSupply], miles: float | None) -> Diversity:
    """Concentration of a category's market within reach (the council's own services included: a
    failure of any provider displaces children)."""
    near = [s for s in services if s.category == category and s.within(miles)]
    reach = "local area" if miles is None else f"within {miles:g} miles"
    by_provider: dict[uuid.UUID, list[ServiceSupply]] = defaultdict(list)
    for s in near:
        by_provider[s.provider_id].append(s)
    use_places = category in PLACE_BASED and any(s.places for s in near)
    weight = {p: (sum(s.places or 0 for s in ss) if use_places else len(ss)) for p, ss in by_provider.items()}
    total = sum(weight.values())
    if not total:
        return Diversity(category, reach, len(by_provider), len(near), "places" if use_places else "services",
                         0, "", 0.0, 0.0, 0, 0, None, 0, None)
    shares = {p: w / total for p, w in weight.items()}
    ours = {p: sum(s.our_children for s in ss) for p, ss in by_provider.items()}
    # the largest share; between equals, the one with more of our children (its failure displaces more)
    top = max(shares, key=lambda p: (shares[p], ours[p], by_provider[p][0].provider_name))
    hhi = sum((100 * v) ** 2 for v in shares.values())
    gone = by_provider[top]
    others = [s for s in near if s.provider_id != top]
    known = [s for s in others if s.vacancies is not None]
    vacancies = sum(s.vacancies or 0 for s in known) if known else None
    children = sum(s.our_children for s in gone)
    absorbs = None if vacancies is None else vacancies >= children
    return Diversity(category, reach, len(by_provider), len(near), "places" if use_places else "services", total,
                     gone[0].provider_name, shares[top], hhi, sum(s.places or 0 for s in gone), children,
                     vacancies, len(known), absorbs)


def gap_rows(demand: dict[str, list[tuple[dt.date, float, float]]], services: Sequence[ServiceSupply],
             foster: FosterSupply, blocks: Sequence[BlockSupply], miles: float | None,
             extra: dict[str, list[tuple[dt.date, int]]] | None = None,
             extra_households: list[tuple[dt.date, int]] | None = None) -> list[GapRow]:
    """A row per category the market supplies (SUPPLIED) and forecast point: ``demand[category]`` is [(day, mean, high)]; ``extra`` gives a
    scenario's added places per category from a day, ``extra_households`` its added foster households."""
    rows: list[GapRow] = []
    for category in SUPPLIED:
        reach = reach_supply(category, services, miles)
        for day, mean, high in demand.get(category, []):
            places = sum(n for since, n in (extra or {}).get(category, []) if since <= day)
            households = sum(n for since, n in (extra_households or []) if since <= day) \
                if category == "in_house_fostering" else 0
            rows.append(GapRow(category, day, mean, high,
                               own_supply(category, day, services, foster, blocks, places, households), reach))
    return rows
