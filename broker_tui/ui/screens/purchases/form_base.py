"""``PurchaseForm``: what the agreement form (purchases.form) and the amendment form (purchases.amend)
share: rows of fields with their problems beside them, the checks on leaving a field, the live parts line,
the banner and leaving; and the inputs and words its rows are made of (``field``, ``unit``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from broker_tui.ui.base import BrokerModal
from broker_tui.ui.screens.dialogs import leave_form
from broker_tui.ui.screens.purchases.form_reading import PRICE_INPUTS, cap, parts_line
from broker_tui.ui.widgets.in_order_input import InOrderInput


def field(name: str, value: str = "", placeholder: str = "", *, size: str = "") -> Input:
    """An input of a purchase form (its id names the service's field)."""
    return InOrderInput(value, id=f"pf-f-{name}", classes=f"pf-field pf-input {size}".strip(), compact=True,
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
