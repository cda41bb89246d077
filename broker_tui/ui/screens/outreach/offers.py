"""Offers and search log for one referral: every service it was sent to and what came back, and the acts
on a reply: record a decline or an offer, compare the offers, accept one, export the log as CSV.

Opened from the referral (o). Every service call runs in a thread worker; a refusal shows in the banner
above the table (and in a dialog when one is open), never as a crash. p records the purchase from the
accepted offer (a spot agreement, pre-filled).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Static

from broker_tui.domain.dates import format_date
from broker_tui.domain.vocabulary import OPEN_REFERRAL_STATUSES
from broker_tui.services.outreach import LogEntry, SearchLog, accept_offer, approvals_for_offer, search_log
from broker_tui.services.referrals import ReferralView, get_referral
from broker_tui.ui.base import BrokerScreen, background
from broker_tui.ui.screens.dialogs import ConfirmScreen
from broker_tui.ui.screens.outreach.tables import SearchLogTable, answer_text, uk_dates
from broker_tui.ui.screens.outreach.words import accept_question, outreach_line, refusal_text

TAKES_OFFERS = ("sent_to_providers", "offers_received")


class OffersScreen(BrokerScreen[None]):
    """The search log of one referral, and the replies worked from it."""

    TITLE = "Offers & search log"
    CSS_PATH = "offers.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("d", "decline", "Record decline"),
        Binding("o", "offer", "Record offer"),
        Binding("c", "compare", "Compare offers"),
        Binding("a", "accept", "Accept offer"),
        Binding("p", "purchase", "Record purchase"),
        Binding("x", "export", "Export CSV"),
        Binding("r", "reload", "Refresh"),
    ]

    def __init__(self, view: ReferralView) -> None:
        super().__init__()
        self.view = view
        self.outreach_log: SearchLog | None = None  # None while (re)loading: the acts wait for it

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._title(), id="offers-title", classes="offers-title")
        yield Static("", id="offers-summary")
        yield Static("", id="offers-banner", classes="offers-banner")
        yield SearchLogTable(id="log-table")
        yield Static("", id="log-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.view.case_ref} {self.view.initials}"
        self.query_one("#log-table").loading = True
        self.load()

    def _title(self) -> str:
        v = self.view
        return f"Offers & search log · {v.case_ref} {v.initials} · {v.status_label}"

    # ---- reading ---------------------------------------------------------------------------------
    @background("offers-load", "read the search log")
    def load(self) -> None:
        ctx = self.ctx
        try:
            view = get_referral(ctx, self.view.id)
            log = search_log(ctx, view)
        except Exception as exc:  # noqa: BLE001  (one line for the person; the app stays up)
            self.app.call_from_thread(self._load_failed, exc)
            return
        self.app.call_from_thread(self._show, view, log)

    def _load_failed(self, exc: Exception) -> None:
        self.query_one("#log-table").loading = False
        self.say(f"Could not read the search log: {refusal_text(exc)}", error=True)

    def _show(self, view: ReferralView, log: SearchLog) -> None:
        self.view, self.outreach_log = view, log
        self.query_one("#offers-title", Static).update(self._title())
        self.query_one("#offers-summary", Static).update(
            f"Received {format_date(log.date_received)} · {outreach_line(log)}")
        table = self.query_one("#log-table", SearchLogTable)
        keep = table.cursor_row
        table.show(log.entries)
        table.loading = False
        if log.entries:
            table.move_cursor(row=min(keep, len(log.entries) - 1))
        table.focus()
        self._show_entry()

    @on(DataTable.RowHighlighted, "#log-table")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_entry()

    def _show_entry(self) -> None:
        entry = self.entry()
        if entry is None and self.outreach_log is not None:
            self.query_one("#log-detail", Static).update(
                "Not sent to any provider yet: Find placements (f on the referral) shortlists and sends it.")
            return
        self.query_one("#log-detail", Static).update(entry_detail(entry) if entry else "")

    def entry(self) -> LogEntry | None:
        """The highlighted row's entry."""
        if self.outreach_log is None or not self.outreach_log.entries:
            return None
        table = self.query_one("#log-table", SearchLogTable)
        return table.highlighted()

    def say(self, message: str, *, error: bool = False) -> None:
        """The banner above the table, where the broker is looking (and a toast)."""
        banner = self.query_one("#offers-banner", Static)
        banner.update(message)
        banner.set_class(bool(message), "-shown")
        banner.set_class(error, "has-error")
        self.notify(message, severity="error" if error else "information", timeout=8 if error else 5)

    def action_reload(self) -> None:
        self.outreach_log = None
        self.load()

    def action_back(self) -> None:
        self.dismiss(None)

    # ---- acts --------------------------------------------------------------------------------------
    def _entry_for(self, what: str) -> LogEntry | None:
        """The highlighted entry when it can take a reply, or None with the reason said."""
        if self.outreach_log is None:
            self.notify("Still reading the search log", severity="warning")
            return None
        entry = self.entry()
        if entry is None:
            self.say(f"Nothing to {what}: the referral has not been sent to any provider", error=True)
            return None
        if entry.answer in ("offer", "decline"):
            answered = "offered" if entry.answer == "offer" else "declined"
            self.say(f"{entry.service_name} has already replied ({answered} on {format_date(entry.answered_on)})",
                     error=True)
            return None
        return entry

    def action_decline(self) -> None:
        entry = self._entry_for("decline")
        if entry is None:
            return
        if self.view.status not in OPEN_REFERRAL_STATUSES:
            self.say(f"A referral that is {self.view.status_label.lower()} takes no more replies", error=True)
            return
        from broker_tui.ui.screens.outreach.offer_dialogs import DeclineDialog

        self.app.push_screen(DeclineDialog(self.view, entry), self._replied)

    def action_offer(self) -> None:
        entry = self._entry_for("record an offer for")
        if entry is None:
            return
        if self.view.status not in TAKES_OFFERS:
            self.say(f"A referral that is {self.view.status_label.lower()} cannot take an offer", error=True)
            return
        from broker_tui.ui.screens.outreach.offer_form import OfferFormScreen

        self.app.push_screen(OfferFormScreen(self.view, entry), self._replied)

    def action_purchase(self) -> None:
        if self.outreach_log is None:
            self.notify("Still reading the search log", severity="warning")
            return
        if not any(e.offer_status == "accepted" for e in self.outreach_log.entries):
            self.say("Accept an offer first (a): the purchase is recorded from the accepted offer", error=True)
            return
        from broker_tui.ui.screens.purchases.record import record_purchase

        record_purchase(self, self.view.id, self.view.case_ref, self._replied)

    def _replied(self, message: str | None) -> None:
        if message:
            self.say(message)
            self.action_reload()

    def action_compare(self) -> None:
        if self.outreach_log is None:
            self.notify("Still reading the search log", severity="warning")
            return
        if not any(e.answer == "offer" for e in self.outreach_log.entries):
            self.say("No offers to compare yet: record one with o on a service's row", error=True)
            return
        from broker_tui.ui.screens.outreach.compare import CompareOffersScreen

        self.app.push_screen(CompareOffersScreen(self.view), self._replied)

    def action_accept(self) -> None:
        if self.outreach_log is None:
            self.notify("Still reading the search log", severity="warning")
            return
        entry = self.entry()
        if entry is None or entry.answer != "offer":
            self.say("Highlight an offer to accept it (or compare the offers with c)", error=True)
            return
        if entry.offer_status != "open":
            self.say(f"{entry.service_name}'s offer is {(entry.offer_status or '').replace('_', ' ')}, not open",
                     error=True)
            return
        self._ask_accept(entry)

    @background("offers-act", "read the approvals the offer needs")
    def _ask_accept(self, entry: LogEntry) -> None:
        assert entry.offer_id is not None
        approvals = approvals_for_offer(self.ctx, self.view, entry.offer_id)
        question = accept_question(entry.service_name, entry.weekly_price_pence, self.view.case_ref, approvals)

        def answered(yes: bool | None) -> None:
            if yes:
                self._accept(entry)

        self.app.call_from_thread(self.app.push_screen, ConfirmScreen(question, yes="Accept", no="Not yet"), answered)

    @background("offers-act", "accept the offer")
    def _accept(self, entry: LogEntry) -> None:
        try:
            view = accept_offer(self.ctx, entry.offer_id)
        except Exception as exc:  # noqa: BLE001  (refusals and failures alike become a message)
            self.app.call_from_thread(self._act_failed, exc)
            return
        self.app.call_from_thread(
            self._replied, f"Accepted {entry.service_name}'s offer: {view.case_ref} is placement agreed; "
                           "the other open offers are not taken")

    def _act_failed(self, exc: Exception) -> None:
        self.say(refusal_text(exc), error=True)
        self.action_reload()

    def action_export(self) -> None:
        from broker_tui.ui.screens.outreach.offer_dialogs import ExportDialog

        self.app.push_screen(ExportDialog(self.view), lambda message: self.say(message) if message else None)


def entry_detail(e: LogEntry) -> Table:
    """The highlighted service's row in full: contact, times, the answer and its reason."""
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold", no_wrap=True)
    t.add_column()
    answered = f" on {format_date(e.answered_on)}" if e.answered_on else ""
    rows: list[tuple[str, Any]] = [
        ("Service", f"{e.service_name} · {e.provider_name}"),
        ("Sent", f"{e.sent_at:%d/%m/%Y %H:%M} by {e.sent_by} to {e.contact or 'no referral contact recorded'}"),
        ("Reply due", format_date(e.reply_due_on)),
        ("Answer", Text.assemble(answer_text(e), answered)),
    ]
    if e.reason:
        rows.append(("Reason" if e.answer == "decline" else "Offer", uk_dates(e.reason)))
    for label, value in rows:
        t.add_row(label, value if isinstance(value, Text) else Text(str(value)))
    return t
