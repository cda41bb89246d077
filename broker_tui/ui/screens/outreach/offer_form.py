"""Record a service's offer: the weekly price and its parts, start date, valid until, conditions.

Money is typed as £1,234.50 or 1234.5 and kept in pence; dates as dd/mm/yyyy (or ISO). Each field is
checked when the broker leaves it and everything on save (ctrl+s); every problem shows beside its field
and what was typed stays. When the parts do not add up to the weekly price the form asks why (the note
the service keeps with the offer). Nothing is written until the whole offer is accepted by the service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from broker_tui.domain.dates import DateError, format_date, parse_date
from broker_tui.domain.money import MoneyError, format_pence, parse_pence
from broker_tui.services.outreach import LogEntry, OfferInput, OutreachRefused, check_offer, record_offer
from broker_tui.services.referrals import ReferralView
from broker_tui.ui.base import BrokerModal, background
from broker_tui.ui.screens.dialogs import leave_form
from broker_tui.ui.screens.outreach.tables import uk_dates
from broker_tui.ui.screens.outreach.words import refusal_text
from broker_tui.ui.widgets.in_order_input import InOrderInput

# (field, label, kind, hint): the OfferInput field each input fills
FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("weekly_price_pence", "Weekly price", "money", "e.g. £5,600 — required"),
    ("core_weekly_pence", "  core fee", "money", "the parts of the weekly price, if given"),
    ("staffing_weekly_pence", "  extra staffing", "money", ""),
    ("education_weekly_pence", "  education", "money", ""),
    ("therapy_weekly_pence", "  therapy", "money", ""),
    ("solo_premium_weekly_pence", "  solo premium", "money", ""),
    ("parts_note", "Why the parts differ", "text", "the parts do not add up to the weekly price: say why"),
    ("start_date", "Start date", "date", "dd/mm/yyyy — required"),
    ("valid_until", "Valid until", "date", "dd/mm/yyyy — required"),
    ("conditions", "Conditions", "text", "e.g. impact assessment first"),
    ("received_on", "Offer received on", "date", "dd/mm/yyyy"),
)
KEYS = tuple(k for k, *_ in FIELDS)
PARTS = KEYS[1:6]
REQUIRED = {"weekly_price_pence": "Enter the weekly price, e.g. £5,600", "start_date": "Enter the start date",
            "valid_until": "Enter the date the offer is valid until"}


def read_offer(raw: dict[str, str], today: dt.date) -> tuple[OfferInput | None, dict[str, str]]:
    """What was typed -> (the offer, problems by field). Problems include the service's own checks
    (check_offer) for every field that could be read, so that all show at once."""
    problems: dict[str, str] = {}
    values: dict[str, Any] = {}
    for key, _label, kind, _hint in FIELDS:
        text = (raw.get(key) or "").strip()
        if kind == "text":
            values[key] = text
        elif not text:
            values[key] = None
            if key in REQUIRED:
                problems[key] = REQUIRED[key]
        else:
            try:
                values[key] = parse_pence(text) if kind == "money" else parse_date(text)
            except (MoneyError, DateError) as exc:
                values[key] = None
                problems[key] = str(exc)
    fallback: dict[str, Any] = {"weekly_price_pence": 1, "start_date": today, "valid_until": today}  # only so the checks run
    trial = OfferInput(**{k: fallback[k] if values[k] is None and k in fallback else values[k] for k in KEYS})
    for key, message in check_offer(trial, today).items():
        if key == "parts":
            if any(k in problems for k in ("weekly_price_pence", *PARTS)):
                continue
            total = sum(values[k] or 0 for k in PARTS)
            message = (f"The parts add up to {format_pence(total)}, not the weekly price of "
                       f"{format_pence(values['weekly_price_pence'])}: correct them, or say why here")
        elif key in problems or (key == "start_date" and "received_on" in problems):
            continue
        problems.setdefault(key, uk_dates(message))
    if problems.get("weekly_price_pence", "").startswith("must be a whole number"):
        problems["weekly_price_pence"] = "The weekly price must be more than £0.00"
    return (None, problems) if problems else (trial, {})


class OfferFormScreen(BrokerModal[str | None]):
    """The offer one service made for the referral. Dismisses with a message once recorded."""

    CSS_PATH = "offers.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Record offer", priority=True),
        Binding("escape", "leave", "Cancel"),
    ]

    def __init__(self, view: ReferralView, entry: LogEntry) -> None:
        super().__init__(classes="offers-dialog-screen")
        self.view, self.entry = view, entry
        self.dirty = False
        self.touched: set[str] = set()
        self.save_attempted = False
        self._ready = False

    def compose(self) -> ComposeResult:
        today = self.ctx.today()
        with Vertical(classes="offers-dialog offer-form"):
            yield Label(f"Offer from {self.entry.service_name} ({self.entry.provider_name}) for "
                        f"{self.view.case_ref} {self.view.initials}", classes="offers-question")
            yield Static("", classes="offers-banner", id="offer-banner")
            with VerticalScroll(id="offer-body"):
                for key, label, _kind, hint in FIELDS:
                    value = format_date(today) if key == "received_on" else ""
                    row = Horizontal(Label(label, classes="offer-label"),
                                     InOrderInput(value, id=f"f-{key}", classes="offer-input", compact=True, placeholder=hint),
                                     classes="offer-row", id=f"row-{key}")
                    if key == "parts_note":
                        row.display = False  # shown when the parts do not add up
                    yield row
                    yield Static("", classes="offer-error", id=f"err-{key}")
                yield Static("", classes="offer-error", id="err-other")
            yield Label("Tab or Enter: next field · ctrl+s record the offer · Esc cancel", classes="offers-hint")

    def on_mount(self) -> None:
        self.query_one("#f-weekly_price_pence", Input).focus()
        self.call_after_refresh(setattr, self, "_ready", True)

    def raw(self) -> dict[str, str]:
        return {k: self.query_one(f"#f-{k}", Input).value for k in KEYS}

    @on(Input.Changed)
    def _changed(self, _event: Input.Changed) -> None:
        if self._ready:
            self.dirty = True

    @on(Input.Submitted)
    def _submitted(self, _event: Input.Submitted) -> None:
        self.focus_next()

    def on_descendant_blur(self, event: Any) -> None:
        wid = event.widget.id or ""
        if self._ready and wid.startswith("f-") and self.dirty:
            self.touched.add(wid[2:])
            _offer, problems = read_offer(self.raw(), self.ctx.today())
            self._show(problems)

    def _show(self, problems: dict[str, str]) -> None:
        """Each problem beside its field: all after a save was tried, else those of fields left behind."""
        shown = {k: v for k, v in problems.items()
                 if self.save_attempted or k in self.touched or (k == "parts" and self.touched & set(PARTS))}
        if "parts" in shown:
            self.query_one("#row-parts_note").display = True
            shown.setdefault("parts_note", shown.pop("parts"))
        for key in (*KEYS, "other"):
            message = shown.pop(key, "")
            err = self.query_one(f"#err-{key}", Static)
            err.update(f"⚠ {message}" if message else "")
            err.set_class(bool(message), "has-error")
        if shown:  # anything not about one field (the service, the referral)
            err = self.query_one("#err-other", Static)
            err.update("⚠ " + "; ".join(uk_dates(m) for m in shown.values()))
            err.set_class(True, "has-error")

    def action_save(self) -> None:
        self.save_attempted = True
        offer, problems = read_offer(self.raw(), self.ctx.today())
        if offer is None:
            self._refused(problems)
            return
        self._save(offer)

    @background("offer-save", "record the offer")
    def _save(self, offer: OfferInput) -> None:
        try:
            record_offer(self.ctx, self.view, self.entry.service_id, offer)
        except OutreachRefused as exc:
            self.app.call_from_thread(self._refused, {k or "other": v for k, v in exc.problems.items()})
            return
        except Exception as exc:  # noqa: BLE001  (a refusal or a failure: one line, the form stays)
            self.app.call_from_thread(self._banner, f"Not recorded: {refusal_text(exc)}")
            return
        self.dirty = False
        self.app.call_from_thread(self.dismiss, f"Recorded the offer from {self.entry.service_name}: "
                                                f"{format_pence(offer.weekly_price_pence)} a week")

    def _refused(self, problems: dict[str, str]) -> None:
        n = len(problems)
        self._banner(f"Not recorded: {n} problem{'s' if n != 1 else ''} to put right (marked ⚠)")
        self._show(problems)
        first = next((k for k in KEYS if k in problems or (k == "parts_note" and "parts" in problems)), None)
        if first:
            field = self.query_one(f"#f-{first}", Input)
            field.focus()
            field.scroll_visible()

    def _banner(self, message: str) -> None:
        banner = self.query_one("#offer-banner", Static)
        banner.update(message)
        banner.set_class(bool(message), "-shown")
        banner.set_class(bool(message), "has-error")

    def action_leave(self) -> None:
        leave_form(self, dirty=self.dirty, question="Leave without recording the offer? What you typed will be lost.")
