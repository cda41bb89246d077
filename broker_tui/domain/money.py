"""Money is integer pence. Parse what a person types, format as £1,234.50."""

from __future__ import annotations

import re

_MONEY = re.compile(r"^£?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$")
MAX_PENCE = 1_000_000_000_000  # £10,000,000,000: no amount the app holds comes near; far inside 64 bits


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
        raise MoneyError(f"{text.strip()[:40]!r} is not an amount of money (try 1234.50 or £1,234.50)")
    digits = m.group(1).replace(",", "")
    if len(digits) > 11:
        raise MoneyError(f"{too_much()}")
    pence = int(digits) * 100 + int((m.group(2) or "0").ljust(2, "0"))
    if problem := pence_problem(pence):
        raise MoneyError(problem)
    return pence


def too_much() -> str:
    return f"is more than {format_pence(MAX_PENCE, whole=True)}: check the amount"


def pence_problem(pence: int) -> str | None:
    """Why a whole number of pence cannot be an amount here (None: it can)."""
    if pence < 0:
        return "is negative: amounts must be £0 or more"
    if pence > MAX_PENCE:
        return too_much()
    return None


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


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest whole number, halves upwards (exact integer arithmetic)."""
    if denominator <= 0:
        raise ValueError("the denominator must be positive")
    return (2 * numerator + denominator) // (2 * denominator)


def apply_uplift(pence: int, basis_points: int, years: int = 1) -> int:
    """Apply an annual uplift (in basis points, 350 = 3.5%) for whole years, rounding half up each year."""
    value = pence
    for _ in range(years):
        value = round_half_up(value * (10_000 + basis_points), 10_000)
    return value
