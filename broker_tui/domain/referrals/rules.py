"""Rules of a placement request: age, urgency, funding shares, the law on where a child may live,
and the status workflow. Pure functions over plain values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from broker_tui.domain.funding import share_out_of_range, shares_total_problem
from broker_tui.domain.vocabulary import SERVICE_TYPE_BY_CODE

URGENT_WITHIN_DAYS = 5
MAX_AGE = 25


@dataclass(frozen=True)
class AgeFacts:
    age_years: int  # at the needed-by date
    eighteenth_birthday: dt.date
    estimated: bool  # True when only an age was given, so the 18th birthday is an estimate


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year + years, day=28)


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def age_facts(*, date_of_birth: dt.date | None, age_years: int | None, date_received: dt.date,
              needed_by: dt.date) -> AgeFacts | None:
    """The child's age at the needed-by date and their 18th birthday.

    With a date of birth both are exact. With only an age (as told on the date received), the child is
    taken to be half-way through that year of age, so the 18th birthday is an estimate and says so.
    """
    if date_of_birth is not None:
        return AgeFacts(age_on(date_of_birth, needed_by), _add_years(date_of_birth, 18), False)
    if age_years is None:
        return None
    estimated_birth = _add_years(date_received, -age_years) - dt.timedelta(days=182)
    return AgeFacts(age_on(estimated_birth, needed_by), _add_years(estimated_birth, 18), True)


def urgency(needed_by: dt.date, today: dt.date) -> str:
    """emergency (needed today or overdue), urgent (within 5 days), planned (later)."""
    days = (needed_by - today).days
    if days <= 0:
        return "emergency"
    if days <= URGENT_WITHIN_DAYS:
        return "urgent"
    return "planned"


URGENCY_ORDER = {"emergency": 0, "urgent": 1, "planned": 2}
URGENCY_LABELS = {"emergency": "Emergency", "urgent": "Urgent", "planned": "Planned"}


def funding_problem(social_care_pct: int, education_pct: int, health_pct: int) -> str | None:
    shares = (social_care_pct, education_pct, health_pct)
    if any(share_out_of_range(s) for s in shares):
        return "each funding share must be between 0% and 100%"
    return shares_total_problem(shares)


def placement_type_problem(age_years: int | None, types_sought: list[str]) -> str | None:
    """A child under 16 may not live in supported accommodation (Care Planning Regulations, since
    9 September 2021): refuse a request that seeks only that."""
    if age_years is None or age_years >= 16 or not types_sought:
        return None
    allowed = [t for t in types_sought if SERVICE_TYPE_BY_CODE.get(t) and
               SERVICE_TYPE_BY_CODE[t].group not in ("supported", "leaving_care")]
    if not allowed:
        return ("a child under 16 may not be placed in supported accommodation or other unregulated "
                "arrangements (since 9 September 2021): seek foster care or a children's home")
    return None


# The status workflow. Statuses that record an act are reached by that act, never chosen by hand.
STATUS_BY_ACT = {
    "sent_to_providers": "sending the referral to providers",
    "offers_received": "recording an offer",
    "placement_agreed": "accepting an offer",
    "placed": "recording the placement",
}
MANUAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("searching", "withdrawn"),
    "searching": ("withdrawn",),
    "sent_to_providers": ("searching", "withdrawn"),
    "offers_received": ("searching", "withdrawn"),
    "placement_agreed": ("withdrawn",),
    "placed": ("closed",),
    "withdrawn": (),
    "closed": (),
}
ACT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "sent_to_providers": ("searching", "sent_to_providers", "offers_received"),
    "offers_received": ("sent_to_providers", "offers_received"),
    "placement_agreed": ("offers_received",),
    "placed": ("placement_agreed",),
}


def manual_transitions(status: str) -> tuple[str, ...]:
    return MANUAL_TRANSITIONS.get(status, ())


def transition_problem(current: str, new: str, *, by_act: bool = False) -> str | None:
    if new == current and not by_act:
        return f"the referral is already {current.replace('_', ' ')}"
    if by_act:
        if current in ACT_TRANSITIONS.get(new, ()):
            return None
        return f"a referral that is {current.replace('_', ' ')} cannot become {new.replace('_', ' ')}"
    if new in STATUS_BY_ACT:
        return f"{new.replace('_', ' ')} is reached by {STATUS_BY_ACT[new]}, not chosen by hand"
    if new not in manual_transitions(current):
        return f"a referral that is {current.replace('_', ' ')} cannot become {new.replace('_', ' ')}"
    return None


REPLY_WORKING_DAYS = 2  # providers are asked to reply within two working days


def add_working_days(day: dt.date, days: int) -> dt.date:
    """``days`` working days (Monday to Friday) after ``day``; bank holidays are not known here."""
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def default_reply_by(today: dt.date, needed_by: dt.date | None) -> dt.date:
    """The reply deadline offered when a referral is sent: two working days, but no later than the day
    before the child is needed, and never before today (an emergency: today)."""
    due = add_working_days(today, REPLY_WORKING_DAYS)
    if needed_by is not None:
        due = min(due, needed_by - dt.timedelta(days=1))
    return max(due, today)
