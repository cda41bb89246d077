import datetime as dt

import pytest

from broker_tui.services.reference import areas_to_text, code_choices, parse_areas_text, return_year
from broker_tui.services.referrals import ReferralInvalid, create_referral


def test_return_year() -> None:
    assert return_year(dt.date(2026, 12, 1)) == "2026-27"
    assert return_year(dt.date(2027, 3, 31)) == "2026-27"
    assert return_year(dt.date(2027, 4, 1)) == "2027-28"


def test_retired_codes_are_not_offered(sqlite_ctx) -> None:
    place = {c.code for c in code_choices(sqlite_ctx, "PLACE")}
    assert {"K2", "K3", "U4"} <= place
    assert not {"H5", "P2", "Z1"} & place
    older = {c.code for c in code_choices(sqlite_ctx, "PLACE", on=dt.date(2023, 6, 1))}
    assert "H5" in older and "K3" not in older
    assert "K3" in {c.code for c in code_choices(sqlite_ctx, "PLACE", on=dt.date(2024, 4, 1))}
    assert "H5" not in {c.code for c in code_choices(sqlite_ctx, "PLACE", on=dt.date(2024, 4, 1))}


def test_codes_without_wording_show_the_code_alone(sqlite_ctx) -> None:
    z = [c for c in code_choices(sqlite_ctx, "PLACE") if c.code == "Z11"]
    assert z and z[0].label == "Z11 (no published description)"


def test_legal_status_must_be_a_current_code(sqlite_ctx) -> None:
    raw = {"case_ref": "LCC-9", "initials": "AB", "needed_by": "2026-12-09", "age_years": 9,
           "types_sought": ["fostering_ifa"], "legal_status": "Q9"}
    with pytest.raises(ReferralInvalid) as info:
        create_referral(sqlite_ctx, raw)
    assert "legal_status" in info.value.problems
    assert create_referral(sqlite_ctx, {**raw, "legal_status": "C2"}).values["legal_status"] == "C2"


@pytest.mark.parametrize(("text", "expected"), [
    ("LE1; NG7 2mi", [("district", "LE1", None), ("district", "NG7", 2)]),
    ("Nottingham", [("la", "E06000018", None)]),
    ("nottingam 10 miles", [("la", "E06000018", 10)]),
    ("", []),
])
def test_areas_as_typed(sqlite_ctx, text: str, expected: list) -> None:
    areas, problem = parse_areas_text(sqlite_ctx, text)
    assert problem is None
    assert [(a["kind"], a["code"], a["radius_miles"]) for a in areas] == expected


def test_unknown_area_is_named(sqlite_ctx) -> None:
    areas, problem = parse_areas_text(sqlite_ctx, "LE1; Narnia")
    assert areas == [] and "Narnia" in problem


def test_areas_text_round_trip(sqlite_ctx) -> None:
    areas, _ = parse_areas_text(sqlite_ctx, "LE1; Nottingham 5mi")
    text = areas_to_text(areas, {"E06000018": "Nottingham"})
    assert text == "LE1; Nottingham 5mi"
    assert parse_areas_text(sqlite_ctx, text)[0] == areas


def test_every_unknown_area_is_named(sqlite_ctx) -> None:
    areas, problem = parse_areas_text(sqlite_ctx, "Narnia; LE1; Gondor 5mi; Mordor")
    assert areas == [] and "'Narnia', 'Gondor' and 'Mordor' are neither" in problem
