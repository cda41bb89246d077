"""Reading records in the Placements Data Standard (pure): every field checked against the standard's options
exactly, CSV text and JSON values read alike, every problem by line and field, a full postcode refused in
any location, and the reader never raising on arbitrary JSON."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as hs

from broker_tui.domain.referrals.standard_records import (
    FIELDS,
    StandardProblem,
    header_problems,
    is_full_postcode,
    not_answered,
    read_standard_rows,
)

TODAY = dt.date(2026, 12, 1)
AUTHORITIES = {"leicester": ("E06000016", "Leicester"), "e06000016": ("E06000016", "Leicester")}


def read(*rows: object):
    return read_standard_rows(list(enumerate(rows, start=2)), today=TODAY, district_exists={"LE2", "LE3"}.__contains__,
                              find_authority=lambda t: AUTHORITIES.get(" ".join(t.split()).casefold()))


def problems_of(row: dict) -> dict[str, str]:
    records, problems = read(row)
    assert not records
    return {p.field: p.message for p in problems}


def test_csv_text_reads_as_the_json_values() -> None:
    text = {"childId": " 42 ", "siblingCount": "1", "specificCommunicationRequirements": "ESOL; Other",
            "homeAdaptation": "No", "deprivationOfLiberty": "true", "fosterCareSuitability": " Preferred ",
            "riskMissing": "Risk Present", "totalWeeklyCost": "6123", "placementLocation": "le3",
            "preferredLocation": "leicester", "providerURN": "sc123456", "placementType": "Foster",
            "referralDate": "30/11/2026", "riskOther": "", "costDate": ""}
    (record,), problems = read(text)
    assert problems == []
    f = record.fields
    assert list(f) == list(FIELDS)
    assert (f["childId"], f["siblingCount"], f["specificCommunicationRequirements"]) == (42, 1, ["ESOL", "Other"])
    assert (f["homeAdaptation"], f["deprivationOfLiberty"], f["fosterCareSuitability"]) == (False, True, "Preferred")
    assert (f["placementLocation"], f["preferredLocation"], f["providerURN"]) == ("LE3", "Leicester", "SC123456")
    assert (f["referralDate"], f["costDate"], f["educationContinuity"], f["additionalSupport"]) == (
        "2026-11-30", "", None, [])
    assert (record.line, record.child_id, record.total_weekly_cost_pence, record.placement_type) == (2, 42, 612_300,
                                                                                                    "foster")
    assert (record.suitability_foster, record.suitability_residential) == ("preferred", "")
    assert record.placement_location == {"kind": "district", "code": "LE3"}
    assert record.preferred_location == {"kind": "la", "code": "E06000016"}
    (again,), _ = read({**f})  # the fields read back as they are
    assert again.fields == f


def test_each_field_is_checked() -> None:
    found = problems_of({
        "childId": -1, "neededBy": "today", "fosterCareSuitability": "preferred", "riskSelfHarm": "Yes",
        "specificCommunicationRequirements": ["None", "BSL"], "additionalSupport": "NA; sign language",
        "homeAdaptation": "maybe", "siblingCount": 2.0, "totalWeeklyCost": "612.30", "providerURN": "SC-1",
        "referralDate": "31/02/2026", "placementDate": "2027-01-01", "costOfficerName": "A\x1b[2JB",
        "riskOther": "lives at LE2 1AB", "preferabilityLocation": 1, "placementType": "Kinship",
    })
    assert set(found) == {"childId", "neededBy", "fosterCareSuitability", "riskSelfHarm",
                          "specificCommunicationRequirements", "additionalSupport", "homeAdaptation", "siblingCount",
                          "totalWeeklyCost", "providerURN", "referralDate", "placementDate", "costOfficerName",
                          "riskOther", "preferabilityLocation", "placementType"}
    assert "Preferred, Suitable but not preferred" in found["fosterCareSuitability"]
    assert found["totalWeeklyCost"].startswith("must be a whole number of pounds")
    assert "future" in found["placementDate"] and "escape" in found["costOfficerName"]
    assert "full postcode" in found["riskOther"]
    assert problems_of({"childId": 1, "totalWeeklyCost": 100_001}) == {
        "totalWeeklyCost": "must be a whole number of pounds a week, from 0 to 100,000"}
    assert problems_of({"neededBy": "Today"}) == {"childId": "is needed: the child's number in the standard"}


def test_a_location_is_an_authority_or_a_district_never_a_full_postcode() -> None:
    for postcode in ("LE2 1AB", "le21ab", " LE2  1AB "):
        assert is_full_postcode(postcode)
        found = problems_of({"childId": 1, "placementLocation": postcode})
        assert "full postcode" in found["placementLocation"]
    assert not is_full_postcode("LE2") and not is_full_postcode("Leicester")
    found = problems_of({"childId": 1, "preferredLocation": "ZZ9", "placementLocation": "Atlantis"})
    assert "not a postcode district" in found["preferredLocation"]
    assert "neither a local authority" in found["placementLocation"]
    (record,), _ = read({"childId": 1, "preferredLocation": "E06000016", "placementLocation": " le2 "})
    assert record.fields["preferredLocation"] == "Leicester" and record.fields["placementLocation"] == "LE2"


def test_every_problem_by_line_and_field() -> None:
    records, problems = read({"childId": 1}, {"childId": 2, "caseRef": "LCC-1", "pets": "yes"}, ["x"], {"childId": 3})
    assert [r.child_id for r in records] == [1, 3]
    assert [(p.line, p.field) for p in problems] == [(3, "caseRef"), (3, "pets"), (4, "(record)")]
    assert header_problems(["childId", "pets", "caseRef", "pets", ""]) == [
        StandardProblem(1, "caseRef", header_problems(["caseRef"])[0].message),
        StandardProblem(1, "pets", "is named twice"),
        StandardProblem(1, "(a column with no name)", header_problems(["caseRef"])[0].message)]
    assert header_problems(FIELDS) == []


def test_not_answered_is_as_the_export_writes_it() -> None:
    (record,), _ = read({"childId": 7})
    assert record.fields == {name: not_answered(name) for name in FIELDS} | {"childId": 7}
    assert record.fields["additionalSupport"] == [] and record.fields["homeAdaptation"] is None
    assert record.fields["riskOther"] == "" and record.needed_by == "" and record.placement_location is None


JSON = hs.recursive(hs.none() | hs.booleans() | hs.integers() | hs.floats() | hs.text(max_size=20),
                    lambda inner: hs.lists(inner, max_size=3) | hs.dictionaries(hs.text(max_size=8), inner, max_size=3),
                    max_leaves=8)


@settings(max_examples=50, deadline=None)
@given(hs.lists(hs.one_of(JSON, hs.dictionaries(hs.sampled_from(FIELDS), JSON, max_size=6)), max_size=4))
def test_the_reader_never_raises_on_arbitrary_json(rows: list[object]) -> None:
    records, problems = read(*rows)
    assert len(records) + len({p.line for p in problems}) == len(rows)
    for record in records:
        assert list(record.fields) == list(FIELDS) and isinstance(record.child_id, int)
