"""The 16+ review's arithmetic, pure: a block's nights (utilisation, voids by unit status and their cost,
effective cost per occupied week) against hand-worked answers and against domain.purchases.block_usage on
random contracts; the spread of prices; the right block size against a hand-worked curve and brute force."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from broker_tui.domain.purchases import BlockContract, BlockTerm, Period, Placement, block_usage
from broker_tui.domain.review import (
    VOID_KINDS,
    HeldSpan,
    StatusFrom,
    Stay,
    block_size_curve,
    by_month,
    contract_days,
    demand_by_night,
    month_starts,
    spread,
    support_band,
)

D = dt.date
Q1 = Period(D(2026, 1, 1), D(2026, 4, 1))  # 90 nights: 31 + 28 + 31


def _fixture():
    """Starts mid-period (15/01), uplift from 01/02, runs past the period; u1 filled before the contract
    starts until 10/02 and from 01/03 on, held from 20/02; u2 empty all period, out of use (provider) 10/03."""
    spans = [HeldSpan(D(2026, 1, 15), D(2026, 2, 1), 2, 70_000, ("u1", "u2")),
             HeldSpan(D(2026, 2, 1), D(2026, 5, 1), 2, 72_450, ("u1", "u2"))]
    stays = [Stay("u1", D(2025, 12, 20), D(2026, 2, 10)), Stay("u1", D(2026, 3, 1), None)]
    statuses = [StatusFrom("u1", D(2026, 2, 20), "held"), StatusFrom("u2", D(2026, 3, 10), "out_of_use_provider")]
    return contract_days(Q1, spans, stays, statuses)


def test_a_block_part_of_the_period_with_an_uplift_matches_the_hand_worked_answers() -> None:
    days = _fixture()
    assert (days.available_unit_days, days.occupied_unit_days, days.void_unit_days) == (152, 57, 95)
    assert {k: days.void_days(k) for k in VOID_KINDS} == {
        "available": 64, "held": 9, "out_of_use_provider": 22, "out_of_use_council": 0}
    assert {k: days.void_cost(k).pence for k in VOID_KINDS} == {
        "available": 656_450, "held": 93_150, "out_of_use_provider": 227_700, "out_of_use_council": 0}
    assert days.paid().pence == 1_561_300 and days.paid().sevenths == 10_929_100
    assert days.void_cost_total().pence == 977_300
    assert by_month(Q1, days.occupied) == [17, 9, 31] and by_month(Q1, days.available) == [34, 56, 62]
    assert month_starts(Q1) == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]


def test_the_arrays_agree_with_block_usage_on_the_same_contract() -> None:
    contract = BlockContract(D(2026, 1, 15), D(2026, 5, 1), (BlockTerm(D(2026, 1, 15), frozenset({"u1", "u2"}), 70_000),
                                                            BlockTerm(D(2026, 2, 1), frozenset({"u1", "u2"}), 72_450)))
    usage = block_usage(contract, [Placement("A", D(2025, 12, 20), D(2026, 2, 10), "u1"),
                                   Placement("B", D(2026, 3, 1), None, "u1")], Q1)
    days = _fixture()
    assert (usage.available_unit_days, usage.occupied_unit_days, usage.paid.pence, usage.void.pence) == (
        days.available_unit_days, days.occupied_unit_days, days.paid().pence, days.void_cost_total().pence)
    assert usage.cost_per_occupied_week_pence == 191_739


def test_a_unit_paid_for_but_never_listed_is_a_true_void_and_part_months_count_their_own_nights() -> None:
    period = Period(D(2026, 1, 20), D(2026, 2, 10))  # 12 nights of January, 9 of February
    days = contract_days(period, [HeldSpan(D(2026, 1, 1), D(2027, 1, 1), 3, 70_000, ("u1",))],
                         [Stay("u1", D(2026, 1, 1), None)], [])
    assert (days.available_unit_days, days.occupied_unit_days, days.void_days("available")) == (63, 21, 42)
    assert by_month(period, days.occupied) == [12, 9]
    assert month_starts(period) == [D(2026, 1, 20), D(2026, 2, 1)]
    assert days.void_cost("available").pence == 420_000  # 42 nights x £700 / 7


def test_an_empty_period_has_no_nights_and_nothing_to_divide() -> None:
    period = Period(D(2026, 1, 1), D(2026, 1, 1))
    days = contract_days(period, [HeldSpan(D(2025, 1, 1), D(2027, 1, 1), 2, 70_000, ("u1", "u2"))], [], [])
    assert days.available_unit_days == 0 and month_starts(period) == [] and by_month(period, days.available) == []


# ------------------------------------------------------------------------------------------------ properties

@st.composite
def contracts(draw):
    """A random contract of up to 4 listed units over up to 3 spans, with stays never sharing a unit-night,
    statuses, and a period that may start before or end after it."""
    base = D(2026, 1, 1)
    cuts = sorted(draw(st.sets(st.integers(1, 119), min_size=1, max_size=3)))
    edges = [0, *cuts, 120]
    units = ("u0", "u1", "u2", "u3")
    spans = []
    for lo, hi in zip(edges, edges[1:], strict=False):
        held = tuple(u for u in units if draw(st.booleans()))
        spans.append(HeldSpan(base + dt.timedelta(lo), base + dt.timedelta(hi), len(held) + draw(st.integers(0, 2)),
                              draw(st.integers(0, 200_000)), held))
    stays, statuses = [], []
    for unit in units:
        points = sorted(draw(st.sets(st.integers(-10, 130), max_size=6)))
        for a, b in zip(points[::2], points[1::2], strict=False):
            stays.append(Stay(unit, base + dt.timedelta(a), base + dt.timedelta(b)))
        for day in draw(st.lists(st.integers(-5, 125), max_size=3)):
            statuses.append(StatusFrom(unit, base + dt.timedelta(day), draw(st.sampled_from(VOID_KINDS))))
    start = draw(st.integers(-20, 100))
    period = Period(base + dt.timedelta(start), base + dt.timedelta(start + draw(st.integers(0, 60))))
    return period, spans, stays, statuses


@settings(max_examples=150, deadline=None)
@given(contracts())
def test_void_plus_occupied_is_available_and_utilisation_is_a_share(case) -> None:
    period, spans, stays, statuses = case
    days = contract_days(period, spans, stays, statuses)
    assert days.occupied_unit_days + sum(days.void_days(k) for k in VOID_KINDS) == days.available_unit_days
    assert all(days.void_days(k) >= 0 for k in VOID_KINDS)
    if days.available_unit_days:
        assert 0 <= Fraction(days.occupied_unit_days, days.available_unit_days) <= 1
    assert sum(by_month(period, days.occupied)) == days.occupied_unit_days
    # the same contract through domain.purchases.block_usage (its unit sets name the unlisted units too)
    terms = tuple(BlockTerm(s.start, frozenset(s.held) | {f"x{n}" for n in range(s.paid - len(s.held))},
                            s.unit_weekly_pence) for s in spans)
    contract = BlockContract(spans[0].start, spans[-1].end, terms)
    usage = block_usage(contract, [Placement(f"C{i}", s.start, s.end, s.unit) for i, s in enumerate(stays)], period)
    assert (usage.available_unit_days, usage.occupied_unit_days, usage.paid.sevenths, usage.void.sevenths) == (
        days.available_unit_days, days.occupied_unit_days, days.paid().sevenths, days.void_cost_total().sevenths)


def test_the_block_size_curve_matches_a_hand_worked_one() -> None:
    demand = np.array([0, 1, 1, 2, 2, 2, 3, 3, 1, 0])  # 10 nights; a unit £10 a night, spot £20 a night
    curve = block_size_curve(demand, 7_000, 14_000)
    assert curve.costs == [30_000, 24_000, 24_000, 30_000]
    assert (curve.best_k, curve.best_pence, curve.peak) == (1, 24_000, 3)  # a tie goes to the smaller block
    assert block_size_curve(demand, 7_000, 14_000, at_least=5).costs[-2:] == [40_000, 50_000]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 12), max_size=60), st.integers(0, 300_000), st.integers(0, 300_000),
       st.integers(0, 15))
def test_the_curve_is_the_brute_force_cost_and_its_minimum_is_no_worse_than_either_end(counts, unit, spot, at_least):
    curve = block_size_curve(np.array(counts, dtype=np.int64), unit, spot, at_least=at_least)
    for k, sevenths in enumerate(curve.sevenths):
        assert sevenths == k * len(counts) * unit + spot * sum(max(0, c - k) for c in counts)
    assert len(curve.sevenths) == max(max(counts, default=0), at_least) + 1
    assert curve.sevenths[curve.best_k] <= min(curve.sevenths[0], curve.sevenths[-1])


def test_demand_counts_each_night_held_and_clips_to_the_period() -> None:
    period = Period(D(2026, 1, 1), D(2026, 1, 6))
    counts = demand_by_night(period, [(D(2025, 12, 1), D(2026, 1, 3)), (D(2026, 1, 2), None), (D(2026, 1, 9), None)])
    assert counts.tolist() == [1, 2, 1, 1, 1]


def test_spread_quartiles_are_inclusive_and_rounded_half_up_once() -> None:
    s = spread([60_000, 30_000, 40_000, 100_000, 50_000])
    assert (s.count, s.minimum, s.lower_quartile, s.median, s.upper_quartile, s.maximum) == (
        5, 30_000, 40_000, 50_000, 60_000, 100_000)
    assert spread([100, 200, 301, 401]).median == 251  # 250.5 rounds up
    assert spread([]).median is None


def test_support_bands() -> None:
    assert [support_band(m, 0) for m in (0, 600, 601, 1200, 1201)] == [
        "core_only", "up_to_10", "10_to_20", "10_to_20", "over_20"]
    assert support_band(300, 400) == "10_to_20"
