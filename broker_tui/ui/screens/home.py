"""Today's work: open referrals by status, replies overdue, purchases awaiting an approver and approvals
overdue, contracts ending soon, overdue QA actions.

Read-only, except that Enter on an overdue reply opens its referral, and on a purchase its agreement."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Label, Static

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import format_pence
from broker_tui.services.home import ENDING_WITHIN_MONTHS, TodaysWork, todays_work
from broker_tui.ui.base import BrokerScreen, background, paint_now
from broker_tui.ui.widgets.figure import Figure

if TYPE_CHECKING:
    from broker_tui.services.purchases import AwaitingApproval, OverdueApproval


def _panel(title: str, table_id: str, *columns: str) -> Vertical:
    table: DataTable[str] = DataTable(id=table_id, cursor_type="row", zebra_stripes=True)
    table.add_columns(*columns)
    return Vertical(Label(title, classes="panel-title"), table, classes="panel")


class HomeScreen(BrokerScreen[None]):
    """The first screen: what needs doing today, read from the database."""

    TITLE = "Today's work"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "app.go('directory')", "Directory"),
        Binding("n", "app.new_referral", "New referral"),
        Binding("r", "refresh", "Refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="home"):
            yield Static("", id="home-date")
            with Horizontal(id="figures"):
                yield Figure("Open referrals", id="fig-open")
                yield Figure(f"Ending ≤ {ENDING_WITHIN_MONTHS} months", id="fig-ending")
                yield Figure("QA actions overdue", id="fig-overdue")
                yield Figure("Replies overdue", id="fig-replies")
                yield Figure("Services listed", id="fig-services")
            yield Vertical(id="home-lists")  # the lists are mounted after the first frame shows the figures
        # and so is the footer (_mount_footer): Textual composes its keys again at each change of bindings
        # while it starts, three times before the first frame

    async def _mount_lists(self) -> None:
        if self.query("#by-status"):
            return
        await self._mount_footer()
        await self.query_one("#home-lists", Vertical).mount_all([
            Horizontal(_panel("Open referrals by status", "by-status", "Status", "Referrals"),
                       _panel("Needed soonest", "soonest", "Case", "Status", "Needed by"), classes="row"),
            _panel("Replies overdue (Enter opens the referral)", "replies",
                   "Case", "Service", "Provider", "Reply due", "Days over"),
            Horizontal(_panel("Purchases awaiting approval (Enter opens)", "awaiting",
                              "Case", "Service", "What", "Weekly", "From"),
                       _panel("Approvals overdue (Enter opens)", "approvals-overdue",
                              "Case", "Approval", "Due", "Days over"), classes="row"),
            _panel(f"Contracts ending within {ENDING_WITHIN_MONTHS} months", "ending",
                   "Reference", "Contract", "Provider", "Ends", "Days left"),
            _panel("Overdue QA actions", "overdue", "About", "Action", "Owner", "Due", "Days over"),
        ])

    async def _mount_footer(self) -> None:
        if not self.query(Footer):
            await self.mount(Footer())
            self.refresh_bindings()  # a footer shows its keys when told of the bindings

    def on_mount(self) -> None:
        prefetch = getattr(self.app, "home_prefetch", None)  # read in a thread while the app started
        if prefetch is not None and prefetch.done() and prefetch.exception() is None:
            self.show_work(prefetch.result())
            return
        self.query_one("#home").loading = True
        self.call_after_refresh(self._mount_footer)
        self.load(prefetch)

    def action_refresh(self) -> None:
        self.load()

    @background("home", "read today's work")
    def load(self, prefetch: Future[TodaysWork] | None = None) -> None:
        try:
            result = prefetch.result() if prefetch is not None else todays_work(self.ctx)
        except Exception as exc:  # noqa: BLE001  (one line for the person; the app stays up)
            self.app.call_from_thread(self.show_error, str(exc).splitlines()[0] if str(exc) else repr(exc))
            return
        self.app.call_from_thread(self.show_work, result)

    def show_error(self, message: str) -> None:
        self.query_one("#home").loading = False
        self.call_after_refresh(self._mount_footer)
        self.notify(f"Could not read today's work: {message}", severity="error", timeout=10)

    def show_work(self, w: TodaysWork) -> None:
        self.query_one("#home").loading = False
        self.query_one("#home-date", Static).update(f"Today is {w.today:%A} {format_date(w.today)}")
        self.query_one("#fig-open", Figure).show(w.open_referrals)
        self.query_one("#fig-ending", Figure).show(w.contracts_ending_count)
        self.query_one("#fig-overdue", Figure).show(w.overdue_actions_count)
        self.query_one("#fig-replies", Figure).show(w.replies_overdue)
        self.query_one("#fig-services", Figure).show(w.services_listed)
        # The figures are the first frame, and what comes behind them waits until that frame is painted.
        # Textual mounts the default mode's screen inside its start-up batch, where a frame is not written
        # to the terminal although the compositor counts it as painted (later frames then hold only what
        # changed): the app's own queue runs once that batch is over, so the screen is repainted from there.
        self.app.call_later(self._paint_figures, w)

    def _paint_figures(self, w: TodaysWork) -> None:
        paint_now(self)
        app = self.app
        if getattr(app, "exit_after_home", False):
            self.call_after_refresh(app.exit)  # the first-paint hook (see ui/app.py)
            return
        self.call_after_refresh(self._show_lists, w)

    async def _show_lists(self, w: TodaysWork) -> None:
        """After the first paint: the lists behind the figures."""
        await self._mount_lists()
        self._fill("by-status", [(s.label, _right(s.count)) for s in w.referrals_by_status])
        self._fill("soonest", [(f"{r.case_ref} {r.initials}" + (" (emergency)" if r.emergency else ""),
                                r.status_label, format_date(r.needed_by)) for r in w.needed_soonest],
                   empty="No open referrals")
        self._fill("replies", [(f"{r.case_ref} {r.initials}", _short(r.service_name), _short(r.provider_name),
                                 format_date(r.reply_due_on), _right(r.days_overdue)) for r in w.overdue_replies],
                   empty="No replies overdue", keys=[r.referral_id for r in w.overdue_replies])
        self._fill("ending", [(c.reference, c.name, c.provider_name, format_date(c.ends_on), _right(c.days_left))
                              for c in w.contracts_ending], empty="None ending")
        self._fill("overdue", [(a.about, a.description, a.owner, format_date(a.due_on), _right(a.days_overdue))
                               for a in w.overdue_actions], empty="Nothing overdue")
        self._load_purchases()
        self.call_after_refresh(self.warm_up)

    @background("home-purchases", "read the purchases awaiting approval")
    def _load_purchases(self) -> None:
        from broker_tui.services.purchases import awaiting_approval, overdue

        waiting, late = awaiting_approval(self.ctx), overdue(self.ctx)
        self.app.call_from_thread(self._show_purchases, waiting, late)

    def _show_purchases(self, waiting: Sequence[AwaitingApproval], late: Sequence[OverdueApproval]) -> None:
        self._fill("awaiting", [(w.case_ref, _short(w.service_name, 22),
                                 "agreement" if w.what == "agreement" else "amendment",
                                 format_pence(w.weekly_pence), format_date(w.from_date)) for w in waiting],
                   empty="Nothing awaits an approver", keys=[str(w.agreement_id) for w in waiting])
        self._fill("approvals-overdue", [(o.case_ref, _short(o.label, 40), format_date(o.due_on), _right(o.days_overdue))
                                         for o in late],
                   empty="No approvals overdue", keys=[str(o.agreement_id) for o in late])

    @on(DataTable.RowSelected, "#awaiting")
    @on(DataTable.RowSelected, "#approvals-overdue")
    def _open_purchase(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key:
            from broker_tui.ui.screens.purchases.detail import AgreementScreen

            self.app.push_screen(AgreementScreen(key.split("#", 1)[0]), self._purchase_closed)

    def _purchase_closed(self, _result: None) -> None:
        self._load_purchases()

    def _fill(self, table_id: str, rows: Sequence[tuple[str | Text, ...]], empty: str = "", keys: list[str] | None = None) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        table.clear()
        if rows and keys is not None:
            for n, (row, key) in enumerate(zip(rows, keys, strict=True)):
                table.add_row(*row, key=f"{key}#{n}")  # one referral may have several overdue replies
        elif rows:
            table.add_rows(rows)
        elif empty:
            table.add_row(f"[dim]{empty}[/dim]", *[""] * (len(table.columns) - 1))

    @on(DataTable.RowSelected, "#replies")
    def _open_overdue(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key:  # the "No replies overdue" row has no key
            self.broker_app.open_referral(key.split("#", 1)[0])

    @background("warm-up", "open the database ahead of need")
    def warm_up(self) -> None:
        """After the first paint: import the directory's SQL machinery so it opens fast."""
        from broker_tui.services.market import warm_up_directory as warm_up

        with contextlib.suppress(Exception):  # the directory reports any real problem when opened
            warm_up(self.ctx)


def _short(text: str, width: int = 36) -> str:
    """Long names end in … so that every column fits the panel."""
    return text if len(text) <= width else text[:width - 1] + "…"


def _right(value: int) -> Text:
    return Text(f"{value:,}", justify="right")
