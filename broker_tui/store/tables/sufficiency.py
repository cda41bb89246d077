"""Sufficiency records: rows of a file in the national Placements Data Standard read in
(`referrals import --standard placements-v2`), kept with their source for the forecast's counts.

They are never referrals: a pseudonymous childId cannot give back a case reference, so nothing here can
become a case to work, and no list, count, match or review of referrals reads these tables. Both are
history (insert-only, guarded by triggers, revision 0007): a file is read once (its SHA-256 is unique).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field

from broker_tui.store.base import InsertOnly, UTCDateTime, fk, id_field, insert_only, json_field


@insert_only
class SufficiencyImport(InsertOnly, table=True):
    """One file read: where from, its SHA-256, when and by whom, how many records."""

    __tablename__ = "sufficiency_import"
    __table_args__ = (UniqueConstraint("sha256", name="uq_sufficiency_import_sha256"),)
    id: uuid.UUID = id_field()
    standard: str  # placements-v2
    source_name: str  # the file's name (not its folder)
    sha256: str
    imported_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    imported_by: str
    row_count: int


@insert_only
class SufficiencyRecord(InsertOnly, table=True):
    """One record of a file: every field as read (``fields``) and, typed, what a forecast counts on."""

    __tablename__ = "sufficiency_record"
    id: uuid.UUID = id_field()
    import_id: uuid.UUID = fk("sufficiency_import.id")
    row_number: int  # the file's own line (CSV) or item from 1 (JSON)
    child_id: int = Field(sa_type=BigInteger, index=True)  # the standard's pseudonymous childId
    needed_by: str = ""  # the standard's label or "" not answered
    placement_type: str = Field(default="", index=True)  # residential | foster | supported_accommodation | ""
    total_weekly_cost_pence: int | None = None
    referral_date: dt.date | None = None
    placement_date: dt.date | None = None
    suitability_foster: str = ""  # preferred | suitable | unsuitable | not_specified | ""
    suitability_residential: str = ""
    suitability_supported: str = ""
    preferred_location: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    placement_location: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    fields: dict[str, Any] = json_field(default_factory=dict)
