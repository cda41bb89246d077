"""Dates are ISO in storage and dd/mm/yyyy on screen; both are accepted as input."""

from __future__ import annotations

import datetime as dt
import re

_UK = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = 1900, 2200  # every date the app handles (births, placements, contracts) lies between


class DateError(ValueError):
    """The text is not a date this app accepts."""


def parse_date(text: str) -> dt.date:
    raw = (text or "").strip()
    if not raw:
        raise DateError("Enter a date as dd/mm/yyyy")
    m = _UK.match(raw)
    parts = (m.group(3), m.group(2), m.group(1)) if m else None
    if parts is None and (m := _ISO.match(raw)):
        parts = (m.group(1), m.group(2), m.group(3))
    if parts is None:
        raise DateError(f"{raw!r} is not a date: use dd/mm/yyyy")
    year, month, day = (int(x) for x in parts)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DateError(f"{raw!r} is not a date this app can hold: years {FIRST_YEAR} to {LAST_YEAR} only")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateError(f"{raw!r} is not a real date") from None


def format_date(value: dt.date | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")
