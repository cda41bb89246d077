"""A textual-plotext chart that remembers what it last drew (``series``: name -> values, so what is on screen can
be checked) and says so when it has nothing to draw. Imported only by the screens that draw charts: the app
starts without plotext."""

from __future__ import annotations

from textual_plotext import PlotextPlot


class RememberingChart(PlotextPlot):
    def __init__(self, *, id: str) -> None:  # noqa: A002
        super().__init__(id=id)
        self.series: dict[str, list[float]] = {}
        self.heading = ""

    def start(self, title: str) -> None:
        self.series = {}
        self.heading = title
        self.plt.clear_figure()
        self.plt.title(title)

    def nothing(self, why: str) -> None:
        self.plt.xticks([], [])
        self.plt.yticks([], [])
        self.plt.text(why, x=0, y=0, alignment="center")
        self.plt.xlim(-1, 1)
        self.plt.ylim(-1, 1)
        self.refresh()
