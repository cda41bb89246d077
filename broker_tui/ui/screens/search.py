"""Find placements: the market ranked for a referral (or for an ad hoc search), explained, and what was
excluded and why.

Opened from a referral, its profile fills the filters (types sought, maximum distance, budget); opened
empty, the broker types them in (with the child's age). The market snapshot is loaded once in a worker
(services.matching caches it on the AppContext; the referral screen warms it), then every change of a
filter ranks again in a thread worker after a short pause (DEBOUNCE), and the newest ranking wins.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Label, SelectionList, Static, Switch

from broker_tui.domain.matching import MatchResult, rank
from broker_tui.domain.matching_request import request_from_referral
from broker_tui.domain.money import MoneyError, format_pence, parse_pence
from broker_tui.domain.vocabulary import SERVICE_TYPES
from broker_tui.services.matching import LoadedMarket, config_for, load_market
from broker_tui.services.referral_views import ReferralView
from broker_tui.ui.widgets.match_results import (
    ExcludedTable,
    MatchTable,
    excluded_detail,
    result_detail,
    status_text,
)

DEBOUNCE = 0.15  # seconds after the last change of a filter before ranking again
TOP_N = 50  # results explained and shown
EXCLUDED_SHOWN = 500  # excluded services listed (of the types sought); the rest are counted


@dataclass(frozen=True)
class Filters:
    types: tuple[str, ...] = ()
    age: int | None = None
    max_miles: int | None = None
    budget_pence: int | None = None
    show_full: bool = False


def filters_of(view: ReferralView | None) -> Filters:
    if view is None:
        return Filters()
    v = view.values
    return Filters(types=tuple(v.get("types_sought") or ()), age=view.age_years,
                   max_miles=v.get("max_distance_miles"), budget_pence=v.get("budget_weekly_pence"))


def rank_for(ctx: Any, market: LoadedMarket, view: ReferralView | None, f: Filters) -> MatchResult:
    """The referral's request with the filters laid over it (an ad hoc search starts from nothing)."""
    values: dict[str, Any] = dict(view.values) if view is not None else {}
    values.update(types_sought=list(f.types), max_distance_miles=f.max_miles, budget_weekly_pence=f.budget_pence)
    same_age = view is not None and f.age == view.age_years
    request = request_from_referral(values, age_years=f.age or 0,
                                    eighteenth_birthday=view.eighteenth_birthday if same_age and view else None,
                                    today=ctx.today(), district=market.district)
    return rank(market.arrays, request, config_for(ctx, market, top_n=TOP_N, show_full=f.show_full))


@dataclass(frozen=True)
class Prepared:
    """A referral's ranking worked out ahead (the referral screen does it in a worker when it opens)."""

    referral: ReferralView
    market: LoadedMarket
    result: MatchResult | None


def prepare(ctx: Any, view: ReferralView) -> Prepared:
    """Read (or reuse) the market snapshot and rank it for the referral's own profile (call from a worker)."""
    market = load_market(ctx)
    f = filters_of(view)
    result = rank_for(ctx, market, view, f) if f.types and f.age is not None else None
    return Prepared(view, market, result)


class MatchSearchScreen(Screen[None]):
    """Which services could take this child, best first, and why; what was left out, and why."""

    TITLE = "Find placements"
    CSS_PATH = "search.tcss"
    AUTO_FOCUS = "#match-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("x", "toggle_excluded", "Excluded"),
        Binding("f", "toggle_full", "Show full"),
        Binding("t", "focus_types", "Types"),
        Binding("d", "focus_miles", "Distance", show=False),
        Binding("b", "focus_budget", "Budget", show=False),
        Binding("ctrl+t", "focus_table", "Table", show=False),
        Binding("ctrl+r", "reset_filters", "Reset filters"),
    ]

    def __init__(self, referral: ReferralView | None = None, prepared: Prepared | None = None) -> None:
        super().__init__()
        self.referral = referral
        self.prepared = prepared if prepared is not None and prepared.referral is referral else None
        self.filters = filters_of(referral)
        self.market: LoadedMarket | None = None
        self.result: MatchResult | None = None
        self.showing_excluded = False
        self._excluded: list[Any] | None = None
        self._generation = 0
        self._debounce: Timer | None = None
        self.results_painted = asyncio.Event()  # set when a ranking is on screen (tests and bench/ wait on it)

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Horizontal(id="match-filters")  # filled after the first frame, as the types list is
        yield Static("Loading the market…", id="match-status")
        with Vertical(id="match-body"):
            yield MatchTable(id="match-table")
            yield ExcludedTable(id="excluded-table")
        with Horizontal(id="match-lower"):
            yield Vertical(id="types-box")  # the types list is mounted after the first frame (it is slow to build)
            with VerticalScroll(id="match-detail"):
                yield Static("", id="match-why")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.referral.case_ref if self.referral is not None else "ad hoc search"
        self.query_one("#match-detail").border_title = "Why"
        self.query_one("#excluded-table").display = False
        ready = self.prepared
        if ready is not None and ready.result is not None:
            # ranked ahead: show it in the first frame, then check in a worker that the market has not moved
            self.market = ready.market
            self._generation += 1
            self.show_result(self._generation, ready.result, None)
            self.call_after_refresh(self.load_snapshot)
        else:
            self.query_one("#match-table").loading = True
            self.load_snapshot()
        self.call_after_refresh(self._mount_types)

    def _mount_types(self) -> None:
        """The filters, mounted after the first frame: the ranked table shows first."""
        f = self.filters
        self.query_one("#match-filters").mount_all([
            Label("Age", classes="filter-label"),
            Input("" if f.age is None else str(f.age), id="f-age", type="integer", classes="filter-input",
                  disabled=self.referral is not None, tooltip="The child's age at the needed-by date"),
            Label("Max miles", classes="filter-label"),
            Input("" if f.max_miles is None else str(f.max_miles), id="f-miles", type="integer",
                  classes="filter-input", placeholder="any"),
            Label("Budget a week", classes="filter-label"),
            Input(format_pence(f.budget_pence, whole=True) if f.budget_pence is not None else "", id="f-budget",
                  classes="filter-input wide", placeholder="none"),
            Label("Show full", classes="filter-label"),
            Switch(f.show_full, id="f-full")])
        types = SelectionList[str](*((t.short, t.code, t.code in f.types) for t in SERVICE_TYPES), id="f-types")
        types.border_title = "Types sought"
        self.query_one("#types-box").mount(types)

    # -- reading and ranking -------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="match-market")
    def load_snapshot(self) -> None:
        ctx = self.app.ctx  # type: ignore[attr-defined]
        try:
            market = load_market(ctx)
        except Exception as exc:  # noqa: BLE001  (shown on the screen)
            self.app.call_from_thread(self.show_error, exc)
            return
        self.app.call_from_thread(self.market_ready, market)

    def market_ready(self, market: LoadedMarket) -> None:
        if self.market is not None and self.result is not None and market.key == self.market.key:
            return  # the ranking on screen was made from this very snapshot
        self.market = market
        self.rerank()

    def rerank(self) -> None:
        """Rank for the current filters now (the newest ranking wins)."""
        if self.market is None:
            return
        self._generation += 1
        self.results_painted.clear()
        self._excluded = None
        if not self.filters.types:
            self.show_message("Tick the types sought (t) to rank the market.")
            return
        if self.filters.age is None:
            self.show_message("Type the child's age to rank the market.")
            return
        self.run_rank(self._generation, self.filters)

    @work(thread=True, exclusive=True, group="match-rank")
    def run_rank(self, generation: int, filters: Filters) -> None:
        ctx = self.app.ctx  # type: ignore[attr-defined]
        assert self.market is not None
        try:
            result = rank_for(ctx, self.market, self.referral, filters)
            excluded = self._sought_exclusions(result) if self.showing_excluded else None
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.show_error, exc)
            return
        self.app.call_from_thread(self.show_result, generation, result, excluded)

    @staticmethod
    def _sought_exclusions(result: MatchResult) -> list[Any]:
        sought = set(result.request.types_sought)
        return [e for e in result.excluded if e.service.service_type in sought]

    @work(thread=True, exclusive=True, group="match-excluded")
    def load_excluded(self, generation: int, result: MatchResult) -> None:
        excluded = self._sought_exclusions(result)
        self.app.call_from_thread(self.show_excluded, generation, excluded)

    def show_result(self, generation: int, result: MatchResult, excluded: list[Any] | None) -> None:
        if generation != self._generation:
            return  # a newer change of the filters is on its way
        self.result = result
        table = self.query_one(MatchTable)
        table.loading = False
        table.show(result.results)
        if excluded is not None:
            self.show_excluded(generation, excluded)
        self._status()
        self._show_detail()
        self.call_after_refresh(self.results_painted.set)

    def show_excluded(self, generation: int, excluded: list[Any]) -> None:
        if generation != self._generation:
            return
        self._excluded = excluded
        table = self.query_one(ExcludedTable)
        table.loading = False
        table.show(excluded[:EXCLUDED_SHOWN])
        self._status()
        self._show_detail()

    def show_message(self, text: str) -> None:
        self.result = None
        table = self.query_one(MatchTable)
        table.loading = False
        table.show([])
        self.query_one(ExcludedTable).show([])
        self.query_one("#match-status", Static).update(text)
        self.query_one("#match-why", Static).update("")
        self.call_after_refresh(self.results_painted.set)

    def show_error(self, exc: Exception) -> None:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        self.query_one(MatchTable).loading = False
        self.query_one("#match-status", Static).update(f"[b red]Could not rank the market:[/] {first}")

    def _status(self) -> None:
        if self.result is not None:
            text = status_text(self.result, self._excluded if self.showing_excluded else None,
                               excluded_view=self.showing_excluded, listed=EXCLUDED_SHOWN)
            self.query_one("#match-status", Static).update(text)

    def _show_detail(self) -> None:
        why = self.query_one("#match-why", Static)
        if self.showing_excluded:
            table = self.query_one(ExcludedTable)
            item = table.item(table.cursor_row)
            why.update(excluded_detail(item) if item is not None else "")
            return
        table = self.query_one(MatchTable)
        item = table.item(table.cursor_row)
        if item is None or self.result is None:
            why.update("No service to explain." if self.result is not None else "")
            return
        why.update(result_detail(item, self.result.ranked_from))

    @on(DataTable.RowHighlighted)
    @on(DataTable.RowSelected)
    def row_moved(self) -> None:
        self._show_detail()

    # -- filters -------------------------------------------------------------------------------
    def _changed(self, **changes: Any) -> None:
        filters = replace(self.filters, **changes)
        if filters == self.filters:
            return
        self.filters = filters
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE, self._debounced)

    def _debounced(self) -> None:
        self._debounce = None
        self.rerank()

    @on(Input.Changed, "#f-age")
    def age_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if text.isdigit() and 0 <= int(text) <= 25:
            self._changed(age=int(text))
        elif not text:
            self._changed(age=None)

    @on(Input.Changed, "#f-miles")
    def miles_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if text.isdigit() or not text:
            self._changed(max_miles=int(text) if text else None)

    @on(Input.Changed, "#f-budget")
    def budget_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if not text:
            event.input.remove_class("bad")
            self._changed(budget_pence=None)
            return
        try:
            pence = parse_pence(text)
        except MoneyError as exc:
            event.input.add_class("bad")
            self.query_one("#match-status", Static).update(f"[b red]Budget:[/] {exc}")
            return
        event.input.remove_class("bad")
        self._changed(budget_pence=pence)

    @on(Switch.Changed, "#f-full")
    def full_changed(self, event: Switch.Changed) -> None:
        self._changed(show_full=event.value)

    @on(SelectionList.SelectedChanged, "#f-types")
    def types_changed(self, event: SelectionList.SelectedChanged) -> None:
        chosen = set(event.selection_list.selected)
        self._changed(types=tuple(t.code for t in SERVICE_TYPES if t.code in chosen))

    # -- actions -------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.dismiss()

    def action_toggle_excluded(self) -> None:
        self.showing_excluded = not self.showing_excluded
        results, excluded = self.query_one(MatchTable), self.query_one(ExcludedTable)
        results.display, excluded.display = not self.showing_excluded, self.showing_excluded
        self.query_one("#match-detail").border_title = "Why excluded" if self.showing_excluded else "Why"
        (excluded if self.showing_excluded else results).focus()
        if self.showing_excluded and self._excluded is None and self.result is not None:
            excluded.loading = True
            self.load_excluded(self._generation, self.result)
        self._status()
        self._show_detail()

    def action_toggle_full(self) -> None:
        for switch in self.query("#f-full").results(Switch):
            switch.value = not switch.value

    def action_focus_types(self) -> None:
        for types in self.query("#f-types"):
            types.focus()

    def action_focus_miles(self) -> None:
        for field in self.query("#f-miles"):
            field.focus()

    def action_focus_budget(self) -> None:
        for field in self.query("#f-budget"):
            field.focus()

    def action_focus_table(self) -> None:
        self.query_one(ExcludedTable if self.showing_excluded else MatchTable).focus()

    def action_reset_filters(self) -> None:
        """Back to the referral's own profile (an ad hoc search: to nothing)."""
        f = filters_of(self.referral)
        if not self.query("#f-full"):
            return  # the filters are not mounted yet
        with self.prevent(Input.Changed, Switch.Changed, SelectionList.SelectedChanged):
            self.query_one("#f-age", Input).value = "" if f.age is None else str(f.age)
            self.query_one("#f-miles", Input).value = "" if f.max_miles is None else str(f.max_miles)
            self.query_one("#f-budget", Input).value = (format_pence(f.budget_pence, whole=True)
                                                         if f.budget_pence is not None else "")
            self.query_one("#f-full", Switch).value = f.show_full
            for types in self.query("#f-types").results(SelectionList):
                types.deselect_all()
                for code in f.types:
                    types.select(code)
        self.filters = f
        self.rerank()
