"""Reading a file in the national Placements Data Standard (`referrals import --standard placements-v2`) as
sufficiency records (docs/placements-standard.md, "Import").

The whole file is checked first (domain.referrals.standard_records); any problem refuses it with every
problem by line and field, and nothing is written. A file is read once: the same bytes (SHA-256) again are
refused, saying when they were read. The records go in with the file's name, its SHA-256, when and by whom,
in one transaction (each row audited). They are never referrals: a pseudonymous childId cannot give back a
case reference, so they cannot become cases to work; no referral list, count, match or review reads them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from broker_tui.domain.referrals.standard_records import (
    StandardProblem,
    SufficiencyRow,
    header_problems,
    read_standard_rows,
)
from broker_tui.domain.text_rules import FORMULA_START
from broker_tui.services.context import AppContext
from broker_tui.store.errors import RuleBroken
from broker_tui.store.tables import LocalAuthority, PostcodeDistrict, SufficiencyImport, SufficiencyRecord

STANDARD = "placements-v2"
MAX_BYTES = 50 * 1024 * 1024


class StandardFileInvalid(ValueError):
    """The file was refused whole: every problem (line, field, message); nothing was written."""

    def __init__(self, source: str, problems: list[StandardProblem]):
        super().__init__(f"{source}: {len(problems)} problem(s); nothing was written")
        self.source = source
        self.problems = problems


class AlreadyImported(ValueError):
    """The same file (its SHA-256) was read before."""

    def __init__(self, source: str, earlier: SufficiencyImport):
        when = earlier.imported_at.strftime("%d/%m/%Y %H:%M")
        super().__init__(f"{source} was imported already, on {when} UTC by {earlier.imported_by} (as "
                         f"{earlier.source_name}, {earlier.row_count} record(s)); nothing was written")
        self.earlier_at = earlier.imported_at


@dataclass(frozen=True)
class StandardImport:
    source: str  # the file's name
    sha256: str
    records: int
    imported_at: dt.datetime


@dataclass(frozen=True)
class SufficiencySummary:
    """What has been read in: the files (name, when, by whom, records), and the records by file and by
    placement type (code; "" not answered)."""

    imports: tuple[tuple[str, dt.datetime, str, int], ...]
    records: int
    by_placement_type: dict[str, int]


def _problem(message: str, line: int = 0) -> StandardFileInvalid:
    return StandardFileInvalid("", [StandardProblem(line, "(file)", message)])


def _json_rows(text: str) -> list[tuple[int, object]]:
    try:
        data: object = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _problem(f"is not valid JSON: column {exc.colno}: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise _problem("nests too deeply to be records of the standard") from None
    except ValueError as exc:  # an integer longer than Python reads
        raise _problem(f"holds a number too long to be one: {str(exc).split(';')[0]}") from None
    if not isinstance(data, list):
        raise _problem("must hold a JSON list of records (objects of the standard's fields)")
    return [(i + 1, row) for i, row in enumerate(data)]


def _unguarded(cell: str) -> str:
    """A cell as written before a CSV export guarded it from spreadsheets (text_rules.spreadsheet_safe)."""
    return cell[1:] if cell.startswith("'") and cell[1:2] in FORMULA_START else cell


def _csv_rows(text: str) -> list[tuple[int, object]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise _problem("is empty: expected a header line of the standard's field names", 1)
        names = [h.strip() for h in header]
        if found := header_problems(header):
            raise StandardFileInvalid("", found)
        rows: list[tuple[int, object]] = []
        line = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                row: dict[str | None, str] = dict(zip(names, map(_unguarded, cells), strict=False))
                if len(cells) > len(names):
                    row[None] = ""  # cells past the last named column: the reader names the problem
                rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _problem(f"cannot be read as CSV: {exc}", reader.line_num) from None
    return rows


def _rows_of(path: Path, data: bytes) -> list[tuple[int, object]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _problem(f"is not UTF-8 text (byte {exc.start + 1} cannot be read): save it as UTF-8") from None
    rows = _json_rows(text) if path.suffix.lower() == ".json" else _csv_rows(text)
    if not rows:
        raise _problem("has no records")
    return rows


def _places(ctx: AppContext) -> tuple[set[str], dict[str, tuple[str, str]]]:
    with ctx.session() as session:
        districts = set(session.scalars(select(col(PostcodeDistrict.outcode))))
        authorities: dict[str, tuple[str, str]] = {}
        for la in session.scalars(select(LocalAuthority)):
            for key in (la.ons_code, la.name, la.ofsted_name):
                authorities.setdefault(key.strip().casefold(), (la.ons_code, la.name))
    return districts, authorities


def check_standard_file(ctx: AppContext, path: str | Path) -> tuple[list[SufficiencyRow], str]:
    """The records of a file and its SHA-256, or StandardFileInvalid with every problem."""
    source = Path(path)
    if source.suffix.lower() not in (".json", ".csv"):
        raise StandardFileInvalid(source.name, [StandardProblem(0, "(file)", "must be FILE.json or FILE.csv")])
    try:
        if source.stat().st_size > MAX_BYTES:
            raise _problem(f"is larger than {MAX_BYTES // (1024 * 1024)} MB")
        data = source.read_bytes()
    except StandardFileInvalid as exc:
        raise StandardFileInvalid(source.name, exc.problems) from None
    except OSError as exc:
        raise StandardFileInvalid(source.name, [StandardProblem(0, "(file)", f"cannot be read: {exc.strerror}")]) \
            from None
    try:
        rows = _rows_of(source, data)
    except StandardFileInvalid as exc:
        raise StandardFileInvalid(source.name, exc.problems) from None
    districts, authorities = _places(ctx)
    records, problems = read_standard_rows(
        rows, today=ctx.today(), district_exists=districts.__contains__,
        find_authority=lambda text: authorities.get(" ".join(text.split()).casefold()))
    if problems:
        raise StandardFileInvalid(source.name, problems)
    return records, hashlib.sha256(data).hexdigest()


def _earlier(ctx: AppContext, sha256: str) -> SufficiencyImport | None:
    with ctx.session() as session:
        return session.scalars(select(SufficiencyImport).where(col(SufficiencyImport.sha256) == sha256)).first()


def import_standard(ctx: AppContext, path: str | Path) -> StandardImport:
    """Read a file in the standard (.json: a list of objects; .csv: a header of field names) as sufficiency
    records, all or nothing; StandardFileInvalid lists every problem, AlreadyImported says when it was read."""
    source = Path(path)
    records, sha256 = check_standard_file(ctx, source)
    if (earlier := _earlier(ctx, sha256)) is not None:
        raise AlreadyImported(source.name, earlier)
    now = ctx.clock.now()
    try:
        with ctx.session() as session:
            batch = SufficiencyImport(standard=STANDARD, source_name=source.name, sha256=sha256, imported_at=now,
                                      imported_by=ctx.actor, row_count=len(records))
            session.add(batch)
            session.flush()
            session.add_all(_row(batch, r) for r in records)
    except RuleBroken as exc:  # the same file read by someone else in the meantime
        if exc.rule == "uq_sufficiency_import_sha256" and (earlier := _earlier(ctx, sha256)) is not None:
            raise AlreadyImported(source.name, earlier) from None
        raise
    return StandardImport(source.name, sha256, len(records), now)


def _row(batch: SufficiencyImport, r: SufficiencyRow) -> SufficiencyRecord:
    return SufficiencyRecord(
        import_id=batch.id, row_number=r.line, child_id=r.child_id, needed_by=r.needed_by,
        placement_type=r.placement_type, total_weekly_cost_pence=r.total_weekly_cost_pence,
        referral_date=r.referral_date, placement_date=r.placement_date, suitability_foster=r.suitability_foster,
        suitability_residential=r.suitability_residential, suitability_supported=r.suitability_supported,
        preferred_location=r.preferred_location, placement_location=r.placement_location, fields=dict(r.fields))


def sufficiency_summary(ctx: AppContext) -> SufficiencySummary:
    """Every file read in (oldest first) and the records by placement type."""
    with ctx.session() as session:
        imports = tuple((i.source_name, i.imported_at, i.imported_by, i.row_count) for i in session.scalars(
            select(SufficiencyImport).order_by(col(SufficiencyImport.imported_at), col(SufficiencyImport.id))))
        counts: dict[str, Any] = {kind: n for kind, n in session.execute(
            select(col(SufficiencyRecord.placement_type), func.count()).group_by(
                col(SufficiencyRecord.placement_type)))}
    return SufficiencySummary(imports, sum(counts.values()), {k: int(v) for k, v in sorted(counts.items())})
