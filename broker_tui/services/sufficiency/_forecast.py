"""The demand forecast and its backtest over the imported SSDA903 returns (`broker-tui forecast`).

Every import is read together: an episode carried by several returns is the latest return's row. What
leaves here is counts by month, category and age band only: no child id, no date of birth, no postcode.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select

from broker_tui.domain.sufficiency.backtest import Scores, default_cutoffs, run_backtest, score
from broker_tui.domain.sufficiency.categories import BAND_NAMES, CATEGORIES, CATEGORY_LABELS
from broker_tui.domain.sufficiency.market import FosterSupply
from broker_tui.domain.sufficiency.panel import (
    CareEpisode,
    Panel,
    as_day,
    build_panel,
    month_end,
    month_label,
)
from broker_tui.domain.sufficiency.rates import FitOptions, fit_rates
from broker_tui.domain.sufficiency.simulate import Scenario, Shift, Start, simulate
from broker_tui.services.context import AppContext
from broker_tui.services.private_files import write_private
from broker_tui.store.tables import Ssda903Child, Ssda903Episode, Ssda903Oc3

HISTORY_MONTHS = 36  # months of actual stock shown before the forecast


class NoReturn(LookupError):
    """No SSDA903 return has been imported."""

    def __init__(self) -> None:
        super().__init__("no SSDA903 return has been imported: read one first with broker-tui ssda903 import DIR")


@dataclass(frozen=True)
class ForecastRun:
    made_at: dt.datetime
    scenario: str
    entrants_percent: float
    simulations: int
    cutoff: str  # yyyy-mm: the last month of actual stock
    months: tuple[str, ...]  # the forecast months, yyyy-mm
    history_months: tuple[str, ...]
    history: tuple[tuple[int, ...], ...]  # [history month][category]
    mean: tuple[tuple[float, ...], ...]  # [month][category]
    low: tuple[tuple[float, ...], ...]  # 10th percentile
    high: tuple[tuple[float, ...], ...]  # 90th percentile
    total_mean: tuple[float, ...]
    total_low: tuple[float, ...]
    total_high: tuple[float, ...]
    by_band: tuple[tuple[tuple[float, ...], ...], ...]  # [month][category][band] mean
    entries_per_month: float
    entry_growth: float  # a year's entries against the year before's
    leaving_per_month: float  # the share of children in care who leave in a month (the window's)
    unreturned: int
    turning_18: tuple[tuple[str, float, float, float], ...] = ()  # (year's last month, mean, low, high) each year
    oc3_year: str = ""  # the latest return year with care leavers' OC3 rows ("" none)
    oc3_accommodation: tuple[tuple[str, str, int], ...] = ()  # that year's ACCOM codes, their words, how many
    councils: tuple[str, ...] = ()  # the LA columns of the returns read ("" a return with no LA column)
    scenario_from: str = ""  # yyyy-mm the scenario starts ("" from the start)
    shifts: tuple[tuple[str, str, int], ...] = ()  # (from category, to category, places) the scenario shifts

    def shift_words(self) -> str:
        """The scenario's shifts in words ("" none)."""
        return "; ".join(f"up to {n} placed in {CATEGORY_LABELS[b].lower()} instead of {CATEGORY_LABELS[a].lower()}"
                         for a, b, n in self.shifts)

    def as_json(self) -> dict[str, Any]:
        """The forecast for a file: months, categories and age bands only, no child identifier."""
        return {
            "made_at": self.made_at.isoformat(timespec="seconds"),
            "scenario": self.scenario,
            "entrants_percent": self.entrants_percent,
            "shifts": [{"from": a, "to": b, "places": n} for a, b, n in self.shifts],
            "simulations": self.simulations,
            "last_actual_month": self.cutoff,
            "categories": [{"code": c, "label": CATEGORY_LABELS[c]} for c in CATEGORIES],
            "age_bands": list(BAND_NAMES),
            "rates": {"entries_per_month": round(self.entries_per_month, 2),
                      "entry_growth_per_year": round(self.entry_growth, 3),
                      "leaving_per_month": round(self.leaving_per_month, 4)},
            "episodes_left_open_in_an_earlier_return": self.unreturned,
            "councils": list(self.councils),
            "turning_18": [{"year_to": m, "mean": round(mu, 1), "low": round(lo, 1), "high": round(hi, 1)}
                           for m, mu, lo, hi in self.turning_18],
            "care_leavers_oc3": {"return_year": self.oc3_year or None,
                                 "accommodation": {code: n for code, _, n in self.oc3_accommodation},
                                 "accommodation_words": {code: words for code, words, _ in self.oc3_accommodation}},
            "history": [{"month": m, **dict(zip(CATEGORIES, row, strict=True)), "total": sum(row)}
                        for m, row in zip(self.history_months, self.history, strict=True)],
            "forecast": [
                {"month": m, "total": {"mean": round(t, 1), "low": round(lo, 1), "high": round(hi, 1)},
                 **{c: {"mean": round(mu, 1), "low": round(a, 1), "high": round(b, 1)}
                    for c, mu, a, b in zip(CATEGORIES, mean, low, high, strict=True)}}
                for m, t, lo, hi, mean, low, high in zip(self.months, self.total_mean, self.total_low, self.total_high,
                                                         self.mean, self.low, self.high, strict=True)],
            "by_age_band": [
                {"month": m, "category": c, **{b: round(v, 1) for b, v in zip(BAND_NAMES, bands, strict=True)}}
                for i, m in enumerate(self.months) if (i + 1) % 12 == 0 or i == len(self.months) - 1
                for c, bands in zip(CATEGORIES, self.by_band[i], strict=True)],
        }


@dataclass(frozen=True)
class BacktestReport:
    cutoffs: tuple[str, ...]
    scores: tuple[Scores, ...]  # one per horizon
    simulations: int
    unreturned: int

    def as_json(self) -> dict[str, Any]:
        return {
            "cutoffs": list(self.cutoffs),
            "simulations": self.simulations,
            "horizons": [{"months": s.horizon, "category_wape": s.wape, "total_mape": s.mape,
                          "age_band_by_category_wape": {"model": s.band_wape, "flat": s.band_wape_flat},
                          "per_category_wape": s.category_wape,
                          "coverage_80": {"categories": s.coverage, "total": s.total_coverage}}
                         for s in self.scores],
        }


def forecast_panel(ctx: AppContext) -> Panel:
    """Children in care month by month from every imported return (the settings' category map)."""
    e, c = Ssda903Episode.__table__.c, Ssda903Child.__table__.c
    with ctx.engine.connect() as con:
        rows = con.execute(select(e.la, e.child_id, e.decom, e.dec, e.place, e.place_provider, e.return_year)).all()
        kids = con.execute(select(c.la, c.child_id, c.birth_month)).all()
    if not rows:
        raise NoReturn()
    latest: dict[tuple[str, int, dt.date], Any] = {}
    for r in rows:
        key = (r.la, r.child_id, as_day(r.decom))
        if key not in latest or latest[key].return_year <= r.return_year:
            latest[key] = r
    episodes = [CareEpisode((r.la, r.child_id), as_day(r.decom), as_day(r.dec) if r.dec else None, r.place,
                            r.place_provider, r.return_year, r.la) for r in latest.values()]
    births: dict[Any, tuple[int, int] | None] = {}
    for k in kids:
        if k.birth_month:
            births[(k.la, k.child_id)] = (int(k.birth_month[:4]), int(k.birth_month[5:7]))
    return build_panel(episodes, births, ctx.settings.forecast.categories)


def run_forecast(ctx: AppContext, *, years: int = 5, scenario: str | None = None, sims: int = 1000,
                 seed: int = 0) -> ForecastRun:
    """Forecast children in care month by month for ``years`` years from the end of the latest return.
    KeyError names the known scenarios when ``scenario`` is not one of the settings'."""
    if not 1 <= years <= 5:
        raise ValueError("a forecast runs for 1 to 5 years")
    setting = ctx.settings.forecast.scenario(scenario) if scenario else None
    panel = forecast_panel(ctx)
    cutoff = panel.last
    rates = fit_rates(panel, cutoff, FitOptions())
    scen = Scenario()
    if setting is not None:
        start = None if setting.from_month is None else setting.from_month[0] * 12 + setting.from_month[1] - 1
        if start is not None and start > cutoff + years * 12:
            raise ValueError(f"the scenario {setting.name} starts in {month_label(start)}, after the forecast ends "
                             f"({month_label(cutoff + years * 12)}): it would change nothing")
        shifts = setting.shifts + _household_shift(ctx, setting.foster_households)
        scen = Scenario(setting.name, setting.entrant_factor, start,
                        tuple(Shift(CATEGORIES.index(a), CATEGORIES.index(b), n) for a, b, n in shifts))
    sim = simulate(rates, Start.from_panel(panel, cutoff), years * 12, sims=sims, seed=seed, scenario=scen)
    by_cat = sim.by_category()
    low, high = sim.interval()
    totals = by_cat.sum(2)
    first_hist = max(panel.observed_from + 1, cutoff - HISTORY_MONTHS + 1)
    hist = range(first_hist, cutoff + 1)
    leaving = float(rates.leave_events.sum() / max(rates.leave_exposure.sum(), 1e-9))
    return ForecastRun(
        ctx.clock.now(), scen.name, (scen.entrant_factor - 1) * 100, sims, month_label(cutoff),
        tuple(month_label(cutoff + 1 + i) for i in range(years * 12)),
        tuple(month_label(m) for m in hist), tuple(tuple(int(x) for x in panel.stock(m)) for m in hist),
        _rows(by_cat.mean(0)), _rows(low), _rows(high),
        tuple(float(x) for x in totals.mean(0)), tuple(float(x) for x in _q(totals, 0.1)),
        tuple(float(x) for x in _q(totals, 0.9)),
        tuple(tuple(tuple(float(v) for v in cat) for cat in month) for month in sim.mean()),
        rates.entry_rate(), rates.growth, leaving, panel.unreturned, _turning_18(sim, years * 12),
        *_oc3(ctx), _councils(ctx), "" if scen.from_month is None else month_label(scen.from_month),
        tuple((CATEGORIES[sh.source], CATEGORIES[sh.target], sh.places) for sh in scen.shifts))


def _household_shift(ctx: AppContext, households: int) -> tuple[tuple[str, str, int], ...]:
    """Added in-house foster households take children who would go to agencies' carers, as many as the places
    the gap counts for them (domain.sufficiency.market.household_places); households taken away send children
    the other way."""
    from broker_tui.domain.sufficiency.market import household_places

    n = household_places(foster_supply(ctx), abs(households)) if households else 0
    if n <= 0:
        return ()
    pair = ("external_fostering", "in_house_fostering") if households > 0 else ("in_house_fostering",
                                                                               "external_fostering")
    return ((*pair, n),)


def foster_supply(ctx: AppContext) -> FosterSupply:
    """The council's in-house foster households (not archived, of an in-house fostering service not
    archived): how many, their places, the places free."""
    from broker_tui.store.tables import FosterHousehold, Service

    fh, s = FosterHousehold.__table__.c, Service.__table__.c
    with ctx.engine.connect() as con:
        row = con.execute(
            select(func.count(), func.coalesce(func.sum(fh.places), 0), func.coalesce(func.sum(fh.free_places), 0))
            .join(Service.__table__, s.id == fh.service_id)
            .where(fh.archived_on.is_(None), s.archived_on.is_(None), s.service_type == "fostering_in_house")).one()
    return FosterSupply(int(row[0]), int(row[1]), int(row[2]))


def _turning_18(sim: Any, months: int) -> tuple[tuple[str, float, float, float], ...]:
    """Children reaching 18 in care in each forecast year (care leavers who will need 18+ accommodation)."""
    out = []
    per_sim = sim.turned_18.sum(2)  # [sims, months]
    for start in range(0, months, 12):
        year = per_sim[:, start:start + 12].sum(1)
        out.append((month_label(sim.first + min(start + 11, months - 1)), float(year.mean()),
                    float(np.quantile(year, 0.1)), float(np.quantile(year, 0.9))))
    return tuple(out)


def _councils(ctx: AppContext) -> tuple[str, ...]:
    e = Ssda903Episode.__table__.c
    with ctx.engine.connect() as con:
        return tuple(str(la) for la in con.execute(select(e.la).distinct().order_by(e.la)).scalars())


def _oc3(ctx: AppContext) -> tuple[str, tuple[tuple[str, str, int], ...]]:
    """The latest return year's care leavers (OC3) by accommodation code, with the code's words."""
    from broker_tui.services.reference import ssda903_code_lists

    o = Ssda903Oc3.__table__.c
    with ctx.engine.connect() as con:
        latest = con.execute(select(func.max(o.return_year))).scalar()
        if latest is None:
            return "", ()
        rows = con.execute(select(o.accom, func.count()).where(o.return_year == latest).group_by(o.accom)
                           .order_by(func.count().desc(), o.accom)).all()
    codes = ssda903_code_lists()

    def words(accom: str) -> str:
        found = codes.get("ACCOM", accom) if accom else None
        return found.description if found else ("not given" if not accom else "not a known code")

    return str(latest), tuple((accom or "not given", words(accom), int(n)) for accom, n in rows)


def _rows(a: Any) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(float(v) for v in row) for row in a)


def _q(a: Any, q: float) -> Any:
    return np.quantile(a, q, axis=0)


def backtest(ctx: AppContext, *, cutoffs: int = 6, step: int = 6, sims: int = 500, seed: int = 0) -> BacktestReport:
    """Refit at ``cutoffs`` past cut-offs ``step`` months apart (the latest first back) and score +6 and +12."""
    panel = forecast_panel(ctx)
    chosen = default_cutoffs(panel, count=cutoffs, step=step)
    if len(chosen) < 2:
        months = panel.last - panel.observed_from
        raise ValueError(f"the imported return covers {months} months from the start of its first collection year "
                         f"(to {month_end(panel.last):%d/%m/%Y}); a backtest needs 30 or more: a year to learn from, "
                         "a year to check and two cut-offs six months apart")
    results = run_backtest(panel, chosen, sims=sims, seed=seed)
    return BacktestReport(tuple(month_label(c) for c in chosen), (score(results, 6), score(results, 12)), sims,
                          panel.unreturned)


def write_forecast_json(run: ForecastRun, path: str | Path) -> Path:
    """The forecast as JSON in an owner-only file written whole (FileRefused says why not)."""
    return write_private(path, json.dumps(run.as_json(), indent=1) + "\n")
