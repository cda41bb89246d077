"""Read and check Ofsted's provider-level register (CSV) before anything is written.

``parse_register`` reads the whole file with the csv module and validates every row in Python. Any
problem (a missing column, a bad or duplicate URN, a date that is not dd/mm/yyyy, a non-numeric places
figure, an unknown registration status, sector, judgement or local authority ...) is collected with its
line number, and the whole file is refused with ``ImportFileError``: the importer writes nothing.

Rows of provision types the app does not import (adoption agencies, boarding schools, FE colleges,
holiday schemes, the secure training centre) are counted by type and otherwise only checked for a
valid, unique URN. Rows located in Wales (Ofsted region "Wales") are outside the English register the
app uses and are counted, not imported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from broker_tui.domain.geo import outward_code
from broker_tui.domain.vocabulary import (
    IMPORTED_PROVISION_TYPES,
    OFSTED_GRADE_FROM_TEXT,
    OFSTED_SECTORS,
    SA_OUTCOME_FROM_TEXT,
)
from broker_tui.services.market.importers._csv_file import ImportFileError, csv_file

COL_URN = "URN"
COL_TYPE = "Provision type"
COL_REG_DATE = "Registration date"
COL_STATUS = "Registration status"
COL_NAME = "Name"
COL_TOWN = "Town"
COL_POSTCODE = "Postcode"
COL_REGION = "Ofsted Region"
COL_LA = "Local authority"
COL_SECTOR = "Sector"
COL_PLACES = "Places"
COL_SHORT_BREAKS = "Short-break-only children's home"
COL_OWNER = "Organisation which owns the provider"
COL_INSPECTED = "Latest full inspection date"
COL_OVERALL = "Overall experiences and progress of children and young people"
COL_SA_OUTCOME = "Supported Accommodation outcome"
REQUIRED_COLUMNS = (COL_URN, COL_TYPE, COL_REG_DATE, COL_STATUS, COL_NAME, COL_TOWN, COL_POSTCODE, COL_REGION,
                    COL_LA, COL_SECTOR, COL_PLACES, COL_SHORT_BREAKS, COL_OWNER, COL_INSPECTED, COL_OVERALL,
                    COL_SA_OUTCOME)

REGISTRATION_STATUS_FROM_TEXT = {"Active": "active", "Suspended": "suspended"}
REDACTED = "REDACTED"
_URN = re.compile(r"^(?:SC)?[0-9]{6,8}$")
_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
MAX_PROBLEMS = 1000  # stop collecting after this many: the file is clearly not the register


@dataclass(frozen=True)
class OfstedRecord:
    """One register row the app imports, checked and converted."""

    line: int
    urn: str
    provision_type: str
    kind: str  # vocabulary.IMPORTED_PROVISION_TYPES value
    registration_date: dt.date
    registration_status: str
    name: str | None  # None when Ofsted withholds it
    town: str | None
    outcode: str | None  # the postcode's district, when the postcode is not withheld
    la_ofsted_name: str
    ofsted_sector: str
    places: int | None
    short_breaks_only: bool
    owner: str | None
    inspected_on: dt.date | None
    ofsted_grade: str | None
    sa_outcome: str | None


@dataclass
class ParsedRegister:
    records: list[OfstedRecord] = field(default_factory=list)
    skipped_by_type: Counter[str] = field(default_factory=Counter)
    outside_england: Counter[str] = field(default_factory=Counter)  # local authority -> rows
    rows: int = 0


def _date(text: str) -> dt.date:
    m = _DATE.match(text)
    if not m:
        raise ValueError
    return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return None if not text or text == REDACTED else text


class _Checker:
    def __init__(self, known_las: Collection[str]):
        self.known_las = known_las
        self.problems: list[tuple[int, str]] = []
        self.first_line_of_urn: dict[str, int] = {}

    def bad(self, line: int, message: str) -> None:
        self.problems.append((line, message))

    def row(self, line: int, r: dict[str, str], out: ParsedRegister) -> None:
        before = len(self.problems)
        urn = (r[COL_URN] or "").strip()
        if not _URN.match(urn):
            self.bad(line, f"URN {urn!r} is not an Ofsted URN (7 digits, or SC and 6 digits)")
        elif urn in self.first_line_of_urn:
            self.bad(line, f"URN {urn} appears twice (also on line {self.first_line_of_urn[urn]})")
        else:
            self.first_line_of_urn[urn] = line
        ptype = (r[COL_TYPE] or "").strip()
        if not ptype:
            self.bad(line, "Provision type is empty")
            return
        kind = IMPORTED_PROVISION_TYPES.get(ptype)
        if kind is None:
            out.skipped_by_type[ptype] += 1
            return
        reg_date = self.date(line, r, COL_REG_DATE, required=True)
        inspected = self.date(line, r, COL_INSPECTED, required=False)
        status_text = (r[COL_STATUS] or "").strip()
        status = REGISTRATION_STATUS_FROM_TEXT.get(status_text)
        if status is None:
            self.bad(line, f"Registration status {status_text!r} is not Active or Suspended")
        sector = (r[COL_SECTOR] or "").strip()
        if sector not in OFSTED_SECTORS:
            self.bad(line, f"Sector {sector!r} is not one of {', '.join(OFSTED_SECTORS)}")
        places_text = (r[COL_PLACES] or "").strip()
        places = None
        if places_text:
            if places_text.isdigit():
                places = int(places_text)
            else:
                self.bad(line, f"Places {places_text!r} is not a whole number")
        grade_text = (r[COL_OVERALL] or "").strip()
        grade = OFSTED_GRADE_FROM_TEXT.get(grade_text) if grade_text else None
        if grade_text and grade is None:
            self.bad(line, f"judgement {grade_text!r} in {COL_OVERALL!r} is not an Ofsted grade")
        sa_text = (r[COL_SA_OUTCOME] or "").strip()
        sa = SA_OUTCOME_FROM_TEXT.get(sa_text) if sa_text else None
        if sa_text and sa is None:
            self.bad(line, f"outcome {sa_text!r} in {COL_SA_OUTCOME!r} is not a supported accommodation outcome")
        la = (r[COL_LA] or "").strip()
        if (r[COL_REGION] or "").strip() == "Wales":
            out.outside_england[la or "Wales"] += 1
            return
        if la not in self.known_las:
            self.bad(line, f"local authority {la!r} is not an English authority the app knows")
        if len(self.problems) > before:
            return
        assert reg_date is not None and status is not None
        postcode = (r[COL_POSTCODE] or "").strip()
        out.records.append(OfstedRecord(
            line=line, urn=urn, provision_type=ptype, kind=kind, registration_date=reg_date,
            registration_status=status, name=_clean(r[COL_NAME]), town=_clean(r[COL_TOWN]),
            outcode=outward_code(postcode) if postcode and postcode != REDACTED else None,
            la_ofsted_name=la, ofsted_sector=sector, places=places,
            short_breaks_only=bool((r[COL_SHORT_BREAKS] or "").strip()), owner=_clean(r[COL_OWNER]),
            inspected_on=inspected, ofsted_grade=grade, sa_outcome=sa))

    def date(self, line: int, r: dict[str, str], column: str, *, required: bool) -> dt.date | None:
        text = (r[column] or "").strip()
        if not text:
            if required:
                self.bad(line, f"{column} is empty")
            return None
        try:
            return _date(text)
        except ValueError:
            self.bad(line, f"{column} {text!r} is not a date as dd/mm/yyyy")
            return None


def parse_register(path: Path | str, known_las: Collection[str]) -> ParsedRegister:
    """Read and check the whole register. Raises ImportFileError listing every problem by line."""
    path = Path(path)
    out = ParsedRegister()
    with csv_file(path, "the file is empty: expected Ofsted's provider register") as (header, rows):
        header = [h.strip() for h in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise ImportFileError(path, [(1, "missing column(s): " + ", ".join(repr(c) for c in missing))])
        index = {name: header.index(name) for name in REQUIRED_COLUMNS}
        checker = _Checker(known_las)
        for line, cells in rows:
            out.rows += 1
            if len(cells) != len(header):
                checker.bad(line, f"{len(cells)} cells where the header has {len(header)}")
            else:
                checker.row(line, {name: cells[i] for name, i in index.items()}, out)
            if len(checker.problems) >= MAX_PROBLEMS:
                break
    if checker.problems:
        raise ImportFileError(path, checker.problems)
    if out.rows == 0:
        raise ImportFileError(path, [(2, "the file has a header but no rows")])
    return out
