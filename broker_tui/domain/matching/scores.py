"""Step 2 of matching: six scores, each 0 to 1, combined with settings.MatchingWeights.

Default weights (domain/settings.py, changeable in [matching.weights]): need fit 0.35, specialist
needs and risks 0.15, cost 0.15, place 0.15, quality 0.10, strategy 0.10. The total is the weighted
mean (the weights need not add to 1), rounded to 6 places so that equal services tie exactly and the
tie-break (name, then URN or id) decides.

need_fit    the product over need domains of (1 - penalty of the shortfall): a shortfall of one level
            costs 20%, two 45%, three 70% (three only when the child's need is 3, which is a hard
            constraint, so it never reaches a result). No shortfall: 1. Each smaller shortfall lowers it.
specialist  the share of the child's specialist needs and present risks (free text recognised as tags
            included) that the service covers; 1 when the child has none.
cost        against the weekly budget B: 1 - 0.5 x cost/B up to the budget (1 at £0, 0.5 on budget),
            then falling by 1 for each budget's worth over, to 0 at 1.5 x B. Strictly lower for a
            higher price anywhere in that band (0 to 1.5 x B). Without a budget: 2000/(2000 + cost in
            pounds). No price list in force: 0.5 (neutral).
place       exp(-miles / 25): 1 next door, 0.79 at 6 miles, 0.37 at 25, 0.05 at 75. Position not
            known: 0.3.
quality     each judgement on its own scale, never mapped onto the other: Ofsted's Outstanding 1,
            Good 0.75, Requires improvement 0.35, Inadequate 0; supported accommodation's Consistently
            strong 1, Inconsistent 0.4, Serious or widespread weaknesses 0. Not yet inspected (and the
            council's own fostering, which Ofsted does not grade separately): 0.5, neutral.
strategy    the sufficiency strategy's preferences: in-house 0.5, plus family-based (fostering) 0.3
            scaled by need fit (fostering before residential where the needs allow), plus a free unit
            of a block contract 0.2 (blocks before spot). Where the referral prefers one or more settings
            (its placement recommendation), strategy is 0.7 x that + 0.3 for a service in a preferred
            setting, so a preferred setting always scores higher on it than the same service elsewhere
            would; without a preference it is as before.
"""

from __future__ import annotations

import numpy as np

from broker_tui.domain.matching.arrays import GROUPS, JUDGEMENT_CODES, SECTOR_CODES, MarketArrays, tag_mask
from broker_tui.domain.matching.types import MatchConfig, MatchRequest, PlaceFacts
from broker_tui.domain.vocabulary import NEED_DOMAIN_CODES, SETTING_OF_GROUP

SHORTFALL_PENALTY = np.array([0.0, 0.20, 0.45, 0.70])
COST_BAND = 1.5  # the cost score reaches 0 at 1.5 x the budget
NO_BUDGET_REFERENCE_PENCE = 200_000
NO_PRICE_COST = 0.5
PLACE_SCALE_MILES = 25.0
UNKNOWN_PLACE = 0.3
QUALITY = {"outstanding": 1.0, "good": 0.75, "requires_improvement": 0.35, "inadequate": 0.0,
           "consistently_strong": 1.0, "inconsistent": 0.4, "serious_weaknesses": 0.0}
STRATEGY_IN_HOUSE, STRATEGY_FAMILY, STRATEGY_BLOCK = 0.5, 0.3, 0.2
STRATEGY_PREFERRED = 0.3  # the share of strategy a preferred setting takes, when the referral prefers one
PARTS = ("need_fit", "specialist", "cost", "place", "quality", "strategy")


def need_fit(caps: np.ndarray, req: MatchRequest) -> np.ndarray:
    wanted = [(k, req.need(d)) for k, d in enumerate(NEED_DOMAIN_CODES) if req.need(d) > 0]
    fit = np.ones(len(caps))
    for k, level in wanted:  # only the domains the child has a need in can fall short
        fit *= (1.0 - SHORTFALL_PENALTY)[np.clip(level - caps[:, k], 0, 3)]
    return fit


def specialist(tags: np.ndarray, req: MatchRequest) -> np.ndarray:
    want = tag_mask(req.tags)
    if not want:
        return np.ones(len(tags))
    share: np.ndarray = np.bitwise_count(tags & want).astype(np.float64) / float(np.bitwise_count(want))
    return share


def cost(weekly_pence: np.ndarray, budget_pence: int | None) -> np.ndarray:
    w = weekly_pence.astype(np.float64)
    if budget_pence is None:
        score = NO_BUDGET_REFERENCE_PENCE / (NO_BUDGET_REFERENCE_PENCE + w)
    else:
        r = w / max(budget_pence, 1)
        score = np.where(r <= 1.0, 1.0 - 0.5 * r, np.maximum(0.0, 0.5 - (r - 1.0) * (0.5 / (COST_BAND - 1.0))))
    return np.where(weekly_pence < 0, NO_PRICE_COST, score)


def place(miles: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(miles), UNKNOWN_PLACE, np.exp(-np.nan_to_num(miles) / PLACE_SCALE_MILES))


def quality(judgement_idx: np.ndarray, not_inspected: float) -> np.ndarray:
    table = np.array([not_inspected, *(QUALITY[c] for c in JUDGEMENT_CODES[1:])])
    by_judgement: np.ndarray = table[judgement_idx]
    return by_judgement


def strategy(sector_idx: np.ndarray, group_idx: np.ndarray, block_free: np.ndarray, fit: np.ndarray,
             preferred_settings: tuple[str, ...] = ()) -> np.ndarray:
    in_house = sector_idx == SECTOR_CODES.index("in_house")
    family = group_idx == GROUPS.index("fostering")
    fit_to_strategy: np.ndarray = (STRATEGY_IN_HOUSE * in_house + STRATEGY_FAMILY * family * fit
                                   + STRATEGY_BLOCK * (block_free > 0))
    if preferred_settings:
        preferred = np.isin(group_idx, [i for i, g in enumerate(GROUPS) if SETTING_OF_GROUP.get(g) in preferred_settings])
        fit_to_strategy = (1.0 - STRATEGY_PREFERRED) * fit_to_strategy + STRATEGY_PREFERRED * preferred
    return fit_to_strategy


def score(m: MarketArrays, idx: np.ndarray, req: MatchRequest, config: MatchConfig, geo: PlaceFacts,
          weekly: np.ndarray) -> dict[str, np.ndarray]:
    """Every part and the weighted total for the services at ``idx`` (``weekly`` is in idx's order)."""
    fit = need_fit(m.caps[idx], req)
    parts = {
        "need_fit": fit,
        "specialist": specialist(m.tags[idx], req),
        "cost": cost(weekly, req.budget_weekly_pence),
        "place": place(geo.miles[idx]),
        "quality": quality(m.judgement_idx[idx], config.not_inspected_quality),
        "strategy": strategy(m.sector_idx[idx], m.group_idx[idx], m.block_free[idx], fit, req.preferred_settings),
    }
    w = config.weights
    weights = {k: float(getattr(w, k)) for k in PARTS}
    total_w = sum(weights.values()) or float(len(PARTS))
    if not any(weights.values()):
        weights = dict.fromkeys(PARTS, 1.0)
    total = sum(weights[k] * parts[k] for k in PARTS) / total_w
    parts["total"] = np.round(np.asarray(total, dtype=np.float64), 6)
    return parts
