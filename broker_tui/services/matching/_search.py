"""Find placements, as a use case: the filters laid over a referral's profile, the ranking, the free text
that narrows it, and what has been sent already.

The screen holds a Filters value; ``rank_for`` ranks the market snapshot (services.matching) for it, and
``narrow`` keeps the ranked services whose words match the free text (services.market_search: the same
typo-tolerant index as the directory), keeping each its overall rank. Text never re-ranks: a keystroke
costs an index look-up and a mask over the ranking already made, not a new ranking.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from broker_tui.domain.matching import (
    RULE_LABELS,
    Exclusion,
    MarketArrays,
    MatchResult,
    RankedService,
    rank,
    request_from_referral,
)
from broker_tui.services.context import AppContext
from broker_tui.services.matching._market import LoadedMarket, config_for, load_market
from broker_tui.services.referrals import ReferralView

if TYPE_CHECKING:
    from broker_tui.domain.search.index import SearchIndex

TOP_N = 50  # results explained and shown
EXCLUDED_PAGE = 100  # excluded services described at a time (the excluded view pages)


MIN_TYPED = 2  # letters of a word being typed before it narrows the results


@dataclass(frozen=True)
class Filters:
    types: tuple[str, ...] = ()
    age: int | None = None
    max_miles: int | None = None
    budget_pence: int | None = None
    show_full: bool = False
    text: str = ""  # free text: names, owners, towns, authorities, specialisms (typos tolerated)

    def ranking(self) -> Filters:
        """The part of the filters that changes the ranking (the text only narrows it)."""
        return Filters(self.types, self.age, self.max_miles, self.budget_pence, self.show_full)


def filters_of(view: ReferralView | None) -> Filters:
    """A referral's own profile as filters (an ad hoc search starts from nothing)."""
    if view is None:
        return Filters()
    v = view.values
    return Filters(types=tuple(v.get("types_sought") or ()), age=view.age_years,
                   max_miles=v.get("max_distance_miles"), budget_pence=v.get("budget_weekly_pence"))


def rank_for(ctx: AppContext, market: LoadedMarket, view: ReferralView | None, f: Filters) -> MatchResult:
    """The referral's request with the filters laid over it, ranked (the text is not applied here)."""
    values: dict[str, Any] = dict(view.values) if view is not None else {}
    values.update(types_sought=list(f.types), max_distance_miles=f.max_miles, budget_weekly_pence=f.budget_pence)
    same_age = view is not None and f.age == view.age_years
    request = request_from_referral(values, age_years=f.age or 0,
                                    eighteenth_birthday=view.eighteenth_birthday if same_age and view else None,
                                    today=ctx.today(), district=market.district)
    return rank(market.arrays, request, config_for(ctx, market, top_n=TOP_N, show_full=f.show_full))


@dataclass(frozen=True)
class Prepared:
    """A referral's ranking worked out ahead (the referral screen does it in a worker when it opens)."""

    referral: ReferralView
    market: LoadedMarket
    result: MatchResult | None


def prepare(ctx: AppContext, view: ReferralView) -> Prepared:
    """Read (or reuse) the market snapshot and rank it for the referral's own profile (call from a worker).
    Not the free-text index: the ranking needs none, and building it beside the first ranking held the
    interpreter from it (at 100,000 services five seconds of work); the screen asks for it (``warm_text``)
    once its first ranking is on screen."""
    market = load_market(ctx)
    f = filters_of(view)
    result = rank_for(ctx, market, view, f) if f.types and f.age is not None else None
    return Prepared(view, market, result)


@dataclass(frozen=True)
class Narrowed:
    """What the screen shows for the current filters: the ranked services the text keeps (all of them
    without text), the best TOP_N explained, and how many there are."""

    result: MatchResult
    text: str
    results: list[RankedService]
    count: int
    keep: np.ndarray | None = field(default=None, repr=False, compare=False)  # the text's mask (None: no text)

    @property
    def summary(self) -> str:
        if not self.text:
            return self.result.summary
        if not self.count:
            return (f"None of the {self.result.total_candidates} service(s) that could take this child matches "
                    f"“{self.text}”.")
        shown = min(self.count, TOP_N)
        return (f"{self.count} of the {self.result.total_candidates} service(s) that could take this child match "
                f"“{self.text}”; showing the best {shown}.")

    def excluded(self) -> list[Exclusion]:
        """Every excluded service of the types sought (those the text matches, when there is text), by name."""
        return self.excluded_view().page(0, None)

    def excluded_view(self) -> ExcludedView:
        """The excluded services of the types sought (those the text matches), counted by reason, to be
        described a page at a time."""
        result = self.result
        positions = result.excluded_positions(self.keep, sought_only=True)
        by_reason = tuple((rule, RULE_LABELS[rule], n) for rule, n in result.exclusion_counts(positions))
        first = tuple(result.exclusions_at(positions[:EXCLUDED_PAGE]))  # described here, in the worker
        return ExcludedView(result, positions, by_reason, result.excluded_total - len(positions), first)


@dataclass(frozen=True)
class ExcludedView:
    """Excluded services by name (their market positions), counted by reason (a service under each rule
    it breaks), each described with every reason only when its page is asked for."""

    result: MatchResult = field(repr=False)
    positions: np.ndarray = field(repr=False)
    by_reason: tuple[tuple[str, str, int], ...]  # rule, words, how many break it
    others: int  # the excluded services left out of positions (of other types, or not matching the text)
    first: tuple[Exclusion, ...] = field(repr=False)  # the first page (EXCLUDED_PAGE), described

    @property
    def count(self) -> int:
        return len(self.positions)

    def page(self, start: int, size: int | None = EXCLUDED_PAGE) -> list[Exclusion]:
        """The excluded services from ``start`` (0-based, by name), ``size`` of them (None: all the rest)."""
        if start == 0 and size == EXCLUDED_PAGE:
            return list(self.first)
        stop = None if size is None else start + size
        return self.result.exclusions_at(self.positions[start:stop])


def text_mask(ctx: AppContext, market: LoadedMarket, text: str) -> np.ndarray | None:
    """The market positions whose words hold every word of the text (typos tolerated; the last word may
    be still being typed); None when there is no text. The index is trusted as built (no version query
    per keystroke): the market snapshot's own check covers it."""
    words = text.split()
    typing = bool(text) and not text[-1].isspace()
    if typing and words and len(words[-1]) < MIN_TYPED:
        words.pop()  # a word just begun narrows nothing yet (rather than everything away)
        typing = False
    if not words:
        return None
    from broker_tui.services.market import market_index  # (loaded by the warm-up: `match` never needs it)

    index, _gone = market_index(ctx, check=False)
    positions = _market_positions(index, market)  # by the index's slot: the market position, or -1
    matched = index.match_mask(" ".join(words) + ("" if typing else " "))
    slots = np.nonzero(matched[: len(positions)])[0]
    at = positions[slots]
    keep = np.zeros(market.arrays.n, dtype=bool)
    keep[at[at >= 0]] = True
    return keep


@dataclass
class _Positions:
    """The map from the text index's slots to the market's positions, for one index and one snapshot."""

    index: SearchIndex[uuid.UUID] | None = None
    arrays: MarketArrays | None = None
    positions: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))


_positions_cache = _Positions()


def _market_positions(index: SearchIndex[uuid.UUID], market: LoadedMarket) -> np.ndarray:
    """The market position of each of the index's documents (-1: not in the market snapshot), worked out
    once per pair of index and snapshot."""
    cached = _positions_cache
    if cached.index is index and cached.arrays is market.arrays:
        return cached.positions
    where = market.arrays.position_of
    positions = np.fromiter((where.get(str(i), -1) if i is not None else -1 for i in index.slot_ids()),
                            dtype=np.int64)
    cached.index, cached.arrays, cached.positions = index, market.arrays, positions
    return positions


def narrow(ctx: AppContext, market: LoadedMarket, result: MatchResult, text: str) -> Narrowed:
    """The ranking narrowed to the services the free text matches (all of them when there is no text)."""
    keep = text_mask(ctx, market, text)
    if keep is None:
        return Narrowed(result, "", result.results, result.total_candidates)
    shown, count = result.ranked_within(keep, TOP_N)
    return Narrowed(result, " ".join(text.split()), shown, count, keep)


def warm_up(ctx: AppContext) -> None:
    """Read the market snapshot and build the free-text index ahead of the first search (from a worker)."""
    load_market(ctx)
    warm_text(ctx)


def warm_text(ctx: AppContext) -> None:
    """Build the free-text index that narrows a ranking, if it is not built (from a worker). It is the
    directory's (services.market: imported here, on first use, not with matching, which `match` imports
    for its ranking alone)."""
    from broker_tui.services.market import warm_up_search

    warm_up_search(ctx)
