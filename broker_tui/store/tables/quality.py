"""Quality assurance: notes (visits, reviews, reports) with a RAG rating, and their actions."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlmodel import Field

from broker_tui.store.base import InsertOnly, Versioned, fk, id_field, insert_only


@insert_only
class QANote(InsertOnly, table=True):
    __tablename__ = "qa_note"
    id: uuid.UUID = id_field()
    service_id: uuid.UUID | None = fk("service.id", nullable=True)
    block_contract_id: uuid.UUID | None = fk("block_contract.id", nullable=True)
    kind: str  # vocabulary.QA_KINDS
    held_on: dt.date = Field(index=True)
    rag: str  # red | amber | green
    findings: str = ""
    author: str = ""
    supersedes_id: uuid.UUID | None = fk("qa_note.id", nullable=True)  # a correction is a new note


class QAAction(Versioned, table=True):
    __tablename__ = "qa_action"
    id: uuid.UUID = id_field()
    qa_note_id: uuid.UUID = fk("qa_note.id")
    description: str
    owner: str
    due_on: dt.date = Field(index=True)
    done_on: dt.date | None = None
