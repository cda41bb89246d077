"""services.memory.collector_paused: CPython's cyclic collector kept out of a burst of objects it could not
free (issue 14). A demo `match --json` spent 120 ms of its process in 300 collections, two of them full
walks of the heap, one inside the matching stack's first import and one inside the read of the market."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from broker_tui.services import memory
from broker_tui.services.memory import collector_paused
from tests.generated_market import generate_market


@contextmanager
def collections_counted() -> Iterator[list[int]]:
    """The generation of every collection that starts inside the block."""
    seen: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(count)
    try:
        yield seen
    finally:
        gc.callbacks.remove(count)


def test_the_collector_is_off_inside_nested_blocks_and_back_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still holds it
    assert gc.isenabled()


def test_a_failure_inside_puts_the_collector_back() -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("stopped")
    assert gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_blocks_on_two_threads_keep_it_off_until_the_last_ends() -> None:
    inside, first_done, second_may_end = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def second() -> None:
        with collector_paused():
            inside.set()
            second_may_end.wait(10)

    worker = threading.Thread(target=second)
    with collector_paused():
        worker.start()
        assert inside.wait(10)
    first_done.set()
    seen.append(gc.isenabled())  # the first block ended, the second has not
    second_may_end.set()
    worker.join(10)
    seen.append(gc.isenabled())
    assert seen == [False, True]
    assert memory._pauses == 0


def test_what_a_block_made_to_last_makes_is_moved_out_of_later_walks() -> None:
    before = gc.get_freeze_count()
    with collector_paused(made_to_last=True):
        kept = [[i] for i in range(20_000)]
    frozen = gc.get_freeze_count()
    assert frozen >= before + len(kept)
    with collector_paused():
        more = [[i] for i in range(20_000)]
    assert gc.get_freeze_count() == frozen and len(more) == 20_000  # (not without being asked)


def test_the_first_import_of_the_matching_stack_runs_no_collection() -> None:
    probe = ("import gc, json\n"
             "import broker_tui.services.memory\n"
             "seen = []\n"
             "gc.callbacks.append(lambda phase, info: seen.append(info['generation']) if phase == 'start' else None)\n"
             "import broker_tui.services.matching\n"
             "print(json.dumps({'collections': seen, 'frozen': gc.get_freeze_count(), 'on': gc.isenabled()}))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    out = json.loads(done.stdout)
    assert out["collections"] == []  # (about 250, two of them full, before)
    assert out["frozen"] > 50_000  # the modules, classes and tables made, out of later walks
    assert out["on"]


def test_a_read_of_the_markets_tables_runs_no_collection(sqlite_ctx, monkeypatch) -> None:
    from broker_tui.services.matching import _market, load_market

    generate_market(sqlite_ctx, 2_000)
    inside: list[list[int]] = []
    read = _market.read_market_columns

    def counted(*args):
        with collections_counted() as seen:
            out = read(*args)
        inside.append(seen)
        return out

    monkeypatch.setattr(_market, "read_market_columns", counted)
    loaded = load_market(sqlite_ctx)
    assert len(loaded.arrays.min_age) > 1_000
    assert inside == [[]]  # read once, and no collection ran inside it
    assert gc.isenabled()
