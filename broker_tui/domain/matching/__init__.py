"""Matching: which services could take this child, ranked, with the reasons, in three steps.

- types: every type the steps share (MarketService, MatchRequest, MatchConfig, RankedService, ...);
  it imports none of the steps, and they all import it, so there is no circle;
- columns: the market as columns (MarketColumns: what a store reads, no object per service) and the
  services made from them on demand (ServiceRows: a MarketService for one position, a position by id);
- arrays: the market as numpy arrays, built once per snapshot from the columns, and where each service
  is from the child's point of view (miles, in area, distant, avoided) with its weekly price estimate;
- rules (step 1, the hard constraints): the law on where a child may live, the service's registration,
  stops, vacancies, distance and areas to avoid, and any level-3 need it cannot meet. An excluded
  service carries every rule it breaks, each with its reason in words;
- scores (step 2), each 0 to 1, weighted by settings.MatchingWeights: need fit, specialist needs and
  risks covered, cost against the budget, place, quality, strategy;
- explain (step 3, for the top results only): why a result ranks where it does, and its approvals;
- engine: ``rank`` (filter, score, order) and the MatchResult it gives;
- request: a referral's values turned into a MatchRequest (never initials or a date of birth).

Pure: the market arrives as columns (or as plain MarketService dataclasses, turned into the same
columns), is turned once into numpy arrays (MarketArrays), and each referral (MatchRequest) is ranked
with array operations. The order is deterministic: score (to 6 places) descending, then name, then URN
or id.
"""

from broker_tui.domain.matching.arrays import MarketArrays
from broker_tui.domain.matching.engine import MatchResult, build_arrays, rank
from broker_tui.domain.matching.request import draft_values, request_from_referral
from broker_tui.domain.matching.rules import RULE_LABELS
from broker_tui.domain.matching.types import (
    Area,
    AvoidCircle,
    Exclusion,
    MarketService,
    MatchConfig,
    MatchRequest,
    Place,
    RankedService,
    ScoreParts,
)

__all__ = [
    "RULE_LABELS",
    "Area",
    "AvoidCircle",
    "Exclusion",
    "MarketArrays",
    "MarketService",
    "MatchConfig",
    "MatchRequest",
    "MatchResult",
    "Place",
    "RankedService",
    "ScoreParts",
    "build_arrays",
    "draft_values",
    "rank",
    "request_from_referral",
]
