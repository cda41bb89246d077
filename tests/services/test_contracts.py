"""Block contracts: registered with their first term and units, amended as dated terms, children placed
into free units and their ends freeing them, the usage figures to the penny; every bad request refused by
field with nothing written. On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from broker_tui.domain.money import apply_uplift
from broker_tui.services.contracts import (
    ContractInput,
    ContractRefused,
    PlaceInput,
    TermInput,
    add_contract,
    amend_contract,
    list_contracts,
    place_in_block,
    set_unit_status,
    show_contract,
)
from broker_tui.services.placements import PurchaseRefused, end_placement
from broker_tui.store.errors import StaleEdit
from broker_tui.store.tables import (
    AuditEvent,
    BlockContract,
    BlockContractTerm,
    BlockUnit,
    BlockUnitStatus,
    Placement,
    Provider,
    Service,
)
from tests.conftest import TODAY

D = dt.timedelta
TABLES = (BlockContract, BlockContractTerm, BlockUnit, BlockUnitStatus, Placement, AuditEvent)


def make_service(ctx, name: str = "Northgate Flats") -> Service:
    with ctx.session() as s:
        provider = Provider(name=f"{name} Ltd", sector="private")
        s.add(provider)
        s.flush()
        service = Service(provider_id=provider.id, name=name, service_type="supported_accommodation",
                          sector="private", sort_name=name.lower(), search_text=name.lower())
        s.add(service)
    return service


def contract_input(svc: Service, **over: Any) -> ContractInput:
    values: dict[str, Any] = {"service": str(svc.id), "reference": "BC-T-01", "name": "16+ flats",
                              "for_16_plus": True, "starts_on": TODAY - D(100), "ends_on": TODAY + D(265),
                              "extension_option": "12 months", "units": 3, "unit_weekly_pence": 70_000}
    values.update(over)
    return ContractInput(**values)


def counts(ctx) -> dict[str, int]:
    with ctx.session() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) or 0 for t in TABLES}


@pytest.fixture
def service(ctx) -> Service:
    return make_service(ctx)


@pytest.fixture
def block(ctx, service):
    return add_contract(ctx, contract_input(service))


def _place(ctx, case_ref: str, start: dt.date, **more: Any):
    return place_in_block(ctx, PlaceInput(contract="BC-T-01", case_ref=case_ref, start_date=start, **more))


# -------------------------------------------------------------------------------------------------- register

def test_a_contract_is_written_with_its_first_term_and_a_unit_row_each_available_from_the_start(ctx, service) -> None:
    added = add_contract(ctx, contract_input(service, units=["Flat A", "Flat B"]))
    assert added.units == ("Flat A", "Flat B")
    with ctx.session() as s:
        contract = s.get_one(BlockContract, added.id)
        assert (contract.provider_id, contract.service_id, contract.for_16_plus) == (service.provider_id, service.id, True)
        terms = s.scalars(select(BlockContractTerm).where(BlockContractTerm.contract_id == added.id)).all()
        assert [(t.effective_from, t.units, t.unit_weekly_pence, t.created_by) for t in terms] == [
            (TODAY - D(100), 2, 70_000, "test.broker")]
        units = s.scalars(select(BlockUnit).where(BlockUnit.contract_id == added.id)).all()
        statuses = s.scalars(select(BlockUnitStatus).where(BlockUnitStatus.unit_id.in_([u.id for u in units]))).all()
        assert sorted(u.label for u in units) == ["Flat A", "Flat B"]
        assert {(st.status, st.effective_from) for st in statuses} == {("available", TODAY - D(100))}
        audited = {e.entity for e in s.scalars(select(AuditEvent).where(AuditEvent.actor == "test.broker"))}
    assert {"block_contract", "block_contract_term", "block_unit", "block_unit_status"} <= audited
    detail = show_contract(ctx, "BC-T-01")
    assert [u.label for u in detail.units] == ["Flat A", "Flat B"]
    assert detail.unit_weekly_pence == 70_000 and detail.ends_on == TODAY + D(265)


def test_a_count_of_units_gets_labels_in_order(ctx, service) -> None:
    add_contract(ctx, contract_input(service, units=11))
    assert [u.label for u in show_contract(ctx, "BC-T-01").units][-3:] == ["Unit 9", "Unit 10", "Unit 11"]


@pytest.mark.parametrize(("over", "field", "words"), [
    ({"ends_on": TODAY - D(100)}, "ends_on", "after the start"),
    ({"unit_weekly_pence": -1}, "unit_weekly_pence", "negative"),
    ({"unit_weekly_pence": "12.345"}, "unit_weekly_pence", "not an amount"),
    ({"units": 0}, "units", "between 1"),
    ({"units": ["Flat 1", "flat 1"]}, "units", "same label"),
    ({"reference": ""}, "reference", "reference"),
    ({"name": "a\x00b"}, "name", "contains"),
    ({"service": None}, "provider", "which provider"),
    ({"provider": "No Such Ltd"}, "provider", "no provider"),
    ({"starts_on": "31/02/2026"}, "starts_on", "not a real date"),
    ({"purchasing_route": "handshake"}, "purchasing_route", "one of"),
])
def test_a_bad_contract_is_refused_by_field_with_nothing_written(ctx, service, over, field, words) -> None:
    before = counts(ctx)
    with pytest.raises(ContractRefused) as refused:
        add_contract(ctx, contract_input(service, **over))
    assert words in refused.value.problems[field]
    assert counts(ctx) == before


def test_a_reference_is_registered_once_with_a_clear_message(ctx, service, block) -> None:
    before = counts(ctx)
    with pytest.raises(ContractRefused) as refused:
        add_contract(ctx, contract_input(service, name="another"))
    assert refused.value.problems == {"reference": "a block contract BC-T-01 is already registered: give another "
                                                   "reference"}
    assert counts(ctx) == before


def test_json_with_an_unknown_field_is_refused_by_name() -> None:
    with pytest.raises(ContractRefused) as refused:
        ContractInput.from_json({"reference": "X", "colour": "blue"})
    assert refused.value.problems == {"colour": "is not a field here"}


# ----------------------------------------------------------------------------------------------------- amend

def test_amendments_are_dated_terms_and_the_price_in_force_follows_them(ctx, block) -> None:
    amend_contract(ctx, "BC-T-01", TermInput(kind="uplift", effective_from=TODAY - D(10), uplift_bp=350,
                                              reason="Annual uplift"))
    extended = amend_contract(ctx, "BC-T-01", TermInput(kind="extension", effective_from=TODAY,
                                                        ends_on=TODAY + D(630)))
    amend_contract(ctx, block.id, {"kind": "price_change", "effective_from": (TODAY + D(20)).isoformat(),
                                   "unit_weekly_pence": "£800.00"})
    assert extended.ends_on == TODAY + D(630)
    detail = show_contract(ctx, "BC-T-01")
    assert [(t.effective_from, t.unit_weekly_pence, t.uplift_bp, t.ends_on) for t in detail.terms] == [
        (TODAY - D(100), 70_000, 0, None), (TODAY - D(10), apply_uplift(70_000, 350), 350, None),
        (TODAY, 72_450, 0, TODAY + D(630)), (TODAY + D(20), 80_000, 0, None)]
    assert detail.terms[1].change.startswith("Uplift 3.5%") and detail.terms[1].created_by == "test.broker"
    assert detail.unit_weekly_pence == 72_450 and detail.ends_on == TODAY + D(630)
    assert show_contract(ctx, "BC-T-01", on=TODAY + D(25)).unit_weekly_pence == 80_000
    with ctx.session() as s:  # the contract's own end follows its extension (the lists sort by it)
        assert s.get_one(BlockContract, block.id).ends_on == TODAY + D(630)


def test_units_are_added_as_rows_and_taken_out_only_when_free(ctx, block) -> None:
    amend_contract(ctx, "BC-T-01", TermInput(kind="units_added", effective_from=TODAY, units=["Flat 9"]))
    detail = show_contract(ctx, "BC-T-01")
    assert [u.label for u in detail.units] == ["Unit 1", "Unit 2", "Unit 3", "Flat 9"]
    assert detail.terms[-1].units == 4
    assert [u.in_contract for u in show_contract(ctx, "BC-T-01", on=TODAY - D(1)).units] == [True, True, True, False]
    _place(ctx, "LCC-300001", TODAY - D(5), unit="Unit 2")
    before = counts(ctx)
    with pytest.raises(ContractRefused) as refused:
        amend_contract(ctx, "BC-T-01", TermInput(kind="units_removed", effective_from=TODAY + D(1), units=["Unit 2"]))
    assert "LCC-300001" in refused.value.problems["units"] and "free from the date" in refused.value.problems["units"]
    assert counts(ctx) == before
    amend_contract(ctx, "BC-T-01", TermInput(kind="units_removed", effective_from=TODAY + D(1), units=["Unit 3"],
                                              reason="Provider lost the lease"))
    later = show_contract(ctx, "BC-T-01", on=TODAY + D(2))
    unit3 = next(u for u in later.units if u.label == "Unit 3")
    assert (unit3.in_contract, unit3.status) == (False, "out_of_use_council")
    assert later.terms[-1].units == 3
    assert sum(u.in_contract for u in later.units) == 3


@pytest.mark.parametrize(("term", "field", "words"), [
    (TermInput(kind="uplift", effective_from=TODAY - D(200), uplift_bp=300), "effective_from", "before the contract"),
    (TermInput(kind="uplift", effective_from=TODAY, uplift_bp=0), "uplift_bp", "more than 0"),
    (TermInput(kind="uplift", effective_from=TODAY), "uplift_bp", "basis points"),
    (TermInput(kind="price_change", effective_from=TODAY, unit_weekly_pence=70_000), "unit_weekly_pence", "already"),
    (TermInput(kind="extension", effective_from=TODAY, ends_on=TODAY + D(200)), "ends_on", "after the current end"),
    (TermInput(kind="units_removed", effective_from=TODAY, units=["Unit 7"]), "units", "not a unit"),
    (TermInput(kind="haircut", effective_from=TODAY), "kind", "one of"),
    (TermInput(kind="uplift", effective_from=TODAY + D(400), uplift_bp=300), "effective_from", "contract's end"),
])
def test_a_bad_amendment_is_refused_by_field_with_nothing_written(ctx, block, term, field, words) -> None:
    before = counts(ctx)
    with pytest.raises(ContractRefused) as refused:
        amend_contract(ctx, "BC-T-01", term)
    assert words in refused.value.problems[field], refused.value.problems
    assert counts(ctx) == before


def test_a_term_cannot_be_dated_before_the_latest(ctx, block) -> None:
    amend_contract(ctx, "BC-T-01", TermInput(kind="uplift", effective_from=TODAY, uplift_bp=300))
    with pytest.raises(ContractRefused) as refused:
        amend_contract(ctx, "BC-T-01", TermInput(kind="price_change", effective_from=TODAY - D(1),
                                                  unit_weekly_pence=1))
    assert "latest term" in refused.value.problems["effective_from"]


def test_a_stale_contract_view_is_refused(ctx, block) -> None:
    opened = show_contract(ctx, "BC-T-01")
    amend_contract(ctx, "BC-T-01", TermInput(kind="extension", effective_from=TODAY, ends_on=TODAY + D(400)))
    with pytest.raises(StaleEdit):
        amend_contract(ctx, opened, TermInput(kind="extension", effective_from=TODAY, ends_on=TODAY + D(500)))


def test_a_term_row_is_refused_an_update_by_the_database_itself(ctx, block) -> None:
    with pytest.raises(DBAPIError), ctx.engine.begin() as con:
        con.execute(text("UPDATE block_contract_term SET unit_weekly_pence = 1"))
    with ctx.engine.connect() as con:
        assert con.execute(text("SELECT unit_weekly_pence FROM block_contract_term")).scalars().all() == [70_000]


# ----------------------------------------------------------------------------------------------------- place

def test_a_child_goes_into_the_first_free_unit_and_the_next_into_the_next(ctx, block) -> None:
    first = _place(ctx, "LCC-300001", TODAY - D(3))
    second = _place(ctx, "LCC-300002", TODAY, planned_end=TODAY + D(30))
    detail = show_contract(ctx, "BC-T-01")
    by_label = {u.label: u for u in detail.units}
    assert (by_label["Unit 1"].case_ref, by_label["Unit 1"].since, by_label["Unit 1"].next_free_night) == (
        "LCC-300001", TODAY - D(3), None)
    assert (by_label["Unit 2"].case_ref, by_label["Unit 2"].until, by_label["Unit 2"].next_free_night) == (
        "LCC-300002", TODAY + D(30), TODAY + D(30))
    assert (by_label["Unit 3"].case_ref, by_label["Unit 3"].next_free_night) == ("", TODAY)
    assert (detail.occupied, detail.voids) == (2, 1)
    assert first.block_unit_id == by_label["Unit 1"].id and second.block_contract_id == block.id
    with ctx.session() as s:
        assert s.get_one(Placement, first.id).service_id is not None


@pytest.mark.parametrize("held", [False, True])
def test_a_second_child_into_an_occupied_or_held_unit_is_refused_with_nothing_written(ctx, block, held) -> None:
    if held:
        set_unit_status(ctx, "Unit 1", "held", TODAY - D(2), "Young person moving in next week", contract="BC-T-01")
    else:
        _place(ctx, "LCC-300001", TODAY - D(3), unit="Unit 1")
    before = counts(ctx)
    with pytest.raises(ContractRefused) as refused:
        _place(ctx, "LCC-300002", TODAY, unit="Unit 1")
    assert ("held for an incoming young person" if held else "taken by LCC-300001") in refused.value.problems["unit"]
    assert counts(ctx) == before
    placed = _place(ctx, "LCC-300002", TODAY)  # the first free unit skips it
    assert show_contract(ctx, "BC-T-01").units[1].case_ref == "LCC-300002" and placed.block_unit_id is not None


def test_the_young_person_a_unit_was_held_for_takes_it(ctx, block) -> None:
    set_unit_status(ctx, "Unit 1", "held", TODAY - D(2), "Young person moving in", contract="BC-T-01")
    _place(ctx, "LCC-300003", TODAY, unit="Unit 1", take_held=True)
    unit = show_contract(ctx, "BC-T-01").units[0]
    assert (unit.case_ref, unit.status) == ("LCC-300003", "available")


def test_a_full_contract_refuses_and_says_to_buy_a_spot_agreement(ctx, block) -> None:
    for n in range(3):
        _place(ctx, f"LCC-30001{n}", TODAY - D(1))
    before = counts(ctx)
    with pytest.raises(ContractRefused) as refused:
        _place(ctx, "LCC-300020", TODAY)
    assert set(refused.value.problems) == {"contract"}
    assert "full" in refused.value.problems["contract"] and "spot agreement" in refused.value.problems["contract"]
    assert counts(ctx) == before


@pytest.mark.parametrize(("start", "more", "field", "words"), [
    (TODAY + D(265), {}, "contract", "has expired"),
    (TODAY + D(400), {}, "contract", "spot agreement"),
    (TODAY - D(101), {}, "contract", "starts on"),
    (TODAY, {"planned_end": TODAY + D(266)}, "planned_end", "past the contract's end"),
    (TODAY, {"planned_end": TODAY}, "planned_end", "after the start"),
    (TODAY, {"unit": "Unit 9"}, "unit", "no unit"),
    (TODAY, {"case_ref": ""}, "case_ref", "case reference"),
    (TODAY, {"overlap_kind": "retainer"}, "overlap_reason", "say why"),
])
def test_a_bad_placement_is_refused_by_field_with_nothing_written(ctx, block, start, more, field, words) -> None:
    before = counts(ctx)
    values = {"contract": "BC-T-01", "case_ref": "LCC-300030", "start_date": start, **more}
    with pytest.raises(ContractRefused) as refused:
        place_in_block(ctx, PlaceInput(**values))
    assert words in refused.value.problems[field], refused.value.problems
    assert counts(ctx) == before


def test_an_extension_in_the_terms_lets_a_child_start_after_the_original_end(ctx, block) -> None:
    with pytest.raises(ContractRefused):
        _place(ctx, "LCC-300040", TODAY + D(300))
    amend_contract(ctx, "BC-T-01", TermInput(kind="extension", effective_from=TODAY, ends_on=TODAY + D(630)))
    assert _place(ctx, "LCC-300040", TODAY + D(300)).start_date == TODAY + D(300)


def test_a_child_already_placed_elsewhere_those_nights_is_refused(ctx, block) -> None:
    _place(ctx, "LCC-300050", TODAY - D(3), unit="Unit 1")
    with pytest.raises(ContractRefused) as refused:
        _place(ctx, "LCC-300050", TODAY, unit="Unit 2")
    assert "two placements at once" in refused.value.problems["start_date"]
    moved = _place(ctx, "LCC-300050", TODAY, unit="Unit 2", overlap_kind="transition",
                   overlap_reason="Planned move over a week")
    assert moved.overlap_kind == "transition"


def test_ending_a_block_placement_frees_the_unit_that_night(ctx, block) -> None:
    for n in range(3):
        _place(ctx, f"LCC-30006{n}", TODAY - D(10), unit=f"Unit {n + 1}")
    first = show_contract(ctx, "BC-T-01").units[0]
    end_placement(ctx, first.placement_id, end_date=TODAY + D(7), reason_place_change="CARPL")
    assert show_contract(ctx, "BC-T-01").units[0].next_free_night == TODAY + D(7)
    with pytest.raises(ContractRefused) as refused:  # the night before is still the first child's
        _place(ctx, "LCC-300070", TODAY + D(6))
    assert "full" in refused.value.problems["contract"]
    placed = _place(ctx, "LCC-300070", TODAY + D(7))
    assert placed.block_unit_id == first.id and placed.start_date == TODAY + D(7)


def test_a_unit_status_cannot_take_a_child_out_of_a_unit(ctx, block) -> None:
    _place(ctx, "LCC-300080", TODAY - D(3), unit="Unit 1", planned_end=TODAY + D(10))
    before = counts(ctx)
    with pytest.raises(ContractRefused) as refused:
        set_unit_status(ctx, "Unit 1", "out_of_use_provider", TODAY, "Flood damage", contract="BC-T-01")
    assert "LCC-300080" in refused.value.problems["from"]
    with pytest.raises(ContractRefused) as refused:
        set_unit_status(ctx, "Unit 2", "out_of_use_provider", TODAY, "", contract="BC-T-01")
    assert "say why" in refused.value.problems["reason"]
    assert counts(ctx) == before
    set_unit_status(ctx, "Unit 1", "out_of_use_provider", TODAY + D(10), "Redecoration", contract="BC-T-01")
    with pytest.raises(ContractRefused) as refused:
        _place(ctx, "LCC-300081", TODAY + D(12), unit="Unit 1")
    assert "out of use (provider)" in refused.value.problems["unit"]


def test_a_refusal_is_a_purchase_refusal_too(ctx, block) -> None:
    with pytest.raises(PurchaseRefused):
        _place(ctx, "LCC-300090", TODAY + D(400))


# ----------------------------------------------------------------------------------------------------- views

def test_usage_over_a_period_to_the_penny_across_an_uplift(ctx, service) -> None:
    """Two units at £700 a week, an uplift of 3.5% (to £724.50) half way through 28 nights, one child for 14
    nights across it: available 56, occupied 14, void 42; paid 2x14x700/7... exactly £5,698.00."""
    start = TODAY - D(14)
    add_contract(ctx, contract_input(service, units=2, starts_on=start - D(30)))
    amend_contract(ctx, "BC-T-01", TermInput(kind="uplift", effective_from=TODAY, uplift_bp=350))
    _place(ctx, "LCC-300100", start + D(7), planned_end=start + D(21))
    usage = show_contract(ctx, "BC-T-01", period=(start, start + D(28))).usage
    assert (usage.available_unit_days, usage.occupied_unit_days, usage.void_unit_days) == (56, 14, 42)
    assert usage.utilisation == Fraction(1, 4)
    assert usage.paid_pence == (2 * 14 * 70_000 + 2 * 14 * 72_450) // 7 == 569_800
    assert usage.void_cost_pence == (21 * 70_000 + 21 * 72_450) // 7 == 427_350
    assert usage.cost_per_occupied_week_pence == 284_900
    assert usage.to_json()["utilisation"] == 0.25


def test_usage_rounds_half_up_once_for_the_period(ctx, service) -> None:
    """One unit at £100.01 a week (10,001 pence), void for 3 nights: 30,003 / 7 = 4,286.14... -> £42.86."""
    add_contract(ctx, contract_input(service, units=1, unit_weekly_pence=10_001))
    usage = show_contract(ctx, "BC-T-01", period=(TODAY, TODAY + D(3))).usage
    assert (usage.paid_pence, usage.void_cost_pence, usage.cost_per_occupied_week_pence) == (4_286, 4_286, None)
    assert usage.utilisation == 0


def test_the_list_shows_units_occupied_voids_price_and_end_and_filters(ctx, service) -> None:
    add_contract(ctx, contract_input(service))
    add_contract(ctx, contract_input(service, reference="BC-T-02", for_16_plus=False, ends_on=TODAY + D(40),
                                     units=2, unit_weekly_pence=500_000))
    add_contract(ctx, contract_input(service, reference="BC-T-03", starts_on=TODAY - D(500), ends_on=TODAY - D(5)))
    _place(ctx, "LCC-300110", TODAY - D(1))
    rows = {r.reference: r for r in list_contracts(ctx)}
    assert [r.reference for r in list_contracts(ctx)] == ["BC-T-03", "BC-T-02", "BC-T-01"]
    first = rows["BC-T-01"]
    assert (first.units, first.occupied, first.voids, first.unit_weekly_pence, first.ends_on, first.status) == (
        3, 1, 2, 70_000, TODAY + D(265), "active")
    assert (rows["BC-T-03"].status, rows["BC-T-03"].units) == ("ended", 0)
    assert [r.reference for r in list_contracts(ctx, for_16_plus=False)] == ["BC-T-02"]
    assert [r.reference for r in list_contracts(ctx, ending_within_days=60)] == ["BC-T-02"]
    assert first.to_json()["ends_on"] == (TODAY + D(265)).isoformat()


def test_the_detail_is_frozen_and_serialisable(ctx, block) -> None:
    detail = show_contract(ctx, "BC-T-01")
    with pytest.raises(dataclasses.FrozenInstanceError):
        detail.name = "x"  # type: ignore[misc]
    out = detail.to_json()
    assert out["reference"] == "BC-T-01" and len(out["units"]) == 3 and "raw_row" not in out
    assert out["terms"][0]["created_by"] == "test.broker"


def test_an_unknown_contract_is_refused(ctx) -> None:
    with pytest.raises(ContractRefused) as refused:
        show_contract(ctx, "BC-NOPE")
    assert "no block contract" in refused.value.problems["contract"]
