"""The 16+ review (F9): the period (From, To: the 12 months to yesterday unless typed; ctrl+r or Enter works it
out again), worked out in a worker with the tabs loading meanwhile, then shown in tabs. Every table sorts (o:
the next column, r: the other way round, or a click on a header) and follows the cohort filter (c) and the
words typed in the filter (/). Enter opens a contract or a spot agreement; q shows a contract's QA notes;
x exports the review."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static, TabbedContent, TabPane

from broker_tui.domain.dates import format_date
from broker_tui.services.contracts import show_contract
from broker_tui.services.quality import NoteView, list_notes
from broker_tui.services.review import (
    ContractReview,
    Review,
    ReviewRefused,
    SizeReview,
    default_period,
    review_16_plus,
)
from broker_tui.ui.base import BrokerScreen, background
from broker_tui.ui.screens.review import rows as r
from broker_tui.ui.screens.review.panes import contract_line, notes_text, period_words, summary
from broker_tui.ui.screens.review.period import PeriodFields
from broker_tui.ui.screens.review.table import ReviewTable

if TYPE_CHECKING:
    from broker_tui.ui.screens.review.charts import ChartsPane

TABS = ("rv-summary-tab", "rv-contracts-tab", "rv-spot-tab", "rv-versus-tab", "rv-size-tab", "rv-ending-tab",
        "rv-charts-tab")
ALL = "all"


def _against_paid(saving: int | None) -> str:
    """The best size against what was paid, in words either way round."""
    if saving is None or saving >= 0:
        return f"so the best size would have saved {r.money(saving)}"
    return (f"so even the best size, at the median spot price, costs {r.money(-saving)} more than was paid "
            "(spot was bought below the median)")


class ReviewScreen(BrokerScreen[None]):
    TITLE = "16+ review"
    AUTO_FOCUS = "#rv-tabs"
    CSS_PATH = "review.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "apply", "Apply period"),
        Binding("p", "period", "Period", show=False),
        Binding("c", "cohort", "Cohort"),
        Binding("slash", "words", "Filter"),
        Binding("o", "sort", "Sort"),
        Binding("r", "reverse", "Reverse", show=False),
        Binding("q", "qa_notes", "QA notes"),
        Binding("k", "next_size", "Next size chart"),
        Binding("x", "export", "Export"),
        *(Binding(str(n), f"tab({n - 1})", f"Tab {n}", show=False) for n in range(1, len(TABS) + 1)),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.review: Review | None = None
        self._generation = 0

    # ---- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        from broker_tui.ui.screens.review.charts import ChartsPane  # plotext: only once the screen is built

        today = self.ctx.today()
        yield Header()
        with Horizontal(id="rv-bar"):
            yield PeriodFields(default_period(today), today, id="rv-period")
            yield Select([("Both cohorts, apart", ALL)], value=ALL, allow_blank=False, id="rv-cohort",
                         compact=True)
            yield Input(placeholder="/ filter: words in any column", id="rv-words", compact=True)
        yield Static("", id="rv-banner")
        with TabbedContent(id="rv-tabs"):
            with TabPane("1 Summary", id=TABS[0]), VerticalScroll(id="rv-summary-scroll"):
                yield Static("", id="rv-summary")
            with TabPane("2 Contracts", id=TABS[1]):
                yield ReviewTable(r.CONTRACT_COLUMNS, what="block contracts", id="rv-contracts")
                yield Static("", id="rv-contract-detail")
            with TabPane("3 Spot", id=TABS[2]):
                yield ReviewTable(r.SPOT_COLUMNS, what="spot agreements", id="rv-spot")
                yield Label("Weekly prices by cohort and category, support band or provider", classes="rv-title")
                yield ReviewTable(r.SPREAD_COLUMNS, what="groups", id="rv-spread")
            with TabPane("4 Block vs spot", id=TABS[3]):
                yield Label("Each block's cost per occupied week beside the median weekly price of spot agreements "
                            "in the same cohort and category with core support only", classes="rv-title")
                yield ReviewTable(r.VERSUS_COLUMNS, what="block contracts", id="rv-versus")
            with TabPane("5 Block size", id=TABS[4]):
                yield ReviewTable(r.SIZE_COLUMNS, what="categories", id="rv-sizes")
                yield Static("", id="rv-curve-title", classes="rv-title")
                yield ReviewTable(r.CURVE_COLUMNS, what="sizes", id="rv-curve")
            with TabPane("6 Ending", id=TABS[5]):
                yield Label("Block contracts ending within 3, 6 and 12 months, and what buying today's young "
                            "people spot would cost", classes="rv-title")
                yield ReviewTable(r.ENDING_COLUMNS, what="contracts ending", id="rv-endings")
            with TabPane("7 Charts", id=TABS[6]):
                yield ChartsPane(id="rv-charts")
        yield Static("", id="rv-status")
        yield Footer()

    def on_mount(self) -> None:
        self.action_apply()

    # ---- the period and the worker ---------------------------------------------------------------
    def action_apply(self) -> None:
        """Work the review out again over the period typed (a bad date is said beside its field, kept)."""
        self._apply()

    def _apply(self) -> bool:
        period = self.query_one(PeriodFields).asked()
        if period is None:
            return False
        self._generation += 1
        self.query_one("#rv-tabs", TabbedContent).loading = True
        self.query_one("#rv-status", Static).update(
            f"Working out the 16+ review for {format_date(period.first_day)} to {format_date(period.last_day)}…")
        self._work(self._generation, period.first_day.isoformat(), period.last_day.isoformat())
        return True

    @on(Input.Submitted, "#rv-from, #rv-to")
    def _submitted(self) -> None:
        """Enter works the period out and leaves the dates for the tab shown (its keys are letters and digits)."""
        if self._apply():
            self.focus_table()

    @background("rv-review", "work out the 16+ review")
    def _work(self, generation: int, first: str, last: str) -> None:
        try:
            review = review_16_plus(self.ctx, first, last)
        except ReviewRefused as refused:
            self.app.call_from_thread(self._refused, generation, refused.problems)
            return
        self.app.call_from_thread(self._show, generation, review)

    def _refused(self, generation: int, problems: dict[str, str]) -> None:
        if generation == self._generation:
            self.query_one("#rv-tabs", TabbedContent).loading = False
            self.query_one(PeriodFields).show_problems(problems)

    def _show(self, generation: int, review: Review) -> None:
        if generation != self._generation:
            return
        self.review = review
        self.query_one(PeriodFields).worked_out(review.period)
        cohort = self.query_one("#rv-cohort", Select)
        choice = cohort.value
        cohort.set_options([("Both cohorts, apart", ALL),
                            *((label.split(" (")[0], key) for key, label in review.cohorts.items())])
        cohort.value = choice if choice in (ALL, *review.cohorts) else ALL
        self._table("#rv-contracts").set_rows(r.contract_rows(review))
        self._table("#rv-spot").set_rows(r.spot_rows(review.spot_lines))
        self._table("#rv-spread").set_rows(r.spread_rows(review.spot_groups))
        self._table("#rv-versus").set_rows(r.versus_rows(review))
        self._table("#rv-sizes").set_rows(r.size_rows(review.sizes))
        self._table("#rv-endings").set_rows(r.ending_rows(review.endings, review.made_on))
        self.query_one("#rv-tabs", TabbedContent).loading = False
        self.say("")
        self._filter()

    # ---- filters and sorting ---------------------------------------------------------------------
    def _table(self, selector: str) -> ReviewTable:
        return self.query_one(selector, ReviewTable)

    def _charts(self) -> ChartsPane:
        from broker_tui.ui.screens.review.charts import ChartsPane

        return self.query_one("#rv-charts", ChartsPane)

    @property
    def cohort(self) -> str | None:
        value = self.query_one("#rv-cohort", Select).value
        return value if isinstance(value, str) and value != ALL else None

    def _filter(self) -> None:
        """Show every table's rows that pass the cohort and word filters, then the summary and charts."""
        if self.review is None:
            return
        words = self.query_one("#rv-words", Input).value.lower().split()
        for table in self.query(ReviewTable):
            if table.id != "rv-curve":
                table.show(self.cohort, words)
        self._curve()
        self.query_one("#rv-summary", Static).update(summary(self.review, self.cohort))
        self._draw_charts()
        self._contract_detail()
        self._status()

    def _draw_charts(self) -> None:
        if self.review is None:
            return
        contracts = {str(c.id): c for c in self.review.contracts}
        sizes = {r.size_key(s): s for s in self.review.sizes}
        self._charts().draw(self.review, [contracts[row.key] for row in self._table("#rv-contracts").shown],
                            [sizes[row.key] for row in self._table("#rv-sizes").shown], self.cohort)

    @on(Select.Changed, "#rv-cohort")
    @on(Input.Changed, "#rv-words")
    def _filters_changed(self) -> None:
        self._filter()

    @on(Input.Submitted, "#rv-words")
    def _words_done(self) -> None:
        self.focus_table()

    def current_table(self) -> ReviewTable | None:
        """The table the sort keys act on: the focused one on the tab shown, else that tab's first."""
        pane = self.query_one("#rv-tabs", TabbedContent).active_pane
        if pane is None:
            return None
        if isinstance(self.focused, ReviewTable) and pane in self.focused.ancestors:
            return self.focused
        tables = list(pane.query(ReviewTable))
        return tables[0] if tables else None

    def focus_table(self) -> None:
        table = self.current_table()
        if table is not None:
            table.focus()
        else:
            self.query_one("#rv-tabs", TabbedContent).query_one("Tabs").focus()

    def action_sort(self) -> None:
        table = self.current_table()
        if table is None:
            self.app.notify("No table on this tab to sort", timeout=3)
            return
        table.cycle_sort()
        self._after_sort(table)

    def action_reverse(self) -> None:
        table = self.current_table()
        if table is not None:
            table.reverse()
            self._after_sort(table)

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        if isinstance(event.data_table, ReviewTable):
            self._after_sort(event.data_table)

    def _after_sort(self, table: ReviewTable) -> None:
        if table.id == "rv-contracts":
            self._draw_charts()
        self._status()

    def action_cohort(self) -> None:
        select = self.query_one("#rv-cohort", Select)
        keys = [ALL, *(self.review.cohorts if self.review else ())]
        current = select.value if select.value in keys else ALL
        select.value = keys[(keys.index(current) + 1) % len(keys)]

    def action_words(self) -> None:
        self.query_one("#rv-words", Input).focus()

    def action_period(self) -> None:
        self.query_one("#rv-from", Input).focus()

    def action_tab(self, index: int) -> None:
        self.query_one("#rv-tabs", TabbedContent).active = TABS[index]
        self.focus_table()

    @on(TabbedContent.TabActivated, "#rv-tabs")
    def _tab_changed(self) -> None:
        self.refresh_bindings()
        self._status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        active = self.query_one("#rv-tabs", TabbedContent).active if self.is_mounted else ""
        if action == "qa_notes":
            return active == TABS[1]
        if action == "next_size":
            return active == TABS[6]
        return True

    # ---- the tables' rows ------------------------------------------------------------------------
    def _contract(self, key: str | None) -> ContractReview | None:
        if self.review is None or key is None:
            return None
        return next((c for c in self.review.contracts if str(c.id) == key), None)

    def _contract_detail(self) -> None:
        row = self._table("#rv-contracts").current
        contract = self._contract(row.key if row else None)
        self.query_one("#rv-contract-detail", Static).update(contract_line(contract) if contract else "")

    def _chosen_size(self) -> SizeReview | None:
        row = self._table("#rv-sizes").current
        if self.review is None or row is None:
            return None
        return next((s for s in self.review.sizes if r.size_key(s) == row.key), None)

    def _curve(self) -> None:
        size = self._chosen_size()
        self._table("#rv-curve").set_rows(r.curve_rows(size))
        title = self.query_one("#rv-curve-title", Static)
        if size is None:
            title.update("")
        elif size.best_k is None:
            title.update(f"{r.short_cohort(size.cohort)} {size.category_label}: {size.note or 'not worked out'}")
        else:
            title.update(f"Cost had the blocks of {r.short_cohort(size.cohort)} {size.category_label} held k units: "
                         f"best {size.best_k} ({r.money(size.best_pence)}), {size.units_now} now; paid "
                         f"{r.money(size.actual_pence)}, " + _against_paid(size.saving_pence)
                         + (f" · {size.note}" if size.note else ""))

    @on(DataTable.RowHighlighted, "#rv-contracts")
    def _contract_highlighted(self) -> None:
        self._contract_detail()

    @on(DataTable.RowHighlighted, "#rv-sizes")
    def _size_highlighted(self) -> None:
        self._curve()

    @on(DataTable.RowSelected, "#rv-contracts, #rv-versus, #rv-endings")
    def _open_contract(self, event: DataTable.RowSelected) -> None:
        from broker_tui.ui.screens.contracts.detail import ContractDetailScreen

        self.app.push_screen(ContractDetailScreen(str(event.row_key.value)))

    @on(DataTable.RowSelected, "#rv-spot")
    def _open_agreement(self, event: DataTable.RowSelected) -> None:
        from broker_tui.ui.screens.purchases.detail import AgreementScreen

        self.app.push_screen(AgreementScreen(str(event.row_key.value)))

    def action_qa_notes(self) -> None:
        row = self._table("#rv-contracts").current
        contract = self._contract(row.key if row else None)
        if contract is not None:
            self.query_one("#rv-contract-detail", Static).update(f"Reading the QA notes about {contract.reference}…")
            self._notes(str(contract.id), contract.reference)

    @background("rv-notes", "read the contract's QA notes")
    def _notes(self, contract_id: str, reference: str) -> None:
        """The current notes about the contract and about its service (where its rating may come from)."""
        notes = {n.id: n for n in list_notes(self.ctx, subject="block_contract", subject_id=contract_id)}
        service_id = show_contract(self.ctx, contract_id).service_id
        if service_id is not None:
            notes.update((n.id, n) for n in list_notes(self.ctx, subject="service", subject_id=service_id)
                         if n.subject == "service")
        newest = sorted(notes.values(), key=lambda n: (n.held_on, n.created_at), reverse=True)
        self.app.call_from_thread(self._show_notes, reference, newest)

    def _show_notes(self, reference: str, notes: list[NoteView]) -> None:
        self.query_one("#rv-contract-detail", Static).update(notes_text(reference, notes))

    def action_next_size(self) -> None:
        self._charts().size_choice += 1
        self._draw_charts()

    # ---- export and words ------------------------------------------------------------------------
    def action_export(self) -> None:
        if self.review is None:
            self.app.notify("The review is still being worked out: export it once it is shown", timeout=4)
            return
        from broker_tui.ui.screens.review.export_dialog import ExportReviewDialog

        def done(message: str | None) -> None:
            if message:
                self.app.notify(message, title="Exported", timeout=10)

        self.app.push_screen(ExportReviewDialog(self.review), done)

    def _status(self) -> None:
        if self.review is None:
            return
        table = self.current_table()
        where = f" · {table.count_words()} sorted {table.sort_words}" if table is not None else ""
        self.query_one("#rv-status", Static).update(f"{period_words(self.review)}{where}")

    def say(self, message: str, *, error: bool = False) -> None:
        banner = self.query_one("#rv-banner", Static)
        banner.update(message)
        banner.set_class(bool(message), "-shown")
        banner.set_class(error, "has-error")

    def show_failure(self, message: str) -> None:
        self.say(message, error=True)
