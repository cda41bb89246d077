"""A placement request as data: parse what a person typed (or a JSON file holds) into a checked draft.

One parser serves the form and the JSON format, so both refuse the same things with the same words.
Each problem is reported against the field it belongs to; nothing is half-accepted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from broker_tui.domain.dates import FIRST_YEAR, LAST_YEAR, DateError, parse_date
from broker_tui.domain.money import MoneyError, parse_pence, pence_problem
from broker_tui.domain.referrals.initials import read_initials
from broker_tui.domain.referrals.rules import MAX_AGE, age_facts, funding_problem, placement_type_problem
from broker_tui.domain.referrals.standard import empty_standard, parse_standard
from broker_tui.domain.text_rules import text_problems
from broker_tui.domain.vocabulary import NEED_DOMAIN_CODES, SERVICE_TYPE_BY_CODE, TAGS

CASE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_-]{2,29}$")
# Who the child can live alongside, as the form shows it; left blank it is not answered (standard.LIVING_ALONGSIDE)
LIVING_ALONGSIDE = {"alone": "Alone", "with_others": "With other children",
                    "older_only": "Only older children", "younger_only": "Only younger children",
                    "no_preference": "No preference"}
TAG_CODES = {t.code for t in TAGS}
TEXT_FIELDS = ("social_worker", "social_work_team", "assigned_broker", "gender", "ethnicity", "religion",
               "first_language", "legal_status", "category_of_need", "disability_health", "school",
               "current_placement", "move_reason", "pets", "contact_arrangements")
ORDER_FIELDS = ("court", "made_on", "ends_on", "review_on")


@dataclass
class ReferralDraft:
    """A checked placement request, ready for the store (dates as date, money as pence)."""

    case_ref: str
    initials: str
    date_received: dt.date
    needed_by: dt.date
    types_sought: list[str]
    date_of_birth: dt.date | None = None
    age_years: int | None = None
    emergency: bool = False
    expected_duration_weeks: int | None = None
    year_group: int | None = None
    ehcp: bool = False
    home_district: str | None = None
    school_district: str | None = None
    within_home_area: bool = False
    max_distance_miles: int | None = None
    avoid_areas: list[dict[str, Any]] = field(default_factory=list)
    sibling_group_size: int = 1
    siblings_together: bool = True
    dol_order: dict[str, Any] | None = None
    section25_order: dict[str, Any] | None = None
    uasc: bool = False
    nts_deadline: dt.date | None = None
    one_to_one_hours: int = 0
    two_to_one_hours: int = 0
    education_needed: bool = False
    therapy_needed: bool = False
    budget_weekly_pence: int | None = None
    funding_social_care_pct: int = 100
    funding_education_pct: int = 0
    funding_health_pct: int = 0
    needs: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NEED_DOMAIN_CODES, 0))
    risks: list[dict[str, Any]] = field(default_factory=list)
    specialist_needs: list[str] = field(default_factory=list)
    free_text_needs: list[str] = field(default_factory=list)
    text: dict[str, str] = field(default_factory=dict)  # the free-text fields of TEXT_FIELDS
    standard: dict[str, Any] = field(default_factory=empty_standard)  # domain.referrals.standard.STANDARD_KEYS

    def columns(self) -> dict[str, Any]:
        """The draft as Referral table columns."""
        out = {k: v for k, v in self.__dict__.items() if k not in ("needs", "text", "standard")}
        out.update(self.standard)
        out.update({f"need_{k}": v for k, v in self.needs.items()})
        out.update({k: self.text.get(k, "") for k in TEXT_FIELDS})
        return out


class _Problems(dict[str, str]):
    def add(self, key: str, message: str) -> None:
        self.setdefault(key, message)


def _text(raw: dict[str, Any], key: str, problems: _Problems, *, limit: int = 2000) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.add(key, "must be text")
        return ""
    value = value.strip()
    if len(value) > limit:
        problems.add(key, f"is too long ({len(value)} characters; at most {limit})")
    return value


def _date(raw: dict[str, Any], key: str, problems: _Problems, *, required: bool = False) -> dt.date | None:
    value = raw.get(key)
    if value in (None, ""):
        if required:
            problems.add(key, "is required (dd/mm/yyyy)")
        return None
    if isinstance(value, dt.date):
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            problems.add(key, f"is not a date this app can hold: years {FIRST_YEAR} to {LAST_YEAR} only")
            return None
        return value
    if not isinstance(value, str):
        problems.add(key, "must be a date (dd/mm/yyyy or yyyy-mm-dd)")
        return None
    try:
        return parse_date(value)
    except DateError as exc:
        problems.add(key, str(exc))
        return None


def _int(raw: dict[str, Any], key: str, problems: _Problems, lo: int, hi: int, *, default: int | None = None,
         what: str = "a whole number") -> int | None:
    value = raw.get(key)
    if value in (None, ""):
        return default
    if isinstance(value, str) and re.fullmatch(r"[ \t]*-?[0-9]{1,12}[ \t]*", value):  # longer: not a number we take
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(key, f"must be {what}")
        return default
    if not lo <= value <= hi:
        problems.add(key, f"must be from {lo} to {hi}")
        return default
    return value


def _bool(raw: dict[str, Any], key: str, problems: _Problems, default: bool = False) -> bool:
    value = raw.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        problems.add(key, "must be true or false")
        return default
    return value


def _district(raw: dict[str, Any], key: str, problems: _Problems, exists: Callable[[str], bool]) -> str | None:
    value = raw.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        problems.add(key, "must be a postcode district such as LE2")
        return None
    code = value.strip().upper().replace(" ", "")
    if not exists(code):
        problems.add(key, f"{value.strip()!r} is not a postcode district (try one like LE2 or NG7)")
        return None
    return code


def _order(raw: dict[str, Any], key: str, problems: _Problems) -> dict[str, Any] | None:
    value = raw.get(key)
    if value in (None, {}, ""):
        return None
    if not isinstance(value, dict):
        problems.add(key, "must give the court and the dates")
        return None
    sub = _Problems()
    court = _text(value, "court", sub, limit=200)
    dates = {k: _date(value, k, sub, required=k == "made_on") for k in ORDER_FIELDS[1:]}
    if not court:
        sub.add("court", "is required")
    for k in value:
        if k not in ORDER_FIELDS:
            sub.add(k, "is not a field of an order")
    made_on, ends_on = dates.get("made_on"), dates.get("ends_on")
    if made_on and ends_on and ends_on < made_on:
        sub.add("ends_on", "is before the date the order was made")
    for k, msg in sub.items():
        problems.add(f"{key}.{k}", msg)
    if sub:
        return None
    return {"court": court, **{k: v.isoformat() if v else None for k, v in dates.items()}}


def parse_referral(raw: object, *, today: dt.date, district_exists: Callable[[str], bool],
                   local_authority_exists: Callable[[str], bool] = lambda _c: True,
                   check_needed_by_past: bool = True) -> tuple[ReferralDraft | None, dict[str, str]]:
    """Check a placement request. Returns (draft, {}) or (None, {field: message})."""
    p = _Problems()
    if not isinstance(raw, dict):
        return None, {"(referral)": "must be a JSON object of fields"}
    bad_text = dict(text_problems(raw))  # first, so a field's text problem is the one it shows
    p.update(bad_text)
    case_ref = _text(raw, "case_ref", p, limit=30)
    if not case_ref:
        p.add("case_ref", "is required (the case system's reference)")
    elif not CASE_REF.match(case_ref):
        p.add("case_ref", "must be 3-30 letters, digits, '-', '_' or '/'")
    initials, initials_problem = read_initials(_text(raw, "initials", p, limit=200))
    if initials_problem:
        p.add("initials", initials_problem)
    received = _date(raw, "date_received", p) or today
    needed_by = _date(raw, "needed_by", p, required=True)
    if needed_by and check_needed_by_past and needed_by < today:
        p.add("needed_by", "is in the past")
    if needed_by and needed_by < received:
        p.add("needed_by", "is before the date the request was received")
    dob = _date(raw, "date_of_birth", p)
    if dob and dob > today:
        p.add("date_of_birth", "is in the future")
    age_years = _int(raw, "age_years", p, 0, MAX_AGE, what="a whole number of years")
    if "age_years" in p and "age_years" not in bad_text:
        p["age_years"] = f"must be an age from 0 to {MAX_AGE} years"
    if dob is None and age_years is None and "date_of_birth" not in p and "age_years" not in p:
        p.add("age_years", "give a date of birth or an age in years")
    facts = None
    if needed_by and (dob or age_years is not None):
        facts = age_facts(date_of_birth=dob, age_years=age_years, date_received=received, needed_by=needed_by)
        if facts and not 0 <= facts.age_years <= MAX_AGE:
            p.add("date_of_birth" if dob else "age_years", f"makes the child {facts.age_years} at the needed-by "
                  f"date: ages 0 to {MAX_AGE} only")
    types = raw.get("types_sought") or []
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        p.add("types_sought", "must be a list of service types")
        types = []
    unknown = [t for t in types if t not in SERVICE_TYPE_BY_CODE]
    if unknown:
        p.add("types_sought", f"unknown service type(s): {', '.join(unknown)}")
    if not types and "types_sought" not in p:
        p.add("types_sought", "choose at least one placement type")
    if facts and not unknown:
        problem = placement_type_problem(facts.age_years, types)
        if problem:
            p.add("types_sought", problem)
    draft = ReferralDraft(case_ref=case_ref, initials=initials, date_received=received,
                          needed_by=needed_by or today, types_sought=list(dict.fromkeys(types)),
                          date_of_birth=dob, age_years=age_years if dob is None else None)
    draft.text = {k: _text(raw, k, p) for k in TEXT_FIELDS}
    draft.emergency = _bool(raw, "emergency", p)
    draft.expected_duration_weeks = _int(raw, "expected_duration_weeks", p, 1, 52 * 10)
    draft.year_group = _int(raw, "year_group", p, 0, 14, what="a school year from 0 (reception) to 14")
    draft.ehcp = _bool(raw, "ehcp", p)
    draft.home_district = _district(raw, "home_district", p, district_exists)
    draft.school_district = _district(raw, "school_district", p, district_exists)
    draft.within_home_area = _bool(raw, "within_home_area", p)
    draft.max_distance_miles = _int(raw, "max_distance_miles", p, 1, 500, what="a whole number of miles")
    draft.avoid_areas = _avoid_areas(raw, p, district_exists, local_authority_exists)
    draft.standard = parse_standard(raw, p, today=today, district_exists=district_exists,
                                    la_exists=local_authority_exists)
    size = _int(raw, "sibling_group_size", p, 0, 12, default=1)
    if size == 0:
        p.add("sibling_group_size", "must be at least 1 (the child alone is 1)")
    draft.sibling_group_size = size or 1
    draft.siblings_together = _bool(raw, "siblings_together", p, True)
    draft.dol_order = _order(raw, "dol_order", p)
    draft.section25_order = _order(raw, "section25_order", p)
    draft.uasc = _bool(raw, "uasc", p)
    draft.nts_deadline = _date(raw, "nts_deadline", p)
    draft.one_to_one_hours = _int(raw, "one_to_one_hours", p, 0, 168, default=0, what="whole hours a week") or 0
    draft.two_to_one_hours = _int(raw, "two_to_one_hours", p, 0, 168, default=0, what="whole hours a week") or 0
    draft.education_needed = _bool(raw, "education_needed", p)
    draft.therapy_needed = _bool(raw, "therapy_needed", p)
    draft.budget_weekly_pence = _money(raw, "budget_weekly_pence", p)
    shares = [_int(raw, k, p, 0, 100, default=d, what="a whole percentage") for k, d in
              (("funding_social_care_pct", 100), ("funding_education_pct", 0), ("funding_health_pct", 0))]
    social_care, education, health = shares
    if (social_care is not None and education is not None and health is not None
            and not any(k.startswith("funding_") for k in p)):
        problem = funding_problem(social_care, education, health)
        if problem:
            p.add("funding_social_care_pct", problem)
    draft.funding_social_care_pct, draft.funding_education_pct, draft.funding_health_pct = (
        s if s is not None else 0 for s in shares)
    draft.needs = _needs(raw, p)
    draft.risks = _risks(raw, p)
    draft.specialist_needs = _tag_list(raw, "specialist_needs", p)
    free = raw.get("free_text_needs") or []
    if not isinstance(free, list) or not all(isinstance(x, str) for x in free):
        p.add("free_text_needs", "must be a list of phrases")
        free = []
    draft.free_text_needs = [x.strip() for x in free if x.strip()]
    if p:
        return None, dict(p)
    return draft, {}


def _money(raw: dict[str, Any], key: str, p: _Problems) -> int | None:
    value = raw.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        p.add(key, "must be an amount of money")
        return None
    if isinstance(value, int):
        if problem := pence_problem(value):
            p.add(key, problem)
            return None
        return value
    if isinstance(value, str):
        try:
            return parse_pence(value)
        except MoneyError as exc:
            p.add(key, str(exc))
            return None
    p.add(key, "must be whole pence (JSON) or an amount like £1,234.50")
    return None


def _needs(raw: dict[str, Any], p: _Problems) -> dict[str, int]:
    needs = dict.fromkeys(NEED_DOMAIN_CODES, 0)
    given = raw.get("needs") or {}
    if not isinstance(given, dict):
        p.add("needs", "must give a level 0-3 for each need domain")
        return needs
    for k, v in given.items():
        if k not in needs:
            p.add(f"needs.{k}", f"is not a need domain ({', '.join(NEED_DOMAIN_CODES)})")
        elif isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 3:
            p.add(f"needs.{k}", "must be a level from 0 (none) to 3 (high)")
        else:
            needs[k] = v
    return needs


def _risks(raw: dict[str, Any], p: _Problems) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    given = raw.get("risks") or []
    if not isinstance(given, list):
        p.add("risks", "must be a list of {tag, present, level}")
        return out
    seen: set[str] = set()
    for i, item in enumerate(given):
        if not isinstance(item, dict) or not isinstance(item.get("tag"), str) or item["tag"] not in TAG_CODES:
            p.add(f"risks[{i}]", "must name a known risk tag")
            continue
        level = item.get("level", 1)
        if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 3:
            p.add(f"risks[{i}].level", "must be a level from 0 to 3")
            continue
        present = item.get("present", True)
        if not isinstance(present, bool):
            p.add(f"risks[{i}].present", "must be true or false")
            continue
        if item["tag"] in seen:
            continue
        seen.add(item["tag"])
        out.append({"tag": item["tag"], "present": present, "level": level})
    return out


def _tag_list(raw: dict[str, Any], key: str, p: _Problems) -> list[str]:
    given = raw.get(key) or []
    if not isinstance(given, list) or not all(isinstance(x, str) for x in given):
        p.add(key, "must be a list of tags")
        return []
    unknown = [x for x in given if x not in TAG_CODES]
    if unknown:
        p.add(key, f"unknown tag(s): {', '.join(unknown)} (keep other words as free text)")
    return [x for x in dict.fromkeys(given) if x in TAG_CODES]


def _avoid_areas(raw: dict[str, Any], p: _Problems, district_exists: Callable[[str], bool],
                 la_exists: Callable[[str], bool]) -> list[dict[str, Any]]:
    given = raw.get("avoid_areas") or []
    if not isinstance(given, list):
        p.add("avoid_areas", "must be a list of areas")
        return []
    out = []
    for i, item in enumerate(given):
        key = f"avoid_areas[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("kind"), str) or item["kind"] not in ("la", "district"):
            p.add(key, "must be {kind: la|district, code, radius_miles?}")
            continue
        code = str(item.get("code", "")).strip().upper().replace(" ", "")
        if item["kind"] == "district" and not district_exists(code):
            p.add(key, f"{item.get('code')!r} is not a postcode district")
            continue
        if item["kind"] == "la" and not la_exists(code):
            p.add(key, f"{item.get('code')!r} is not a local authority code")
            continue
        radius = item.get("radius_miles")
        if radius is not None and (isinstance(radius, bool) or not isinstance(radius, int) or not 0 <= radius <= 100):
            p.add(key, "radius_miles must be a whole number of miles from 0 to 100")
            continue
        out.append({"kind": item["kind"], "code": code, "radius_miles": radius})
    return out
