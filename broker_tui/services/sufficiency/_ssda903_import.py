"""`broker-tui ssda903 import DIR|FILES`: the council's SSDA903 return read as forecasting keeps it.

Every file is read once into memory (its SHA-256 taken from the same bytes), then the whole return is
checked (domain.sufficiency: each file's rows, then the rules across rows, tables and years). Any error, in
any file, refuses the return with every problem by file and line, and nothing is written; DfE queries are
listed but do not refuse it unless ``strict``. A file read before (its SHA-256) refuses the return, saying
when and by whom. What is kept goes in one transaction, every row audited: the import and its files, and
children, episodes and OC3 rows under a pseudonymous child id (an HMAC of CHILD keyed by this database's
secret, the placements-v2 export's), never the CHILD id, a full date of birth or a full postcode.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from broker_tui.domain.sufficiency.checks import ReturnRows, check_return
from broker_tui.domain.sufficiency.codes import CodeLists
from broker_tui.domain.sufficiency.keep import ForecastData, forecast_data
from broker_tui.domain.sufficiency.ssda903 import Problem, TableFile, read_table_file
from broker_tui.services.context import AppContext
from broker_tui.services.reference import ssda903_code_lists
from broker_tui.services.referrals import child_id, child_id_secret
from broker_tui.store.errors import RuleBroken
from broker_tui.store.tables import Ssda903Child, Ssda903Episode, Ssda903File, Ssda903Import, Ssda903Oc3

MAX_BYTES = 100 * 1024 * 1024


class ReturnInvalid(ValueError):
    """The return was refused whole: every problem (file, line, field, rule); nothing was written."""

    def __init__(self, problems: list[Problem], *, strict: bool = False):
        errors = [p for p in problems if not p.query or strict]
        super().__init__(f"{len(errors)} error(s) in the return; nothing was written")
        self.problems = problems
        self.errors = errors


class ReturnAlreadyImported(ValueError):
    """A file of the return (its SHA-256) was read before."""

    def __init__(self, source: str, earlier: Ssda903File, by: Ssda903Import):
        when = by.imported_at.strftime("%d/%m/%Y %H:%M")
        super().__init__(f"{source} was imported already, on {when} UTC by {by.imported_by} (as {earlier.source_name}, "
                         f"{earlier.row_count} row(s)); nothing was written")
        self.earlier_at = by.imported_at
        self.earlier_by = by.imported_by


@dataclass(frozen=True)
class FileRead:
    name: str
    table: str
    rows: int
    years: dict[str, int]
    sha256: str


@dataclass(frozen=True)
class ReturnImport:
    imported_at: dt.datetime
    files: tuple[FileRead, ...]
    children: int
    episodes: int  # kept: an episode in several years' returns once
    uasc: int
    oc3: int
    queries: tuple[Problem, ...]


def return_files(paths: Sequence[str | Path]) -> list[Path]:
    """The files named, a folder standing for its .csv files (by name)."""
    out: list[Path] = []
    for p in map(Path, paths):
        out.extend(sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() == ".csv") if p.is_dir() else [p])
    return out


def _read(path: Path, codes: CodeLists) -> tuple[TableFile, str]:
    def refused(message: str) -> tuple[TableFile, str]:
        return TableFile(path.name, problems=[Problem(path.name, 0, "(file)", "", message)]), ""

    if not path.exists():
        return refused("no such file or folder")
    if path.suffix.lower() != ".csv":
        return refused("must be a CSV file (FILE.csv)")
    try:
        if path.stat().st_size > MAX_BYTES:
            return refused(f"is larger than {MAX_BYTES // (1024 * 1024)} MB")
        data = path.read_bytes()
    except OSError as exc:
        return refused(f"cannot be read: {exc.strerror}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return refused(f"is not UTF-8 text (byte {exc.start + 1} cannot be read): save it as UTF-8")
    return read_table_file(path.name, text, codes), hashlib.sha256(data).hexdigest()


def check_ssda903(paths: Sequence[str | Path], *, strict: bool = False) -> tuple[list[TableFile], list[str],
                                                                                 ReturnRows]:
    """Every file read once and the whole return checked; ReturnInvalid lists every problem."""
    files = return_files(paths)
    if not files:
        raise ReturnInvalid([Problem(", ".join(map(str, paths)) or "(none)", 0, "(file)", "", "holds no CSV file")])
    codes = ssda903_code_lists()
    read = [_read(f, codes) for f in files]
    tables, shas = [t for t, _ in read], [s for _, s in read]
    first: dict[str, str] = {}
    for t, sha in zip(tables, shas, strict=True):
        if sha and first.setdefault(sha, t.name) != t.name:
            t.problems.append(Problem(t.name, 0, "(file)", "", f"is the same file as {first[sha]}"))
    rows = check_return(tables)
    if any(not p.query or strict for p in rows.problems):
        raise ReturnInvalid(rows.problems, strict=strict)
    return tables, shas, rows


def _earlier(ctx: AppContext, tables: list[TableFile], shas: list[str]) -> ReturnAlreadyImported | None:
    with ctx.session() as session:
        for t, sha in zip(tables, shas, strict=True):
            found = session.scalars(select(Ssda903File).where(col(Ssda903File.sha256) == sha)).first()
            if found is not None:
                batch = session.get(Ssda903Import, found.import_id)
                assert batch is not None  # a file row always has its import (a foreign key)
                return ReturnAlreadyImported(t.name, found, batch)
    return None


def import_ssda903(ctx: AppContext, paths: Sequence[str | Path], *, strict: bool = False) -> ReturnImport:
    """Read the return's files (a folder: its .csv files) all or nothing; ReturnInvalid lists every problem,
    ReturnAlreadyImported says when and by whom a file was read before."""
    tables, shas, rows = check_ssda903(paths, strict=strict)
    if (earlier := _earlier(ctx, tables, shas)) is not None:
        raise earlier
    data = forecast_data(rows)
    secret = child_id_secret(ctx)
    now = ctx.clock.now()
    try:
        with ctx.session() as session:
            batch = Ssda903Import(imported_at=now, imported_by=ctx.actor, children=len(data.children),
                                  episodes=len(data.episodes), uasc=sum(c.uasc for c in data.children),
                                  oc3=len(data.oc3), queries=len(rows.queries))
            session.add(batch)
            session.flush()
            session.add_all(Ssda903File(import_id=batch.id, source_name=t.name, sha256=sha, table_name=t.table,
                                        row_count=sum(t.years.values()), years=dict(t.years))
                            for t, sha in zip(tables, shas, strict=True))
            session.add_all(_records(batch, data, secret))
    except RuleBroken as exc:  # the same file read by someone else in the meantime
        if exc.rule == "uq_ssda903_file_sha256" and (earlier := _earlier(ctx, tables, shas)) is not None:
            raise earlier from None
        raise
    return ReturnImport(now, tuple(FileRead(t.name, t.table, sum(t.years.values()), dict(t.years), sha)
                                   for t, sha in zip(tables, shas, strict=True)),
                        batch.children, batch.episodes, batch.uasc, batch.oc3, tuple(rows.queries))


def _records(batch: Ssda903Import, data: ForecastData, secret: bytes) -> list[Ssda903Child | Ssda903Episode |
                                                                               Ssda903Oc3]:
    ids: dict[tuple[str, str], int] = {c.key: child_id(secret, c.key[1]) for c in data.children}
    out: list[Ssda903Child | Ssda903Episode | Ssda903Oc3] = [
        Ssda903Child(import_id=batch.id, child_id=ids[c.key], la=c.la, birth_month=c.birth_month, sex=c.sex,
                     uasc=c.uasc, uasc_ceased_month=c.uasc_ceased_month) for c in data.children]
    out.extend(Ssda903Episode(import_id=batch.id, child_id=ids[e.key], la=e.key[0], return_year=e.year, decom=e.decom,
                              dec=e.dec, rne=e.rne, ls=e.ls, cin=e.cin, place=e.place, place_provider=e.place_provider,
                              rec=e.rec, reason_place_change=e.reason_place_change, pl_la=e.pl_la,
                              pl_district=e.pl_district, home_district=e.home_district) for e in data.episodes)
    out.extend(Ssda903Oc3(import_id=batch.id, child_id=ids[o.key], la=o.key[0], return_year=o.year,
                          in_touch=o.in_touch, activ=o.activ, accom=o.accom) for o in data.oc3)
    return out
