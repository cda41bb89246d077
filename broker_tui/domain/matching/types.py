"""The types of matching, in one module that every step imports (and that imports none of them).

The market arrives as MarketService rows; a referral as a MatchRequest; MatchConfig holds the council's
settings. Ranking gives RankedService results (with ScoreParts) and Exclusion records. PlaceFacts and
Facts carry what the array work found for every service, kept for the explanations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from broker_tui.domain.pricing import PriceEstimate, PriceNeeds, PriceParts
from broker_tui.domain.settings import HomeArea, MatchingWeights
from broker_tui.domain.vocabulary import NEED_DOMAIN_CODES, SERVICE_TYPE_BY_CODE

NOT_INSPECTED_QUALITY = 0.5  # the quality score of a service not yet inspected: neutral (see scores)


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
    registration_status: str = "not_registered"  # vocabulary.REGISTRATION_STATUSES: never registered by default
    in_register: bool = True  # False once gone from Ofsted's register
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
    places: int | None = None  # registered places (a fostering service: all its households' approved places)
    free_places: int | None = None  # None: not known
    household_free_places: tuple[int, ...] = ()  # fostering: free places of each household
    household_places: tuple[int, ...] = ()  # fostering: approved places of each household (empty: not known)
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
    # The placement recommendation (vocabulary.SETTINGS): settings the child must not be placed in, and the
    # ones preferred. A setting in neither is suitable (or not said).
    unsuitable_settings: tuple[str, ...] = ()
    preferred_settings: tuple[str, ...] = ()

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
    not_inspected_quality: float = NOT_INSPECTED_QUALITY
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


@dataclass
class PlaceFacts:
    miles: np.ndarray  # nan: not known
    via_area: np.ndarray  # index into pair arrays of the area measured to; -1: the service's own position
    in_area: np.ndarray
    distant: np.ndarray
    avoided: np.ndarray
    origin_label: str


@dataclass
class Facts:
    """What the ranking worked out for every service, kept for the explanations."""

    geo: PlaceFacts
    pair_service: np.ndarray  # MarketArrays.pair_service: which service each (service, area) pair is of
