"""The demo gives the commissioner's 16+ review (issue 12) a year of history, on SQLite and PostgreSQL.

The review looks at the last 12 months of 16+ block contracts and 16+ spot agreements (supported
accommodation in its four categories, and care leavers' 18+ accommodation): every figure it shows must
have something behind it on a first start. Read back through the database (and the contract view's
usage figures), one seed per backend.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict

import pytest
from sqlalchemy import and_, or_, select

from broker_tui.services.contracts import show_contract
from broker_tui.services.demo import seed_demo
from broker_tui.store.tables import (
    Approval,
    BlockContract,
    BlockContractTerm,
    BlockUnit,
    BlockUnitStatus,
    Placement,
    QAAction,
    QANote,
    Service,
    SpotAgreement,
    SpotAmendment,
)
from tests.conftest import (
    BACKENDS,
    TODAY,
    _context,
    _drop_pg_database,
    _migrated_sqlite,
    _new_pg_database,
    _require_pg,
)

YEAR_AGO = TODAY - dt.timedelta(days=365)
SA_CATEGORIES = {"single_occupancy", "ring_fenced_shared", "non_ring_fenced_shared", "private_residence"}
LEAVERS = "care_leavers_18_plus"


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, pg_admin_url: str | None):
    """The demo market seeded once per backend for this module's tests (they only read it)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("demo16") / "demo.sqlite3"
        context = _context(_migrated_sqlite(request.getfixturevalue("_sqlite_template"), path))
        try:
            seed_demo(context)
            yield context
        finally:
            context.close()
        return
    admin = _require_pg(pg_admin_url)
    name, url = _new_pg_database(admin, template=request.getfixturevalue("_pg_template"))
    context = _context(url)
    try:
        seed_demo(context)
        yield context
    finally:
        context.close()
        _drop_pg_database(admin, name)


def blocks_16(con) -> list:
    return con.execute(select(BlockContract.id, BlockContract.reference, BlockContract.starts_on,
                              BlockContract.ends_on, Service.service_type, Service.sa_category)
                       .join(Service, Service.id == BlockContract.service_id)
                       .where(BlockContract.for_16_plus.is_(True))).all()


def in_the_year(start, end) -> bool:
    return start < TODAY and (end is None or end > YEAR_AGO)


def test_16_plus_blocks_span_the_year_with_every_kind_of_term_and_end(demo) -> None:
    with demo.engine.connect() as con:
        blocks = blocks_16(con)
        terms = con.execute(select(BlockContractTerm.contract_id, BlockContractTerm.effective_from,
                                   BlockContractTerm.uplift_bp, BlockContractTerm.ends_on)
                            .where(BlockContractTerm.contract_id.in_([b.id for b in blocks]))).all()
    assert len(blocks) >= 5
    assert {b.sa_category for b in blocks if b.service_type == "supported_accommodation"} >= {
        "ring_fenced_shared", "single_occupancy", "non_ring_fenced_shared"}
    assert all(b.sa_category in SA_CATEGORIES for b in blocks if b.service_type == "supported_accommodation")
    assert any(b.service_type == LEAVERS for b in blocks)  # an 18+ block, for 16+ review
    assert any(YEAR_AGO < b.starts_on <= TODAY - dt.timedelta(days=90) for b in blocks)  # begun mid-year
    assert all(b.starts_on < TODAY < b.ends_on for b in blocks)
    left = sorted((b.ends_on - TODAY).days for b in blocks)
    assert any(d <= 90 for d in left) and any(90 < d <= 183 for d in left) and any(183 < d <= 365 for d in left)
    extensions = [t for t in terms if t.ends_on is not None]
    assert any(YEAR_AGO < t.effective_from <= TODAY for t in extensions)
    assert any(t.uplift_bp > 0 and YEAR_AGO < t.effective_from <= TODAY for t in terms)


def test_16_plus_blocks_are_filled_and_emptied_over_the_year(demo) -> None:
    with demo.engine.connect() as con:
        blocks = blocks_16(con)
        units = Counter(con.execute(select(BlockUnit.contract_id)).scalars())
        stays = con.execute(select(Placement.block_contract_id, Placement.case_ref, Placement.start_date,
                                   Placement.end_date, Placement.reason_place_change)
                            .where(Placement.block_contract_id.in_([b.id for b in blocks]))).all()
    usage = {b.reference: show_contract(demo, b.reference, period=(YEAR_AGO, TODAY)).usage for b in blocks}
    rates = sorted(float(u.utilisation) for u in usage.values() if u.utilisation is not None)
    assert len(rates) == len(blocks) and sum(r >= 0.85 for r in rates) >= 2  # well used
    assert any(0.45 <= r <= 0.65 for r in rates)  # and one poorly used
    assert all(u.void_unit_days > 0 and u.void_cost_pence > 0 for u in usage.values())
    older = [b for b in blocks if b.starts_on <= YEAR_AGO]
    people = {b.id: {s.case_ref for s in stays if s.block_contract_id == b.id and in_the_year(s.start_date, s.end_date)}
              for b in older}  # several young people per unit over the year in the blocks older than it
    assert all(len(people[b.id]) >= 1.5 * units[b.id] for b in older)
    assert sum(map(len, people.values())) >= 2 * sum(units[b.id] for b in older)
    ended = [s for s in stays if s.end_date is not None and YEAR_AGO <= s.end_date <= TODAY]
    assert all(s.reason_place_change for s in ended) and len({s.reason_place_change for s in ended}) >= 6
    nights = [(s.end_date - s.start_date).days for s in ended]
    assert min(nights) >= 7 and max(nights) <= 300 and 60 <= statistics.mean(nights) <= 200
    open_now = [s for s in stays if s.end_date is None]
    assert 0.6 * sum(units[b.id] for b in blocks) <= len(open_now) < sum(units[b.id] for b in blocks)


def test_16_plus_voids_include_held_and_out_of_use_spells_inside_the_year(demo) -> None:
    with demo.engine.connect() as con:
        ids = [b.id for b in blocks_16(con)]
        statuses = con.execute(select(BlockUnitStatus.unit_id, BlockUnitStatus.effective_from, BlockUnitStatus.status)
                               .join(BlockUnit, BlockUnit.id == BlockUnitStatus.unit_id)
                               .where(BlockUnit.contract_id.in_(ids))
                               .order_by(BlockUnitStatus.effective_from)).all()
        stays = con.execute(select(Placement.block_unit_id, Placement.start_date, Placement.end_date)
                            .where(Placement.block_contract_id.in_(ids))).all()
    inside = Counter(s.status for s in statuses if YEAR_AGO <= s.effective_from < TODAY)
    assert inside["held"] >= 5 and inside["out_of_use_provider"] >= 1 and inside["out_of_use_council"] >= 1
    by_unit = defaultdict(list)
    for s in statuses:
        by_unit[s.unit_id].append(s)
    for unit, rows in by_unit.items():  # a spell out of use ends (back in use) and nobody lives there meanwhile
        for i, row in enumerate(rows):
            if not row.status.startswith("out_of_use"):
                continue
            back = next(r.effective_from for r in rows[i + 1:] if r.status == "available")
            assert YEAR_AGO <= row.effective_from < back < TODAY
            assert not [p for p in stays if p.block_unit_id == unit and p.start_date < back
                        and (p.end_date is None or p.end_date > row.effective_from)]


def test_16_plus_spot_agreements_spread_over_categories_bands_prices_and_providers(demo) -> None:
    with demo.engine.connect() as con:
        spots = con.execute(
            select(SpotAgreement.id, SpotAgreement.status, SpotAgreement.start_date, SpotAgreement.ended_on,
                   Service.service_type, Service.sa_category, Service.provider_id, SpotAmendment.weekly_price_pence,
                   SpotAmendment.core_weekly_pence, SpotAmendment.one_to_one_minutes,
                   SpotAmendment.two_to_one_minutes)
            .join(Service, Service.id == SpotAgreement.service_id)
            .join(SpotAmendment, and_(SpotAmendment.agreement_id == SpotAgreement.id, SpotAmendment.kind == "as_made"))
            .where(Service.service_type.in_(("supported_accommodation", LEAVERS)),
                   SpotAgreement.status.in_(("active", "ended")))).all()
        approved = set(con.execute(select(Approval.agreement_id).where(
            Approval.kind == "cost", Approval.decision == "approved")).scalars())
    running = [s for s in spots if in_the_year(s.start_date, s.ended_on)]
    assert 30 <= len(running) <= 50
    category = {s.id: s.sa_category or s.service_type for s in running}
    kinds = Counter(category.values())
    assert set(kinds) == SA_CATEGORIES | {LEAVERS} and min(kinds.values()) >= 5
    for name in kinds:  # comparable spot prices: core-only agreements in every category
        assert sum(1 for s in running if category[s.id] == name and not s.one_to_one_minutes
                   and not s.two_to_one_minutes) >= 3, name
    hours = [(s.one_to_one_minutes + s.two_to_one_minutes) / 60 for s in running]
    assert {0 if h == 0 else 1 if h <= 10 else 2 if h <= 20 else 3 for h in hours} == {0, 1, 2, 3}
    assert len({s.provider_id for s in running}) >= 10
    ended = [s for s in running if s.ended_on is not None]
    assert 0.25 <= len(ended) / len(running) <= 0.45 and all(YEAR_AGO <= s.ended_on <= TODAY for s in ended)
    assert min(s.start_date for s in running) <= TODAY - dt.timedelta(days=540)
    assert max(s.start_date for s in running) >= TODAY - dt.timedelta(days=90)
    cores = {name: sorted(s.core_weekly_pence for s in running if category[s.id] == name) for name in kinds}
    assert all(25_000 <= c <= 45_000 for c in cores["private_residence"])
    assert all(20_000 <= c <= 45_000 for c in cores[LEAVERS])
    supported = [c for name in SA_CATEGORIES - {"private_residence"} for c in cores[name]]
    assert all(30_000 <= c <= 250_000 for c in supported) and 50_000 <= statistics.median(supported) <= 90_000
    high = [s for s in running if s.weekly_price_pence > demo.settings.high_cost_threshold_pence]
    assert high and all(s.id in approved for s in high)


def test_no_child_is_in_two_placements_on_one_night(demo) -> None:
    with demo.engine.connect() as con:
        rows = con.execute(select(Placement.case_ref, Placement.start_date, Placement.end_date)
                           .where(or_(Placement.overlap_kind.is_(None), Placement.overlap_kind == ""))).all()
    by_child = defaultdict(list)
    for r in rows:
        by_child[r.case_ref].append(r)
    for case_ref, stays in by_child.items():
        stays.sort(key=lambda s: s.start_date)
        for before, after in zip(stays, stays[1:], strict=False):
            assert before.end_date is not None and before.end_date <= after.start_date, case_ref


def test_most_16_plus_blocks_have_qa_with_red_and_amber_and_open_actions(demo) -> None:
    with demo.engine.connect() as con:
        ids = {b.id: b.reference for b in blocks_16(con)}
        notes = con.execute(select(QANote.id, QANote.block_contract_id, QANote.held_on, QANote.rag)
                            .where(QANote.subject == "block_contract", QANote.block_contract_id.in_(list(ids)))
                            .order_by(QANote.held_on)).all()
        actions = con.execute(select(QAAction.qa_note_id, QAAction.status, QAAction.due_on)
                              .where(QAAction.qa_note_id.in_([n.id for n in notes]))).all()
    latest = {n.block_contract_id: n.rag for n in notes}
    assert len(latest) >= len(ids) - 1 and len(latest) >= 4
    assert {"red", "amber", "green"} <= set(latest.values())
    open_actions = [a for a in actions if a.status == "open"]
    assert len(open_actions) >= 3 and any(a.due_on < TODAY for a in open_actions)
    assert any(a.status == "done" for a in actions)
