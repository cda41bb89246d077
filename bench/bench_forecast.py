"""The demand forecast (issue 15): its speed, its accuracy on returns generated from known rates, and the
rolling backtest on the shared synthetic SSDA903 set.

- **Speed**: a 5-year forecast with 1,000 simulations for a generated council of about 600 children in care
  (target: 5 s or less), the fit and the simulation timed apart; medians of --runs.
- **Known rates**: steady, growing (entries +15% a year) and shrinking (-15%) cohorts of about 2,000 to
  3,000 children, --seeds returns each; the forecast at +12 and +24 months from a cut-off two years before
  the end against what the generator went on to do: the mean and mean absolute error of the total, the
  category WAPE, and how often the 80% intervals held the actual (categories and totals).
- **Backtest** on the shared synthetic set (../shared/data): the default six cut-offs, and every cut-off six
  months apart that has a year of history (seven), at +6 and +12 months against flat and drift; and the
  noise floor there: the category WAPE and total MAPE a forecast would expect at +12 if every rate it uses
  were exactly right (the simulations' spread about their mean with the rates held at their counted values:
  only the chance of who leaves, moves and enters): about what even a model with the right rates would
  score on these few children.

    .venv/bin/python bench/bench_forecast.py [--runs 5] [--seeds 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from broker_tui.domain.sufficiency.backtest import default_cutoffs, run_backtest, score  # noqa: E402
from broker_tui.domain.sufficiency.known_rates import KnownRates, generate  # noqa: E402
from broker_tui.domain.sufficiency.panel import Panel, build_panel, panel_of_records  # noqa: E402
from broker_tui.domain.sufficiency.rates import fit_rates  # noqa: E402
from broker_tui.domain.sufficiency.simulate import Start, simulate  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def generated(rates: KnownRates, seed: int) -> Panel:
    gen = generate(rates, seed=seed, burn_in=96)
    return build_panel(gen.episodes, gen.births)


def speed(runs: int) -> None:
    p = generated(KnownRates(entries_per_month=12), seed=7)
    start = Start.from_panel(p, p.last)
    fits, sims = [], []
    for i in range(runs):
        t0 = time.perf_counter()
        rates = fit_rates(p, p.last)
        t1 = time.perf_counter()
        simulate(rates, start, 60, sims=1000, seed=i)
        t2 = time.perf_counter()
        fits.append(t1 - t0)
        sims.append(t2 - t1)
    total = [a + b for a, b in zip(fits, sims, strict=True)]
    print(f"speed: {len(start.category)} children in care, 60 months x 1,000 simulations: fit median "
          f"{statistics.median(fits) * 1000:.0f} ms, simulation {statistics.median(sims):.2f} s, total "
          f"{statistics.median(total):.2f} s (target 5 s; {runs} runs)")


def known_rates(seeds: int) -> None:
    cohorts = {"steady": KnownRates(entries_per_month=40), "growing": KnownRates(entries_per_month=40, entry_growth=1.15),
               "shrinking": KnownRates(entries_per_month=40, entry_growth=0.85)}
    for name, rates in cohorts.items():
        for h in (12, 24):
            errs, wapes, cat_in, tot_in = [], [], [], []
            for seed in range(seeds):
                p = generated(rates, 1000 + seed)
                cut = p.last - 24
                sim = simulate(fit_rates(p, cut), Start.from_panel(p, cut), 24, sims=400, seed=seed).by_category()
                actual, at = p.stock(cut + h), sim[:, h - 1]
                mean = at.mean(0)
                errs.append((mean.sum() - actual.sum()) / actual.sum())
                wapes.append(np.abs(mean - actual).sum() / actual.sum())
                lo, hi = np.quantile(at, 0.1, axis=0), np.quantile(at, 0.9, axis=0)
                cat_in.extend(((lo <= actual) & (actual <= hi)).tolist())
                totals = at.sum(1)
                tot_in.append(np.quantile(totals, 0.1) <= actual.sum() <= np.quantile(totals, 0.9))
            print(f"known rates, {name:9} +{h}: total error mean {np.mean(errs):+.1%}, mean absolute "
                  f"{np.mean(np.abs(errs)):.1%}; category WAPE {np.mean(wapes):.1%}; 80% intervals held "
                  f"{np.mean(cat_in):.0%} of categories, {np.mean(tot_in):.0%} of totals ({seeds} returns)")


def synthetic_backtest() -> None:
    if not SHARED.is_dir():
        print("backtest: ../shared/data is not beside the repository: skipped")
        return
    from broker_tui.domain.sufficiency.checks import check_return
    from broker_tui.domain.sufficiency.codes import CodeLists
    from broker_tui.domain.sufficiency.keep import forecast_data
    from broker_tui.domain.sufficiency.ssda903 import read_table_file
    from broker_tui.resources import SEED_DIR
    from broker_tui.services.reference import read_code_list_file

    codes = CodeLists.from_rows(read_code_list_file(SEED_DIR))
    names = ("ssda903_synthetic_header.csv", "ssda903_synthetic_episodes.csv", "ssda903_synthetic_uasc.csv")
    data = forecast_data(check_return([read_table_file(n, (SHARED / n).read_text(), codes) for n in names]))
    p = panel_of_records(data.episodes, data.children)
    for label, cutoffs in (("default six", default_cutoffs(p)), ("all seven", default_cutoffs(p, count=24))):
        results = run_backtest(p, cutoffs)
        for h in (6, 12):
            s = score(results, h)
            worst = max(v["model"] / v["flat"] for v in s.category_wape.values())
            print(f"backtest ({label}: {s.cutoffs[0]} to {s.cutoffs[-1]}) +{h}: category WAPE "
                  f"{s.wape['model']:.1%} (flat {s.wape['flat']:.1%}, drift {s.wape['drift']:.1%}); total MAPE "
                  f"{s.mape['model']:.1%} (flat {s.mape['flat']:.1%}, drift {s.mape['drift']:.1%}); age band x "
                  f"category WAPE {s.band_wape:.1%} (flat {s.band_wape_flat:.1%}); worst category / flat "
                  f"{worst:.2f}; 80% cover {s.coverage:.0%} of categories, {s.total_coverage:.0%} of totals")
        if label == "default six":
            wape, mape = noise_floor(p, cutoffs)
            print(f"backtest noise floor ({label}) +12: at the counted rates held exact, chance alone gives category "
                  f"WAPE {wape:.1%} and total MAPE {mape:.1%}")


def noise_floor(p: Panel, cutoffs: list[int], horizon: int = 12, sims: int = 2000) -> tuple[float, float]:
    """The expected category WAPE and total MAPE at ``horizon`` of a forecast whose rates are exactly right."""
    import broker_tui.domain.sufficiency.simulate as sim_module

    drawn = sim_module._draw_rates

    def held(rates, n, rng):  # type: ignore[no-untyped-def]  # each simulation at the counted rates
        leave, stay, go, lam = drawn(rates, 4000, rng)
        return (np.repeat(leave.mean(0)[None], n, 0), np.repeat(stay.mean(0)[None], n, 0),
                np.repeat(go.mean(0)[None], n, 0), np.full(n, lam.mean()))

    sim_module._draw_rates = held
    try:
        num = den = 0.0
        mapes = []
        for c in cutoffs:
            r = fit_rates(p, c)
            r = type(r)(**{**r.__dict__, "growth_se": 0.0})
            at = simulate(r, Start.from_panel(p, c), horizon, sims=sims, seed=1).by_category()[:, horizon - 1]
            mean = at.mean(0)
            num += float(np.abs(at - mean).sum(1).mean())
            den += float(mean.sum())
            mapes.append(float(np.abs(at.sum(1) - mean.sum()).mean() / mean.sum()))
        return num / den, float(np.mean(mapes))
    finally:
        sim_module._draw_rates = drawn


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=20)
    args = ap.parse_args()
    speed(args.runs)
    synthetic_backtest()
    known_rates(args.seeds)


if __name__ == "__main__":
    main()
