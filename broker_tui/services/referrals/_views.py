"""What the screens and the CLI see of a referral: plain values, derived facts, and the JSON format.

The JSON format (schemas/referral.schema.json) is the one the services use: `referrals show --json`
prints it and `referrals add` accepts it. Read-only keys (id, version, status, derived) are ignored
on input.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from broker_tui.domain.dates import format_date
from broker_tui.domain.referrals.parse import TEXT_FIELDS
from broker_tui.domain.referrals.rules import URGENCY_LABELS, age_facts, urgency
from broker_tui.domain.referrals.standard import STANDARD_KEYS
from broker_tui.domain.vocabulary import NEED_DOMAIN_CODES, OPEN_REFERRAL_STATUSES, REFERRAL_STATUSES

INPUT_KEYS = (
    "case_ref", "initials", "date_received", *TEXT_FIELDS, "date_of_birth", "age_years", "year_group", "ehcp",
    "types_sought", "emergency", "needed_by", "expected_duration_weeks", "home_district", "school_district",
    "within_home_area", "max_distance_miles", "avoid_areas", "living_alongside", "sibling_group_size",
    "siblings_together", "dol_order", "section25_order", "uasc", "nts_deadline", "one_to_one_hours",
    "two_to_one_hours", "education_needed", "therapy_needed", "budget_weekly_pence", "funding_social_care_pct",
    "funding_education_pct", "funding_health_pct", "needs", "risks", "specialist_needs", "free_text_needs",
    *(k for k in STANDARD_KEYS if k != "living_alongside"),
)
PRIVATE_KEYS = ("initials", "date_of_birth")
READ_ONLY_KEYS = ("id", "version", "status", "previous_referral_id", "withdrawn_reason", "closed_on", "derived")


@dataclass(frozen=True)
class ReferralView:
    """A referral as stored, plus what follows from it today."""

    id: uuid.UUID
    version: int
    status: str
    values: dict[str, Any]  # every INPUT_KEYS value, typed (dates as date)
    previous_referral_id: uuid.UUID | None
    withdrawn_reason: str | None
    closed_on: dt.date | None
    age_years: int | None
    eighteenth_birthday: dt.date | None
    eighteenth_estimated: bool
    urgency: str
    days_open: int
    updated_at: dt.datetime | None = None
    raw_row: Any = field(default=None, repr=False, compare=False)  # the row as opened, for stale checks

    @property
    def case_ref(self) -> str:
        case_ref: str = self.values["case_ref"]
        return case_ref

    @property
    def initials(self) -> str:
        initials: str = self.values["initials"]
        return initials

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES

    @property
    def status_label(self) -> str:
        return REFERRAL_STATUSES.get(self.status, self.status)

    @property
    def urgency_label(self) -> str:
        return URGENCY_LABELS[self.urgency]

    def to_json(self, *, include_private: bool = True) -> dict[str, Any]:
        """The referral in the services' JSON format. ``include_private=False`` (lists, exports) leaves out
        the initials and the date of birth; only a single referral asked for by name carries them."""
        out: dict[str, Any] = {"id": str(self.id), "version": self.version, "status": self.status}
        for k in INPUT_KEYS:
            if not include_private and k in PRIVATE_KEYS:
                continue
            out[k] = _jsonable(self.values.get(k))
        out["previous_referral_id"] = str(self.previous_referral_id) if self.previous_referral_id else None
        out["withdrawn_reason"] = self.withdrawn_reason
        out["closed_on"] = _jsonable(self.closed_on)
        out["derived"] = {
            "age_at_needed_by": self.age_years,
            "eighteenth_birthday": _jsonable(self.eighteenth_birthday),
            "eighteenth_birthday_estimated": self.eighteenth_estimated,
            "urgency": self.urgency,
            "days_open": self.days_open,
        }
        return out

    def to_line(self) -> str:
        """One line for terminals and logs: case reference, never initials or dates of birth."""
        return (f"{self.case_ref:14} {self.status_label:18} {self.urgency_label:9} "
                f"needed by {format_date(self.values['needed_by'])}  {self.days_open} days open")

    def form_values(self) -> dict[str, Any]:
        """The values as the parser accepts them back (for editing and 'start from previous')."""
        return {k: self.values.get(k) for k in INPUT_KEYS}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def view_of(row: Any, today: dt.date) -> ReferralView:
    """Build the view of a Referral row (any object with its columns)."""
    values: dict[str, Any] = {}
    for k in INPUT_KEYS:
        if k == "needs":
            values[k] = {d: getattr(row, f"need_{d}") for d in NEED_DOMAIN_CODES}
        else:
            values[k] = getattr(row, k)
    facts = age_facts(date_of_birth=row.date_of_birth, age_years=row.age_years, date_received=row.date_received,
                      needed_by=row.needed_by)
    end = today if row.status in OPEN_REFERRAL_STATUSES or row.closed_on is None else row.closed_on
    return ReferralView(
        id=row.id, version=row.version, status=row.status, values=values,
        previous_referral_id=row.previous_referral_id, withdrawn_reason=row.withdrawn_reason,
        closed_on=row.closed_on, age_years=facts.age_years if facts else None,
        eighteenth_birthday=facts.eighteenth_birthday if facts else None,
        eighteenth_estimated=facts.estimated if facts else False,
        urgency=urgency(row.needed_by, today), days_open=max(0, (end - row.date_received).days),
        updated_at=getattr(row, "updated_at", None), raw_row=row,
    )
