"""A weekly price and its parts, and the check that they add up exactly.

The parts of a weekly price (all integer pence a week):
  core fee
+ 1:1 staffing: minutes a week x the 1:1 hourly rate / 60, rounded half up to the penny
+ 2:1 staffing: minutes a week x the 2:1 hourly rate / 60, rounded half up to the penny
+ education + therapy + solo premium
+ other (which needs words saying what it is for)
= the weekly price, exactly.

Hours are held as whole MINUTES a week (an int): every quarter hour, tenth of an hour and h:mm a provider
quotes is exact (10.5 h = 630, 7:20 = 440, 12.25 h = 735), sums and comparisons stay integer, and no
float ever meets money. No unit of time can make hours x rate whole pence for every rate (half an hour at
2,501p is 1,250.5p), so the staffing part is derived, never typed: it is the exact product rounded half
up once, and the check compares the sum of the derived parts with the weekly price.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from broker_tui.domain.money import format_pence, pence_problem, round_half_up
from broker_tui.domain.text_rules import text_problem

MINUTES_IN_WEEK = 7 * 24 * 60  # no one can be staffed for more hours a week than the week has
_HOURS = re.compile(r"^(\d{1,3})(?:\.(\d{1,2}))?$")
_CLOCK = re.compile(r"^(\d{1,3}):(\d{2})$")


class HoursError(ValueError):
    """The text is not a number of hours this app accepts."""


@dataclass(frozen=True, slots=True)
class WeeklyPriceParts:
    """A weekly price and the parts it is made of (integer pence a week; staffing as minutes a week times
    an hourly rate in pence)."""

    weekly_pence: int
    core_pence: int
    one_to_one_minutes: int = 0
    one_to_one_hourly_pence: int = 0
    two_to_one_minutes: int = 0
    two_to_one_hourly_pence: int = 0
    education_pence: int = 0
    therapy_pence: int = 0
    solo_premium_pence: int = 0
    other_pence: int = 0
    other_words: str = ""

    @classmethod
    def core_only(cls, weekly_pence: int) -> WeeklyPriceParts:
        """A price that is all core fee."""
        return cls(weekly_pence=weekly_pence, core_pence=weekly_pence)

    @property
    def one_to_one_pence(self) -> int:
        return staffing_pence(self.one_to_one_minutes, self.one_to_one_hourly_pence)

    @property
    def two_to_one_pence(self) -> int:
        return staffing_pence(self.two_to_one_minutes, self.two_to_one_hourly_pence)

    @property
    def parts_pence(self) -> int:
        """What the parts add to (the weekly price when the price is right)."""
        return (self.core_pence + self.one_to_one_pence + self.two_to_one_pence + self.education_pence
                + self.therapy_pence + self.solo_premium_pence + self.other_pence)


def staffing_pence(minutes: int, hourly_pence: int) -> int:
    """A staffing part: minutes a week x hourly rate / 60, rounded half up to the penny once."""
    return round_half_up(minutes * hourly_pence, 60)


PENCE_FIELDS = ("weekly_pence", "core_pence", "one_to_one_hourly_pence", "two_to_one_hourly_pence",
                "education_pence", "therapy_pence", "solo_premium_pence", "other_pence")
MINUTE_FIELDS = ("one_to_one_minutes", "two_to_one_minutes")
REQUIRED_FIELDS = ("weekly_pence", "core_pence")
_STAFFING = (("one_to_one_minutes", "one_to_one_hourly_pence", "1:1"),
             ("two_to_one_minutes", "two_to_one_hourly_pence", "2:1"))
_MISSING = object()


def _read(source: object, name: str) -> object:
    if isinstance(source, Mapping):
        return source.get(name, _MISSING)
    return getattr(source, name, _MISSING)


def _whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_price_parts(price: object) -> dict[str, str]:
    """Every problem with a price and its parts, by field name (empty: the price is right). Never raises.

    ``price`` is a WeeklyPriceParts or a mapping with its field names (from JSON, say; other keys are left
    alone, missing parts count as 0, weekly_pence and core_pence are required). Rules: each amount is a
    whole number of pence (int, not bool or float), 0 or more and no more than the app's ceiling; staffing
    is whole minutes a week, at most the 10,080 minutes a week has, and needs an hourly rate above 0; an
    other part above 0 needs words; the derived parts must add EXACTLY to the weekly price, reported
    against weekly_pence only when every part is itself sound.
    """
    problems: dict[str, str] = {}
    values: dict[str, int] = {}
    for name in PENCE_FIELDS + MINUTE_FIELDS:
        value = _read(price, name)
        if value is _MISSING or value is None:
            if name in REQUIRED_FIELDS:
                problems[name] = "is required"
                continue
            value = 0
        unit = "minutes a week" if name in MINUTE_FIELDS else "pence"
        if not _whole_number(value):
            problems[name] = f"must be a whole number of {unit}, not {type(value).__name__}"
            continue
        assert isinstance(value, int)
        if name in MINUTE_FIELDS:
            if value < 0:
                problems[name] = "is negative: hours must be 0 or more"
            elif value > MINUTES_IN_WEEK:
                problems[name] = f"is {format_hours(value)} hours: a week has only 168"
        elif problem := pence_problem(value):
            problems[name] = problem
        if name not in problems:
            values[name] = value
    for minutes, rate, label in _STAFFING:
        if values.get(minutes, 0) > 0 and values.get(rate) == 0 and rate not in problems:
            problems[rate] = f"{label} hours need an hourly rate"
    words = _read(price, "other_words")
    if words is _MISSING or words is None:
        words = ""
    if not isinstance(words, str):
        problems["other_words"] = f"must be text, not {type(words).__name__}"
    elif problem := text_problem(words):
        problems["other_words"] = problem
    elif values.get("other_pence", 0) > 0 and not words.strip():
        problems["other_words"] = f"say what the other {format_pence(values['other_pence'])} a week is for"
    if not problems:
        weekly = values["weekly_pence"]
        total = (sum(values[name] for name in PENCE_FIELDS[1:] if not name.endswith("hourly_pence"))
                 + sum(staffing_pence(values[m], values[r]) for m, r, _ in _STAFFING))
        if total != weekly:
            gap = "short of" if total < weekly else "over"
            problems["weekly_pence"] = (f"the parts add to {format_pence(total)}, {format_pence(abs(weekly - total))} "
                                        f"{gap} the weekly price of {format_pence(weekly)}")
    return problems


def parse_hours(text: str) -> int:
    """Hours a week as typed -> whole minutes: '10' -> 600, '10.5' -> 630, '12.25' -> 735, '7:20' -> 440.
    Refuses negatives, more than 168, parts of a minute (0.01 h) and nonsense, with a clear message."""
    raw = (text or "").strip().lower().removesuffix("hours").removesuffix("h").strip()
    if not raw:
        raise HoursError("Enter hours a week, for example 10.5 or 7:30")
    if raw.startswith("-"):
        raise HoursError(f"{text.strip()[:20]!r} is negative: hours must be 0 or more")
    if m := _CLOCK.match(raw):
        if int(m.group(2)) >= 60:
            raise HoursError(f"{text.strip()[:20]!r} has more than 59 minutes")
        minutes = int(m.group(1)) * 60 + int(m.group(2))
    elif m := _HOURS.match(raw):
        hundredths = int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))
        if hundredths * 60 % 100:
            raise HoursError(f"{text.strip()[:20]!r} is not a whole number of minutes (try 7:20 or 7.25)")
        minutes = hundredths * 60 // 100
    else:
        raise HoursError(f"{text.strip()[:20]!r} is not a number of hours (try 10.5 or 7:30)")
    if minutes > MINUTES_IN_WEEK:
        raise HoursError(f"{text.strip()[:20]!r} is more than the 168 hours in a week")
    return minutes


def format_hours(minutes: int) -> str:
    """Whole minutes -> hours as people write them: 600 -> '10', 630 -> '10.5', 735 -> '12.25', 440 -> '7:20'
    (decimal when two decimals are exact, h:mm otherwise); parse_hours reads every one back."""
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return str(hours)
    if rest * 100 % 60 == 0:
        return f"{hours}.{rest * 100 // 60:02d}".rstrip("0")
    return f"{hours}:{rest:02d}"
