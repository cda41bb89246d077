"""Record a spot agreement (an individual placement agreement, IPA): from an accepted offer (the child, the
service, the price and its parts and the start pre-filled) or directly.

The broker types as they would write it: money as £5,600 or 5600.50, hours a week as 10.5 or 10:30, dates as
dd/mm/yyyy, shares as whole percentages. A live line under the weekly price adds the parts up as they type
(staffing worked out as hours x hourly rate, rounded half up to the penny once, as the service does), so a
price that does not add up shows before saving. Each field is checked when the broker leaves it (money,
hours, dates, the parts and the split: pure checks, no database) and everything on save by the service
(services.purchases.add_agreement), which refuses by field with nothing written: every problem shows beside
its field (one about the whole agreement in the banner), what was typed stays, and the focus goes to the
first. ctrl+s saves and submits (active, or awaiting approval above the threshold), ctrl+d saves a draft,
Esc leaves (asking first when something was typed).

``PurchaseForm`` is what this form and the amendment form (purchases.amend) share: rows of fields with their
problems beside them, the checks on leaving a field, the live parts line, the banner and leaving.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from broker_tui.domain.dates import DateError, format_date, parse_date
from broker_tui.domain.money import MoneyError, format_pence, parse_pence
from broker_tui.domain.purchases import (
    HoursError,
    check_funding_split,
    check_price_parts,
    format_hours,
    parse_hours,
    staffing_pence,
)
from broker_tui.domain.vocabulary import PURCHASING_ROUTES
from broker_tui.services.market import ServiceNotFound, service_detail
from broker_tui.services.placements import OVERLAP_KINDS, PurchaseRefused
from broker_tui.services.purchases import (
    SPOT_ROUTES,
    AgreementAdded,
    SpotInput,
    add_agreement,
    show_agreement,
)
from broker_tui.services.referrals import ReferralNotFound, get_referral
from broker_tui.ui.base import BrokerModal, background
from broker_tui.ui.screens.dialogs import leave_form

# ------------------------------------------------------------------------------------- reading what was typed

# the money fields of a price (SpotInput's and AmendmentInput's names) and domain.purchases' names for them
MONEY = {
    "weekly_price_pence": "weekly_pence",
    "core_weekly_pence": "core_pence",
    "one_to_one_hourly_pence": "one_to_one_hourly_pence",
    "two_to_one_hourly_pence": "two_to_one_hourly_pence",
    "education_weekly_pence": "education_pence",
    "therapy_weekly_pence": "therapy_pence",
    "solo_premium_weekly_pence": "solo_premium_pence",
    "other_weekly_pence": "other_pence",
}
HOURS = {"one_to_one_hours": "one_to_one_minutes", "two_to_one_hours": "two_to_one_minutes"}
FROM_DOMAIN = {**{v: k for k, v in MONEY.items()}, **{v: k for k, v in HOURS.items()}, "other_words": "other_text"}
PRICE_INPUTS = (*MONEY, *HOURS, "other_text")
SHARES = ("social_care_pct", "education_pct", "health_pct")
REQUIRED_MONEY = {"weekly_price_pence": "enter the weekly price",
                  "core_weekly_pence": "enter the core fee (0 when the price is all in other parts)"}
PART_NAMES = {"core_weekly_pence": "core fee", "one_to_one_hours": "1:1 hours", "one_to_one_hourly_pence": "1:1 rate",
              "two_to_one_hours": "2:1 hours", "two_to_one_hourly_pence": "2:1 rate",
              "education_weekly_pence": "education", "therapy_weekly_pence": "therapy",
              "solo_premium_weekly_pence": "solo premium", "other_weekly_pence": "other"}
NAMED_ROUTES = ("framework", "open_framework", "dynamic_purchasing_system")  # a route that names its framework


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def read_parts(raw: dict[str, str]) -> tuple[dict[str, int], dict[str, str]]:
    """The price parts as typed -> (values by domain.purchases' names, problems by the input's names)."""
    values: dict[str, int] = {}
    problems: dict[str, str] = {}
    for name, domain_name in MONEY.items():
        text = (raw.get(name) or "").strip()
        if not text:
            if name in REQUIRED_MONEY:
                problems[name] = REQUIRED_MONEY[name]
            continue
        try:
            values[domain_name] = parse_pence(text)
        except MoneyError as exc:
            problems[name] = str(exc)
    for name, domain_name in HOURS.items():
        text = (raw.get(name) or "").strip()
        if not text:
            continue
        try:
            values[domain_name] = parse_hours(text)
        except HoursError as exc:
            problems[name] = str(exc)
    return values, problems


def price_problems(raw: dict[str, str]) -> dict[str, str]:
    """Every problem with the price as typed, by the input's name: each amount and hours readable, then the
    parts adding exactly to the weekly price (domain.purchases.check_price_parts, as the service checks)."""
    values, problems = read_parts(raw)
    if problems:
        return problems
    checked: dict[str, Any] = {**values, "other_words": raw.get("other_text") or ""}
    return {FROM_DOMAIN.get(k, k): m for k, m in check_price_parts(checked).items()}


def read_share(text: str) -> str:
    """A share as typed ('20', '20%') -> what the service reads (the digits)."""
    return text.strip().removesuffix("%").strip()


def split_problems(raw: dict[str, str]) -> dict[str, str]:
    """The funding split as typed: whole percentages adding to 100 ("funding" when they do not)."""
    texts = {name: read_share(raw.get(name) or "") for name in SHARES}
    if not any(texts.values()):
        return {}
    problems: dict[str, str] = {}
    shares: dict[str, int] = {}
    for name, text in texts.items():
        if not text:
            shares[name] = 0
        elif text.isdigit():
            shares[name] = int(text)
        else:
            problems[name] = f"{text[:10]!r} is not a whole percentage"
    if problems:
        return problems
    return {"funding" if k == "shares" else k: m for k, m in check_funding_split(shares).items()}


def date_problem(text: str) -> str | None:
    try:
        parse_date(text)
    except DateError as exc:
        return str(exc)
    return None


def parts_line(raw: dict[str, str]) -> str:
    """What the parts add to as typed, beside the weekly price, and the staffing worked out:
    'The parts add to £6,100.00 — the weekly price ✓ · 1:1 10.5 h × £28.00 = £294.00'."""
    values, problems = read_parts(raw)
    unread = [PART_NAMES[k] for k in problems if k in PART_NAMES and (raw.get(k) or "").strip()]
    staffing = []
    total = sum(values.get(k, 0) for k in ("core_pence", "education_pence", "therapy_pence", "solo_premium_pence",
                                           "other_pence"))
    for label, minutes_name, rate_name in (("1:1", "one_to_one_minutes", "one_to_one_hourly_pence"),
                                           ("2:1", "two_to_one_minutes", "two_to_one_hourly_pence")):
        minutes, rate = values.get(minutes_name, 0), values.get(rate_name, 0)
        pence = staffing_pence(minutes, rate)
        total += pence
        if minutes or rate:
            staffing.append(f"{label} {format_hours(minutes)} h × {format_pence(rate)} = {format_pence(pence)}")
    head = f"The parts add to {format_pence(total)}"
    weekly = values.get("weekly_pence")
    if unread:
        head += f" (not counting the {', '.join(unread)}: not read)"
    elif weekly is not None and total == weekly:
        head += " — the weekly price ✓"
    elif weekly is not None:
        gap = "short of" if total < weekly else "over"
        head += f" — {format_pence(abs(weekly - total))} {gap} the weekly price of {format_pence(weekly)}"
    return " · ".join([head, *staffing])


def money_text(value: Any, *, keep_zero: bool = False) -> str:
    """A pre-filled amount as the broker reads it: pence -> '£6,100.00' (0 or none -> '' unless kept)."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return format_pence(value) if value or keep_zero else ""
    return str(value)


def hours_text(hours: Any, minutes: Any) -> str:
    if hours not in (None, ""):
        return str(hours)
    if isinstance(minutes, int) and not isinstance(minutes, bool) and minutes:
        return format_hours(minutes)
    if isinstance(minutes, str) and minutes.strip().isdigit() and int(minutes):
        return format_hours(int(minutes))
    return ""


def date_text(value: Any) -> str:
    if isinstance(value, dt.date):
        return format_date(value)
    return "" if value is None else str(value)


def share_text(value: Any) -> str:
    return "" if value is None or value == "" else str(value)


def blank_none(text: str) -> str | None:
    return text.strip() or None


def field(name: str, value: str = "", placeholder: str = "", *, size: str = "") -> Input:
    """An input of a purchase form (its id names the service's field)."""
    return Input(value, id=f"pf-f-{name}", classes=f"pf-field pf-input {size}".strip(), compact=True,
                 placeholder=placeholder)


def unit(text: str) -> Label:
    """Words between the inputs of one row ('hours a week at')."""
    return Label(text, classes="pf-unit")


# ------------------------------------------------------------------------------------------------ the base

class PurchaseForm(BrokerModal[str | None]):
    """A purchase form: rows of fields (a *slot* each, with its problem beside it) in a scrolling body, a
    banner for what is about no one field, checks as the broker leaves a field, and leaving with a question
    when something was typed. Subclasses compose the rows (``row``) and say how a problem's field maps to a
    slot (``ALIASES``), what a refusal in a slot depends on (``DEPENDS``), and how to check and save."""

    CSS_PATH = "forms.tcss"
    ALIASES: ClassVar[dict[str, str]] = {}  # a problem's field -> the slot it shows in (itself when a slot)
    DEPENDS: ClassVar[dict[str, tuple[str, ...]]] = {}  # a slot -> the inputs a refusal there is about
    SHORT: ClassVar[dict[str, str]] = {}  # an input's short name, said before its problem in a shared slot
    LEAVE_QUESTION = "Leave without saving? What you typed will be lost."

    def __init__(self) -> None:
        super().__init__(classes="pf-screen")
        self.slots: dict[str, tuple[str, ...]] = {}  # slot -> its inputs, top to bottom
        self.saved = False
        self.saving = False
        self.save_attempted = False
        self.touched: set[str] = set()  # the slots the broker has left
        self.refused: dict[str, tuple[str, dict[str, str]]] = {}  # field -> (the service's words, what it was about)
        self._initial: dict[str, str] | None = None
        self._ready = False

    # ---- layout ----------------------------------------------------------------------------------
    def row(self, slot: str, label: str, *widgets: Widget, shown: bool = True) -> ComposeResult:
        """A row: its label, its widgets (inputs named pf-f-<field>), and its problem line below."""
        self.slots[slot] = tuple(w.id.removeprefix("pf-f-") for w in widgets if w.id and w.id.startswith("pf-f-"))
        line = Horizontal(Label(label, classes="pf-label"), *widgets, classes="pf-row", id=f"pf-row-{slot}")
        line.display = shown
        yield line
        yield Static("", classes="pf-error", id=f"pf-err-{slot}")

    def price_rows(self, v: dict[str, str]) -> ComposeResult:
        """The weekly price, the live line of its parts, and the parts (values as text, by field)."""
        yield from self.row("weekly_price_pence", "Weekly price",
                            field("weekly_price_pence", v.get("weekly_price_pence", ""), "e.g. £5,600 — required"))
        yield Static(parts_line(v), classes="pf-live", id="pf-parts-line")
        yield from self.row("core_weekly_pence", "  core fee",
                            field("core_weekly_pence", v.get("core_weekly_pence", ""), "a week — required (0 if none)"))
        for key, label in (("one_to_one", "  1:1 support"), ("two_to_one", "  2:1 support")):
            yield from self.row(key, label,
                                field(f"{key}_hours", v.get(f"{key}_hours", ""), "e.g. 10.5 or 10:30", size="pf-short"),
                                unit("hours a week at"),
                                field(f"{key}_hourly_pence", v.get(f"{key}_hourly_pence", ""), "e.g. £28.00",
                                      size="pf-short"),
                                unit("an hour"))
        for key, label in (("education_weekly_pence", "  education"), ("therapy_weekly_pence", "  therapy"),
                           ("solo_premium_weekly_pence", "  solo premium")):
            yield from self.row(key, label, field(key, v.get(key, ""), "a week"))
        yield from self.row("other", "  other",
                            field("other_weekly_pence", v.get("other_weekly_pence", ""), "a week", size="pf-short"),
                            unit("for"),
                            field("other_text", v.get("other_text", ""), "what the other part pays for"))

    def split_row(self, v: dict[str, str]) -> ComposeResult:
        yield from self.row("funding", "Funding split %",
                            unit("social care"), field("social_care_pct", v.get("social_care_pct", ""), "%",
                                                       size="pf-pct"),
                            unit("education"), field("education_pct", v.get("education_pct", ""), "%", size="pf-pct"),
                            unit("health"), field("health_pct", v.get("health_pct", ""), "%", size="pf-pct"))

    def frame(self, title: str, lead: Iterable[Widget], body: ComposeResult, hint: str) -> ComposeResult:
        with Vertical(classes="pf-dialog"):
            yield Label(title, classes="pf-title")
            yield from lead
            yield Static("", classes="pf-banner", id="pf-banner")
            with VerticalScroll(id="pf-body"):
                yield from body
            yield Label(hint, classes="pf-hint")

    def on_mount(self) -> None:  # Textual calls each class's on_mount: subclasses use ``opened``
        self.show_rows()
        self.first_field().focus()
        self.call_after_refresh(self._settled)
        self.opened()

    def opened(self) -> None:
        """A hook: the form is on screen (start reading what it shows)."""

    def _settled(self) -> None:
        self._initial = self.raw()
        self._ready = True

    def first_field(self) -> Widget:
        return next(w for w in self.query(".pf-field") if w.display and self.row_shown(w))

    def show_rows(self) -> None:
        """Show the rows the choices made need (none by default)."""

    # ---- reading the form ------------------------------------------------------------------------
    def raw(self) -> dict[str, str]:
        """Every input's text and every choice's code, by field."""
        out: dict[str, str] = {}
        for w in self.query(".pf-field"):
            name = (w.id or "").removeprefix("pf-f-")
            if isinstance(w, Select):
                out[name] = "" if w.value is Select.NULL else str(w.value)
            elif isinstance(w, Input):
                out[name] = w.value
        return out

    def row_shown(self, widget: Widget) -> bool:
        parent = widget.parent
        return not isinstance(parent, Horizontal) or bool(parent.display)

    def shown(self, slot: str) -> bool:
        return bool(self.query_one(f"#pf-row-{slot}").display)

    @property
    def dirty(self) -> bool:
        """Something was typed or chosen that is not saved (the app asks before quitting)."""
        return not self.saved and self._initial is not None and self.raw() != self._initial

    def slot_of(self, key: str) -> str | None:
        slot = self.ALIASES.get(key, key)
        if slot in self.slots:
            return slot
        return next((s for s, names in self.slots.items() if key in names), None)

    def about(self, slot: str) -> tuple[str, ...]:
        """The inputs a refusal shown in ``slot`` is about: it stands while they hold what they held."""
        return self.DEPENDS.get(slot, self.slots.get(slot, ()))

    def local_problems(self, raw: dict[str, str]) -> dict[str, str]:
        """The problems found without the service (pure checks), by field."""
        return {}

    def words(self, key: str, message: str, raw: dict[str, str]) -> str:
        """A problem as shown beside its field (the input named where a slot holds several)."""
        slot = self.slot_of(key)
        if slot is not None and len(self.slots.get(slot, ())) > 1 and key in self.SHORT:
            return f"{self.SHORT[key]}: {message}"
        return cap(message)

    # ---- as the broker types -----------------------------------------------------------------------
    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("pf-f-")
        if name in PRICE_INPUTS and self.query("#pf-parts-line"):
            self.query_one("#pf-parts-line", Static).update(parts_line(self.raw()))
        self.typed(name)
        slot = self.slot_of(name)
        if self._ready and slot and self.query_one(f"#pf-err-{slot}", Static).has_class("has-error"):
            raw = self.raw()  # a problem put right goes as the broker types (a new one waits till they leave)
            if not any(self.slot_of(k) == slot for k in self.problems_now(raw)):
                self.show_slot(slot, "")

    def typed(self, name: str) -> None:
        """A hook: an input changed (the live lines follow it)."""

    @on(Input.Submitted)
    def _submitted(self, _event: Input.Submitted) -> None:
        self.focus_next()

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        self.show_rows()
        if self._ready and event.select.id:
            slot = self.slot_of(event.select.id.removeprefix("pf-f-"))
            if slot:
                self.touched.add(slot)
            self.recheck()

    def on_descendant_blur(self, event: Any) -> None:
        wid = getattr(event.widget, "id", None) or ""
        if not self._ready or not wid.startswith("pf-f-") or not self.dirty:
            return
        slot = self.slot_of(wid.removeprefix("pf-f-"))
        if slot:
            self.touched.add(slot)
        self.recheck()

    def recheck(self) -> None:
        """The problems beside the fields now: the service's last refusal where its field still holds what
        it was about, and the pure checks of the slots left behind (every slot once a save was tried)."""
        raw = self.raw()
        self.show(self.problems_now(raw), raw)

    def problems_now(self, raw: dict[str, str]) -> dict[str, str]:
        problems = {k: m for k, (m, then) in self.refused.items()
                    if all(raw.get(n, "") == v for n, v in then.items())}
        for key, message in self.local_problems(raw).items():
            slot = self.slot_of(key)
            if slot is None or not (self.save_attempted or slot in self.touched):
                continue
            for stale in [k for k in problems if self.slot_of(k) == slot]:
                del problems[stale]
            problems[key] = message
        return problems

    # ---- problems beside their fields ----------------------------------------------------------------
    def show(self, problems: dict[str, str], raw: dict[str, str]) -> list[str]:
        """Each problem beside its field (only shown rows); the rest returned, for the banner."""
        by_slot: dict[str, list[str]] = {}
        rest: list[str] = []
        for key, message in problems.items():
            slot = self.slot_of(key)
            text = self.words(key, message, raw)
            if slot is not None and self.shown(slot):
                by_slot.setdefault(slot, []).append(text)
            else:
                rest.append(cap(text))
        for slot in self.slots:
            self.show_slot(slot, "; ".join(by_slot.get(slot, [])))
        return rest

    def show_slot(self, slot: str, text: str) -> None:
        err = self.query_one(f"#pf-err-{slot}", Static)
        err.update(f"⚠ {text}" if text else "")
        err.set_class(bool(text), "has-error")

    def banner(self, message: str, *, error: bool = True) -> None:
        banner = self.query_one("#pf-banner", Static)
        banner.update(message)
        banner.set_class(bool(message), "-shown")
        banner.set_class(bool(message) and error, "has-error")

    def refused_by(self, problems: dict[str, str]) -> None:
        """The service refused (nothing written): every problem beside its field, the rest in the banner,
        the focus on the first problem's field, what was typed kept."""
        self.saving = False
        self.save_attempted = True
        raw = self.raw()
        self.refused = {}
        for key, message in problems.items():
            slot = self.slot_of(key)
            about = self.about(slot) if slot else ()
            self.refused[key] = (message, {n: raw.get(n, "") for n in about})
        rest = self.show(problems, raw)
        n = len(problems)
        self.banner(f"Not saved: {n} problem{'s' if n != 1 else ''} to put right (marked ⚠)"
                    + (": " + "; ".join(rest) if rest else ""))
        for slot, names in self.slots.items():
            if not self.shown(slot) or not any(self.slot_of(k) == slot for k in problems):
                continue
            named = [n for n in names if n in problems] or list(names)
            if named:
                widget = self.query_one(f"#pf-f-{named[0]}")
                widget.focus()
                self.call_after_refresh(widget.scroll_visible)
            else:
                self.query_one(f"#pf-row-{slot}").scroll_visible()
            return

    def show_failure(self, message: str) -> None:
        """A save that failed unexpectedly (the worker policy's message): in the banner, the form as typed."""
        self.saving = False
        self.banner(message)

    def done(self, message: str) -> None:
        self.saved = True
        self.dismiss(message)

    def action_leave(self) -> None:
        leave_form(self, dirty=self.dirty, question=self.LEAVE_QUESTION)


# ------------------------------------------------------------------------------------------ the agreement

SPOT_ALIASES = {
    "referral": "case_ref",
    "one_to_one_minutes": "one_to_one", "two_to_one_minutes": "two_to_one",
    "other_weekly_pence": "other", "other_text": "other",
    "social_care_pct": "funding", "education_pct": "funding", "health_pct": "funding",
}
STATUS_WORDS = {"active": "active", "awaiting_approval": "awaiting approval",
                "draft": "a draft (submit it from the agreement when ready)"}


class AgreementFormScreen(PurchaseForm):
    """A spot agreement, pre-filled from ``prefill`` (prefill_from_offer, or the child alone, or nothing).
    Dismisses with a one-line message once recorded, or None when the broker leaves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save(True)", "Save and submit", priority=True),
        Binding("ctrl+d", "save(False)", "Save as a draft", priority=True),
        Binding("escape", "leave", "Cancel"),
    ]
    ALIASES = SPOT_ALIASES
    DEPENDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "weekly_price_pence": PRICE_INPUTS,  # the parts not adding up: any part can put it right
        "start_date": ("start_date", "planned_end"),  # the child's other placement on these nights
        "planned_end": ("start_date", "planned_end"),
        "route_reason": ("route_reason", "purchasing_route", *PRICE_INPUTS),  # above the service's rate
    }
    SHORT: ClassVar[dict[str, str]] = {
        "one_to_one_hours": "Hours", "one_to_one_minutes": "Hours", "one_to_one_hourly_pence": "Hourly rate",
        "two_to_one_hours": "Hours", "two_to_one_minutes": "Hours", "two_to_one_hourly_pence": "Hourly rate",
        "other_weekly_pence": "Amount", "other_text": "What it is for", "social_care_pct": "Social care",
        "education_pct": "Education", "health_pct": "Health"}
    LEAVE_QUESTION = "Leave without recording the agreement? What you typed will be lost."

    def __init__(self, prefill: SpotInput, *, heading: str) -> None:
        super().__init__()
        self.prefill, self.heading = prefill, heading
        self.fixed_child = prefill.referral not in (None, "")
        self.fixed_service = prefill.service not in (None, "")
        self.service_name = ""
        self.child = ""  # the referral's case reference, once read

    @property
    def case_ref(self) -> str | None:  # for the log (the worker policy)
        return self.prefill.case_ref or self.child or None

    def values(self) -> dict[str, str]:
        """The pre-filled values as the broker reads them."""
        p = self.prefill
        out = {name: money_text(getattr(p, name), keep_zero=name in REQUIRED_MONEY) for name in MONEY}
        out["one_to_one_hours"] = hours_text(p.one_to_one_hours, p.one_to_one_minutes)
        out["two_to_one_hours"] = hours_text(p.two_to_one_hours, p.two_to_one_minutes)
        out.update({name: share_text(getattr(p, name)) for name in SHARES})
        out.update(other_text=p.other_text, start_date=date_text(p.start_date), planned_end=date_text(p.planned_end),
                   case_ref=p.case_ref, service="" if p.service is None else str(p.service),
                   cost_centre=p.cost_centre, framework_name=p.framework_name, framework_lot=p.framework_lot,
                   route_reason=p.route_reason, conditions=p.conditions, overlap_reason=p.overlap_reason)
        return out

    def compose(self) -> ComposeResult:
        threshold = format_pence(self.ctx.settings.high_cost_threshold_pence)
        yield from self.frame(
            self.heading, (), self.body(),
            f"Tab or Enter: next field · ctrl+s save and submit (above {threshold} a week it waits for an "
            "approver) · ctrl+d save as a draft · Esc leave")

    def body(self) -> ComposeResult:
        v, p = self.values(), self.prefill
        if self.fixed_child:
            yield from self.row("case_ref", "Child", Static(p.case_ref or "…", classes="pf-readonly",
                                                            id="pf-child"))
        else:
            yield from self.row("case_ref", "Child", field("case_ref", v["case_ref"], "case reference, e.g. LCC-123456"))
        if self.fixed_service:
            yield from self.row("service", "Service", Static("…", classes="pf-readonly", id="pf-service"))
        else:
            yield from self.row("service", "Service", field("service", v["service"],
                                                            "its Ofsted URN (e.g. SC123456) or id"))
        yield from self.row("start_date", "Start date", field("start_date", v["start_date"],
                                                              "the first night, dd/mm/yyyy — required"))
        yield from self.row("planned_end", "Planned end", field(
            "planned_end", v["planned_end"], "the first night NOT bought, dd/mm/yyyy (optional)"))
        yield from self.price_rows(v)
        yield from self.split_row(v)
        yield from self.row("cost_centre", "Cost centre", field("cost_centre", v["cost_centre"], "required"))
        route = p.purchasing_route if p.purchasing_route in SPOT_ROUTES else "spot"
        yield from self.row("purchasing_route", "Purchasing route", Select(
            [(PURCHASING_ROUTES.get(r, r), r) for r in SPOT_ROUTES], value=route, allow_blank=False,
            id="pf-f-purchasing_route", classes="pf-field pf-select", compact=True))
        yield from self.row("framework_name", "  framework", field("framework_name", v["framework_name"],
                                                                   "the framework's (or system's) name"))
        yield from self.row("framework_lot", "  lot", field("framework_lot", v["framework_lot"], "e.g. Lot 2"))
        yield from self.row("route_reason", "  why bought this way", field(
            "route_reason", v["route_reason"], "spot: why not a framework or block; above the service's rate: why"))
        yield from self.row("conditions", "Conditions", field("conditions", v["conditions"],
                                                              "e.g. impact assessment first (optional)"))
        yield from self.row("overlap_kind", "Another placement", Select(
            [(label, code) for code, label in OVERLAP_KINDS.items()],
            value=p.overlap_kind if p.overlap_kind in OVERLAP_KINDS else Select.NULL,
            prompt="None on these nights (the usual)", id="pf-f-overlap_kind", classes="pf-field pf-select",
            compact=True))
        yield from self.row("overlap_reason", "  why two at once", field(
            "overlap_reason", v["overlap_reason"], "the child keeps the other placement because…"))

    def opened(self) -> None:
        if self.fixed_child or self.fixed_service:
            self._names(self.prefill.referral, self.prefill.service)

    @background("pf-names", "read the child and the service for the agreement")
    def _names(self, referral: str | uuid.UUID | None, service: str | uuid.UUID | None) -> None:
        child = service_text = None
        if referral not in (None, ""):
            try:
                child = self.child = get_referral(self.ctx, uuid.UUID(str(referral))).case_ref
            except (ReferralNotFound, ValueError):
                child = f"no referral {referral}"
        if service not in (None, ""):
            try:
                found = service_detail(self.ctx, str(service))
            except (ServiceNotFound, ValueError):
                service_text = f"no service {service}"
            else:
                self.service_name = found.name
                price = found.price_in_force
                service_text = f"{found.name} ({found.provider_name})" + (
                    f" · its price list from {format_date(price.valid_from)}: core "
                    f"{format_pence(price.core_weekly_pence)} a week" if price is not None else " · no price list")
        self.app.call_from_thread(self._named, child, service_text)

    def _named(self, child: str | None, service: str | None) -> None:
        if child is not None and self.query("#pf-child"):
            self.query_one("#pf-child", Static).update(child)
        if service is not None and self.query("#pf-service"):
            self.query_one("#pf-service", Static).update(service)

    def show_rows(self) -> None:
        raw = self.raw()
        route = raw.get("purchasing_route", "spot")
        self.query_one("#pf-row-framework_name").display = route in NAMED_ROUTES
        self.query_one("#pf-row-framework_lot").display = route == "framework"
        self.query_one("#pf-row-overlap_reason").display = bool(raw.get("overlap_kind"))
        for slot in ("framework_name", "framework_lot", "overlap_reason"):
            if not self.shown(slot):
                self.query_one(f"#pf-err-{slot}", Static).set_class(False, "has-error")

    def local_problems(self, raw: dict[str, str]) -> dict[str, str]:
        problems: dict[str, str] = {}
        start_text, end_text = raw.get("start_date", "").strip(), raw.get("planned_end", "").strip()
        if not start_text:
            problems["start_date"] = "enter the first night (dd/mm/yyyy)"
        elif problem := date_problem(start_text):
            problems["start_date"] = problem
        if end_text and (problem := date_problem(end_text)):
            problems["planned_end"] = problem
        elif end_text and "start_date" not in problems and parse_date(end_text) <= parse_date(start_text):
            problems["planned_end"] = (f"must be after the start ({format_date(parse_date(start_text))}): it is the "
                                       "first night the child is not there")
        problems.update(price_problems(raw))
        problems.update(split_problems(raw))
        return problems

    def spot(self) -> SpotInput:
        """What was typed, laid over the pre-fill (its referral, service and offer kept), for the service."""
        raw = self.raw()
        money = {name: blank_none(raw[name]) for name in MONEY}
        shares = {name: blank_none(read_share(raw[name])) for name in SHARES}
        typed: dict[str, Any] = {
            **money, **shares,
            "start_date": blank_none(raw["start_date"]), "planned_end": blank_none(raw["planned_end"]),
            "one_to_one_hours": blank_none(raw["one_to_one_hours"]), "one_to_one_minutes": None,
            "two_to_one_hours": blank_none(raw["two_to_one_hours"]), "two_to_one_minutes": None,
            "other_text": raw["other_text"], "cost_centre": raw["cost_centre"],
            "purchasing_route": raw["purchasing_route"] or "spot",
            "framework_name": raw["framework_name"] if self.shown("framework_name") else "",
            "framework_lot": raw["framework_lot"] if self.shown("framework_lot") else "",
            "route_reason": raw["route_reason"], "conditions": raw["conditions"],
            "overlap_kind": raw["overlap_kind"],
            "overlap_reason": raw["overlap_reason"] if self.shown("overlap_reason") else "",
        }
        if not self.fixed_child:
            typed["case_ref"] = raw["case_ref"]
        if not self.fixed_service:
            typed["service"] = blank_none(raw["service"])
        return dataclasses.replace(self.prefill, **typed)

    def action_save(self, submit: bool) -> None:
        if self.saving:
            return
        self.saving = True
        self.save_attempted = True
        self.banner("Saving…", error=False)
        self._save(self.spot(), submit)

    @background("pf-save", "record the spot agreement")
    def _save(self, spot: SpotInput, submit: bool) -> None:
        try:
            added = add_agreement(self.ctx, spot, submit=submit)
        except PurchaseRefused as exc:
            self.app.call_from_thread(self.refused_by, dict(exc.problems))
            return
        name = self.service_name or show_agreement(self.ctx, added.id).service_name
        self.app.call_from_thread(self.done, recorded_message(added, name))


def recorded_message(added: AgreementAdded, service_name: str) -> str:
    """'Recorded the spot agreement for LCC-300001 at Cedar View: £6,100.00 a week, awaiting approval (…)'."""
    why = f" ({'; '.join(added.approval_reasons)})" if added.status == "awaiting_approval" and \
        added.approval_reasons else ""
    return (f"Recorded the spot agreement for {added.case_ref} at {service_name}: "
            f"{format_pence(added.weekly_pence)} a week, {STATUS_WORDS.get(added.status, added.status)}{why}")
