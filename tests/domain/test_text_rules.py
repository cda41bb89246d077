"""One rule for text in and out: refuse what no person types, show what is stored harmlessly, keep formulas
out of spreadsheets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from broker_tui.domain.text_rules import printable, spreadsheet_safe, text_problem, text_problems


def test_what_is_refused_and_what_is_named() -> None:
    assert text_problem("St Mary's\nLeicester\tLE2") is None  # line breaks and tabs are text
    assert text_problem("Zoë Ó'Brien — 5½ hours") is None
    assert "a NUL character" in text_problem("x\x00")
    assert "lone surrogate" in text_problem("\ud800")
    assert "terminal escape code" in text_problem("\x1b[2J")
    assert "right-to-left" in text_problem("abc\u202edef")
    assert "U+0085" in text_problem("a\x85b")


def test_problems_carry_the_field_path() -> None:
    found = dict(text_problems({"risks": [{"tag": "cce"}, {"tag": "x\x00"}], "ok": "fine", "b\x1bad": 1}))
    assert set(found) == {"risks[1].tag", "b\\x1bad"}
    assert found["b\\x1bad"].startswith("the field name contains")


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    deep: object = "x"
    for _ in range(5000):
        deep = [deep]
    assert [m for _where, m in text_problems(deep)] == ["is nested more than 20 levels deep"]


@given(st.text())
def test_printable_never_lets_a_control_through(text: str) -> None:
    shown = printable(text)
    assert text_problem(shown.replace("\r", "")) is None
    assert "\x1b" not in shown and "\u202e" not in shown
    if text_problem(text) is None and "\r" not in text:
        assert shown == text  # ordinary text is shown as it is


def test_spreadsheet_cells() -> None:
    assert spreadsheet_safe("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert [spreadsheet_safe(v) for v in ("+1", "-1", "@SUM(A1)", "\tx", "\rx")] == \
        ["'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx"]
    assert spreadsheet_safe(-1500) == -1500 and spreadsheet_safe("Maple House") == "Maple House"
