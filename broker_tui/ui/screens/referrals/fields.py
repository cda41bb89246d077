"""The referral form's fields: what each is, how it is drawn, and how its value is read back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import format_pence
from broker_tui.domain.referrals import standard as st
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
    kind: str  # text | date | int | money | bool | select | code | types | areas | place | tri | choices
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for select and choices
    prompt: str = "Choose…"  # a select with nothing chosen


def _standard(key: str, label: str, options: dict[str, str], kind: str = "select", hint: str = "") -> FieldSpec:
    """A field of the Placements Data Standard: its options labelled as the standard labels them; left
    alone it is not answered."""
    return FieldSpec(key, label, kind, hint, tuple(options.items()), prompt="Not answered")


YES_NO = {"yes": "Yes", "no": "No"}


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
        _standard("cultural_needs", "Cultural needs", st.CULTURAL_NEEDS),
        FieldSpec("cultural_needs_other", "Other cultural needs", "text", "Only with 'Other'"),
    )),
    ("Request", (
        FieldSpec("date_received", "Date received", "date"),
        FieldSpec("social_worker", "Referring social worker", "text"),
        FieldSpec("social_work_team", "Team", "text"),
        FieldSpec("assigned_broker", "Assigned broker", "text"),
        FieldSpec("types_sought", "Placement types sought (space ticks)", "types"),
        _standard("suitability_foster", "Suitability: foster care", st.SUITABILITY),
        _standard("suitability_residential", "Suitability: residential care", st.SUITABILITY),
        _standard("suitability_supported", "Suitability: supported accomm.", st.SUITABILITY),
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
        _standard("home_adaptation", "Home adaptation needed", YES_NO, "tri"),
        _standard("communication_needs", "Communication needs", st.COMMUNICATION_NEEDS),
        _standard("communication_requirements", "Communication requirements (space ticks)",
                  st.COMMUNICATION_REQUIREMENTS, "choices"),
        FieldSpec("communication_other", "Other communication requirement", "text", "Only with 'Other'"),
    )),
    ("Location", (
        FieldSpec("home_district", "Home postcode district", "text", "e.g. LE2"),
        FieldSpec("school_district", "School postcode district", "text"),
        FieldSpec("within_home_area", "Must live within Leicester", "bool"),
        FieldSpec("max_distance_miles", "Within (miles)", "int"),
        FieldSpec("avoid_areas", "Keep away from", "areas", "Districts or councils, ';' between: LE1; Nottingham 5mi"),
        FieldSpec("preferred_location", "Preferred location", "place", "One district or council: LE2, Leicester"),
    )),
    ("Living", (
        FieldSpec("living_alongside", "Can live", "select", options=tuple(LIVING_ALONGSIDE.items())),
        _standard("living_with_pets", "Living with pets", st.LIVING_WITH_PETS),
        FieldSpec("pets", "Pets (notes)", "text"),
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
        _standard("additional_support", "Additional support (space ticks)", st.ADDITIONAL_SUPPORT, "choices"),
        FieldSpec("additional_support_other", "Other support", "text", "Only with 'other'"),
    )),
    ("Needs & risks", (
        FieldSpec("specialist_needs", "Needs and risks typed as words (Enter takes the suggestion)", "tags"),
        FieldSpec("needs", "Need profile", "needs"),
        FieldSpec("risks", "Risks", "risks"),
        FieldSpec("risk_to_child_other", "Other risk to the child", "text", "In words"),
        FieldSpec("risk_to_others_other", "Other risk to others", "text", "In words"),
    )),
    ("Placement & QA", (
        _standard("placed_type", "Placed: type", st.PLACEMENT_TYPES, hint="Left blank: from the recorded purchase"),
        FieldSpec("placed_weekly_cost_pence", "Placed: weekly cost", "money", "Left blank: from the purchase"),
        FieldSpec("placed_location", "Placed: location", "place", "A district or council; blank: from the purchase"),
        _standard("placed_location_preferred", "Placed in the preferred location", YES_NO, "tri"),
        _standard("placed_education_continuity", "School kept", YES_NO, "tri"),
        FieldSpec("placed_provider_urn", "Placed: provider URN", "text", "Left blank: from the purchase"),
        FieldSpec("placed_siblings_together", "Siblings placed together", "int", "How many"),
        FieldSpec("qa_referral_officer", "Referral checked by", "text", "ctrl+t: you, today"),
        FieldSpec("qa_referral_on", "Referral checked on", "date", "dd/mm/yyyy"),
        FieldSpec("qa_placement_officer", "Placement checked by", "text", "ctrl+t: you, today"),
        FieldSpec("qa_placement_on", "Placement checked on", "date", "dd/mm/yyyy"),
        FieldSpec("qa_cost_officer", "Cost checked by", "text", "ctrl+t: you, today"),
        FieldSpec("qa_cost_on", "Cost checked on", "date", "dd/mm/yyyy"),
    )),
)
NEED_OPTIONS = tuple((str(k), f"{k} {v}") for k, v in NEED_LEVELS.items())
RISK_CODES = RISK_TO_CHILD + RISK_TO_OTHERS
ORDER_PARTS = (("court", "Court"), ("made_on", "Made on"), ("ends_on", "Ends on"), ("review_on", "Review on"))
ALL_KEYS = tuple(f.key for _title, fields in SECTIONS for f in fields)
INPUT_KINDS = ("text", "date", "int", "money", "areas", "place")  # typed into an Input


def initial_state(values: dict[str, Any], support: Any) -> dict[str, Any]:
    """The form's own state from parser-format values: text as shown, choices as chosen."""
    state: dict[str, Any] = {}
    for _title, fields in SECTIONS:
        for spec in fields:
            value = values.get(spec.key)
            if spec.kind == "areas":
                state[spec.key] = support.areas_text(value or [])
            elif spec.kind == "place":
                state[spec.key] = support.place_text(value)
            elif spec.kind == "tri":
                state[spec.key] = None if value is None else "yes" if value else "no"
            elif spec.kind == "choices":
                state[spec.key] = list(value or [])
            elif spec.kind in INPUT_KINDS:
                state[spec.key] = str(display_value(spec, value))
            elif spec.kind == "bool":
                state[spec.key] = bool(value) if value is not None else spec.key == "siblings_together"
            elif spec.kind in ("select", "code"):
                state[spec.key] = value or None
            elif spec.kind == "types":
                state[spec.key] = list(value or [])
            elif spec.kind == "order":
                order = value or {}
                state[spec.key] = {p: (order.get(p) or "") if p == "court" else
                                   display_value(FieldSpec(p, p, "date"), order.get(p)) for p, _l in ORDER_PARTS}
            elif spec.kind == "needs":
                state[spec.key] = {d.code: (value or {}).get(d.code, 0) for d in NEED_DOMAINS}
            elif spec.kind == "risks":
                given = {r["tag"]: r for r in value or []}
                state[spec.key] = {c: given[c]["level"] if c in given and given[c].get("present") else 0
                                   for c in RISK_CODES}
                # the risks answered, present or not ("no known risk" is an answer), in the order recorded:
                # one left at "not present" that nobody answered stays not answered
                state["risks_answered"] = [c for c in given if c in RISK_CODES]
            elif spec.kind == "tags":
                state[spec.key] = (list(value or []), list(values.get("free_text_needs") or []))
    return state


def raw_from_state(state: dict[str, Any]) -> dict[str, Any]:
    """The form's state as the parser takes it."""
    raw: dict[str, Any] = {}
    for _title, fields in SECTIONS:
        for spec in fields:
            v = state[spec.key]
            if spec.kind in ("areas", "place"):
                raw[f"{spec.key}_text"] = v
            elif spec.kind == "tri":
                raw[spec.key] = {"yes": True, "no": False}.get(v or "")
            elif spec.kind == "text":
                raw[spec.key] = v.strip()
            elif spec.kind in INPUT_KINDS:
                raw[spec.key] = v.strip() or None
            elif spec.kind in ("select", "code"):
                raw[spec.key] = v or ""
            elif spec.kind == "order":
                raw[spec.key] = {k: x.strip() for k, x in v.items() if x.strip()} or None
            elif spec.kind == "risks":
                answered = list(state.get("risks_answered", []))
                order = [*answered, *(c for c in v if c not in answered)]
                raw[spec.key] = [{"tag": c, "present": True, "level": v[c]} if v[c] else
                                 {"tag": c, "present": False, "level": 0} for c in order
                                 if v[c] or c in answered]
            elif spec.kind == "tags":
                raw["specialist_needs"], raw["free_text_needs"] = list(v[0]), list(v[1])
            else:
                raw[spec.key] = v
    return raw


def display_value(spec: FieldSpec, value: Any) -> Any:
    """A stored value as the form shows it."""
    if value is None:
        return "" if spec.kind in INPUT_KINDS else None
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


__all__ = ["ALL_KEYS", "INPUT_KINDS", "NEED_DOMAINS", "NEED_OPTIONS", "ORDER_PARTS", "RISK_CODES", "RISK_LEVELS", "SECTIONS",
           "SPECIALIST_TAGS", "FieldSpec", "display_value", "error_slot", "initial_state", "raw_from_state", "risk_label"]
