"""The referral form (new and edit): every field of the placement request, checked as you go.

Each field is checked when you leave it and everything is checked on save (ctrl+s); a problem shows
beside its field and the form keeps what was typed. Nothing is written until the whole request is
valid. Leaving with unsaved changes asks first. A save over someone else's newer save is refused
with what they changed.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Header, Input, Label, Select, SelectionList, Static

from broker_tui.domain.vocabulary import NEED_DOMAINS, SERVICE_TYPES
from broker_tui.services.referral_form import FormSupport, SaveOutcome, check_form, save_form
from broker_tui.services.referral_views import ReferralView
from broker_tui.ui.screens.dialogs import ConfirmScreen
from broker_tui.ui.screens.referral_fields import (
    NEED_OPTIONS,
    ORDER_PARTS,
    RISK_CODES,
    RISK_LEVELS,
    SECTIONS,
    FieldSpec,
    display_value,
    error_slot,
    risk_label,
)
from broker_tui.ui.widgets.tag_picker import TagPicker


class ReferralFormScreen(Screen[ReferralView | None]):
    """New referral (opened is None) or edit of ``opened``. Dismisses with the saved referral or None."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "leave", "Back"),
        Binding("ctrl+o", "open_existing", "Open the existing referral", show=False),
    ]

    def __init__(self, support: FormSupport, *, opened: ReferralView | None = None,
                 values: dict[str, Any] | None = None, previous_referral_id: Any = None) -> None:
        super().__init__(classes="referral-form-screen")
        self.support = support
        self.opened = opened
        self.values = dict(values or (opened.form_values() if opened else {}))
        self.previous_referral_id = previous_referral_id
        self.dirty = False
        self.touched: set[str] = set()
        self.problems: dict[str, str] = {}
        self.duplicate: ReferralView | None = None
        self.save_attempted = False  # after a save is tried, every problem shows, touched or not
        self._ready = False

    # ---- drawing -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        title = f"Edit referral {self.opened.case_ref}" if self.opened else "New referral"
        yield Static(title, classes="screen-title")
        yield Static("", id="form-banner", classes="banner")
        with VerticalScroll(id="form-body"):
            for section, fields in SECTIONS:
                yield Label(section, classes="section-title")
                for spec in fields:
                    yield from self._field(spec)
            yield Label("Need profile (0 none, 1 low, 2 medium, 3 high)", classes="section-title")
            needs = self.values.get("needs") or {}
            for domain in NEED_DOMAINS:
                with Horizontal(classes="field-row"):
                    yield Label(domain.label, classes="field-label")
                    yield Select([(label, value) for value, label in NEED_OPTIONS], allow_blank=False,
                                 value=str(needs.get(domain.code, 0)), id=f"need-{domain.code}", compact=True)
            yield Static("", classes="field-error", id="err-needs")
            yield Label("Risks", classes="section-title")
            risks = {r["tag"]: r for r in self.values.get("risks") or []}
            for code in RISK_CODES:
                r = risks.get(code)
                value = str(r["level"]) if r and r.get("present") else "0"
                with Horizontal(classes="field-row"):
                    yield Label(risk_label(code), classes="field-label")
                    yield Select([(label, v) for v, label in RISK_LEVELS], allow_blank=False, value=value,
                                 id=f"risk-{code}", compact=True)
            yield Static("", classes="field-error", id="err-risks")
            yield Label("Specialist needs and other needs", classes="section-title")
            yield TagPicker(tags=self.values.get("specialist_needs"), free_text=self.values.get("free_text_needs"),
                            id="needs-picker")
            yield Static("", classes="field-error", id="err-specialist_needs")
        yield Footer()

    def _field(self, spec: FieldSpec) -> ComposeResult:
        value = self.values.get(spec.key)
        label = spec.label
        if spec.key == "within_home_area":
            label = f"Must live within {self.app.ctx.settings.home.la_name}"  # type: ignore[attr-defined]
        with Vertical(classes="field"):
            with Horizontal(classes="field-row"):
                yield Label(label, classes="field-label")
                yield from self._input(spec, value)
            if spec.hint:
                yield Static(spec.hint, classes="field-hint")
            yield Static("", classes="field-error", id=f"err-{spec.key}")

    def _input(self, spec: FieldSpec, value: Any) -> ComposeResult:
        wid = f"f-{spec.key}"
        if spec.kind in ("text", "date", "int", "money"):
            yield Input(str(display_value(spec, value)), id=wid, classes="field-input", compact=True)
        elif spec.kind == "areas":
            yield Input(self.support.areas_text(value or []), id=wid, classes="field-input", compact=True)
        elif spec.kind == "bool":
            default = spec.key == "siblings_together"
            yield Checkbox("", value=bool(value if value is not None else default), id=wid)
        elif spec.kind == "select":
            options = [(label, v) for v, label in spec.options]
            yield Select(options, value=value if value in dict(spec.options) else Select.NULL, id=wid,
                         prompt="Choose…", compact=True)
        elif spec.kind == "code":
            choices = self.support.codes.get(spec.key, [])
            codes = {c.code for c in choices}
            yield Select([(c.label, c.code) for c in choices], value=value if value in codes else Select.NULL,
                         id=wid, prompt="Choose…", compact=True)
        elif spec.kind == "types":
            chosen = set(value or [])
            yield SelectionList(*[(t.label, t.code, t.code in chosen) for t in SERVICE_TYPES], id=wid, compact=True)
        elif spec.kind == "order":
            order = value or {}
            with Horizontal(classes="order-row"):
                for part, part_label in ORDER_PARTS:
                    shown = order.get(part) or ""
                    if part != "court" and shown:
                        shown = display_value(FieldSpec(part, part, "date"), shown)
                    yield Input(str(shown), placeholder=part_label, id=f"{wid}-{part}", classes="order-input",
                                compact=True)

    def on_mount(self) -> None:
        self.query_one("#f-case_ref", Input).focus()
        self.call_after_refresh(self._mark_ready)

    def _mark_ready(self) -> None:
        self._ready = True

    # ---- reading back ---------------------------------------------------------------------------
    def collect(self) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        for _section, fields in SECTIONS:
            for spec in fields:
                raw.update(self._read(spec))
        raw["needs"] = {d.code: int(self.query_one(f"#need-{d.code}", Select).value) for d in NEED_DOMAINS}
        raw["risks"] = [{"tag": code, "present": True, "level": int(v)} for code in RISK_CODES
                        if (v := self.query_one(f"#risk-{code}", Select).value) not in ("0", Select.NULL)]
        picker = self.query_one(TagPicker)
        raw["specialist_needs"] = list(picker.tags)
        raw["free_text_needs"] = list(picker.free_text)
        return raw

    def _read(self, spec: FieldSpec) -> dict[str, Any]:
        wid = f"#f-{spec.key}"
        if spec.kind in ("text", "date", "int", "money"):
            text = self.query_one(wid, Input).value.strip()
            if spec.kind == "text":
                return {spec.key: text}
            return {spec.key: text or None}
        if spec.kind == "areas":
            return {"avoid_areas_text": self.query_one(wid, Input).value}
        if spec.kind == "bool":
            return {spec.key: self.query_one(wid, Checkbox).value}
        if spec.kind in ("select", "code"):
            v = self.query_one(wid, Select).value
            return {spec.key: "" if v is Select.NULL else v}
        if spec.kind == "types":
            return {spec.key: list(self.query_one(wid, SelectionList).selected)}
        if spec.kind == "order":
            parts = {p: self.query_one(f"{wid}-{p}", Input).value.strip() for p, _l in ORDER_PARTS}
            return {spec.key: {k: v for k, v in parts.items() if v} or None}
        raise AssertionError(spec.kind)

    # ---- checking as you go -------------------------------------------------------------------
    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(SelectionList.SelectedChanged)
    @on(TagPicker.Changed)
    def _changed(self) -> None:
        if self._ready:
            self.dirty = True

    @on(TagPicker.TagChosen)
    def _risk_from_picker(self, event: TagPicker.TagChosen) -> None:
        select = self.query_one(f"#risk-{event.code}", Select)
        if select.value in ("0", Select.NULL):
            select.value = "1"
        self.notify(f"{risk_label(event.code)} marked present: set its level under Risks")

    def on_descendant_blur(self, event) -> None:  # type: ignore[no-untyped-def]
        wid = event.widget.id or ""
        if wid.startswith("f-"):
            self.touched.add(wid[2:].split("-")[0])  # "f-dol_order-court" -> "dol_order"
            if self._ready:
                self._check(self.collect(), show_all=False)

    @work(thread=True, exclusive=True, group="check")
    def _check(self, raw: dict[str, Any], show_all: bool) -> None:
        problems = check_form(self.app.ctx, raw, editing=self.opened is not None)  # type: ignore[attr-defined]
        self.app.call_from_thread(self._show_problems, problems, show_all)

    def _show_problems(self, problems: dict[str, str], show_all: bool) -> None:
        self.problems = problems
        slots: dict[str, list[str]] = {}
        for key, message in problems.items():
            slot = error_slot(key)
            label = key[len(slot):].lstrip(".") if key != slot else ""
            slots.setdefault(slot, []).append(f"{label.replace('_', ' ')} {message}".strip())
        for err in self.query(".field-error"):
            slot = (err.id or "")[4:]
            if not slot or slot == "reason":
                continue
            visible = show_all or self.save_attempted or self._is_touched(slot)
            shown = slots.get(slot) if visible else None
            err.update("⚠ " + "; ".join(shown) if shown else "")
            err.set_class(bool(shown), "has-error")

    def _is_touched(self, slot: str) -> bool:
        return slot in self.touched or any(t.startswith(slot) for t in self.touched)

    # ---- saving and leaving ---------------------------------------------------------------------
    def action_save(self) -> None:
        self.save_attempted = True
        self._save(self.collect())

    @work(thread=True, exclusive=True, group="save")
    def _save(self, raw: dict[str, Any]) -> None:
        outcome = save_form(self.app.ctx, raw, opened=self.opened,  # type: ignore[attr-defined]
                            previous_referral_id=self.previous_referral_id)
        self.app.call_from_thread(self._saved, outcome)

    def _saved(self, outcome: SaveOutcome) -> None:
        banner = self.query_one("#form-banner", Static)
        self.duplicate = None
        if outcome.saved is not None:
            self.dirty = False
            self.app.notify(f"Saved referral {outcome.saved.case_ref}")
            self.dismiss(outcome.saved)
            return
        if outcome.problems:
            self._show_problems(outcome.problems, show_all=True)
            n = len(outcome.problems)
            banner.update(f"Not saved: {n} problem{'s' if n > 1 else ''} to put right (marked ⚠ below)")
            self._focus_first_problem(outcome.problems)
        elif outcome.duplicate is not None:
            self.duplicate = outcome.duplicate
            banner.update(f"Not saved: {outcome.duplicate.case_ref} already has an open referral "
                          f"({outcome.duplicate.status_label}). Press ctrl+o to open it.")
        elif outcome.stale is not None:
            changed = ", ".join(k.replace("_", " ") for k in sorted(outcome.stale.changed))
            banner.update(f"Not saved: someone else saved this referral since you opened it (they changed: "
                          f"{changed}). Your changes are still here; go back and open it again to see theirs.")
        banner.add_class("has-error")

    def _focus_first_problem(self, problems: dict[str, str]) -> None:
        slots = {error_slot(k) for k in problems}
        for widget in self.query("Input, Select, Checkbox, SelectionList"):
            wid = widget.id or ""
            key = wid[2:] if wid.startswith("f-") else ""
            if wid.startswith("f-") and any(key == s or key.startswith(f"{s}-") for s in slots):
                widget.focus()
                widget.scroll_visible()
                return

    def action_open_existing(self) -> None:
        if self.duplicate is not None:
            self.dismiss(self.duplicate)

    def action_leave(self) -> None:
        if not self.dirty:
            self.dismiss(None)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Leave without saving? What you typed will be lost.",
                                           yes="Leave", no="Stay"), answered)
