"""The referral form's fields: what each is, how it is drawn, and how its value is read back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import format_pence
from broker_tui.domain.referrals.parse import LIVING_ALONGSIDE
from broker_tui.domain.vocabulary import (
    NEED_DOMAINS,
    NEED_LEVELS,
    RISK_TO_CHILD,
    RISK_TO_OTHERS,
    SPECIALIST_TAGS,
)


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str  # text | date | int | money | bool | select | code | types | areas
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for select


GENDERS = (("F", "Female"), ("M", "Male"), ("U", "Not known / other"))
RISK_LEVELS = (("0", "Not present"), ("1", "Present: low"), ("2", "Present: medium"), ("3", "Present: high"))

SECTIONS: tuple[tuple[str, tuple[FieldSpec, ...]], ...] = (
    ("Child", (
        FieldSpec("case_ref", "Case reference", "text", "From the case system, e.g. LCC-104233"),
        FieldSpec("initials", "Initials", "text", "Initials only: never a name"),
        FieldSpec("date_of_birth", "Date of birth", "date", "dd/mm/yyyy; or give an age"),
        FieldSpec("age_years", "Age in years", "int", "If the date of birth is not known"),
        FieldSpec("gender", "Gender", "select", options=GENDERS),
        FieldSpec("ethnicity", "Ethnicity", "code"),
        FieldSpec("religion", "Religion", "text"),
        FieldSpec("first_language", "First language", "text"),
    )),
    ("Request", (
        FieldSpec("date_received", "Date received", "date"),
        FieldSpec("social_worker", "Referring social worker", "text"),
        FieldSpec("social_work_team", "Team", "text"),
        FieldSpec("assigned_broker", "Assigned broker", "text"),
        FieldSpec("types_sought", "Placement types sought (space ticks)", "types"),
        FieldSpec("emergency", "Emergency placement", "bool"),
        FieldSpec("needed_by", "Needed by", "date", "dd/mm/yyyy"),
        FieldSpec("expected_duration_weeks", "Expected duration (weeks)", "int"),
    )),
    ("Legal", (
        FieldSpec("legal_status", "Legal status", "code"),
        FieldSpec("category_of_need", "Category of need", "code"),
        FieldSpec("current_placement", "Current placement", "text"),
        FieldSpec("move_reason", "Reason for the move", "code"),
        FieldSpec("dol_order", "Deprivation of Liberty order", "order"),
        FieldSpec("section25_order", "Section 25 (secure) order", "order"),
        FieldSpec("uasc", "Unaccompanied asylum-seeking child", "bool"),
        FieldSpec("nts_deadline", "National Transfer Scheme deadline", "date"),
    )),
    ("Health & school", (
        FieldSpec("disability_health", "Disability and health needs", "text"),
        FieldSpec("school", "School", "text"),
        FieldSpec("year_group", "Year group", "int", "0 = reception"),
        FieldSpec("ehcp", "Education, health and care plan (EHCP)", "bool"),
    )),
    ("Location", (
        FieldSpec("home_district", "Home postcode district", "text", "e.g. LE2"),
        FieldSpec("school_district", "School postcode district", "text"),
        FieldSpec("within_home_area", "Must live within Leicester", "bool"),
        FieldSpec("max_distance_miles", "Within (miles)", "int"),
        FieldSpec("avoid_areas", "Keep away from", "areas", "Districts or councils, ';' between: LE1; Nottingham 5mi"),
    )),
    ("Living", (
        FieldSpec("living_alongside", "Can live", "select", options=tuple(LIVING_ALONGSIDE.items())),
        FieldSpec("pets", "Pets", "text"),
        FieldSpec("sibling_group_size", "Sibling group size", "int", "1 = the child alone"),
        FieldSpec("siblings_together", "Place siblings together", "bool"),
        FieldSpec("contact_arrangements", "Contact arrangements", "text"),
    )),
    ("Support & budget", (
        FieldSpec("one_to_one_hours", "Extra 1:1 hours a week", "int"),
        FieldSpec("two_to_one_hours", "Extra 2:1 hours a week", "int"),
        FieldSpec("education_needed", "Education provision needed", "bool"),
        FieldSpec("therapy_needed", "Therapy needed", "bool"),
        FieldSpec("budget_weekly_pence", "Budget ceiling a week", "money", "e.g. £6,500"),
        FieldSpec("funding_social_care_pct", "Social care share %", "int"),
        FieldSpec("funding_education_pct", "Education share %", "int"),
        FieldSpec("funding_health_pct", "Health share %", "int"),
    )),
    ("Needs & risks", (
        FieldSpec("specialist_needs", "Needs and risks typed as words (Enter takes the suggestion)", "tags"),
        FieldSpec("needs", "Need profile", "needs"),
        FieldSpec("risks", "Risks", "risks"),
    )),
)
NEED_OPTIONS = tuple((str(k), f"{k} {v}") for k, v in NEED_LEVELS.items())
RISK_CODES = RISK_TO_CHILD + RISK_TO_OTHERS
ORDER_PARTS = (("court", "Court"), ("made_on", "Made on"), ("ends_on", "Ends on"), ("review_on", "Review on"))
ALL_KEYS = tuple(f.key for _title, fields in SECTIONS for f in fields)


def display_value(spec: FieldSpec, value: Any) -> Any:
    """A stored value as the form shows it."""
    if value is None:
        return "" if spec.kind in ("text", "date", "int", "money", "areas") else None
    if spec.kind == "date":
        return format_date(value)
    if spec.kind == "money":
        return format_pence(value)
    if spec.kind == "int":
        return str(value)
    return value


def error_slot(problem_key: str) -> str:
    """'needs.risk' -> 'needs'; 'risks[0].level' -> 'risks'; 'section25_order.made_on' -> 'section25_order'."""
    return problem_key.split(".", 1)[0].split("[", 1)[0]


def risk_label(code: str) -> str:
    from broker_tui.domain.tags import TAG_BY_CODE

    return TAG_BY_CODE[code].label


__all__ = ["ALL_KEYS", "NEED_DOMAINS", "NEED_OPTIONS", "ORDER_PARTS", "RISK_CODES", "RISK_LEVELS", "SECTIONS",
           "SPECIALIST_TAGS", "FieldSpec", "display_value", "error_slot", "risk_label"]
