"""Find placements: the market ranked for a referral (or for an ad hoc search), explained; what was excluded
and why; the shortlist and sending the referral to it.

Opened from a referral, its profile fills the filters (types sought, maximum distance, budget); opened
empty, the broker types them in (with the child's age). The market snapshot is loaded once in a worker
(services.matching caches it on the AppContext; the referral screen warms it), then every change of a
filter ranks again in a thread worker after a short pause (DEBOUNCE), and the newest ranking wins. The free
text (/) only narrows the ranking already made (services.matching.narrow), so it runs at once on every
keystroke, in a thread worker, without the pause; the Why pane follows once typing pauses (DETAIL_PAUSE),
so a keystroke repaints the table and the status line, not the pane's layout.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, SelectionList, Static, Switch

from broker_tui.domain.vocabulary import SERVICE_TYPES
from broker_tui.services.matching import (
    ExcludedView,
    Filters,
    LoadedMarket,
    Narrowed,
    Prepared,
    filters_of,
    load_market_unsaved,
    narrow,
    rank_for,
)
from broker_tui.services.outreach import Shortlist, sent_service_ids
from broker_tui.services.referrals import ReferralView
from broker_tui.ui.base import background
from broker_tui.ui.collector import TypingScreen
from broker_tui.ui.screens.matching.deferred import DeferredWork
from broker_tui.ui.screens.matching.filters import MatchFilters, select_types, types_list
from broker_tui.ui.screens.matching.results import (
    ExcludedPane,
    ExcludedTable,
    ExplainedOnce,
    MatchTable,
    excluded_detail,
    result_detail,
    status_text,
)
from broker_tui.ui.screens.matching.sending import ShortlistActions

DEBOUNCE = 0.15  # seconds after the last change of a ranking filter before ranking again
DETAIL_PAUSE = 0.2  # seconds after the last text narrowing before the Why pane explains the highlighted row


class MatchSearchScreen(TypingScreen, ShortlistActions, DeferredWork):
    """Which services could take this child, best first, and why; what was left out, and why."""

    TITLE = "Find placements"
    CSS_PATH = "search.tcss"
    AUTO_FOCUS = "#match-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("space", "shortlist", "Shortlist"),
        Binding("s", "send", "Send"),
        Binding("slash", "focus_on('f-text')", "Search"),
        Binding("x", "toggle_excluded", "Excluded"),
        Binding("f", "toggle_full", "Show full"),
        Binding("t", "focus_on('f-types')", "Types"),
        Binding("d", "focus_on('f-miles')", "Distance", show=False),
        Binding("b", "focus_on('f-budget')", "Budget", show=False),
        Binding("ctrl+t", "focus_table", "Table", show=False),
        Binding("ctrl+r", "reset_filters", "Reset"),
    ]

    def __init__(self, referral: ReferralView | None = None, prepared: Prepared | None = None) -> None:
        super().__init__()
        self.referral = referral
        self.prepared = prepared if prepared is not None and prepared.referral is referral else None
        self.filters = filters_of(referral)
        self.market: LoadedMarket | None = None
        self.shown: Narrowed | None = None
        self.showing_excluded = False
        self._excluded: ExcludedView | None = None  # of the types sought, counted; rows described a page at a time
        self.shortlist = Shortlist()
        self._generation = 0
        self._debounce: Timer | None = None
        self._detail_timer: Timer | None = None  # the Why pane, waiting for typing to pause
        self._ranking = False  # a ranking is on its way (it reads the free text itself)
        self._explained = ExplainedOnce()  # what the detail pane shows
        self.results_painted = asyncio.Event()  # set when a ranking is on screen (tests and bench/ wait on it)
        self._keep_file: Callable[[], None] | None = None  # writes the market file read for this screen
        self._text_warmed = False  # the free-text index asked for (once the first ranking is painted)
        self.typed_at = self.painted_at = 0.0  # the last filter change and paint (perf_counter; bench/)
        self._problems: dict[str, str] = {}  # a filter whose text cannot be read -> what is wrong with it

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield MatchFilters(id="match-filters")  # filled after the first frame, as the types list is
        yield Static("Loading the market…", id="match-status")
        with Vertical(id="match-body"):
            yield MatchTable(id="match-table")
            yield ExcludedPane(id="excluded-pane")
        with Horizontal(id="match-lower"):
            yield Vertical(id="types-box")  # the types list is mounted after the first frame (it is slow to build)
            with VerticalScroll(id="match-detail"):
                yield Static("", id="match-why")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.referral.case_ref if self.referral is not None else "ad hoc search"
        self.query_one("#match-detail").border_title = "Why"
        self.query_one("#excluded-pane").display = False
        ready = self.prepared
        if ready is not None and ready.result is not None:
            # ranked ahead: show it in the first frame, then check in a worker that the market has not moved
            self.market = ready.market
            self._generation += 1
            self.show_result(self._generation, Narrowed(ready.result, "", ready.result.results,
                                                        ready.result.total_candidates), None)
            self.call_after_refresh(self.load_snapshot)
        else:
            self.query_one("#match-table").loading = True
            self.load_snapshot()
        self.call_after_refresh(self._mount_filters)
        if self.referral is not None:  # its shortlist is kept while the app runs
            self.shortlist = self.broker_app.shortlists.setdefault(str(self.referral.id), self.shortlist)
            self.load_sent()

    def _mount_filters(self) -> None:
        """The filters, mounted after the first frame: the ranked table shows first."""
        self.query_one(MatchFilters).fill(self.filters, ad_hoc=self.referral is None)
        self.query_one("#types-box").mount(types_list(self.filters))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.referral is not None or action not in ("shortlist", "send")  # ad hoc: no referral to send

    # -- reading and ranking -------------------------------------------------------------------
    @background("match-market", "read the market for matching")
    def load_snapshot(self) -> None:
        ctx = self.ctx
        try:
            market, keep_file = load_market_unsaved(ctx)  # the file for the next start: once ranked (_painted)
        except Exception as exc:  # noqa: BLE001  (shown on the screen)
            self.app.call_from_thread(self.show_error, exc)
            return
        self.app.call_from_thread(self.market_ready, market, keep_file)

    @background("match-sent", "read where this referral was sent")
    def load_sent(self) -> None:
        ctx, referral = self.ctx, self.referral
        if referral is None:
            return
        try:
            sent = sent_service_ids(ctx, referral)
        except Exception:  # noqa: BLE001  (the marks are a help; sending refuses a second send anyway)
            return
        self.app.call_from_thread(self._mark_sent, sent)

    def market_ready(self, market: LoadedMarket, keep_file: Callable[[], None] | None = None) -> None:
        if keep_file is not None:
            self._keep_file = keep_file
        if self.market is not None and self.shown is not None and market.key == self.market.key:
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
        self._ranking = True
        self.run_rank(self._generation, self.filters)

    @background("match-rank", "rank the market for this child")
    def run_rank(self, generation: int, filters: Filters, ranked: Any = None) -> None:
        """Rank for the filters, or (given the ranking on screen) only narrow it to the free text."""
        ctx = self.ctx
        assert self.market is not None
        try:
            result = ranked if ranked is not None else rank_for(ctx, self.market, self.referral, filters)
            shown = narrow(ctx, self.market, result, filters.text)
            excluded = shown.excluded_view() if self.showing_excluded else None
        except Exception as exc:  # noqa: BLE001  (shown on the screen)
            self.app.call_from_thread(self.show_error, exc)
            return
        self.app.call_from_thread(self.show_result, generation, shown, excluded, typed=ranked is not None)

    def renarrow(self) -> None:
        """The free text changed: narrow the ranking on screen (no new ranking, no pause)."""
        if self.market is None or self.shown is None:
            return  # a ranking on its way reads the text itself
        self._generation += 1
        self.results_painted.clear()
        self._excluded = None
        self.run_rank(self._generation, self.filters, self.shown.result)

    @background("match-excluded", "list the services excluded")
    def load_excluded(self, generation: int, shown: Narrowed) -> None:
        self.app.call_from_thread(self.show_excluded, generation, shown.excluded_view())

    def show_result(self, generation: int, shown: Narrowed, excluded: ExcludedView | None, *,
                    typed: bool = False) -> None:
        """The results on screen; ``typed``: narrowed by the free text (the Why pane waits for a pause)."""
        if generation != self._generation:
            return  # a newer change of the filters is on its way
        self._ranking = False
        before, self.shown = self.shown, shown
        table = self.query_one(MatchTable)
        table.loading = False
        if not (before is not None and before.result is shown.result  # the same rows: nothing to redraw
                and [r.service.id for r in before.results] == [r.service.id for r in shown.results]):
            table.show(shown.results, self.shortlist.marks())
        if excluded is not None:
            self.show_excluded(generation, excluded)
        self._status()
        if typed:
            if self._detail_timer is not None:
                self._detail_timer.stop()
            self._detail_timer = self.set_timer(DETAIL_PAUSE, self._typing_paused)
        else:
            self._show_detail()
        self.call_after_refresh(self._painted)

    def _typing_paused(self) -> None:
        self._detail_timer = None
        self._show_detail()

    def _painted(self) -> None:
        self.painted_at = time.perf_counter()
        self.results_painted.set()
        self.after_paint()

    def on_unmount(self) -> None:
        self._keep_market_file()  # closed before its first ranking was shown

    def show_excluded(self, generation: int, excluded: ExcludedView) -> None:
        if generation != self._generation:
            return
        self._excluded = excluded
        self.query_one(ExcludedPane).show_view(excluded)
        self._status()
        self._show_detail()

    def show_message(self, text: str) -> None:
        self.shown = None
        self._ranking = False
        table = self.query_one(MatchTable)
        table.loading = False
        table.show([])
        self.query_one(ExcludedPane).show_view(None)
        self.query_one("#match-status", Static).update(text)
        self.query_one("#match-why", Static).update("")
        self.call_after_refresh(self._painted)

    def show_error(self, exc: Exception) -> None:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        self._ranking = False
        self.query_one(MatchTable).loading = False
        self.query_one("#match-status", Static).update(f"[b red]Could not rank the market:[/] {first}")

    def _status(self) -> None:
        problems = "  ".join(self._problems.values())
        if self.shown is None:
            if problems:
                self.query_one("#match-status", Static).update(problems, layout=False)
            return
        text = status_text(self.shown, self._excluded if self.showing_excluded else None,
                           excluded_view=self.showing_excluded)
        if self.referral is not None and not self.showing_excluded:
            text += "  " + self.shortlist.words()
        if problems:  # first, where the eye lands: the ranking is still the one before the field went wrong
            text = f"{problems}  ·  {text}"
        self.query_one("#match-status", Static).update(text, layout=False)  # one line, always

    def _show_detail(self) -> None:
        why = self.query_one("#match-why", Static)
        if self.showing_excluded:
            exclusion = self.query_one(ExcludedTable).highlighted()
            if self._explained.again(True, exclusion, self.shown):
                return
            why.update(excluded_detail(exclusion) if exclusion is not None else "")
            return
        item = self.query_one(MatchTable).highlighted()
        if self._explained.again(False, item, self.shown):
            return
        if item is None or self.shown is None:
            why.update("No service to explain." if self.shown is not None else "")
            return
        why.update(result_detail(item, self.shown.result.ranked_from))

    @on(DataTable.RowHighlighted)
    @on(DataTable.RowSelected)
    def row_moved(self) -> None:
        if self._detail_timer is None:  # (else the pane explains the row highlighted when typing pauses)
            self._show_detail()

    # -- filters -------------------------------------------------------------------------------
    def _apply(self, **changes: Any) -> None:
        """The free text narrows the ranking at once; any other change ranks again after DEBOUNCE."""
        filters = replace(self.filters, **changes)
        if filters == self.filters:
            return
        ranking_changed, self.filters = filters.ranking() != self.filters.ranking(), filters
        if ranking_changed:
            if self._debounce is not None:
                self._debounce.stop()
            self._debounce = self.set_timer(DEBOUNCE, self._debounced)
        elif self._ranking:
            self.rerank()  # the ranking on its way had the old text: rank again with the new
        elif self._debounce is None:  # (a ranking about to start reads the text itself)
            self.renarrow()

    def _debounced(self) -> None:
        self._debounce = None
        self.rerank()

    @on(MatchFilters.Changed)
    def filters_changed(self, event: MatchFilters.Changed) -> None:
        self.typed_at = event.typed_at
        self.typing_seen()
        if any([self._problems.pop(key, None) for key in event.changes]):
            self._status()  # the field reads again (its value may be the one already ranked for)
        self._apply(**event.changes)

    @on(MatchFilters.Problem)
    def filter_problem(self, event: MatchFilters.Problem) -> None:
        # kept until the field changes: a ranking already on its way repaints the status line after this
        self._problems[event.field] = event.text
        self._status()

    @on(SelectionList.SelectedChanged, "#f-types")
    def types_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        chosen = set(event.selection_list.selected)
        self._apply(types=tuple(t.code for t in SERVICE_TYPES if t.code in chosen))

    # -- actions -------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.dismiss()

    def action_toggle_excluded(self) -> None:
        self.showing_excluded = not self.showing_excluded
        results, excluded = self.query_one(MatchTable), self.query_one(ExcludedTable)
        results.display = not self.showing_excluded
        self.query_one(ExcludedPane).display = self.showing_excluded
        self.query_one("#match-detail").border_title = "Why excluded" if self.showing_excluded else "Why"
        (excluded if self.showing_excluded else results).focus()
        if self.showing_excluded and self._excluded is None and self.shown is not None:
            excluded.loading = True
            self.load_excluded(self._generation, self.shown)
        self._status()
        self._show_detail()

    def action_toggle_full(self) -> None:
        for switch in self.query("#f-full").results(Switch):
            switch.value = not switch.value

    def action_focus_on(self, widget_id: str) -> None:
        for widget in self.query(f"#{widget_id}"):  # the filters may not be mounted yet
            widget.focus()

    def action_focus_table(self) -> None:
        self.query_one(ExcludedTable if self.showing_excluded else MatchTable).focus()

    def action_reset_filters(self) -> None:
        """Back to the referral's own profile (an ad hoc search: to nothing), and no text."""
        f = filters_of(self.referral)
        if not self.query("#f-full"):
            return  # the filters are not mounted yet
        self.query_one(MatchFilters).set_values(f)
        with self.prevent(SelectionList.SelectedChanged):
            for types in self.query("#f-types").results(SelectionList):
                select_types(types, f)
        self.filters = f
        self.rerank()

