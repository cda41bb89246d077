"""Months as the forecast counts them: an integer (``year * 12 + month - 1``), its last day, its label
('2023-03', as files keep it) and its words ('Mar 2023', as people read it). No numpy: the command line uses
these without loading the forecast."""

from __future__ import annotations

import datetime as dt


def month_of(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_end(month: int) -> dt.date:
    """The last day of a month index."""
    year, m0 = divmod(month + 1, 12)
    return dt.date(year, m0 + 1, 1) - dt.timedelta(days=1)


def month_label(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def month_of_label(label: str) -> int:
    """'2023-03' as a month index."""
    return int(label[:4]) * 12 + int(label[5:7]) - 1


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_words(label: str) -> str:
    """'2023-03' as people read it: 'Mar 2023'."""
    return f"{MONTH_NAMES[int(label[5:7]) - 1]} {label[:4]}"


def as_day(value: object) -> dt.date:
    """A date column as read from either backend (a date, or its ISO text on SQLite)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def year_end_month(return_year: str) -> int:
    """The last month (March) of a collection year such as '2019-20'."""
    return month_of(dt.date(int(return_year[:4]) + 1, 3, 31))
