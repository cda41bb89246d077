"""Initials in any alphabet, upper-cased one letter for one."""

import pytest

from broker_tui.domain.referrals.initials import read_initials
from tests.domain.test_referral_form import parse, valid


@pytest.mark.parametrize(("typed", "kept"), [
    ("Zoë", "ZOË"), ("ÉÖ", "ÉÖ"), ("mk", "MK"), ("zoe\u0308", "ZOË"), ("Жи", "ЖИ"), ("ǆ", "Ǆ"),
])
def test_letters_of_any_alphabet_are_initials(typed: str, kept: str) -> None:
    assert read_initials(typed) == (kept, None)
    draft, problems = parse(valid(initials=typed))
    assert problems == {} and draft.initials == kept


@pytest.mark.parametrize(("typed", "words"), [
    ("ß", "no capital letter of its own"),  # 'SS' would be two initials
    ("Alexander", "1 to 3 letters"), ("ZOËS", "1 to 3 letters"), ("A.B", "1 to 3 letters"),
    ("\u0308A", "1 to 3 letters"), ("A1", "1 to 3 letters"), ("", "required"),
])
def test_what_is_not_initials_is_refused(typed: str, words: str) -> None:
    assert words in (read_initials(typed)[1] or "")
    assert words in parse(valid(initials=typed))[1]["initials"]
