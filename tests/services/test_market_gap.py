"""The gap against the market and its diversity as use cases (issue 15), on SQLite and PostgreSQL: the
council's own places (in-house homes, foster households, block units), the register within reach, our
children placed now, read from the store; the forecast beside them; JSON with no child identifier."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from broker_tui.domain.settings import settings_from_mapping
from broker_tui.domain.sufficiency.categories import CATEGORIES
from broker_tui.services.sufficiency import (
    decline_evidence,
    import_ssda903,
    market_diversity,
    market_gap,
    market_supply,
)
from broker_tui.store.tables import (
    BlockContract,
    BlockContractTerm,
    FosterHousehold,
    Placement,
    PriceList,
    Provider,
    Service,
    SpotAgreement,
)
from tests.store.test_round_trips import add_in_order

SYNTHETIC = ("ssda903_synthetic_header.csv", "ssda903_synthetic_episodes.csv", "ssda903_synthetic_uasc.csv")


def service(provider: Provider, name: str, kind: str, places: int | None, *, sector: str = "private",
            in_area: bool = True, miles: float | None = 3.0, vacancies: int | None = None,
            ages: tuple[int, int] = (11, 17), archived: bool = False) -> Service:
    return Service(provider_id=provider.id, name=name, service_type=kind, sector=sector, places=places,
                   vacancies=vacancies, in_area=in_area, distance_miles=miles, min_age=ages[0], max_age=ages[1],
                   archived_on=dt.date(2026, 1, 1) if archived else None)


@pytest.fixture
def market(ctx):
    council = Provider(name="Leicester City Council", sector="in_house")
    big, small = Provider(name="Big Care Ltd", sector="private"), Provider(name="Small Homes", sector="voluntary")
    own_home = service(council, "Beaumont Lodge", "childrens_home_in_house", 5, sector="in_house")
    fostering = service(council, "Leicester Fostering", "fostering_in_house", None, sector="in_house")
    households = [FosterHousehold(service_id=fostering.id, reference=f"H{i}", places=p, free_places=f)
                  for i, (p, f) in enumerate([(2, 1), (1, 0), (3, 2)])]
    gone = FosterHousehold(service_id=fostering.id, reference="H9", places=4, free_places=4,
                           archived_on=dt.date(2026, 6, 1))
    homes = [service(big, "Big One", "childrens_home_external", 6, vacancies=1),
             service(big, "Big Two", "childrens_home_external", 4, in_area=False, miles=12.0, vacancies=0),
             service(small, "Small One", "childrens_home_external", 4, vacancies=2),
             service(small, "Far Away", "childrens_home_external", 8, in_area=False, miles=60.0, vacancies=5),
             service(small, "Closed", "childrens_home_external", 9, archived=True)]
    flats = service(small, "Small Flats", "supported_accommodation", 10, ages=(16, 17))
    block = BlockContract(provider_id=small.id, service_id=flats.id, reference="BC-1", name="Flats block",
                          starts_on=dt.date(2022, 4, 1), ends_on=dt.date(2024, 1, 1))
    term = BlockContractTerm(contract_id=block.id, effective_from=dt.date(2022, 4, 1), units=6,
                             unit_weekly_pence=90_000, created_by="t")
    prices = PriceList(service_id=homes[0].id, valid_from=dt.date(2026, 4, 1), core_weekly_pence=500_000,
                       source="entered", created_by="t")
    spot = SpotAgreement(service_id=homes[0].id, case_ref="LCC-1", start_date=dt.date(2026, 10, 1), recorded_by="t")
    placed = Placement(case_ref="LCC-1", service_id=homes[0].id, spot_agreement_id=spot.id, placement_type="K2",
                       start_date=dt.date(2026, 10, 1))
    with ctx.session() as s:
        add_in_order(s, [council, big, small, own_home, fostering, *households, gone, *homes, flats, block, term,
                         prices, spot, placed])
    return ctx


def test_the_supply_read_from_the_store(market) -> None:
    supply = market_supply(market)
    assert (supply.foster.households, supply.foster.places, supply.foster.free_places) == (3, 6, 3)
    names = {s.provider_name for s in supply.services}
    assert names == {"Leicester City Council", "Big Care Ltd", "Small Homes"}
    assert len(supply.services) == 7  # the archived home is not supply
    assert [(b.category, b.starts_on, b.ends_on, b.terms) for b in supply.blocks] == [
        ("supported", dt.date(2022, 4, 1), dt.date(2024, 1, 1), ((dt.date(2022, 4, 1), 6),))]
    assert {s.our_children for s in supply.services if s.provider_name == "Big Care Ltd"} == {0, 1}


def test_diversity_from_the_store(market) -> None:
    by = {(d.category, d.reach): d for d in market_diversity(market, miles=20.0)}
    area = by[("residential", "local area")]
    assert (area.providers, area.total, area.largest) == (3, 15, "Big Care Ltd")  # 6 + 4 + the council's 5
    assert area.hhi == pytest.approx(40**2 + (100 / 3) ** 2 + (400 / 15) ** 2)
    assert (area.displaced_places, area.displaced_children, area.vacancies_elsewhere, area.absorbs) == (6, 1, 2, True)
    near = by[("residential", "within 20 miles")]
    assert near.total == 19 and near.displaced_places == 10
    assert by[("supported", "local area")].largest == "Small Homes" and by[("supported", "local area")].hhi == 10_000


def test_the_gap_beside_the_forecast(market, shared_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "return"
    folder.mkdir()
    for name in SYNTHETIC:
        shutil.copy(shared_data / name, folder / name)
    import_ssda903(market, [folder])
    market.settings = settings_from_mapping({"forecast": {"scenarios": {"home": {
        "add_places": {"residential": 6}, "foster_households": 3, "from": "2024-01"}}}})
    gap = market_gap(market, miles=20.0, years=2, sims=100, scenario="home")
    rows = {(r.category, r.day): r for r in gap.rows}
    res23, res24 = rows[("residential", dt.date(2023, 3, 31))], rows[("residential", dt.date(2024, 3, 31))]
    assert (res23.own.in_house_places, res23.own.scenario_places, res24.own.scenario_places) == (5, 0, 6)
    assert (res23.reach.places_in_area, res23.reach.places_within) == (10, 14)
    assert res23.gap == pytest.approx(res23.demand - 5)
    fost = rows[("in_house_fostering", dt.date(2024, 3, 31))]
    assert (fost.own.in_house_places, fost.own.scenario_places, fost.own.households) == (6, 6, 6)  # 2 places each
    sup = rows[("supported", dt.date(2023, 3, 31))]
    assert sup.own.block_units == 6 and sup.reach.places_within == 10
    assert rows[("supported", dt.date(2024, 3, 31))].own.block_units == 0  # the block ended on 01/01/2024
    assert {b.band for b in gap.bands if b.category == "supported" and b.places_within} == {"16 to 17"}
    text = json.dumps(gap.as_json())
    assert '"gap"' in text and "LCC-1" not in text  # counts, never a case
    # the households added take children who would have gone to agencies' carers: 3 households, 6 places
    run = gap.forecast
    assert run.shifts == (("external_fostering", "in_house_fostering", 6),)
    assert run.shift_words() == "up to 6 placed in in-house fostering instead of external fostering"
    assert run.as_json()["shifts"] == [{"from": "external_fostering", "to": "in_house_fostering", "places": 6}]
    base = market_gap(market, miles=20.0, years=2, sims=100).forecast
    ih, ext = CATEGORIES.index("in_house_fostering"), CATEGORIES.index("external_fostering")
    assert run.mean[-1][ih] > base.mean[-1][ih] and run.mean[-1][ext] < base.mean[-1][ext]
    assert base.shifts == ()


def test_the_workbook(market, shared_data: Path, tmp_path: Path) -> None:
    import openpyxl

    from broker_tui.services.sufficiency import write_workbook

    folder = tmp_path / "return"
    folder.mkdir()
    for name in SYNTHETIC:
        shutil.copy(shared_data / name, folder / name)
    import_ssda903(market, [folder])
    gap = market_gap(market, miles=20.0, years=2, sims=100)
    plain = openpyxl.load_workbook(write_workbook(gap, tmp_path / "plain.xlsx"))
    assert plain.sheetnames == ["Summary", "Forecast", "Age bands", "Care leavers", "Gap", "Gap chart",
                                "Diversity"]
    path = write_workbook(gap, tmp_path / "plan.xlsx", decline_evidence(market))
    assert path.stat().st_mode & 0o777 == 0o600
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "Forecast", "Age bands", "Care leavers", "Gap", "Gap chart", "Diversity",
                             "Declines", "Declines by", "Longest searches"]
    assert [r[0].year for r in wb["Care leavers"].iter_rows(min_row=2, values_only=True)] == [2023, 2024]
    assert [r[0] for r in wb["Declines"].iter_rows(min_row=2, max_row=7, values_only=True)] == [
        "No vacancy", "Cannot meet needs", "Location", "Price", "Impact on the children already there", "Other"]
    assert list(wb["Longest searches"].iter_rows(values_only=True))[0][0] == "Rank"  # never a case reference
    forecast = wb["Forecast"]
    rows = list(forecast.iter_rows(values_only=True))
    assert rows[0][:2] == ("Month", "Kind") and rows[0][-3:] == ("Total", "Total low (80%)", "Total high (80%)")
    actual = [r for r in rows[1:] if r[1] == "actual"]
    assert actual[-1][0].date() == dt.date(2022, 3, 31) and actual[-1][-3] == 86
    assert len([r for r in rows[1:] if r[1] == "forecast"]) == 24
    assert forecast.cell(2, 1).number_format == "mmm yyyy"
    assert len(forecast._charts) == 1 and len(wb["Gap chart"]._charts) == 1  # native charts
    gap_rows = list(wb["Gap"].iter_rows(values_only=True))
    assert len(gap_rows) == 1 + 4 * 2 and gap_rows[1][0] == "In-house fostering"  # no kinship or other
    diversity = list(wb["Diversity"].iter_rows(values_only=True))
    assert {r[0] for r in diversity[1:]} == {"External fostering", "Residential", "Supported accommodation"}
    everything = " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    assert "LCC-1" not in everything  # no case reference, no child identifier
    import csv

    with open(shared_data / "ssda903_synthetic_header.csv", newline="", encoding="utf-8") as fh:
        children = {r["CHILD"] for r in csv.DictReader(fh)}
    assert not children & set(everything.split())
