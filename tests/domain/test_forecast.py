"""The demand forecast's history, rates and simulation (issue 15): known answers for stock and transition
counts, ageing through the bands, leaving at 18, flows that balance, stock never negative."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broker_tui.domain.sufficiency.categories import (
    BAND_NAMES,
    CATEGORIES,
    CategoryMap,
    CategoryRule,
)
from broker_tui.domain.sufficiency.panel import CareEpisode, build_panel, month_of
from broker_tui.domain.sufficiency.rates import FitOptions, fit_rates
from broker_tui.domain.sufficiency.simulate import Scenario, Shift, Start, simulate

D = dt.date
CAT = {c: i for i, c in enumerate(CATEGORIES)}
BAND = {b: i for i, b in enumerate(BAND_NAMES)}


def ep(child: str, start: D, end: D | None, place: str = "U4", provider: str = "PR1", year: str = "2020-21"):
    return CareEpisode(child, start, end, place, provider, year)


def test_the_default_map_reads_place_and_provider() -> None:
    m = CategoryMap()
    assert m.category("U4", "PR1") == "in_house_fostering"
    assert m.category("U5", "PR4") == "external_fostering"
    assert m.category("U2", "PR4") == "kinship"  # a relative or friend, whoever provides
    assert m.category("K2", "PR4") == "residential"
    assert m.category("K3", "PR4") == "supported" and m.category("H5", "PR1") == "supported"
    assert m.category("P1", "PR0") == "other" and m.category("Z12", "PR1") == "other"  # unnamed: other
    custom = CategoryMap((CategoryRule("residential", ("K2",), ("PR1",)),))
    assert custom.category("K2", "PR1") == "residential" and custom.category("K2", "PR4") == "other"
    with pytest.raises(ValueError, match="not a forecast category"):
        CategoryMap((CategoryRule("hotel", ("Z1",)),))


def test_stock_at_month_ends_by_category_and_band() -> None:
    episodes = [
        ep("a", D(2020, 5, 15), D(2020, 7, 31)),  # ends on the last day of July: out at July's end
        ep("a", D(2020, 7, 31), None, "K2", "PR4"),  # the next episode that day: residential from July
        ep("b", D(2020, 6, 1), D(2020, 8, 3), "U1", "PR0"),
        ep("c", D(2020, 6, 10), D(2020, 6, 20), "K2", "PR4"),  # within a month: never at a month's end
    ]
    births = {"a": D(2004, 8, 20), "b": (2019, 11)}
    p = build_panel(episodes, births)
    assert p.last == month_of(D(2021, 3, 31))  # the end of the 2020-21 collection year
    stock = {m: p.stock(month_of(D(2020, m, 1))).tolist() for m in (5, 6, 7, 8)}
    assert stock[5] == [1, 0, 0, 0, 0, 0]
    assert stock[6] == [1, 0, 1, 0, 0, 0]
    assert stock[7] == [0, 0, 1, 1, 0, 0]  # a moved to residential on 31/07
    assert stock[8] == [0, 0, 0, 1, 0, 0]  # b left on 03/08
    # a is 15 at the end of July 2020 and 16 from August: aged through the bands, not fixed at the start
    july, aug = p.stock_by_band(month_of(D(2020, 7, 1))), p.stock_by_band(month_of(D(2020, 8, 1)))
    assert july[CAT["residential"], BAND["10 to 15"]] == 1 and aug[CAT["residential"], BAND["16 to 17"]] == 1
    assert july[CAT["kinship"], BAND["Under 1"]] == 1  # b, born November 2019
    # leaving at 18: a turns 18 in August 2022, after the return ends; a child of 18 in a return is out
    late = build_panel([ep("d", D(2020, 1, 1), None, year="2020-21")], {"d": D(2003, 2, 1)})
    assert late.stock(month_of(D(2021, 1, 1))).sum() == 1 and late.stock(month_of(D(2021, 2, 1))).sum() == 0


def test_an_episode_left_open_in_an_earlier_return_is_counted() -> None:
    episodes = [ep("a", D(2019, 5, 1), None, year="2019-20"), ep("b", D(2019, 6, 1), None, year="2020-21")]
    kept = build_panel(episodes, {})
    assert kept.unreturned == 1 and kept.stock(kept.last).sum() == 2
    closed = build_panel(episodes, {}, close_unreturned=True)
    assert closed.stock(month_of(D(2020, 3, 1))).sum() == 2 and closed.stock(closed.last).sum() == 1


def test_transition_and_leaving_counts() -> None:
    # four children in care all through the window, in-house fostering; two events in it
    episodes = [ep(c, D(2019, 1, 10), None, year="2019-20") for c in "abcd"]
    episodes[0] = ep("a", D(2019, 1, 10), D(2020, 1, 15), year="2019-20")  # a leaves in January 2020
    episodes.append(ep("b2", D(2019, 1, 10), None, year="2019-20"))
    episodes[1] = ep("b", D(2019, 1, 10), D(2020, 2, 5), year="2019-20")
    episodes.append(ep("b", D(2020, 2, 5), None, "U5", "PR4", year="2019-20"))  # b moves to external in Feb
    births = {c: (2008, 1) for c in ("a", "b", "c", "d", "b2")}  # 11 to 12 in the window: one band
    p = build_panel(episodes, births)
    cutoff = month_of(D(2020, 3, 1))
    r = fit_rates(p, cutoff, FitOptions(window=12, halflives=(None,), move_window=12))
    assert r.leave_events.sum() == 1  # a, in January
    assert r.leave_exposure.sum() == 5 * 12 - 2  # five children for twelve months, a gone for its last two
    ih, ext, band = CAT["in_house_fostering"], CAT["external_fostering"], BAND["10 to 15"]
    assert r.moves[ih, band, ext] == 1 and r.moves[ext, band, ext] == 1  # moved, then stayed
    assert r.moves[ih, band, ih] == 5 * 12 - 2 - 1 - 2  # everyone else's months stayed
    assert r.entries.sum() == 0
    rate = r.leave_rate()
    assert rate[band].min() > 0 and rate[band].max() < 0.1  # one leaver in 58 months, the prior beside it


def small_panel(seed: int, children: int = 40):
    rng = np.random.default_rng(seed)
    places = [("U4", "PR1"), ("U5", "PR4"), ("U1", "PR0"), ("K2", "PR4"), ("H5", "PR4"), ("P1", "PR0")]
    episodes, births = [], {}
    for i in range(children):
        start = D(2018, 4, 1) + dt.timedelta(days=int(rng.integers(0, 1090)))
        end = None if rng.random() < 0.5 else start + dt.timedelta(days=int(rng.integers(40, 600)))
        if end is not None and end > D(2021, 3, 31):
            end = None
        place, provider = places[int(rng.integers(0, len(places)))]
        last_day = end or D(2021, 3, 31)  # the return that last carried it: the year it ended, or the latest
        first_year = last_day.year - (last_day.month < 4)
        year = f"{first_year}-{(first_year + 1) % 100:02d}"
        episodes.append(CareEpisode(i, start, end, place, provider, year))
        births[i] = (int(rng.integers(2003, 2020)), int(rng.integers(1, 13)))
    return build_panel(episodes, births)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), factor=st.sampled_from([0.5, 1.0, 1.5]))
def test_flows_balance_and_stock_is_never_negative(seed: int, factor: float) -> None:
    p = small_panel(seed)
    cutoff = p.last
    r = fit_rates(p, cutoff, FitOptions(window=12))
    sim = simulate(r, Start.from_panel(p, cutoff), 18, sims=20, seed=seed, scenario=Scenario("x", factor))
    assert (sim.stock >= 0).all()
    by_cat = sim.by_category()  # [sims, months, categories]
    before = np.concatenate([np.broadcast_to(sim.start_stock.sum(1), (20, 1, len(CATEGORIES))), by_cat[:, :-1]], 1)
    # each category: last month's stock plus entries and moves in, less leavers and moves out
    assert (before + sim.entries - sim.leavers + sim.moved_in - sim.moved_out == by_cat).all()
    assert (sim.moved_in.sum(2) == sim.moved_out.sum(2)).all()  # a move leaves the total as it is


def test_children_age_through_the_bands_and_leave_at_18() -> None:
    episodes = [CareEpisode("a", D(2019, 4, 2), None, "K2", "PR4", "2020-21"),
                CareEpisode("c", D(2019, 4, 2), None, "U4", "PR1", "2020-21")]
    p = build_panel(episodes, {"a": (2003, 9), "c": (2011, 6)})  # a is 18 in September 2021, c 10 in June
    r = fit_rates(p, p.last, FitOptions(window=12))
    sim = simulate(r, Start.from_panel(p, p.last), 12, sims=200, seed=1)
    assert sim.entries.sum() == 0  # nobody entered in the history: nobody enters
    at = {m: month_of(D(2021, m, 1)) - sim.first for m in (5, 6, 8, 9)}
    older = sim.stock[:, :, :, BAND["16 to 17"]].sum(2)  # [sims, months]
    assert sim.start_stock[:, BAND["16 to 17"]].sum() == 1
    assert older[:, at[9]:].sum() == 0  # a has left at 18 in every simulation
    # counted as turning 18 in September 2021 wherever she had not left before
    assert sim.turned_18[:, at[9]].sum() == older[:, at[8]].sum() and sim.turned_18[:, : at[9]].sum() == 0
    assert older[:, at[8]].sum() > 150  # and was mostly still there the month before
    assert sim.stock[:, at[5], :, BAND["5 to 9"]].sum() > 150  # c is 9 in May
    assert sim.stock[:, at[6]:, :, BAND["5 to 9"]].sum() == 0  # and 10 from June: aged through the band


def test_scenario_entrants_raise_the_forecast() -> None:
    p = small_panel(3, children=120)
    r = fit_rates(p, p.last, FitOptions(window=12))
    base = simulate(r, Start.from_panel(p, p.last), 24, sims=200, seed=5)
    more = simulate(r, Start.from_panel(p, p.last), 24, sims=200, seed=5, scenario=Scenario("more", 1.5))
    assert r.entry_rate() > 0
    assert more.entries.sum() > base.entries.sum() * 1.3
    assert more.by_category()[:, -1].sum(1).mean() > base.by_category()[:, -1].sum(1).mean()


def test_forecast_settings_are_checked_with_the_key_named() -> None:
    from broker_tui.domain.settings import SettingsError, settings_from_mapping

    s = settings_from_mapping({"forecast": {
        "categories": {"kinship": ["U1", "u2"], "in_house_fostering": ["U4/PR1"], "external_fostering": ["U4"]},
        "scenarios": {"growth": {"entrants_percent": 10, "from": "2027-04"},
                      "home": {"add_places": {"residential": 6}, "foster_households": 20}}}})
    m = s.forecast.categories
    assert (m.category("U2", "PR4"), m.category("U4", "PR1"), m.category("U4", "PR4")) == (
        "kinship", "in_house_fostering", "external_fostering")  # the first match wins
    assert m.category("K2", "PR4") == "other"  # the map replaces the default: unnamed codes are other
    growth = s.forecast.scenario("growth")
    assert growth.entrant_factor == pytest.approx(1.1) and growth.from_month == (2027, 4)
    home = s.forecast.scenario("home")
    assert home.add_places == (("residential", 6),) and home.foster_households == 20 and home.entrant_factor == 1.0
    step = settings_from_mapping({"forecast": {"scenarios": {"step": {
        "shift": {"from": "residential", "to": "supported", "places": 10}}}}}).forecast.scenario("step")
    assert step.shifts == (("residential", "supported", 10),)
    bad = {
        "forecast.categories.hotel": {"categories": {"hotel": ["U1"]}},
        "forecast.categories.kinship": {"categories": {"kinship": ["U1/PR9"]}},
        "forecast.scenarios.g.entrants_percent": {"scenarios": {"g": {"entrants_percent": -100}}},
        "forecast.scenarios.g.from": {"scenarios": {"g": {"from": "2027-13"}}},
        "forecast.scenarios.g.places": {"scenarios": {"g": {"places": 6}}},
        "forecast.scenarios.g.add_places.hotel": {"scenarios": {"g": {"add_places": {"hotel": 6}}}},
        "forecast.scenarios.g.add_places.residential": {"scenarios": {"g": {"add_places": {"residential": 1.5}}}},
        "forecast.scenarios.g.foster_households": {"scenarios": {"g": {"foster_households": "20"}}},
        "forecast.scenarios.g.shift": {"scenarios": {"g": {"shift": {"from": "residential", "to": "supported"}}}},
        "forecast.scenarios.g.shift.to": {"scenarios": {"g": {"shift": {"from": "residential", "to": "flat",
                                                                         "places": 3}}}},
        "forecast.scenarios.g.shift[2].places": {"scenarios": {"g": {"shift": [
            {"from": "residential", "to": "supported", "places": 3},
            {"from": "kinship", "to": "other", "places": 0}]}}},
        "forecast.window": {"window": 12},
    }
    for key, raw in bad.items():
        with pytest.raises(SettingsError) as err:
            settings_from_mapping({"forecast": raw})
        assert err.value.key == key


def _steady_then(entries_before: int, entries_after: int, shift: D, leave_after: int = 0) -> tuple:
    """Two collection years (April 2018 to March 2020): ``entries_before`` children come into care each month
    until ``shift``, ``entries_after`` from then on; all stay (none turns 18). From ``shift`` on,
    ``leave_after`` of the children who came before it leave each month."""
    episodes, births, n = [], {}, 0
    early: list[int] = []
    month = D(2018, 4, 1)
    while month <= D(2020, 3, 1):
        for _ in range(entries_before if month < shift else entries_after):
            (early if month < shift else []).append(n)
            births[n] = (2010, 1)
            episodes.append([n, D(month.year, month.month, 10), None])
            n += 1
        month = D(month.year + (month.month == 12), month.month % 12 + 1, 1)
    month, i = shift, 0
    while month <= D(2020, 3, 1) and leave_after:
        for child in early[i: i + leave_after]:
            episodes[child][2] = D(month.year, month.month, 20)
        i += leave_after
        month = D(month.year + (month.month == 12), month.month % 12 + 1, 1)
    eps = [ep(c, s, e, year="2019-20" if (e or D(2020, 3, 31)) >= D(2019, 4, 1) else "2018-19") for c, s, e in episodes]
    return build_panel(eps, births), month_of(D(2020, 3, 1))


def test_a_steady_level_keeps_a_long_memory() -> None:
    p, cutoff = _steady_then(20, 20, D(2030, 1, 1))
    r = fit_rates(p, cutoff)
    assert r.entry_halflife == 24.0  # every candidate foretells a flat line alike: the longest memory
    assert r.entry_rate() == pytest.approx(20, rel=0.01)


def test_entries_that_fell_are_followed_not_averaged_away() -> None:
    # 20 a month until July 2019, then 2: nine months of the new level before the cut-off
    p, cutoff = _steady_then(20, 2, D(2019, 7, 1))
    chosen = fit_rates(p, cutoff)
    fixed = fit_rates(p, cutoff, FitOptions(halflives=(6.0,)))  # the one memory of before
    assert chosen.entry_halflife == 3.0
    assert fixed.entry_rate() > 4.4  # months of 20 still weigh on it
    assert chosen.entry_rate() < 3.5
    fc_chosen = simulate(chosen, Start.from_panel(p, cutoff), 12, sims=200, seed=1).entries.sum((1, 2)).mean()
    fc_fixed = simulate(fixed, Start.from_panel(p, cutoff), 12, sims=200, seed=1).entries.sum((1, 2)).mean()
    assert fc_chosen < fc_fixed


def test_leaving_that_rose_is_followed() -> None:
    # nobody left for fifteen months; from July 2019 eight a month leave (of about 300 in care)
    p, cutoff = _steady_then(20, 0, D(2019, 7, 1), leave_after=8)
    chosen = fit_rates(p, cutoff)
    fixed = fit_rates(p, cutoff, FitOptions(halflives=(6.0,)))
    assert chosen.leave_halflife == 3.0
    overall = lambda r: r.leave_events.sum() / r.leave_exposure.sum()  # noqa: E731
    in_care = p.stock(cutoff).sum()
    assert overall(fixed) < overall(chosen) <= 8 / (in_care + 8) * 1.05
    assert overall(chosen) > 8 / (in_care + 8 * 4) * 0.9  # near the rate of the last months


def test_a_shift_places_children_elsewhere_while_its_places_have_room() -> None:
    p = small_panel(3, children=160)
    cut = p.last
    r = fit_rates(p, cut, FitOptions(window=12))
    start = Start.from_panel(p, cut)
    ih, ext = CAT["in_house_fostering"], CAT["external_fostering"]
    base = simulate(r, start, 36, sims=300, seed=5)
    scen = Scenario("carers", from_month=cut + 7, shifts=(Shift(ext, ih, 4),))
    alt = simulate(r, start, 36, sims=300, seed=5, scenario=scen)
    b, a = base.by_category(), alt.by_category()
    assert (a[:, :6] == b[:, :6]).all()  # nothing changes before it starts (the same draws)
    assert alt.entries[:, 6:, ext].sum() < base.entries[:, 6:, ext].sum()  # entrants went in-house instead
    assert alt.entries[:, 6:, ih].sum() > base.entries[:, 6:, ih].sum()
    gain = a[:, -1, ih].mean() - b[:, -1, ih].mean()
    assert gain > 0.5 and a[:, -1, ext].mean() < b[:, -1, ext].mean()
    assert a[:, -1].sum(1).mean() == pytest.approx(b[:, -1].sum(1).mean(), rel=0.05)  # where, not how many
    # never more of the children it placed in the target than its places, in any simulation or month; none
    # before it starts
    assert (alt.shifted[:, :6] == 0).all() and (alt.shifted[:, 6:, 0] <= 4).all() and alt.shifted.max() == 4
    # flows still balance each month with the shift
    stock = alt.stock.sum(3)
    prev = np.concatenate([np.broadcast_to(alt.start_stock.sum(1), (300, 1, len(CATEGORIES))), stock[:, :-1]], 1)
    assert (prev + alt.entries - alt.leavers + alt.moved_in - alt.moved_out == stock).all()


def test_a_shift_takes_no_more_than_each_simulations_room() -> None:
    from broker_tui.domain.sufficiency.simulate import _shift

    sim = np.array([1, 0, 0, 1, 0, 1, 0, 0, 1], dtype=np.int32)
    cand = np.array([0, 1, 2, 3, 4, 5, 6, 7])  # index 8 (simulation 1) is not a candidate
    rng = np.random.default_rng(0)
    for _ in range(20):  # whichever it takes, at random: simulation 0 four of its five, simulation 1 one of three
        took = _shift(Shift(1, 0, 4), cand, sim, held=np.array([0, 3]), rng=rng)
        assert (sim[took] == 0).sum() == 4 and (sim[took] == 1).sum() == 1 and 8 not in took
    assert _shift(Shift(1, 0, 4), cand, sim, held=np.array([5, 4]), rng=rng).tolist() == []  # full: none


def test_a_shifts_children_never_hold_more_than_its_places() -> None:
    import dataclasses

    # children move between in-house fostering and residential every few months, so many a child the shift
    # placed moves out and back on its own: it must not go on holding a place it left
    p = small_panel(3, children=160)
    r = fit_rates(p, p.last, FitOptions(window=12))
    ih, ext, res = CAT["in_house_fostering"], CAT["external_fostering"], CAT["residential"]
    moves = np.zeros_like(r.moves)
    for c in range(len(CATEGORIES)):
        moves[c, :, c] = 600.0
    moves[ih, :, res] = moves[res, :, ih] = 400.0
    moves[ext, :, ih] = 300.0  # external fostering's children move to in-house: candidates for the shift
    busy = dataclasses.replace(r, moves=moves)
    sim = simulate(busy, Start.from_panel(p, p.last), 36, sims=200, seed=2,
                   scenario=Scenario("carers", shifts=(Shift(ext, ih, 4),)))
    held = sim.shifted[:, :, 0]
    assert held.max() == 4 and (held <= 4).all()  # full at times, never over, in every simulation and month
    assert sim.moved_out[:, :, ih].sum() > 1000  # they do move on
