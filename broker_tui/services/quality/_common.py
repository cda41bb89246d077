"""What the QA use cases share: the refusal, the views they return, the subject a note is about (found by
id, URN, name or reference) and the SQL that says which notes are about a subject and which still count.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from broker_tui.domain.vocabulary import QA_KINDS, RAG_RATINGS, SERVICE_TYPE_BY_CODE, SERVICE_TYPES
from broker_tui.store.tables import (
    BlockContract,
    Placement,
    Provider,
    QAAction,
    QANote,
    Service,
    SpotAgreement,
)
from broker_tui.store.tables.quality import QA_SUBJECTS

log = logging.getLogger(__name__)

SUBJECT_WORDS = {"provider": "provider", "service": "service", "spot_agreement": "spot agreement",
                 "block_contract": "block contract", "placement": "placement"}
# the services the Children's Homes (England) Regulations 2015 govern: homes run by the council or others,
# and secure children's homes (a residential special school registered as a children's home is imported as one)
CHILDRENS_HOME_TYPES = tuple(t.code for t in SERVICE_TYPES if t.group in ("residential", "secure"))


class QARefused(ValueError):
    """The QA act cannot be done as asked: ``problems`` maps each field to a message the person reads."""

    def __init__(self, problems: dict[str, str] | str):
        self.problems = problems if isinstance(problems, dict) else {"": problems}
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in self.problems.items()))


def _json(value: Any) -> Any:
    """A view as JSON-ready values: dates ISO, ids as text, nested views as objects (the row left out)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "raw_row"}
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


@dataclass(frozen=True)
class ActionView:
    """One action of a QA note: open, done (with the date and by whom) or cancelled (with the reason)."""

    id: uuid.UUID
    note_id: uuid.UUID
    description: str
    owner: str
    due_on: dt.date
    status: str  # open | done | cancelled
    done_on: dt.date | None
    done_by: str
    cancelled_reason: str
    overdue: bool  # open and due before today
    version: int
    subject_label: str = ""  # what the note is about, in words
    note_kind: str = ""  # the note's kind (vocabulary.QA_KINDS code)
    note_rag: str = ""
    raw_row: Any = field(default=None, repr=False, compare=False)  # the row as read: pass the view back to edit

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = _json(self)
        return out


@dataclass(frozen=True)
class StopStarted:
    """A placement stop a red note started (a row of placement_stop, which matching respects)."""

    id: uuid.UUID
    service_id: uuid.UUID
    service_name: str
    reason: str
    starts_on: dt.date
    imposed_by: str


@dataclass(frozen=True)
class NoteView:
    """A QA note with its actions. A superseded note (``superseded_by_id`` set) is history: it leaves every
    count and list unless history is asked for."""

    id: uuid.UUID
    subject: str  # provider | service | spot_agreement | block_contract | placement
    subject_id: uuid.UUID
    subject_label: str
    provider_id: uuid.UUID | None
    service_id: uuid.UUID | None
    kind: str
    kind_label: str
    held_on: dt.date
    rag: str
    findings: str
    author: str
    young_people_involved: bool
    supersedes_id: uuid.UUID | None
    superseded_by_id: uuid.UUID | None
    actions: tuple[ActionView, ...]
    created_at: dt.datetime
    stops_started: tuple[StopStarted, ...] = ()  # only on the view add_note / supersede returns

    @property
    def rag_label(self) -> str:
        return RAG_RATINGS.get(self.rag, self.rag)

    @property
    def current(self) -> bool:
        return self.superseded_by_id is None

    @property
    def open_actions(self) -> int:
        return sum(a.status == "open" for a in self.actions)

    @property
    def overdue_actions(self) -> int:
        return sum(a.overdue for a in self.actions)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = _json(self)
        out["rag_label"] = self.rag_label
        return out


@dataclass(frozen=True)
class KindChoice:
    code: str
    label: str


@dataclass(frozen=True)
class Subject:
    """What a note is about, resolved: the ids its row carries and the one service it is at (if any)."""

    subject: str
    id: uuid.UUID
    label: str
    provider_id: uuid.UUID | None = None
    service_id: uuid.UUID | None = None  # None for a provider, or a block contract naming no service
    service_name: str = ""
    service_type: str | None = None
    spot_agreement_id: uuid.UUID | None = None
    block_contract_id: uuid.UUID | None = None
    placement_id: uuid.UUID | None = None

    def columns(self) -> dict[str, uuid.UUID | None]:
        """The note's id columns: its own subject's and the ones it sits inside (its service, its provider,
        a placement's agreement or block), so a list of a service's notes finds its placements' notes too."""
        return {"provider_id": self.provider_id, "service_id": self.service_id,
                "spot_agreement_id": self.spot_agreement_id, "block_contract_id": self.block_contract_id,
                "placement_id": self.placement_id}


def _uuid(ref: str | uuid.UUID) -> uuid.UUID | None:
    if isinstance(ref, uuid.UUID):
        return ref
    try:
        return uuid.UUID(str(ref).strip())
    except ValueError:
        return None


def _service_subject(svc: Service, subject: str = "service", subject_id: uuid.UUID | None = None,
                     label: str = "", **more: Any) -> Subject:
    return Subject(subject, subject_id or svc.id, label or svc.name, provider_id=svc.provider_id, service_id=svc.id,
                   service_name=svc.name, service_type=svc.service_type, **more)


def _by_name(session: Session, table: Any, column: Any, ref: str, what: str) -> tuple[Any, str | None]:
    rows = session.scalars(select(table).where(func.lower(column) == ref.strip().lower()).limit(2)).all()
    if len(rows) > 1:
        return None, f"more than one {what} is called {ref.strip()!r}: give its id"
    return (rows[0], None) if rows else (None, None)


def find_subject(session: Session, subject: str, ref: str | uuid.UUID) -> tuple[Subject | None, dict[str, str]]:
    """The subject ``ref`` names: a provider by id or name, a service by id, Ofsted URN or name, a block
    contract by id or reference, a spot agreement or a placement by id. (subject, {}) or (None, problems)."""
    if subject not in QA_SUBJECTS:
        return None, {"subject": f"must be one of {', '.join(QA_SUBJECTS)} (not {subject!r})"}
    given: object = ref
    text = str(ref).strip() if given is not None else ""
    if not text:
        return None, {"subject_id": f"name the {SUBJECT_WORDS[subject]} (its id)"}
    rid = _uuid(ref)
    missing = {"subject_id": f"no {SUBJECT_WORDS[subject]} {text!r}"}
    if subject == "service":
        svc = session.get(Service, rid) if rid else None
        if svc is None and rid is None:
            svc = session.scalars(select(Service).where(col(Service.ofsted_urn) == text)).first()
            if svc is None:
                svc, ambiguous = _by_name(session, Service, Service.name, text, "service")
                if ambiguous:
                    return None, {"subject_id": ambiguous}
        return (_service_subject(svc), {}) if svc else (None, missing)
    if subject == "provider":
        prov = session.get(Provider, rid) if rid else None
        if prov is None and rid is None:
            prov, ambiguous = _by_name(session, Provider, Provider.name, text, "provider")
            if ambiguous:
                return None, {"subject_id": ambiguous}
        return (Subject("provider", prov.id, prov.name, provider_id=prov.id), {}) if prov else (None, missing)
    if subject == "block_contract":
        bc = session.get(BlockContract, rid) if rid else None
        if bc is None and rid is None:
            bc, _ = _by_name(session, BlockContract, BlockContract.reference, text, "block contract")
        if bc is None:
            return None, missing
        label = f"{bc.reference} {bc.name}"
        svc = session.get(Service, bc.service_id) if bc.service_id else None
        if svc is None:
            return Subject("block_contract", bc.id, label, provider_id=bc.provider_id, block_contract_id=bc.id), {}
        return _service_subject(svc, "block_contract", bc.id, label, block_contract_id=bc.id), {}
    if rid is None:
        return None, {"subject_id": f"{text!r} is not the id of a {SUBJECT_WORDS[subject]}"}
    if subject == "spot_agreement":
        agreement = session.get(SpotAgreement, rid)
        if agreement is None:
            return None, missing
        svc = session.get_one(Service, agreement.service_id)
        return _service_subject(svc, "spot_agreement", agreement.id,
                                f"spot agreement for {agreement.case_ref} at {svc.name}",
                                spot_agreement_id=agreement.id), {}
    placement = session.get(Placement, rid)
    if placement is None:
        return None, missing
    svc = session.get_one(Service, placement.service_id)
    return _service_subject(svc, "placement", placement.id, f"placement of {placement.case_ref} at {svc.name}",
                            spot_agreement_id=placement.spot_agreement_id,
                            block_contract_id=placement.block_contract_id, placement_id=placement.id), {}


def kind_problem(kind: str, subject: Subject) -> str | None:
    """Why a note of ``kind`` cannot be about ``subject`` (None: it can). Regulations 40, 44 and 45 are the
    Children's Homes (England) Regulations 2015's: a Regulation 44 report or 45 review is of one home."""
    from broker_tui.domain.vocabulary import CHILDRENS_HOMES_REGULATION_KINDS

    if kind not in CHILDRENS_HOMES_REGULATION_KINDS:
        return None
    law = "the Children's Homes (England) Regulations 2015"
    if subject.service_type is None:
        where = "a provider" if subject.subject == "provider" else "a block contract that names no service"
        return (f"a {QA_KINDS[kind]} belongs to {law} and is about one children's home: record it on the home "
                f"(the service), or a placement or agreement there, not on {where}")
    if subject.service_type in CHILDRENS_HOME_TYPES:
        return None
    stype = SERVICE_TYPE_BY_CODE.get(subject.service_type)
    what = stype.label if stype else subject.service_type
    message = (f"{QA_KINDS[kind]}s belong to {law} and are for children's homes only; {subject.service_name} is "
               f"{what}")
    if subject.service_type == "supported_accommodation":
        message += (", which has its own equivalents under the Supported Accommodation (England) Regulations "
                    "2023: record them as a visit, a desktop review or a notification")
    return message


def later_note() -> Any:
    """An alias of qa_note for 'the note that supersedes this one'."""
    return aliased(QANote)


def note_is_current() -> ColumnElement[bool]:
    """True for a QA note no later note supersedes: the notes every count and list is made of."""
    later = later_note()
    return ~exists().where(col(later.supersedes_id) == QANote.id)


def note_is_about(subject: str, subject_id: uuid.UUID) -> ColumnElement[bool]:
    """The notes about ``subject_id`` or anything inside it: a provider's include its services' and its
    block contracts'; a service's its agreements' and placements'; an agreement's or a block contract's
    the placements bought through it."""
    n = QANote
    if subject == "provider":
        return or_(col(n.provider_id) == subject_id,
                   col(n.service_id).in_(select(col(Service.id)).where(col(Service.provider_id) == subject_id)),
                   col(n.block_contract_id).in_(select(col(BlockContract.id))
                                                .where(col(BlockContract.provider_id) == subject_id)))
    if subject == "service":
        return or_(col(n.service_id) == subject_id,
                   col(n.spot_agreement_id).in_(select(col(SpotAgreement.id))
                                                .where(col(SpotAgreement.service_id) == subject_id)),
                   col(n.placement_id).in_(select(col(Placement.id)).where(col(Placement.service_id) == subject_id)))
    if subject == "spot_agreement":
        return or_(col(n.spot_agreement_id) == subject_id,
                   col(n.placement_id).in_(select(col(Placement.id))
                                           .where(col(Placement.spot_agreement_id) == subject_id)))
    if subject == "block_contract":
        return or_(col(n.block_contract_id) == subject_id,
                   col(n.placement_id).in_(select(col(Placement.id))
                                           .where(col(Placement.block_contract_id) == subject_id)))
    return col(n.placement_id) == subject_id


def subject_id_of(note: QANote) -> uuid.UUID:
    value = getattr(note, f"{note.subject}_id")
    assert isinstance(value, uuid.UUID)
    return value


def labels_for(session: Session, notes: list[QANote]) -> dict[uuid.UUID, str]:
    """Each note's subject in words (a name, 'placement of LCC-1 at Ashfield House'), read in one query a kind."""
    wanted: dict[str, set[uuid.UUID]] = {}
    for n in notes:
        wanted.setdefault(n.subject, set()).add(subject_id_of(n))
    words: dict[uuid.UUID, str] = {}
    if ids := wanted.get("provider"):
        words.update((i, m) for i, m in session.execute(select(col(Provider.id), col(Provider.name))
                                                        .where(col(Provider.id).in_(ids))))
    if ids := wanted.get("service"):
        words.update((i, m) for i, m in session.execute(select(col(Service.id), col(Service.name))
                                                        .where(col(Service.id).in_(ids))))
    if ids := wanted.get("block_contract"):
        words.update((i, f"{r} {m}") for i, r, m in session.execute(
            select(col(BlockContract.id), col(BlockContract.reference), col(BlockContract.name))
            .where(col(BlockContract.id).in_(ids))))
    if ids := wanted.get("spot_agreement"):
        words.update((i, f"spot agreement for {c} at {s}") for i, c, s in session.execute(
            select(col(SpotAgreement.id), col(SpotAgreement.case_ref), col(Service.name))
            .join(Service, col(Service.id) == SpotAgreement.service_id).where(col(SpotAgreement.id).in_(ids))))
    if ids := wanted.get("placement"):
        words.update((i, f"placement of {c} at {s}") for i, c, s in session.execute(
            select(col(Placement.id), col(Placement.case_ref), col(Service.name))
            .join(Service, col(Service.id) == Placement.service_id).where(col(Placement.id).in_(ids))))
    return {n.id: words.get(subject_id_of(n), str(subject_id_of(n))) for n in notes}


def action_view(a: QAAction, today: dt.date, note: QANote | None = None, label: str = "") -> ActionView:
    return ActionView(a.id, a.qa_note_id, a.description, a.owner, a.due_on, a.status, a.done_on, a.done_by,
                      a.cancelled_reason, a.status == "open" and a.due_on < today, a.version, label,
                      note.kind if note else "", note.rag if note else "", a)


def note_view(n: QANote, label: str, actions: list[QAAction], today: dt.date, *,
              superseded_by: uuid.UUID | None = None, stops: tuple[StopStarted, ...] = ()) -> NoteView:
    return NoteView(n.id, n.subject, subject_id_of(n), label, n.provider_id, n.service_id, n.kind,
                    QA_KINDS.get(n.kind, n.kind), n.held_on, n.rag, n.findings, n.author, n.young_people_involved,
                    n.supersedes_id, superseded_by,
                    tuple(action_view(a, today, n, label) for a in sorted(actions, key=lambda a: (a.due_on, a.description))),
                    n.created_at, stops)
