"""The referral form (new and edit): every field of the placement request, a section at a time.

The sections are tabs (ctrl+page down / ctrl+page up, or the tab bar); what is typed in one section is
kept while you work in another. Each field is checked when you leave it and everything is checked on
save (ctrl+s); a problem shows beside its field, the tab bar counts problems per section, and the form
keeps what was typed. Nothing is written until the whole request is valid. Leaving with unsaved
changes asks first. A save over someone else's newer save is refused with what they changed.
"""

from __future__ import annotations

from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Footer, Header, Input, Label, Select, SelectionList, Static, Tab, Tabs

from broker_tui.domain.dates import format_date
from broker_tui.domain.vocabulary import NEED_DOMAINS, SERVICE_TYPES
from broker_tui.services.referrals import (
    FormSupport,
    ReferralView,
    SaveOutcome,
    check_form,
    save_form,
    setting_disagreements,
)
from broker_tui.ui.base import BrokerScreen, background
from broker_tui.ui.screens.dialogs import leave_form
from broker_tui.ui.screens.referrals.fields import (
    INPUT_KINDS,
    ORDER_PARTS,
    RISK_CODES,
    SECTIONS,
    FieldSpec,
    error_slot,
    initial_state,
    raw_from_state,
    risk_label,
)
from broker_tui.ui.widgets.in_order_input import InOrderInput
from broker_tui.ui.widgets.level_picker import LevelPicker
from broker_tui.ui.widgets.tag_picker import TagPicker

NEED_LABELS = ("0 none", "1 low", "2 medium", "3 high")
RISK_LABELS = ("not present", "present: low", "medium", "high")
SETTING_KEYS = {"foster": "suitability_foster", "residential": "suitability_residential",
                "supported_accommodation": "suitability_supported"}
SECTION_OF = {spec.key: i for i, (_t, fields) in enumerate(SECTIONS) for spec in fields}


class ReferralFormScreen(BrokerScreen[ReferralView | None]):
    """New referral (opened is None) or edit of ``opened``. Dismisses with the saved referral or None."""

    CSS_PATH = "referrals.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+pagedown", "section(1)", "Next section", priority=True),
        Binding("ctrl+pageup", "section(-1)", "Previous section", priority=True),
        Binding("escape", "leave", "Back"),
        Binding("ctrl+o", "open_existing", "Open the existing referral", show=False),
        Binding("ctrl+t", "sign", "Checked by me today"),
    ]

    def __init__(self, support: FormSupport, *, opened: ReferralView | None = None,
                 values: dict[str, Any] | None = None, previous_referral_id: Any = None) -> None:
        super().__init__(classes="referral-form-screen")
        self.support = support
        self.opened = opened
        self.state = initial_state(dict(values or (opened.form_values() if opened else {})), support)
        self.previous_referral_id = previous_referral_id
        self.section = 0
        self.dirty = False
        self.touched: set[str] = set()
        self.problems: dict[str, str] = {}
        self.duplicate: ReferralView | None = None
        self.save_attempted = False  # after a save is tried, every problem shows, touched or not
        self._ready = False
        self._checks = 0  # checks on leaving a field asked for so far: only the latest one's problems show

    # ---- drawing -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        title = f"Edit referral {self.opened.case_ref}" if self.opened else "New referral"
        yield Static(title, classes="screen-title")
        yield Static("", id="form-banner", classes="banner")
        yield Tabs(*[Tab(title, id=f"sec-{i}") for i, (title, _f) in enumerate(SECTIONS)], id="form-tabs")
        yield VerticalScroll(*self._section_widgets(0), id="form-body")
        yield Footer()

    def _section_widgets(self, index: int) -> list[Widget]:
        """The widgets of one section, built from the form's state (no compose context needed)."""
        out: list[Widget] = []
        for spec in SECTIONS[index][1]:
            if spec.kind == "needs":
                out.append(Label("Need profile (0 none, 1 low, 2 medium, 3 high; ← → or 0-3)", classes="section-title"))
                out += [Horizontal(Label(d.label, classes="field-label"),
                                   LevelPicker(NEED_LABELS, self.state["needs"][d.code], id=f"f-needs-{d.code}"),
                                   classes="field-row") for d in NEED_DOMAINS]
            elif spec.kind == "risks":
                out.append(Label("Risks (← → or 0-3)", classes="section-title"))
                out += [Horizontal(Label(risk_label(c), classes="field-label"),
                                   LevelPicker(RISK_LABELS, self.state["risks"][c], id=f"f-risks-{c}"),
                                   classes="field-row") for c in RISK_CODES]
            elif spec.kind == "tags":
                tags, free = self.state[spec.key]
                out += [Label(spec.label, classes="section-title"),
                        TagPicker(tags=tags, free_text=free, id="f-specialist_needs")]
            else:
                label = spec.label
                if spec.key == "within_home_area":
                    label = f"Must live within {self.ctx.settings.home.la_name}"
                out.append(Horizontal(Label(label, classes="field-label"), self._input(spec, self.state[spec.key]),
                                      classes="field-row"))
            out.append(Static("", classes="field-error", id=f"err-{spec.key}"))
            if spec.key == "types_sought":
                said = self._disagreements()
                out.append(Static(said, classes="field-warning" + ("" if said else " quiet"), id="warn-types_sought"))
        return out

    def _input(self, spec: FieldSpec, value: Any) -> Widget:
        wid = f"f-{spec.key}"
        if spec.kind in INPUT_KINDS:
            return InOrderInput(value, id=wid, classes="field-input", compact=True, placeholder=spec.hint)
        if spec.kind == "bool":
            return Checkbox("", value=value, id=wid, compact=True)
        if spec.kind in ("select", "code", "tri"):
            options = ([(label, v) for v, label in spec.options] if spec.kind != "code" else
                       [(c.label, c.code) for c in self.support.codes.get(spec.key, [])])
            known = {v for _l, v in options}
            return Select(options, value=value if value in known else Select.NULL, id=wid, prompt=spec.prompt,
                          compact=True)
        if spec.kind == "types":
            return SelectionList(*[(t.label, t.code, t.code in value) for t in SERVICE_TYPES], id=wid, compact=True)
        if spec.kind == "choices":
            return SelectionList(*[(label, v, v in value) for v, label in spec.options], id=wid, compact=True)
        if spec.kind == "order":
            return Horizontal(*[InOrderInput(value[part], placeholder=part_label, id=f"{wid}-{part}", classes="order-input",
                                      compact=True) for part, part_label in ORDER_PARTS], classes="order-row")
        raise AssertionError(spec.kind)

    def on_mount(self) -> None:
        self.title = f"Edit referral {self.opened.case_ref}" if self.opened else "New referral"
        self._focus_first_field()
        self.call_after_refresh(self._mark_ready)

    def _mark_ready(self) -> None:
        self._ready = True

    def _focus_first_field(self) -> None:
        fields = self.query_one("#form-body").query("Input, Select, Checkbox, SelectionList, LevelPicker")
        if fields:
            fields.first().focus()

    # ---- sections -------------------------------------------------------------------------------
    def _read_section(self) -> None:
        """Copy what the visible section's widgets hold into the form's state."""
        for spec in SECTIONS[self.section][1]:
            wid = f"#f-{spec.key}"
            if spec.kind in INPUT_KINDS:
                self.state[spec.key] = self.query_one(wid, Input).value
            elif spec.kind == "bool":
                self.state[spec.key] = self.query_one(wid, Checkbox).value
            elif spec.kind in ("select", "code", "tri"):
                v = self.query_one(wid, Select).value
                self.state[spec.key] = None if v is Select.NULL else v
            elif spec.kind in ("types", "choices"):
                self.state[spec.key] = list(self.query_one(wid, SelectionList).selected)
            elif spec.kind == "order":
                self.state[spec.key] = {p: self.query_one(f"{wid}-{p}", Input).value for p, _l in ORDER_PARTS}
            elif spec.kind == "needs":
                self.state["needs"] = {d.code: self.query_one(f"#f-needs-{d.code}", LevelPicker).level
                                       for d in NEED_DOMAINS}
            elif spec.kind == "risks":
                self.state["risks"] = {c: self.query_one(f"#f-risks-{c}", LevelPicker).level for c in RISK_CODES}
            elif spec.kind == "tags":
                picker = self.query_one(TagPicker)
                self.state[spec.key] = (list(picker.tags), list(picker.free_text))

    async def show_section(self, index: int) -> None:
        if index == self.section:
            return
        self._read_section()
        self.section = index
        body = self.query_one("#form-body", VerticalScroll)
        ready, self._ready = self._ready, False
        await body.remove_children()
        await body.mount_all(self._section_widgets(index))
        body.scroll_home(animate=False)
        self.query_one("#form-tabs", Tabs).active = f"sec-{index}"
        self.refresh_bindings()
        self._show_problems(self.problems, show_all=False)
        self._focus_first_field()
        self.call_after_refresh(lambda: setattr(self, "_ready", ready))

    @on(Tabs.TabActivated, "#form-tabs")
    async def _tab_chosen(self, event: Tabs.TabActivated) -> None:
        await self.show_section(int(str(event.tab.id).removeprefix("sec-")))

    async def action_section(self, step: int) -> None:
        await self.show_section((self.section + step) % len(SECTIONS))

    def collect(self) -> dict[str, Any]:
        self._read_section()
        return raw_from_state(self.state)

    # ---- checking as you go -------------------------------------------------------------------
    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(SelectionList.SelectedChanged)
    @on(TagPicker.Changed)
    @on(LevelPicker.Changed)
    def _changed(self, event: Message) -> None:
        if self._ready and not isinstance(event, Tabs.TabActivated):
            self.dirty = True
        control = getattr(event, "control", None)
        if isinstance(event, LevelPicker.Changed) and self._ready:
            code = (getattr(control, "id", None) or "").removeprefix("f-risks-")
            if code in RISK_CODES and code not in self.state["risks_answered"]:
                self.state["risks_answered"].append(code)  # a risk set, even back to not present, is answered
        if control is not None and (control.id or "") in ("f-types_sought", *(f"f-{k}" for k in SETTING_KEYS.values())):
            self._read_section()
            for warning in self.query("#warn-types_sought").results(Static):  # gone if the section changed since
                said = self._disagreements()
                warning.update(said)
                warning.set_class(not said, "quiet")

    def _disagreements(self) -> str:
        """Where the types sought and the suitability of each setting disagree (matching follows the
        suitability)."""
        said = setting_disagreements(self.state["types_sought"],
                                     {setting: self.state[key] or "" for setting, key in SETTING_KEYS.items()})
        return "\n".join(f"△ {words}" for words in said)

    # ---- signing the data's quality check ------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "sign":
            return SECTIONS[self.section][0] == "Placement & QA"
        return True

    def action_sign(self) -> None:
        """The focused check (referral, placement or cost; else the first not signed) as checked by the
        person using the app, today."""
        focused = (self.focused.id or "") if self.focused is not None else ""
        parts = [p for p in ("referral", "placement", "cost") if f"qa_{p}_" in focused] or [
            p for p in ("referral", "placement", "cost")
            if not self.query_one(f"#f-qa_{p}_officer", Input).value.strip()][:1]
        if not parts:
            self.notify("Every check is signed: focus one to sign it again", severity="warning")
            return
        part = parts[0]
        self.query_one(f"#f-qa_{part}_officer", Input).value = self.ctx.actor
        self.query_one(f"#f-qa_{part}_on", Input).value = format_date(self.ctx.today())
        self.touched.update({f"qa_{part}_officer", f"qa_{part}_on"})
        self.notify(f"The {part} checked by {self.ctx.actor} today")

    @on(TagPicker.TagChosen)
    def _risk_from_picker(self, event: TagPicker.TagChosen) -> None:
        picker = self.query_one(f"#f-risks-{event.code}", LevelPicker)  # the risks are on the same section
        picker.level = max(1, picker.level)
        self.notify(f"{risk_label(event.code)} marked present: set its level under Risks")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        wid = event.widget.id or ""
        if wid.startswith("f-"):
            self.touched.add(wid[2:].split("-")[0])  # "f-dol_order-court" -> "dol_order"
            if self._ready:
                self._checks += 1
                self._check(self.collect(), self._checks)

    @background("check", "check the referral form")
    def _check(self, raw: dict[str, Any], number: int) -> None:
        problems = check_form(self.ctx, raw, editing=self.opened is not None)
        self.app.call_from_thread(self._checked, problems, number)

    def _checked(self, problems: dict[str, str], number: int) -> None:
        """Show a check's problems unless a later check was asked for (a thread worker replaced by a newer one
        still finishes: its older reading must not overwrite the newer one's)."""
        if number == self._checks:
            self._show_problems(problems, show_all=False)

    def _show_problems(self, problems: dict[str, str], show_all: bool) -> None:
        self.problems = problems
        slots: dict[str, list[str]] = {}
        for key, message in problems.items():
            slot = error_slot(key)
            label = key[len(slot):].lstrip(".") if key != slot else ""
            slots.setdefault(slot, []).append(f"{label.replace('_', ' ')} {message}".strip())
        for err in self.query(".field-error").results(Static):
            slot = (err.id or "")[4:]
            visible = show_all or self.save_attempted or self._is_touched(slot)
            shown = slots.get(slot) if visible else None
            err.update("⚠ " + "; ".join(shown) if shown else "")
            err.set_class(bool(shown), "has-error")
        counts: dict[int, int] = {}
        for slot in slots:
            if slot in SECTION_OF and (self.save_attempted or self._is_touched(slot)):
                counts[SECTION_OF[slot]] = counts.get(SECTION_OF[slot], 0) + 1
        tabs = self.query_one("#form-tabs", Tabs)
        for i, (title, _f) in enumerate(SECTIONS):
            tabs.query_one(f"#sec-{i}", Tab).label = f"{title} ⚠{counts[i]}" if counts.get(i) else title

    def _is_touched(self, slot: str) -> bool:
        if slot.startswith("funding_"):  # the three shares are one rule: any of them touched shows it
            return any(t.startswith("funding_") for t in self.touched)
        return slot in self.touched

    # ---- saving and leaving ---------------------------------------------------------------------
    def action_save(self) -> None:
        self.save_attempted = True
        self._save(self.collect())

    @background("save", "save the referral")
    def _save(self, raw: dict[str, Any]) -> None:
        outcome = save_form(self.ctx, raw, opened=self.opened,
                            previous_referral_id=self.previous_referral_id)
        self.app.call_from_thread(self.call_next, self._saved, outcome)

    async def _saved(self, outcome: SaveOutcome) -> None:
        banner = self.query_one("#form-banner", Static)
        self.duplicate = None
        if outcome.saved is not None:
            self.dirty = False
            self.app.notify(f"Saved referral {outcome.saved.case_ref}")
            self.dismiss(outcome.saved)
            return
        if outcome.problems:
            n = len(outcome.problems)
            banner.update(f"Not saved: {n} problem{'s' if n > 1 else ''} to put right (marked ⚠)")
            first = min((SECTION_OF.get(error_slot(k), 99), k) for k in outcome.problems)
            if first[0] != 99:
                await self.show_section(first[0])
            self._show_problems(outcome.problems, show_all=True)
            self._focus_problem(error_slot(first[1]))
        elif outcome.duplicate is not None:
            self.duplicate = outcome.duplicate
            banner.update(f"Not saved: {outcome.duplicate.case_ref} already has an open referral "
                          f"({outcome.duplicate.status_label}). Press ctrl+o to open it.")
        elif outcome.stale is not None:
            changed = ", ".join(k.replace("_", " ") for k in sorted(outcome.stale.changed))
            banner.update(f"Not saved: someone else saved this referral since you opened it (they changed: "
                          f"{changed}). Your changes are still here; go back and open it again to see theirs.")
        banner.add_class("has-error")

    def _focus_problem(self, slot: str) -> None:
        for widget in self.query_one("#form-body").query("Input, Select, Checkbox, SelectionList, LevelPicker"):
            wid = widget.id or ""
            if wid == f"f-{slot}" or wid.startswith(f"f-{slot}-"):
                widget.focus()
                widget.scroll_visible()
                return

    def action_open_existing(self) -> None:
        if self.duplicate is not None:
            self.dismiss(self.duplicate)

    def action_leave(self) -> None:
        leave_form(self, dirty=self.dirty, question="Leave without saving? What you typed will be lost.")
