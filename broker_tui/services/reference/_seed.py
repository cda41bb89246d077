"""Reference data from seed/: local authorities, postcode districts and the SSDA903 code lists.

``ensure_reference_data(ctx)`` fills the authorities and districts from the files in seed/ when that table
is empty, and adds every code of the code lists the table does not hold yet (a newer seed's codes reach an
older database; a code held is left alone), in one transaction, so calling it again does nothing. The app
calls it right after a migration creates or upgrades the database.

- postcode_district: every district of seed/postcode_outcodes_uk_2025.csv that has coordinates, with its
  main upper-tier authority. ONS re-coded Barnsley and Sheffield in 2024 (E08000038, E08000039) while
  the authorities file keeps the older codes (E08000016, E08000019); the districts are stored under the
  older codes so that they join.
- local_authority: seed/english_local_authorities_2024.csv, placed at the mean of the coordinates of the
  postcode districts whose main upper-tier authority it is (domain.geo.centroid).
- code_list: seed/ssda903_code_lists.csv with the collection years each code is valid from and to (its
  ``valid_from`` / ``valid_to`` columns; a bound given as a day, such as H5's and P2's 2023-10-28, is kept
  here as the collection year that day falls in). The full rule, with days, is domain.sufficiency.codes.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select

from broker_tui.domain.geo import centroid
from broker_tui.domain.sufficiency.codes import CodeLists, collection_year
from broker_tui.resources import SEED_DIR
from broker_tui.services.context import AppContext
from broker_tui.store.tables import CodeListEntry, LocalAuthority, PostcodeDistrict

LA_FILE = "english_local_authorities_2024.csv"
POSTCODE_FILE = "postcode_outcodes_uk_2025.csv"
CODE_LIST_FILE = "ssda903_code_lists.csv"

# ONS 2024 re-codes -> the codes english_local_authorities_2024.csv uses.
RECODED_AUTHORITIES = {"E08000038": "E08000016", "E08000039": "E08000019"}

@dataclass
class ReferenceReport:
    local_authorities: int = 0
    postcode_districts: int = 0
    codes: int = 0

    @property
    def loaded_anything(self) -> bool:
        return bool(self.local_authorities or self.postcode_districts or self.codes)


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _count(con: Connection, table: Table) -> int:
    return con.execute(select(func.count()).select_from(table)).scalar_one()


def postcode_district_rows(seed_dir: Path = SEED_DIR) -> list[dict[str, Any]]:
    rows = []
    for r in _read(seed_dir / POSTCODE_FILE):
        if not r["latitude"] or not r["longitude"]:
            continue  # Channel Islands, Isle of Man and non-geographic districts: nowhere to put them
        utla = r["main_utla_code"] or None
        rows.append({
            "outcode": r["outcode"].strip().upper(),
            "latitude": float(r["latitude"]),
            "longitude": float(r["longitude"]),
            "utla_code": RECODED_AUTHORITIES.get(utla, utla) if utla else None,
            "utla_share": float(r["main_utla_share"]) if r["main_utla_share"] else None,
        })
    return rows


def local_authority_rows(districts: list[dict[str, Any]], seed_dir: Path = SEED_DIR) -> list[dict[str, Any]]:
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for d in districts:
        if d["utla_code"]:
            points[d["utla_code"]].append((d["latitude"], d["longitude"]))
    rows = []
    for r in _read(seed_dir / LA_FILE):
        code = r["ons_la_code"]
        lat, lon = centroid(points[code]) if points.get(code) else (None, None)
        rows.append({
            "ons_code": code, "name": r["la_name"], "ofsted_name": r["ofsted_la_name"],
            "dfe_code": r["dfe_la_code"], "region_code": r["region_code"], "region_name": r["region_name"],
            "latitude": round(lat, 5) if lat is not None else None,
            "longitude": round(lon, 5) if lon is not None else None,
        })
    return rows


def _year_of(bound: str) -> str | None:
    """A code list bound (a collection year or an ISO day) as the collection year it falls in."""
    text = bound.strip()
    if not text:
        return None
    return collection_year(dt.date.fromisoformat(text)) if len(text) == 10 else text


def code_list_rows(seed_dir: Path = SEED_DIR) -> list[dict[str, Any]]:
    return [{"field": r["field"], "code": r["code"], "field_name": r["field_name"], "description": r["description"],
             "valid_from_year": _year_of(r["valid_from"]), "valid_to_year": _year_of(r["valid_to"])}
            for r in read_code_list_file(seed_dir)]


def read_code_list_file(seed_dir: Path = SEED_DIR) -> list[dict[str, str]]:
    """The rows of seed/ssda903_code_lists.csv (field, field_name, code, description, valid_from, valid_to)."""
    return _read(seed_dir / CODE_LIST_FILE)


def ssda903_code_lists(seed_dir: Path = SEED_DIR) -> CodeLists:
    """The code lists of seed/ with the days each code is valid, as the SSDA903 checks read them."""
    return CodeLists.from_rows(read_code_list_file(seed_dir))


def load_reference_data(con: Connection, seed_dir: Path = SEED_DIR) -> ReferenceReport:
    """Fill the authorities and districts when empty and add the codes the code list lacks, on an open
    connection (inside its transaction)."""
    report = ReferenceReport()
    pd_table, la_table, cl_table = PostcodeDistrict.__table__, LocalAuthority.__table__, CodeListEntry.__table__
    need_pd = _count(con, pd_table) == 0
    need_la = _count(con, la_table) == 0
    districts: list[dict[str, Any]] | None = None
    if need_pd or need_la:
        districts = postcode_district_rows(seed_dir)
    if need_pd and districts:
        con.execute(insert(pd_table), districts)
        report.postcode_districts = len(districts)
    if need_la and districts is not None:
        las = local_authority_rows(districts, seed_dir)
        con.execute(insert(la_table), las)
        report.local_authorities = len(las)
    codes = code_list_rows(seed_dir)
    have = {(r.field, r.code) for r in con.execute(select(cl_table.c.field, cl_table.c.code))}
    missing = [c for c in codes if (c["field"], c["code"]) not in have]  # a new seed's codes reach an old database
    if missing:
        con.execute(insert(cl_table), missing)
        report.codes = len(missing)
    return report


def ensure_reference_data(ctx: AppContext) -> ReferenceReport:
    """Load the reference tables that are empty and the codes missing; idempotent (a second call changes
    nothing). Another start loading them at this very moment makes this one's insert fail: once more then,
    with what it wrote in."""
    from sqlalchemy.exc import IntegrityError

    try:
        with ctx.engine.begin() as con:
            return load_reference_data(con)
    except IntegrityError:
        with ctx.engine.begin() as con:
            return load_reference_data(con)
