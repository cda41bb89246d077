"""The Placements Data Standard's fields of a referral through the services and the CLI JSON: stored and
shown as given, not answered when not given (never a silent 'with_others': defect 6), each problem named
against its field with nothing written, and an edit through the form, which does not hold them yet, keeps them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from broker_tui.domain.referrals.standard import empty_standard
from broker_tui.services.referrals import (
    ReferralInvalid,
    ReferralQuery,
    create_referral,
    get_referral,
    list_referrals,
    save_form,
)
from tests.cli.test_referrals_cli import SCHEMA, cli, referral, write  # noqa: F401 (cli is a fixture)
from tests.services.test_referrals import request

ANSWERS = {
    "communication_needs": "yes", "communication_requirements": ["esol", "other"], "communication_other": "Tigrinya",
    "home_adaptation": False, "cultural_needs": "required", "living_alongside": "no_preference",
    "living_with_pets": "no", "additional_support": ["therapeutic_support", "other"],
    "additional_support_other": "a mentor", "preferred_location": {"kind": "la", "code": "E06000016"},
    "suitability_foster": "preferred", "suitability_residential": "suitable", "suitability_supported": "unsuitable",
    "risk_to_child_other": "online grooming", "risk_to_others_other": "", "placed_weekly_cost_pence": 95_050,
    "placed_location": {"kind": "district", "code": "LE3"}, "placed_location_preferred": True,
    "placed_education_continuity": False, "placed_provider_urn": "SC123456", "placed_siblings_together": 0,
    "placed_type": "foster", "qa_referral_officer": "P Officer", "qa_referral_on": "2026-11-30",
    "qa_placement_officer": "", "qa_placement_on": None, "qa_cost_officer": "F Officer", "qa_cost_on": "2026-12-01",
}


def _json_of(ctx, case_ref: str) -> dict:
    return get_referral(ctx, case_ref).to_json()


def test_answers_are_stored_and_shown(ctx) -> None:
    create_referral(ctx, request(**ANSWERS))
    shown = _json_of(ctx, "LCC-100001")
    assert {k: shown[k] for k in ANSWERS} == ANSWERS
    jsonschema.validate(shown, SCHEMA)
    listed = list_referrals(ctx, ReferralQuery()).rows[0].to_json(include_private=False)
    assert listed["suitability_supported"] == "unsuitable" and listed["placed_weekly_cost_pence"] == 95_050


def test_not_given_is_not_answered(ctx) -> None:
    create_referral(ctx, request())
    shown = _json_of(ctx, "LCC-100001")
    expected = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in empty_standard().items()}
    assert {k: shown[k] for k in expected} == expected
    assert shown["living_alongside"] == ""  # defect 6: never a silent 'with_others'
    jsonschema.validate(shown, SCHEMA)


def test_problems_are_named_by_field_and_nothing_is_written(ctx) -> None:
    with pytest.raises(ReferralInvalid) as info:
        create_referral(ctx, request(living_alongside="anyone", suitability_foster="ok",
                                     preferred_location={"kind": "district", "code": "LE2 1AB"},
                                     additional_support=["other"], placed_weekly_cost_pence="a lot"))
    assert set(info.value.problems) == {"living_alongside", "suitability_foster", "preferred_location",
                                        "additional_support_other", "placed_weekly_cost_pence"}
    assert "never a full postcode" in info.value.problems["preferred_location"]
    assert list_referrals(ctx, ReferralQuery()).rows == []


def test_an_edit_through_the_form_keeps_what_the_form_does_not_hold(ctx) -> None:
    create_referral(ctx, request(**ANSWERS))
    opened = get_referral(ctx, "LCC-100001")
    form_raw = {k: v for k, v in opened.form_values().items() if k not in ANSWERS or k == "living_alongside"}
    outcome = save_form(ctx, {**form_raw, "school": "Hope Academy", "living_alongside": None}, opened=opened)
    assert outcome.saved is not None, outcome.problems
    shown = _json_of(ctx, "LCC-100001")
    assert shown["school"] == "Hope Academy" and shown["living_alongside"] == ""  # the form cleared it
    assert {k: shown[k] for k in ANSWERS if k != "living_alongside"} == {
        k: v for k, v in ANSWERS.items() if k != "living_alongside"}


def test_cli_json_round_trip_and_field_problems(cli, tmp_path: Path) -> None:  # noqa: F811
    result = cli("referrals", "add", str(write(tmp_path, referral(**ANSWERS))))
    assert result.exit_code == 0, result.output
    shown = json.loads(cli("referrals", "show", "LCC-555001", "--json").stdout)
    assert {k: shown[k] for k in ANSWERS} == ANSWERS
    jsonschema.validate(shown, SCHEMA)
    words = cli("referrals", "show", "LCC-555001").stdout
    assert "Setting: foster preferred, residential suitable but not preferred, supported accommodation unsuitable" in words
    assert "Communication: Y: ESOL, Other (Tigrinya)" in words and "Placed: weekly cost: £950.50 a week" in words
    assert "Data checked: referral P Officer on 30/11/2026; placement not answered; cost F Officer on 01/12/2026" in words

    other = tmp_path / "other"
    other.mkdir()
    result = cli("referrals", "add", str(write(other, referral(case_ref="LCC-555002"))))
    assert result.exit_code == 0, result.output
    assert json.loads(cli("referrals", "show", "LCC-555002", "--json").stdout)["living_alongside"] == ""

    bad = tmp_path / "bad"
    bad.mkdir()
    result = cli("referrals", "add", str(write(bad, referral(case_ref="LCC-555003", living_with_pets="yes",
                                                             suitability_residential="Preferred",
                                                             qa_referral_on="2030-01-01"))))
    assert result.exit_code != 0
    for field in ("living_with_pets", "suitability_residential", "qa_referral_on"):
        assert f"{field}:" in result.stderr
    assert "nothing was written" in result.stderr


def test_cli_export_in_the_standard(cli, tmp_path: Path) -> None:  # noqa: F811
    assert cli("referrals", "add", str(write(tmp_path, referral(**ANSWERS)))).exit_code == 0
    out = tmp_path / "standard.json"
    result = cli("referrals", "export", "--standard", "placements-v2", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Wrote 1 referral(s) in the Placements Data Standard (placements-v2)" in result.stdout
    assert "livingCompanions" not in result.stdout  # answered: not reported missing
    text = out.read_text()
    assert json.loads(text)[0]["fosterCareSuitability"] == "Preferred"
    assert "LCC-555001" not in text and "TK" not in text and "2011-03-14" not in text
    since = cli("referrals", "export", "--standard", "placements-v2", "--since", "02/12/2026",
                "--out", str(tmp_path / "none.csv"))
    assert since.exit_code == 0 and "Wrote 0 referral(s)" in since.stdout
    assert cli("referrals", "export", "--standard", "placements-v2", "--out", str(tmp_path / "x.txt")).exit_code != 0
    bad = cli("referrals", "export", "--standard", "placements-v2", "--since", "31/02/2026", "--out", str(out))
    assert bad.exit_code != 0 and "--since" in bad.stderr


def test_the_form_types_places_as_words(ctx) -> None:
    base = {k: v for k, v in request().items()}
    outcome = save_form(ctx, {**base, "preferred_location_text": "leicester", "placed_location_text": "le3"},
                        opened=None)
    assert outcome.saved is not None, outcome.problems
    shown = _json_of(ctx, "LCC-100001")
    assert shown["preferred_location"] == {"kind": "la", "code": "E06000016"}
    assert shown["placed_location"] == {"kind": "district", "code": "LE3"}
    bad = save_form(ctx, {**base, "case_ref": "LCC-100002", "preferred_location_text": "LE2 1AB",
                          "placed_location_text": "Leicester 5mi"}, opened=None)
    assert bad.saved is None and bad.problems is not None
    assert bad.problems["preferred_location"].startswith("a full postcode is too near an address: give its district (LE2)")
    assert "without a distance" in bad.problems["placed_location"]
    assert [r.case_ref for r in list_referrals(ctx, ReferralQuery()).rows] == ["LCC-100001"]
