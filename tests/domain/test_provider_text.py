"""The anonymised referral text for providers: what it says, and that it never gives the child away."""

from __future__ import annotations

import datetime as dt

from broker_tui.domain.provider_text import date_forms, leaks, provider_text

DOB = dt.date(2011, 3, 9)


def values(**over) -> dict:
    v = {
        "case_ref": "LCC-200777", "initials": "RT", "date_of_birth": DOB, "gender": "male",
        "types_sought": ["childrens_home_external", "fostering_ifa"],
        "needs": {"behaviour": 3, "emotional": 2, "health": 0, "risk": 1},
        "risks": [{"tag": "cce", "present": True, "level": 3}, {"tag": "missing", "present": False, "level": 2},
                  {"tag": "self_harm", "present": True}],
        "specialist_needs": ["autism", "therapeutic_care"], "home_district": "LE4", "school_district": None,
        "within_home_area": False, "max_distance_miles": 20,
        "avoid_areas": [{"kind": "la", "code": "E06000018"}, {"kind": "district", "code": "LE1", "radius_miles": 3},
                        {"kind": "district", "code": "LE5"}],
        "sibling_group_size": 2, "siblings_together": True, "one_to_one_hours": 12, "two_to_one_hours": 0,
        "education_needed": True, "therapy_needed": False, "dol_order": {"court": "High Court"},
        "section25_order": None, "uasc": False, "emergency": True, "needed_by": dt.date(2026, 12, 4),
        "expected_duration_weeks": 52, "free_text_needs": ["Close to his nan, Mrs Smith"],
        "disability_health": "Asthma (Dr Jones)",
    }
    v.update(over)
    return v


def text(**over) -> str:
    return provider_text(values(**over), age_years=15, reply_due_on=dt.date(2026, 12, 3),
                         la_names={"E06000018": "Nottingham"})


def test_says_what_a_provider_needs() -> None:
    t = text()
    assert t.startswith("Placement referral LCC-200777\nReply by: 03/12/2026\n")
    for line in ("Age: 15 years", "Gender: Male", "Sibling group: 2 children, to be placed together",
                 "Types: Children's home (external), Fostering (IFA)", "Needed by: 04/12/2026 (emergency)",
                 "Expected duration: 52 weeks", "Home district: LE4", "Within 20 miles of LE4",
                 "Areas to avoid: Nottingham; LE1 and within 3 miles of it; LE5", "Behaviour: High",
                 "Emotional and mental health: Medium", "Risk (exploitation, missing, offending): Low",
                 "Child criminal exploitation (CCE): High", "Self-harm", "Autism", "Therapeutic care",
                 "1:1 staffing: 12 hours a week", "Education provision needed", "Deprivation of Liberty order"):
        assert line in t, line
    assert "Health (physical)" not in t  # level 0 is not listed
    assert "Missing episodes" not in t  # a risk not present
    assert "2:1" not in t


def test_within_home_area_and_empty_sections() -> None:
    t = provider_text({"case_ref": "X1", "within_home_area": True}, age_years=None, reply_due_on=dt.date(2026, 12, 3))
    assert "Must be within Leicester" in t and "Age: not known" in t and "Gender: not stated" in t
    assert "No needs above none recorded" in t and "Risks\n  None recorded" in t
    assert "No extra support beyond the core placement" in t


def test_never_initials_date_of_birth_or_free_text() -> None:
    t = text()
    eighteenth = dt.date(2029, 3, 9)
    assert leaks(t, initials="RT", date_of_birth=DOB, eighteenth_birthday=eighteenth) == []
    for form in (*date_forms(DOB), *date_forms(eighteenth)):
        assert form not in t
    assert "RT" not in t.split() and "Smith" not in t and "Jones" not in t and "nan" not in t


def test_leaks_finds_every_format() -> None:
    assert date_forms(DOB)[:5] == ("2011-03-09", "09/03/2011", "9/3/2011", "09-03-2011", "09.03.2011")
    for form in date_forms(DOB):
        assert leaks(f"born {form}", date_of_birth=DOB) == ["date of birth"], form
    assert leaks("child RT, 14", initials="RT") == ["initials"]
    assert leaks("PARTLY", initials="RT") == [] and leaks("rt", initials="RT") == []
    assert leaks("turns 18 on 09/03/2029", eighteenth_birthday=dt.date(2029, 3, 9)) == ["18th birthday"]
