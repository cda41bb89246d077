"""Issue 14: the market's columns and arrays kept on disk, so a second process reads one file instead of
the tables; a change to the market, another day or an unreadable file reads the tables again."""

from __future__ import annotations

import dataclasses
import stat
from pathlib import Path

import numpy as np
import pytest
from platformdirs import user_cache_path
from sqlmodel import select

import broker_tui.services.matching._market as market_module
from broker_tui.domain.matching import rank
from broker_tui.services.context import AppContext
from broker_tui.services.matching import config_for, load_market
from broker_tui.store.tables import Service
from tests.conftest import writing_session
from tests.generated_market import generate_market
from tests.services.test_market_load import TODAY, requests


def kept_files() -> list[Path]:
    return sorted((user_cache_path("broker-tui", appauthor=False) / "market").glob("*.npz"))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the tables were read (one entry per read)."""
    calls: list[int] = []
    real = market_module.read_market_columns

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(market_module, "read_market_columns", counted)
    return calls


def fresh(ctx, today=TODAY) -> AppContext:  # noqa: ANN001
    """Another process's context on the same database."""
    return AppContext.for_target(ctx.location.url, today=today)


def same_rankings(ctx, a, b) -> None:  # noqa: ANN001
    for request in requests():
        ra = rank(a.arrays, request, config_for(ctx, a, top_n=40))
        rb = rank(b.arrays, request, config_for(ctx, b, top_n=40))
        assert [r.service for r in ra.results] == [r.service for r in rb.results]
        assert [(r.score, r.parts, r.explanation) for r in ra.results] == \
            [(r.score, r.parts, r.explanation) for r in rb.results]
        assert [(e.service, e.rules, e.reasons) for e in ra.excluded] == \
            [(e.service, e.rules, e.reasons) for e in rb.excluded]


def test_a_second_process_reads_the_kept_market(ctx, reads: list[int]) -> None:
    generate_market(ctx, 600)
    first = load_market(ctx)
    assert len(reads) == 1
    (kept,) = kept_files()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    other = fresh(ctx)
    try:
        second = load_market(other)
    finally:
        other.close()
    assert len(reads) == 1  # from the file: the tables not read again
    assert (second.la_names, second.districts, second.home_centre) == (first.la_names, first.districts,
                                                                       first.home_centre)
    for f in dataclasses.fields(first.arrays):
        if f.name != "services":
            a, b = getattr(first.arrays, f.name), getattr(second.arrays, f.name)
            assert (np.array_equal(a, b, equal_nan=a.dtype.kind == "f") and a.dtype == b.dtype
                    if isinstance(a, np.ndarray) else a == b), f.name
    assert list(first.arrays.services) == list(second.arrays.services)
    same_rankings(ctx, first, second)
    # text shared between services comes back as one string per distinct value (split whole, it was a
    # string per service and column: 70 MB at 100,000 services); a service's own text stays its own
    kept_columns = second.arrays.services.columns
    for name in ("service_type", "sector", "registration_status", "provider"):
        values = getattr(kept_columns, name)
        assert len({id(v) for v in values}) == len(set(values)) < len(values), name
    assert len(set(kept_columns.name)) > len(set(kept_columns.service_type))


def test_a_changed_market_or_another_day_reads_the_tables_again(ctx, reads: list[int]) -> None:
    generate_market(ctx, 300)
    load_market(ctx)
    with writing_session(ctx) as s:
        service = s.exec(select(Service).where(Service.archived_on.is_(None)).order_by(Service.name)).first()
        service.vacancies, name = 9, service.name
        s.commit()
    market = load_market(other := fresh(ctx))
    other.close()
    i = [s.name for s in market.arrays.services].index(name)
    assert market.arrays.free[i] in (9, market.arrays.hh_sum[i])  # households, when it has them, count
    assert len(reads) == 2
    load_market(other := fresh(ctx))
    other.close()
    assert len(reads) == 2  # the file kept the changed market
    load_market(other := fresh(ctx, TODAY.replace(day=2)))
    other.close()
    assert len(reads) == 3  # stops and block terms are the day's
    assert len(kept_files()) == 1  # one file per database, replaced


def test_an_unreadable_file_is_read_again_from_the_tables(sqlite_ctx, reads: list[int]) -> None:
    generate_market(sqlite_ctx, 200)
    first = load_market(sqlite_ctx)
    (kept,) = kept_files()
    kept.write_bytes(b"not a market")
    second = load_market(other := fresh(sqlite_ctx))
    other.close()
    assert len(reads) == 2 and second.arrays.n == first.arrays.n
    third = load_market(other := fresh(sqlite_ctx))
    other.close()
    assert len(reads) == 2 and list(third.arrays.services) == list(first.arrays.services)  # the file replaced


def test_the_folder_keeps_the_last_few_databases(tmp_path: Path, sqlite_ctx, reads: list[int]) -> None:
    from broker_tui.services.matching._disk import KEEP

    generate_market(sqlite_ctx, 50)
    load_market(sqlite_ctx)
    sqlite_ctx.close()  # the last connection closed: the write-ahead log is in the file
    source = Path(sqlite_ctx.location.path)
    for k in range(KEEP + 1):
        copy = tmp_path / f"copy{k}.sqlite3"
        copy.write_bytes(source.read_bytes())
        load_market(other := AppContext.for_target(str(copy), today=TODAY))
        other.close()
    assert len(reads) == KEEP + 2 and len(kept_files()) == KEEP


def test_two_readers_at_once_read_the_tables_once(ctx, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    generate_market(ctx, 300)
    calls: list[str] = []
    real = market_module.read_market_columns

    def slow(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(threading.current_thread().name)
        time.sleep(0.3)  # long enough that the second reader comes while the first still reads
        return real(*args, **kwargs)

    monkeypatch.setattr(market_module, "read_market_columns", slow)
    got: dict[str, object] = {}
    start = threading.Barrier(2)

    def reader(name: str) -> None:
        start.wait()
        got[name] = load_market(ctx)

    threads = [threading.Thread(target=reader, args=(n,), name=n) for n in ("home", "find")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(calls) == 1  # home's purchases panel and Find placements at start: one read, one snapshot
    assert got["home"] is got["find"]
    assert len(kept_files()) == 1  # and one file kept for the next process
