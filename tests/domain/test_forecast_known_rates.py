"""The known-answer check of the forecast (issue 15): returns generated from rates we chose, a steady, a
growing and a shrinking cohort; the rates counted back from them, and the stock forecast against what the
generator went on to do.

Tolerances, and why: a rate counted from n child-months has a binomial standard error
sqrt(p(1-p)/n), so a recovered rate must lie within three of them of the true one (a correct count misses
that about 3 times in 1,000; the seeds are fixed, so the outcome is exact). The entry trend from 24 months of
counts near 25 to 60 a month has a standard error of about 0.05 to 0.08 a year on the log scale: within
0.12 of the true factor. The stock a year ahead of 1,900 to 2,900 children carries chance of about 2%
(one standard deviation of a year's leavers and entrants), so the total is within 4% at +12 and 6% at +24, the
categories within 6% and 8% (WAPE); the actual total falls inside the 95% interval and most category
cells inside their 80% intervals (the 70% to 90% cover is the backtest's)."""

from __future__ import annotations

import numpy as np
import pytest

from broker_tui.domain.sufficiency.categories import CATEGORIES
from broker_tui.domain.sufficiency.known_rates import KnownRates, generate
from broker_tui.domain.sufficiency.panel import build_panel, month_label
from broker_tui.domain.sufficiency.rates import TIC_EDGES, FitOptions, fit_rates
from broker_tui.domain.sufficiency.simulate import Start, simulate

STEADY = KnownRates(entries_per_month=60)
GROWING = KnownRates(entries_per_month=40, entry_growth=1.15)
SHRINKING = KnownRates(entries_per_month=40, entry_growth=0.85)


def panel_of(rates: KnownRates, seed: int):
    gen = generate(rates, seed=seed, burn_in=96)
    return build_panel(gen.episodes, gen.births)


def test_the_generated_return_looks_like_a_return() -> None:
    gen = generate(STEADY, seed=1, burn_in=96)
    p = build_panel(gen.episodes, gen.births)
    assert (month_label(p.observed_from), month_label(p.last)) == ("2015-03", "2021-03")
    assert p.unreturned == 0  # every open episode is carried to the last year
    years = {e.return_year for e in gen.episodes}
    assert years == {"2015-16", "2016-17", "2017-18", "2018-19", "2019-20", "2020-21"}
    assert all(e.end is None or e.start < e.end for e in gen.episodes)
    ages = p.age(p.last)[p.in_care(p.last)]
    assert ages.min() >= 0 and ages.max() < 18 * 12  # nobody of 18 in care


def test_leaving_and_moves_are_recovered() -> None:
    p = panel_of(STEADY, seed=11)
    r = fit_rates(p, p.last, FitOptions(window=60, halflives=(None,), move_window=60))
    true = STEADY.leave()
    checked = 0
    for b in range(true.shape[0]):
        for t in range(len(TIC_EDGES)):
            n, events = r.leave_exposure[b, t], r.leave_events[b, t]
            if n < 2000:
                continue
            p_true = true[b, t]
            assert abs(events / n - p_true) <= 3 * np.sqrt(p_true * (1 - p_true) / n), (b, t, events / n, p_true)
            checked += 1
    assert checked >= 15
    for c in range(len(CATEGORIES)):
        n = r.moves[c].sum()
        moved = n - r.moves[c, :, c].sum()
        p_true = STEADY.move[c]
        assert abs(moved / n - p_true) <= 3 * np.sqrt(p_true * (1 - p_true) / n), (CATEGORIES[c], moved / n)
    shares = np.bincount(r.entrant_category, minlength=len(CATEGORIES)) / len(r.entrant_category)
    want = np.array(STEADY.entry_categories) / sum(STEADY.entry_categories)
    assert (abs(shares - want) <= 3 * np.sqrt(want * (1 - want) / len(r.entrant_category))).all()


@pytest.mark.parametrize(("rates", "seed"), [(GROWING, 3), (SHRINKING, 4)], ids=["growing", "shrinking"])
def test_entries_and_stock_are_recovered(rates: KnownRates, seed: int) -> None:
    p = panel_of(rates, seed)
    cutoff = p.last - 24
    r = fit_rates(p, cutoff)
    assert abs(np.log(r.growth) - np.log(rates.entry_growth)) <= 0.12
    expected = np.mean([rates.entry_rate(m - (p.observed_from + 1)) for m in range(cutoff - 11, cutoff + 1)])
    window = np.mean(r.entries[-12:])
    assert abs(window - expected) <= 3 * np.sqrt(expected / 12)  # the counted entries are the generator's
    sim = simulate(r, Start.from_panel(p, cutoff), 24, sims=400, seed=seed)
    by_cat = sim.by_category()
    inside = 0
    for h, total_tol, cat_tol in ((12, 0.04, 0.06), (24, 0.06, 0.08)):
        actual = p.stock(cutoff + h)
        mean = by_cat[:, h - 1].mean(0)
        assert abs(mean.sum() - actual.sum()) / actual.sum() <= total_tol, (h, mean.sum(), actual.sum())
        assert np.abs(mean - actual).sum() / actual.sum() <= cat_tol, (h, mean.round(), actual)
        totals = by_cat[:, h - 1].sum(1)  # an 80% interval misses one time in five: the 95% one is asserted
        assert np.quantile(totals, 0.025) <= actual.sum() <= np.quantile(totals, 0.975)
        inside += ((np.quantile(by_cat[:, h - 1], 0.1, axis=0) <= actual)
                   & (actual <= np.quantile(by_cat[:, h - 1], 0.9, axis=0))).sum()
    assert inside >= 8  # of 12 category cells in the 80% intervals (a binomial of 12 at 0.8 gives 8 or more 93%)
    grew = p.stock(cutoff + 24).sum() - p.stock(cutoff).sum()
    assert (grew > 0) == (rates.entry_growth > 1)  # the cohorts do grow and shrink
