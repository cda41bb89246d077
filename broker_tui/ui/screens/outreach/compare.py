"""A referral's offers side by side: price against the budget, fit, distance, quality, approvals, valid
until; the highlighted offer in full below; a accepts it (after asking). Matching's view of each service
is worked out in a thread worker (services.search_log.compare_offers)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Static

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import format_pence
from broker_tui.domain.vocabulary import WEEKLY_PRICE_PARTS
from broker_tui.services.outreach import OfferRow, accept_offer, compare_offers
from broker_tui.services.referrals import ReferralView
from broker_tui.ui.base import BrokerScreen, background
from broker_tui.ui.screens.dialogs import ConfirmScreen
from broker_tui.ui.screens.outreach.tables import OFFER_STATUSES, OfferCompareTable, uk_dates
from broker_tui.ui.screens.outreach.words import accept_question, refusal_text


def offer_detail(r: OfferRow) -> Table:
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold", no_wrap=True)
    t.add_column()
    parts = " + ".join(f"{WEEKLY_PRICE_PARTS[k]} {format_pence(v)}" for k, v in r.parts.items() if v)
    rows = [
        ("Offer", f"{r.service_name} · {r.provider_name} · {format_pence(r.weekly_price_pence)} a week"
                  + (f" ({parts})" if parts else "") + f" · received {format_date(r.received_on)}"),
        ("Dates", f"from {format_date(r.start_date) or 'not given'}; valid until {format_date(r.valid_until)}"
                  + (" (expired)" if r.expired else "")),
        ("Conditions", r.conditions or "none"),
    ]
    if r.fit_score is not None:
        rows.append(("Place", "distance not known" if r.miles is None else
                     f"{r.miles:g} miles; {'in area' if r.in_area else 'out of area'}"))
        rows.append(("Approvals", "\n".join(f"• {a}" for a in r.approvals) or "none needed"))
        rows.append(("Why", r.explanation))
        rows.append(("Fit", f"{round(r.fit_score * 100)}: " + " · ".join(
            f"{k.replace('_', ' ')} {v:.2f}" for k, v in r.score_parts.items())))
    else:
        rows.append(("Excluded now", "\n".join(f"• {x}" for x in r.excluded_reasons)))
    for label, value in rows:
        t.add_row(label, Text(uk_dates(str(value))))
    return t


class CompareOffersScreen(BrokerScreen[str | None]):
    """Offers side by side. Dismisses with a message when an offer was accepted, else None."""

    TITLE = "Compare offers"
    CSS_PATH = "offers.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("a", "accept", "Accept offer"),
    ]

    def __init__(self, view: ReferralView) -> None:
        super().__init__()
        self.view = view
        self.rows: list[OfferRow] | None = None
        self.accepted: str | None = None  # the message for the offers screen once one is accepted

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Offers for {self.view.case_ref} {self.view.initials}, cheapest first", classes="offers-title")
        budget = self.view.values.get("budget_weekly_pence")
        yield Static(f"Budget {format_pence(budget)} a week" if budget is not None else "No budget set",
                     id="compare-budget")
        yield Static("", id="compare-banner", classes="offers-banner")
        yield OfferCompareTable(id="compare-table")
        yield Static("", id="compare-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.view.case_ref} {self.view.initials}"
        self.query_one("#compare-table").loading = True
        self.load()

    @background("compare", "compare the offers")
    def load(self) -> None:
        try:
            rows = compare_offers(self.ctx, self.view.id)
        except Exception as exc:  # noqa: BLE001  (one line for the person; the app stays up)
            self.app.call_from_thread(self._banner, f"Could not compare the offers: {refusal_text(exc)}", True)
            return
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[OfferRow]) -> None:
        self.rows = rows
        table = self.query_one("#compare-table", OfferCompareTable)
        keep = table.cursor_row
        table.show(rows)
        table.loading = False
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        table.focus()
        self._detail()

    @on(DataTable.RowHighlighted, "#compare-table")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._detail()

    def highlighted(self) -> OfferRow | None:
        table = self.query_one("#compare-table", OfferCompareTable)
        return table.highlighted() if self.rows else None

    def _detail(self) -> None:
        r = self.highlighted()
        self.query_one("#compare-detail", Static).update(offer_detail(r) if r else ("No offers yet" if self.rows == [] else ""))

    def _banner(self, message: str, error: bool = False) -> None:
        self.query_one("#compare-table").loading = False
        banner = self.query_one("#compare-banner", Static)
        banner.update(message)
        banner.set_class(bool(message), "-shown")
        banner.set_class(error, "has-error")
        if error:
            self.notify(message, severity="error", timeout=8)

    def action_accept(self) -> None:
        r = self.highlighted()
        if r is None:
            self._banner("No offer to accept", True)
            return
        if r.status != "open" or r.expired:
            state = "expired" if r.status == "open" else OFFER_STATUSES.get(r.status, r.status)
            self._banner(f"{r.service_name}'s offer is {state}: only an open offer can be accepted", True)
            return
        question = accept_question(r.service_name, r.weekly_price_pence, self.view.case_ref, r.approvals)

        def answered(yes: bool | None) -> None:
            if yes:
                self._accept(r)

        self.app.push_screen(ConfirmScreen(question, yes="Accept", no="Not yet"), answered)

    @background("compare-accept", "accept the offer")
    def _accept(self, r: OfferRow) -> None:
        try:
            view = accept_offer(self.ctx, r)
        except Exception as exc:  # noqa: BLE001  (refusals and failures alike become a message)
            self.app.call_from_thread(self._banner, refusal_text(exc), True)
            self.app.call_from_thread(self.load)
            return
        message = (f"Accepted {r.service_name}'s offer: {view.case_ref} is placement agreed; "
                   "the other open offers are not taken")
        self.accepted = message
        self.app.call_from_thread(self._banner, message)
        self.app.call_from_thread(self.notify, message)
        self.app.call_from_thread(self.load)

    def action_back(self) -> None:
        self.dismiss(self.accepted)
