"""Ending a placement: the first night not there, one SSDA903 reason, a spot agreement ended with it, a
block unit free that very night; every bad request refused by field with nothing written, on both backends."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select

from broker_tui.services.placements import PurchaseRefused, end_placement, placement_view
from broker_tui.store.errors import RuleBroken, StaleEdit
from broker_tui.store.tables import (
    AuditEvent,
    BlockContract,
    BlockContractTerm,
    BlockUnit,
    Placement,
    Provider,
    Service,
    SpotAgreement,
)
from tests.conftest import TODAY

D = dt.timedelta


def _service(ctx) -> Service:
    with ctx.session() as s:
        provider = Provider(name="Oakfield Care Ltd", sector="private")
        s.add(provider)
        s.flush()
        service = Service(provider_id=provider.id, name="Oakfield House", service_type="childrens_home_external",
                          sector="private", sort_name="oakfield house", search_text="oakfield house")
        s.add(service)
    return service


def _spot(ctx, service: Service, case_ref: str = "LCC-100001", start: dt.date = TODAY - D(60)) -> uuid.UUID:
    with ctx.session() as s:
        agreement = SpotAgreement(service_id=service.id, case_ref=case_ref, start_date=start, status="active",
                                  recorded_by="test.broker")
        s.add(agreement)
        s.flush()
        placement = Placement(case_ref=case_ref, service_id=service.id, spot_agreement_id=agreement.id,
                              start_date=start)
        s.add(placement)
    return placement.id


def _block_unit(ctx, service: Service) -> tuple[uuid.UUID, uuid.UUID]:
    with ctx.session() as s:
        contract = BlockContract(provider_id=service.provider_id, service_id=service.id, reference="BC-T-01",
                                 name="Test block", starts_on=TODAY - D(365), ends_on=TODAY + D(365))
        s.add(contract)
        s.flush()
        s.add(BlockContractTerm(contract_id=contract.id, effective_from=contract.starts_on, units=1,
                                unit_weekly_pence=70_000))
        unit = BlockUnit(contract_id=contract.id, label="Unit 1")
        s.add(unit)
    return contract.id, unit.id


def _in_unit(ctx, service: Service, contract_id, unit_id, case_ref: str, start: dt.date,
             end: dt.date | None = None) -> uuid.UUID:
    with ctx.session() as s:
        p = Placement(case_ref=case_ref, service_id=service.id, block_contract_id=contract_id, block_unit_id=unit_id,
                      start_date=start, end_date=end)
        s.add(p)
    return p.id


def _get(ctx, placement_id) -> Placement:
    with ctx.session() as s:
        return s.get_one(Placement, placement_id)


def _events(ctx) -> int:
    with ctx.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_ending_a_spot_placement_records_the_first_night_gone_the_reason_and_ends_the_agreement(ctx) -> None:
    service = _service(ctx)
    pid = _spot(ctx, service)
    view = end_placement(ctx, pid, end_date="08/12/2026", reason_place_change="carpl", note="moved to foster care")
    assert (view.end_date, view.reason_place_change, view.reason_episode_ceased) == (dt.date(2026, 12, 8), "CARPL", None)
    assert view.ended and view.ended_by == "test.broker"
    row = _get(ctx, pid)
    assert (row.end_date, row.reason_place_change, row.ended_by) == (dt.date(2026, 12, 8), "CARPL", "test.broker")
    with ctx.session() as s:
        agreement = s.get_one(SpotAgreement, row.spot_agreement_id)
        assert (agreement.status, agreement.ended_on) == ("ended", dt.date(2026, 12, 8))
        actions = {(e.entity, e.action) for e in s.scalars(select(AuditEvent).where(AuditEvent.actor == "test.broker"))}
    assert {("placement", "end"), ("spot_agreement", "end")} <= actions


def test_leaving_care_takes_the_episode_ceased_reason_in_the_past(ctx) -> None:
    service = _service(ctx)
    pid = _spot(ctx, service)
    view = end_placement(ctx, pid, end_date=TODAY - D(3), reason_episode_ceased="E4A")
    assert (view.end_date, view.reason_place_change, view.reason_episode_ceased) == (TODAY - D(3), None, "E4A")


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    ({"end_date": TODAY - D(60), "reason_place_change": "CARPL"}, "end_date", "after the start"),
    ({"end_date": TODAY - D(61), "reason_place_change": "CARPL"}, "end_date", "after the start"),
    ({"end_date": "31/02/2026", "reason_place_change": "CARPL"}, "end_date", ""),
    ({"end_date": None, "reason_place_change": "CARPL"}, "end_date", "first night"),
    ({"end_date": TODAY}, "reason", "give one reason"),
    ({"end_date": TODAY, "reason_place_change": "CARPL", "reason_episode_ceased": "E4A"}, "reason", "not both"),
    ({"end_date": TODAY, "reason_place_change": "E4A"}, "reason_place_change", "not a REASON_PLACE_CHANGE code"),
    ({"end_date": TODAY, "reason_episode_ceased": "CARPL"}, "reason_episode_ceased", "not a REC code"),
    ({"end_date": TODAY, "reason_place_change": "CARPL", "note": "bad\x07bell"}, "note", ""),
])
def test_a_bad_end_is_refused_by_field_with_nothing_written(ctx, kwargs, field, words) -> None:
    service = _service(ctx)
    pid = _spot(ctx, service)
    before = _events(ctx)
    with pytest.raises(PurchaseRefused) as refused:
        end_placement(ctx, pid, **kwargs)
    assert field in refused.value.problems and words in refused.value.problems[field]
    row = _get(ctx, pid)
    assert (row.end_date, row.reason_place_change, row.reason_episode_ceased, row.ended_by) == (None, None, None, "")
    with ctx.session() as s:
        assert s.get_one(SpotAgreement, row.spot_agreement_id).status == "active"
    assert _events(ctx) == before


def test_an_ended_placement_cannot_be_ended_again(ctx) -> None:
    service = _service(ctx)
    pid = _spot(ctx, service)
    end_placement(ctx, pid, end_date=TODAY, reason_place_change="CHILD")
    with pytest.raises(PurchaseRefused) as refused:
        end_placement(ctx, pid, end_date=TODAY + D(5), reason_place_change="CARPL")
    assert "already ended" in refused.value.problems["placement"]
    assert _get(ctx, pid).end_date == TODAY


def test_an_unknown_placement_is_refused(ctx) -> None:
    with pytest.raises(PurchaseRefused) as refused:
        end_placement(ctx, uuid.uuid4(), end_date=TODAY, reason_place_change="CARPL")
    assert "no placement" in refused.value.problems["placement"]
    with pytest.raises(PurchaseRefused):
        end_placement(ctx, "not-an-id", end_date=TODAY, reason_place_change="CARPL")


def test_a_stale_view_is_refused(ctx) -> None:
    service = _service(ctx)
    pid = _spot(ctx, service)
    opened = placement_view(_get(ctx, pid))
    end_placement(ctx, pid, end_date=TODAY, reason_place_change="CARPL")
    with pytest.raises((StaleEdit, PurchaseRefused)):
        end_placement(ctx, opened, end_date=TODAY + D(1), reason_place_change="CARPL")


def test_ending_frees_the_unit_that_night_for_the_next_child(ctx) -> None:
    service = _service(ctx)
    contract_id, unit_id = _block_unit(ctx, service)
    first = _in_unit(ctx, service, contract_id, unit_id, "LCC-100002", TODAY - D(100))
    with pytest.raises(RuleBroken):  # while the first child is there, the database refuses a second
        _in_unit(ctx, service, contract_id, unit_id, "LCC-100003", TODAY + D(10))
    end_placement(ctx, first, end_date=TODAY + D(10), reason_place_change="CARPL")
    with pytest.raises(RuleBroken):  # the night before the end is still the first child's
        _in_unit(ctx, service, contract_id, unit_id, "LCC-100003", TODAY + D(9))
    second = _in_unit(ctx, service, contract_id, unit_id, "LCC-100003", TODAY + D(10))
    assert _get(ctx, second).start_date == _get(ctx, first).end_date


def test_ending_later_than_a_planned_end_is_refused_when_the_next_child_is_booked_in(ctx) -> None:
    service = _service(ctx)
    contract_id, unit_id = _block_unit(ctx, service)
    first = _in_unit(ctx, service, contract_id, unit_id, "LCC-100004", TODAY - D(100), TODAY + D(5))
    _in_unit(ctx, service, contract_id, unit_id, "LCC-100005", TODAY + D(5))
    before = _events(ctx)
    with pytest.raises(PurchaseRefused) as refused:
        end_placement(ctx, first, end_date=TODAY + D(6), reason_place_change="CARPL")
    assert "LCC-100005" in refused.value.problems["end_date"]
    assert _events(ctx) == before
    ended = end_placement(ctx, first, end_date=TODAY + D(2), reason_place_change="CARPL")  # earlier: fine
    assert ended.end_date == TODAY + D(2)
