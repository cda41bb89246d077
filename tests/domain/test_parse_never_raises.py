"""The referral parser takes any JSON value and answers with problems by field: it never raises.

The CLI harness (tests/cli/test_hostile_input.py) drives whole commands; this drives the parser alone, so
thousands of shapes run in a second or two.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from broker_tui.domain.referrals.parse import parse_referral
from broker_tui.services.referrals import INPUT_KEYS
from tests.cli.test_hostile_input import BAD_TEXT, HOSTILE_VALUE, SHAPES
from tests.conftest import TODAY
from tests.services.test_outreach import referral_request


def _parse(raw: object) -> tuple[Any, dict[str, str]]:
    return parse_referral(raw, today=TODAY, district_exists=lambda c: c in {"LE2", "LE3", "NG7"},
                          local_authority_exists=lambda c: c == "E06000016")


@settings(max_examples=400, deadline=None)
@given(mutations=st.dictionaries(st.sampled_from(sorted(INPUT_KEYS)), SHAPES | HOSTILE_VALUE, min_size=1,
                                 max_size=5))
def test_any_shape_of_any_field_is_a_problem_never_an_exception(mutations: dict[str, Any]) -> None:
    draft, problems = _parse({**referral_request(), **mutations})
    assert (draft is None) == bool(problems)
    assert all(isinstance(k, str) and isinstance(v, str) and "\n" not in v for k, v in problems.items())


@settings(max_examples=200, deadline=None)
@given(raw=HOSTILE_VALUE)
def test_any_json_value_at_all_is_answered(raw: object) -> None:
    draft, problems = _parse(raw)
    assert draft is None and problems


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(sorted(INPUT_KEYS)), bad=BAD_TEXT)
def test_text_no_person_types_is_refused_in_every_field(key: str, bad: str) -> None:
    draft, problems = _parse({**referral_request(), key: bad})
    assert draft is None and key in problems and "contains" in problems[key]


def test_a_number_written_with_thousands_of_digits_is_a_problem() -> None:
    draft, problems = _parse({**referral_request(), "age_years": "9" * 5000, "sibling_group_size": "1" * 4400})
    assert draft is None and {"age_years", "sibling_group_size"} <= set(problems)


def test_a_number_wrapped_in_control_characters_is_a_problem_not_a_crash() -> None:
    draft, problems = _parse({**referral_request(), "age_years": "\x850\x1f", "year_group": "\u20289"})
    assert draft is None and "contains" in problems["age_years"] and "year_group" in problems
