"""The SSDA903 return's tables read from CSV text and checked row by row (pure: text in, typed rows and
problems out; services.sufficiency reads the files and keeps what forecasting needs).

Tables and their DfE column names (a file is told by its columns; LA and YEAR, as in Social Finance's
samples, may be added to any table):

- Header: CHILD, SEX, DOB and optionally ETHNIC, UPN, MOTHER, MC_DOB;
- Episodes: CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC, REASON_PLACE_CHANGE, HOME_POST,
  PL_POST and optionally URN, PL_LA, PL_LOCATION, PL_DISTANCE;
- UASC: CHILD, SEX, DOB, DUC; OC3 (care leavers): CHILD, IN_TOUCH, ACTIV, ACCOM and optionally SEX, DOB.

The collection year of a row is its YEAR (``2017-18``, or ``2017`` for the year that starts on
1 April 2017, as the samples write it), else the file name's (``episodes_2024-25.csv``). Dates are ISO or
dd/mm/yyyy. Every problem names the file, the line and the field, with the DfE rule code from the 2024-25
rules (shared data ssda903_validation_rules_2024_25.csv) where there is one; the cross-row rules are in
domain.sufficiency.checks.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from broker_tui.domain.dates import DateError, parse_date
from broker_tui.domain.sufficiency.codes import CodeListError, CodeLists, year_end, year_start

HEADER, EPISODES, UASC, OC3 = "Header", "Episodes", "UASC", "OC3"
EXTRA = ("LA", "YEAR")
REQUIRED = {
    HEADER: ("CHILD", "SEX", "DOB"),
    EPISODES: ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
               "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST"),
    UASC: ("CHILD", "SEX", "DOB", "DUC"),
    OC3: ("CHILD", "IN_TOUCH", "ACTIV", "ACCOM"),
}
OPTIONAL = {
    HEADER: ("ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    EPISODES: ("URN", "PL_LA", "PL_LOCATION", "PL_DISTANCE"),
    UASC: (),
    OC3: ("SEX", "DOB"),
}
# The column that tells a table apart from the others.
MARKER = ((EPISODES, "DECOM"), (UASC, "DUC"), (OC3, "IN_TOUCH"), (HEADER, "ETHNIC"), (HEADER, "UPN"),
          (HEADER, "MOTHER"))
SEX_WORDS = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U"}
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_YEAR_IN_NAME = re.compile(r"(?<!\d)(\d{4})[-_](\d{2})(?!\d)")
_YEAR_CELL = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


@dataclass(frozen=True)
class Problem:
    """One problem: file, line (0: the whole file), field, DfE rule code ("" none), words; a query is
    listed but does not stop an import (DfE's queries), an error does."""

    file: str
    line: int
    field: str
    rule: str
    message: str
    query: bool = False

    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def text(self) -> str:
        rule = f" [{self.rule}]" if self.rule else ""
        kind = "query" if self.query else "error"
        return f"{self.where()}: {self.field}: {self.message}{rule} ({kind})"


@dataclass(frozen=True)
class Row:
    """What every table's row has: where it was read, its year, the council (LA column, "" if none), CHILD."""

    file: str
    line: int
    year: str
    la: str
    child: str


@dataclass(frozen=True)
class HeaderRow(Row):
    sex: str  # M | F | U
    dob: dt.date
    ethnic: str


@dataclass(frozen=True)
class EpisodeRow(Row):
    decom: dt.date
    dec: dt.date | None
    rne: str
    ls: str
    cin: str
    place: str
    place_provider: str
    rec: str
    reason_place_change: str
    home_district: str  # outward code only ("" none)
    pl_district: str
    pl_la: str


@dataclass(frozen=True)
class UascRow(Row):
    sex: str
    dob: dt.date
    duc: dt.date


@dataclass(frozen=True)
class Oc3Row(Row):
    in_touch: str
    activ: str
    accom: str
    sex: str
    dob: dt.date | None


@dataclass
class TableFile:
    """One file read: its table, columns, rows by line, and what was wrong with it."""

    name: str
    table: str = ""
    rows: list[Row] = field(default_factory=list)
    years: dict[str, int] = field(default_factory=dict)  # rows read per collection year
    problems: list[Problem] = field(default_factory=list)


def outward_code(postcode: str) -> str | None:
    """The district of a full postcode ('LE1 5WW' -> 'LE1'), or None when it is not a postcode's shape."""
    m = _POSTCODE.match("".join(postcode.split()).upper())
    return m.group(1) if m else None


def birthday(dob: dt.date, age: int) -> dt.date:
    """The day a child born on ``dob`` turns ``age`` (29 February: 1 March in other years)."""
    try:
        return dob.replace(year=dob.year + age)
    except ValueError:
        return dt.date(dob.year + age, 3, 1)


def table_of(columns: list[str]) -> str | None:
    names = set(columns)
    return next((table for table, marker in MARKER if marker in names), None)


def year_of_name(name: str) -> str | None:
    m = _YEAR_IN_NAME.search(name)
    if m and (int(m.group(1)) + 1) % 100 == int(m.group(2)):
        return f"{m.group(1)}-{m.group(2)}"
    return None


def year_of_cell(text: str) -> str | None:
    m = _YEAR_CELL.match(text.strip())
    if not m:
        return None
    start = int(m.group(1))
    if m.group(2) is not None and (start + 1) % 100 != int(m.group(2)):
        return None
    return f"{start}-{str(start + 1)[-2:]}"


class _RowReader:
    """Reads the cells of one row, noting each problem against its field."""

    def __init__(self, out: TableFile, line: int, cells: dict[str, str], codes: CodeLists):
        self.out, self.line, self.cells, self.codes = out, line, cells, codes
        self.ok = True

    def problem(self, column: str, rule: str, message: str, *, query: bool = False) -> None:
        self.out.problems.append(Problem(self.out.name, self.line, column, rule, message, query))
        self.ok = self.ok and query

    def text(self, column: str) -> str:
        return self.cells.get(column, "").strip()

    def required(self, column: str, rule: str = "") -> str:
        value = self.text(column)
        if not value:
            self.problem(column, rule, "is missing (a mandatory field)")
        return value

    def date(self, column: str, rule: str, *, required: bool = True) -> dt.date | None:
        raw = self.text(column)
        if not raw:
            if required:
                self.problem(column, rule, "is missing (a mandatory field)")
            return None
        try:
            return parse_date(raw)
        except DateError as exc:
            self.problem(column, rule, f"is not a valid date: {exc}")
            return None

    def code(self, column: str, rule: str, day: dt.date | None, *, required: bool = True) -> str:
        value = self.text(column)
        if not value:
            if required:
                self.problem(column, rule, "is missing (a mandatory field)")
            return ""
        if day is not None and (why := self.codes.check(column, value, day)) is not None:
            self.problem(column, rule, why)
        return value

    def sex(self, year_day: dt.date, *, required: bool = True) -> str:
        return SEX_WORDS.get(self.code("SEX", "101", year_day, required=required), "")

    def postcode(self, column: str) -> str:
        raw = self.text(column)
        if not raw:
            return ""
        district = outward_code(raw)
        if district is None:
            self.problem(column, "392c", "is not a valid postcode")
            return ""
        return district


Base = tuple[str, int, str, str, str]  # file, line, year, LA, CHILD: a Row's own fields, in order


def _episode(r: _RowReader, base: Base, year: str) -> EpisodeRow | None:
    decom = r.date("DECOM", "141")
    dec = r.date("DEC", "147", required=False)
    day = decom  # an episode's codes are checked on the day it started (domain.sufficiency.codes)
    rne, ls, cin = r.code("RNE", "143", day), r.code("LS", "144", day), r.code("CIN", "145", day)
    place, provider = r.code("PLACE", "146", day), r.code("PLACE_PROVIDER", "178", day)
    rec = r.code("REC", "149", day, required=False)
    reason = r.code("REASON_PLACE_CHANGE", "1009", day, required=False)
    home, pl_district = r.postcode("HOME_POST"), r.postcode("PL_POST")
    if decom and dec and dec < decom:
        r.problem("DEC", "356", f"the episode ceased ({dec:%d/%m/%Y}) before it started ({decom:%d/%m/%Y})")
    if dec and dec > year_end(year):
        r.problem("DEC", "385", f"the episode ceased ({dec:%d/%m/%Y}) after the end of the collection year {year}",
                  query=True)
    if bool(dec) != bool(rec):
        r.problem("REC", "148", "date episode ceased and reason episode ceased must both be coded, or both left "
                                "blank", query=True)
    if provider == "PR2" and place in ("P1", "R2", "R5"):
        r.problem("PLACE_PROVIDER", "528", f"a placement provider of PR2 cannot go with placement {place}")
    if provider == "PR5" and place == "P1":
        r.problem("PLACE_PROVIDER", "531", "a placement provider of PR5 cannot go with placement P1")
    if provider == "PR0" and place and place != "P1":
        r.problem("PLACE_PROVIDER", "550", f"a placement provider of PR0 can only go with placement P1, not {place}")
    if not r.ok or decom is None:
        return None
    return EpisodeRow(*base, decom=decom, dec=dec, rne=rne, ls=ls, cin=cin, place=place, place_provider=provider,
                      rec=rec if dec else "", reason_place_change=reason, home_district=home,
                      pl_district=pl_district, pl_la=r.text("PL_LA"))


def _row(table: str, r: _RowReader, year: str) -> Row | None:
    base: Base = (r.out.name, r.line, year, r.text("LA"), r.required("CHILD"))
    year_day = year_start(year)
    if table == EPISODES:
        return _episode(r, base, year)
    if table == HEADER:
        sex, dob = r.sex(year_day), r.date("DOB", "102")
        ethnic = r.code("ETHNIC", "103", year_day, required=False) if "ETHNIC" in r.cells else ""
        if dob and dob > year_end(year):
            r.problem("DOB", "102", f"the date of birth ({dob:%d/%m/%Y}) is after the end of the collection year {year}")
        return HeaderRow(*base, sex=sex, dob=dob, ethnic=ethnic) if r.ok and dob else None
    if table == UASC:
        sex, dob, duc = r.sex(year_day), r.date("DOB", "102"), r.date("DUC", "104")
        if dob and duc and duc > birthday(dob, 18):
            r.problem("DUC", "304", "the date UASC status ceased is after the child's 18th birthday")
        return UascRow(*base, sex=sex, dob=dob, duc=duc) if r.ok and dob and duc else None
    return _oc3(r, base, year)


def _oc3(r: _RowReader, base: Base, year: str) -> Oc3Row | None:
    """A care leaver's row: each answer one of its codes (131, 132, 133), all three or none (153); no
    activity or accommodation for a young person who died or went home (344), and both for one in touch
    (345); answers only for a young person 17 by the year's end (391; 22 or over all year: a query)."""
    year_day = year_start(year)
    columns = ("IN_TOUCH", "ACTIV", "ACCOM")
    answers = [r.code(c, rule, year_day, required=False) for c, rule in zip(columns, ("131", "132", "133"),
                                                                            strict=True)]
    in_touch, activ, accom = answers
    if any(answers) and not all(answers):
        missing = ", ".join(c for c, a in zip(columns, answers, strict=True) if not a)
        r.problem(missing, "153", "care leaver items must all be coded or all left blank")
    elif in_touch in ("DIED", "RHOM") and (activ != "0" or accom != "0"):
        r.problem("ACTIV, ACCOM", "344", f"IN_TOUCH is {in_touch}: activity and accommodation must be 0 "
                                         f"(not recorded)")
    elif in_touch == "YES" and (activ == "0" or accom == "0"):
        r.problem("ACTIV, ACCOM", "345", "IN_TOUCH is YES: activity and accommodation must be recorded, not 0")
    sex = r.sex(year_day, required=False) if "SEX" in r.cells else ""
    dob = r.date("DOB", "102", required=False)
    if dob and any(answers) and birthday(dob, 17) > year_end(year):
        r.problem("DOB", "391", f"care leaver answers for a young person not yet 17 by the end of {year}")
    elif dob and any(answers) and birthday(dob, 22) <= year_day:
        r.problem("DOB", "391", f"care leaver answers for a young person 22 or over all {year}", query=True)
    return Oc3Row(*base, in_touch=in_touch, activ=activ, accom=accom, sex=sex, dob=dob) if r.ok else None


def read_table_file(name: str, text: str, codes: CodeLists) -> TableFile:
    """One CSV file's rows, typed, with every problem by line and field (rows with an error are left out)."""
    out = TableFile(name)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            out.problems.append(Problem(name, 1, "(file)", "", "is empty: expected a header line of DfE column names"))
            return out
        columns = [h.strip().upper() for h in header]
        table = table_of(columns)
        if table is None:
            out.problems.append(Problem(name, 1, "(file)", "", "is not a table of the SSDA903 return (Header, "
                                        "Episodes, UASC or OC3): no DECOM, DUC, IN_TOUCH, ETHNIC or UPN column"))
            return out
        out.table = table
        known = {*REQUIRED[table], *OPTIONAL[table], *EXTRA}
        if unknown := [c for c in columns if c not in known]:
            out.problems.append(Problem(name, 1, "(columns)", "", f"unknown column(s) for the {table} table: "
                                        f"{', '.join(unknown)}"))
        if missing := [c for c in REQUIRED[table] if c not in columns]:
            out.problems.append(Problem(name, 1, "(columns)", "", f"missing column(s) of the {table} table: "
                                        f"{', '.join(missing)}"))
        if len(set(columns)) != len(columns):
            twice = sorted({c for c in columns if columns.count(c) > 1})
            out.problems.append(Problem(name, 1, "(columns)", "", f"column(s) named twice: {', '.join(twice)}"))
        file_year = year_of_name(name)
        if "YEAR" not in columns and file_year is None:
            out.problems.append(Problem(name, 1, "(file)", "", "cannot tell the collection year: add a YEAR column "
                                        "or put the year in the file name (for example episodes_2024-25.csv)"))
        if out.problems:
            return out
        line = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                _read_row(out, line, columns, cells, codes, file_year)
            line = reader.line_num + 1
    except csv.Error as exc:
        out.problems.append(Problem(name, reader.line_num, "(file)", "", f"cannot be read as CSV: {exc}"))
    except CodeListError as exc:  # a year beyond the dates this app holds
        out.problems.append(Problem(name, reader.line_num, "YEAR", "", str(exc)))
    if not out.rows and not out.problems:
        out.problems.append(Problem(name, 0, "(file)", "", "has no rows"))
    return out


def _read_row(out: TableFile, line: int, columns: list[str], cells: list[str], codes: CodeLists,
              file_year: str | None) -> None:
    if len(cells) != len(columns):
        out.problems.append(Problem(out.name, line, "(row)", "", f"has {len(cells)} cells, the header {len(columns)}"))
        return
    values = dict(zip(columns, cells, strict=True))
    r = _RowReader(out, line, values, codes)
    year = year_of_cell(values["YEAR"]) if "YEAR" in values else file_year
    if year is None:
        r.problem("YEAR", "", f"{values['YEAR'].strip()!r} is not a collection year such as 2024-25 or 2024")
        return
    row = _row(out.table, r, year)
    out.years[year] = out.years.get(year, 0) + 1
    if row is not None:
        out.rows.append(row)
