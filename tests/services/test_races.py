"""Races for real: two processes doing conflicting acts at the same moment, on SQLite and PostgreSQL.

Two long-lived worker processes (spawned, each with its own engine) are handed one act each per round and
released together by a barrier. In every round exactly one act wins and the other is refused with one
clear line (a stale save, a refused act, a duplicate case); nothing else ("database is locked", a
traceback) is ever an answer, and the database holds exactly one outcome. Rounds per scenario:
BROKER_TUI_RACE_ROUNDS (default 50; bench/ runs longer profiles).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from broker_tui.services.context import AppContext
from broker_tui.services.outreach import (
    OfferInput,
    OutreachRefused,
    accept_offer,
    record_offer,
    send_referral,
)
from broker_tui.services.referrals import (
    DuplicateOpenCase,
    ReferralInvalid,
    TransitionRefused,
    change_status,
    create_referral,
    get_referral,
)
from broker_tui.store.errors import StaleEdit
from broker_tui.store.tables import AuditEvent, Offer, Referral
from tests.conftest import TODAY
from tests.market_data import build_market

ROUNDS = int(os.environ.get("BROKER_TUI_RACE_ROUNDS", "50"))
REFUSALS = (StaleEdit, OutreachRefused, TransitionRefused, DuplicateOpenCase, ReferralInvalid)
D = dt.timedelta


def _request(case_ref: str) -> dict[str, Any]:
    return {"case_ref": case_ref, "initials": "QZ", "date_received": (TODAY - D(3)).isoformat(),
            "needed_by": (TODAY + D(7)).isoformat(), "age_years": 14,
            "types_sought": ["childrens_home_external", "childrens_home_in_house"], "home_district": "LE2"}


def _prepare(ctx: AppContext, act: tuple[str, str]) -> Callable[[], object]:
    """What the broker has open before pressing the key (read before the barrier), and the key itself."""
    kind, arg = act
    if kind == "accept":
        return lambda: accept_offer(ctx, arg)
    if kind == "withdraw":  # the referral as the broker opened it, then w
        opened = get_referral(ctx, arg)
        return lambda: change_status(ctx, opened, "withdrawn", reason="the child's plan changed")
    if kind == "add":
        return lambda: create_referral(ctx, _request(arg))
    raise AssertionError(kind)


def _worker(url: str, today: dt.date, tasks: Any, results: Any, barrier: Any) -> None:
    ctx = AppContext.for_target(url, today=today)
    try:
        while (act := tasks.get()) is not None:
            press = _prepare(ctx, act)
            barrier.wait()
            try:
                press()
                results.put(("won", ""))
            except REFUSALS as exc:
                results.put(("refused", str(exc)))
            except Exception as exc:  # anything else is the failure this test looks for
                results.put(("error", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"))
    finally:
        ctx.close()


class Pair:
    """Two worker processes on one database; ``race`` hands each an act and returns both answers."""

    def __init__(self, url: str) -> None:
        spawn = mp.get_context("spawn")
        self.barrier = spawn.Barrier(2)
        self.tasks = [spawn.Queue(), spawn.Queue()]
        self.results = [spawn.Queue(), spawn.Queue()]
        self.procs = [spawn.Process(target=_worker, args=(url, TODAY, t, r, self.barrier), daemon=True)
                      for t, r in zip(self.tasks, self.results, strict=True)]
        for p in self.procs:
            p.start()

    def race(self, first: tuple[str, str], second: tuple[str, str]) -> list[tuple[str, str]]:
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
def pair(ctx) -> Iterator[tuple[AppContext, Pair, dict[str, Any]]]:
    market = build_market(ctx, TODAY)
    ids = {name: svc.id for name, svc in market.services.items()}
    workers = Pair(ctx.location.url)
    try:
        yield ctx, workers, ids
    finally:
        workers.close()


def _with_two_offers(ctx: AppContext, ids: dict[str, Any], case_ref: str) -> tuple[Any, str, str]:
    view = create_referral(ctx, _request(case_ref))
    send_referral(ctx, view.id, [ids["Ashfield House"], ids["Cedar View"]], TODAY + D(3))
    offers = [record_offer(ctx, view.id, ids[name], OfferInput(weekly_price_pence=price, core_weekly_pence=price,
                                                                start_date=TODAY + D(7),
                                                                valid_until=TODAY + D(14))).id
              for name, price in (("Ashfield House", 560_000), ("Cedar View", 590_000))]
    return view, str(offers[0]), str(offers[1])


def _one_won(answers: list[tuple[str, str]]) -> None:
    errors = [a for a in answers if a[0] == "error"]
    assert not errors, f"a racing act failed instead of being refused: {errors}"
    assert sorted(k for k, _ in answers) == ["refused", "won"], answers
    refusal = next(m for k, m in answers if k == "refused")
    assert refusal and "\n" not in refusal and "Traceback" not in refusal


def _rounds(ctx: AppContext, pair: Pair, setup: Callable[[int], tuple[tuple[str, str], tuple[str, str]]],
            check: Callable[[int], None]) -> None:
    for n in range(ROUNDS):
        first, second = setup(n)
        _one_won(pair.race(first, second))
        check(n)


def test_two_brokers_accepting_two_offers_of_one_child_at_once_exactly_one_wins(pair) -> None:
    ctx, workers, ids = pair
    made: dict[int, Any] = {}

    def setup(n: int) -> tuple[tuple[str, str], tuple[str, str]]:
        view, o1, o2 = _with_two_offers(ctx, ids, f"RACE-A{n:03d}")
        made[n] = view
        return ("accept", o1), ("accept", o2)

    def check(n: int) -> None:
        with ctx.session() as s:
            statuses = sorted(s.scalars(select(Offer.status).where(Offer.referral_id == made[n].id)))
            assert statuses == ["accepted", "not_taken"]
            assert s.get(Referral, made[n].id).status == "placement_agreed"
            moves = s.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.entity == "referral", AuditEvent.entity_id == str(made[n].id),
                AuditEvent.action == "status"))
            assert moves == 4  # new > searching > sent > offers received > placement agreed, once

    _rounds(ctx, workers, setup, check)


def test_withdrawing_against_accepting_exactly_one_wins(pair) -> None:
    ctx, workers, ids = pair
    made: dict[int, Any] = {}

    def setup(n: int) -> tuple[tuple[str, str], tuple[str, str]]:
        view, o1, _o2 = _with_two_offers(ctx, ids, f"RACE-W{n:03d}")
        made[n] = view
        return ("withdraw", view.case_ref), ("accept", o1)

    def check(n: int) -> None:
        with ctx.session() as s:
            status = s.get(Referral, made[n].id).status
            offers = tuple(sorted(s.scalars(select(Offer.status).where(Offer.referral_id == made[n].id))))
            assert (status, offers) in {("withdrawn", ("not_taken", "not_taken")),
                                        ("placement_agreed", ("accepted", "not_taken"))}

    _rounds(ctx, workers, setup, check)


def test_two_brokers_adding_the_same_case_reference_at_once_store_it_once(pair) -> None:
    ctx, workers, _ids = pair

    def setup(n: int) -> tuple[tuple[str, str], tuple[str, str]]:
        return ("add", f"RACE-C{n:03d}"), ("add", f"RACE-C{n:03d}")

    def check(n: int) -> None:
        with ctx.session() as s:
            assert s.scalar(select(func.count()).select_from(Referral).where(
                Referral.case_ref == f"RACE-C{n:03d}")) == 1

    _rounds(ctx, workers, setup, check)
