"""Supply beside demand and the market's diversity (issue 15): known answers for shares, the
Herfindahl-Hirschman index, a failure of the largest provider, the council's own places by day (block units
until their contract ends, scenario places and households) and the gap."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from broker_tui.domain.sufficiency.market import (
    BlockSupply,
    FosterSupply,
    ServiceSupply,
    diversity,
    gap_rows,
    own_supply,
    reach_supply,
)

A, B, C, OWN = (uuid.UUID(int=i) for i in (1, 2, 3, 4))


def home(provider: uuid.UUID, places: int | None, *, vacancies: int | None = None, in_area: bool = True,
         miles: float | None = 5.0, ours: int = 0, kind: str = "childrens_home_external", ages: tuple[int, int] = (8, 17),
         in_house: bool = False) -> ServiceSupply:
    return ServiceSupply(uuid.uuid4(), provider, {A: "Alpha Care", B: "Beta Homes", C: "Gamma Ltd", OWN: "The council"}
                         [provider], kind, in_house, places, vacancies, in_area, miles, ages[0], ages[1], ours)


def test_shares_hhi_and_the_largest_provider_failing() -> None:
    services = [home(A, 6, ours=2), home(A, 4, vacancies=0), home(B, 6, vacancies=1), home(C, 4, vacancies=1),
                home(C, 5, in_area=False, miles=40.0, vacancies=3)]  # beyond reach
    d = diversity("residential", services, None)
    assert (d.providers, d.services, d.basis, d.total) == (3, 4, "places", 20)
    assert d.largest == "Alpha Care" and d.largest_share == pytest.approx(0.5)
    assert d.hhi == pytest.approx(50 ** 2 + 30 ** 2 + 20 ** 2)  # 3,800: highly concentrated
    assert (d.displaced_places, d.displaced_children) == (10, 2)
    assert (d.vacancies_elsewhere, d.vacancies_known_at, d.absorbs) == (2, 2, True)
    wider = diversity("residential", services, 50.0)
    assert wider.total == 25 and wider.vacancies_elsewhere == 5 and wider.hhi == pytest.approx(40**2 + 24**2 + 36**2)
    short = diversity("residential", [home(A, 6, ours=3), home(B, 6, vacancies=1)], None)
    assert short.absorbs is False  # one vacancy for three children
    unknown = diversity("residential", [home(A, 6, ours=1), home(B, 6)], None)
    assert unknown.vacancies_elsewhere is None and unknown.absorbs is None  # no vacancy known elsewhere


def test_agencies_are_counted_by_services() -> None:
    ifas = [home(A, None, kind="fostering_ifa"), home(A, None, kind="fostering_ifa"), home(B, None, kind="fostering_ifa")]
    d = diversity("external_fostering", ifas, None)
    assert d.basis == "services" and d.total == 3 and d.largest_share == pytest.approx(2 / 3)
    assert diversity("supported", ifas, None).total == 0  # no supported accommodation at all


def test_own_supply_by_day_and_the_gap() -> None:
    services = [home(OWN, 8, in_house=True), home(A, 6), home(B, 4, in_area=False, miles=15.0),
                home(C, None, in_area=False, miles=12.0)]
    foster = FosterSupply(households=50, places=80, free_places=7)
    blocks = [BlockSupply("residential", dt.date(2025, 4, 1), dt.date(2027, 4, 1), ((dt.date(2025, 4, 1), 3),)),
              BlockSupply("supported", dt.date(2026, 1, 1), dt.date(2030, 1, 1), ((dt.date(2026, 1, 1), 10),))]
    before, after = dt.date(2027, 3, 31), dt.date(2027, 4, 1)
    assert own_supply("residential", before, services, foster, blocks).total == 8 + 3
    assert own_supply("residential", after, services, foster, blocks).total == 8  # the contract has ended
    grown = own_supply("in_house_fostering", before, services, foster, blocks, extra_households=20)
    assert (grown.in_house_places, grown.scenario_places, grown.households) == (80, 32, 70)  # 1.6 places each
    reach = reach_supply("residential", services, 20.0)
    assert (reach.places_in_area, reach.places_within, reach.services_within, reach.unstated) == (6, 10, 3, 1)
    demand = {"residential": [(before, 20.0, 24.0), (dt.date(2028, 3, 31), 18.0, 23.0)]}
    rows = gap_rows(demand, services, foster, blocks, 20.0, extra={"residential": [(dt.date(2028, 1, 1), 6)]})
    assert [(r.day.year, r.own.total, r.gap) for r in rows] == [(2027, 11, 9.0), (2028, 14, 4.0)]
    assert rows[0].reach.places_within == 10 and rows[0].demand_high == 24.0


def test_age_ranges_meet_bands() -> None:
    s = home(A, 4, ages=(11, 17))
    assert [s.takes_band(b) for b in range(5)] == [False, False, False, True, True]
    young = home(A, 4, ages=(0, 4))
    assert [young.takes_band(b) for b in range(5)] == [True, True, False, False, False]


def test_block_units_by_day() -> None:
    block = BlockSupply("supported", dt.date(2027, 1, 1), dt.date(2029, 1, 1),
                        ((dt.date(2027, 1, 1), 6), (dt.date(2028, 1, 1), 4)))
    assert [block.units_on(dt.date(y, m, d)) for y, m, d in ((2026, 12, 31), (2027, 1, 1), (2027, 12, 31),
                                                             (2028, 1, 1), (2028, 12, 31), (2029, 1, 1))] == [
        0, 6, 6, 4, 4, 0]  # not before it starts, the term in force, not from the day it ends
    assert own_supply("supported", dt.date(2027, 6, 1), [], FosterSupply(0, 0, 0), [block]).block_units == 6
    fewer = own_supply("residential", dt.date(2027, 6, 1), [], FosterSupply(0, 0, 0), [], extra_places=-5)
    assert fewer.scenario_places == -5 and fewer.total == 0  # a scenario taking places away stops at nought
