"""Quality assurance (F7): the QA notes, newest first, and their actions, soonest due first, filtered by
rating, kind, action owner and overdue; and the children's homes where our children live whose Regulation
44 report or Regulation 45 review is overdue.

Three views (1 notes, 2 actions, 3 visits overdue). On a note: n records a new one, s corrects it (a new
note that supersedes it; its actions move to the correction), p starts a placement stop after a red one.
On an action: d marks it done today, x cancels it with a reason. Every service call runs in a thread
worker; a refusal shows in the banner above the tables, never as a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Checkbox, DataTable, Footer, Header, Input, Select, Static, TabbedContent, TabPane

from broker_tui.domain.dates import format_date
from broker_tui.domain.vocabulary import QA_KINDS
from broker_tui.services.quality import (
    ActionView,
    NoteView,
    VisitsDue,
    cancel_action,
    complete_action,
    list_actions,
    list_notes,
    overdue_visits,
)
from broker_tui.ui.base import BrokerScreen, background
from broker_tui.ui.screens.quality.note_rows import (
    ACTION_COLUMNS,
    NOTE_COLUMNS,
    VISIT_COLUMNS,
    action_cells,
    action_detail,
    note_cells,
    note_detail,
    visit_cells,
)
from broker_tui.ui.screens.quality.words import action_state, refusal_text

RATINGS = [("Red", "red"), ("Amber", "amber"), ("Green", "green")]
ACTION_STATUS_CHOICES = [("Actions: open", "open"), ("Actions: all", "all"), ("Actions: done", "done"),
                         ("Actions: cancelled", "cancelled")]
VIEWS = ("qa-notes-tab", "qa-actions-tab", "qa-visits-tab")


@dataclass(frozen=True)
class Filters:
    rag: str | None
    kind: str | None
    owner: str
    overdue_only: bool
    status: str | None
    history: bool


class QATable(DataTable[Any]):
    """A table of the QA screen: Enter on a row does nothing surprising (the keys are on the screen)."""


class QualityScreen(BrokerScreen[None]):
    TITLE = "Quality assurance"
    AUTO_FOCUS = "#qa-notes"
    CSS_PATH = ["quality.tcss", "../referrals/referrals.tcss"]  # the shared dialogs' look lives with referrals
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_note", "New note"),
        Binding("s", "supersede", "Correct note"),
        Binding("p", "stop", "Placement stop"),
        Binding("d", "done", "Action done"),
        Binding("x", "cancel_action", "Cancel action"),
        Binding("1", "view(0)", "Notes"),
        Binding("2", "view(1)", "Actions"),
        Binding("3", "view(2)", "Visits overdue"),
        Binding("slash", "focus_filters", "Filter"),
        Binding("h", "history", "Superseded too", show=False),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[NoteView] = []
        self.actions: list[ActionView] = []
        self.visits: list[VisitsDue] = []
        self.history = False
        self.loaded = False
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="qa-filters"):
            yield Select(RATINGS, prompt="Any rating", id="qa-rag")
            yield Select([(label, code) for code, label in QA_KINDS.items()], prompt="Any kind", id="qa-kind")
            yield Input(placeholder="Action owner", id="qa-owner")
            yield Checkbox("Overdue only", id="qa-overdue")
            yield Select(ACTION_STATUS_CHOICES, value="open", allow_blank=False, id="qa-status")
        yield Static("", id="qa-banner")
        with TabbedContent(id="qa-views"):
            with TabPane("Notes", id="qa-notes-tab"):
                notes = QATable(id="qa-notes", cursor_type="row", zebra_stripes=True)
                notes.add_columns(*NOTE_COLUMNS)
                yield notes
            with TabPane("Actions", id="qa-actions-tab"):
                actions = QATable(id="qa-actions", cursor_type="row", zebra_stripes=True)
                actions.add_columns(*ACTION_COLUMNS)
                yield actions
            with TabPane("Visits overdue", id="qa-visits-tab"):
                yield Static("Children's homes where our children live today with no Regulation 44 report in the "
                             "last month or no Regulation 45 review in the last six months.", id="qa-visits-intro")
                visits = QATable(id="qa-visits", cursor_type="row", zebra_stripes=True)
                visits.add_columns(*VISIT_COLUMNS)
                yield visits
        yield Static("", id="qa-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#qa-notes", DataTable).loading = True
        self.reload()

    # ---- reading ---------------------------------------------------------------------------------
    def filters(self) -> Filters:
        rag = self.query_one("#qa-rag", Select).value
        kind = self.query_one("#qa-kind", Select).value
        status = self.query_one("#qa-status", Select).value
        return Filters(None if rag is Select.NULL else str(rag), None if kind is Select.NULL else str(kind),
                       self.query_one("#qa-owner", Input).value.strip(),
                       self.query_one("#qa-overdue", Checkbox).value,
                       None if status in ("all", Select.NULL) else str(status), self.history)

    def reload(self) -> None:
        self._generation += 1
        self._load(self._generation, self.filters())

    @background("qa-load", "read the QA notes and actions")
    def _load(self, generation: int, f: Filters) -> None:
        common: dict[str, Any] = {"rag": f.rag, "kind": f.kind, "owner": f.owner or None,
                                  "overdue_only": f.overdue_only, "include_superseded": f.history}
        notes = list_notes(self.ctx, **common)
        actions = list_actions(self.ctx, status=f.status, **common)
        visits = overdue_visits(self.ctx)
        self.app.call_from_thread(self._show, generation, notes, actions, visits)

    def _show(self, generation: int, notes: list[NoteView], actions: list[ActionView],
              visits: list[VisitsDue]) -> None:
        if generation != self._generation:
            return  # a newer filter was asked for
        self.notes, self.actions, self.visits = notes, actions, visits
        extra = max(0, self.size.width - 130)
        self._fill("#qa-notes", [(str(n.id), note_cells(n, extra)) for n in notes])
        self._fill("#qa-actions", [(str(a.id), action_cells(a, extra)) for a in actions])
        self._fill("#qa-visits", [(str(v.service_id), visit_cells(v)) for v in visits])
        tabs = self.query_one("#qa-views", TabbedContent)
        overdue = sum(a.overdue for a in actions)
        tabs.get_tab("qa-notes-tab").label = f"Notes ({len(notes)})"
        tabs.get_tab("qa-actions-tab").label = (
            f"Actions ({len(actions)}{f', {overdue} overdue' if overdue else ''})")
        tabs.get_tab("qa-visits-tab").label = f"Visits overdue ({len(visits)})"
        self.loaded = True
        self._describe()

    def _fill(self, selector: str, rows: list[tuple[str, tuple[Any, ...]]]) -> None:
        table = self.query_one(selector, DataTable)
        keep = table.cursor_row
        table.clear()
        for key, cells in rows:
            table.add_row(*cells, key=key)
        table.loading = False
        if rows:
            table.move_cursor(row=min(max(keep, 0), len(rows) - 1))

    def _view(self) -> int:
        active = self.query_one("#qa-views", TabbedContent).active
        return VIEWS.index(active) if active in VIEWS else 0

    def note(self) -> NoteView | None:
        table = self.query_one("#qa-notes", DataTable)
        return self.notes[table.cursor_row] if 0 <= table.cursor_row < len(self.notes) else None

    def action(self) -> ActionView | None:
        table = self.query_one("#qa-actions", DataTable)
        return self.actions[table.cursor_row] if 0 <= table.cursor_row < len(self.actions) else None

    def _describe(self) -> None:
        detail = self.query_one("#qa-detail", Static)
        view = self._view()
        if view == 0:
            note = self.note()
            detail.update(note_detail(note) if note else Text("No QA notes match. n records one.", style="dim"))
        elif view == 1:
            action = self.action()
            detail.update(action_detail(action) if action else Text("No actions match.", style="dim"))
        else:
            detail.update(Text("A Regulation 44 or 45 note recorded on the home (or on a placement there) puts "
                               "it back in time: n records one.", style="dim"))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._describe()

    @on(TabbedContent.TabActivated, "#qa-views")
    def _tab(self, _event: TabbedContent.TabActivated) -> None:
        self._describe()

    @on(Input.Submitted, "#qa-owner")
    @on(Select.Changed)
    @on(Checkbox.Changed, "#qa-overdue")
    def _filters_changed(self) -> None:
        self.reload()

    def say(self, message: str, *, error: bool = False) -> None:
        """The banner above the tables, where the broker is looking."""
        banner = self.query_one("#qa-banner", Static)
        banner.update(message)
        banner.set_class(bool(message), "-shown")
        banner.set_class(error, "has-error")

    def show_failure(self, message: str) -> None:
        self.say(message, error=True)

    # ---- moving about ---------------------------------------------------------------------------
    def action_view(self, index: int) -> None:
        self.query_one("#qa-views", TabbedContent).active = VIEWS[index]
        table = ("#qa-notes", "#qa-actions", "#qa-visits")[index]
        self.query_one(table, DataTable).focus()

    def action_focus_filters(self) -> None:
        self.query_one("#qa-rag", Select).focus()

    def action_reload(self) -> None:
        self.reload()

    def action_history(self) -> None:
        self.history = not self.history
        self.say("Superseded notes are shown (marked), out of every count" if self.history
                 else "Superseded notes are hidden")
        self.reload()

    # ---- acts on a note ---------------------------------------------------------------------------
    def _note_for(self, what: str) -> NoteView | None:
        if self._view() != 0:
            self.action_view(0)
            self.say(f"Choose the note to {what} (↑↓), then press the key again")
            return None
        note = self.note()
        if note is None:
            self.say(f"No note to {what}", error=True)
        return note

    def action_new_note(self) -> None:
        from broker_tui.ui.screens.quality.note_form import NoteFormScreen

        self.app.push_screen(NoteFormScreen(), self._saved)

    def action_supersede(self) -> None:
        note = self._note_for("correct")
        if note is None:
            return
        if not note.current:
            self.say("That note has been superseded already: correct its correction instead", error=True)
            return
        from broker_tui.ui.screens.quality.note_form import NoteFormScreen

        self.app.push_screen(NoteFormScreen(note), self._saved)

    def _saved(self, view: NoteView | None) -> None:
        if view is None:
            return
        what = "Corrected the note" if view.supersedes_id else "Recorded the note"
        moved = f"; {len(view.actions)} action(s) with it" if view.actions else ""
        self.say(f"{what}: {view.kind_label} about {view.subject_label}, {view.rag_label}{moved}")
        self.reload()
        if view.rag == "red":
            self._ask_stop(view, offered=True)

    def action_stop(self) -> None:
        note = self._note_for("start a placement stop from")
        if note is None:
            return
        if note.rag != "red" or not note.current:
            self.say("Only a current red note can start a placement stop", error=True)
            return
        self._ask_stop(note)

    def _ask_stop(self, note: NoteView, *, offered: bool = False) -> None:
        from broker_tui.ui.screens.quality.stop import StopDialog

        def done(message: str | None) -> None:
            if message:
                self.say(message)
                self.reload()

        self.app.push_screen(StopDialog(note, offered=offered), done)

    # ---- acts on an action ------------------------------------------------------------------------
    def _action_for(self, what: str) -> ActionView | None:
        if self._view() != 1:
            self.action_view(1)
            self.say(f"Choose the action to {what} (↑↓), then press the key again")
            return None
        action = self.action()
        if action is None:
            self.say(f"No action to {what}", error=True)
            return None
        if action.status != "open":
            self.say(f"That action is {action_state(action).lower()}: only an open action can move", error=True)
            return None
        return action

    def action_done(self) -> None:
        action = self._action_for("mark done")
        if action is None:
            return
        from broker_tui.ui.screens.dialogs import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._complete(action)

        self.app.push_screen(ConfirmScreen(f"Mark “{action.description}” ({action.owner}) done today, "
                                           f"{format_date(self.ctx.today())}?", yes="Done", no="Not yet"), answered)

    @background("qa-act", "mark the action done")
    def _complete(self, action: ActionView) -> None:
        try:
            view = complete_action(self.ctx, action)
        except Exception as exc:  # noqa: BLE001  (a refusal or a failure: one line, the screen stays)
            self.app.call_from_thread(self._act_failed, exc)
            return
        self.app.call_from_thread(self._acted, f"Done: {view.description} ({view.owner})")

    def action_cancel_action(self) -> None:
        action = self._action_for("cancel")
        if action is None:
            return
        from broker_tui.ui.screens.dialogs import ReasonScreen

        def answered(reason: str | None) -> None:
            if reason:
                self._cancel(action, reason)

        self.app.push_screen(ReasonScreen(f"Cancel “{action.description}” ({action.owner}): why?",
                                          placeholder="Why the action is no longer needed",
                                          needed="Say why the action is cancelled"), answered)

    @background("qa-act", "cancel the action")
    def _cancel(self, action: ActionView, reason: str) -> None:
        try:
            view = cancel_action(self.ctx, action, reason)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self._act_failed, exc)
            return
        self.app.call_from_thread(self._acted, f"Cancelled: {view.description} ({view.cancelled_reason})")

    def _acted(self, message: str) -> None:
        self.say(message)
        self.reload()

    def _act_failed(self, exc: Exception) -> None:
        self.say(f"Not saved: {refusal_text(exc)}", error=True)
        self.reload()
