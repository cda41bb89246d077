"""The directory's SQL (SQLAlchemy Core), imported only when the directory is first read.

Every ordering is (sort column, sort_name, id) and matches an index on Service; a page after a cursor
is a row-value comparison on that same tuple, which SQLite and PostgreSQL both answer from the index.
A nullable sort column (distance, price) is read in two segments, known values then unknown ones.

Search text arrives as the services the index matched, best first (services.directory.text_matches).
Their ids go to the database as one parameter, never a list of thousands of parameters: a JSON array read
with ``json_each`` on SQLite, a uuid[] array read with ``unnest ... WITH ORDINALITY`` on PostgreSQL;
either gives rows of (id, place), the place 0-based in the whole best-first order. The relevance order
pages on that place, reading a slice of the matches at a time from the cursor on (``fetch_page``).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import Connection, Uuid, and_, bindparam, column, exists, func, literal, or_, select, tuple_
from sqlmodel import col

from broker_tui.services.market._directory_query import (
    Cursor,
    DirectoryQuery,
    DirectoryRow,
    RankedMatches,
    judgement_sort_value,
)
from broker_tui.store.tables import PlacementStop, Provider, Service

S = Service
SORT_COLUMNS: dict[str, Any] = {
    "name": None,
    "distance": S.distance_miles,
    "price": S.price_from_pence,
    "judgement": S.judgement_sort,
    "relevance": None,  # the place in the text's best-match order (ranked_ids)
}
NULLABLE = {"distance", "price"}
FIRST_SLICE = 256  # matches asked about for a relevance page; four times as many each time a page is short


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def ranked_ids(con: Connection, ids: list[uuid.UUID], start: int = 0) -> tuple[Any, Any]:
    """The ids as rows of (id, place), from one bound parameter: the (id, place) columns; the place is
    ``start`` plus the 0-based place in ``ids`` (a slice of the matches from place ``start``)."""
    if con.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        param = bindparam("ranked_ids", value=ids, type_=ARRAY(Uuid()))
        table = (func.unnest(param).table_valued(column("id", Uuid()), with_ordinality="place")
                 .render_derived(name="ranked"))
        return table.c.id, table.c.place + literal(start - 1)
    # SQLite keeps a UUID as 32 hex digits (SQLAlchemy's Uuid type): json_each gives (key, value)
    param = bindparam("ranked_ids", value=json.dumps([i.hex for i in ids]))
    table = func.json_each(param).table_valued("key", "value").alias("ranked")
    return table.c.value, (table.c.key + literal(start)) if start else table.c.key


def conditions(query: DirectoryQuery, matched: Any = None, *, joined: bool = False) -> list[Any]:
    """The WHERE terms. ``matched``: the ranked ids' id column (text through the index); ``joined``: the
    ranked ids are joined already; with neither, text is matched as a substring of search_text."""
    where: list[Any] = [col(S.archived_on).is_(None)]
    if not query.include_gone:
        where.append(col(S.in_register) == literal(True))
    text = " ".join(query.text.split()).lower()
    if matched is not None:
        where.append(col(S.id).in_(select(matched)))
    elif text and not joined:
        where.append(col(S.search_text).ilike(like_pattern(text), escape="\\"))
    if query.service_type:
        where.append(col(S.service_type) == query.service_type)
    if query.judgement:
        where.append(col(S.judgement_sort) == judgement_sort_value(query.judgement))
    if query.region:
        where.append(col(S.region) == query.region)
    if query.in_area is not None:
        where.append(col(S.in_area) == literal(query.in_area))
    return where


def _columns(today: dt.date) -> list[Any]:
    stop = exists().where(col(PlacementStop.service_id) == S.id, col(PlacementStop.starts_on) <= today,
                          or_(col(PlacementStop.lifted_on).is_(None), col(PlacementStop.lifted_on) > today))
    return [S.id, S.name, col(Provider.name).label("provider_name"), S.service_type, S.ofsted_urn, S.ofsted_grade,
            S.sa_outcome, S.in_area, S.distance_miles, S.places, S.vacancies, S.price_from_pence, S.region,
            S.local_authority_name, stop.label("on_stop"), S.in_register, S.registration_status, S.sort_name,
            S.judgement_sort,
            S.location_approximate]


def _row(r: Any) -> DirectoryRow:
    return DirectoryRow(
        id=r.id, name=r.name, provider_name=r.provider_name, service_type=r.service_type, ofsted_urn=r.ofsted_urn,
        ofsted_grade=r.ofsted_grade, sa_outcome=r.sa_outcome, in_area=bool(r.in_area),
        distance_miles=r.distance_miles, places=r.places, vacancies=r.vacancies,
        price_from_pence=r.price_from_pence, region=r.region, local_authority_name=r.local_authority_name,
        on_stop=bool(r.on_stop), in_register=bool(r.in_register), registration_status=r.registration_status,
        sort_name=r.sort_name,
        judgement_sort=r.judgement_sort, location_approximate=bool(r.location_approximate),
        rank=getattr(r, "rank", None))


def page_statements(query: DirectoryQuery, after: Cursor | None, limit: int, today: dt.date,
                    ranked: tuple[Any, Any] | None = None) -> list[Any]:
    """The SELECTs for one page, run in order until ``limit`` rows are read (one, or two segments).
    ``ranked``: the (id, place) columns of the text's matches (ranked_ids)."""
    matched = None if ranked is None else ranked[0]
    base = select(*_columns(today)).join(Provider, col(Provider.id) == S.provider_id)
    if ranked is not None and query.sort == "relevance":
        rank_id, place = ranked
        stmt = (select(*_columns(today), place.label("rank")).select_from(S)
                .join(Provider, col(Provider.id) == S.provider_id).join(rank_id.table, rank_id == S.id)
                .where(*conditions(query, joined=True)))
        if after is not None:
            stmt = stmt.where(place > after.value)
        return [stmt.order_by(place).limit(limit)]
    base = base.where(*conditions(query, matched))
    key = SORT_COLUMNS["name" if query.sort == "relevance" else query.sort]
    tie = (col(S.sort_name), col(S.id))
    if key is None:
        stmt = base if after is None else base.where(tuple_(*tie) > tuple_(after.sort_name, after.id))
        return [stmt.order_by(*tie).limit(limit)]
    statements = []
    if after is None or after.value is not None:
        known = base.where(key.is_not(None))
        if after is not None:
            known = known.where(tuple_(key, *tie) > tuple_(after.value, after.sort_name, after.id))
        statements.append(known.order_by(key, *tie).limit(limit))
    if query.sort in NULLABLE:
        unknown = base.where(key.is_(None))
        if after is not None and after.value is None:
            unknown = unknown.where(tuple_(*tie) > tuple_(after.sort_name, after.id))
        statements.append(unknown.order_by(*tie).limit(limit))
    return statements


def fetch_page(con: Connection, query: DirectoryQuery, after: Cursor | None, limit: int,
               today: dt.date, matches: RankedMatches | None = None) -> list[DirectoryRow]:
    """Up to ``limit`` rows after ``after``; ``matches``: the text's matches, best first (or None)."""
    if matches is not None and query.sort == "relevance":
        return _relevance_page(con, query, after, limit, today, matches)
    ranked = None if matches is None else ranked_ids(con, matches.ids())
    rows: list[DirectoryRow] = []
    for stmt in page_statements(query, after, limit, today, ranked):
        rows.extend(_row(r) for r in con.execute(stmt.limit(limit - len(rows))))
        if len(rows) >= limit:
            break
    return rows


def _relevance_page(con: Connection, query: DirectoryQuery, after: Cursor | None, limit: int,
                    today: dt.date, matches: RankedMatches) -> list[DirectoryRow]:
    """The page in the matches' own order: the database is asked about FIRST_SLICE matches from the
    cursor on, then four times as many after those while the filters leave the page short."""
    start = 0 if after is None else int(after.value) + 1
    size = max(FIRST_SLICE, 4 * limit)
    rows: list[DirectoryRow] = []
    while start < len(matches) and len(rows) < limit:
        ranked = ranked_ids(con, matches.ids(start, start + size), start)
        (stmt,) = page_statements(query, after, limit, today, ranked)
        rows.extend(_row(r) for r in con.execute(stmt.limit(limit - len(rows))))
        start, size = start + size, size * 4
    return rows


def count(con: Connection, query: DirectoryQuery, matches: RankedMatches | None = None) -> int:
    if matches is not None and not (query.service_type or query.judgement or query.region
                                    or query.in_area is not None):
        return len(matches)  # the index holds the services not archived, those gone only with include_gone
    matched = None if matches is None else ranked_ids(con, matches.ids())[0]
    return con.execute(select(func.count()).select_from(S).where(and_(*conditions(query, matched)))).scalar_one()


def regions(con: Connection) -> list[str]:
    region = col(S.region)
    stmt = select(region).where(region.is_not(None), col(S.archived_on).is_(None)).distinct().order_by(region)
    return [r for (r,) in con.execute(stmt) if r is not None]  # the WHERE leaves NULL out; this says so to mypy
