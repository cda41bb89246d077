"""A QA action's moves: open > done (the date, by the person acting) or open > cancelled (with the reason);
an action added to a note later; a red note's placement stop started after the note was recorded.

Only an open action moves. Each move is a versioned edit (store.versioning.apply_edit): passing the
ActionView the person opened refuses a save over someone else's (StaleEdit), and two people completing the
same action at once cannot both win.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlmodel import Session

from broker_tui.domain.dates import format_date
from broker_tui.services.context import AppContext
from broker_tui.services.quality._common import (
    ActionView,
    NoteView,
    QARefused,
    StopStarted,
    action_view,
    find_subject,
    labels_for,
    log,
    subject_id_of,
)
from broker_tui.services.quality._notes import (
    ActionInput,
    StopInput,
    _note_id,
    _text,
    check_note,
    check_stop,
    current_note,
    stop_targets,
    write_stops,
)
from broker_tui.store.audit import name_action
from broker_tui.store.tables import QAAction, QANote, Service
from broker_tui.store.versioning import apply_edit


def _opened(session: Session, action: str | uuid.UUID | ActionView) -> tuple[QAAction, QAAction]:
    """(the row as the person opened it, the row as stored now). An id opens it now."""
    if isinstance(action, ActionView):
        aid = action.id
    else:
        try:
            aid = action if isinstance(action, uuid.UUID) else uuid.UUID(str(action).strip())
        except ValueError:
            raise QARefused({"action": f"{str(action)[:40]!r} is not an action's id"}) from None
    current = session.get(QAAction, aid, populate_existing=True)
    if current is None:
        raise QARefused({"action": f"no QA action {aid}"})
    opened = action.raw_row if isinstance(action, ActionView) and action.raw_row is not None else current
    if current.status != "open":
        when = (f"done on {format_date(current.done_on)} by {current.done_by}" if current.status == "done"
                else f"cancelled ({current.cancelled_reason})")
        raise QARefused({"action": f"the action is {when}: only an open action can move"})
    return opened, current


def _view(session: Session, ctx: AppContext, row: QAAction) -> ActionView:
    note = session.get_one(QANote, row.qa_note_id)
    return action_view(row, ctx.today(), note, labels_for(session, [note])[note.id])


def complete_action(ctx: AppContext, action: str | uuid.UUID | ActionView, done_on: dt.date | None = None) -> ActionView:
    """Mark an open action done on ``done_on`` (today when None; not in the future, not before the note was
    held), by the person acting. Raises QARefused (not open, a bad date) or StaleEdit."""
    with ctx.session() as session:
        view = complete_action_in(session, ctx, action, done_on)
    log.info("QA action %s done", view.id)
    return view


def complete_action_in(session: Session, ctx: AppContext, action: str | uuid.UUID | ActionView,
                       done_on: dt.date | None = None) -> ActionView:
    """``complete_action`` inside the caller's transaction (the demo completes many in one)."""
    today = ctx.today()
    day = done_on or today
    opened, current = _opened(session, action)
    problems: dict[str, str] = {}
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        problems["done_on"] = "must be a date"
    elif day > today:
        problems["done_on"] = f"{format_date(day)} is in the future"
    else:
        held = session.get_one(QANote, current.qa_note_id).held_on
        if day < held:
            problems["done_on"] = f"{format_date(day)} is before the note was held ({format_date(held)})"
    if problems:
        raise QARefused(problems)
    name_action(session, opened, "done")
    row = apply_edit(session, opened, {"status": "done", "done_on": day, "done_by": ctx.actor})
    return _view(session, ctx, row)


def cancel_action(ctx: AppContext, action: str | uuid.UUID | ActionView, reason: str) -> ActionView:
    """Cancel an open action, saying why. Raises QARefused (not open, no reason) or StaleEdit."""
    with ctx.session() as session:
        view = cancel_action_in(session, ctx, action, reason)
    log.info("QA action %s cancelled", view.id)
    return view


def cancel_action_in(session: Session, ctx: AppContext, action: str | uuid.UUID | ActionView,
                     reason: str) -> ActionView:
    """``cancel_action`` inside the caller's transaction."""
    problems: dict[str, str] = {}
    why = _text(reason, "reason", problems, required="say why the action is cancelled")
    opened, _current = _opened(session, action)
    if problems:
        raise QARefused(problems)
    name_action(session, opened, "cancel", why)
    row = apply_edit(session, opened, {"status": "cancelled", "cancelled_reason": why})
    return _view(session, ctx, row)


def add_action(ctx: AppContext, note: str | uuid.UUID | NoteView, action: ActionInput) -> ActionView:
    """Add an action to a current note (a follow-up agreed later). Raises QARefused."""
    nid = _note_id(note)
    with ctx.session() as session:
        row = current_note(session, nid, "add the action to")
        probe = check_note_for_action(row, action, ctx.today())
        if probe:
            raise QARefused(probe)
        added = QAAction(qa_note_id=row.id, description=action.description.strip(), owner=action.owner.strip(),
                         due_on=action.due_on)
        session.add(added)
        session.flush()
        view = action_view(added, ctx.today(), row, labels_for(session, [row])[row.id])
    log.info("QA action %s added to note %s", view.id, nid)
    return view


def check_note_for_action(note: QANote, action: ActionInput, today: dt.date) -> dict[str, str]:
    """An action's problems (its keys without the 'actions[i].' of a whole note)."""
    from broker_tui.services.quality._notes import NoteInput

    probe = NoteInput(note.subject, subject_id_of(note), note.kind, note.held_on, note.rag, "-", actions=(action,))
    return {k.removeprefix("actions[0]."): v for k, v in check_note(probe, today).items()}


def stop_placements_after_note(ctx: AppContext, note: str | uuid.UUID | NoteView, reason: str,
                               from_date: dt.date | None = None) -> tuple[StopStarted, ...]:
    """Start a placement stop after a red note already recorded: on the note's service (a provider's note:
    each of its open services), from ``from_date`` (today when None; not before the note was held), for
    ``reason``. Services already under a stop then are left as they are. Refused (QARefused) for a note
    that is not red or has been superseded, or when every service is stopped already."""
    nid = _note_id(note)
    with ctx.session() as session:
        row = current_note(session, nid, "start the stop from")
        stop = StopInput(reason, from_date)
        words = {"stop": "note", "stop.reason": "reason", "stop.from_date": "from_date"}
        problems = {words[k]: v for k, v in check_stop(stop, row.rag, row.held_on, ctx.today(), key="stop").items()}
        subject, more = find_subject(session, row.subject, subject_id_of(row))
        problems.update(more)
        targets: list[Service] = []
        if subject is not None and not problems:
            targets, more = stop_targets(session, subject, from_date or ctx.today(), "service")
            problems.update(more)
        if problems:
            raise QARefused(problems)
        started = write_stops(session, ctx, targets, stop, row)
    log.info("%d placement stop(s) started after QA note %s", len(started), nid)
    return started
