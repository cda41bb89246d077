"""Reading a QA note from its JSON file for `qa add` and `qa supersede` (``parse_note``): field by field
(unknown keys, types, dates ISO or dd/mm/yyyy, the rating and kind), with the service's own checks that
need no database, every problem by the file's field name (``_stop_words`` turns the service's placement
stop fields into the file's). ``_date`` reads a date option for the other `qa` commands too.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt

    from broker_tui.services.quality import NoteInput, StopInput


NOTE_KEYS = ("subject", "subject_id", "kind", "held_on", "rag", "findings", "author", "young_people_involved",
             "actions", "placement_stop")
ACTION_KEYS = ("description", "owner", "due_on")
STOP_KEYS = ("reason", "from")
STOP_WORDS = {"start_placement_stop": "placement_stop", "start_placement_stop.reason": "placement_stop.reason",
              "start_placement_stop.from_date": "placement_stop.from"}  # the service's field -> the file's


def _date(raw: Any, key: str, problems: dict[str, str], *, required: bool) -> dt.date | None:
    from broker_tui.domain.dates import DateError, parse_date

    if raw is None:
        if required:
            problems[key] = "is required (a date: 2026-12-07 or 07/12/2026)"
        return None
    if not isinstance(raw, str):
        problems[key] = "must be a date as text (2026-12-07 or 07/12/2026)"
        return None
    try:
        return parse_date(raw)
    except DateError as exc:
        problems[key] = str(exc)
        return None


def _text(raw: Any, key: str, problems: dict[str, str], *, required: bool = False) -> str:
    if raw is None and not required:
        return ""
    if not isinstance(raw, str):
        problems[key] = "is required (text)" if raw is None else "must be text"
        return ""
    return raw


def _unknown(data: dict[str, Any], allowed: tuple[str, ...], where: str, problems: dict[str, str]) -> None:
    for key in data:
        if key not in allowed:
            problems[f"{where}{key}"] = f"is not a field here ({', '.join(allowed)})"


def parse_note(data: dict[str, Any]) -> tuple[NoteInput | None, StopInput | None, dict[str, str]]:
    """The note in the JSON format above: (note, stop, problems). With a problem the note is None, and the
    problems include everything the service's own checks (that need no database) find in what could be read."""
    import datetime as dt

    from broker_tui.domain.text_rules import text_problems
    from broker_tui.domain.vocabulary import QA_KINDS, RAG_RATINGS
    from broker_tui.services.quality import ActionInput, NoteInput, StopInput, check_note

    problems: dict[str, str] = dict(text_problems(data))
    if problems:  # text no person types (NUL, escape codes, overrides): nothing else is read
        return None, None, problems
    _unknown(data, NOTE_KEYS, "", problems)
    subject = _text(data.get("subject"), "subject", problems, required=True)
    raw_id = data.get("subject_id")
    if not isinstance(raw_id, str) or not raw_id.strip():
        problems["subject_id"] = "is required (the subject's id; a service's URN or name will do)"
    kind = _text(data.get("kind"), "kind", problems, required=True)
    if "kind" not in problems and kind not in QA_KINDS:
        problems["kind"] = f"must be one of {', '.join(QA_KINDS)} (not {json.dumps(kind)})"
    rag = _text(data.get("rag"), "rag", problems, required=True)
    if "rag" not in problems and rag not in RAG_RATINGS:
        problems["rag"] = f"must be red, amber or green (not {json.dumps(rag)})"
    held_on = _date(data.get("held_on"), "held_on", problems, required=True)
    involved = data.get("young_people_involved", False)
    if not isinstance(involved, bool):
        problems["young_people_involved"] = "must be true or false"
        involved = False
    actions: list[ActionInput] = []
    raw_actions = data.get("actions", [])
    if not isinstance(raw_actions, list):
        problems["actions"] = "must be a list of actions"
        raw_actions = []
    for i, raw in enumerate(raw_actions):
        key = f"actions[{i}]"
        if not isinstance(raw, dict):
            problems[key] = "must be an object: {\"description\", \"owner\", \"due_on\"}"
            continue
        _unknown(raw, ACTION_KEYS, f"{key}.", problems)
        due = _date(raw.get("due_on"), f"{key}.due_on", problems, required=True)
        actions.append(ActionInput(_text(raw.get("description"), f"{key}.description", problems, required=True),
                                   _text(raw.get("owner"), f"{key}.owner", problems, required=True),
                                   due or dt.date.min))
    stop = None
    raw_stop = data.get("placement_stop")
    if raw_stop is not None:
        if not isinstance(raw_stop, dict):
            problems["placement_stop"] = "must be an object: {\"reason\", \"from\"}"
        else:
            _unknown(raw_stop, STOP_KEYS, "placement_stop.", problems)
            stop = StopInput(_text(raw_stop.get("reason"), "placement_stop.reason", problems, required=True),
                             _date(raw_stop.get("from"), "placement_stop.from", problems, required=False))
    note = NoteInput(subject, raw_id if isinstance(raw_id, str) else "", kind, held_on or dt.date.min, rag,
                     _text(data.get("findings"), "findings", problems), _text(data.get("author"), "author", problems),
                     involved, tuple(actions))
    if problems:
        more = check_note(note, dt.date.max, stop=stop)  # what else the service would say (not the dates)
        for key, message in _stop_words(more).items():
            problems.setdefault(key, message)
        return None, None, problems
    return note, stop, problems


def _stop_words(problems: dict[str, str]) -> dict[str, str]:
    """The service's field names as the file has them."""
    return {STOP_WORDS.get(k, k): v for k, v in problems.items()}
