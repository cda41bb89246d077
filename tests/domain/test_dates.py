import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_tui.domain.dates import DateError, add_months, format_date, parse_date


def test_uk_and_iso_are_both_accepted() -> None:
    assert parse_date("01/12/2026") == dt.date(2026, 12, 1)
    assert parse_date("1/2/2026") == dt.date(2026, 2, 1)
    assert parse_date("2026-12-01") == dt.date(2026, 12, 1)


@pytest.mark.parametrize("text", ["31/02/2026", "2026-13-01", "12/31/2026", "tomorrow", "", "01/12/26"])
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_shown_uk_style_and_read_back(day: dt.date) -> None:
    shown = format_date(day)
    assert shown == day.strftime("%d/%m/%Y")
    assert parse_date(shown) == day
    assert format_date(day.isoformat()) == shown


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 1, 15), -2) == dt.date(2025, 11, 15)
