"""The 16+ review worked out from what _load read: each block (services.review._blocks), the spot lines and
their spread, block against spot, the right block size per category, the contracts ending soon, spend by
month and each cohort's totals. The two cohorts are worked apart throughout and never summed as one."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable

import numpy as np

from broker_tui.domain.dates import add_months
from broker_tui.domain.money import round_half_up
from broker_tui.domain.purchases import Period
from broker_tui.domain.review import (
    BLOCK_BAND,
    CATEGORY_LABELS,
    COHORTS,
    SUPPORT_BAND_LABELS,
    SUPPORT_BANDS,
    ContractDays,
    block_size_curve,
    by_month,
    category_of,
    cohort_of,
    demand_by_night,
    median,
    month_cuts,
    month_starts,
    spread,
    support_band,
)
from broker_tui.services.review._blocks import nights_of, occupied_on, review_contract
from broker_tui.services.review._load import Loaded, SpotFacts, Version
from broker_tui.services.review._model import (
    CohortTotals,
    ContractReview,
    EndingContract,
    MonthSpend,
    Review,
    ReviewPeriod,
    SizeReview,
    SpotGroup,
    SpotLine,
)

COHORT_ORDER = {cohort: i for i, cohort in enumerate(COHORTS)}  # 16-17 first, as the screen and workbook show them
ASSUMPTIONS = (
    "Looked-after 16-17 year olds (supported accommodation, Ofsted-registered) and care leavers 18+ "
    "(unregulated accommodation, another budget) are counted apart and never summed as one.",
    "A night costs the weekly price in force that night / 7; each period's total is rounded to the penny once.",
    "A void is a unit-night paid for with no young person in it; the unit's status that night says why "
    "(true void, held for an incoming young person, out of use through the provider's or the council's doing).",
    "A spot agreement's weekly price and support band are those in force on its last night in the period; "
    "drafts, agreements awaiting approval, rejected or cancelled ones and amendments not approved are left out.",
    "Block against spot: a block's unit price buys core support, so it is set beside the median weekly price "
    "of spot agreements in the same cohort and category with no extra support hours.",
    "Right block size: k units paid every night at the category's average block unit price over the period, "
    "young people beyond k bought spot at the median weekly price of the category's spot agreements; prices "
    "as observed, every young person could have used a block unit, and a spot place was always there.",
    "Replacement cost: today's young people in a contract bought spot at today's median weekly price of "
    "comparable running spot agreements (a year is 365 nights).",
)


def _segments(versions: list[Version], lo: dt.date, hi: dt.date) -> Iterable[tuple[dt.date, dt.date, Version]]:
    for i, version in enumerate(versions):
        start = max(version.effective_from, lo)
        end = min(versions[i + 1].effective_from, hi) if i + 1 < len(versions) else hi
        if start < end:
            yield start, end, version


def _in_force(versions: list[Version], night: dt.date) -> Version | None:
    found = None
    for version in versions:
        if version.effective_from <= night:
            found = version
    return found


def _spot_lines(loaded: Loaded, period: Period, spend: dict[str, np.ndarray]) -> list[SpotLine]:
    lines = []
    for s in loaded.spots:
        lo = max(s.start, period.start)
        hi = period.end if s.end is None else min(s.end, period.end)
        if lo >= hi:
            continue
        facts = loaded.services[s.service_id]
        cohort = cohort_of(facts.service_type) or "supported_16_17"
        last = _in_force(s.versions, hi - dt.timedelta(days=1))
        if last is None:
            continue
        sevenths = 0
        weekly = spend[cohort]
        for start, end, version in _segments(s.versions, lo, hi):  # inside the period: no clipping
            sevenths += (end - start).days * version.weekly_pence
            weekly[(start - period.start).days] += version.weekly_pence
            weekly[(end - period.start).days] -= version.weekly_pence
        category = category_of(cohort, facts.sa_category)
        band = support_band(last.support_minutes, 0)
        lines.append(SpotLine(s.id, s.case_ref, facts.provider_name, facts.name, cohort, category,
                              CATEGORY_LABELS[category], band, SUPPORT_BAND_LABELS[band], s.start, s.end,
                              last.weekly_pence, last.support_minutes, (hi - lo).days, round_half_up(sevenths, 7)))
    return sorted(lines, key=lambda line: (COHORT_ORDER[line.cohort], line.category, line.case_ref, line.start_date))


def _groups(lines: list[SpotLine]) -> list[SpotGroup]:
    keyed: dict[tuple[str, str, str], list[SpotLine]] = defaultdict(list)
    labels: dict[tuple[str, str, str], str] = {}
    for line in lines:
        for by, key, label in (("category", line.category, line.category_label), ("band", line.band, line.band_label),
                               ("provider", line.provider_name, line.provider_name)):
            keyed[(line.cohort, by, key)].append(line)
            labels[(line.cohort, by, key)] = label
    order = {"category": 0, "band": 1, "provider": 2}
    band_order = {key: i for i, (key, _, _) in enumerate(SUPPORT_BANDS)}
    out = [SpotGroup(cohort, by, key, labels[(cohort, by, key)], spread(line.weekly_pence for line in group),
                     sum(line.paid_pence for line in group))
           for (cohort, by, key), group in keyed.items()]
    return sorted(out, key=lambda g: (COHORT_ORDER[g.cohort], order[g.by], band_order.get(g.key, 0) if g.by == "band" else 0,
                                      g.label.casefold()))


def _running_medians(spots: list[SpotFacts], loaded: Loaded, today: dt.date) -> Callable[[str, str], int | None]:
    """Today's median weekly price of running spot agreements: comparable (core only) in the cohort and
    category, else the whole category's."""
    core: dict[tuple[str, str], list[int]] = defaultdict(list)
    every: dict[tuple[str, str], list[int]] = defaultdict(list)
    for s in spots:
        if not (s.start <= today and (s.end is None or today < s.end)):
            continue
        version = _in_force(s.versions, today)
        facts = loaded.services[s.service_id]
        cohort = cohort_of(facts.service_type) or "supported_16_17"
        if version is None:
            continue
        key = (cohort, category_of(cohort, facts.sa_category))
        every[key].append(version.weekly_pence)
        if support_band(version.support_minutes, 0) == BLOCK_BAND:
            core[key].append(version.weekly_pence)

    def lookup(cohort: str, category: str) -> int | None:
        return median(core.get((cohort, category)) or every.get((cohort, category)) or [])
    return lookup


def _endings(contracts: list[ContractReview], loaded: Loaded, today: dt.date) -> list[EndingContract]:
    price_today = _running_medians(loaded.spots, loaded, today)
    states = {s.contract.id: s for s in loaded.contracts}
    out = []
    for c in contracts:
        if c.status != "active" or c.ends_on > add_months(today, 12):
            continue
        within = 3 if c.ends_on <= add_months(today, 3) else 6 if c.ends_on <= add_months(today, 6) else 12
        state = states[c.id]
        occupied = occupied_on(state, loaded.stays.get(c.id, []), today)
        spot = price_today(c.cohort, c.category)
        out.append(EndingContract(c.id, c.reference, c.name, c.cohort, c.category_label, c.ends_on, within,
                                  c.units_now, occupied, c.units_now * (c.unit_weekly_pence_now or 0), spot,
                                  None if spot is None else spot * occupied,
                                  None if spot is None else round_half_up(spot * occupied * 365, 7)))
    return sorted(out, key=lambda e: (e.ends_on, e.reference))


def _sizes(contracts: list[ContractReview], days: dict[uuid.UUID, ContractDays], lines: list[SpotLine],
           loaded: Loaded, period: Period) -> list[SizeReview]:
    groups = sorted({(c.cohort, c.category) for c in contracts} | {(s.cohort, s.category) for s in lines},
                    key=lambda g: (COHORT_ORDER[g[0]], g[1]))
    spots = {s.id: s for s in loaded.spots}
    out = []
    for cohort, category in groups:
        blocks = [c for c in contracts if (c.cohort, c.category) == (cohort, category)]
        mine = [s for s in lines if (s.cohort, s.category) == (cohort, category)]
        nights = [(stay.start, stay.end) for c in blocks for stay in loaded.stays.get(c.id, [])]
        for line in mine:
            facts = spots[line.agreement_id]
            nights.append(facts.placement or (facts.start, facts.end))
        demand = demand_by_night(period, nights)
        unit_days = sum(c.available_unit_days for c in blocks)
        sevenths = sum(int((days[c.id].available * days[c.id].price).sum()) for c in blocks)
        unit = round_half_up(sevenths, unit_days) if unit_days else None
        spot = median(line.weekly_pence for line in mine)
        actual = sum(c.paid_pence for c in blocks) + sum(line.paid_pence for line in mine)
        units_now = sum(c.units_now for c in blocks)
        note = ("" if unit is not None and spot is not None else
                "No block in this category in the period: there is no block price to model." if unit is None
                else "No spot agreement in this category in the period: there is no spot price to model.")
        curve = block_size_curve(demand, unit, spot, at_least=units_now) if not note and unit is not None \
            and spot is not None else None
        out.append(SizeReview(
            cohort, category, CATEGORY_LABELS[category], period.nights, units_now,
            int(demand.max()) if demand.size else 0, round(float(demand.mean()), 1) if demand.size else 0.0,
            unit, spot, tuple(curve.costs) if curve else (), curve.best_k if curve else None,
            curve.best_pence if curve else None, actual, actual - curve.best_pence if curve else None, note))
    return out


def compute(loaded: Loaded, period: Period, made_on: dt.date) -> Review:
    days = {s.contract.id: nights_of(s, loaded.stays.get(s.contract.id, []), period) for s in loaded.contracts}
    cuts = month_cuts(period)
    spend_spot = {cohort: np.zeros(period.nights + 1, dtype=np.int64) for cohort in COHORTS}
    lines = _spot_lines(loaded, period, spend_spot)
    comparable: dict[tuple[str, str], list[int]] = defaultdict(list)
    for line in lines:
        if line.band == BLOCK_BAND:
            comparable[(line.cohort, line.category)].append(line.weekly_pence)
    contracts = []
    for state in loaded.contracts:
        service = loaded.services.get(state.contract.service_id) if state.contract.service_id else None
        cohort = cohort_of(service.service_type if service else None) or "supported_16_17"
        prices = comparable.get((cohort, category_of(cohort, service.sa_category if service else None)), [])
        contracts.append(review_contract(state, loaded.stays.get(state.contract.id, []), days[state.contract.id],
                                         period, made_on, service,
                                         service.provider_name if service else "",
                                         loaded.qa_contract.get(state.contract.id), (median(prices), len(prices)), cuts))
    contracts = [c for c in contracts if c.available_unit_days or c.status == "active" or c.placements]
    contracts.sort(key=lambda c: (COHORT_ORDER[c.cohort], c.reference))
    months = month_starts(period)
    spend = []
    for cohort in COHORTS:
        block = np.zeros(period.nights, dtype=np.int64)
        for c in contracts:
            if c.cohort == cohort:
                block += days[c.id].available * days[c.id].price
        spot = np.cumsum(spend_spot[cohort])[:-1]
        spend += [MonthSpend(m, cohort, round_half_up(b, 7), round_half_up(s, 7)) for m, b, s in zip(
            months, by_month(period, block, cuts), by_month(period, spot, cuts), strict=True)]
    totals = tuple(CohortTotals(
        cohort, label, sum(1 for c in contracts if c.cohort == cohort),
        sum(c.units_now for c in contracts if c.cohort == cohort),
        sum(c.available_unit_days for c in contracts if c.cohort == cohort),
        sum(c.occupied_unit_days for c in contracts if c.cohort == cohort),
        sum(c.void_cost_pence for c in contracts if c.cohort == cohort),
        sum(c.paid_pence for c in contracts if c.cohort == cohort),
        sum(1 for s in lines if s.cohort == cohort), sum(s.paid_pence for s in lines if s.cohort == cohort))
        for cohort, label in COHORTS.items())
    return Review(ReviewPeriod(period.start, period.end - dt.timedelta(days=1)), made_on, dict(COHORTS), totals,
                  tuple(contracts), tuple(lines), tuple(_groups(lines)),
                  tuple(_sizes(contracts, days, lines, loaded, period)), tuple(_endings(contracts, loaded, made_on)),
                  tuple(spend), ASSUMPTIONS)
