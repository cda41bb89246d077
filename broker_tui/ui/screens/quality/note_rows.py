"""How the QA screen shows its rows: the columns and cells of the notes, actions and overdue-visits tables
(widened on a terminal over 130 columns), and the highlighted note or action in full in the detail pane.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from broker_tui.domain.dates import format_date
from broker_tui.domain.vocabulary import QA_KINDS, service_type_label
from broker_tui.services.quality import ActionView, NoteView, VisitsDue
from broker_tui.ui.screens.quality.words import SUBJECTS, action_state, open_actions_text, rag_text

NOTE_COLUMNS = ("Held on", "About", "Kind", "Rating", "Author", "Young people", "Open actions")
ACTION_COLUMNS = ("Due", "Action", "Owner", "Status", "About", "Note", "Rating")
VISIT_COLUMNS = ("Home", "Provider", "Type", "Children", "Last Reg 44", "Reg 44", "Last Reg 45", "Reg 45")
ABOUT_WIDTH = 36
OWN_WORDS = ("service", "placement", "spot_agreement")  # their labels say what they are
ACTION_WIDTH = 36
ACTION_ABOUT_WIDTH = 22


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def note_cells(n: NoteView, extra: int = 0) -> tuple[Any, ...]:
    """The note's cells; ``extra`` columns beyond a 130-column terminal widen what it is about."""
    about = n.subject_label if n.subject in OWN_WORDS else f"{SUBJECTS.get(n.subject, n.subject)}: {n.subject_label}"
    held = format_date(n.held_on) + ("  (superseded)" if not n.current else "")
    return (held, _cut(about, ABOUT_WIDTH + extra), n.kind_label, rag_text(n.rag, n.rag_label), n.author,
            "Yes" if n.young_people_involved else "", open_actions_text(n))


def action_cells(a: ActionView, extra: int = 0) -> tuple[Any, ...]:
    """The action's cells; ``extra`` columns beyond a 130-column terminal widen the action, owner and subject."""
    style = "red" if a.overdue else ("dim" if a.status != "open" else "")
    cells = (format_date(a.due_on), _cut(a.description, ACTION_WIDTH + extra // 2), _cut(a.owner, 20 + extra // 4),
             action_state(a), _cut(a.subject_label, ACTION_ABOUT_WIDTH + extra // 4),
             QA_KINDS.get(a.note_kind, a.note_kind))
    out: list[Any] = [Text(c, style=style) for c in cells]
    out.append(rag_text(a.note_rag) if a.note_rag else "")
    return tuple(out)


def visit_cells(v: VisitsDue) -> tuple[Any, ...]:
    def due(overdue: bool) -> Text:
        return Text("Overdue", style="bold red") if overdue else Text("In time", style="green")

    return (_cut(v.service_name, 36), _cut(v.provider_name, 32), service_type_label(v.service_type), str(v.children),
            format_date(v.last_reg44) if v.last_reg44 else "never", due(v.reg44_overdue),
            format_date(v.last_reg45) if v.last_reg45 else "never", due(v.reg45_overdue))


def note_detail(n: NoteView) -> Group:
    """The highlighted note in full: what, about what, who, the findings and every action."""
    head = Text.assemble((f"{n.kind_label} of {format_date(n.held_on)} ", "bold"), rag_text(n.rag, n.rag_label),
                         f"  about {SUBJECTS.get(n.subject, n.subject).lower()} {n.subject_label}",
                         f" · by {n.author}" if n.author else "",
                         " · young people took part" if n.young_people_involved else "")
    parts: list[Any] = [head]
    if not n.current:
        parts.append(Text("Superseded by a correction: history only, left out of every count.", style="italic"))
    elif n.supersedes_id:
        parts.append(Text("A correction of an earlier note.", style="italic"))
    parts.append(Text(n.findings or "No findings written.", style="" if n.findings else "dim"))
    if n.actions:
        grid = Table.grid(padding=(0, 2))
        for _ in range(4):
            grid.add_column()
        for a in n.actions:
            style = "red" if a.overdue else ("dim" if a.status != "open" else "")
            grid.add_row(Text(f"• {a.description}", style=style), Text(a.owner, style=style),
                         Text(f"due {format_date(a.due_on)}", style=style), Text(action_state(a), style=style))
        parts.append(grid)
    hints = "s corrects it (supersede)" + (" · p starts a placement stop" if n.rag == "red" and n.current else "")
    parts.append(Text(hints, style="dim"))
    return Group(*parts)


def action_detail(a: ActionView) -> Text:
    why = f" — {a.cancelled_reason}" if a.status == "cancelled" and a.cancelled_reason else ""
    return Text.assemble((a.description, "bold"), f"\nOwner {a.owner} · due {format_date(a.due_on)} · ",
                         (action_state(a) + why, "red" if a.overdue else ""),
                         f"\nFrom the {QA_KINDS.get(a.note_kind, a.note_kind)} about {a.subject_label}",
                         ("\nd marks it done today · x cancels it (with the reason)" if a.status == "open" else "",
                          "dim"))


