"""`broker-tui forecast run|backtest`: demand for places from the imported SSDA903 returns."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from broker_tui.cli import Root, fail, ready, say
from broker_tui.domain.sufficiency.months import month_words

if TYPE_CHECKING:
    from broker_tui.services.context import AppContext


def finite(_ctx: click.Context, param: click.Parameter, value: float) -> float:
    """A distance must be a number (click's FloatRange lets 'nan' through)."""
    if value != value or value in (float("inf"), float("-inf")):  # NaN is not equal to itself
        raise click.BadParameter("must be a number of miles from 0 to 500", param=param)
    return value


@click.group()
def forecast() -> None:
    """Children in care by placement category and age band, month by month, from the SSDA903 returns."""


@forecast.command("run")
@click.option("--years", type=click.IntRange(1, 5), default=5, show_default=True, help="How far ahead (1 to 5).")
@click.option("--scenario", metavar="NAME", help="A scenario from the settings ([forecast.scenarios.NAME]).")
@click.option("--sims", type=click.IntRange(100, 5000), default=1000, show_default=True,
              help="Simulations (the 80% interval is their 10th to 90th percentile).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "xlsx"]), default="text", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE.json or FILE.xlsx instead (xlsx needs it).")
@click.option("--within", "miles", type=click.FloatRange(0, 500), default=20.0, show_default=True, callback=finite,
              help="xlsx: the register within this many miles of the home area's centre, beside the local area.")
@click.pass_obj
def run_cmd(root: Root, years: int, scenario: str | None, sims: int, fmt: str, out: Path | None,
            miles: float) -> None:
    """Forecast from the end of the latest return: the mean of the simulations and its 80% interval, by
    category, each year; --format json (to --out FILE) gives every month and the age bands; --format xlsx
    --out FILE.xlsx writes the commissioning plan's workbook (the forecast, age bands, the gap against the
    market and its diversity, the decline evidence from the search logs, with charts). Counts only: no child
    identifier leaves the database."""
    import json

    from broker_tui.domain.sufficiency.categories import CATEGORIES, CATEGORY_LABELS
    from broker_tui.services.private_files import FileRefused
    from broker_tui.services.sufficiency import NoReturn, run_forecast, write_forecast_json

    if out is not None and fmt == "text":
        fail("--out writes a file: add --format json or --format xlsx")
    if fmt == "xlsx" and (out is None or out.suffix.lower() != ".xlsx"):
        fail("--format xlsx writes a workbook: add --out FILE.xlsx")
    ctx = ready(root)
    if fmt == "xlsx":
        assert out is not None  # checked above
        _workbook(ctx, out, years, scenario, sims, miles)
        return
    try:
        done = run_forecast(ctx, years=years, scenario=scenario, sims=sims)
    except (NoReturn, ValueError) as exc:  # no return; one too short to learn from; a scenario after the end
        fail(str(exc), 1)
    except KeyError as exc:
        fail(f"--scenario: {exc.args[0]}")
    if fmt == "json":
        if out is None:
            say(json.dumps(done.as_json(), indent=1))
            return
        try:
            path = write_forecast_json(done, out)
        except FileRefused as exc:
            fail(str(exc), 1)
        say(f"Wrote the forecast ({len(done.months)} months, {done.simulations} simulations) to {path}")
        return
    say(f"Children in care: forecast from the end of {month_words(done.cutoff)} ({done.scenario}, "
        f"{done.simulations} simulations; mean and 80% interval)")
    if done.shifts:
        say(f"The scenario places children elsewhere: {done.shift_words()}"
            + (f", from {month_words(done.scenario_from)}" if done.scenario_from else ""))
    ends = [i for i in range(11, len(done.months), 12)]
    head = f"{'':26}{'now':>8}" + "".join(f"{month_words(done.months[i]):>18}" for i in ends)
    say(head)
    now = done.history[-1]
    for k, c in enumerate(CATEGORIES):
        cells = "".join(f"{_cell(done.mean[i][k], done.low[i][k], done.high[i][k]):>18}" for i in ends)
        say(f"{CATEGORY_LABELS[c]:26}{now[k]:>8}{cells}")
    cells = "".join(f"{_cell(done.total_mean[i], done.total_low[i], done.total_high[i]):>18}" for i in ends)
    say(f"{'Total':26}{sum(now):>8}{cells}")
    say("Turning 18 in care (care leavers who will need 18+ accommodation): " + ", ".join(
        f"year to {month_words(m)} {_cell(mu, lo, hi)}" for m, mu, lo, hi in done.turning_18))
    if done.oc3_year:
        say(f"Care leavers' accommodation in the {done.oc3_year} return (OC3): "
            + "; ".join(f"{code} {n}" if code == words else f"{code} ({words}) {n}"
                        for code, words, n in done.oc3_accommodation))
    say(f"Entries {done.entries_per_month:.1f} a month (trend {done.entry_growth:.2f} a year); "
        f"{done.leaving_per_month:.1%} of children in care leave in a month, besides those turning 18")
    if len(done.councils) > 1:
        say(f"Note: the forecast pools {len(done.councils)} councils' returns: {', '.join(done.councils)}")
    if done.unreturned:
        say(f"Note: {done.unreturned} episode(s) were left open in a return that no later return carries; "
            "they are counted as still open")


def _workbook(ctx: AppContext, out: Path, years: int, scenario: str | None, sims: int, miles: float) -> None:
    from broker_tui.services.private_files import FileRefused
    from broker_tui.services.sufficiency import NoReturn, decline_evidence, market_gap, write_workbook

    try:
        gap = market_gap(ctx, miles=miles, years=years, scenario=scenario, sims=sims)
        path = write_workbook(gap, out, decline_evidence(ctx))
    except (NoReturn, ValueError) as exc:  # no return; one too short to learn from; a scenario after the end
        fail(str(exc), 1)
    except KeyError as exc:
        fail(f"--scenario: {exc.args[0]}")
    except FileRefused as exc:
        fail(str(exc), 1)
    say(f"Wrote the commissioning plan's workbook ({len(gap.forecast.months)} months, {gap.forecast.simulations} "
        f"simulations; the gap and diversity within {miles:g} miles) to {path}")


@forecast.command("gap")
@click.option("--years", type=click.IntRange(1, 5), default=5, show_default=True)
@click.option("--scenario", metavar="NAME", help="A scenario from the settings ([forecast.scenarios.NAME]).")
@click.option("--within", "miles", type=click.FloatRange(0, 500), default=20.0, show_default=True, callback=finite,
              help="The register within this many miles of the home area's centre, beside the local area.")
@click.option("--sims", type=click.IntRange(100, 5000), default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the gap, age bands and diversity as JSON.")
@click.pass_obj
def gap_cmd(root: Root, years: int, scenario: str | None, miles: float, sims: int, as_json: bool) -> None:
    """The forecast at each year's end beside what the market can supply: the council's own places (in-house
    homes, foster households' places, block units in force, a scenario's additions) and the register's places
    in the local area and within reach. Gap: forecast less own places (positive: a shortfall the market
    must meet); the register's places are shared with every council, so they stand beside it."""
    import json

    from broker_tui.domain.sufficiency.categories import CATEGORY_LABELS
    from broker_tui.services.sufficiency import NoReturn, market_gap

    ctx = ready(root)
    try:
        gap = market_gap(ctx, miles=miles, years=years, scenario=scenario, sims=sims)
    except (NoReturn, ValueError) as exc:  # no return; one too short to learn from; a scenario after the end
        fail(str(exc), 1)
    except KeyError as exc:
        fail(f"--scenario: {exc.args[0]}")
    if as_json:
        say(json.dumps(gap.as_json(), indent=1))
        return
    say(f"The gap against the market: forecast from the end of {month_words(gap.forecast.cutoff)} "
        f"({gap.forecast.scenario}); "
        f"own places: in-house, block units, scenario; register: in the area / within {miles:g} miles")
    say(f"{'':26}{'year end':>10}{'forecast':>10}{'own':>6}{'gap':>8}{'area':>7}{'within':>8}")
    for r in gap.rows:
        say(f"{CATEGORY_LABELS[r.category]:26}{r.day:%b %Y}".ljust(36) + f"{r.demand:>10.0f}{r.own.total:>6}"
            f"{round(r.gap):>+8d}{r.reach.places_in_area:>7}{r.reach.places_within:>8}")
    f = gap.foster
    say(f"In-house foster households: {f.households} with {f.places} places ({f.free_places} free). Fostering "
        "agencies register no places: see broker-tui sufficiency diversity")


def _cell(mean: float, low: float, high: float) -> str:
    return f"{mean:.0f} ({low:.0f}-{high:.0f})"


@forecast.command("backtest")
@click.option("--cutoffs", type=click.IntRange(2, 24), default=6, show_default=True,
              help="How many past cut-offs (the latest, 6 months apart).")
@click.option("--sims", type=click.IntRange(100, 5000), default=500, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.pass_obj
def backtest_cmd(root: Root, cutoffs: int, sims: int, as_json: bool) -> None:
    """Refit the forecast at past cut-offs from the history before each alone and score it at +6 and +12
    months against the actual stock, beside flat (stock stays) and drift (the last year's change goes on):
    WAPE over categories and cut-offs, MAPE of the total, age band by category WAPE, 80% interval cover."""
    import json

    from broker_tui.domain.sufficiency.categories import CATEGORY_LABELS
    from broker_tui.services.sufficiency import NoReturn, backtest

    ctx = ready(root)
    try:
        report = backtest(ctx, cutoffs=cutoffs, sims=sims)
    except (NoReturn, ValueError) as exc:
        fail(str(exc), 1)
    if as_json:
        say(json.dumps(report.as_json(), indent=1))
        return
    say(f"Backtest at {len(report.cutoffs)} cut-offs: {', '.join(month_words(c) for c in report.cutoffs)} "
        f"({report.simulations} simulations)")
    for s in report.scores:
        say(f"+{s.horizon} months        model    flat   drift")
        say(f"  category WAPE  {s.wape['model']:6.1%}  {s.wape['flat']:6.1%}  {s.wape['drift']:6.1%}")
        say(f"  total MAPE     {s.mape['model']:6.1%}  {s.mape['flat']:6.1%}  {s.mape['drift']:6.1%}")
        say(f"  age band x category WAPE {s.band_wape:.1%} (flat {s.band_wape_flat:.1%})")
        for c, v in s.category_wape.items():
            say(f"    {CATEGORY_LABELS[c]:24} {v['model']:6.1%}  {v['flat']:6.1%}  {v['drift']:6.1%}")
        say(f"  80% intervals held {s.coverage:.0%} of category actuals, {s.total_coverage:.0%} of totals")


COMMANDS = (forecast,)
