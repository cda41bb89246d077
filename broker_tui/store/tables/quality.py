"""Quality assurance: notes (visits, reviews, reports, young people's feedback) with a red-amber-green
rating about one subject, and their actions with owners and due dates.

A note is insert-only (a database trigger refuses an UPDATE or a DELETE): a correction is a new note that
supersedes it, and a superseded note leaves every count. An action is edited (its status moves open > done
or cancelled), each change audited.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint
from sqlmodel import Field

from broker_tui.store.base import InsertOnly, Versioned, fk, id_field, insert_only, one_of

# the modules of the tables its foreign keys name (each table module is imported alone when first named)
from broker_tui.store.tables import market as _market  # noqa: F401
from broker_tui.store.tables import purchases as _purchases  # noqa: F401

QA_SUBJECTS = ("provider", "service", "spot_agreement", "block_contract", "placement")
RAGS = ("red", "amber", "green")
ACTION_STATUSES = ("open", "done", "cancelled")



@insert_only
class QANote(InsertOnly, table=True):
    __tablename__ = "qa_note"
    __table_args__ = (
        CheckConstraint(one_of("rag", RAGS), name="ck_qa_note_rag"),
        CheckConstraint(one_of("subject", QA_SUBJECTS), name="ck_qa_note_subject"),
        CheckConstraint(" OR ".join(f"(subject = '{s}' AND {s}_id IS NOT NULL)" for s in QA_SUBJECTS),
                        name="ck_qa_note_subject_named"),
    )
    id: uuid.UUID = id_field()
    subject: str = "service"  # which of the ids below the note is about
    provider_id: uuid.UUID | None = fk("provider.id", nullable=True)
    service_id: uuid.UUID | None = fk("service.id", nullable=True)
    spot_agreement_id: uuid.UUID | None = fk("spot_agreement.id", nullable=True)
    block_contract_id: uuid.UUID | None = fk("block_contract.id", nullable=True)
    placement_id: uuid.UUID | None = fk("placement.id", nullable=True)
    kind: str  # vocabulary.QA_KINDS
    held_on: dt.date = Field(index=True)
    rag: str  # red | amber | green
    findings: str = ""
    author: str = ""
    young_people_involved: bool = False  # care-experienced young people took part (the strategy asks it)
    supersedes_id: uuid.UUID | None = fk("qa_note.id", nullable=True)  # a correction is a new note


class QAAction(Versioned, table=True):
    __tablename__ = "qa_action"
    __table_args__ = (
        CheckConstraint(one_of("status", ACTION_STATUSES), name="ck_qa_action_status"),
        CheckConstraint("status <> 'done' OR (done_on IS NOT NULL AND done_by <> '')", name="ck_qa_action_done"),
        CheckConstraint("status <> 'cancelled' OR cancelled_reason <> ''", name="ck_qa_action_cancelled"),
    )
    id: uuid.UUID = id_field()
    qa_note_id: uuid.UUID = fk("qa_note.id")
    description: str
    owner: str
    due_on: dt.date = Field(index=True)
    status: str = "open"
    done_on: dt.date | None = None
    done_by: str = ""
    cancelled_reason: str = ""
