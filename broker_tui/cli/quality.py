"""Quality assurance, headless: `qa add|supersede|list|actions|done|cancel|stop|visits|kinds`.

`qa add FILE.json` records one QA note from one JSON object (the format is in `add_cmd`'s help); `qa
supersede NOTE_ID FILE.json` records a correction in the same format. `parse_note` (in _qa_json) checks the
file field by field (unknown keys, types, dates ISO or dd/mm/yyyy, the rating and kind); the service then
checks the rest (the subject, the Regulation 40/44/45 kinds for children's homes only, a date in the future,
a stop after a note that is not red). Every problem is reported on a line of its own and the
command exits non-zero with nothing written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from broker_tui.cli import Root, fail, read_json_object, ready, say
from broker_tui.cli._qa_json import _date, _stop_words, parse_note

if TYPE_CHECKING:
    from broker_tui.services.quality import ActionView, NoteView


def _report(problems: dict[str, str], what: str) -> None:
    for key, message in problems.items():
        say(f"  {key}: {message}" if key else f"  {message}", err=True)
    fail(f"{what} has {len(problems)} problem(s); nothing was written", 1)


def _action_line(a: ActionView) -> str:
    from broker_tui.domain.dates import format_date

    state = {"open": "OVERDUE" if a.overdue else "open",
             "done": f"done {format_date(a.done_on)} by {a.done_by}",
             "cancelled": f"cancelled: {a.cancelled_reason}"}.get(a.status, a.status)
    return f"[{state}] {a.description} ({a.owner}, due {format_date(a.due_on)}) action {a.id}"


def _say_note(n: NoteView) -> None:
    from broker_tui.domain.dates import format_date

    later = f" (superseded by {n.superseded_by_id})" if n.superseded_by_id else ""
    young = "; with young people" if n.young_people_involved else ""
    say(f"{format_date(n.held_on)} {n.rag_label.upper():5} {n.kind_label}: {n.subject_label}{later}")
    say(f"  note {n.id}, by {n.author}{young}" + (f", corrects {n.supersedes_id}" if n.supersedes_id else ""))
    if n.findings:
        say(f"  findings: {' / '.join(n.findings.splitlines())}")
    for a in n.actions:
        say(f"  - {_action_line(a)}")
    for s in n.stops_started:
        say(f"  placement stop on {s.service_name} from {format_date(s.starts_on)}: {s.reason}")


def _dump(rows: list[Any]) -> None:
    say(json.dumps([r.to_json() for r in rows], indent=2, ensure_ascii=False))


@click.group("qa")
def qa() -> None:
    """Quality assurance: notes (visits, reviews, reports) with a red-amber-green rating, and their actions."""


@qa.command("add")
@click.argument("json_file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the note recorded as JSON.")
@click.pass_obj
def add_cmd(root: Root, json_file: Path, as_json: bool) -> None:
    """Record a QA note from FILE.json ('-': stdin).

    \b
    {"subject": "service", "subject_id": "SC100001", "kind": "reg44",
     "held_on": "2026-11-28", "rag": "amber", "findings": "Weekend rota gaps.",
     "author": "QA officer", "young_people_involved": false,
     "actions": [{"description": "Send the weekend rota",
                  "owner": "Registered manager", "due_on": "2026-12-12"}],
     "placement_stop": {"reason": "Staffing below ratio", "from": "2026-12-01"}}

    subject: provider, service, spot_agreement, block_contract or placement; subject_id: its id (a
    service's Ofsted URN or name, a provider's name, a block contract's reference will do); kind: see
    `qa kinds`; rag: red, amber or green; author: you when left out; placement_stop (only after a red
    rating; from: today when left out) stops new placements there, which matching respects. Dates ISO
    or dd/mm/yyyy. Every problem is reported and nothing is written.
    """
    from broker_tui.services.quality import QARefused, add_note

    note, stop, problems = parse_note(read_json_object(json_file, "a QA note"))
    if note is None:
        _report(problems, str(json_file))
        return
    try:
        view = add_note(ready(root), note, start_placement_stop=stop)
    except QARefused as exc:
        _report(_stop_words(exc.problems), str(json_file))
        return
    if as_json:
        say(json.dumps(view.to_json(), indent=2, ensure_ascii=False))
        return
    say(f"QA note recorded (id {view.id})")
    _say_note(view)


@qa.command("supersede")
@click.argument("note_id")
@click.argument("json_file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--leave-actions", is_flag=True,
              help="Leave the earlier note's actions with it (out of the lists) instead of moving them.")
@click.option("--json", "as_json", is_flag=True, help="Print the correction as JSON.")
@click.pass_obj
def supersede_cmd(root: Root, note_id: str, json_file: Path, leave_actions: bool, as_json: bool) -> None:
    """Correct note NOTE_ID with the note in FILE.json (the format of `qa add`): the earlier note stays as
    history and leaves every list; its actions move to the correction, so list only new actions in the file."""
    from broker_tui.services.quality import QARefused, StaleEdit, supersede

    note, stop, problems = parse_note(read_json_object(json_file, "a QA note"))
    if note is None:
        _report(problems, str(json_file))
        return
    try:
        view = supersede(ready(root), note_id, note, carry_actions=not leave_actions, start_placement_stop=stop)
    except QARefused as exc:
        _report(_stop_words(exc.problems), str(json_file))
        return
    except StaleEdit as exc:
        fail(str(exc), 1)
    if as_json:
        say(json.dumps(view.to_json(), indent=2, ensure_ascii=False))
        return
    say(f"QA note {note_id} superseded by {view.id}")
    _say_note(view)


def _filters(f: Any) -> Any:
    for option in reversed((
        click.option("--subject", type=click.Choice(("provider", "service", "spot_agreement", "block_contract",
                                                     "placement")), help="What the notes are about."),
        click.option("--id", "subject_id", metavar="ID",
                     help="One subject (with --subject): its id; a service's URN or name, a provider's name, a "
                          "block contract's reference. Includes what is inside it (a service's placements)."),
        click.option("--rag", type=click.Choice(("red", "amber", "green")), help="The rating."),
        click.option("--kind", metavar="KIND", help="The kind of note (see `qa kinds`)."),
        click.option("--owner", metavar="TEXT", help="An action owner containing this text (any case)."),
        click.option("--overdue", is_flag=True, help="Only open actions due before today."),
        click.option("--history", is_flag=True, help="Include superseded notes."),
        click.option("--json", "as_json", is_flag=True, help="Print JSON."),
    )):
        f = option(f)
    return f


@qa.command("list")
@_filters
@click.pass_obj
def list_cmd(root: Root, subject: str | None, subject_id: str | None, rag: str | None, kind: str | None,
             owner: str | None, overdue: bool, history: bool, as_json: bool) -> None:
    """QA notes, newest first, with their actions."""
    from broker_tui.services.quality import QARefused, list_notes

    try:
        rows = list_notes(ready(root), subject=subject, subject_id=subject_id, rag=rag, kind=kind, owner=owner,
                          overdue_only=overdue, include_superseded=history)
    except QARefused as exc:
        _report({f"--{k.replace('subject_id', 'id')}": v for k, v in exc.problems.items()}, "the filters")
        return
    if as_json:
        _dump(rows)
        return
    for n in rows:
        _say_note(n)
    if not rows:
        say("No QA notes match.")


@qa.command("actions")
@_filters
@click.option("--status", type=click.Choice(("open", "done", "cancelled")), help="The action's status.")
@click.pass_obj
def actions_cmd(root: Root, subject: str | None, subject_id: str | None, rag: str | None, kind: str | None,
                owner: str | None, overdue: bool, history: bool, as_json: bool, status: str | None) -> None:
    """QA actions, soonest due first, with what their note is about."""
    from broker_tui.services.quality import QARefused, list_actions

    try:
        rows = list_actions(ready(root), subject=subject, subject_id=subject_id, rag=rag, kind=kind, owner=owner,
                            status=status, overdue_only=overdue, include_superseded=history)
    except QARefused as exc:
        _report({f"--{k.replace('subject_id', 'id')}": v for k, v in exc.problems.items()}, "the filters")
        return
    if as_json:
        _dump(rows)
        return
    for a in rows:
        say(f"{a.subject_label[:40]:40} {_action_line(a)}")
    if not rows:
        say("No QA actions match.")


@qa.command("done")
@click.argument("action_id")
@click.option("--on", "done_on", metavar="DATE", help="The day it was done (default today).")
@click.pass_obj
def done_cmd(root: Root, action_id: str, done_on: str | None) -> None:
    """Mark the open action ACTION_ID done, by you."""
    from broker_tui.domain.dates import format_date
    from broker_tui.services.quality import QARefused, StaleEdit, complete_action

    problems: dict[str, str] = {}
    day = _date(done_on, "--on", problems, required=False)
    if problems:
        _report(problems, "the command")
    try:
        view = complete_action(ready(root), action_id, day)
    except QARefused as exc:
        _report({("--on" if k == "done_on" else k): v for k, v in exc.problems.items()}, f"action {action_id}")
        return
    except StaleEdit as exc:
        fail(str(exc), 1)
    say(f"Action done on {format_date(view.done_on)} by {view.done_by}: {view.description}")


@qa.command("cancel")
@click.argument("action_id")
@click.option("--reason", required=True, metavar="TEXT", help="Why the action is cancelled.")
@click.pass_obj
def cancel_cmd(root: Root, action_id: str, reason: str) -> None:
    """Cancel the open action ACTION_ID, saying why."""
    from broker_tui.services.quality import QARefused, StaleEdit, cancel_action

    try:
        view = cancel_action(ready(root), action_id, reason)
    except QARefused as exc:
        _report({("--reason" if k == "reason" else k): v for k, v in exc.problems.items()}, f"action {action_id}")
        return
    except StaleEdit as exc:
        fail(str(exc), 1)
    say(f"Action cancelled ({view.cancelled_reason}): {view.description}")


@qa.command("stop")
@click.argument("note_id")
@click.option("--reason", required=True, metavar="TEXT", help="Why placements stop.")
@click.option("--from", "from_date", metavar="DATE", help="The first day of the stop (default today).")
@click.pass_obj
def stop_cmd(root: Root, note_id: str, reason: str, from_date: str | None) -> None:
    """Start a placement stop after the red note NOTE_ID, on its service (a provider's: each open service)."""
    from broker_tui.domain.dates import format_date
    from broker_tui.services.quality import QARefused, stop_placements_after_note

    problems: dict[str, str] = {}
    day = _date(from_date, "--from", problems, required=False)
    if problems:
        _report(problems, "the command")
    try:
        started = stop_placements_after_note(ready(root), note_id, reason, day)
    except QARefused as exc:
        words = {"reason": "--reason", "from_date": "--from"}
        _report({words.get(k, k): v for k, v in exc.problems.items()}, f"note {note_id}")
        return
    for s in started:
        say(f"Placement stop on {s.service_name} from {format_date(s.starts_on)}: {s.reason}")


@qa.command("visits")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def visits_cmd(root: Root, as_json: bool) -> None:
    """Children's homes where our children live today with a Regulation 44 report (monthly) or a
    Regulation 45 review (six-monthly) overdue."""
    from broker_tui.domain.dates import format_date
    from broker_tui.services.quality import overdue_visits

    rows = overdue_visits(ready(root))
    if as_json:
        _dump(rows)
        return
    for v in rows:
        last44 = format_date(v.last_reg44) if v.last_reg44 else "never"
        last45 = format_date(v.last_reg45) if v.last_reg45 else "never"
        due = " and ".join(w for w, late in (("Regulation 44", v.reg44_overdue), ("Regulation 45", v.reg45_overdue))
                           if late)
        say(f"{v.service_name} ({v.provider_name}), {v.children} child(ren): {due} overdue; "
            f"last Regulation 44 {last44}, last Regulation 45 {last45}")
    if not rows:
        say("No Regulation 44 or 45 visits overdue.")


@qa.command("kinds")
@click.argument("subject", type=click.Choice(("provider", "service", "spot_agreement", "block_contract", "placement")))
@click.argument("subject_id")
@click.pass_obj
def kinds_cmd(root: Root, subject: str, subject_id: str) -> None:
    """The kinds of note SUBJECT SUBJECT_ID can have (Regulations 40, 44 and 45: children's homes only)."""
    from broker_tui.services.quality import QARefused, kinds_for

    try:
        kinds = kinds_for(ready(root), subject, subject_id)
    except QARefused as exc:
        _report(exc.problems, f"{subject} {subject_id}")
        return
    for k in kinds:
        say(f"{k.code:24} {k.label}")


COMMANDS = (qa,)
