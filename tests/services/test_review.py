"""The 16+ review over a hand-worked fixture, through the services and the database, on SQLite and
PostgreSQL: a block that starts mid-period, is uplifted mid-period and extended, with a stay that ends in
the period, one that runs past it, a unit empty all period (out of use through the provider's fault for
part of it) and a unit held for an incoming young person; spot agreements in two categories and one for a
care leaver (another cohort, never summed in); a draft and one awaiting approval that bought nothing.

Period: 1 January to 31 March 2026 (90 nights). The block holds 2 units from 15 January at £700.00 a week,
uplifted 3.5% to £724.50 from 1 February, extended from 20 March to 1 May.
- available: 2 x 17 (January) + 2 x 59 = 152 unit-days; occupied: A 15/01-09/02 = 26 nights, B from
  01/03 = 31 nights: 57 (37.5%);
- voids 95: held 20/02-28/02 in unit 1 = 9; out of use (provider) unit 2 10/03-31/03 = 22; true voids 64;
- paid = (2 x 17 x 70,000 + 2 x 59 x 72,450) / 7 = 10,929,100 / 7 = £15,613.00 exactly;
- void costs: held 9 x 72,450 / 7 = £931.50; provider 22 x 72,450 / 7 = £2,277.00;
  true (17 x 70,000 + 47 x 72,450) / 7 = 4,595,150 / 7 = £6,564.50;
- cost per occupied week = 10,929,100 / 57 = 191,738.6 -> £1,917.39;
- comparable spot (ring-fenced shared, core only): one at £600 -> block saving
  (60,000 x 57 - 10,929,100) / 7 = -1,072,728.57 -> -£10,727.29 (the block cost more).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from broker_tui.services.contracts import (
    PlaceInput,
    TermInput,
    add_contract,
    amend_contract,
    place_in_block,
    set_unit_status,
)
from broker_tui.services.placements import end_placement
from broker_tui.services.purchases import add_agreement
from broker_tui.services.quality import ActionInput, NoteInput, add_note
from broker_tui.services.reference import ensure_reference_data
from broker_tui.services.review import ReviewRefused, default_period, review_16_plus
from broker_tui.store.tables import Provider, Service
from tests.conftest import TODAY
from tests.services.test_contracts import contract_input
from tests.services.test_purchases import make_referral, spot

D = dt.date


def sixteen_plus_service(ctx, name: str, stype: str = "supported_accommodation",
                         category: str | None = None) -> Service:
    """A service of a 16+ type (supported accommodation in a category, or 18+ accommodation) with its provider."""
    with ctx.session() as s:
        provider = Provider(name=f"{name} Ltd", sector="private")
        s.add(provider)
        s.flush()
        service = Service(provider_id=provider.id, name=name, service_type=stype, sector="private",
                          sort_name=name.lower(), search_text=name.lower(), sa_category=category)
        s.add(service)
    return service


@pytest.fixture
def fixture(ctx):
    ensure_reference_data(ctx)
    shared = sixteen_plus_service(ctx, "Northgate Shared Houses", category="ring_fenced_shared")
    flats = sixteen_plus_service(ctx, "Riverside Flats", category="single_occupancy")
    adults = sixteen_plus_service(ctx, "Care Leavers Lodgings", stype="care_leavers_18_plus")
    add_contract(ctx, contract_input(shared, reference="BC-R-01", starts_on=D(2026, 1, 15), ends_on=D(2026, 3, 20),
                                     units=["Unit 1", "Unit 2"], unit_weekly_pence=70_000))
    amend_contract(ctx, "BC-R-01", TermInput(kind="uplift", effective_from=D(2026, 2, 1), uplift_bp=350))
    amend_contract(ctx, "BC-R-01", TermInput(kind="extension", effective_from=D(2026, 3, 1), ends_on=D(2026, 5, 1)))
    a = place_in_block(ctx, PlaceInput(contract="BC-R-01", unit="Unit 1", case_ref="LCC-300001",
                                       start_date=D(2026, 1, 15)))
    end_placement(ctx, a.id, end_date=D(2026, 2, 10), reason_place_change="CARPL")
    set_unit_status(ctx, "Unit 1", "held", D(2026, 2, 20), "B moves in on 1 March", contract="BC-R-01")
    place_in_block(ctx, PlaceInput(contract="BC-R-01", unit="Unit 1", case_ref="LCC-300002",
                                   start_date=D(2026, 3, 1), take_held=True))
    set_unit_status(ctx, "Unit 2", "out_of_use_provider", D(2026, 3, 10), "Flood damage", contract="BC-R-01")
    child = make_referral(ctx, "LCC-300003", date_of_birth=D(2009, 6, 15))
    for data in (spot(flats, case_ref="LCC-300003", referral=str(child.id), start_date=D(2026, 1, 1), planned_end=D(2026, 3, 1),
                      weekly_price_pence=50_000, core_weekly_pence=50_000),
                 spot(shared, case_ref="LCC-300004", start_date=D(2026, 2, 1), planned_end=D(2027, 1, 1),
                      weekly_price_pence=60_000, core_weekly_pence=60_000),
                 spot(adults, case_ref="LCC-300005", start_date=D(2026, 3, 1), planned_end=D(2026, 6, 1),
                      weekly_price_pence=30_000, core_weekly_pence=30_000)):
        assert add_agreement(ctx, data, submit=True).status == "active"
    add_agreement(ctx, spot(flats, case_ref="LCC-300006", start_date=D(2026, 1, 1), planned_end=D(2026, 3, 1),
                            weekly_price_pence=90_000, core_weekly_pence=90_000))  # a draft: bought nothing
    pending = add_agreement(ctx, spot(flats, case_ref="LCC-300007", start_date=D(2026, 1, 1),
                                      planned_end=D(2026, 3, 1), weekly_price_pence=2_000_000,
                                      core_weekly_pence=2_000_000), submit=True)
    assert pending.status == "awaiting_approval"
    add_note(ctx, NoteInput(subject="block_contract", subject_id="BC-R-01", kind="contract_review",
                            held_on=D(2026, 3, 15), rag="red", findings="Voids not reported",
                            actions=(ActionInput("Send the void report", "Contract manager", D(2026, 4, 1)),)))
    return review_16_plus(ctx, "01/01/2026", "31/03/2026")


def test_the_block_figures_match_the_hand_worked_answers(fixture) -> None:
    (block,) = fixture.contracts
    assert (block.reference, block.cohort, block.category) == ("BC-R-01", "supported_16_17", "ring_fenced_shared")
    assert (block.available_unit_days, block.occupied_unit_days, block.void_unit_days) == (152, 57, 95)
    assert float(block.utilisation) == 0.375
    assert {v.kind: (v.unit_days, v.cost_pence) for v in block.voids} == {
        "available": (64, 656_450), "held": (9, 93_150), "out_of_use_provider": (22, 227_700),
        "out_of_use_council": (0, 0)}
    assert block.paid_pence == 1_561_300
    assert block.void_cost_pence == 977_300  # (64 + 9 + 22 unit-days), rounded once: the parts add up here
    assert block.cost_per_occupied_week_pence == 191_739
    assert [(m.month, m.available_unit_days, m.occupied_unit_days) for m in block.monthly] == [
        (D(2026, 1, 1), 34, 17), (D(2026, 2, 1), 56, 9), (D(2026, 3, 1), 62, 31)]
    assert [(p.effective_from, p.unit_weekly_pence) for p in block.prices] == [
        (D(2026, 1, 15), 70_000), (D(2026, 2, 1), 72_450), (D(2026, 3, 1), 72_450)]
    assert block.ends_on == D(2026, 5, 1) and block.extensions == (D(2026, 3, 1),)
    assert (block.young_people, block.placements, block.average_stay_days, block.endings) == (2, 2, 26.0, {"CARPL": 1})
    assert (block.qa_rag, block.open_actions, block.overdue_actions) == ("red", 1, 1)
    assert (block.comparable_spot_median_pence, block.comparable_spot_count) == (60_000, 1)
    assert block.block_saving_pence == -1_072_729
    assert block.status == "ended" and block.units_now == 0


def test_spot_lines_leave_out_what_bought_nothing_and_keep_the_cohorts_apart(fixture) -> None:
    lines = {line.case_ref: line for line in fixture.spot_lines}
    assert set(lines) == {"LCC-300003", "LCC-300004", "LCC-300005"}  # no draft, none awaiting approval
    assert (lines["LCC-300003"].nights, lines["LCC-300003"].paid_pence) == (59, 421_429)
    assert (lines["LCC-300004"].nights, lines["LCC-300004"].paid_pence) == (59, 505_714)
    assert (lines["LCC-300005"].cohort, lines["LCC-300005"].category) == ("care_leavers_18_plus", "accommodation_18_plus")
    totals = {t.cohort: t for t in fixture.totals}
    assert (totals["supported_16_17"].spot_agreements, totals["supported_16_17"].spot_paid_pence) == (2, 927_143)
    assert (totals["care_leavers_18_plus"].spot_agreements, totals["care_leavers_18_plus"].spot_paid_pence) == (1, 132_857)
    assert totals["care_leavers_18_plus"].block_paid_pence == 0
    groups = {(g.cohort, g.by, g.key): g.spread for g in fixture.spot_groups}
    assert groups[("supported_16_17", "band", "core_only")].median == 55_000
    assert groups[("supported_16_17", "category", "single_occupancy")].count == 1
    assert ("care_leavers_18_plus", "category", "accommodation_18_plus") in groups
    january = {(m.cohort, m.month): m for m in fixture.spend}[("supported_16_17", D(2026, 1, 1))]
    assert (january.block_pence, january.spot_pence) == (340_000, 221_429)


def test_the_right_block_size_for_the_category(fixture) -> None:
    size = next(s for s in fixture.sizes if s.category == "ring_fenced_shared")
    # nights with 0, 1, 2 young people: 14 / 36 (17 + 19) / 40 (9 + 31); unit price 10,929,100 / 152
    assert (size.unit_weekly_pence, size.spot_weekly_pence, size.peak) == (71_902, 60_000, 2)
    assert size.costs_pence == (994_286, 1_267_311, 1_848_909)
    assert (size.best_k, size.best_pence) == (0, 994_286)
    assert size.actual_pence == 1_561_300 + 505_714
    assert size.saving_pence == 1_561_300 + 505_714 - 994_286
    flats = next(s for s in fixture.sizes if s.category == "single_occupancy")
    assert flats.costs_pence == () and "No block" in flats.note


def test_the_json_holds_every_figure_and_no_child_detail(fixture) -> None:
    text = json.dumps(fixture.to_json())
    data = json.loads(text)
    assert data["contracts"][0]["utilisation_pct"] == 37.5
    assert data["period"] == {"first_day": "2026-01-01", "last_day": "2026-03-31", "nights": 90}
    assert "LCC-300003" in text  # the child with initials AB and a date of birth: by case reference only
    assert '"AB"' not in text and "2009-06-15" not in text and "15/06/2009" not in text


def test_bad_periods_are_refused_by_field(ctx) -> None:
    with pytest.raises(ReviewRefused) as caught:
        review_16_plus(ctx, "31/02/2026", "01/01/2026")
    assert "from" in caught.value.problems
    with pytest.raises(ReviewRefused) as caught:
        review_16_plus(ctx, "01/03/2026", "01/01/2026")
    assert "before the start" in caught.value.problems["to"]
    with pytest.raises(ReviewRefused) as caught:
        review_16_plus(ctx, "01/01/2000", "01/01/2026")
    assert "longer than" in caught.value.problems["to"]


def test_the_default_period_is_the_twelve_months_to_yesterday(ctx) -> None:
    period = default_period(TODAY)
    assert (period.first_day, period.last_day) == (D(2025, 12, 1), D(2026, 11, 30))
    review = review_16_plus(ctx)
    assert review.period == period and review.contracts == () and review.spot_lines == ()
