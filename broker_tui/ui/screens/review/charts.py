"""The Charts tab, drawn in the terminal with textual-plotext (imported here only: the app starts without it):
utilisation by month of the contracts shown (lines), spend by month on blocks against spot for each cohort
(bars, one chart per cohort: never summed as one), and the cost had a block held k units, with the best k
marked, for one cohort and category at a time (``k`` chooses the next).

Each chart keeps what it last drew in ``series`` (name -> values), so what is on screen can be checked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static
from textual_plotext.plot import Plot

from broker_tui.services.review import ContractReview, Review, SizeReview
from broker_tui.ui.screens.review.rows import short_cohort
from broker_tui.ui.widgets.chart import RememberingChart

MOST_LINES = 8
LINE_COLORS = ("cyan", "orange", "green", "magenta", "yellow", "blue", "red", "white")
BLOCK_COLOR, SPOT_COLOR, BEST_COLOR, NOW_COLOR = "cyan", "orange", "green", "magenta"


def month_label(month: dt.date) -> str:
    return month.strftime("%b %y")


def pounds(pence: int) -> float:
    """Pence as pounds, for a chart's scale only (figures shown as text stay in exact pence)."""
    return pence / 100


def money_ticks(plt: Plot, values: Sequence[float]) -> None:
    """Five y ticks from 0 to the highest value, labelled in whole pounds."""
    top = max([0.0, *values])
    ticks = [top * i / 4 for i in range(5)] if top else [0.0]
    plt.yticks(ticks, [f"£{v:,.0f}" for v in ticks])


ReviewChart = RememberingChart  # what it drew is kept in ``series``


def _months(contracts: Sequence[ContractReview]) -> list[dt.date]:
    return sorted({m.month for c in contracts for m in c.monthly})


class UtilisationChart(ReviewChart):
    def draw(self, contracts: Sequence[ContractReview], more: int) -> None:
        title = "Utilisation by month (%)"
        if more:
            title += f", first {len(contracts)} of {len(contracts) + more} contracts"
        self.start(title)
        months = _months(contracts)
        if not contracts or not months:
            self.nothing("No block contract in the period matches the filters")
            return
        at = {m: i for i, m in enumerate(months)}
        for colour, c in zip(LINE_COLORS, contracts, strict=False):
            points = [(at[m.month], float(m.utilisation) * 100) for m in c.monthly if m.utilisation is not None]
            if not points:
                continue
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            self.series[c.reference] = ys
            self.plt.plot(xs, ys, label=c.reference, color=colour, marker="braille")
        step = max(1, len(months) // 6)
        ticks = list(range(0, len(months), step))
        self.plt.xticks([float(i) for i in ticks], [month_label(months[i]) for i in ticks])
        self.plt.xlim(0, max(1, len(months) - 1))
        self.plt.ylim(0, 100)
        self.plt.yticks([0, 25, 50, 75, 100])
        self.refresh()


class SpendChart(ReviewChart):
    def draw(self, review: Review, cohort: str) -> None:
        self.start(f"{review.cohorts.get(cohort, cohort).split(' (')[0]}: spend by month")
        spend = sorted((s for s in review.spend if s.cohort == cohort), key=lambda s: s.month)
        if not any(s.block_pence or s.spot_pence for s in spend):
            self.nothing("Nothing paid for this cohort in the period")
            return
        labels = [month_label(s.month) for s in spend]
        block = [pounds(s.block_pence) for s in spend]
        spot = [pounds(s.spot_pence) for s in spend]
        self.series = {"block": block, "spot": spot}
        # plotext takes a label and a colour per series here; its stub knows only one of each
        money_ticks(self.plt, block + spot)
        self.plt.multiple_bar(labels, [block, spot], labels=["Block", "Spot"],  # type: ignore[call-arg]
                              color=[BLOCK_COLOR, SPOT_COLOR], width=0.5)  # type: ignore[arg-type]
        self.plt.xlim(0.5, len(labels) + 0.5)  # the first and last months' bars whole
        step = max(1, len(labels) // 6)  # plotext would choose the ticks itself, differently from run to run
        self.plt.xticks([float(i + 1) for i in range(0, len(labels), step)], labels[::step])
        self.refresh()


class SizeChart(ReviewChart):
    def draw(self, size: SizeReview | None, choice: int, choices: int) -> None:
        if size is None:
            self.start("Cost against block size")
            self.nothing("No 16+ category in the period matches the filters")
            return
        which = f"{short_cohort(size.cohort)} {size.category_label.split(' / ')[0]}"
        self.start(f"{which}: cost by block size [{choice + 1}/{choices}]")
        if not size.costs_pence:
            self.nothing(size.note or "Could not be worked for this category")
            return
        ks = list(range(len(size.costs_pence)))
        costs = [pounds(c) for c in size.costs_pence]
        self.series = {"cost": costs}
        self.plt.plot(ks, costs, label="cost at k units", color=BLOCK_COLOR, marker="braille")
        if size.best_k is not None and size.best_pence is not None:
            self.series["best"] = [float(size.best_k), pounds(size.best_pence)]
            self.plt.scatter([size.best_k], [pounds(size.best_pence)], label=f"best: {size.best_k} units",
                             color=BEST_COLOR, marker="●")
        if 0 <= size.units_now < len(costs):
            self.plt.scatter([size.units_now], [costs[size.units_now]], label=f"now: {size.units_now} units",
                             color=NOW_COLOR, marker="◆")
        step = max(1, len(ks) // 10)
        self.plt.xticks([float(k) for k in ks[::step]], [str(k) for k in ks[::step]])
        self.plt.xlabel("units in the block (k)")
        low, high = min(costs), max(costs)
        ticks = [low + (high - low) * i / 4 for i in range(5)] if high > low else [low]
        self.plt.yticks(ticks, [f"£{v:,.0f}" for v in ticks])
        self.refresh()


class ChartsPane(Vertical):
    """The Charts tab: the utilisation and block size charts above, a spend chart per cohort below."""

    def __init__(self, *, id: str) -> None:  # noqa: A002
        super().__init__(id=id)
        self.size_choice = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="rv-charts-note")
        with Horizontal(classes="rv-chart-row"):
            yield UtilisationChart(id="rv-chart-use")
            yield SizeChart(id="rv-chart-size")
        with Horizontal(classes="rv-chart-row", id="rv-spend-row"):
            yield SpendChart(id="rv-chart-spend-0")
            yield SpendChart(id="rv-chart-spend-1")

    def draw(self, review: Review, contracts: Sequence[ContractReview], sizes: Sequence[SizeReview],
             cohort: str | None) -> None:
        """Draw from the review: ``contracts`` and ``sizes`` as the tables show them (filtered, in order)."""
        shown = list(contracts[:MOST_LINES])
        self.query_one(UtilisationChart).draw(shown, len(contracts) - len(shown))
        workable = [s for s in sizes if s.costs_pence] or list(sizes)
        self.size_choice = self.size_choice % len(workable) if workable else 0
        self.query_one(SizeChart).draw(workable[self.size_choice] if workable else None, self.size_choice,
                                       len(workable))
        cohorts = [k for k in review.cohorts if cohort is None or k == cohort]
        for i, chart in enumerate(self.query(SpendChart)):
            chart.display = i < len(cohorts)
            if i < len(cohorts):
                chart.draw(review, cohorts[i])
        self.query_one("#rv-charts-note", Static).update(
            "Charts follow the cohort and word filters and the Contracts tab's sort · k: the next category's "
            "block size · each cohort's spend is drawn apart")
