"""Sufficiency (F10): the demand forecast from the imported SSDA903 returns beside what the market can supply.

The bar chooses the scenario (the settings' [forecast.scenarios]), how many years, and the distance that counts
as within reach; a scenario or years chosen, ctrl+r, or Enter in the distance works it out again in a worker.
Tabs: 1 Forecast (a chart of children in care, actual then forecast with its 80% band, for the total or a
category: g chooses; a table by category and year), 2 Gap (a bar chart and the table against the council's
own places and the register), 3 Diversity, 4 Declines (from the search logs of the referrals received in the
period chosen there: by reason, and the longest searches by case reference). p goes to the declines' period;
x writes the commissioning plan's workbook (counts only); i reads an SSDA903 return."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static, TabbedContent, TabPane

from broker_tui.domain.dates import add_months, format_date
from broker_tui.domain.sufficiency.categories import CATEGORIES, CATEGORY_LABELS
from broker_tui.domain.sufficiency.months import month_words
from broker_tui.services.sufficiency import DeclineEvidence, MarketGap, NoReturn, decline_evidence, market_gap
from broker_tui.ui.base import BrokerScreen, background
from broker_tui.ui.widgets.in_order_input import InOrderInput

TABS = ("sf-forecast-tab", "sf-gap-tab", "sf-diversity-tab", "sf-declines-tab")
BASELINE = "baseline"
SHORT_REASONS = {"no_vacancy": "No place", "cannot_meet_needs": "Needs", "location": "Location", "price": "Price",
                 "impact": "Impact", "other": "Other"}  # the chart's labels (the table says them in full)
DEFAULT_MILES = "20"
PERIODS = [("every referral", 0), ("the last 3 months", 3), ("the last 6 months", 6), ("the last 12 months", 12),
           ("the last 2 years", 24)]  # declines: referrals received in ... (months; 0: all)


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"


def cell(mean: float, low: float, high: float) -> str:
    return f"{mean:.0f} ({low:.0f}–{high:.0f})"


class SufficiencyScreen(BrokerScreen[None]):
    TITLE = "Sufficiency"
    AUTO_FOCUS = "#sf-tabs"
    CSS_PATH = "sufficiency.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "apply", "Work out"),
        Binding("g", "next_category", "Chart: next category"),
        Binding("x", "export", "Workbook"),
        Binding("i", "import_return", "Read a return"),
        Binding("p", "period", "Declines period"),
        *(Binding(str(n), f"tab({n - 1})", f"Tab {n}", show=False) for n in range(1, len(TABS) + 1)),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.gap: MarketGap | None = None
        self.declines: DeclineEvidence | None = None
        self.read_note = ""  # what the last return read said
        self.chart_category: str | None = None  # None: the total
        self._generation = 0
        self._declines_generation = 0
        self._applied: tuple[object, object] | None = None  # the scenario and years last worked out
        self._period_read: object = None  # the declines period last read

    def compose(self) -> ComposeResult:
        from broker_tui.ui.screens.sufficiency.charts import (  # plotext: only here
            DeclinesChart,
            ForecastChart,
            GapChart,
        )

        scenarios = [(BASELINE, BASELINE), *((s.name, s.name) for s in self.ctx.settings.forecast.scenarios)]
        yield Header()
        with Horizontal(id="sf-bar"):
            yield Label("Scenario", classes="sf-label")
            yield Select(scenarios, value=BASELINE, allow_blank=False, id="sf-scenario", compact=True)
            yield Label("Years", classes="sf-label")
            yield Select([(str(n), n) for n in range(1, 6)], value=5, allow_blank=False, id="sf-years",
                         compact=True)
            yield Label("Within (miles)", classes="sf-label")
            with Vertical(id="sf-miles-box"):
                yield InOrderInput(DEFAULT_MILES, id="sf-miles", compact=True)
                yield Static("", id="sf-miles-error")
        with TabbedContent(id="sf-tabs"):
            with TabPane("1 Forecast", id=TABS[0]):
                yield ForecastChart(id="sf-chart-forecast")
                yield DataTable(id="sf-forecast", cursor_type="row", zebra_stripes=True)
            with TabPane("2 Gap", id=TABS[1]):
                yield GapChart(id="sf-chart-gap")
                yield DataTable(id="sf-gap", cursor_type="row", zebra_stripes=True)
            with TabPane("3 Diversity", id=TABS[2]):
                yield Static("", id="sf-diversity-note")
                yield DataTable(id="sf-diversity", cursor_type="row", zebra_stripes=True)
            with TabPane("4 Declines", id=TABS[3]):
                with Horizontal(id="sf-period-bar"):
                    yield Label("Referrals received in", classes="sf-label")
                    yield Select(PERIODS, value=0, allow_blank=False, id="sf-period", compact=True)
                with Horizontal(id="sf-declines-row"):
                    yield DeclinesChart(id="sf-chart-declines")
                    yield DataTable(id="sf-reasons", cursor_type="row", zebra_stripes=True)
                yield Static("", id="sf-declines-note")
                yield DataTable(id="sf-longest", cursor_type="row", zebra_stripes=True)
        yield Static("", id="sf-status")
        yield Footer()

    def on_mount(self) -> None:
        self.action_apply()

    # ---- working it out --------------------------------------------------------------------------
    def _miles(self) -> float | None:
        box = self.query_one("#sf-miles", Input)
        error = self.query_one("#sf-miles-error", Static)
        try:
            miles = float(box.value.strip())
        except ValueError:
            miles = -1.0
        if not 0 <= miles <= 500:
            error.update("a distance in miles, 0 to 500")
            error.set_class(True, "has-error")
            box.focus()
            return None
        error.update("")
        error.set_class(False, "has-error")
        return miles

    def action_apply(self) -> None:
        self._apply()

    def _apply(self) -> bool:
        miles = self._miles()
        if miles is None:
            return False
        scenario = self.query_one("#sf-scenario", Select).value
        years = self.query_one("#sf-years", Select).value
        self._generation += 1
        self.query_one("#sf-tabs", TabbedContent).loading = True
        self.say(f"Working out the forecast ({scenario}, {years} years) and the market within {miles:g} miles…")
        self._applied = (scenario, years)
        self._declines_generation += 1  # a period's reading still under way is now stale
        self._period_read = self.query_one("#sf-period", Select).value
        self._work(self._generation, self._declines_generation, miles, int(years) if isinstance(years, int) else 5,
                   None if scenario == BASELINE else str(scenario), self._since())
        return True

    @on(Select.Changed, "#sf-scenario, #sf-years")
    def _choice_changed(self) -> None:
        """A scenario or a number of years chosen is worked out at once (the distance waits for Enter); the
        choices' own first values as the screen mounts change nothing (on_mount has worked them out)."""
        now = (self.query_one("#sf-scenario", Select).value, self.query_one("#sf-years", Select).value)
        if self._applied is not None and now != self._applied:
            self._apply()

    @on(Input.Submitted, "#sf-miles")
    def _submitted(self) -> None:
        """Enter works it out and leaves the distance for the tab shown (its keys are letters and digits)."""
        if self._apply():
            self._focus_table()

    def _focus_table(self) -> None:
        tab = self.query_one("#sf-tabs", TabbedContent).active
        tables = {TABS[0]: "#sf-forecast", TABS[1]: "#sf-gap", TABS[2]: "#sf-diversity", TABS[3]: "#sf-longest"}
        self.query_one(tables.get(tab, "#sf-forecast"), DataTable).focus()

    def _since(self) -> dt.date | None:
        months = self.query_one("#sf-period", Select).value
        return add_months(self.ctx.today(), -months) if isinstance(months, int) and months else None

    @on(Select.Changed, "#sf-period")
    def _period_changed(self) -> None:
        value = self.query_one("#sf-period", Select).value
        if self._period_read is None or value == self._period_read:
            return
        self._period_read = value
        self._declines_generation += 1
        self._declines_work(self._declines_generation, self._since())

    @background("sf-declines", "read the decline evidence")
    def _declines_work(self, generation: int, since: dt.date | None) -> None:
        ev = decline_evidence(self.ctx, since=since)
        self.app.call_from_thread(self._declines_read, generation, ev)

    def _declines_read(self, generation: int, ev: DeclineEvidence) -> None:
        if generation == self._declines_generation:
            self._declines(ev)

    @background("sf-work", "work out the forecast and the market")
    def _work(self, generation: int, declines_generation: int, miles: float, years: int, scenario: str | None,
              since: dt.date | None) -> None:
        # the declines go on screen unless a period chosen since has been read (or is being read) meanwhile
        self.app.call_from_thread(self._declines_read, declines_generation, decline_evidence(self.ctx, since=since))
        try:
            gap = market_gap(self.ctx, miles=miles, years=years, scenario=scenario)
        except NoReturn as exc:
            self.app.call_from_thread(self._none, generation, str(exc) + ", or press i here")
            return
        except ValueError as exc:  # a return too short to learn from; a scenario that starts after the end
            self.app.call_from_thread(self._none, generation, str(exc))
            return
        self.app.call_from_thread(self._show, generation, gap)

    def _none(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self.query_one("#sf-tabs", TabbedContent).loading = False
        self.gap = None
        self._charts()
        self.say(message[0].upper() + message[1:])

    def _show(self, generation: int, gap: MarketGap) -> None:
        if generation != self._generation:
            return
        self.gap = gap
        self.query_one("#sf-tabs", TabbedContent).loading = False
        self._forecast_table(gap)
        self._gap_table(gap)
        self._diversity_table(gap)
        self._charts()
        if self.app.focused is None:  # the tabs were loading: what had the focus in them lost it
            self._focus_table()
        run = gap.forecast
        note = (f"; {run.unreturned} episode(s) left open in a return no later return carries (kept open)"
                if run.unreturned else "")
        pooled = f"; pools {len(run.councils)} councils' returns" if len(run.councils) > 1 else ""
        if run.shifts:
            pooled += f"; {run.shift_words()}"
        if self.read_note:
            note += f". {self.read_note}"
            self.read_note = ""
        self.say(f"Forecast from the end of {month_words(run.cutoff)}: {run.simulations} simulations, scenario "
                 f"{run.scenario}; entries {run.entries_per_month:.1f} a month, {run.leaving_per_month:.1%} leave a "
                 f"month besides those turning 18{pooled}{note}")

    def say(self, text: str) -> None:
        self.query_one("#sf-status", Static).update(text)

    # ---- tables and charts -----------------------------------------------------------------------
    def _forecast_table(self, gap: MarketGap) -> None:
        run = gap.forecast
        table = self.query_one("#sf-forecast", DataTable)
        table.clear(columns=True)
        ends = list(range(11, len(run.months), 12))
        table.add_columns("Category", f"Now ({month_words(run.cutoff)})", *(month_words(run.months[i]) for i in ends))
        now = run.history[-1]
        for k, c in enumerate(CATEGORIES):
            table.add_row(CATEGORY_LABELS[c], str(now[k]),
                          *(cell(run.mean[i][k], run.low[i][k], run.high[i][k]) for i in ends), key=c)
        table.add_row("Total", str(sum(now)),
                      *(cell(run.total_mean[i], run.total_low[i], run.total_high[i]) for i in ends), key="total")
        table.add_row("Turning 18 in the year", "",
                      *(cell(mu, lo, hi) for _, mu, lo, hi in run.turning_18[: len(ends)]), key="turning_18")

    def _gap_table(self, gap: MarketGap) -> None:
        table = self.query_one("#sf-gap", DataTable)
        table.clear(columns=True)
        table.add_columns("Category", "Year end", "Forecast", "80% high", "In-house", "Block", "Scenario", "Gap",
                          "Register: area", f"Within {gap.miles:g} mi", "No places stated")
        for r in gap.rows:
            table.add_row(CATEGORY_LABELS[r.category], r.day.strftime("%b %Y"), f"{r.demand:.0f}",
                          f"{r.demand_high:.0f}", str(r.own.in_house_places), str(r.own.block_units),
                          str(r.own.scenario_places), f"{round(r.gap):+d}", str(r.reach.places_in_area),
                          str(r.reach.places_within), str(r.reach.unstated))

    def _diversity_table(self, gap: MarketGap) -> None:
        table = self.query_one("#sf-diversity", DataTable)
        table.clear(columns=True)
        table.add_columns("Category", "Reach", "Providers", "Share of", "Total", "Largest provider", "Share", "HHI",
                          "If it failed: places", "our children", "vacancies elsewhere", "taken?")
        for d in gap.diversity:
            absorbs = "not known" if d.absorbs is None else ("yes" if d.absorbs else "NO")
            vacancies = "not known" if d.vacancies_elsewhere is None else \
                f"{d.vacancies_elsewhere} (at {d.vacancies_known_at})"
            table.add_row(CATEGORY_LABELS[d.category], d.reach, str(d.providers), d.basis, str(d.total),
                          d.largest or "–", f"{d.largest_share:.0%}", f"{d.hhi:,.0f}", str(d.displaced_places),
                          str(d.displaced_children), vacancies, absorbs)
        f = gap.foster
        self.query_one("#sf-diversity-note", Static).update(
            f"HHI: the sum of squared percentage shares (above 2,500: highly concentrated). In-house foster "
            f"households: {f.households} with {f.places} places ({f.free_places} free). Fostering agencies "
            "register no places: their shares are of agencies.")

    def _declines(self, ev: DeclineEvidence) -> None:
        from broker_tui.ui.screens.sufficiency.charts import DeclinesChart

        self.declines = ev
        d = ev.declines
        self.query_one("#sf-chart-declines", DeclinesChart).draw(
            [(SHORT_REASONS.get(r.reason, r.label), r.declines) for r in d.reasons])
        reasons = self.query_one("#sf-reasons", DataTable)
        reasons.clear(columns=True)
        reasons.add_columns("Reason", "Declines", "Of answers", "Of declines")
        for r in d.reasons:
            reasons.add_row(r.label, str(r.declines), _pct(r.share_of_answers), _pct(r.share_of_declines))
        offered, declined, waiting = (d.answers.get(a, 0) for a in ("offered", "declined", "no_reply"))
        period = f"referrals received from {format_date(ev.since)}" if ev.since else "every referral"
        self.query_one("#sf-declines-note", Static).update(
            f"From the search logs, {period}: {d.referrals} referral(s) sent to {d.approaches} service(s); "
            f"{offered} offer(s), {declined} decline(s), {waiting} with no reply. The longest searches (broker-tui sufficiency declines "
            "breaks declines down by need, risk, age band, service type and area):")
        longest = self.query_one("#sf-longest", DataTable)
        longest.clear(columns=True)
        longest.add_columns("Case", "Placed", "Days", "Services approached", "Offers", "Declines")
        for s in d.longest:
            longest.add_row(s.case_ref, "yes" if s.placed else "still searching", str(s.days),
                            str(s.services_approached), str(s.offers), str(s.declines))

    def _charts(self) -> None:
        from broker_tui.ui.screens.sufficiency.charts import ForecastChart, GapChart

        run = self.gap.forecast if self.gap else None
        self.query_one("#sf-chart-forecast", ForecastChart).draw(run, self.chart_category)
        self.query_one("#sf-chart-gap", GapChart).draw(self.gap)

    def action_next_category(self) -> None:
        order: list[str | None] = [None, *CATEGORIES]
        self.chart_category = order[(order.index(self.chart_category) + 1) % len(order)]
        self._charts()

    def action_tab(self, index: int) -> None:
        self.query_one("#sf-tabs", TabbedContent).active = TABS[index]

    def action_period(self) -> None:
        """The declines tab, with its period's choice focused (Enter opens it)."""
        self.action_tab(3)
        self.query_one("#sf-period", Select).focus()

    # ---- the workbook ----------------------------------------------------------------------------
    def action_export(self) -> None:
        if self.gap is None:
            self.say("Nothing to write yet: the forecast needs an imported SSDA903 return")
            return
        from broker_tui.ui.screens.sufficiency.export import ExportPlanDialog

        self.app.push_screen(ExportPlanDialog(self.gap, self.declines), self._exported)

    def action_import_return(self) -> None:
        from broker_tui.ui.screens.sufficiency.import_return import ImportReturnDialog

        self.app.push_screen(ImportReturnDialog(), self._imported)

    def _imported(self, message: str | None) -> None:
        if message:
            self.read_note = message  # said again once the forecast is worked out
            self.action_apply()
            self.say(message + " · working out the forecast again…")

    def _exported(self, message: str | None) -> None:
        if message:
            self.say(message)
