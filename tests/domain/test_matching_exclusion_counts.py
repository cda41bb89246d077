"""What was excluded, counted and paged from the rule bit masks (issue 14): the counts by rule, the pages
of exclusions and the no-results summary are exactly what building every Exclusion and counting it gives,
over generated markets (hypothesis), with and without show-full."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from broker_tui.domain.matching import (
    RULE_LABELS,
    MarketService,
    MatchConfig,
    MatchRequest,
    MatchResult,
    rank,
)
from tests.domain import matching_cases as mc
from tests.domain.test_matching_properties import PROPS, markets, requests


def old_summary(result: MatchResult) -> str:
    """The no-results line as it was made before: from every Exclusion built and counted."""
    sought = [e for e in result.excluded if e.service.service_type in result.request.types_sought]
    if not sought:
        return "No results: there is no service of the types sought in the market."
    reasons = Counter(r for e in sought for r in e.rules if r != "type_not_sought")
    common = ", ".join(f"{RULE_LABELS[r]} ({n})" for r, n in reasons.most_common(3))
    which = "the one service" if len(sought) == 1 else f"all {len(sought)} services"
    return f"No results: {which} of the types sought excluded; most often because {common}."


@PROPS
@given(markets, requests, st.booleans(), st.integers(1, 5))
def test_counts_and_pages_are_what_every_exclusion_gives(market: list[MarketService], req: MatchRequest,
                                                          show_full: bool, page: int) -> None:
    config = MatchConfig(home_centre=mc.home_centre(), top_n=50, show_full=show_full)
    everything = rank(market, req, config).excluded  # built whole, as before
    result = rank(market, req, config)  # a fresh result: nothing built yet
    counted = Counter(r for e in everything for r in e.rules)
    assert result.exclusion_counts() == counted.most_common()
    assert result.excluded_total == len(everything)
    positions = result.excluded_positions()
    pages = [e for start in range(0, len(positions), page) for e in result.exclusions_at(positions[start:start + page])]
    assert pages == everything
    sought = result.excluded_positions(sought_only=True)
    of_type = [e for e in everything if e.service.service_type in req.types_sought]
    assert result.exclusions_at(sought) == of_type
    assert result.exclusion_counts(sought) == Counter(r for e in of_type for r in e.rules).most_common()
    if not result.total_candidates:
        assert result.summary == old_summary(result)


def test_the_worked_cases_no_results_summary_is_unchanged() -> None:
    config = MatchConfig(home_centre=mc.home_centre())
    market = mc.market_services()
    checked = 0
    for types in (("secure_childrens_home",), ("supported_accommodation",), ("fostering_ifa",), ("other",)):
        for age in (10, 15, 17):
            result = rank(market, MatchRequest(age_years=age, types_sought=types, start_date=mc.TODAY), config)
            if not result.total_candidates:
                assert result.summary == old_summary(result), (types, age)
                checked += 1
    assert checked >= 3
