"""What the QA note form reads: ``read_note`` (what was typed, and the action rows given, -> the note for
the service and every problem by field, the service's own checks included) and the ``SubjectSuggester``
that completes a home's name or a block contract's reference as it is typed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Any

from textual.suggester import Suggester

from broker_tui.domain.dates import DateError, parse_date
from broker_tui.services.context import AppContext
from broker_tui.services.quality import ActionInput, NoteInput, check_note
from broker_tui.ui.screens.quality.words import SUBJECT_HINTS, SUBJECTS

FIELDS = ("subject", "subject_id", "kind", "held_on", "rag", "findings", "author", "young_people_involved",
          "actions")
ACTION_FIELDS = {"description": "What", "owner": "Who", "due_on": "Due"}
ACTION_KEY = re.compile(r"^actions\[(\d+)\]\.?(\w*)$")


class SubjectSuggester(Suggester):
    """Completes a home's name (the directory's search) or a block contract's reference as it is typed."""

    def __init__(self, ctx: AppContext, subject: str) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.ctx = ctx
        self.subject = subject  # the form keeps it to the subject type chosen

    async def get_suggestion(self, value: str) -> str | None:
        subject = self.subject
        if len(value) < 2 or subject not in ("service", "block_contract"):
            return None
        try:
            names = await asyncio.to_thread(_names_like, self.ctx, subject, value)
        except Exception:  # noqa: BLE001  (no suggestion; the field is checked on leaving it)
            return None
        return next((n for n in names if n.casefold().startswith(value) and len(n) > len(value)), None)


def _names_like(ctx: AppContext, subject: str, text: str) -> list[str]:
    if subject == "service":
        from broker_tui.services.market import DirectoryQuery, directory_page

        return [r.name for r in directory_page(ctx, DirectoryQuery(text=text), None, 12).rows]
    from broker_tui.services.contracts import list_contracts

    return sorted(r.reference for r in list_contracts(ctx))


def read_note(raw: dict[str, Any], rows: list[tuple[str, str, str]], today: dt.date
              ) -> tuple[NoteInput | None, dict[str, str], list[int]]:
    """What was typed -> (the note, problems by field, the form row of each action given). Problems include
    the service's own checks (check_note) for every field that could be read, so that all show at once."""
    problems: dict[str, str] = {}
    subject_id = str(raw.get("subject_id") or "").strip()
    if not subject_id:
        problems["subject_id"] = f"Name the {SUBJECTS.get(raw['subject'], 'subject').lower()}: {SUBJECT_HINTS.get(raw['subject'], 'its id')}"
    kind = raw.get("kind") or ""
    if not kind:
        problems["kind"] = "Choose the kind of note"
    rag = raw.get("rag") or ""
    if not rag:
        problems["rag"] = "Choose the rating: red, amber or green"
    held: dt.date | None = None
    held_text = str(raw.get("held_on") or "").strip()
    if not held_text:
        problems["held_on"] = "Enter the date it was held (dd/mm/yyyy)"
    else:
        try:
            held = parse_date(held_text)
        except DateError as exc:
            problems["held_on"] = str(exc)
    actions: list[ActionInput] = []
    given: list[int] = []
    for row, (description, owner, due_text) in enumerate(rows):
        if not (description.strip() or owner.strip() or due_text.strip()):
            continue
        key = f"actions[{len(actions)}]"
        due: dt.date | None = None
        if not due_text.strip():
            problems[f"{key}.due_on"] = "enter the due date"
        else:
            try:
                due = parse_date(due_text)
            except DateError as exc:
                problems[f"{key}.due_on"] = str(exc)
        actions.append(ActionInput(description, owner, due or held or today))
        given.append(row)
    trial = NoteInput(subject=raw["subject"], subject_id=subject_id or "-", kind=kind or "visit_announced",
                      held_on=held or today, rag=rag or "green", findings=raw.get("findings") or "",
                      author=raw.get("author") or "", young_people_involved=bool(raw.get("young_people_involved")),
                      actions=tuple(actions))
    for key, message in check_note(trial, today).items():
        if key == "findings" and not rag:
            continue
        problems.setdefault(key, message)
    return (None, problems, given) if problems else (trial, {}, given)


