"""A headline figure: a number with what it counts."""

from __future__ import annotations

from textual.widgets import Static


class Figure(Static):
    """A count shown large, with its label under it. Shows an ellipsis until the count arrives."""

    def __init__(self, label: str, *, id: str | None = None):  # noqa: A002
        super().__init__("…", id=id, classes="figure")
        self.border_title = label
        self.label = label

    def show(self, value: int, note: str = "") -> None:
        self.update(f"[b]{value:,}[/b]" + (f"\n[dim]{note}[/dim]" if note else ""))
        self.set_class(value > 0, "-nonzero")
