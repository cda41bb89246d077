"""Two brokers placing two different children into a block's last free unit at the same moment, for real:
two processes (spawned, each with its own engine) released together by a barrier. Exactly one child is
placed; the other broker is told, in one line, that the contract is full and to buy a spot agreement; the
unit never holds two children. On SQLite and PostgreSQL. Rounds: BROKER_TUI_RACE_ROUNDS (default 20 here).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from broker_tui.services.context import AppContext
from broker_tui.services.contracts import PlaceInput, add_contract, place_in_block
from broker_tui.services.placements import PurchaseRefused
from broker_tui.store.tables import Placement
from tests.conftest import TODAY
from tests.services.test_contracts import contract_input, make_service

ROUNDS = int(os.environ.get("BROKER_TUI_RACE_ROUNDS", "20"))
D = dt.timedelta


def _worker(url: str, today: dt.date, tasks: Any, results: Any, barrier: Any) -> None:
    ctx = AppContext.for_target(url, today=today)
    try:
        while (act := tasks.get()) is not None:
            reference, case_ref, unit = act
            request = PlaceInput(contract=reference, case_ref=case_ref, start_date=today, unit=unit)
            barrier.wait()
            try:
                place_in_block(ctx, request)
                results.put(("won", ""))
            except PurchaseRefused as exc:
                results.put(("refused", str(exc)))
            except Exception as exc:  # anything else is the failure this test looks for
                results.put(("error", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"))
    finally:
        ctx.close()


class Pair:
    def __init__(self, url: str) -> None:
        spawn = mp.get_context("spawn")
        self.barrier = spawn.Barrier(2)
        self.tasks = [spawn.Queue(), spawn.Queue()]
        self.results = [spawn.Queue(), spawn.Queue()]
        self.procs = [spawn.Process(target=_worker, args=(url, TODAY, t, r, self.barrier), daemon=True)
                      for t, r in zip(self.tasks, self.results, strict=True)]
        for p in self.procs:
            p.start()

    def race(self, first: tuple[str, str, str | None], second: tuple[str, str, str | None]) -> list[tuple[str, str]]:
        self.tasks[0].put(first)
        self.tasks[1].put(second)
        return [r.get(timeout=60) for r in self.results]

    def close(self) -> None:
        for t in self.tasks:
            t.put(None)
        for p in self.procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()


@pytest.fixture
def pair(ctx) -> Iterator[tuple[AppContext, Pair]]:
    workers = Pair(ctx.location.url)
    try:
        yield ctx, workers
    finally:
        workers.close()


def test_two_children_into_the_last_free_unit_at_once_exactly_one_is_placed(pair) -> None:
    ctx, workers = pair
    service = make_service(ctx)
    for n in range(ROUNDS):
        reference = f"BC-R-{n:03d}"
        add_contract(ctx, contract_input(service, reference=reference, units=2))
        place_in_block(ctx, PlaceInput(contract=reference, case_ref=f"LCC-7{n:03d}00", start_date=TODAY - D(5)))
        unit = None if n % 2 == 0 else "Unit 2"  # the first free unit, or the last one named
        answers = workers.race((reference, f"LCC-7{n:03d}01", unit), (reference, f"LCC-7{n:03d}02", unit))
        errors = [a for a in answers if a[0] == "error"]
        assert not errors, f"a racing placement failed instead of being refused: {errors}"
        assert sorted(k for k, _ in answers) == ["refused", "won"], answers
        refusal = next(m for k, m in answers if k == "refused")
        assert "\n" not in refusal and "Traceback" not in refusal
        assert "spot agreement" in refusal, refusal
        assert ("is full" in refusal) if unit is None else ("Unit 2 is taken by LCC-7" in refusal), refusal
        with ctx.session() as s:
            placed = s.scalars(select(Placement.case_ref).where(Placement.case_ref.like(f"LCC-7{n:03d}%"))).all()
            assert len(placed) == 2, placed  # the first child and exactly one of the two
            units = s.scalar(select(func.count(func.distinct(Placement.block_unit_id))).where(
                Placement.case_ref.like(f"LCC-7{n:03d}%")))
            assert units == 2
