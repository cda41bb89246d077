"""The market read as columns: one statement per table through SQLAlchemy Core, each result taken whole
and turned column by column into domain.matching.MarketColumns.

No object per service and no UUID objects: ids are read as text (SQLite's 32 hex digits as stored,
PostgreSQL's uuid cast to text), the side tables joined to the services on that text in one dict; the
services' ids are then the str(uuid) the rest of the app uses.
The JSON lists (areas covered, specialisms) are read as their text and each distinct text is parsed once
(most services share a handful of values). Households and price lists become flat arrays in the order of
the service's position.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from functools import reduce
from typing import Any

import numpy as np
from sqlalchemy import (
    Connection,
    Date,
    Integer,
    Select,
    String,
    Text,
    Uuid,
    and_,
    case,
    cast,
    column,
    literal_column,
    or_,
    select,
    table,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement

from broker_tui.domain.matching import Area
from broker_tui.domain.matching.columns import NO_END, MarketColumns, ordinals
from broker_tui.domain.vocabulary import NEED_DOMAIN_CODES
from broker_tui.store.tables import (
    FosterHousehold,
    LocalAuthority,
    PlacementStop,
    PostcodeDistrict,
    PriceList,
    Provider,
    Service,
)

_TEXT_COLUMNS = ("name", "service_type", "sector", "ofsted_urn", "registration_status", "ofsted_grade", "sa_outcome",
                 "sa_category", "postcode_district", "local_authority_code", "local_authority_name", "sexes",
                 "purchasing_route")
_NUMBER_COLUMNS = ("latitude", "longitude", "places", "vacancies")
# Small whole numbers of every service read as one (the database packs them; a value per row instead of
# twelve: at 100,000 services 1.1 million Python numbers fewer to make and transpose): the column and its
# width in bits. A row holding a value outside its width (never written so by the app; no constraint
# stops it) is packed as NULL and its columns read apart.
_PACKED = (("in_register", 1), ("location_approximate", 1), ("min_age", 7), ("max_age", 7),
           *((f"cap_{d}", 3) for d in NEED_DOMAIN_CODES))


FETCH = 10_000


def id_key(column: Any, dialect: str) -> ColumnElement[str]:
    """A uuid column as text, as the database holds it: SQLite's 32 hex digits, PostgreSQL's uuid cast to
    the text str(uuid) gives (a key to join the tables' rows on, with no UUID object made)."""
    if dialect == "postgresql":
        return cast(column, String)
    return type_coerce(column, String)


def _as_uuid_key(keys: Sequence[str], dialect: str) -> Sequence[str]:
    """The ids as str(uuid) gives them (SQLite's 32 hex digits dashed, in numpy's loops: a third of the
    time of slicing each string at 100,000 services)."""
    if dialect == "postgresql":
        return keys
    hexes = np.array(keys, dtype="U33")  # (one more than an id holds: a longer text is seen, not cut)
    if len(hexes) and not (np.char.str_len(hexes) == 32).all():
        return [f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" for h in keys]  # (not as the store writes)
    digits = hexes.view("U1").reshape(len(hexes), 33)
    dashed = np.full((len(hexes), 36), "-", dtype="U1")
    for start, end, to in _DASHED:
        dashed[:, to:to + end - start] = digits[:, start:end]
    out: list[str] = dashed.view("U36").ravel().tolist()
    return out


_DASHED = ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24))  # hex digits -> place in str(uuid)


def _fetch_columns(con: Connection, stmt: Select[Any], shared: Collection[int] = (),
                   numeric: Collection[int] = ()) -> list[Any]:
    """The statement's result as columns, fetched through the driver's own cursor (SQLAlchemy's rows and
    result processors skipped: the columns are converted here, a column at a time), FETCH rows at a time
    so that only that many rows are ever held beside the columns. The statement has no parameters beyond
    literals, which are rendered inline. The ``shared`` columns hold each distinct value once (the driver
    makes a new string for every row: at 100,000 services some 40 MB of copies of "active", "private",
    provider and place names). The ``numeric`` columns come back as float64 arrays (NULL: nan), made a
    batch at a time: a list of a million Python numbers was a third of the read's peak at 100,000."""
    sql = str(stmt.compile(dialect=con.dialect, compile_kwargs={"literal_binds": True}))
    columns: list[Any] = [[] for _ in stmt.selected_columns]
    batches: dict[int, list[np.ndarray]] = {i: [] for i in numeric}
    cursor = con.connection.cursor()
    try:
        cursor.execute(sql)
        one: list[dict[Any, Any]] = [{} for _ in columns]
        while rows := cursor.fetchmany(FETCH):
            for i, (column, values) in enumerate(zip(columns, zip(*rows, strict=True), strict=True)):
                if i in batches:
                    batches[i].append(np.array(values, dtype=np.float64))  # (None becomes nan)
                    continue
                if i in shared:
                    values = tuple(map(one[i].setdefault, values, values))
                column.extend(values)
    finally:
        cursor.close()
    for i, parts in batches.items():
        columns[i] = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float64)
    return columns


def _flags(values: np.ndarray) -> np.ndarray:
    """A numeric column of true/false as booleans (NULL: false)."""
    out: np.ndarray = np.nan_to_num(values, nan=0.0) != 0
    return out


def _day_ordinals(values: Sequence[Any]) -> np.ndarray:
    """Dates as ordinals (None: NO_END), from the driver's dates or SQLite's ISO text: each distinct value
    worked out once (price lists start and end on a few days; 100,000 texts parsed took 40 ms)."""
    distinct = list(dict.fromkeys(values))
    if isinstance(next((v for v in distinct if v is not None), ""), str):
        days = ordinals(np.array(["NaT" if v is None else v for v in distinct], dtype="datetime64[D]")).tolist()
    else:
        days = [NO_END if v is None else v.toordinal() for v in distinct]
    of = dict(zip(distinct, days, strict=True))
    return np.fromiter(map(of.__getitem__, values), dtype=np.int64, count=len(values))


def _whole(values: Sequence[int | None] | np.ndarray, missing: int = -1, dtype: type = np.int32) -> np.ndarray:
    """Whole numbers with None (or nan) as ``missing`` (through float64, which holds every whole number here
    exactly: None becomes nan in numpy's own loop)."""
    real = np.asarray(values, dtype=np.float64)
    out: np.ndarray = np.where(np.isnan(real), missing, real).astype(dtype)
    return out


def read_market_columns(con: Connection, today: dt.date) -> tuple[MarketColumns, dict[str, str],
                                                                   dict[str, tuple[float, float]]]:
    """The market in force today as columns, the authorities' names by code and the districts' centres."""
    dialect = con.dialect.name
    la_t = LocalAuthority.__table__
    las = {code: (name, lat, lon) for code, name, lat, lon in con.execute(
        select(la_t.c.ons_code, la_t.c.name, la_t.c.latitude, la_t.c.longitude))}
    pd = PostcodeDistrict.__table__
    districts = {code: (lat, lon) for code, lat, lon in con.execute(
        select(pd.c.outcode, pd.c.latitude, pd.c.longitude).where(pd.c.latitude.is_not(None)))}
    s, p = Service.__table__, Provider.__table__
    # the providers' names apart, by id, not joined row by row (a third of the read at 100,000 services)
    provider_names: dict[str, str] = {pid: name for pid, name in con.execute(select(id_key(p.c.id, dialect), p.c.name))}
    packed = _packed(s, dialect)
    selected = [id_key(s.c.id, dialect), id_key(s.c.provider_id, dialect), *(s.c[c] for c in _TEXT_COLUMNS),
                *(s.c[c] for c in _NUMBER_COLUMNS), packed,
                cast(s.c.areas_covered, Text), cast(s.c.specialisms, Text)]
    first_number = 2 + len(_TEXT_COLUMNS)
    shared = {1, *(2 + i for i, c in enumerate(_TEXT_COLUMNS) if c not in _OWN_TEXT),
              len(selected) - 2, len(selected) - 1}  # (the areas' and specialisms' JSON too)
    cols = _fetch_columns(con, select(*selected).where(s.c.archived_on.is_(None)), shared,
                          numeric=range(first_number, first_number + len(_NUMBER_COLUMNS) + 1))
    keys, provider = cols[0], [provider_names.get(pid, "") for pid in cols[1]]
    text = dict(zip(_TEXT_COLUMNS, cols[2:first_number], strict=True))
    k = first_number
    number = dict(zip(_NUMBER_COLUMNS, cols[k:k + len(_NUMBER_COLUMNS)], strict=True))
    k += len(_NUMBER_COLUMNS)
    n = len(keys)
    position = dict(zip(keys, range(n), strict=True))
    number.update(_unpack(con, dialect, cols[k], and_(s.c.archived_on.is_(None), packed.is_(None)),
                          position))
    caps = np.stack([number[f"cap_{d}"] for d in NEED_DOMAIN_CODES], axis=1).astype(np.int8) if n else \
        np.zeros((0, len(NEED_DOMAIN_CODES)), dtype=np.int8)
    areas_text, specialisms_text = cols[-2], cols[-1]
    hh = _households(con, dialect, position)
    free = _whole(number["vacancies"])
    if len(hh[0]):
        has = np.bincount(hh[0], minlength=n) > 0
        free = np.where(has, np.bincount(hh[0], weights=hh[1], minlength=n).astype(np.int32), free)
    columns = MarketColumns(
        id=_as_uuid_key(keys, dialect), name=text["name"], service_type=text["service_type"], sector=text["sector"], provider=provider,
        ofsted_urn=text["ofsted_urn"], registration_status=text["registration_status"],
        in_register=_flags(number["in_register"]), ofsted_grade=text["ofsted_grade"],
        sa_outcome=text["sa_outcome"], sa_category=text["sa_category"],
        latitude=number["latitude"], longitude=number["longitude"],
        location_approximate=_flags(number["location_approximate"]),
        postcode_district=text["postcode_district"], local_authority_code=text["local_authority_code"],
        local_authority_name=text["local_authority_name"], areas_covered=_areas(areas_text, las),
        min_age=_whole(number["min_age"], 0, np.int16), max_age=_whole(number["max_age"], 99, np.int16),
        sexes=text["sexes"], places=_whole(number["places"]), free_places=free, caps=caps,
        specialisms=_each_distinct(specialisms_text, lambda v: tuple(v or ())),
        purchasing_route=text["purchasing_route"], block_free=_free_block_units(con, dialect, today, position, n),
        stops=_stops(con, dialect, today, position), hh_service=hh[0], hh_free=hh[1], hh_places=hh[2],
        **_prices(con, dialect, position))
    return columns, {code: v[0] for code, v in las.items()}, districts


_OWN_TEXT = frozenset({"name", "ofsted_urn"})  # text columns with a value of each service's own


def _packed(s: Any, dialect: str) -> ColumnElement[Any]:
    """The _PACKED columns as one whole number, NULL where one of them is outside its width (or NULL).
    Plain integer operators, each column named once or twice (a CAST or a BETWEEN per column cost SQLite
    as much as the numbers it spared): a group of columns fits its width when no bit above it is set in
    the OR of them (a negative number sets them all). PostgreSQL casts its booleans to integers (SQLite
    holds them so: SQLAlchemy is only told the type); its products stay within its integer type up to
    bit 30, and a larger factor is a bigint literal."""
    whole: dict[str, ColumnElement[Any]] = {
        c: (cast if dialect == "postgresql" else type_coerce)(s.c[c], Integer) for c, _bits in _PACKED}
    outside: ColumnElement[Any] | None = None
    for bits in sorted({b for _c, b in _PACKED}):
        group: list[ColumnElement[Any]] = [whole[c] for c, b in _PACKED if b == bits]
        either = reduce(lambda x, y: x.op("|")(y), group).self_group()
        over = either.op("&")(literal_column(str(-(1 << bits)))).self_group()
        outside = over if outside is None else outside.op("|")(over).self_group()
    assert outside is not None
    fits = outside == 0
    shift, total = 0, None
    for c, bits in _PACKED:
        term = whole[c] * literal_column(str(1 << shift)) if shift else whole[c]
        total = term if total is None else total + term
        shift += bits
    return case((fits, total), else_=None)


def _unpack(con: Connection, dialect: str, packed: np.ndarray, where: ColumnElement[bool],
            position: dict[str, int]) -> dict[str, np.ndarray]:
    """Each _PACKED column as float64 (as the other numbers are read), from the packed numbers and, for
    a row where that is NULL, read apart (``where``: those rows)."""
    bits = np.where(np.isnan(packed), 0, packed).astype(np.int64)
    out, shift = {}, 0
    for c, width in _PACKED:
        out[c] = ((bits >> shift) & ((1 << width) - 1)).astype(np.float64)
        shift += width
    if np.isnan(packed).any():
        s = Service.__table__
        for key, *values in con.execute(select(id_key(s.c.id, dialect), *(s.c[c] for c, _w in _PACKED))
                                        .where(where)):
            for (c, _width), value in zip(_PACKED, values, strict=True):
                out[c][position[key]] = np.nan if value is None else float(value)
    return out


def _each_distinct(texts: Sequence[str | None], make: Any) -> list[Any]:
    """Each JSON text parsed once, however many services share it."""
    made = {t: make(json.loads(t) if t else None) for t in set(texts)}
    return [made[t] for t in texts]


def _areas(texts: Sequence[str | None], las: dict[str, tuple[str, float | None, float | None]]
           ) -> list[tuple[Area, ...]]:
    def areas(codes: list[str] | None) -> tuple[Area, ...]:
        return tuple(Area(c, *las[c]) if c in las else Area(c) for c in codes or ())

    return _each_distinct(texts, areas)


def _households(con: Connection, dialect: str, position: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Households in force: (service position, free places, approved places), by position then reference."""
    hh = FosterHousehold.__table__
    sid, free, places = _fetch_columns(con, select(id_key(hh.c.service_id, dialect), hh.c.free_places, hh.c.places)
                                       .where(hh.c.archived_on.is_(None)).order_by(hh.c.reference))
    pos = np.array([position.get(x, -1) for x in sid], dtype=np.int64)
    keep = np.nonzero(pos >= 0)[0]
    keep = keep[np.argsort(pos[keep], kind="stable")]
    return pos[keep], np.array(free, dtype=np.int32)[keep], np.array(places, dtype=np.int32)[keep]


def _prices(con: Connection, dialect: str, position: dict[str, int]) -> dict[str, np.ndarray]:
    """Every price list of a service in the market, by position then valid_from (ties as the database gives)."""
    pl = PriceList.__table__
    parts = (pl.c.core_weekly_pence, pl.c.one_to_one_hourly_pence, pl.c.two_to_one_hourly_pence,
             pl.c.education_weekly_pence, pl.c.therapy_weekly_pence, pl.c.solo_premium_weekly_pence)
    cols = _fetch_columns(con, select(id_key(pl.c.service_id, dialect), pl.c.valid_from, pl.c.valid_to, *parts,
                                      pl.c.annual_uplift_bp, pl.c.per_child), shared=(1, 2), numeric=range(3, 11))
    pos = np.array([position.get(x, -1) for x in cols[0]], dtype=np.int64)
    valid_from = _day_ordinals(cols[1])
    keep = np.nonzero(pos >= 0)[0]
    keep = keep[np.lexsort((valid_from[keep], pos[keep]))]
    values = np.stack([_whole(col, -1, np.int64) for col in cols[3:9]], axis=1) if len(pos) else \
        np.zeros((0, 6), dtype=np.int64)
    return {"pl_service": pos[keep], "pl_from": valid_from[keep],
            "pl_to": _day_ordinals(cols[2])[keep],
            "pl_parts": np.ascontiguousarray(values[keep]), "pl_bp": cols[9].astype(np.int64)[keep],
            "pl_per_child": _flags(cols[10])[keep]}


def _stops(con: Connection, dialect: str, today: dt.date, position: dict[str, int]
           ) -> dict[int, tuple[dt.date | None, str]]:
    """The first placement stop in force today of each service under one."""
    st = PlacementStop.__table__
    stops: dict[int, tuple[dt.date | None, str]] = {}
    for sid, since, reason in con.execute(
            select(id_key(st.c.service_id, dialect), st.c.starts_on, st.c.reason)
            .where(st.c.starts_on <= today, or_(st.c.lifted_on.is_(None), st.c.lifted_on > today))
            .order_by(st.c.starts_on)):
        if sid in position:
            stops.setdefault(position[sid], (since, reason))
    return stops


# The three purchases tables the free block units are read from, as plain Core tables of the columns read
# (typed as the models are): naming the models would build every purchases table class, some 50 ms of a
# command that only matches (issue 14). tests/store/test_lazy_tables.py holds them to the models.
_BLOCK_CONTRACT = table("block_contract", column("id", Uuid), column("service_id", Uuid), column("status", String),
                        column("starts_on", Date), column("ends_on", Date))
_BLOCK_CONTRACT_TERM = table("block_contract_term", column("contract_id", Uuid), column("effective_from", Date),
                             column("units", Integer))
_PLACEMENT = table("placement", column("block_contract_id", Uuid), column("start_date", Date),
                   column("end_date", Date))
PURCHASES_READ = (_BLOCK_CONTRACT, _BLOCK_CONTRACT_TERM, _PLACEMENT)


def _free_block_units(con: Connection, dialect: str, today: dt.date, position: dict[str, int], n: int) -> np.ndarray:
    """Units of block contracts running today (the term in force) less the placements open in them."""
    bc, bt, pm = _BLOCK_CONTRACT, _BLOCK_CONTRACT_TERM, _PLACEMENT
    contracts = {cid: sid for cid, sid in con.execute(
        select(id_key(bc.c.id, dialect), id_key(bc.c.service_id, dialect)).where(
            bc.c.status == "active", bc.c.service_id.is_not(None), bc.c.starts_on <= today, bc.c.ends_on >= today))}
    units: dict[str, tuple[dt.date, int]] = {}
    for cid, eff, count in con.execute(select(id_key(bt.c.contract_id, dialect), bt.c.effective_from, bt.c.units)
                                       .where(bt.c.effective_from <= today)):
        if cid in contracts and (cid not in units or eff >= units[cid][0]):
            units[cid] = (eff, count)
    used: dict[str, int] = defaultdict(int)
    for (cid,) in con.execute(select(id_key(pm.c.block_contract_id, dialect)).where(
            and_(pm.c.block_contract_id.is_not(None), pm.c.start_date <= today,
                 or_(pm.c.end_date.is_(None), pm.c.end_date > today)))):
        used[cid] += 1
    free = np.zeros(n, dtype=np.int32)
    for cid, (_eff, count) in units.items():
        at = position.get(contracts[cid], -1)
        if at >= 0:
            free[at] += max(0, count - used[cid])
    return free
