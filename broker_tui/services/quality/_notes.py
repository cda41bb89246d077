"""Recording a QA note (with its actions, and a placement stop when a red rating calls for one), and
superseding one with a correction.

Everything is checked first, every problem by field at once ("held_on", "rag", "actions[1].due_on"...), and
nothing is written when there is one. A note is insert-only: a correction is a new note that supersedes
the earlier one, once (the earlier note's lock makes two brokers correcting it at once queue, and the
second is told). The superseded note's actions move to the correction (each move audited), so no agreed
work is lost; the superseded note itself leaves every count and list.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlmodel import Session, col

from broker_tui.domain.dates import format_date
from broker_tui.domain.text_rules import text_problem
from broker_tui.domain.vocabulary import QA_KINDS, RAG_RATINGS
from broker_tui.services.context import AppContext
from broker_tui.services.quality._common import (
    KindChoice,
    NoteView,
    QARefused,
    StopStarted,
    Subject,
    find_subject,
    kind_problem,
    log,
    note_view,
)
from broker_tui.store.audit import name_action
from broker_tui.store.locks import lock_for_write
from broker_tui.store.tables import PlacementStop, QAAction, QANote, Service
from broker_tui.store.versioning import apply_edit

MAX_TEXT = 20_000  # findings are a few paragraphs; a pasted file is not a finding


@dataclass(frozen=True)
class ActionInput:
    """An action agreed at a QA note: what, who owns it, by when."""

    description: str
    owner: str
    due_on: dt.date


@dataclass(frozen=True)
class StopInput:
    """A council placement stop (embargo) a red rating starts: why, and from when (today when None)."""

    reason: str
    from_date: dt.date | None = None


@dataclass(frozen=True)
class NoteInput:
    """A QA note as the person gives it. ``subject_id`` is an id; a service may also be named by its Ofsted
    URN or its name, a provider by its name, a block contract by its reference."""

    subject: str  # provider | service | spot_agreement | block_contract | placement
    subject_id: str | uuid.UUID
    kind: str  # vocabulary.QA_KINDS
    held_on: dt.date
    rag: str  # red | amber | green
    findings: str = ""
    author: str = ""  # who wrote it; the person acting when empty
    young_people_involved: bool = False  # always true for a visit with care-experienced young people
    actions: tuple[ActionInput, ...] = field(default_factory=tuple)


def _text(value: object, key: str, problems: dict[str, str], *, required: str = "") -> str:
    if not isinstance(value, str):
        problems[key] = "must be text"
        return ""
    if problem := text_problem(value):
        problems[key] = problem
    elif len(value) > MAX_TEXT:
        problems[key] = f"is longer than {MAX_TEXT:,} characters"
    elif required and not value.strip():
        problems[key] = required
    return value.strip()


def _date(value: object, key: str, problems: dict[str, str]) -> dt.date | None:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        problems[key] = "must be a date"
        return None
    return value


def check_note(note: NoteInput, today: dt.date, *, stop: StopInput | None = None) -> dict[str, str]:
    """The problems with a note that need no database, field by field (empty when there are none)."""
    problems: dict[str, str] = {}
    if note.kind not in QA_KINDS:
        problems["kind"] = f"must be one of {', '.join(QA_KINDS)} (not {note.kind!r})"
    if note.rag not in RAG_RATINGS:
        problems["rag"] = f"must be red, amber or green (not {note.rag!r})"
    held = _date(note.held_on, "held_on", problems)
    if held is not None and held > today:
        problems["held_on"] = f"{format_date(held)} is in the future: a note records what has happened"
    needs_findings = "say what was found (a red or amber rating needs its findings)" if note.rag in ("red", "amber") \
        else ""
    _text(note.findings, "findings", problems, required=needs_findings)
    _text(note.author, "author", problems)
    involved: object = note.young_people_involved  # (the types say so; a caller's JSON may not)
    if not isinstance(involved, bool):
        problems["young_people_involved"] = "must be true or false"
    actions: object = note.actions
    if not isinstance(actions, tuple | list):
        problems["actions"] = "must be a list of actions"
    else:
        for i, action in enumerate(actions):
            key = f"actions[{i}]"
            if not isinstance(action, ActionInput):
                problems[key] = "must be an action (description, owner, due date)"
                continue
            _text(action.description, f"{key}.description", problems, required="say what is to be done")
            _text(action.owner, f"{key}.owner", problems, required="say who owns the action")
            due = _date(action.due_on, f"{key}.due_on", problems)
            if due is not None and held is not None and due < held:
                problems[f"{key}.due_on"] = (f"{format_date(due)} is before the note was held "
                                             f"({format_date(held)})")
    if stop is not None:
        problems.update(check_stop(stop, note.rag, held, today))
    return problems


def check_stop(stop: StopInput, rag: str, held_on: dt.date | None, today: dt.date,
               key: str = "start_placement_stop") -> dict[str, str]:
    problems: dict[str, str] = {}
    if rag != "red":
        problems[key] = f"only a red rating can start a placement stop (this note is {rag})"
    _text(stop.reason, f"{key}.reason", problems, required="say why placements stop")
    start = today if stop.from_date is None else _date(stop.from_date, f"{key}.from_date", problems)
    if start is not None and held_on is not None and start < held_on:
        problems[f"{key}.from_date"] = (f"{format_date(start)} is before the note was held "
                                        f"({format_date(held_on)})")
    return problems


def kinds_for(ctx: AppContext, subject: str, subject_id: str | uuid.UUID) -> tuple[KindChoice, ...]:
    """The kinds of note that can be about this subject, in the vocabulary's order: every kind, less the
    Regulation 40, 44 and 45 kinds anywhere but a children's home. Raises QARefused for an unknown subject."""
    with ctx.session() as session:
        found, problems = find_subject(session, subject, subject_id)
    if found is None:
        raise QARefused(problems)
    return tuple(KindChoice(code, label) for code, label in QA_KINDS.items() if kind_problem(code, found) is None)


def _stop_services(session: Session, subject: Subject) -> list[Service]:
    """The services a stop after a note on ``subject`` covers: a provider's open services, else the one."""
    if subject.subject == "provider":
        return list(session.scalars(select(Service).where(col(Service.provider_id) == subject.id,
                                                          col(Service.archived_on).is_(None))
                                    .order_by(col(Service.name))))
    svc = session.get(Service, subject.service_id) if subject.service_id else None
    return [svc] if svc else []


def stop_targets(session: Session, subject: Subject, starts_on: dt.date, key: str) -> tuple[list[Service], dict[str, str]]:
    """The services a new stop from ``starts_on`` would cover (each one's stop lock held to the end of the
    transaction), leaving out any already under a stop then; or the problem."""
    services = _stop_services(session, subject)
    if not services:
        where = "this provider has no open services" if subject.subject == "provider" else \
            "the block contract names no service: record the note on the service to start a stop"
        return [], {key: where}
    lock_for_write(session, *(f"placement_stop:{s.id}" for s in services))
    stopped: dict[uuid.UUID, dt.date] = dict((i, d) for i, d in session.execute(
        select(col(PlacementStop.service_id), col(PlacementStop.starts_on))
        .where(col(PlacementStop.service_id).in_([s.id for s in services]), col(PlacementStop.starts_on) <= starts_on,
               or_(col(PlacementStop.lifted_on).is_(None), col(PlacementStop.lifted_on) > starts_on))))
    targets = [s for s in services if s.id not in stopped]
    if not targets:
        names = "; ".join(f"{s.name} since {format_date(stopped[s.id])}" for s in services)
        return [], {key: f"already under a placement stop: {names}"}
    return targets, {}


def write_stops(session: Session, ctx: AppContext, services: list[Service], stop: StopInput,
                note: QANote) -> tuple[StopStarted, ...]:
    starts_on = stop.from_date or ctx.today()
    out = []
    for svc in services:
        row = PlacementStop(service_id=svc.id, imposed_by=ctx.actor, reason=stop.reason.strip(), starts_on=starts_on)
        name_action(session, row, "stop", f"after the red QA note {note.id} ({QA_KINDS.get(note.kind, note.kind)} "
                                          f"of {note.held_on.isoformat()})")
        session.add(row)
        out.append(StopStarted(row.id, svc.id, svc.name, row.reason, starts_on, row.imposed_by))
    return tuple(out)


def _prepare(session: Session, ctx: AppContext, note: NoteInput, stop: StopInput | None,
             problems: dict[str, str]) -> tuple[Subject, list[Service]]:
    """Resolve the subject and the stop's services, adding their problems; raise QARefused with every one."""
    found, more = find_subject(session, note.subject, note.subject_id)
    problems.update(more)
    if found is not None and note.kind in QA_KINDS and (problem := kind_problem(note.kind, found)):
        problems["kind"] = problem
    targets: list[Service] = []
    if found is not None and stop is not None and "start_placement_stop" not in problems:
        starts_on = stop.from_date if isinstance(stop.from_date, dt.date) else ctx.today()
        targets, more = stop_targets(session, found, starts_on, "start_placement_stop")
        problems.update(more)
    if problems:
        raise QARefused(problems)
    assert found is not None
    return found, targets


def _write(session: Session, ctx: AppContext, note: NoteInput, subject: Subject, targets: list[Service],
           stop: StopInput | None, supersedes: QANote | None) -> tuple[QANote, list[QAAction], tuple[StopStarted, ...]]:
    ids = subject.columns()
    row = QANote(subject=subject.subject, provider_id=ids["provider_id"], service_id=ids["service_id"],
                 spot_agreement_id=ids["spot_agreement_id"], block_contract_id=ids["block_contract_id"],
                 placement_id=ids["placement_id"], kind=note.kind, held_on=note.held_on, rag=note.rag,
                 findings=note.findings.strip(), author=note.author.strip() or ctx.actor,
                 young_people_involved=note.young_people_involved or note.kind == "visit_care_experienced",
                 supersedes_id=supersedes.id if supersedes else None)
    if supersedes is not None:
        name_action(session, row, "supersede", f"a correction of the QA note {supersedes.id}")
    session.add(row)
    session.flush()  # the note before its actions and stops (no ORM relationship orders them)
    actions = [QAAction(qa_note_id=row.id, description=a.description.strip(), owner=a.owner.strip(), due_on=a.due_on)
               for a in note.actions]
    session.add_all(actions)
    stops = write_stops(session, ctx, targets, stop, row) if stop is not None and targets else ()
    session.flush()
    return row, actions, stops


def add_note_in(session: Session, ctx: AppContext, note: NoteInput, *,
                start_placement_stop: StopInput | None = None) -> NoteView:
    """``add_note`` inside the caller's transaction (the demo builds many notes in one)."""
    problems = check_note(note, ctx.today(), stop=start_placement_stop)
    subject, targets = _prepare(session, ctx, note, start_placement_stop, problems)
    row, actions, stops = _write(session, ctx, note, subject, targets, start_placement_stop, None)
    return note_view(row, subject.label, actions, ctx.today(), stops=stops)


def add_note(ctx: AppContext, note: NoteInput, *, start_placement_stop: StopInput | None = None) -> NoteView:
    """Record a QA note about a provider, a service, a spot agreement, a block contract or a placement, with
    its actions; a red one may start a placement stop on the note's service (a provider's: each of its open
    services) from ``start_placement_stop.from_date`` (today when None), which matching then respects.

    Refused (QARefused, every problem by field, nothing written): an unknown subject or kind, a rating other
    than red, amber or green, a date in the future, a red or amber rating without findings, an action without
    its description, owner or due date (or due before the note was held), a Regulation 40, 44 or 45 kind
    anywhere but a children's home, a stop after a note that is not red or on services already stopped."""
    with ctx.session() as session:
        view = add_note_in(session, ctx, note, start_placement_stop=start_placement_stop)
    log.info("QA note %s recorded (%s, %s)%s", view.id, view.kind, view.rag,
             f"; {len(view.stops_started)} placement stop(s) started" if view.stops_started else "")
    return view


def _note_id(ref: str | uuid.UUID | NoteView) -> uuid.UUID:
    if isinstance(ref, NoteView):
        return ref.id
    try:
        return ref if isinstance(ref, uuid.UUID) else uuid.UUID(str(ref).strip())
    except ValueError:
        raise QARefused({"note": f"{str(ref)[:40]!r} is not a QA note's id"}) from None


def current_note(session: Session, note_id: uuid.UUID, what: str) -> QANote:
    """The note, if no later note supersedes it (else QARefused naming the correction)."""
    row = session.get(QANote, note_id)
    if row is None:
        raise QARefused({"note": f"no QA note {note_id}"})
    later = session.scalars(select(QANote).where(col(QANote.supersedes_id) == note_id)).first()
    if later is not None:
        raise QARefused({"note": f"this note was superseded by note {later.id} (recorded by {later.author} on "
                                 f"{format_date(later.created_at.date())}); {what} that one instead"})
    return row


def supersede_in(session: Session, ctx: AppContext, note_id: str | uuid.UUID | NoteView, note: NoteInput, *,
                 carry_actions: bool = True, start_placement_stop: StopInput | None = None) -> NoteView:
    """``supersede`` inside the caller's transaction."""
    nid = _note_id(note_id)
    problems = check_note(note, ctx.today(), stop=start_placement_stop)
    lock_for_write(session, f"qa_note:{nid}")  # two brokers correcting one note queue; the second is told
    try:
        earlier: QANote | None = current_note(session, nid, "correct")
    except QARefused as exc:
        problems.update(exc.problems)
        earlier = None
    subject, targets = _prepare(session, ctx, note, start_placement_stop, problems)
    assert earlier is not None
    row, actions, stops = _write(session, ctx, note, subject, targets, start_placement_stop, earlier)
    if carry_actions:
        moved = list(session.scalars(select(QAAction).where(col(QAAction.qa_note_id) == earlier.id)))
        for action in moved:
            name_action(session, action, "move", f"to the QA note {row.id}, which supersedes {earlier.id}")
            actions.append(apply_edit(session, action, {"qa_note_id": row.id}))
    return note_view(row, subject.label, actions, ctx.today(), stops=stops)


def supersede(ctx: AppContext, note_id: str | uuid.UUID | NoteView, note: NoteInput, *, carry_actions: bool = True,
              start_placement_stop: StopInput | None = None) -> NoteView:
    """Correct a QA note: a new note (``note``, checked as ``add_note`` checks it) that supersedes
    ``note_id``. The earlier note stays as history and leaves every count and list; its actions move to the
    correction unless ``carry_actions`` is False (then they stay with it, out of the lists). A note is
    superseded once: correcting it again, or a correction racing another, is refused naming the correction
    to supersede instead (QARefused, field "note"); nothing is written on any problem."""
    with ctx.session() as session:
        view = supersede_in(session, ctx, note_id, note, carry_actions=carry_actions,
                            start_placement_stop=start_placement_stop)
    log.info("QA note %s supersedes %s", view.id, view.supersedes_id)
    return view
