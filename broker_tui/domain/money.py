"""Money is integer pence. Parse what a person types, format as £1,234.50."""

from __future__ import annotations

import re

_MONEY = re.compile(r"^£?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$")


class MoneyError(ValueError):
    """The text is not an amount of money this app accepts."""


def parse_pence(text: str) -> int:
    """'£1,234.5' -> 123450. Rejects negatives, fractions of a penny and nonsense, with a clear message."""
    if text is None:
        raise MoneyError("Enter an amount, for example £1,234.50")
    raw = str(text).strip().replace(" ", "")
    if not raw:
        raise MoneyError("Enter an amount, for example £1,234.50")
    if raw.startswith("-") or raw.startswith("£-"):
        raise MoneyError(f"{text.strip()!r} is negative: amounts must be £0 or more")
    m = _MONEY.match(raw)
    if not m:
        raise MoneyError(f"{text.strip()!r} is not an amount of money (try 1234.50 or £1,234.50)")
    pounds = int(m.group(1).replace(",", ""))
    pence = int((m.group(2) or "0").ljust(2, "0"))
    return pounds * 100 + pence


def format_pence(pence: int | None, *, whole: bool = False) -> str:
    """123450 -> '£1,234.50' (whole=True -> '£1,235' rounded half up)."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    p = abs(int(pence))
    if whole:
        pounds = (p + 50) // 100
        return f"{sign}£{pounds:,}"
    return f"{sign}£{p // 100:,}.{p % 100:02d}"


def apply_uplift(pence: int, basis_points: int, years: int = 1) -> int:
    """Apply an annual uplift (in basis points, 350 = 3.5%) for whole years, rounding half up each year."""
    value = pence
    for _ in range(years):
        value = (value * (10_000 + basis_points) + 5_000) // 10_000
    return value
