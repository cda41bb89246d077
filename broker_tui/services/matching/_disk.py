"""The market's columns and the arrays built from them kept on disk between processes, so a second start
reads one file instead of the tables and builds nothing: one file per database in the user's cache
folder (0600, written whole or not at all), holding the key it was read under: the database (its URL,
hashed; a SQLite file also by its inode), the schema revision, the market's version and the day (stops
and block terms depend on it). A file under another key, unreadable or of another format is a miss: the
market is read from the database and the file replaced. BROKER_TUI_NO_MARKET_CACHE=1 turns it off.

numpy's own format only (no pickle): each text column of the services' own values (id, name, URN) as one
UTF-8 text with a mask of the missing values; every other text column, the areas covered and the
specialisms as their distinct values (JSON) with an index per service.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np

from broker_tui.domain.matching import Area, MarketArrays
from broker_tui.domain.matching.columns import MarketColumns, ServiceRows
from broker_tui.services.locations import APP_NAME
from broker_tui.store.revision import HEAD_REVISION

log = logging.getLogger(__name__)
FORMAT = 2  # 2: text shared between services kept once (the distinct values and an index)
KEEP = 3  # databases whose market is kept
_SEP = "\x00"
_TEXT = ("id", "name", "service_type", "sector", "provider", "ofsted_urn", "registration_status", "ofsted_grade",
         "sa_outcome", "sa_category", "postcode_district", "local_authority_code", "local_authority_name", "sexes",
         "purchasing_route")
_OWN = frozenset({"id", "name", "ofsted_urn"})  # text columns with a value of each service's own; the rest
# (types, sectors, providers, places...) are kept as their distinct values and an index, and read back as
# one string per distinct value: split whole, at 100,000 services they were a million strings, 70 MB
_ARRAYS = ("in_register", "latitude", "longitude", "location_approximate", "min_age", "max_age", "places",
           "free_places", "caps", "block_free", "hh_service", "hh_free", "hh_places", "pl_service", "pl_from", "pl_to",
           "pl_parts", "pl_bp", "pl_per_child")
Read = tuple[MarketColumns, dict[str, str], dict[str, tuple[float, float]]]
_BUILT = tuple(f.name for f in dataclasses.fields(MarketArrays) if f.name not in ("services", "la_codes", "districts"))


def cache_file(url: str) -> Path:
    from platformdirs import user_cache_path

    name = hashlib.sha256(url.encode()).hexdigest()[:24]
    return user_cache_path(APP_NAME, appauthor=False) / "market" / f"{name}.npz"


def cache_key(url: str, sqlite_file: Path | None, version: tuple[Any, ...], today: dt.date) -> str:
    """The key a kept market is good for: the database (a SQLite file also by its inode, so a file put in
    another's place is another database), the schema revision, the market's version and the day."""
    try:
        inode = [sqlite_file.stat().st_dev, sqlite_file.stat().st_ino] if sqlite_file else []
    except OSError:
        inode = []
    return hashlib.sha256(json.dumps([FORMAT, url, inode, HEAD_REVISION, [str(v) for v in version],
                                      today.isoformat()]).encode()).hexdigest()


def load(path: Path, key: str) -> tuple[Read, MarketArrays] | None:
    """The columns kept under ``key`` and the arrays built from them; None when there are none (or the file
    cannot be read)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) != key:
                return None
            read = _columns(data)
            built = json.loads(_unutf8(data["built"]))
            shared = {f: getattr(read[0], c) for f, c in built["shared"].items()}
            arrays = MarketArrays(services=ServiceRows(read[0]), la_codes=built["la_codes"],
                                  districts=built["districts"],
                                  **{f: shared[f] if f in shared else data[f"x_{f}"] for f in _BUILT})
            return read, arrays
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        log.info("market cache %s not used: %s", path, exc)
        return None


def save(path: Path, key: str, read: Read, built: MarketArrays) -> None:
    """Keep the columns and the arrays built from them under ``key`` (a failure to write is logged, never
    raised: the cache is only a cache)."""
    columns, la_names, districts = read
    shared = {f: c for f in _BUILT for c in _ARRAYS if _same(getattr(built, f), getattr(columns, c))}
    arrays: dict[str, np.ndarray] = {"key": np.array(key), "meta": _utf8(json.dumps(
        {"la_names": la_names, "districts": districts})), "built": _utf8(json.dumps(
            {"la_codes": built.la_codes, "districts": built.districts, "shared": shared}))}
    arrays.update({f"x_{f}": getattr(built, f) for f in _BUILT if f not in shared})
    try:
        for name in _TEXT:
            if name in _OWN:
                arrays[f"t_{name}"], arrays[f"m_{name}"] = _text(getattr(columns, name))
            else:
                arrays[f"d_{name}"], arrays[f"i_{name}"] = _distinct(getattr(columns, name), _same_value)
    except ValueError as exc:
        log.info("market cache %s not written: %s", path, exc)
        return
    for name in _ARRAYS:
        arrays[f"a_{name}"] = np.asarray(getattr(columns, name))
    arrays["d_areas"], arrays["i_areas"] = _distinct(
        columns.areas_covered, lambda t: [[a.code, a.name, a.latitude, a.longitude] for a in t])
    arrays["d_specialisms"], arrays["i_specialisms"] = _distinct(columns.specialisms, _same_value)
    stops = sorted(columns.stops.items())
    arrays["s_at"] = np.array([i for i, _ in stops], dtype=np.int64)
    arrays["s_since"] = np.array([-1 if s is None else s.toordinal() for _i, (s, _r) in stops], dtype=np.int64)
    arrays["s_reason"] = _utf8(json.dumps([r for _i, (_s, r) in stops]))

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                os.chmod(temporary, 0o600)
                np.savez(out, allow_pickle=False, **arrays)
            os.replace(temporary, path)  # whole or not at all; no fsync: a file torn by a crash fails its CRC
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        _prune(path.parent)
    except OSError as exc:
        log.info("market cache %s not written: %s", path, exc)


def _prune(folder: Path) -> None:
    """The files of the KEEP databases written last stay; older ones (other databases, temporary ones of
    benches and checks) go, so the folder never grows past a few markets."""
    files = sorted(folder.glob("*.npz"), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _same(built: np.ndarray, column: Any) -> bool:
    """The built array is the column's own (kept once in the file)."""
    return (isinstance(column, np.ndarray) and built.shape == column.shape and built.dtype == column.dtype
            and np.shares_memory(built, column))


def _utf8(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _unutf8(data: np.ndarray) -> str:
    return data.tobytes().decode("utf-8")


def _text(values: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """One column of text as UTF-8, the values apart by NUL (which no text here holds: checked), and the
    mask of the missing ones."""
    missing = np.array([v is None for v in values], dtype=bool)
    joined = _SEP.join(["" if v is None else v for v in values])
    if joined.count(_SEP) != max(0, len(values) - 1):
        raise ValueError("a text holds NUL")
    return _utf8(joined), missing


def _untext(data: Any, name: str) -> list[str | None]:
    missing = data[f"m_{name}"]
    values: list[str | None] = list(_unutf8(data[f"t_{name}"]).split(_SEP)) if len(missing) else []
    for i in np.nonzero(missing)[0].tolist():
        values[i] = None
    return values


def _same_value(value: Any) -> Any:
    return value


def _undistinct(data: Any, name: str) -> list[Any]:
    """A column kept by _distinct, each distinct value made once and shared by every entry holding it."""
    distinct = json.loads(_unutf8(data[f"d_{name}"]))
    return [distinct[i] for i in data[f"i_{name}"].tolist()]


def _distinct(values: Sequence[Any], plain: Callable[[Any], Any]) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct value once (as JSON of ``plain(value)``) and the index of each entry's value. The
    columns hold one object per distinct value (read once per distinct text), so each object is written
    once, however many services share it: 200,000 JSON dumps became a few hundred at 100,000 services."""
    index: dict[str, int] = {}
    of_object: dict[int, int] = {}  # id(value) -> its place in index (the values are alive throughout)
    at: list[int] = []
    for v in values:
        k = of_object.get(id(v))
        if k is None:
            k = of_object[id(v)] = index.setdefault(json.dumps(plain(v)), len(index))
        at.append(k)
    return _utf8("[" + ",".join(index) + "]"), np.array(at, dtype=np.int64)


class _Shared(Sequence[Any]):
    """Each service's value from the distinct values (JSON) and an index per service: parsed, and each
    distinct value made, only when one is asked for (the arrays come built from the file, so only the
    services a result or an exclusion shows ever are)."""

    def __init__(self, distinct_json: str, index: np.ndarray, make: Callable[[Any], Any]):
        self._json, self._index, self._make = distinct_json, index, make
        self._raw: list[Any] | None = None
        self._made: dict[int, Any] = {}

    def __len__(self) -> int:
        return len(self._index)

    @overload
    def __getitem__(self, i: int) -> Any: ...
    @overload
    def __getitem__(self, i: slice) -> list[Any]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        k = int(self._index[i])
        if k not in self._made:
            if self._raw is None:
                self._raw = json.loads(self._json)
            self._made[k] = self._make(self._raw[k])
        return self._made[k]


def _columns(data: Any) -> Read:
    meta = json.loads(_unutf8(data["meta"]))
    text = {name: _untext(data, name) if name in _OWN else _undistinct(data, name) for name in _TEXT}
    def areas(t: list[list[Any]]) -> tuple[Area, ...]:
        return tuple(Area(*a) for a in t)

    stops = {int(i): (None if s < 0 else dt.date.fromordinal(int(s)), str(r))
             for i, s, r in zip(data["s_at"], data["s_since"], json.loads(_unutf8(data["s_reason"])), strict=True)}
    columns = MarketColumns(
        **text, **{name: data[f"a_{name}"] for name in _ARRAYS},  # type: ignore[arg-type]
        areas_covered=_Shared(_unutf8(data["d_areas"]), data["i_areas"], areas),
        specialisms=_Shared(_unutf8(data["d_specialisms"]), data["i_specialisms"], tuple), stops=stops)
    districts = {code: (lat, lon) for code, (lat, lon) in meta["districts"].items()}
    return columns, meta["la_names"], districts


def cache_enabled() -> bool:
    return os.environ.get("BROKER_TUI_NO_MARKET_CACHE") != "1"
