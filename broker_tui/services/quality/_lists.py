"""Reading QA: notes and actions by subject, rating, kind, owner and overdue; the children's homes whose
Regulation 44 or 45 visits are overdue; a subject's latest rating. A superseded note is left out of every
list and count unless history is asked for (``include_superseded``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlmodel import Session, col

from broker_tui.domain.dates import add_months
from broker_tui.domain.vocabulary import QA_KINDS, RAG_RATINGS
from broker_tui.services.context import AppContext
from broker_tui.services.quality._common import (
    CHILDRENS_HOME_TYPES,
    ActionView,
    NoteView,
    QARefused,
    _json,
    action_view,
    find_subject,
    labels_for,
    note_is_about,
    note_is_current,
    note_view,
)
from broker_tui.store.tables import Placement, Provider, QAAction, QANote, Service, SpotAgreement
from broker_tui.store.tables.quality import ACTION_STATUSES, QA_SUBJECTS

T = TypeVar("T")
CHUNK = 500  # ids a query takes at once (far inside both backends' limits on bound parameters)


def _chunks(items: list[T]) -> Iterator[list[T]]:
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def _filters(session: Session, today: dt.date, *, subject: str | None, subject_id: str | uuid.UUID | None,
             rag: str | None, kind: str | None, owner: str | None, include_superseded: bool
             ) -> list[ColumnElement[bool]]:
    """The notes' WHERE clauses for the filters, every bad filter refused at once (QARefused)."""
    problems: dict[str, str] = {}
    where: list[ColumnElement[bool]] = []
    if rag is not None and rag not in RAG_RATINGS:
        problems["rag"] = f"must be red, amber or green (not {rag!r})"
    if kind is not None and kind not in QA_KINDS:
        problems["kind"] = f"must be one of {', '.join(QA_KINDS)} (not {kind!r})"
    if subject_id is not None and subject is None:
        problems["subject"] = "say what the id is: provider, service, spot_agreement, block_contract or placement"
    elif subject is not None and subject not in QA_SUBJECTS:
        problems["subject"] = f"must be one of {', '.join(QA_SUBJECTS)} (not {subject!r})"
    elif subject is not None and subject_id is not None:
        found, more = find_subject(session, subject, subject_id)
        problems.update(more)
        if found is not None:
            where.append(note_is_about(subject, found.id))
    elif subject is not None:
        where.append(col(QANote.subject) == subject)
    if problems:
        raise QARefused(problems)
    if rag is not None:
        where.append(col(QANote.rag) == rag)
    if kind is not None:
        where.append(col(QANote.kind) == kind)
    if owner is not None and owner.strip():
        where.append(exists().where(col(QAAction.qa_note_id) == QANote.id, _owner_is(owner)))
    if not include_superseded:
        where.append(note_is_current())
    return where


def _owner_is(owner: str) -> ColumnElement[bool]:
    """An action owner matching ``owner``, any case, any part ('manager' finds 'Registered manager')."""
    return func.lower(col(QAAction.owner)).contains(owner.strip().lower(), autoescape=True)


def _overdue(today: dt.date) -> ColumnElement[bool]:
    return and_(col(QAAction.status) == "open", col(QAAction.due_on) < today)


def list_notes(ctx: AppContext, *, subject: str | None = None, subject_id: str | uuid.UUID | None = None,
               rag: str | None = None, kind: str | None = None, owner: str | None = None,
               overdue_only: bool = False, include_superseded: bool = False) -> list[NoteView]:
    """QA notes, newest first, with their actions.

    ``subject`` alone: notes whose subject is of that kind; with ``subject_id`` (an id; a service's URN or
    name, a provider's name, a block contract's reference): the notes about it or anything inside it (a
    service's include its placements' and agreements'). ``owner``: notes with an action whose owner
    contains the words (any case); ``overdue_only``: notes with an open action due before today. A
    superseded note is left out unless ``include_superseded`` (then ``superseded_by_id`` names its
    correction). Raises QARefused for a filter that names nothing."""
    today = ctx.today()
    with ctx.session() as session:
        where = _filters(session, today, subject=subject, subject_id=subject_id, rag=rag, kind=kind, owner=owner,
                         include_superseded=include_superseded)
        if overdue_only:
            where.append(exists().where(col(QAAction.qa_note_id) == QANote.id, _overdue(today)))
        notes = list(session.scalars(select(QANote).where(*where).order_by(
            col(QANote.held_on).desc(), col(QANote.created_at).desc(), col(QANote.id).desc())))
        ids = [n.id for n in notes]
        actions: dict[uuid.UUID, list[QAAction]] = {}
        later: dict[uuid.UUID, uuid.UUID] = {}
        for chunk in _chunks(ids):
            for a in session.scalars(select(QAAction).where(col(QAAction.qa_note_id).in_(chunk))):
                actions.setdefault(a.qa_note_id, []).append(a)
            if include_superseded:
                for earlier, newer in session.execute(select(col(QANote.supersedes_id), col(QANote.id))
                                                      .where(col(QANote.supersedes_id).in_(chunk))):
                    assert earlier is not None
                    later[earlier] = newer
        labels = labels_for(session, notes)
    return [note_view(n, labels[n.id], actions.get(n.id, []), today, superseded_by=later.get(n.id)) for n in notes]


def list_actions(ctx: AppContext, *, subject: str | None = None, subject_id: str | uuid.UUID | None = None,
                 rag: str | None = None, kind: str | None = None, owner: str | None = None,
                 status: str | None = None, overdue_only: bool = False,
                 include_superseded: bool = False) -> list[ActionView]:
    """QA actions, soonest due first, with what their note is about. The note filters are list_notes';
    ``owner`` matches the action's own owner; ``status`` is open, done or cancelled; ``overdue_only``: open
    and due before today. Actions of a superseded note are left out unless ``include_superseded``."""
    today = ctx.today()
    if status is not None and status not in ACTION_STATUSES:
        raise QARefused({"status": f"must be one of {', '.join(ACTION_STATUSES)} (not {status!r})"})
    with ctx.session() as session:
        where = _filters(session, today, subject=subject, subject_id=subject_id, rag=rag, kind=kind, owner=None,
                         include_superseded=include_superseded)
        if owner is not None and owner.strip():
            where.append(_owner_is(owner))
        if status is not None:
            where.append(col(QAAction.status) == status)
        if overdue_only:
            where.append(_overdue(today))
        rows = session.execute(select(QAAction, QANote).join(QANote, col(QANote.id) == QAAction.qa_note_id)
                               .where(*where).order_by(col(QAAction.due_on), col(QAAction.owner),
                                                       col(QAAction.description), col(QAAction.id))).all()
        labels = labels_for(session, list({n.id: n for _a, n in rows}.values()))
    return [action_view(a, today, n, labels[n.id]) for a, n in rows]


@dataclass(frozen=True)
class VisitsDue:
    """A children's home where our children live today whose Regulation 44 report or 45 review is overdue."""

    service_id: uuid.UUID
    service_name: str
    provider_name: str
    service_type: str
    children: int  # placements open in it today
    last_reg44: dt.date | None  # the latest current Regulation 44 report's date (None: never)
    reg44_overdue: bool
    last_reg45: dt.date | None
    reg45_overdue: bool

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = _json(self)
        return out


def overdue_visits(ctx: AppContext) -> list[VisitsDue]:
    """The children's homes (in-house, external, secure) where one of our children lives today, i.e. a
    placement with start_date <= today and end_date null or after today (the child sleeps there tonight),
    with either visit overdue, as of today T:

    - Regulation 44 (the independent person's monthly report): overdue when no current note of kind reg44
      about the home (on the service, or a placement or agreement there) was held on or after
      add_months(T, -1); on 15/03/2026 a report held on 15/02/2026 is in time, one held on 14/02/2026 is not;
    - Regulation 45 (the registered person's review, at least every six months): overdue when none was held
      on or after add_months(T, -6).

    A home never visited is overdue. Superseded notes do not count. Listed by the oldest Regulation 44
    report first (never first), then name."""
    today = ctx.today()
    since44, since45 = add_months(today, -1), add_months(today, -6)
    with ctx.session() as session:
        open_today = and_(col(Placement.start_date) <= today,
                          or_(col(Placement.end_date).is_(None), col(Placement.end_date) > today))
        homes = session.execute(
            select(col(Service.id), col(Service.name), col(Provider.name), col(Service.service_type), func.count())
            .join(Placement, col(Placement.service_id) == Service.id)
            .join(Provider, col(Provider.id) == Service.provider_id)
            .where(open_today, col(Service.service_type).in_(CHILDRENS_HOME_TYPES))
            .group_by(col(Service.id), col(Service.name), col(Provider.name), col(Service.service_type))).all()
        home = func.coalesce(col(QANote.service_id), col(Placement.service_id), col(SpotAgreement.service_id))
        latest: dict[tuple[Any, str], dt.date] = {}
        for chunk in _chunks([h[0] for h in homes]):
            for sid, kind, held in session.execute(
                    select(home, col(QANote.kind), func.max(col(QANote.held_on)))
                    .outerjoin(Placement, col(Placement.id) == QANote.placement_id)
                    .outerjoin(SpotAgreement, col(SpotAgreement.id) == QANote.spot_agreement_id)
                    .where(col(QANote.kind).in_(("reg44", "reg45")), note_is_current(), home.in_(chunk))
                    .group_by(home, col(QANote.kind))):
                latest[(_as_uuid(sid), kind)] = held
    out = []
    for sid, name, provider, stype, children in homes:
        last44, last45 = latest.get((sid, "reg44")), latest.get((sid, "reg45"))
        due44, due45 = last44 is None or last44 < since44, last45 is None or last45 < since45
        if due44 or due45:
            out.append(VisitsDue(sid, name, provider, stype, children, last44, due44, last45, due45))
    return sorted(out, key=lambda v: (v.last_reg44 is not None, v.last_reg44 or today, v.service_name))


def _as_uuid(value: Any) -> Any:
    """A coalesce of uuid columns comes back as text on SQLite."""
    if isinstance(value, uuid.UUID) or value is None:
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return value


@dataclass(frozen=True)
class LatestRating:
    note_id: uuid.UUID
    rag: str
    held_on: dt.date
    kind: str
    kind_label: str

    @property
    def rag_label(self) -> str:
        return RAG_RATINGS.get(self.rag, self.rag)


def latest_rating(ctx: AppContext, subject: str, subject_id: str | uuid.UUID) -> LatestRating | None:
    """The rating of the latest current note about the subject or anything inside it (as list_notes reads
    it), or None when there is none. Raises QARefused for an unknown subject."""
    with ctx.session() as session:
        found, problems = find_subject(session, subject, subject_id)
        if found is None:
            raise QARefused(problems)
        row = session.scalars(select(QANote).where(note_is_about(subject, found.id), note_is_current())
                              .order_by(col(QANote.held_on).desc(), col(QANote.created_at).desc(),
                                        col(QANote.id).desc()).limit(1)).first()
    if row is None:
        return None
    return LatestRating(row.id, row.rag, row.held_on, row.kind, QA_KINDS.get(row.kind, row.kind))
