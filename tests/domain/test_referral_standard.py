"""The Placements Data Standard's referral fields: each option set is the standard's, exactly; not answered
is kept apart from every answer; each problem is reported against its field in words."""

from __future__ import annotations

import datetime as dt

import pytest

from broker_tui.domain.referrals import standard as st
from broker_tui.domain.referrals.parse import parse_referral
from broker_tui.domain.vocabulary import SERVICE_TYPES, TAGS

TODAY = dt.date(2026, 12, 1)
DISTRICTS = {"LE2", "NG7"}
LAS = {"E06000016"}

# The option labels of placements.json (SocialCareData/placements-standard, v2 draft, 18 July 2025), as published.
PUBLISHED = {
    "communicationNeeds": ["Y", "N", "Not Specified"],
    "specificCommunicationRequirements": ["ESOL", "BSL", "Makaton", "Other", "None"],
    "culturalNeeds": ["Required", "Not required", "Not Known", "Other"],
    "livingCompanions": ["Solo placement recommended", "With other children recommended",
                         "Only with other older children", "Only with other younger children", "No preference"],
    "pets": ["Yes - must", "Yes - can", "No", "Not Known"],
    "additionalSupport": ["additional supervision", "therapeutic support", "a worker for respite", "taxis to school",
                          "NA", "other (please specify)"],
    "suitability": ["Preferred", "Suitable but not preferred", "Unsuitable", "Not specified"],
    "placementType": ["Residential", "Foster", "Supported Accommodation"],
    "risk": ["No known risk", "Risk Present"],
}


def check(raw: dict) -> tuple[dict, dict[str, str]]:
    problems: dict[str, str] = {}
    out = st.parse_standard(raw, problems, today=TODAY, district_exists=DISTRICTS.__contains__,
                            la_exists=LAS.__contains__)
    return out, problems


def test_option_labels_are_the_standards() -> None:
    ours = {"communicationNeeds": st.COMMUNICATION_NEEDS, "specificCommunicationRequirements":
            st.COMMUNICATION_REQUIREMENTS, "culturalNeeds": st.CULTURAL_NEEDS, "livingCompanions": st.LIVING_ALONGSIDE,
            "pets": st.LIVING_WITH_PETS, "additionalSupport": st.ADDITIONAL_SUPPORT, "suitability": st.SUITABILITY,
            "placementType": st.PLACEMENT_TYPES}
    for name, options in ours.items():
        assert sorted(options.values()) == sorted(PUBLISHED[name]), name
    assert sorted(st.RISK_LABELS.values()) == sorted(PUBLISHED["risk"])


def test_every_risk_flag_is_a_risk_tag_of_its_side() -> None:
    kinds = {t.code: t.kind for t in TAGS}
    assert len(st.RISK_TAG_OF_FLAG) == 11 and len(set(st.RISK_TAG_OF_FLAG.values())) == 11
    for flag, tag in st.RISK_TAG_OF_FLAG.items():
        assert kinds[tag] == ("risk_to_others" if flag.startswith("riskToOthers") else "risk_to_child"), flag


def test_every_service_type_but_other_has_a_setting() -> None:
    for t in SERVICE_TYPES:
        assert (st.setting_of(t.group) is None) == (t.code == "other"), t.code
    assert st.setting_of("fostering") == "foster" and st.setting_of("family") == "residential"


def test_nothing_given_is_not_answered() -> None:
    out, problems = check({})
    assert problems == {} and out == st.empty_standard()
    assert out["living_alongside"] == st.NOT_ANSWERED == "" and out["home_adaptation"] is None
    assert out["communication_requirements"] == [] and out["preferred_location"] is None


def test_answers_are_kept() -> None:
    raw = {"communication_needs": "yes", "communication_requirements": ["bsl", "other", "bsl"],
           "communication_other": " Signalong ", "home_adaptation": False, "cultural_needs": "other",
           "cultural_needs_other": "a halal diet", "living_alongside": "no_preference", "living_with_pets": "can",
           "additional_support": ["taxis_to_school"], "preferred_location": {"kind": "district", "code": "le 2"},
           "suitability_foster": "preferred", "suitability_residential": "unsuitable",
           "suitability_supported": "not_specified", "risk_to_child_other": "online grooming",
           "placed_weekly_cost_pence": 95_000, "placed_location": {"kind": "la", "code": "E06000016"},
           "placed_location_preferred": True, "placed_education_continuity": True, "placed_provider_urn": "sc123456",
           "placed_siblings_together": 1, "placed_type": "foster", "qa_referral_officer": "P Officer",
           "qa_referral_on": "30/11/2026", "qa_cost_on": "2026-12-01"}
    out, problems = check(raw)
    assert problems == {}
    assert out["communication_requirements"] == ["bsl", "other"] and out["communication_other"] == "Signalong"
    assert out["preferred_location"] == {"kind": "district", "code": "LE2"}
    assert out["placed_provider_urn"] == "SC123456" and out["qa_referral_on"] == dt.date(2026, 11, 30)
    assert out["living_alongside"] == "no_preference" and out["home_adaptation"] is False


@pytest.mark.parametrize(("raw", "field", "words"), [
    ({"communication_needs": "maybe"}, "communication_needs", "must be one of yes, no, not_specified"),
    ({"living_alongside": "with_adults"}, "living_alongside", "no_preference, or leave it not answered"),
    ({"living_alongside": ["alone"]}, "living_alongside", "must be one of alone"),
    ({"living_with_pets": "yes"}, "living_with_pets", "must, can, no, not_known"),
    ({"suitability_supported": "fine"}, "suitability_supported", "preferred, suitable, unsuitable"),
    ({"placed_type": "kinship"}, "placed_type", "residential, foster, supported_accommodation"),
    ({"communication_requirements": "bsl"}, "communication_requirements", "must be a list"),
    ({"communication_requirements": ["sign"]}, "communication_requirements", "unknown: sign"),
    ({"additional_support": ["none", "taxis_to_school"]}, "additional_support", "'none' cannot go with"),
    ({"additional_support": ["other"]}, "additional_support_other", "say what the other additional support"),
    ({"cultural_needs": "other"}, "cultural_needs_other", "say what the other"),
    ({"communication_other": "Signalong"}, "communication_other", "is only for 'other'"),
    ({"home_adaptation": "yes"}, "home_adaptation", "must be true, false or null"),
    ({"preferred_location": "LE2 1AB"}, "preferred_location", "never a full postcode"),
    ({"preferred_location": {"kind": "district", "code": "LE2 1AB"}}, "preferred_location", "never a full postcode"),
    ({"placed_location": {"kind": "la", "code": "E99"}}, "placed_location", "not a local authority code"),
    ({"qa_placement_on": "31/02/2026"}, "qa_placement_on", ""),
    ({"qa_referral_on": "2026-12-02"}, "qa_referral_on", "is in the future"),
    ({"placed_weekly_cost_pence": 950.5}, "placed_weekly_cost_pence", "must be whole pence"),
    ({"placed_weekly_cost_pence": -1}, "placed_weekly_cost_pence", "negative"),
    ({"placed_provider_urn": "SC 12"}, "placed_provider_urn", "Ofsted URN"),
    ({"placed_siblings_together": 13}, "placed_siblings_together", "from 0 to 12"),
    ({"risk_to_others_other": 3}, "risk_to_others_other", "must be text"),
    ({"qa_cost_officer": "x" * 501}, "qa_cost_officer", "too long"),
])
def test_each_problem_is_said_against_its_field(raw: dict, field: str, words: str) -> None:
    _out, problems = check(raw)
    assert field in problems and words in problems[field], problems


def test_whole_pounds_round_half_up() -> None:
    assert [st.whole_pounds(p) for p in (0, 49, 50, 95_049, 95_050)] == [0, 0, 1, 950, 951]


def test_the_parser_leaves_living_alongside_unanswered_never_with_others() -> None:
    raw = {"case_ref": "LCC-1", "initials": "AB", "needed_by": "2026-12-08", "age_years": 14,
           "types_sought": ["fostering_ifa"]}
    draft, problems = parse_referral(raw, today=TODAY, district_exists=DISTRICTS.__contains__)
    assert problems == {} and draft is not None
    assert draft.columns()["living_alongside"] == "" and draft.columns()["suitability_foster"] == ""
    draft, problems = parse_referral({**raw, "living_alongside": "no_preference", "pets": "a dog",
                                      "living_with_pets": "must"}, today=TODAY, district_exists=DISTRICTS.__contains__)
    assert draft is not None and draft.columns()["living_alongside"] == "no_preference"
    assert draft.columns()["pets"] == "a dog" and draft.columns()["living_with_pets"] == "must"


def test_a_form_types_the_cost_and_siblings_as_text() -> None:
    out, problems = check({"placed_weekly_cost_pence": "£6,500.50", "placed_siblings_together": " 2 "})
    assert problems == {} and out["placed_weekly_cost_pence"] == 650_050 and out["placed_siblings_together"] == 2
    _out, problems = check({"placed_weekly_cost_pence": "a lot", "placed_siblings_together": "two"})
    assert set(problems) == {"placed_weekly_cost_pence", "placed_siblings_together"}


@pytest.mark.parametrize(("types", "suitability", "said"), [
    (["childrens_home_external"], {"residential": "unsuitable"},
     ["External children's home sought but residential care is unsuitable"]),
    (["fostering_ifa", "fostering_in_house"], {"foster": "preferred", "residential": "suitable"}, []),
    (["childrens_home_external"], {"foster": "preferred"}, ["Foster care is preferred but no type of it is sought"]),
    ([], {"foster": "preferred"}, []),  # nothing sought yet: nothing to disagree with
    (["supported_accommodation"], {"supported_accommodation": "not_specified"}, []),
])
def test_types_sought_against_the_suitability(types: list[str], suitability: dict, said: list[str]) -> None:
    words = st.setting_disagreements(types, suitability)
    assert len(words) == len(said)
    for got, start in zip(words, said, strict=True):
        assert got.startswith(start), got


def test_the_standard_in_words_says_not_answered_and_what_came_from_the_purchase() -> None:
    from broker_tui.domain.referrals.standard_words import standard_lines

    values = {**st.empty_standard(), "communication_needs": "yes", "communication_requirements": ["bsl", "other"],
              "communication_other": "Tigrinya", "suitability_foster": "preferred", "home_adaptation": False,
              "qa_referral_officer": "P Officer", "qa_referral_on": dt.date(2026, 11, 30)}
    placed = {**{k: v for k, v in st.empty_standard().items() if k.startswith("placed_")},
              "placed_weekly_cost_pence": 95_050, "placed_location": {"kind": "district", "code": "LE3"}}
    lines = dict(standard_lines(values, placed, lambda p: p["code"],
                                from_purchase=frozenset({"placed_weekly_cost_pence"})))
    assert lines["Communication"] == "Y: BSL, Other (Tigrinya)"
    assert lines["Setting"] == ("foster preferred, residential not answered, supported accommodation not answered")
    assert lines["Home adaptation"] == "no" and lines["Living with pets"] == "not answered"
    assert lines["Placed: weekly cost"] == "£950.50 a week (from the purchase)"
    assert lines["Placed: location"] == "LE3; preferred location: not answered"
    assert lines["Data checked"] == ("referral P Officer on 30/11/2026; placement not answered; cost not answered")
    assert lines["Other risks"] == "none"
    values["risk_to_others_other"] = "threats to staff"
    assert dict(standard_lines(values, placed, str))["Other risks"] == "to others: threats to staff"


def test_criminal_exploitation_of_others_is_its_own_risk_not_offending() -> None:
    from broker_tui.domain.tags import resolve_tag

    assert st.RISK_TAG_OF_FLAG["riskToOthersCriminal"] == "exploiting_others"
    assert "offending" not in st.RISK_TAG_OF_FLAG.values()
    assert resolve_tag("criminal exploitation of others") == "exploiting_others"
    assert resolve_tag("offending") == "offending"
