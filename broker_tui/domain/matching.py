"""Matching: which services could take this child, ranked, with the reasons, in three steps.

1. Hard constraints (domain/matching_rules.py): the law on where a child may live, the service's
   registration, stops, vacancies, distance and areas to avoid, and any level-3 need it cannot meet.
   An excluded service carries every rule it breaks, each with its reason in words.
2. Scores (domain/matching_scores.py), each 0 to 1, weighted by settings.MatchingWeights:
   need fit, specialist needs and risks covered, cost against the budget, place, quality, strategy.
3. Explanation and approvals (domain/matching_explain.py), for the top results only.

Pure: the market arrives as plain dataclasses (MarketService), is turned once into numpy arrays
(MarketArrays, domain/matching_arrays.py), and each referral (MatchRequest) is ranked with array
operations. The order is deterministic: score (to 6 places) descending, then name, then URN or id.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from broker_tui.domain import matching_explain, matching_rules, matching_scores
from broker_tui.domain.matching_arrays import MarketArrays, place_facts, weekly_estimates
from broker_tui.domain.pricing import PriceEstimate, PriceNeeds, PriceParts, estimate
from broker_tui.domain.settings import HomeArea, MatchingWeights
from broker_tui.domain.vocabulary import NEED_DOMAIN_CODES, SERVICE_TYPE_BY_CODE


@dataclass(frozen=True)
class Area:
    """A local authority a fostering agency's carers live in, placed at its centroid."""

    code: str
    name: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class MarketService:
    """Everything matching needs to know about one service."""

    id: str
    name: str
    service_type: str  # vocabulary.SERVICE_TYPES code
    sector: str  # vocabulary.SECTORS code
    provider: str = ""
    ofsted_urn: str | None = None
    registration_status: str = "active"  # vocabulary.REGISTRATION_STATUSES
    in_register: bool = True
    ofsted_grade: str | None = None  # its judgement, on the Ofsted scale ...
    sa_outcome: str | None = None  # ... or on the supported accommodation scale
    sa_category: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    location_approximate: bool = False
    postcode_district: str | None = None
    local_authority_code: str | None = None
    local_authority_name: str | None = None
    areas_covered: tuple[Area, ...] = ()
    min_age: int = 0
    max_age: int = 17
    sexes: str = "mixed"  # mixed | female | male
    places: int | None = None
    free_places: int | None = None  # None: not known
    household_free_places: tuple[int, ...] = ()  # fostering: free places of each household
    capabilities: Mapping[str, int] = field(default_factory=lambda: dict.fromkeys(NEED_DOMAIN_CODES, 1))
    specialisms: tuple[str, ...] = ()
    purchasing_route: str = "spot"
    stop_in_force: bool = False
    stop_reason: str = ""
    stop_since: dt.date | None = None
    free_block_units: int = 0
    prices: tuple[PriceParts, ...] = ()

    @property
    def group(self) -> str:
        stype = SERVICE_TYPE_BY_CODE.get(self.service_type)
        return stype.group if stype else "other"

    @property
    def type_label(self) -> str:
        stype = SERVICE_TYPE_BY_CODE.get(self.service_type)
        return stype.short if stype else self.service_type


@dataclass(frozen=True)
class Place:
    """Where distances are measured from."""

    label: str  # "LE2", "Leicester"
    latitude: float
    longitude: float
    kind: str = "home"  # home | school | council


@dataclass(frozen=True)
class AvoidCircle:
    """Keep away from a postcode district (radius 0: the district itself)."""

    district: str
    latitude: float
    longitude: float
    radius_miles: int = 0


@dataclass(frozen=True)
class MatchRequest:
    """What matching needs of a referral (no initials, no date of birth)."""

    age_years: int  # at the needed-by date
    types_sought: tuple[str, ...]
    start_date: dt.date
    case_ref: str = ""
    sibling_ages: tuple[int, ...] = ()  # the brothers and sisters to be placed with the child
    sex: str | None = None  # female | male | None (not matched on)
    needs: Mapping[str, int] = field(default_factory=dict)  # domain -> 0..3; missing domains are 0
    risks: tuple[str, ...] = ()  # tags of the risks present
    specialist_needs: tuple[str, ...] = ()
    free_text_needs: tuple[str, ...] = ()
    free_text_tags: tuple[str, ...] = ()  # tags the free text was recognised as (vocabulary.TAGS)
    origin: Place | None = None  # school or home district; the home area's centre when None
    within_home_area: bool = False
    max_distance_miles: int | None = None
    avoid_las: tuple[str, ...] = ()
    avoid_circles: tuple[AvoidCircle, ...] = ()
    sibling_group_size: int = 1
    siblings_together: bool = True
    section25_order: bool = False
    dol_order: bool = False
    price_needs: PriceNeeds = field(default_factory=PriceNeeds)
    budget_weekly_pence: int | None = None
    end_date: dt.date | None = None
    end_is_18th: bool = False
    year_group: int | None = None

    def need(self, domain: str) -> int:
        return int(self.needs.get(domain, 0))

    @property
    def ages(self) -> tuple[int, ...]:
        return (self.age_years, *self.sibling_ages)

    @property
    def tags(self) -> tuple[str, ...]:
        """Every specialist need and present risk, each once, in the order given."""
        return tuple(dict.fromkeys((*self.specialist_needs, *self.risks, *self.free_text_tags)))


@dataclass(frozen=True)
class MatchConfig:
    home: HomeArea = field(default_factory=HomeArea)
    home_centre: tuple[float, float] | None = None  # the home authority's centroid
    weights: MatchingWeights = field(default_factory=MatchingWeights)
    top_n: int = 20
    show_full: bool = False  # keep full services among the results, marked
    not_inspected_quality: float = matching_scores.NOT_INSPECTED_QUALITY
    high_cost_threshold_pence: int = 750_000


@dataclass(frozen=True)
class ScoreParts:
    need_fit: float
    specialist: float
    cost: float
    place: float
    quality: float
    strategy: float


@dataclass(frozen=True)
class RankedService:
    rank: int
    service: MarketService
    score: float
    parts: ScoreParts
    estimate: PriceEstimate | None
    miles: float | None
    measured_to: str  # what the miles were measured to: the service's district, or an area covered
    approximate: bool  # the service's position is its authority's centre
    in_area: bool
    distant: bool
    host_council: str
    full: bool
    judgement: str
    judgement_scale: str  # ofsted | supported_accommodation | council
    covered: tuple[str, ...]
    not_covered: tuple[str, ...]
    shortfalls: Mapping[str, int]
    explanation: str
    approvals: tuple[str, ...]


@dataclass(frozen=True)
class Exclusion:
    service: MarketService
    rules: tuple[str, ...]
    reasons: tuple[str, ...]


class MatchResult:
    """The ranked results (the top N explained), the count of candidates, and what was excluded."""

    def __init__(self, market: MarketArrays, request: MatchRequest, config: MatchConfig, order: np.ndarray,
                 scores: dict[str, np.ndarray], ctx: matching_explain.Facts, broken: np.ndarray):
        self.market, self.request, self.config = market, request, config
        self._order, self._scores, self._facts, self._broken = order, scores, ctx, broken
        self.results: list[RankedService] = self.ranked(config.top_n)
        self._excluded: list[Exclusion] | None = None

    @property
    def ranked_from(self) -> str:
        """Where the miles were measured from: the school or home district, or the home area."""
        o = self.request.origin
        return f"{o.label} ({o.kind})" if o else f"{self.config.home.la_name} (the home area's centre)"

    @property
    def total_candidates(self) -> int:
        return len(self._order)

    def ranked(self, limit: int | None = None, start: int = 0) -> list[RankedService]:
        """Ranked services from ``start`` (0-based), explained; all of them when limit is None."""
        stop = len(self._order) if limit is None else min(len(self._order), start + limit)
        out = []
        for pos in range(start, stop):
            i = int(self._order[pos])
            parts = ScoreParts(**{k: round(float(v[pos]), 4) for k, v in self._scores.items() if k != "total"})
            out.append(matching_explain.ranked_service(
                RankedService, pos + 1, self.market.services[i], i, float(self._scores["total"][pos]), parts,
                self._facts, self.request, self.config))
        return out

    def ranked_within(self, keep: np.ndarray, limit: int | None = None) -> tuple[list[RankedService], int]:
        """The ranked services whose market position ``keep`` (a boolean mask over the market) holds,
        in rank order and keeping their overall rank, explained up to ``limit``; and how many there are."""
        positions = np.nonzero(keep[self._order])[0]
        shown = positions if limit is None else positions[:limit]
        out = []
        for pos in shown:
            out.extend(self.ranked(1, int(pos)))
        return out, len(positions)

    @property
    def excluded(self) -> list[Exclusion]:
        """Every excluded service with every rule it breaks (built on first use), by name."""
        if self._excluded is None:
            idx = np.nonzero(self._broken)[0]
            idx = idx[np.argsort(self.market.tie_rank[idx], kind="stable")]
            self._excluded = [Exclusion(self.market.services[i], *matching_rules.describe(
                int(self._broken[i]), self.market.services[i], i, self._facts, self.request, self.config))
                for i in idx]
        return self._excluded

    @property
    def summary(self) -> str:
        """One line: how many results, or why there are none."""
        if self.total_candidates:
            shown = min(self.total_candidates, self.config.top_n)
            return f"{self.total_candidates} service(s) could take this child; showing the best {shown}."
        sought = [e for e in self.excluded if e.service.service_type in self.request.types_sought]
        if not sought:
            return "No results: there is no service of the types sought in the market."
        reasons = Counter(r for e in sought for r in e.rules if r != "type_not_sought")
        common = ", ".join(f"{matching_rules.RULE_LABELS[r]} ({n})" for r, n in reasons.most_common(3))
        which = "the one service" if len(sought) == 1 else f"all {len(sought)} services"
        return f"No results: {which} of the types sought excluded; most often because {common}."


def build_arrays(services: Sequence[MarketService]) -> MarketArrays:
    """The market as arrays: build once per market snapshot, rank many referrals against it."""
    return MarketArrays.build(services)


def rank(market: MarketArrays | Sequence[MarketService], request: MatchRequest,
         config: MatchConfig | None = None) -> MatchResult:
    """Filter, score and order the market for one referral."""
    config = config or MatchConfig()
    arrays = market if isinstance(market, MarketArrays) else MarketArrays.build(market)
    geo = place_facts(arrays, request, config)
    facts = matching_explain.Facts(geo=geo, pair_service=arrays.pair_service)
    broken = matching_rules.broken_rules(arrays, request, config, geo)
    keep = broken == 0
    if config.show_full:
        keep |= broken == matching_rules.BIT["full"]
    idx = np.nonzero(keep)[0]
    scores = matching_scores.score(arrays, idx, request, config, geo, weekly_estimates(arrays, request, idx))
    order_in_idx = np.lexsort((arrays.tie_rank[idx], -scores["total"]))
    order = idx[order_in_idx]
    scores = {k: v[order_in_idx] for k, v in scores.items()}
    return MatchResult(arrays, request, config, order, scores, facts, broken)


def estimate_for(service: MarketService, request: MatchRequest) -> PriceEstimate | None:
    """The price estimate of one service for the request (the same figures the ranking used)."""
    return estimate(sorted(service.prices, key=lambda p: p.valid_from), request.price_needs, request.start_date,
                    end=request.end_date, end_is_18th=request.end_is_18th, budget_weekly_pence=request.budget_weekly_pence)
