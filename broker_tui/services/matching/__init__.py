"""Matching, as use cases: which services could take this child, ranked, and Find placements.

- _market: the market snapshot read once (cached on the AppContext under the market's version), the
  request built from a referral, the ranking and its JSON report (``match_referral``);
- _search: Find placements: the filters laid over a referral's profile, the ranking, the free text that
  narrows it, what has been sent already, and reading ahead (``warm_up``).

The engine itself (rules, scores, explanations) is pure and lives in domain.matching.
Import from this package, never from its private modules.
"""

from __future__ import annotations

from broker_tui.services.memory import collector_paused

# The first import of the matching stack (SQLAlchemy, SQLModel and the market's tables, numpy, the engine)
# makes a few hundred thousand objects, all to last: the collector is kept out of it, and they are then moved
# out of its later walks (services.memory; a demo `match --json` spent 120 ms in collections).
with collector_paused(made_to_last=True):
    from broker_tui.services.matching._market import (
        LoadedMarket,
        config_for,
        load_market,
        load_market_unsaved,
        match_referral,
        match_referral_json,
        result_to_json,
    )
    from broker_tui.services.matching._search import (
        EXCLUDED_PAGE,
        ExcludedView,
        Filters,
        Narrowed,
        Prepared,
        filters_of,
        narrow,
        prepare,
        rank_for,
        warm_text,
        warm_up,
    )
    from broker_tui.services.referrals import ReferralInvalid

__all__ = [
    "EXCLUDED_PAGE",
    "ExcludedView",
    "Filters",
    "LoadedMarket",
    "Narrowed",
    "Prepared",
    "ReferralInvalid",
    "config_for",
    "filters_of",
    "load_market",
    "load_market_unsaved",
    "match_referral",
    "match_referral_json",
    "narrow",
    "prepare",
    "rank_for",
    "result_to_json",
    "warm_text",
    "warm_up",
]
