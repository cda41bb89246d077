"""Record a QA note, or correct one (a new note that supersedes it): what it is about (the subject's type,
then a home by name, Ofsted URN or id, a provider by name, a contract by reference), the kind (only the
kinds allowed for that subject: Regulation 40, 44 and 45 for children's homes only), the date it was held,
the rating, the findings, whether young people took part, and its actions (what, who, by when).

Each field is checked when the broker leaves it and everything on save (ctrl+s): every problem shows beside
its field, what was typed stays, and nothing is written until the whole note is right (the service's own
refusal, by field, lands in the same places). A correction starts from the earlier note; its actions move
to the correction by themselves, so they are not typed again.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea

from broker_tui.domain.dates import format_date
from broker_tui.domain.vocabulary import CHILDRENS_HOMES_REGULATION_KINDS, QA_KINDS
from broker_tui.services.quality import (
    KindChoice,
    NoteInput,
    NoteView,
    QARefused,
    add_note,
    kinds_for,
    supersede,
)
from broker_tui.ui.base import BrokerModal, background
from broker_tui.ui.screens.dialogs import leave_form
from broker_tui.ui.screens.quality.note_reading import (
    ACTION_FIELDS,
    ACTION_KEY,
    FIELDS,
    SubjectSuggester,
    read_note,
)
from broker_tui.ui.screens.quality.words import SUBJECT_HINTS, SUBJECTS, refusal_text
from broker_tui.ui.widgets.in_order_input import InOrderInput

RATINGS = [("Red", "red"), ("Amber", "amber"), ("Green", "green")]
FIRST_ROWS = 2
NOT_FOR_SUBJECT = " — not for this subject"


class NoteFormScreen(BrokerModal[NoteView | None]):
    """A new QA note, or (given ``earlier``) a correction that supersedes it. Dismisses with the note saved."""

    CSS_PATH = "quality.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save note", priority=True),
        Binding("ctrl+n", "add_action", "Another action", priority=True),
        Binding("escape", "leave", "Cancel"),
    ]

    def __init__(self, earlier: NoteView | None = None) -> None:
        super().__init__(classes="qa-dialog-screen")
        self.earlier = earlier
        self.saved = False
        self._initial: Any = None  # what the form held when it opened (dirty: it holds something else now)
        self.touched: set[str] = set()
        self.save_attempted = False
        self.rows = 0
        self.allowed: tuple[KindChoice, ...] | None = None  # the subject's kinds, once it is found
        self._ready = False
        self._lookup = 0
        self.subject_problems: dict[str, str] = {}  # why the subject as typed was not found (by field)
        self.suggester: SubjectSuggester  # made in compose, once the app's context is at hand

    # ---- layout ----------------------------------------------------------------------------------
    def _row(self, key: str, label: str, widget: Any) -> ComposeResult:
        yield Horizontal(Label(label, classes="qa-label"), widget, classes="qa-row", id=f"qa-row-{key}")
        yield Static("", classes="qa-error", id=f"qa-err-{key}")

    def compose(self) -> ComposeResult:
        e = self.earlier
        today = self.ctx.today()
        self.suggester = SubjectSuggester(self.ctx, e.subject if e else "service")
        title = (f"Correct the {e.kind_label.lower()} of {format_date(e.held_on)} about {e.subject_label}"
                 if e else "New QA note")
        with Vertical(classes="qa-dialog qa-form"):
            yield Label(title, classes="qa-question")
            if e is not None:
                moved = (f"Its {len(e.actions)} action(s) move to the correction by themselves: add only new ones "
                         "below. The earlier note stays as history, out of every count.") if e.actions else \
                    "The earlier note stays as history, out of every count."
                yield Static(moved, classes="qa-hint")
            yield Static("", classes="qa-banner", id="qa-form-banner")
            with VerticalScroll(id="qa-form-body"):
                yield from self._row("subject", "About a", Select(
                    [(label, code) for code, label in SUBJECTS.items()], value=e.subject if e else "service",
                    allow_blank=False, id="qa-f-subject", compact=True))
                yield from self._row("subject_id", "Which", InOrderInput(
                    str(e.subject_id) if e else "", id="qa-f-subject_id", compact=True,
                    placeholder=SUBJECT_HINTS[e.subject if e else "service"], suggester=self.suggester))
                yield Static(f"About: {e.subject_label}" if e else "", classes="qa-found", id="qa-found")
                yield from self._row("kind", "Kind", Select(
                    [(label, code) for code, label in QA_KINDS.items()], value=e.kind if e else Select.NULL,
                    prompt="Choose the kind", id="qa-f-kind", compact=True))
                yield from self._row("held_on", "Held on", InOrderInput(
                    format_date(e.held_on if e else today), id="qa-f-held_on", compact=True, placeholder="dd/mm/yyyy"))
                yield from self._row("rag", "Rating", Select(RATINGS, value=e.rag if e else Select.NULL,
                                                             prompt="Choose the rating", id="qa-f-rag", compact=True))
                yield from self._row("findings", "Findings", TextArea(
                    e.findings if e else "", id="qa-f-findings", compact=True,
                    placeholder="What was found (a red or amber rating needs it)"))
                yield from self._row("author", "Author", InOrderInput(
                    e.author if e else "", id="qa-f-author", compact=True,
                    placeholder=f"who wrote it (empty: you, {self.ctx.actor})"))
                yield from self._row("young_people_involved", "Young people", Checkbox(
                    "Care-experienced young people took part", value=e.young_people_involved if e else False,
                    id="qa-f-young_people_involved", compact=True))
                yield Label("New actions" if e else "Actions", classes="qa-section")
                yield Static("What is to be done · who owns it · due dd/mm/yyyy (an empty row is left out)",
                             classes="qa-hint")
                yield Vertical(id="qa-action-rows")
                yield Static("", classes="qa-error", id="qa-err-actions")
                yield Static("", classes="qa-error", id="qa-err-other")
            yield Label("Tab next field · Enter opens a choice · ctrl+n another action · ctrl+s save · Esc cancel",
                        classes="qa-hint")

    async def on_mount(self) -> None:
        for _ in range(1 if self.earlier else FIRST_ROWS):
            await self._mount_row()
        self.query_one("#qa-f-subject_id" if self.earlier is None else "#qa-f-kind").focus()
        if self.earlier is not None:
            self._find_subject()
        self.call_after_refresh(self._settled)

    def _settled(self) -> None:
        self._initial = self._snapshot()
        self._ready = True

    def _snapshot(self) -> Any:
        return self.raw(), [row for row in self.action_rows() if any(x.strip() for x in row)]

    @property
    def dirty(self) -> bool:
        """Something was typed or chosen that is not saved (the app asks before quitting)."""
        return not self.saved and self._initial is not None and self._snapshot() != self._initial

    async def _mount_row(self) -> None:
        i = self.rows
        self.rows += 1
        row = Horizontal(InOrderInput(id=f"qa-a-description-{i}", classes="qa-a-description", compact=True,
                               placeholder="What is to be done"),
                         InOrderInput(id=f"qa-a-owner-{i}", classes="qa-a-owner", compact=True, placeholder="Who owns it"),
                         InOrderInput(id=f"qa-a-due_on-{i}", classes="qa-a-due", compact=True, placeholder="Due dd/mm/yyyy"),
                         classes="qa-action-row")
        await self.query_one("#qa-action-rows", Vertical).mount(row, Static("", classes="qa-error",
                                                                             id=f"qa-err-action-{i}"))

    async def action_add_action(self) -> None:
        await self._mount_row()
        field = self.query_one(f"#qa-a-description-{self.rows - 1}", Input)
        field.focus()
        field.scroll_visible()

    # ---- reading the form ------------------------------------------------------------------------
    def subject_type(self) -> str:
        value = self.query_one("#qa-f-subject", Select).value
        return str(value) if value is not Select.NULL else "service"

    def raw(self) -> dict[str, Any]:
        kind = self.query_one("#qa-f-kind", Select).value
        rag = self.query_one("#qa-f-rag", Select).value
        return {"subject": self.subject_type(), "subject_id": self.query_one("#qa-f-subject_id", Input).value,
                "kind": "" if kind is Select.NULL else str(kind), "rag": "" if rag is Select.NULL else str(rag),
                "held_on": self.query_one("#qa-f-held_on", Input).value,
                "findings": self.query_one("#qa-f-findings", TextArea).text,
                "author": self.query_one("#qa-f-author", Input).value,
                "young_people_involved": self.query_one("#qa-f-young_people_involved", Checkbox).value}

    def action_rows(self) -> list[tuple[str, str, str]]:
        return [tuple(self.query_one(f"#qa-a-{f}-{i}", Input).value for f in ACTION_FIELDS)  # type: ignore[misc]
                for i in range(self.rows)]

    def _problems(self) -> tuple[NoteInput | None, dict[str, str], list[int]]:
        note, problems, given = read_note(self.raw(), self.action_rows(), self.ctx.today())
        problems.update(self._kind_problem())
        for key, message in self.subject_problems.items():
            problems.setdefault(key, message)
        return (None if problems else note), problems, given

    def _kind_problem(self) -> dict[str, str]:
        kind = self.query_one("#qa-f-kind", Select).value
        if self.allowed is None or kind is Select.NULL or any(k.code == kind for k in self.allowed):
            return {}
        if kind in CHILDRENS_HOMES_REGULATION_KINDS:
            return {"kind": f"A {QA_KINDS[str(kind)]} belongs to the Children's Homes (England) Regulations 2015 and "
                            "is for children's homes only: this subject is not one (choose another kind)"}
        return {"kind": "This kind is not for this subject: choose another"}

    # ---- the subject and its kinds ----------------------------------------------------------------
    def _find_subject(self) -> None:
        self._lookup += 1
        self._kinds(self._lookup, self.subject_type(), self.query_one("#qa-f-subject_id", Input).value.strip())

    @background("qa-kinds", "find what the note is about")
    def _kinds(self, lookup: int, subject: str, ref: str) -> None:
        if not ref:
            self.app.call_from_thread(self._kinds_found, lookup, None, {})
            return
        try:
            kinds = kinds_for(self.ctx, subject, ref)
        except QARefused as exc:
            self.app.call_from_thread(self._kinds_found, lookup, None, exc.problems)
            return
        self.app.call_from_thread(self._kinds_found, lookup, kinds, {})

    def _kinds_found(self, lookup: int, kinds: tuple[KindChoice, ...] | None, problems: dict[str, str]) -> None:
        if lookup != self._lookup:
            return
        found = self.query_one("#qa-found", Static)
        self.allowed = kinds
        self.subject_problems = dict(problems)
        if kinds is None:
            found.update("")
            if problems:
                self.touched.add("subject_id")
            _note, now, _given = self._problems()
            self._show(now)
            return
        regulated = any(k.code in CHILDRENS_HOMES_REGULATION_KINDS for k in kinds)
        e = self.earlier
        same = e is not None and self.query_one("#qa-f-subject_id", Input).value.strip() == str(e.subject_id) \
            and self.subject_type() == e.subject
        found.update(f"✓ {e.subject_label if same and e else 'Found'}: "
                     + ("a children's home (Regulation 40/44/45 kinds offered)" if regulated
                        else "not a children's home (no Regulation 40/44/45 kinds)"))
        select = self.query_one("#qa-f-kind", Select)
        chosen = select.value
        options: list[tuple[str, str]] = [(k.label, k.code) for k in kinds]
        if chosen is not Select.NULL and not any(k.code == chosen for k in kinds):
            options.append((QA_KINDS.get(str(chosen), str(chosen)) + NOT_FOR_SUBJECT, str(chosen)))  # kept, flagged
        select.set_options(options)
        if chosen is not Select.NULL:
            select.value = chosen
        if self._kind_problem():
            self.touched.add("kind")
        _note, now, _given = self._problems()
        self._show(now)

    # ---- as the broker types ------------------------------------------------------------------------
    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        if not self._ready:
            return
        if event.select.id == "qa-f-subject":
            self.query_one("#qa-f-subject_id", Input).placeholder = SUBJECT_HINTS[self.subject_type()]
            self.suggester.subject = self.subject_type()
            self._find_subject()
        elif event.select.id in ("qa-f-kind", "qa-f-rag"):
            self.touched.add(str(event.select.id).removeprefix("qa-f-"))
            _note, problems, _given = self._problems()
            self._show(problems)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    def on_descendant_blur(self, event: Any) -> None:
        wid = event.widget.id or ""
        if not self._ready:
            return
        if wid == "qa-f-subject_id":
            self.touched.add("subject_id")
            self._find_subject()
            return
        if wid.startswith("qa-f-") and self.dirty:
            self.touched.add(wid.removeprefix("qa-f-"))
        elif wid.startswith("qa-a-") and self.dirty:
            self.touched.add(wid.removeprefix("qa-a-"))  # 'due_on-0': that field of that row
        else:
            return
        _note, problems, _given = self._problems()
        self._show(problems)

    # ---- problems beside their fields ----------------------------------------------------------------
    def _show(self, problems: dict[str, str], given: list[int] | None = None) -> None:
        """Each problem beside its field: all after a save was tried, else those of fields left behind."""
        if given is None:
            _note, _p, given = read_note(self.raw(), self.action_rows(), self.ctx.today())
        by_row: dict[int, list[str]] = {}
        texts: dict[str, str] = {}
        slots: dict[str, str] = {}
        other: list[str] = []
        for key, message in problems.items():
            match = ACTION_KEY.match(key)
            if match:
                index = int(match.group(1))
                row = given[index] if index < len(given) else index
                if not (self.save_attempted or f"{match.group(2)}-{row}" in self.touched):
                    continue
                by_row.setdefault(row, []).append(key)
                texts[key] = message
            elif key in FIELDS:
                if self.save_attempted or key in self.touched:
                    slots[key] = message
            else:
                other.append(message)
        for key in FIELDS:
            self._slot(f"qa-err-{key}", slots.get(key, ""))
        order = list(ACTION_FIELDS)
        for row in range(self.rows):
            keys = sorted(by_row.get(row, []), key=lambda k: order.index(k.rsplit(".", 1)[-1])
                          if k.rsplit(".", 1)[-1] in order else -1)
            words = [f"{ACTION_FIELDS[k.rsplit('.', 1)[-1]]}: {texts[k]}" if k.rsplit(".", 1)[-1] in ACTION_FIELDS
                     else texts[k] for k in keys]
            self._slot(f"qa-err-action-{row}", "; ".join(words))
        self._slot("qa-err-other", "; ".join(other))

    def _slot(self, wid: str, message: str) -> None:
        err = self.query_one(f"#{wid}", Static)
        err.update(f"⚠ {message[:1].upper()}{message[1:]}" if message else "")
        err.set_class(bool(message), "has-error")

    def _banner(self, message: str) -> None:
        banner = self.query_one("#qa-form-banner", Static)
        banner.update(message)
        banner.set_class(bool(message), "-shown")
        banner.set_class(bool(message), "has-error")

    # ---- saving ----------------------------------------------------------------------------------
    def action_save(self) -> None:
        self.save_attempted = True
        note, problems, given = self._problems()
        if note is None:
            self._refused(problems, given)
            return
        self._banner("")
        self._save(note, given)

    @background("qa-save", "save the QA note")
    def _save(self, note: NoteInput, given: list[int]) -> None:
        try:
            view = supersede(self.ctx, self.earlier, note) if self.earlier else add_note(self.ctx, note)
        except QARefused as exc:
            self.app.call_from_thread(self._refused, exc.problems, given)
            return
        except Exception as exc:  # noqa: BLE001  (a failure: one line, the form stays as typed)
            self.app.call_from_thread(self._banner, f"Not saved: {refusal_text(exc)}")
            return
        self.saved = True
        self.app.call_from_thread(self.dismiss, view)

    def _refused(self, problems: dict[str, str], given: list[int]) -> None:
        n = len(problems)
        self._banner(f"Not saved: {n} problem{'s' if n != 1 else ''} to put right (marked ⚠)")
        self._show(problems, given)
        for key in FIELDS:
            if key in problems and key != "actions":
                widget = self.query_one(f"#qa-f-{key}")
                widget.focus()
                widget.scroll_visible()
                return
        for key in problems:
            match = ACTION_KEY.match(key)
            if match:
                index = int(match.group(1))
                row = given[index] if index < len(given) else 0
                field = match.group(2) if match.group(2) in ACTION_FIELDS else "description"
                widget = self.query_one(f"#qa-a-{field}-{row}", Input)
                widget.focus()
                widget.scroll_visible()
                return

    def action_leave(self) -> None:
        leave_form(self, dirty=self.dirty, question="Leave without saving the note? What you typed will be lost.")
