"""The council's SSDA903 return as forecasting keeps it (`broker-tui ssda903 import`): the files read, and
children, episodes and care leavers' OC3 rows under a pseudonymous child id.

Nothing here holds a CHILD id, a full date of birth or a full postcode: ``child_id`` is an HMAC of the
return's CHILD keyed by this database's secret (the one the placements-v2 export's childId uses), birth is a
year and month, placements and homes are postcode districts. Every table is history (insert-only, guarded
by triggers, revision 0008); a file is read once (its SHA-256 is unique).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field

from broker_tui.store.base import InsertOnly, UTCDateTime, fk, id_field, insert_only, json_field


@insert_only
class Ssda903Import(InsertOnly, table=True):
    """One import: when, by whom, and what was kept (the files it read are its ssda903_file rows)."""

    __tablename__ = "ssda903_import"
    id: uuid.UUID = id_field()
    imported_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    imported_by: str
    children: int
    episodes: int  # kept: an episode in several years' returns once
    uasc: int
    oc3: int
    queries: int  # DfE queries listed (not errors)


@insert_only
class Ssda903File(InsertOnly, table=True):
    """One file of an import: its name, SHA-256 (read once), table, rows and rows by collection year."""

    __tablename__ = "ssda903_file"
    __table_args__ = (UniqueConstraint("sha256", name="uq_ssda903_file_sha256"),)
    id: uuid.UUID = id_field()
    import_id: uuid.UUID = fk("ssda903_import.id")
    source_name: str  # the file's name (not its folder)
    sha256: str
    table_name: str  # Header | Episodes | UASC | OC3
    row_count: int
    years: dict[str, Any] = json_field(default_factory=dict)  # {"2024-25": rows}


@insert_only
class Ssda903Child(InsertOnly, table=True):
    """A child of an import: pseudonym, council, year and month of birth, sex, UASC."""

    __tablename__ = "ssda903_child"
    id: uuid.UUID = id_field()
    import_id: uuid.UUID = fk("ssda903_import.id")
    child_id: int = Field(sa_type=BigInteger, index=True)
    la: str = ""  # the return's LA column (the responsible council), "" when it has none
    birth_month: str | None = None  # yyyy-mm
    sex: str = ""  # M | F | U | ""
    uasc: bool = False
    uasc_ceased_month: str | None = None  # yyyy-mm


@insert_only
class Ssda903Episode(InsertOnly, table=True):
    """An episode of care as forecasting needs it; the placement's council and postcode district only."""

    __tablename__ = "ssda903_episode"
    id: uuid.UUID = id_field()
    import_id: uuid.UUID = fk("ssda903_import.id")
    child_id: int = Field(sa_type=BigInteger, index=True)
    la: str = ""
    return_year: str  # the collection year of the return the row came from (2024-25)
    decom: dt.date
    dec: dt.date | None = None
    rne: str
    ls: str
    cin: str
    place: str = Field(index=True)
    place_provider: str
    rec: str = ""
    reason_place_change: str = ""
    pl_la: str = ""
    pl_district: str = ""
    home_district: str = ""


@insert_only
class Ssda903Oc3(InsertOnly, table=True):
    """A care leaver's OC3 row: in touch, activity, accommodation, for 18+ accommodation demand."""

    __tablename__ = "ssda903_oc3"
    id: uuid.UUID = id_field()
    import_id: uuid.UUID = fk("ssda903_import.id")
    child_id: int = Field(sa_type=BigInteger, index=True)
    la: str = ""
    return_year: str
    in_touch: str = ""
    activ: str = ""
    accom: str = ""
