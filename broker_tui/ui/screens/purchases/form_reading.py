"""The pure helpers of the purchase forms (no widgets, no database): the price's fields and their
domain.purchases names, reading what was typed (money, hours, shares, dates) and its problems by field
(the parts adding to the weekly price, the funding split adding to 100), the live line of what the parts
add to, pre-filled values as the broker reads them, and the message once an agreement is recorded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from broker_tui.domain.dates import DateError, format_date, parse_date
from broker_tui.domain.money import MoneyError, format_pence, parse_pence
from broker_tui.domain.purchases import (
    HoursError,
    check_funding_split,
    check_price_parts,
    format_hours,
    parse_hours,
    staffing_pence,
)
from broker_tui.services.purchases import AgreementAdded

# ------------------------------------------------------------------------------------- reading what was typed

# the money fields of a price (SpotInput's and AmendmentInput's names) and domain.purchases' names for them
MONEY = {
    "weekly_price_pence": "weekly_pence",
    "core_weekly_pence": "core_pence",
    "one_to_one_hourly_pence": "one_to_one_hourly_pence",
    "two_to_one_hourly_pence": "two_to_one_hourly_pence",
    "education_weekly_pence": "education_pence",
    "therapy_weekly_pence": "therapy_pence",
    "solo_premium_weekly_pence": "solo_premium_pence",
    "other_weekly_pence": "other_pence",
}
HOURS = {"one_to_one_hours": "one_to_one_minutes", "two_to_one_hours": "two_to_one_minutes"}
FROM_DOMAIN = {**{v: k for k, v in MONEY.items()}, **{v: k for k, v in HOURS.items()}, "other_words": "other_text"}
PRICE_INPUTS = (*MONEY, *HOURS, "other_text")
SHARES = ("social_care_pct", "education_pct", "health_pct")
REQUIRED_MONEY = {"weekly_price_pence": "enter the weekly price",
                  "core_weekly_pence": "enter the core fee (0 when the price is all in other parts)"}
PART_NAMES = {"core_weekly_pence": "core fee", "one_to_one_hours": "1:1 hours", "one_to_one_hourly_pence": "1:1 rate",
              "two_to_one_hours": "2:1 hours", "two_to_one_hourly_pence": "2:1 rate",
              "education_weekly_pence": "education", "therapy_weekly_pence": "therapy",
              "solo_premium_weekly_pence": "solo premium", "other_weekly_pence": "other"}
NAMED_ROUTES = ("framework", "open_framework", "dynamic_purchasing_system")  # a route that names its framework


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def read_parts(raw: dict[str, str]) -> tuple[dict[str, int], dict[str, str]]:
    """The price parts as typed -> (values by domain.purchases' names, problems by the input's names)."""
    values: dict[str, int] = {}
    problems: dict[str, str] = {}
    for name, domain_name in MONEY.items():
        text = (raw.get(name) or "").strip()
        if not text:
            if name in REQUIRED_MONEY:
                problems[name] = REQUIRED_MONEY[name]
            continue
        try:
            values[domain_name] = parse_pence(text)
        except MoneyError as exc:
            problems[name] = str(exc)
    for name, domain_name in HOURS.items():
        text = (raw.get(name) or "").strip()
        if not text:
            continue
        try:
            values[domain_name] = parse_hours(text)
        except HoursError as exc:
            problems[name] = str(exc)
    return values, problems


def price_problems(raw: dict[str, str]) -> dict[str, str]:
    """Every problem with the price as typed, by the input's name: each amount and hours readable, then the
    parts adding exactly to the weekly price (domain.purchases.check_price_parts, as the service checks)."""
    values, problems = read_parts(raw)
    if problems:
        return problems
    checked: dict[str, Any] = {**values, "other_words": raw.get("other_text") or ""}
    return {FROM_DOMAIN.get(k, k): m for k, m in check_price_parts(checked).items()}


def read_share(text: str) -> str:
    """A share as typed ('20', '20%') -> what the service reads (the digits)."""
    return text.strip().removesuffix("%").strip()


def split_problems(raw: dict[str, str]) -> dict[str, str]:
    """The funding split as typed: whole percentages adding to 100 ("funding" when they do not)."""
    texts = {name: read_share(raw.get(name) or "") for name in SHARES}
    if not any(texts.values()):
        return {}
    problems: dict[str, str] = {}
    shares: dict[str, int] = {}
    for name, text in texts.items():
        if not text:
            shares[name] = 0
        elif text.isdigit():
            shares[name] = int(text)
        else:
            problems[name] = f"{text[:10]!r} is not a whole percentage"
    if problems:
        return problems
    return {"funding" if k == "shares" else k: m for k, m in check_funding_split(shares).items()}


def date_problem(text: str) -> str | None:
    try:
        parse_date(text)
    except DateError as exc:
        return str(exc)
    return None


def parts_line(raw: dict[str, str]) -> str:
    """What the parts add to as typed, beside the weekly price, and the staffing worked out:
    'The parts add to £6,100.00 — the weekly price ✓ · 1:1 10.5 h × £28.00 = £294.00'."""
    values, problems = read_parts(raw)
    unread = [PART_NAMES[k] for k in problems if k in PART_NAMES and (raw.get(k) or "").strip()]
    staffing = []
    total = sum(values.get(k, 0) for k in ("core_pence", "education_pence", "therapy_pence", "solo_premium_pence",
                                           "other_pence"))
    for label, minutes_name, rate_name in (("1:1", "one_to_one_minutes", "one_to_one_hourly_pence"),
                                           ("2:1", "two_to_one_minutes", "two_to_one_hourly_pence")):
        minutes, rate = values.get(minutes_name, 0), values.get(rate_name, 0)
        pence = staffing_pence(minutes, rate)
        total += pence
        if minutes or rate:
            staffing.append(f"{label} {format_hours(minutes)} h × {format_pence(rate)} = {format_pence(pence)}")
    head = f"The parts add to {format_pence(total)}"
    weekly = values.get("weekly_pence")
    if unread:
        head += f" (not counting the {', '.join(unread)}: not read)"
    elif weekly is not None and total == weekly:
        head += " — the weekly price ✓"
    elif weekly is not None:
        gap = "short of" if total < weekly else "over"
        head += f" — {format_pence(abs(weekly - total))} {gap} the weekly price of {format_pence(weekly)}"
    return " · ".join([head, *staffing])


def money_text(value: Any, *, keep_zero: bool = False) -> str:
    """A pre-filled amount as the broker reads it: pence -> '£6,100.00' (0 or none -> '' unless kept)."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return format_pence(value) if value or keep_zero else ""
    return str(value)


def hours_text(hours: Any, minutes: Any) -> str:
    if hours not in (None, ""):
        return str(hours)
    if isinstance(minutes, int) and not isinstance(minutes, bool) and minutes:
        return format_hours(minutes)
    if isinstance(minutes, str) and minutes.strip().isdigit() and int(minutes):
        return format_hours(int(minutes))
    return ""


def date_text(value: Any) -> str:
    if isinstance(value, dt.date):
        return format_date(value)
    return "" if value is None else str(value)


def share_text(value: Any) -> str:
    return "" if value is None or value == "" else str(value)


def blank_none(text: str) -> str | None:
    return text.strip() or None


# ------------------------------------------------------------------------------------- once recorded

STATUS_WORDS = {"active": "active", "awaiting_approval": "awaiting approval",
                "draft": "a draft (submit it from the agreement when ready)"}


def recorded_message(added: AgreementAdded, service_name: str) -> str:
    """'Recorded the spot agreement for LCC-300001 at Cedar View: £6,100.00 a week, awaiting approval (…)'."""
    why = f" ({'; '.join(added.approval_reasons)})" if added.status == "awaiting_approval" and \
        added.approval_reasons else ""
    return (f"Recorded the spot agreement for {added.case_ref} at {service_name}: "
            f"{format_pence(added.weekly_pence)} a week, {STATUS_WORDS.get(added.status, added.status)}{why}")
