"""`referrals export --standard placements-v2`: every row has exactly the standard's fields, every value is
one of its options (or not answered), the actual placement comes from a recorded purchase where not entered
by hand, and no identifier of a child leaks: childId is a stable pseudonymous number, never the case
reference, initials or date of birth. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select

from broker_tui.services.purchases import add_agreement
from broker_tui.services.referrals import create_referral, export_standard, get_referral
from broker_tui.store.tables import AppMeta, AuditEvent
from tests.conftest import TODAY
from tests.domain.test_referral_standard import PUBLISHED
from tests.services.test_purchases import make_referral, make_service, spot
from tests.services.test_referral_standard_fields import ANSWERS
from tests.services.test_referrals import request

# placements.json (SocialCareData/placements-standard, v2 draft of 18 July 2025): each field and its options.
RISK = PUBLISHED["risk"]
SUIT = PUBLISHED["suitability"]
STANDARD: dict[str, list[str] | None] = {
    "childId": None, "neededBy": ["Today", "in less than 5 days", "in more than 5 days"], "siblingCount": None,
    "preferredLocation": None, "communicationNeeds": PUBLISHED["communicationNeeds"],
    "specificCommunicationRequirements": PUBLISHED["specificCommunicationRequirements"], "homeAdaptation": None,
    "culturalNeeds": PUBLISHED["culturalNeeds"], "livingCompanions": PUBLISHED["livingCompanions"],
    "pets": PUBLISHED["pets"], "additionalSupport": PUBLISHED["additionalSupport"], "deprivationOfLiberty": None,
    "fosterCareSuitability": SUIT, "residentialCareSuitability": SUIT, "supportedAccommodationSuitability": SUIT,
    "riskSelfHarm": RISK, "riskSexualExploitation": RISK, "riskCriminalExploitation": RISK, "riskDrugAlcohol": RISK,
    "riskEatingDisorder": RISK, "riskMissing": RISK, "riskOther": None, "riskToOthersPhysical": RISK,
    "riskToOthersSexual": RISK, "riskToOthersFire": RISK, "riskToOthersAnimals": RISK, "riskToOthersCriminal": RISK,
    "riskToOthersOther": None, "totalWeeklyCost": None, "placementLocation": None, "preferabilityLocation": None,
    "educationContinuity": None, "providerURN": None, "siblingsPlacedTogether": None,
    "placementType": PUBLISHED["placementType"], "referralOfficerName": None, "referralDate": None,
    "placementOfficerName": None, "placementDate": None, "costOfficerName": None, "costDate": None,
}
BOOLEANS = {"homeAdaptation", "deprivationOfLiberty", "preferabilityLocation", "educationContinuity"}
INTEGERS = {"childId", "siblingCount", "totalWeeklyCost", "siblingsPlacedTogether"}


def _valid(row: dict) -> None:
    assert list(row) == list(STANDARD)
    for name, options in STANDARD.items():
        value = row[name]
        if name in BOOLEANS:
            assert value is None or isinstance(value, bool), name
        elif name in INTEGERS:
            assert value is None or (isinstance(value, int) and not isinstance(value, bool)), name
        elif isinstance(value, list):
            assert options is not None and set(value) <= set(options), (name, value)
        elif options is not None:
            assert value in ("", *options), (name, value)
        else:
            assert isinstance(value, str), name


def _seed(ctx) -> None:
    create_referral(ctx, request(**{**ANSWERS, "placed_weekly_cost_pence": None, "placed_provider_urn": "",
                                    "placed_type": "", "placed_location": None,
                                    "risk_to_child_other": "seen with LCC-100001 near JS's school"},
                                 risks=[{"tag": "cce", "present": True, "level": 3},
                                        {"tag": "fire_setting", "present": False, "level": 0}]))
    make_referral(ctx, "LCC-200001", date_of_birth=dt.date(2010, 6, 15), suitability_residential="preferred")
    service = make_service(ctx, ofsted_urn="SC765432", postcode_district="LE3", local_authority_code="E06000016")
    add_agreement(ctx, spot(service, weekly_price_pence=612_345, core_weekly_pence=612_345))


def test_json_export_is_the_standard_and_leaks_no_identifier(ctx, tmp_path: Path) -> None:
    _seed(ctx)
    done = export_standard(ctx, tmp_path / "out.json")
    text = (tmp_path / "out.json").read_text()
    rows = json.loads(text)
    assert done.rows == 2 and len(rows) == 2
    for row in rows:
        _valid(row)
    for secret in ("LCC-100001", "LCC-200001", "100001", "200001", '"JS"', '"AB"', "2010-06-15", "15/06/2010"):
        assert secret not in text, secret
    placed, first = rows  # by date received: the placed child's referral came 20 days before
    assert first["communicationNeeds"] == "Y" and first["specificCommunicationRequirements"] == ["ESOL", "Other"]
    assert first["livingCompanions"] == "No preference" and first["pets"] == "No"
    assert first["riskCriminalExploitation"] == "Risk Present" and first["riskToOthersFire"] == "No known risk"
    assert first["riskSelfHarm"] == "" and first["riskOther"] == "seen with [removed] near [removed]'s school"
    assert first["preferredLocation"] == "Leicester" and first["neededBy"] == "in less than 5 days"
    assert first["referralDate"] == "2026-11-30" and first["referralOfficerName"] == "P Officer"
    # the second child's placement comes from the spot agreement: cost in whole pounds, district, URN, setting
    assert (placed["totalWeeklyCost"], placed["placementLocation"], placed["providerURN"], placed["placementType"]) == (
        6123, "LE3", "SC765432", "Residential")
    assert placed["residentialCareSuitability"] == "Preferred" and placed["livingCompanions"] == ""
    assert first["childId"] != placed["childId"] and all(0 < r["childId"] < 2**53 for r in rows)
    assert done.missing["livingCompanions"] == 1 and "placementType" in done.missing  # the first: placed by hand


def test_child_id_is_stable_per_database_and_csv_has_the_same_rows(ctx, tmp_path: Path) -> None:
    _seed(ctx)
    export_standard(ctx, tmp_path / "a.json")
    export_standard(ctx, tmp_path / "b.csv")
    with ctx.session() as s:
        secret = s.get_one(AppMeta, "placements_standard_child_id_secret").value
        assert len(secret) == 64
        trail = [e for e in s.scalars(select(AuditEvent).where(AuditEvent.entity == "app_meta"))
                 if e.entity_id == "placements_standard_child_id_secret"]
    assert trail and all(secret not in json.dumps([e.before, e.after]) for e in trail)  # audited, never kept
    ids = [r["childId"] for r in json.loads((tmp_path / "a.json").read_text())]
    with (tmp_path / "b.csv").open(newline="") as f:
        table = list(csv.DictReader(f))
    assert list(table[0]) == list(STANDARD) and [int(r["childId"]) for r in table] == ids
    assert table[1]["specificCommunicationRequirements"] == "ESOL; Other" and table[1]["homeAdaptation"] == "No"
    assert (tmp_path / "b.csv").stat().st_mode & 0o077 == 0
    later = export_standard(ctx, tmp_path / "c.json", since=TODAY + dt.timedelta(days=1))
    assert later.rows == 0


def test_a_block_placement_gives_the_unit_price_and_supported_accommodation(ctx) -> None:
    from broker_tui.services.contracts import PlaceInput, add_contract, place_in_block
    from broker_tui.services.referrals import actual_placement
    from broker_tui.store.tables import Referral
    from tests.services.test_contracts import contract_input
    from tests.services.test_contracts import make_service as make_flats

    row = make_referral(ctx, "LCC-200002", date_of_birth=dt.date(2009, 1, 2))
    add_contract(ctx, contract_input(make_flats(ctx), unit_weekly_pence=70_049))
    place_in_block(ctx, PlaceInput(contract="BC-T-01", case_ref="LCC-200002", start_date=TODAY))
    with ctx.session() as s:
        placed = actual_placement(s, s.get_one(Referral, row.id))
    assert (placed["placed_weekly_cost_pence"], placed["placed_type"]) == (70_049, "supported_accommodation")
    with ctx.session() as s:  # what was entered by hand stands
        s.get_one(Referral, row.id).placed_weekly_cost_pence = 80_000
    with ctx.session() as s:
        assert actual_placement(s, s.get_one(Referral, row.id))["placed_weekly_cost_pence"] == 80_000


def test_the_summary_in_words_says_what_came_from_the_purchase(ctx) -> None:
    from broker_tui.services.referrals import standard_summary

    _seed(ctx)
    placed = get_referral(ctx, "LCC-200001")
    lines = dict(standard_summary(ctx, placed.id))
    assert lines["Placed: weekly cost"] == "£6,123.45 a week (from the purchase)"
    assert lines["Placed: provider URN"] == "SC765432 (from the purchase)"
    assert lines["Placed: location"].startswith("LE3 (from the purchase)")
    typed = dict(standard_summary(ctx, get_referral(ctx, "LCC-100001").id))
    assert typed["Preferred location"] == "Leicester" and typed["Living with pets"] == "No"
    assert typed["Setting"] == "foster preferred, residential suitable but not preferred, supported accommodation unsuitable"
