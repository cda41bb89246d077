import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_tui.domain.money import MoneyError, apply_uplift, format_pence, parse_pence


@pytest.mark.parametrize(
    ("text", "pence"),
    [("£1,234.5", 123450), ("1234.50", 123450), ("0", 0), ("£12", 1200), (" 7.05 ", 705), ("1,000,000", 100000000)],
)
def test_parse_accepts_what_people_type(text: str, pence: int) -> None:
    assert parse_pence(text) == pence


@pytest.mark.parametrize("text", ["-5", "£-5", "abc", "1.234", "1,23", "", "12.3.4", "£", "1e5"])
def test_parse_rejects_nonsense_with_a_message(text: str) -> None:
    with pytest.raises(MoneyError) as info:
        parse_pence(text)
    assert str(info.value)


def test_negative_message_says_negative() -> None:
    with pytest.raises(MoneyError, match="negative"):
        parse_pence("-12.00")


@given(st.integers(min_value=0, max_value=10**12))
def test_format_then_parse_round_trips(pence: int) -> None:
    assert parse_pence(format_pence(pence)) == pence


def test_format_shapes() -> None:
    assert format_pence(123450) == "£1,234.50"
    assert format_pence(5) == "£0.05"
    assert format_pence(123450, whole=True) == "£1,235"
    assert format_pence(None) == ""


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=2000))
def test_uplift_never_lowers_and_is_integer(pence: int, bp: int) -> None:
    up = apply_uplift(pence, bp)
    assert isinstance(up, int) and up >= pence


def test_uplift_rounds_half_up() -> None:
    assert apply_uplift(100_000, 350) == 103_500
    assert apply_uplift(101, 5000) == 152  # 151.5 -> 152
    assert apply_uplift(100_000, 350, years=2) == 107_123  # 103,500 * 1.035 = 107,122.5 -> 107,123
