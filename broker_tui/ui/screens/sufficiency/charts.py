"""The sufficiency screen's charts, drawn in the terminal with textual-plotext (imported here only: the app
starts without it): children in care, actual then forecast with its 80% band; the gap against the council's
own places by category; declines by reason. Each chart keeps what it last drew in ``series``."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from broker_tui.domain.sufficiency.categories import CATEGORIES, CATEGORY_LABELS
from broker_tui.services.sufficiency import ForecastRun, MarketGap
from broker_tui.ui.widgets.chart import RememberingChart

ACTUAL, MEAN, BAND = "cyan", "orange", "gray"
GAP_CATEGORIES = ("in_house_fostering", "external_fostering", "residential", "supported")


def short_month(label: str) -> str:
    """'2023-03' as 'Mar 23'."""
    names = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{names[int(label[5:7]) - 1]} {label[2:4]}"


SufficiencyChart = RememberingChart  # what it drew is kept in ``series``


class ForecastChart(SufficiencyChart):
    def draw(self, run: ForecastRun | None, category: str | None = None) -> None:
        """The total (or one category): the history as it was, then the forecast's mean between its 80% band."""
        what = "Children in care" if category is None else CATEGORY_LABELS[category]
        self.start(f"{what}: actual, then forecast with its 80% interval")
        if run is None:
            self.nothing("No forecast: import an SSDA903 return (broker-tui ssda903 import DIR)")
            return
        k = None if category is None else CATEGORIES.index(category)
        hist = [float(sum(row) if k is None else row[k]) for row in run.history]
        mean = list(run.total_mean) if k is None else [row[k] for row in run.mean]
        low = list(run.total_low) if k is None else [row[k] for row in run.low]
        high = list(run.total_high) if k is None else [row[k] for row in run.high]
        n = len(hist)
        xs_hist, xs_ahead = list(range(n)), list(range(n - 1, n + len(mean)))
        # the forecast starts from the last actual month, so the lines meet
        self.series = {"actual": hist, "mean": mean, "low": low, "high": high}
        self.plt.plot(xs_ahead, [hist[-1], *high], color=BAND, marker="braille", label="80% interval")
        self.plt.plot(xs_ahead, [hist[-1], *low], color=BAND, marker="braille")
        self.plt.plot(xs_hist, hist, color=ACTUAL, marker="braille", label="actual")
        self.plt.plot(xs_ahead, [hist[-1], *mean], color=MEAN, marker="braille", label="forecast (mean)")
        labels = [*run.history_months, *run.months]
        step = max(1, len(labels) // 8)
        self.plt.xticks([float(i) for i in range(0, len(labels), step)],
                        [short_month(labels[i]) for i in range(0, len(labels), step)])
        self.plt.xlim(0, len(labels) - 1)
        self.plt.ylim(0, max([1.0, *hist, *high]) * 1.05)
        self.refresh()


class GapChart(Static):
    """A diverging bar for each category and year's end: a shortfall (forecast above the council's own places)
    to the right of the axis, a surplus to the left, scaled to the largest; the figure beside each bar."""

    HALF = 40  # characters each side of the axis

    def __init__(self, *, id: str) -> None:  # noqa: A002
        super().__init__("", id=id)
        self.series: dict[str, list[float]] = {}

    def draw(self, gap: MarketGap | None) -> None:
        title = Text("Gap: forecast less the council's own places (right of the axis: a shortfall the market "
                     "must meet; left: own places to spare)\n", style="bold")
        if gap is None or not gap.rows:
            self.series = {}
            self.update(title + Text("No forecast: import an SSDA903 return (broker-tui ssda903 import DIR)"))
            return
        days = sorted({r.day for r in gap.rows})
        by = {(r.category, r.day): r.gap for r in gap.rows}
        self.series = {c: [round(by.get((c, d), 0.0), 1) for d in days] for c in GAP_CATEGORIES}
        top = max([1.0, *(abs(v) for vs in self.series.values() for v in vs)])
        out = title
        for c in GAP_CATEGORIES:
            for d, v in zip(days, self.series[c], strict=True):
                n = round(abs(v) / top * self.HALF)
                left = (" " * (self.HALF - n) + "█" * n) if v < 0 else " " * self.HALF
                right = "█" * n if v > 0 else ""
                out += Text(f"{CATEGORY_LABELS[c][:24]:24} {d:%b %Y} ")
                out += Text(left, style="green") + Text("│") + Text(right.ljust(self.HALF), style="red")
                out += Text(f" {round(v):+d}\n")
        self.update(out)


class DeclinesChart(Static):
    """Declines by coded reason, a bar a reason (in the vocabulary's order), scaled to the largest, the count
    beside each: text, so every reason keeps its own line at any width."""

    BAR = 36  # characters for the largest count

    def __init__(self, *, id: str) -> None:  # noqa: A002
        super().__init__("", id=id)
        self.series: dict[str, list[float]] = {}

    def draw(self, reasons: Sequence[tuple[str, int]]) -> None:
        title = Text("Declines by reason (the brokers' search logs)\n\n", style="bold")
        if not reasons or not any(n for _, n in reasons):
            self.series = {}
            self.update(title + Text("No provider has declined a referral in the period"))
            return
        self.series = {"declines": [float(n) for _, n in reasons]}
        top = max(n for _, n in reasons)
        out = title
        for label, n in reasons:
            bar = "█" * round(n / top * self.BAR) if n else ""
            out += Text(f"{label[:10]:>10} ") + Text(bar, style="dark_orange") + Text(f" {n}\n\n")
        self.update(out)
