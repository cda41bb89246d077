"""The review's period: From and To (dd/mm/yyyy or ISO; blank: the default's), each with its problem beside
it. A date is checked when its field is left and when the period is asked for; what was typed is kept."""

from __future__ import annotations

import datetime as dt

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from broker_tui.domain.dates import format_date
from broker_tui.services.review import ReviewPeriod, ReviewRefused, period_from_text
from broker_tui.ui.widgets.in_order_input import InOrderInput

FIELDS = {"from": "#rv-from", "to": "#rv-to"}


class PeriodFields(Horizontal):
    """From and To with their problems. ``asked()`` reads the period (or shows what is wrong and focuses it);
    ``worked_out(period)`` shows the dates the review was made for unless they were changed since asked."""

    def __init__(self, period: ReviewPeriod, today: dt.date, *, id: str) -> None:  # noqa: A002
        super().__init__(id=id)
        self.first = period
        self.today = today
        self.asked_as = ("", "")  # the dates as typed when the review was last asked for

    def compose(self) -> ComposeResult:
        for key, label, day in (("from", "From", self.first.first_day), ("to", "To", self.first.last_day)):
            with Vertical(classes="rv-field"):
                with Horizontal(classes="rv-field-row"):
                    yield Label(label, classes="rv-label")
                    yield InOrderInput(format_date(day), id=f"rv-{key}", compact=True, classes="rv-date")
                yield Static("", id=f"rv-err-{key}", classes="rv-error")

    def typed(self) -> tuple[str, str]:
        return self.query_one("#rv-from", Input).value, self.query_one("#rv-to", Input).value

    def field_error(self, key: str, message: str) -> None:
        error = self.query_one(f"#rv-err-{key}", Static)
        error.update(f"⚠ {message}" if message else "")
        error.set_class(bool(message), "has-error")

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each field's problem beside it, the first such field focused."""
        for key in FIELDS:
            self.field_error(key, problems.get(key, ""))
        first = next((k for k in FIELDS if k in problems), None)
        if first is not None:
            self.query_one(FIELDS[first], Input).focus()

    def asked(self) -> ReviewPeriod | None:
        """The period typed, or None with its problems shown beside the fields."""
        try:
            period = period_from_text(self.today, *self.typed())
        except ReviewRefused as refused:
            self.show_problems(refused.problems)
            return None
        for key in FIELDS:
            self.field_error(key, "")
        self.asked_as = self.typed()
        return period

    def worked_out(self, period: ReviewPeriod) -> None:
        if self.typed() == self.asked_as:
            self.query_one("#rv-from", Input).value = format_date(period.first_day)
            self.query_one("#rv-to", Input).value = format_date(period.last_day)

    @on(Input.Blurred, "#rv-from, #rv-to")
    def _left(self, event: Input.Blurred) -> None:
        """A date is checked when its field is left: its own problem shown beside it, the other's kept."""
        key = "from" if event.input.id == "rv-from" else "to"
        try:
            period_from_text(self.today, *self.typed())
        except ReviewRefused as refused:
            self.field_error(key, refused.problems.get(key, ""))
            return
        self.field_error(key, "")
