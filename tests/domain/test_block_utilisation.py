"""Block contracts: available, occupied and void unit-days, paid and void cost, utilisation and cost per
occupied week with known answers; who may be placed where; and the invariants (occupancy never above the
units on any night; occupied + void = available)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broker_tui.domain.purchases import (
    BlockContract,
    BlockTerm,
    OccupancyError,
    Period,
    Placement,
    available_unit_days,
    block_usage,
    check_block_contract,
    check_block_placement,
    child_overlaps,
    contract_cost,
    cost_per_occupied_week,
    free_units,
    occupancy_by_night,
    occupied_unit_days,
    unit_overlaps,
    utilisation,
    void_cost,
    void_unit_days,
)

D = dt.date
APRIL = Period(D(2026, 4, 1), D(2026, 5, 1))
# April 2026: units A, B, C at £1,400 a week (£200 a night) to the 15th; from the 16th a fourth unit D and
# an uplift to £1,470 (£210 a night).
CONTRACT = BlockContract(D(2026, 4, 1), D(2026, 5, 1), (
    BlockTerm(D(2026, 4, 1), frozenset("ABC"), 140_000),
    BlockTerm(D(2026, 4, 16), frozenset("ABCD"), 147_000)))
PLACEMENTS = (
    Placement("LCC-1", D(2026, 3, 20), D(2026, 4, 11), unit="A"),  # 1-10 April inside the contract: 10 nights
    Placement("LCC-2", D(2026, 4, 11), None, unit="A"),  # from the night A is freed, to the end: 20 nights
    Placement("LCC-3", D(2026, 4, 10), D(2026, 4, 20), unit="D"),  # D is held from the 16th only: 4 nights count
    Placement("LCC-4", D(2026, 4, 5), D(2026, 4, 8), unit="B"),  # 3 nights
    Placement("LCC-5", D(2026, 4, 1), D(2026, 4, 30), unit=None),  # a spot placement: not in the block
)


def test_known_answers_for_a_month_with_an_extra_unit_and_an_uplift() -> None:
    usage = block_usage(CONTRACT, PLACEMENTS, APRIL)
    assert usage.available_unit_days == 15 * 3 + 15 * 4 == 105
    assert usage.occupied_unit_days == 10 + 20 + 4 + 3 == 37
    assert usage.void_unit_days == 68
    # paid: 45 unit-nights at £1,400/7 + 60 at £1,470/7 = (6,300,000 + 8,820,000) / 7 = £21,600 exactly
    assert (usage.paid.sevenths, usage.paid.pence) == (15_120_000, 2_160_000)
    # void: 1-15 April 45 - 18 occupied = 27 at £200; 16-30 April 60 - 19 = 41 at £210: £5,400 + £8,610
    assert (usage.void.sevenths, usage.void.pence) == (9_807_000, 1_401_000)
    assert usage.utilisation == Fraction(37, 105)
    # per occupied week: £21,600 / (37 / 7) weeks = 15,120,000 / 37 = 408,648.65p
    assert usage.cost_per_occupied_week_pence == 408_649


def test_each_figure_on_its_own_and_over_part_of_the_contract() -> None:
    part = Period(D(2026, 4, 10), D(2026, 4, 20))
    assert available_unit_days(CONTRACT, part) == 6 * 3 + 4 * 4
    assert occupied_unit_days(CONTRACT, PLACEMENTS, part) == 1 + 9 + 4 + 0
    assert void_unit_days(CONTRACT, PLACEMENTS, part) == 34 - 14
    assert contract_cost(CONTRACT, part).pence == 18 * 20_000 + 16 * 21_000
    # void: 6 nights x 3 units - 1 (LCC-1 on the 10th) - 5 (LCC-2 11th-15th) = 12 at £200; 16 - 4 - 4 = 8 at £210
    assert void_cost(CONTRACT, PLACEMENTS, part).pence == 12 * 20_000 + 8 * 21_000
    assert utilisation(CONTRACT, PLACEMENTS, part) == Fraction(14, 34)
    assert cost_per_occupied_week(CONTRACT, PLACEMENTS, part) == round(Fraction(18 * 140_000 + 16 * 147_000, 14))


def test_outside_the_contract_nothing_is_available_or_paid() -> None:
    may = Period(D(2026, 5, 1), D(2026, 6, 1))
    assert block_usage(CONTRACT, PLACEMENTS, may).available_unit_days == 0
    assert utilisation(CONTRACT, PLACEMENTS, may) is None
    assert cost_per_occupied_week(CONTRACT, (), APRIL) is None
    assert contract_cost(CONTRACT, Period(D(2026, 3, 1), D(2026, 6, 1))).pence == 2_160_000  # clipped


def test_void_cost_is_rounded_once_for_the_period() -> None:
    odd = BlockContract(D(2026, 1, 1), D(2027, 1, 1), (BlockTerm(D(2026, 1, 1), frozenset("XY"), 100_000),))
    week = Period(D(2026, 1, 1), D(2026, 1, 4))  # 6 void unit-nights at 14,285.71p
    assert void_cost(odd, (), week).pence == 85_714  # 600,000 / 7 = 85,714.29, not 6 x 14,286 = 85,716


def test_two_children_in_one_unit_are_refused_not_counted_twice() -> None:
    clash = (*PLACEMENTS, Placement("LCC-9", D(2026, 4, 12), D(2026, 4, 14), unit="A"))
    with pytest.raises(OccupancyError, match="LCC-2 and LCC-9 both hold unit A from 12/04/2026"):
        block_usage(CONTRACT, clash, APRIL)
    found = unit_overlaps(clash)
    assert [(o.first.case_ref, o.second.case_ref, o.start, o.end) for o in found] == [
        ("LCC-2", "LCC-9", D(2026, 4, 12), D(2026, 4, 14))]


def test_the_end_night_is_free_for_the_next_child() -> None:
    assert unit_overlaps(PLACEMENTS) == []  # LCC-1 ends on the 11th, LCC-2 starts on the 11th


def test_a_child_placed_twice_needs_a_retainer_with_a_reason() -> None:
    home = Placement("LCC-7", D(2026, 1, 1), None, unit="A")
    hospital = Placement("LCC-7", D(2026, 2, 1), D(2026, 2, 10))
    assert [o.message for o in child_overlaps([home, hospital])] == [
        "LCC-7 has two placements at once from 01/02/2026 to 10/02/2026 (not that night): "
        "one must be coded a retainer, with a reason"]
    coded_only = Placement("LCC-7", D(2026, 1, 1), None, unit="A", retainer="hospital")
    assert len(child_overlaps([coded_only, hospital])) == 1  # a code without a reason is not enough
    kept = Placement("LCC-7", D(2026, 1, 1), None, unit="A", retainer="hospital",
                     retainer_reason="unit kept while in hospital for surgery")
    assert child_overlaps([kept, hospital]) == []
    assert child_overlaps([home, Placement("LCC-8", D(2026, 2, 1), D(2026, 2, 10))]) == []


def test_placing_a_child_into_a_free_unit_and_every_refusal() -> None:
    assert free_units(CONTRACT, PLACEMENTS, Period(D(2026, 4, 16), D(2026, 5, 1))) == ["B", "C"]
    assert free_units(CONTRACT, PLACEMENTS, Period(D(2026, 4, 1), D(2026, 4, 5))) == ["B", "C"]  # D not held yet
    assert free_units(CONTRACT, PLACEMENTS, Period(D(2026, 4, 25), D(2026, 5, 5))) == []  # past the end
    ok = Placement("LCC-20", D(2026, 4, 20), None, unit="C")
    assert check_block_placement(CONTRACT, PLACEMENTS, ok) == []
    checks = {
        "taken": (Placement("LCC-21", D(2026, 4, 20), None, unit="A"), "LCC-2 and LCC-21 both hold unit A"),
        "not held": (Placement("LCC-22", D(2026, 4, 1), D(2026, 4, 20), unit="D"), "unit D is not in the contract on 01/04/2026"),
        "expired": (Placement("LCC-23", D(2026, 5, 1), None, unit="C"), "the contract has ended (its last night was 30/04/2026)"),
        "early": (Placement("LCC-24", D(2026, 3, 1), None, unit="C"), "starts before the contract"),
        "past": (Placement("LCC-25", D(2026, 4, 20), D(2026, 6, 1), unit="C"), "runs past the contract's end"),
        "no unit": (Placement("LCC-26", D(2026, 4, 16), None), "choose a unit: free are B, C"),
        "backwards": (Placement("LCC-27", D(2026, 4, 16), D(2026, 4, 16), unit="C"), "not after it starts"),
        "twice": (Placement("LCC-2", D(2026, 4, 20), None, unit="C"), "LCC-2 has two placements at once"),
    }
    for name, (placement, words) in checks.items():
        problems = check_block_placement(CONTRACT, PLACEMENTS, placement)
        assert any(words in p for p in problems), (name, problems)
    full = BlockContract(D(2026, 4, 1), D(2026, 5, 1), (BlockTerm(D(2026, 4, 1), frozenset("A"), 140_000),))
    assert check_block_placement(full, PLACEMENTS, Placement("LCC-28", D(2026, 4, 20))) == [
        "every unit is taken on some of these nights: buy a spot agreement instead"]


def test_the_contract_check() -> None:
    assert check_block_contract(CONTRACT) == {}
    bad = BlockContract(D(2026, 4, 1), D(2026, 4, 1), (BlockTerm(D(2026, 4, 2), frozenset({""}), -1),))
    assert set(check_block_contract(bad)) == {"end", "terms", "terms[0].units", "terms[0].unit_weekly_pence",
                                              "terms[0].effective_from"}
    assert check_block_contract(BlockContract(D(2026, 4, 1), D(2026, 5, 1), ())) == {
        "terms": "a contract needs terms: the units and the unit price"}


def test_occupancy_night_by_night_agrees_with_the_totals() -> None:
    nights = occupancy_by_night(CONTRACT, PLACEMENTS, APRIL)
    assert len(nights) == 30 and nights[0].available == 3 and nights[-1].available == 4
    assert sum(n.occupied for n in nights) == 37 and sum(n.available for n in nights) == 105
    assert [n.occupied for n in nights[4:7]] == [2, 2, 2]  # 5-7 April: LCC-1 in A, LCC-4 in B


# ---- invariants -------------------------------------------------------------------------------------------

START = D(2026, 1, 1)
UNITS = "ABCDE"


@st.composite
def contracts(draw: st.DrawFn) -> BlockContract:
    """A contract of up to 120 nights whose later terms add a unit or give one up (and change the price)."""
    length = draw(st.integers(min_value=1, max_value=120))
    units = set(draw(st.sets(st.sampled_from(UNITS), min_size=1, max_size=4)))
    terms = [BlockTerm(START, frozenset(units), draw(st.integers(0, 500_000)))]
    for gap in draw(st.lists(st.integers(1, 60), max_size=3)):
        units ^= {draw(st.sampled_from(UNITS))}
        terms.append(BlockTerm(terms[-1].effective_from + dt.timedelta(days=gap), frozenset(units),
                               draw(st.integers(0, 500_000))))
    return BlockContract(START, START + dt.timedelta(days=length), tuple(terms))


@st.composite
def filled_blocks(draw: st.DrawFn) -> tuple[BlockContract, list[Placement]]:
    """A contract and the placements a broker made in it: candidates in its units (at a share of the way
    through it, for some nights or open), each kept only when the contract's checks let it through."""
    contract = draw(contracts())
    units = sorted(set().union(*(t.units for t in contract.terms))) or ["A"]
    length = (contract.end - contract.start).days
    placed: list[Placement] = []
    for _ in range(draw(st.integers(0, 16))):
        start = START + dt.timedelta(days=draw(st.integers(0, 99)) * length // 100)
        nights = draw(st.none() | st.integers(1, 40))
        end = None if nights is None else min(contract.end, start + dt.timedelta(days=nights))
        retainer = draw(st.sampled_from([("", ""), ("hospital", "in hospital"), ("custody", "")]))
        placement = Placement(f"LCC-{draw(st.integers(0, 12))}", start, end, unit=draw(st.sampled_from(units)),
                              retainer=retainer[0], retainer_reason=retainer[1], id=str(len(placed)))
        if not check_block_placement(contract, placed, placement):
            placed.append(placement)
    return contract, placed


@settings(max_examples=200, deadline=None)
@given(filled_blocks(), st.integers(-20, 140), st.integers(0, 150))
def test_occupancy_never_exceeds_the_units_and_occupied_plus_void_is_available(
        block: tuple[BlockContract, list[Placement]], offset: int, length: int) -> None:
    contract, placed = block
    assert unit_overlaps(placed) == [] and child_overlaps(placed) == []
    period = Period(START + dt.timedelta(days=offset), START + dt.timedelta(days=offset + length))
    nights = occupancy_by_night(contract, placed, period)
    assert all(n.occupied <= n.available for n in nights)
    usage = block_usage(contract, placed, period)
    assert usage.occupied_unit_days + usage.void_unit_days == usage.available_unit_days
    assert sum(n.occupied for n in nights) == usage.occupied_unit_days
    assert sum(n.available for n in nights) == usage.available_unit_days
    assert 0 <= usage.void.sevenths <= usage.paid.sevenths and usage.void.pence <= usage.paid.pence
    if usage.available_unit_days:
        assert usage.utilisation is not None and 0 <= usage.utilisation <= 1
