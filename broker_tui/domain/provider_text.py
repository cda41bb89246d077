"""The anonymised referral text sent to providers: what they need to say yes or no, and nothing that
identifies the child.

It holds the case reference, the child's age in years, gender, the placement types sought, needs by
domain and level, risks with their levels, specialist needs, the location requirement (home or school
district, within the home area or within N miles, areas to avoid by name), the sibling group, the
support expected, the needed-by date, the expected duration and the reply deadline.

It never holds a name, the initials or the date of birth, nor the 18th birthday (which gives the date
of birth away), nor free text typed about the child (which may name people): only the keys listed in
``USED_KEYS`` are read, and ``leaks`` checks a text for a date of birth in every format it is written.
Pure: plain values in, plain text out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from broker_tui.domain.dates import format_date
from broker_tui.domain.vocabulary import NEED_DOMAINS, NEED_LEVELS, SPECIALIST_TAGS, service_type_label

# The referral values this text may read (ReferralView.values keys). Never initials or date_of_birth.
USED_KEYS = (
    "case_ref", "gender", "types_sought", "needs", "risks", "specialist_needs", "home_district",
    "school_district", "within_home_area", "max_distance_miles", "avoid_areas", "sibling_group_size",
    "siblings_together", "one_to_one_hours", "two_to_one_hours", "education_needed", "therapy_needed",
    "dol_order", "section25_order", "uasc", "emergency", "needed_by", "expected_duration_weeks",
)
FOOTER = ("This referral is anonymised: the child's name, initials and date of birth are shared only "
          "once a placement is agreed.")


def _level(value: Any) -> str:
    try:
        return NEED_LEVELS.get(int(value), str(value))
    except (TypeError, ValueError):
        return str(value)


def _location_lines(values: Mapping[str, Any], home_la_name: str, la_names: Mapping[str, str]) -> list[str]:
    lines = []
    home, school = values.get("home_district"), values.get("school_district")
    if home:
        lines.append(f"Home district: {home}")
    if school:
        lines.append(f"School district: {school}")
    if values.get("within_home_area"):
        lines.append(f"Must be within {home_la_name}")
    miles = values.get("max_distance_miles")
    if miles:
        origin = school or home or home_la_name
        lines.append(f"Within {miles} miles of {origin}")
    avoid = []
    for area in values.get("avoid_areas") or ():
        code = str(area.get("code") or "")
        if area.get("kind") == "la":
            avoid.append(la_names.get(code, code))
        else:
            radius = int(area.get("radius_miles") or 0)
            avoid.append(f"{code} and within {radius} miles of it" if radius else code)
    if avoid:
        lines.append("Areas to avoid: " + "; ".join(avoid))
    if not lines:
        lines.append(f"No location requirement given (distances are measured from {home_la_name})")
    return lines


def _support_lines(values: Mapping[str, Any]) -> list[str]:
    lines = []
    one, two = int(values.get("one_to_one_hours") or 0), int(values.get("two_to_one_hours") or 0)
    if one:
        lines.append(f"1:1 staffing: {one} hours a week")
    if two:
        lines.append(f"2:1 staffing: {two} hours a week")
    if values.get("education_needed"):
        lines.append("Education provision needed")
    if values.get("therapy_needed"):
        lines.append("Therapy needed")
    if values.get("dol_order"):
        lines.append("A Deprivation of Liberty order is in place: the home must be able to meet its conditions")
    if values.get("section25_order"):
        lines.append("A section 25 (secure accommodation) order is in place")
    if values.get("uasc"):
        lines.append("Unaccompanied asylum-seeking child (UASC)")
    return lines or ["No extra support beyond the core placement"]


def provider_text(values: Mapping[str, Any], *, age_years: int | None, reply_due_on: dt.date,
                  home_la_name: str = "Leicester", la_names: Mapping[str, str] | None = None) -> str:
    """The referral as plain text ready to paste into an email or a portal.

    ``values`` are a referral's values (ReferralView.values: only USED_KEYS are read); ``age_years`` is
    the age at the needed-by date; ``la_names`` names the local authorities among the areas to avoid.
    """
    v = {k: values.get(k) for k in USED_KEYS}
    la_names = la_names or {}
    lines = [f"Placement referral {v['case_ref']}", f"Reply by: {format_date(reply_due_on)}", ""]
    lines.append("The child")
    lines.append(f"  Age: {age_years} years" if age_years is not None else "  Age: not known")
    gender = str(v["gender"] or "").strip()
    lines.append(f"  Gender: {gender[:1].upper() + gender[1:] if gender else 'not stated'}")
    size = int(v["sibling_group_size"] or 1)
    if size > 1:
        together = "to be placed together" if v["siblings_together"] in (True, None) else "may be placed apart"
        lines.append(f"  Sibling group: {size} children, {together}")
    else:
        lines.append("  Sibling group: no (one child)")
    lines += ["", "Placement sought"]
    types = ", ".join(service_type_label(t) for t in v["types_sought"] or ()) or "not stated"
    lines.append(f"  Types: {types}")
    needed = format_date(v["needed_by"]) if v["needed_by"] else "not stated"
    lines.append(f"  Needed by: {needed}" + (" (emergency)" if v["emergency"] else ""))
    weeks = v["expected_duration_weeks"]
    lines.append(f"  Expected duration: {weeks} weeks" if weeks else "  Expected duration: not stated")
    lines += ["", "Location"] + [f"  {line}" for line in _location_lines(v, home_la_name, la_names)]
    lines += ["", "Needs (level: none, low, medium, high)"]
    needs = v["needs"] or {}
    shown = [f"  {d.label}: {_level(needs.get(d.code))}" for d in NEED_DOMAINS if int(needs.get(d.code) or 0) > 0]
    lines += shown or ["  No needs above none recorded"]
    lines += ["", "Risks"]
    risks = [r for r in v["risks"] or () if r.get("present", True)]
    lines += [f"  {SPECIALIST_TAGS.get(r.get('tag'), r.get('tag'))}"
              + (f": {_level(r['level'])}" if r.get("level") is not None else "") for r in risks] or ["  None recorded"]
    lines += ["", "Specialist needs"]
    lines += [f"  {SPECIALIST_TAGS.get(t, t)}" for t in v["specialist_needs"] or ()] or ["  None recorded"]
    lines += ["", "Support expected"] + [f"  {line}" for line in _support_lines(v)]
    lines += ["", FOOTER]
    return "\n".join(lines) + "\n"


def date_forms(day: dt.date) -> tuple[str, ...]:
    """The ways a date is commonly written: ISO, dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, 1 May 2012."""
    d, m, y = day.day, day.month, day.year
    return (day.isoformat(), f"{d:02d}/{m:02d}/{y}", f"{d}/{m}/{y}", f"{d:02d}-{m:02d}-{y}",
            f"{d:02d}.{m:02d}.{y}", f"{d} {day.strftime('%B')} {y}", f"{d} {day.strftime('%b')} {y}",
            f"{y}{m:02d}{d:02d}")


def leaks(text: str, *, initials: str | None = None, date_of_birth: dt.date | None = None,
          eighteenth_birthday: dt.date | None = None) -> list[str]:
    """What in ``text`` gives the child away: the initials as a word of their own (case-sensitive), the
    date of birth or the 18th birthday in any common format. Empty when the text is clean."""
    found = []
    word = (initials or "").strip()
    if word and re.search(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", text):
        found.append("initials")
    for what, day in (("date of birth", date_of_birth), ("18th birthday", eighteenth_birthday)):
        if day is not None and any(form in text for form in date_forms(day)):
            found.append(what)
    return found
