"""Amend a spot agreement: a dated change, never an edit. A price change (the new parts, pre-filled with the
version in force today, and the funding split), an annual uplift (a percentage of every part), an
extension or a new planned end, each from a date (the first night it applies), with the reason.

The form shows only the fields the kind needs. The service (services.purchases.amend) writes the amendment
as a new row and says whether it counts from its date or awaits an approver (a raise above the threshold,
or by more than the allowed percentage: the old price holds until then); the message says which. Every
problem shows beside its field with nothing written, as on the agreement form.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Select, Static

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import apply_uplift, format_pence
from broker_tui.domain.purchases import format_basis_points, format_hours, staffing_pence
from broker_tui.services.placements import PurchaseRefused
from broker_tui.services.purchases import (
    AMENDMENT_KINDS,
    AgreementDetail,
    AmendmentInput,
    AmendmentMade,
    VersionView,
    amend,
)
from broker_tui.ui.base import background
from broker_tui.ui.screens.purchases.form import SPOT_ALIASES
from broker_tui.ui.screens.purchases.form_base import PurchaseForm, field
from broker_tui.ui.screens.purchases.form_reading import (
    MONEY,
    PRICE_INPUTS,
    SHARES,
    blank_none,
    date_problem,
    price_problems,
    read_share,
    split_problems,
)

PRICE_SLOTS = ("weekly_price_pence", "core_weekly_pence", "one_to_one", "two_to_one", "education_weekly_pence",
               "therapy_weekly_pence", "solo_premium_weekly_pence", "other", "funding")
KIND_SLOTS = {"price_change": PRICE_SLOTS, "uplift": ("uplift",), "extension": ("planned_end",),
              "planned_end": ("planned_end",)}
END_KINDS = ("extension", "planned_end")
MAX_UPLIFT = Decimal(50)  # the service's ceiling (50%): above it is a typing slip


def version_in_force(detail: AgreementDetail, today: dt.date) -> VersionView | None:
    """The version whose price is used today: of the versions that count, the latest from today or before
    (the one made last on a tie); before the start, the first."""
    counting = [v for v in detail.versions if v.counts]
    began = [v for v in counting if v.effective_from <= today]
    if began:
        return max(began, key=lambda v: (v.effective_from, v.created_at))
    return min(counting, key=lambda v: (v.effective_from, v.created_at)) if counting else None


def percent_to_basis_points(text: str) -> int | None:
    """'3.5' or '3.5%' -> 350 (None: not a percentage to the hundredth above 0% and up to 50%)."""
    try:
        value = Decimal(text.strip().removesuffix("%").strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value > MAX_UPLIFT:
        return None
    bp = value * 100
    return int(bp) if bp == bp.to_integral_value() else None


def uplift_problem(text: str) -> str | None:
    if not text.strip():
        return "enter the uplift as a percentage, e.g. 3.5%"
    if percent_to_basis_points(text) is None:
        return (f"{text.strip()[:12]!r} is not an uplift this form takes: a percentage above 0% and up to "
                f"{MAX_UPLIFT}%, to the hundredth, e.g. 3.5%")
    return None


def uplifted_weekly(v: VersionView, basis_points: int) -> int:
    """The weekly price after an uplift of every part (hourly rates too; staffing worked out again), as the
    service works it out."""
    def up(pence: int) -> int:
        return apply_uplift(pence, basis_points)

    return (up(v.core_weekly_pence) + staffing_pence(v.one_to_one_minutes, up(v.one_to_one_hourly_pence))
            + staffing_pence(v.two_to_one_minutes, up(v.two_to_one_hourly_pence)) + up(v.education_weekly_pence)
            + up(v.therapy_weekly_pence) + up(v.solo_premium_weekly_pence) + up(v.other_weekly_pence))


def version_values(v: VersionView | None) -> dict[str, str]:
    """A version's price and split as the broker reads them (the new parts start from these)."""
    if v is None:
        return {}

    def money(pence: int, keep: bool = False) -> str:
        return format_pence(pence) if pence or keep else ""

    return {
        "weekly_price_pence": money(v.weekly_price_pence, True), "core_weekly_pence": money(v.core_weekly_pence, True),
        "one_to_one_hours": format_hours(v.one_to_one_minutes) if v.one_to_one_minutes else "",
        "one_to_one_hourly_pence": money(v.one_to_one_hourly_pence),
        "two_to_one_hours": format_hours(v.two_to_one_minutes) if v.two_to_one_minutes else "",
        "two_to_one_hourly_pence": money(v.two_to_one_hourly_pence),
        "education_weekly_pence": money(v.education_weekly_pence), "therapy_weekly_pence": money(v.therapy_weekly_pence),
        "solo_premium_weekly_pence": money(v.solo_premium_weekly_pence),
        "other_weekly_pence": money(v.other_weekly_pence), "other_text": v.other_text,
        "social_care_pct": str(v.social_care_pct), "education_pct": str(v.education_pct),
        "health_pct": str(v.health_pct),
    }


class AmendmentFormScreen(PurchaseForm):
    """A dated amendment to an active agreement (``detail`` as shown). Dismisses with a one-line message
    saying whether it counts from its date or awaits approval, or None when the broker leaves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save the amendment", priority=True),
        Binding("escape", "leave", "Cancel"),
    ]
    ALIASES: ClassVar[dict[str, str]] = {**SPOT_ALIASES, "uplift_bp": "uplift"}
    DEPENDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "weekly_price_pence": (*PRICE_INPUTS, *SHARES, "effective_from"),  # nothing changes / parts not adding up
        "effective_from": ("effective_from", "kind", "planned_end"),
        "planned_end": ("planned_end", "kind", "effective_from"),
    }
    SHORT = {"one_to_one_hours": "Hours", "one_to_one_minutes": "Hours", "one_to_one_hourly_pence": "Hourly rate",
             "two_to_one_hours": "Hours", "two_to_one_minutes": "Hours", "two_to_one_hourly_pence": "Hourly rate",
             "other_weekly_pence": "Amount", "other_text": "What it is for", "social_care_pct": "Social care",
             "education_pct": "Education", "health_pct": "Health"}
    LEAVE_QUESTION = "Leave without saving the amendment? What you typed will be lost."

    def __init__(self, detail: AgreementDetail) -> None:
        super().__init__()
        self.detail = detail
        self.in_force: VersionView | None = None

    @property
    def case_ref(self) -> str | None:  # for the log (the worker policy)
        return self.detail.case_ref

    def compose(self) -> ComposeResult:
        d, today = self.detail, self.ctx.today()
        self.in_force = version_in_force(d, today)
        v = self.in_force
        now = (f"In force from {format_date(v.effective_from)}: {format_pence(v.weekly_price_pence)} a week"
               if v is not None else "No price in force")
        end = f"planned end {format_date(d.planned_end)}" if d.planned_end else "no planned end"
        lead = Static(f"{now}; {end}. An amendment is a new dated version: the old one stays in the history.",
                      classes="pf-lead")
        yield from self.frame(f"Amend {d.case_ref}'s spot agreement at {d.service_name}", (lead,), self.body(),
                              "Tab or Enter: next field · ctrl+s save the amendment · Esc leave")

    def body(self) -> ComposeResult:
        d = self.detail
        values = version_values(self.in_force)
        yield from self.row("kind", "What changes", Select(
            [(label, code) for code, label in AMENDMENT_KINDS.items()], prompt="Choose what changes",
            id="pf-f-kind", classes="pf-field pf-select", compact=True))
        yield from self.row("effective_from", "From", field(
            "effective_from", format_date(max(self.ctx.today(), d.start_date)),
            "the first night it applies, dd/mm/yyyy"))
        yield from self.row("uplift", "Uplift", field("uplift", "", "a percentage of every part, e.g. 3.5%"))
        yield Static("", classes="pf-live", id="pf-uplift-line")
        yield from self.row("planned_end", "New planned end", field(
            "planned_end", "", "the first night NOT bought, dd/mm/yyyy"))
        yield from self.price_rows(values)
        yield from self.split_row(values)
        yield from self.row("reason", "Why", field("reason", "", "the reason (a price change needs one)"))

    def about(self, slot: str) -> tuple[str, ...]:
        return (*super().about(slot), "kind")  # another kind: another amendment, judged afresh

    def show_rows(self) -> None:
        kind = self.raw().get("kind", "")
        wanted = KIND_SLOTS.get(kind, ())
        for slot in (*PRICE_SLOTS, "uplift", "planned_end"):
            shown = slot in wanted
            self.query_one(f"#pf-row-{slot}").display = shown
            if not shown:
                self.query_one(f"#pf-err-{slot}", Static).set_class(False, "has-error")
        self.query_one("#pf-parts-line").display = kind == "price_change"
        self.query_one("#pf-uplift-line").display = kind == "uplift"
        self.typed("uplift")

    def typed(self, name: str) -> None:
        if name != "uplift" or self.in_force is None:
            return
        v = self.in_force
        text = self.raw().get("uplift", "")
        bp = percent_to_basis_points(text)
        line = self.query_one("#pf-uplift-line", Static)
        if bp is None:
            line.update(f"Every part rises by the percentage, from {format_pence(v.weekly_price_pence)} a week")
            return
        new = uplifted_weekly(v, bp)
        line.update(f"{format_basis_points(bp)} on every part: {format_pence(v.weekly_price_pence)} → "
                    f"{format_pence(new)} a week (+{format_pence(new - v.weekly_price_pence)})")

    def words(self, key: str, message: str, raw: dict[str, str]) -> str:
        if key == "kind" and not raw.get("kind"):
            message = "choose what changes: a price change, an annual uplift, an extension or a new planned end"
        elif key == "uplift_bp":
            message = uplift_problem(raw.get("uplift", "")) or message
        return super().words(key, message, raw)

    def local_problems(self, raw: dict[str, str]) -> dict[str, str]:
        kind = raw.get("kind", "")
        problems: dict[str, str] = {}
        effective = raw.get("effective_from", "").strip()
        if not effective:
            problems["effective_from"] = "say the first night the amendment applies (dd/mm/yyyy)"
        elif problem := date_problem(effective):
            problems["effective_from"] = problem
        if kind == "uplift" and (problem := uplift_problem(raw.get("uplift", ""))):
            problems["uplift_bp"] = problem
        if kind in END_KINDS:
            end = raw.get("planned_end", "").strip()
            if not end:
                problems["planned_end"] = "give the new planned end (the first night not bought)"
            elif problem := date_problem(end):
                problems["planned_end"] = problem
        if kind == "price_change":
            problems.update(price_problems(raw))
            problems.update(split_problems(raw))
        return problems

    def amendment(self) -> AmendmentInput:
        raw = self.raw()
        kind = raw["kind"]
        price: dict[str, Any] = {}
        if kind == "price_change":
            price = {name: blank_none(raw[name]) for name in MONEY}
            price.update({name: blank_none(read_share(raw[name])) for name in SHARES})
            price.update(one_to_one_hours=blank_none(raw["one_to_one_hours"]),
                         two_to_one_hours=blank_none(raw["two_to_one_hours"]), other_text=raw["other_text"])
        return AmendmentInput(kind=kind, effective_from=blank_none(raw["effective_from"]), reason=raw["reason"],
                              uplift_bp=percent_to_basis_points(raw["uplift"]) if kind == "uplift" else None,
                              planned_end=blank_none(raw["planned_end"]) if kind in END_KINDS else None, **price)

    def action_save(self) -> None:
        if self.saving:
            return
        self.saving = True
        self.save_attempted = True
        self.banner("Saving…", error=False)
        self._save(self.amendment())

    @background("pf-amend", "save the amendment")
    def _save(self, change: AmendmentInput) -> None:
        try:
            made = amend(self.ctx, self.detail, change)
        except PurchaseRefused as exc:
            problems = dict(exc.problems)
            if change.kind == "uplift" and change.uplift_bp is None:
                problems.setdefault("uplift_bp", "enter the uplift as a percentage, e.g. 3.5%")
            self.app.call_from_thread(self.refused_by, problems)
            return
        self.app.call_from_thread(self.done, amended_message(made))


def amended_message(made: AmendmentMade) -> str:
    """'Amended: price change from 01/01/2027, £6,300.00 a week — awaits approval (…)'."""
    kind = AMENDMENT_KINDS.get(made.kind, made.kind).lower()
    end = f", planned end {format_date(made.planned_end)}" if made.planned_end else ""
    state = (f" — awaits approval ({'; '.join(made.reasons)})" if made.state == "awaiting_approval"
             else " — in force from that date")
    return (f"Amended: {kind} from {format_date(made.effective_from)}, {format_pence(made.weekly_pence)} a week"
            f"{end}{state}")
