"""Find placements' filters: the row of fields above the ranked table, and the types sought.

The row is mounted after the screen's first frame (``fill``) so that the ranked table shows first. It
reads what the broker types and posts ``MatchFilters.Changed`` with the filter values that changed
(names of services.placement_search.Filters), or ``MatchFilters.Problem`` when a value cannot be read
(the typed text stays, marked).
"""

from __future__ import annotations

import time
from typing import Any

from textual import on
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label, SelectionList, Switch

from broker_tui.domain.money import MoneyError, format_pence, parse_pence
from broker_tui.domain.vocabulary import SERVICE_TYPES
from broker_tui.services.matching import Filters


def types_list(f: Filters) -> SelectionList[str]:
    types = SelectionList[str](*((t.short, t.code, t.code in f.types) for t in SERVICE_TYPES), id="f-types")
    types.border_title = "Types sought"
    return types


def select_types(types: SelectionList[str], f: Filters) -> None:
    """Tick exactly the types ``f`` seeks."""
    types.deselect_all()
    for code in f.types:
        types.select(code)


def _money(pence: int | None) -> str:
    return format_pence(pence, whole=True) if pence is not None else ""


class MatchFilters(Horizontal):
    # Esc in a filter stays on the screen: it clears the search words if there are any, else goes back to
    # the ranked table (Esc there leaves the screen).
    BINDINGS = [Binding("escape", "escape", "Clear / back to the table", show=False)]

    class Changed(Message):
        def __init__(self, changes: dict[str, Any], typed_at: float) -> None:
            super().__init__()
            self.changes = changes
            self.typed_at = typed_at  # perf_counter() when the field's own Changed event was handled

    class Problem(Message):
        """A field's text cannot be read (``field``: the filter it sets); it stands until that field
        changes again."""

        def __init__(self, field: str, text: str) -> None:
            super().__init__()
            self.field = field
            self.text = text

    def fill(self, f: Filters, *, ad_hoc: bool) -> None:
        self.mount_all([
            Label("Search", classes="filter-label"),
            Input(f.text, id="f-text", classes="filter-input text", placeholder="name, town, need…",
                  tooltip="Narrow the ranking to services whose name, provider, town, authority or specialisms "
                          "match (typos are fine)"),
            Label("Age", classes="filter-label"),
            Input("" if f.age is None else str(f.age), id="f-age", type="integer", classes="filter-input",
                  disabled=not ad_hoc, tooltip="The child's age at the needed-by date"),
            Label("Max miles", classes="filter-label"),
            Input("" if f.max_miles is None else str(f.max_miles), id="f-miles", type="integer",
                  classes="filter-input", placeholder="any"),
            Label("Budget a week", classes="filter-label"),
            Input(_money(f.budget_pence), id="f-budget", classes="filter-input wide", placeholder="none"),
            Label("Show full", classes="filter-label"),
            Switch(f.show_full, id="f-full")])

    def set_values(self, f: Filters) -> None:
        """Show these values without posting changes (reset)."""
        if not self.query("#f-full"):
            return
        with self.prevent(Input.Changed, Switch.Changed):
            self.query_one("#f-text", Input).value = f.text
            self.query_one("#f-age", Input).value = "" if f.age is None else str(f.age)
            self.query_one("#f-miles", Input).value = "" if f.max_miles is None else str(f.max_miles)
            budget = self.query_one("#f-budget", Input)
            budget.value = _money(f.budget_pence)
            budget.remove_class("bad")
            self.query_one("#f-full", Switch).value = f.show_full

    async def action_escape(self) -> None:
        text = self.query_one("#f-text", Input)
        if text.has_focus and text.value:
            text.value = ""
        else:
            await self.run_action("screen.focus_table")

    def _post(self, **changes: Any) -> None:
        self.post_message(self.Changed(changes, time.perf_counter()))

    @on(Input.Changed, "#f-text")
    def _text(self, event: Input.Changed) -> None:
        event.stop()
        self._post(text=event.value)

    @on(Input.Changed, "#f-age")
    def _age(self, event: Input.Changed) -> None:
        event.stop()
        text = event.value.strip()
        if text.isdigit() and 0 <= int(text) <= 25:
            self._post(age=int(text))
        elif not text:
            self._post(age=None)

    @on(Input.Changed, "#f-miles")
    def _miles(self, event: Input.Changed) -> None:
        event.stop()
        text = event.value.strip()
        if text.isdigit() or not text:
            self._post(max_miles=int(text) if text else None)

    @on(Input.Changed, "#f-budget")
    def _budget(self, event: Input.Changed) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            event.input.remove_class("bad")
            self._post(budget_pence=None)
            return
        try:
            pence = parse_pence(text)
        except MoneyError as exc:
            event.input.add_class("bad")
            self.post_message(self.Problem("budget_pence", f"[b red]Budget:[/] {exc}"))
            return
        event.input.remove_class("bad")
        self._post(budget_pence=pence)

    @on(Switch.Changed, "#f-full")
    def _full(self, event: Switch.Changed) -> None:
        event.stop()
        self._post(show_full=event.value)
