"""The ranking: filter, score and order the market for one referral (``rank``), and its MatchResult."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from broker_tui.domain.matching import explain as matching_explain
from broker_tui.domain.matching import rules as matching_rules
from broker_tui.domain.matching import scores as matching_scores
from broker_tui.domain.matching.arrays import MarketArrays, place_facts, weekly_estimates
from broker_tui.domain.matching.types import (
    Exclusion,
    Facts,
    MarketService,
    MatchConfig,
    MatchRequest,
    RankedService,
    ScoreParts,
)


class MatchResult:
    """The ranked results (the top N explained), the count of candidates, and what was excluded."""

    def __init__(self, market: MarketArrays, request: MatchRequest, config: MatchConfig, order: np.ndarray,
                 scores: dict[str, np.ndarray], ctx: Facts, broken: np.ndarray):
        self.market, self.request, self.config = market, request, config
        self._order, self._scores, self._facts, self._broken = order, scores, ctx, broken
        self.results: list[RankedService] = self.ranked(config.top_n)
        self._excluded: list[Exclusion] | None = None
        self._excluded_order: np.ndarray | None = None  # market positions of the excluded, by name

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
                pos + 1, self.market.services[i], i, float(self._scores["total"][pos]), parts,
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
        """Every excluded service with every rule it breaks (built on first use), by name. Where only a
        count or a page is needed, ``exclusion_counts``, ``excluded_positions`` and ``exclusions_at`` build
        no more than that."""
        if self._excluded is None:
            self._excluded = self.exclusions_at(self.excluded_positions())
        return self._excluded

    @property
    def excluded_total(self) -> int:
        """How many services are excluded (every one with a rule broken)."""
        return len(self.excluded_positions())

    def excluded_positions(self, keep: np.ndarray | None = None, *, sought_only: bool = False) -> np.ndarray:
        """The market positions of the excluded services, by name: only those of a type sought with
        ``sought_only``, only those ``keep`` (a boolean mask over the market) holds when given."""
        if self._excluded_order is None:
            idx = np.nonzero(self._broken)[0]
            self._excluded_order = idx[np.argsort(self.market.tie_rank[idx], kind="stable")]
        idx = self._excluded_order
        if sought_only:
            idx = idx[(self._broken[idx] & matching_rules.BIT["type_not_sought"]) == 0]
        if keep is not None:
            idx = idx[keep[idx]]
        return idx

    def exclusions_at(self, positions: Sequence[int] | np.ndarray) -> list[Exclusion]:
        """The excluded services at these market positions, each with every rule it breaks in words."""
        out = []
        for p in positions:
            i = int(p)
            s = self.market.services[i]
            out.append(Exclusion(s, *matching_rules.describe(int(self._broken[i]), s, i, self._facts,
                                                            self.request, self.config)))
        return out

    def exclusion_counts(self, positions: np.ndarray | None = None) -> list[tuple[str, int]]:
        """How many excluded services (all, or those at ``positions``, by name) break each rule, from the
        bit masks alone: a service is counted under every rule it breaks. The commonest first; on a tie,
        the rule met first going down the list by name (as counting the listed exclusions would give);
        rules none breaks left out."""
        at = self.excluded_positions() if positions is None else np.asarray(positions)
        bits = self._broken[at]
        counts = []
        for k, rule in enumerate(matching_rules.RULES):
            hit = (bits & matching_rules.BIT[rule]) != 0
            n = int(np.count_nonzero(hit))
            if n:
                counts.append((n, int(np.argmax(hit)), k, rule))
        return [(rule, n) for n, _first, _k, rule in sorted(counts, key=lambda c: (-c[0], c[1], c[2]))]

    @property
    def summary(self) -> str:
        """One line: how many results, or why there are none."""
        if self.total_candidates:
            shown = min(self.total_candidates, self.config.top_n)
            return f"{self.total_candidates} service(s) could take this child; showing the best {shown}."
        sought = self.excluded_positions(sought_only=True)
        if not len(sought):
            return "No results: there is no service of the types sought in the market."
        reasons = [(r, n) for r, n in self.exclusion_counts(sought) if r != "type_not_sought"]
        common = ", ".join(f"{matching_rules.RULE_LABELS[r]} ({n})" for r, n in reasons[:3])
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
    facts = Facts(geo=geo, pair_service=arrays.pair_service)
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
