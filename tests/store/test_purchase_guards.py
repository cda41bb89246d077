"""The rules of purchases the database holds itself (revision 0003), whoever writes: the ORM, Core, or a
person at the SQL prompt. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import text

from broker_tui.store.errors import RuleBroken
from broker_tui.store.tables import (
    Approval,
    AuditEvent,
    BlockContract,
    BlockContractTerm,
    BlockUnit,
    BlockUnitStatus,
    Placement,
    PriceList,
    Provider,
    QANote,
    Service,
    SpotAgreement,
    SpotAmendment,
)

D = dt.date


@pytest.fixture
def bought(ctx) -> dict[str, Any]:
    """A provider and service, a spot agreement as made, a block contract with a term and two units."""
    rows: dict[str, Any] = {}
    with ctx.session() as s:
        rows["provider"] = p = Provider(name="Northgate Living Ltd", sector="private")
        s.add(p)
        s.flush()
        rows["service"] = svc = Service(provider_id=p.id, name="Northgate Supported Living",
                                        service_type="supported_accommodation", sector="private")
        s.add(svc)
        s.flush()
        s.add(PriceList(service_id=svc.id, valid_from=D(2026, 4, 1), core_weekly_pence=90_000))
        rows["agreement"] = a = SpotAgreement(service_id=svc.id, case_ref="LCC-500001", start_date=D(2026, 11, 1))
        s.add(a)
        s.flush()
        s.add(SpotAmendment(agreement_id=a.id, effective_from=D(2026, 11, 1), weekly_price_pence=95_000,
                            core_weekly_pence=90_000, staffing_weekly_pence=5_000))
        rows["contract"] = c = BlockContract(provider_id=p.id, service_id=svc.id, reference="BC-T-01", name="Test block",
                                             starts_on=D(2026, 1, 1), ends_on=D(2027, 1, 1), for_16_plus=True)
        s.add(c)
        s.flush()
        s.add(BlockContractTerm(contract_id=c.id, effective_from=D(2026, 1, 1), units=2, unit_weekly_pence=70_000))
        rows["units"] = [BlockUnit(contract_id=c.id, label=f"Flat {k}") for k in (1, 2)]
        s.add_all(rows["units"])
        s.flush()
        s.add(BlockUnitStatus(unit_id=rows["units"][0].id, effective_from=D(2026, 1, 1), status="available"))
        s.add(QANote(subject="block_contract", block_contract_id=c.id, kind="visit_announced", held_on=D(2026, 6, 1),
                     rag="green"))
        s.add(AuditEvent(at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), actor="t", entity="x", entity_id="1",
                         action="create"))
        s.add(Approval(agreement_id=a.id, kind="cost", decision="approved", decided_by="Head of service",
                       decided_on=D(2026, 11, 1)))
    return rows


INSERT_ONLY = ("price_list", "spot_amendment", "block_contract_term", "block_unit_status", "qa_note", "audit_event",
               "approval")


@pytest.mark.parametrize("table", INSERT_ONLY)
def test_history_rows_are_refused_an_update_or_delete_by_the_database_itself(ctx, bought, table: str) -> None:
    for sql in (f"UPDATE {table} SET created_at = created_at", f"DELETE FROM {table}"):
        with pytest.raises(RuleBroken) as refused, ctx.session() as s:
            s.execute(text(sql))  # Core, past the ORM's own guard
        assert refused.value.rule == f"insert_only_{table}"
    with ctx.engine.connect() as con:
        assert con.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() >= 1


def _placement(bought: dict[str, Any], start: dt.date, end: dt.date | None, *, unit: int | None = 0,
               case_ref: str = "LCC-600001", **more: Any) -> Placement:
    block = unit is not None
    return Placement(case_ref=case_ref, service_id=bought["service"].id, start_date=start, end_date=end,
                     block_contract_id=bought["contract"].id if block else None,
                     block_unit_id=bought["units"][unit].id if block else None,
                     spot_agreement_id=None if block else bought["agreement"].id, **more)


def _add(ctx, row: Placement) -> None:
    with ctx.session() as s:
        s.add(row)


def test_one_child_a_night_in_a_unit_and_the_end_night_is_free(ctx, bought) -> None:
    _add(ctx, _placement(bought, D(2026, 3, 1), D(2026, 6, 1)))
    _add(ctx, _placement(bought, D(2026, 6, 1), None, case_ref="LCC-600002"))  # half-open: 1 June is free
    with pytest.raises(RuleBroken) as refused:
        _add(ctx, _placement(bought, D(2026, 5, 31), D(2026, 6, 2), case_ref="LCC-600003"))
    assert refused.value.rule == "placement_unit_nights"
    with pytest.raises(RuleBroken) as refused:
        _add(ctx, _placement(bought, D(2026, 9, 1), None, case_ref="LCC-600004"))  # the open one holds it
    assert refused.value.rule == "placement_unit_nights"
    _add(ctx, _placement(bought, D(2026, 9, 1), None, unit=1, case_ref="LCC-600004"))  # the other unit is free


def test_a_child_has_one_placement_a_night_unless_a_retainer_says_why(ctx, bought) -> None:
    _add(ctx, _placement(bought, D(2026, 3, 1), None))
    with pytest.raises(RuleBroken) as refused:
        _add(ctx, _placement(bought, D(2026, 4, 1), D(2026, 5, 1), unit=None))
    assert refused.value.rule == "placement_child_nights"
    with pytest.raises(RuleBroken) as refused:
        _add(ctx, _placement(bought, D(2026, 4, 1), D(2026, 5, 1), unit=None, overlap_kind="retainer"))
    assert refused.value.rule == "ck_placement_overlap_reason"
    _add(ctx, _placement(bought, D(2026, 4, 1), D(2026, 5, 1), unit=None, overlap_kind="retainer",
                         overlap_reason="kept open while the child is in hospital"))


@pytest.mark.parametrize(("change", "rule"), [
    ({"spot_agreement_id": None}, "ck_placement_one_purchase"),
    ({"end_date": D(2026, 3, 1)}, "ck_placement_nights"),
    ({"overlap_kind": "sleepover", "overlap_reason": "x"}, "ck_placement_overlap_kind"),
])
def test_a_placement_is_bought_one_way_for_at_least_one_night(ctx, bought, change: dict[str, Any], rule: str) -> None:
    block = "spot_agreement_id" not in change  # bought neither way: no unit and no agreement
    row = _placement(bought, D(2026, 3, 1), None, unit=0 if block else None)
    for name, value in change.items():
        setattr(row, name, value)
    with pytest.raises(RuleBroken) as refused:
        _add(ctx, row)
    assert refused.value.rule == rule


def _amendment(bought: dict[str, Any], **over: Any) -> SpotAmendment:
    values: dict[str, Any] = {"agreement_id": bought["agreement"].id, "effective_from": D(2026, 12, 1),
                              "kind": "price_change", "weekly_price_pence": 100_000, "core_weekly_pence": 90_000,
                              "staffing_weekly_pence": 10_000}
    return SpotAmendment(**{**values, **over})


@pytest.mark.parametrize(("over", "rule"), [
    ({"weekly_price_pence": 100_001}, "ck_spot_amendment_parts"),
    ({"social_care_pct": 60, "education_pct": 30, "health_pct": 0}, "ck_spot_amendment_shares"),
    ({"social_care_pct": 110, "education_pct": -10}, "ck_spot_amendment_shares_positive"),
    ({"core_weekly_pence": -1, "staffing_weekly_pence": 100_001}, "ck_spot_amendment_money"),
    ({"kind": "discount"}, "ck_spot_amendment_kind"),
    ({"core_weekly_pence": 80_000, "other_weekly_pence": 10_000}, "ck_spot_amendment_other_text"),
])
def test_an_amendment_adds_up_and_splits_to_100(ctx, bought, over: dict[str, Any], rule: str) -> None:
    with pytest.raises(RuleBroken) as refused, ctx.session() as s:
        s.add(_amendment(bought, **over))
    assert refused.value.rule == rule


def test_a_qa_note_is_red_amber_or_green_about_a_named_subject(ctx, bought) -> None:
    for over, rule in (({"rag": "purple"}, "ck_qa_note_rag"),
                       ({"subject": "placement"}, "ck_qa_note_subject_named")):
        values: dict[str, Any] = {"subject": "service", "service_id": bought["service"].id, "kind": "desktop_review",
                                  "held_on": D(2026, 6, 1), "rag": "amber"}
        with pytest.raises(RuleBroken) as refused, ctx.session() as s:
            s.add(QANote(**{**values, **over}))
        assert refused.value.rule == rule


def test_two_units_of_one_contract_cannot_share_a_label(ctx, bought) -> None:
    with pytest.raises(RuleBroken) as refused, ctx.session() as s:
        s.add(BlockUnit(contract_id=bought["contract"].id, label="Flat 1"))
    assert refused.value.rule == "uq_block_unit_label"
    assert isinstance(bought["contract"].id, uuid.UUID)
