"""The forecast tried on the past: refit at earlier cut-offs and compare with the stock that came.

At each cut-off the rates are counted from the history up to it alone, the forecast runs forward, and its
mean at each horizon is set beside the actual stock then, and beside two baselines: flat (the stock stays as
it was at the cut-off) and drift (the last twelve months' change carried on in a straight line, never below
nought). WAPE is the sum of absolute errors over the sum of actuals (by category, and by category and age
band); MAPE the mean over cut-offs of the total's absolute percentage error; coverage the share of
category cells whose actual fell inside the 80% interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from broker_tui.domain.sufficiency.categories import CATEGORIES
from broker_tui.domain.sufficiency.panel import Panel, month_label
from broker_tui.domain.sufficiency.rates import FitOptions, fit_rates
from broker_tui.domain.sufficiency.simulate import Start, simulate


@dataclass(frozen=True)
class CutoffResult:
    cutoff: int
    horizon: int
    actual: np.ndarray  # [categories]
    forecast: np.ndarray  # [categories] mean of the simulations
    low: np.ndarray  # [categories] 10th percentile
    high: np.ndarray  # [categories] 90th percentile
    flat: np.ndarray
    drift: np.ndarray
    actual_bands: np.ndarray  # [categories, bands]
    forecast_bands: np.ndarray
    flat_bands: np.ndarray  # [categories, bands] at the cut-off
    total_low: float
    total_high: float


@dataclass(frozen=True)
class Scores:
    """Errors at one horizon over every cut-off."""

    horizon: int
    cutoffs: tuple[str, ...]
    wape: dict[str, float]  # model | flat | drift
    mape: dict[str, float]
    band_wape: float  # the model's, age band by category
    band_wape_flat: float
    category_wape: dict[str, dict[str, float]]  # category -> model | flat | drift
    coverage: float  # category cells inside the 80% interval
    total_coverage: float


def default_cutoffs(panel: Panel, *, count: int = 6, step: int = 6, horizon: int = 12,
                    options: FitOptions | None = None) -> list[int]:
    """The latest ``count`` cut-offs ``step`` months apart whose ``horizon`` is in the return and that have a
    full window of history; fewer when the return is too short."""
    o = options or FitOptions()
    last, earliest = panel.last - horizon, panel.observed_from + o.window
    return sorted(m for m in range(last, earliest - 1, -step))[-count:]


def run_backtest(panel: Panel, cutoffs: list[int], *, horizons: tuple[int, ...] = (6, 12), sims: int = 500,
                 seed: int = 0, options: FitOptions | None = None) -> list[CutoffResult]:
    if not cutoffs:
        raise ValueError("the return is too short to backtest: it needs a year of history and a year after")
    out: list[CutoffResult] = []
    reach = max(horizons)
    for cutoff in cutoffs:
        if cutoff + reach > panel.last:
            raise ValueError(f"a cut-off at {month_label(cutoff)} has no actual stock {reach} months later")
        rates = fit_rates(panel, cutoff, options)
        sim = simulate(rates, Start.from_panel(panel, cutoff), reach, sims=sims, seed=seed)
        by_cat = sim.by_category()
        now, year_ago = panel.stock(cutoff), panel.stock(max(cutoff - 12, panel.first))
        for h in horizons:
            totals = by_cat[:, h - 1].sum(1)
            out.append(CutoffResult(
                cutoff, h, panel.stock(cutoff + h), by_cat[:, h - 1].mean(0),
                np.quantile(by_cat[:, h - 1], 0.1, axis=0), np.quantile(by_cat[:, h - 1], 0.9, axis=0),
                now.astype(float), np.maximum(now + (now - year_ago) * h / 12, 0).astype(float),
                panel.stock_by_band(cutoff + h), sim.stock[:, h - 1].mean(0), panel.stock_by_band(cutoff),
                float(np.quantile(totals, 0.1)), float(np.quantile(totals, 0.9))))
    return out


def score(results: list[CutoffResult], horizon: int) -> Scores:
    rs = [r for r in results if r.horizon == horizon]
    a = np.array([r.actual for r in rs], dtype=float)
    fits = {"model": np.array([r.forecast for r in rs]), "flat": np.array([r.flat for r in rs]),
            "drift": np.array([r.drift for r in rs])}

    def wape(f: np.ndarray, actual: np.ndarray) -> float:
        return float(np.abs(f - actual).sum() / actual.sum()) if actual.sum() else 0.0

    def mape(f: np.ndarray) -> float:
        t = a.sum(1)
        ok = t > 0
        return float(np.mean(np.abs(f.sum(1)[ok] - t[ok]) / t[ok])) if ok.any() else 0.0

    ab = np.array([r.actual_bands for r in rs], dtype=float)
    fb = np.array([r.forecast_bands for r in rs])
    flat_b = np.array([r.flat_bands for r in rs], dtype=float)
    lo, hi = np.array([r.low for r in rs]), np.array([r.high for r in rs])
    totals = a.sum(1)
    inside = [(r.total_low <= t <= r.total_high) for r, t in zip(rs, totals, strict=True)]
    return Scores(
        horizon, tuple(month_label(r.cutoff) for r in rs),
        {k: wape(f, a) for k, f in fits.items()}, {k: mape(f) for k, f in fits.items()},
        wape(fb, ab), wape(flat_b, ab),
        {c: {k: wape(f[:, i], a[:, i]) for k, f in fits.items()} for i, c in enumerate(CATEGORIES) if a[:, i].sum()},
        float(((a >= lo) & (a <= hi)).mean()), float(np.mean(inside)))
