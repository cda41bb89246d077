"""The referral's fields from the national Placements Data Standard (v2 draft, 18 July 2025), and how each
is checked. docs/placements-standard.md maps every field of the standard onto broker-tui's.

Each option set maps broker-tui's code to the standard's label, exactly as published. Not answered is
kept apart from every answer: ``""`` for a categorical field, ``None`` for yes/no, ``[]`` for a list.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from broker_tui.domain.dates import FIRST_YEAR, LAST_YEAR, DateError, parse_date
from broker_tui.domain.money import MoneyError, parse_pence, pence_problem
from broker_tui.domain.vocabulary import SERVICE_TYPE_BY_CODE, SETTING_OF_GROUP, SETTINGS

NOT_ANSWERED = ""
STANDARD_VERSION = "v2 (draft, 18 July 2025)"

COMMUNICATION_NEEDS = {"yes": "Y", "no": "N", "not_specified": "Not Specified"}
COMMUNICATION_REQUIREMENTS = {"esol": "ESOL", "bsl": "BSL", "makaton": "Makaton", "other": "Other", "none": "None"}
CULTURAL_NEEDS = {"required": "Required", "not_required": "Not required", "not_known": "Not Known", "other": "Other"}
LIVING_ALONGSIDE = {"alone": "Solo placement recommended", "with_others": "With other children recommended",
                    "older_only": "Only with other older children", "younger_only": "Only with other younger children",
                    "no_preference": "No preference"}
LIVING_WITH_PETS = {"must": "Yes - must", "can": "Yes - can", "no": "No", "not_known": "Not Known"}
ADDITIONAL_SUPPORT = {"additional_supervision": "additional supervision", "therapeutic_support": "therapeutic support",
                      "respite_worker": "a worker for respite", "taxis_to_school": "taxis to school", "none": "NA",
                      "other": "other (please specify)"}
SUITABILITY = {"preferred": "Preferred", "suitable": "Suitable but not preferred", "unsuitable": "Unsuitable",
               "not_specified": "Not specified"}
PLACEMENT_TYPES = {"residential": "Residential", "foster": "Foster", "supported_accommodation": "Supported Accommodation"}
RISK_LABELS = {True: "Risk Present", False: "No known risk"}

# The fields that say how suitable each setting is (vocabulary.SETTINGS; the setting of a service type
# group: vocabulary.SETTING_OF_GROUP).
SUITABILITY_FIELDS = {"foster": "suitability_foster", "residential": "suitability_residential",
                      "supported_accommodation": "suitability_supported"}

# The standard's risk flags and the risk tag that records each (vocabulary.TAGS).
RISK_TAG_OF_FLAG = {
    "riskSelfHarm": "self_harm", "riskSexualExploitation": "cse", "riskCriminalExploitation": "cce",
    "riskDrugAlcohol": "substance_misuse", "riskEatingDisorder": "eating_disorder", "riskMissing": "missing",
    "riskToOthersPhysical": "aggression", "riskToOthersSexual": "harmful_sexual_behaviour",
    "riskToOthersFire": "fire_setting", "riskToOthersAnimals": "harm_to_animals", "riskToOthersCriminal": "exploiting_others",
}

_CHOICES: dict[str, dict[str, str]] = {
    "communication_needs": COMMUNICATION_NEEDS, "cultural_needs": CULTURAL_NEEDS,
    "living_alongside": LIVING_ALONGSIDE, "living_with_pets": LIVING_WITH_PETS,
    "suitability_foster": SUITABILITY, "suitability_residential": SUITABILITY, "suitability_supported": SUITABILITY,
    "placed_type": PLACEMENT_TYPES,
}
_LISTS = {"communication_requirements": COMMUNICATION_REQUIREMENTS, "additional_support": ADDITIONAL_SUPPORT}
_OTHER_WORDS = {"communication_other": ("communication_requirements", "other"),
                "additional_support_other": ("additional_support", "other"),
                "cultural_needs_other": ("cultural_needs", "other")}
_WORDS = (*_OTHER_WORDS, "risk_to_child_other", "risk_to_others_other", "qa_referral_officer",
          "qa_placement_officer", "qa_cost_officer")
_YES_NO = ("home_adaptation", "placed_location_preferred", "placed_education_continuity")
_PLACES = ("preferred_location", "placed_location")
_DATES = ("qa_referral_on", "qa_placement_on", "qa_cost_on")
URN = re.compile(r"^[A-Za-z0-9]{1,12}$")

STANDARD_KEYS: tuple[str, ...] = (
    *_CHOICES, *_LISTS, *_WORDS, *_YES_NO, *_PLACES, *_DATES, "placed_weekly_cost_pence", "placed_provider_urn",
    "placed_siblings_together",
)


def empty_standard() -> dict[str, Any]:
    """Every standard field not answered."""
    out: dict[str, Any] = dict.fromkeys((*_CHOICES, *_WORDS, "placed_provider_urn"), NOT_ANSWERED)
    out.update({k: [] for k in _LISTS})
    out.update(dict.fromkeys((*_YES_NO, *_PLACES, *_DATES, "placed_weekly_cost_pence", "placed_siblings_together")))
    return out


def _one_of(what: dict[str, str]) -> str:
    return ", ".join(what) + ", or leave it not answered"


def parse_standard(raw: dict[str, Any], problems: dict[str, str], *, today: dt.date,
                   district_exists: Callable[[str], bool], la_exists: Callable[[str], bool]) -> dict[str, Any]:
    """Check the standard's fields of a request; each problem goes against its field in ``problems``."""
    out = empty_standard()

    def add(key: str, message: str) -> None:
        problems.setdefault(key, message)

    for key, options in _CHOICES.items():
        value = raw.get(key)
        if value in (None, ""):
            continue
        if not isinstance(value, str) or value not in options:
            add(key, f"must be one of {_one_of(options)}")
        else:
            out[key] = value
    for key, options in _LISTS.items():
        value = raw.get(key)
        if value in (None, []):
            continue
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            add(key, f"must be a list of {', '.join(options)}")
            continue
        unknown = [x for x in value if x not in options]
        chosen = list(dict.fromkeys(value))
        if unknown:
            add(key, f"unknown: {', '.join(unknown)} (choose from {', '.join(options)})")
        elif "none" in chosen and len(chosen) > 1:
            add(key, "'none' cannot go with other choices")
        else:
            out[key] = chosen
    for key in _WORDS:
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            add(key, "must be text")
        elif len(value.strip()) > 500:
            add(key, f"is too long ({len(value.strip())} characters; at most 500)")
        else:
            out[key] = value.strip()
    for words, (field, option) in _OTHER_WORDS.items():
        chosen = out[field]
        has_other = option in chosen if isinstance(chosen, list) else chosen == option
        if has_other and not out[words] and field not in problems:
            add(words, f"say what the other {field.replace('_', ' ')} are")
        elif out[words] and not has_other and field not in problems:
            add(words, f"is only for '{option}': choose '{option}' in {field.replace('_', ' ')} or clear these words")
    for key in _YES_NO:
        value = raw.get(key)
        if value is not None and not isinstance(value, bool):
            add(key, "must be true, false or null (not answered)")
        else:
            out[key] = value
    for key in _PLACES:
        out[key] = _place(raw.get(key), key, add, district_exists, la_exists)
    for key in _DATES:
        out[key] = _date(raw.get(key), key, add, today)
    out["placed_weekly_cost_pence"] = _cost(raw.get("placed_weekly_cost_pence"), add)
    urn = raw.get("placed_provider_urn")
    if urn not in (None, ""):
        if not isinstance(urn, str) or not URN.match(urn.strip()):
            add("placed_provider_urn", "must be an Ofsted URN such as SC123456 (letters and digits)")
        else:
            out["placed_provider_urn"] = urn.strip().upper()
    together = raw.get("placed_siblings_together")
    if isinstance(together, str) and re.fullmatch(r"\s*[0-9]{1,3}\s*", together):  # as a form types it
        together = int(together)
    if together not in (None, ""):
        if isinstance(together, bool) or not isinstance(together, int) or not 0 <= together <= 12:
            add("placed_siblings_together", "must be a whole number of siblings from 0 to 12")
        else:
            out["placed_siblings_together"] = together
    return out


def _place(value: Any, key: str, add: Callable[[str, str], None], district_exists: Callable[[str], bool],
           la_exists: Callable[[str], bool]) -> dict[str, str] | None:
    if value in (None, {}, ""):
        return None
    if not isinstance(value, dict) or value.get("kind") not in ("la", "district") or not isinstance(
            value.get("code"), str) or set(value) - {"kind", "code"}:
        add(key, "must be {kind: la|district, code}: a local authority or a postcode district, never a full postcode")
        return None
    code = value["code"].strip().upper().replace(" ", "")
    if value["kind"] == "district" and not district_exists(code):
        add(key, f"{value['code']!r} is not a postcode district (a district such as LE2, never a full postcode)")
        return None
    if value["kind"] == "la" and not la_exists(code):
        add(key, f"{value['code']!r} is not a local authority code")
        return None
    return {"kind": value["kind"], "code": code}


def _date(value: Any, key: str, add: Callable[[str, str], None], today: dt.date) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        day: dt.date | None = value
    elif isinstance(value, str):
        try:
            day = parse_date(value)
        except DateError as exc:
            add(key, str(exc))
            return None
    else:
        add(key, "must be a date (dd/mm/yyyy or yyyy-mm-dd)")
        return None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        add(key, f"is not a date this app can hold: years {FIRST_YEAR} to {LAST_YEAR} only")
        return None
    if day > today:
        add(key, "is in the future (the date the data was entered)")
        return None
    return day


def _cost(value: Any, add: Callable[[str, str], None]) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):  # as a form types it: £1,234.50
        try:
            value = parse_pence(value)
        except MoneyError as exc:
            add("placed_weekly_cost_pence", str(exc))
            return None
    if isinstance(value, bool) or not isinstance(value, int):
        add("placed_weekly_cost_pence", "must be whole pence (JSON: 6500.00 a week is 650000) or an amount like £6,500")
        return None
    if problem := pence_problem(value):
        add("placed_weekly_cost_pence", problem)
        return None
    return value


def setting_of(group: str) -> str | None:
    """The standard's setting (foster, residential, supported_accommodation) of a service type group."""
    return SETTING_OF_GROUP.get(group)


def whole_pounds(pence: int) -> int:
    """Pence as whole pounds, rounded half up (the standard's totalWeeklyCost is an integer)."""
    return (pence + 50) // 100


def setting_disagreements(types_sought: list[str], suitability: dict[str, str]) -> list[str]:
    """Where the types sought and the suitability of each setting disagree, in words. ``suitability`` maps a
    setting (vocabulary.SETTINGS) to its answer. Matching follows the suitability: an unsuitable setting is
    left out even when a type in it is sought."""
    sought: dict[str, list[str]] = {}
    for code in types_sought:
        kind = SERVICE_TYPE_BY_CODE.get(code)
        setting = SETTING_OF_GROUP.get(kind.group) if kind is not None else None
        if setting is not None and kind is not None:
            sought.setdefault(setting, []).append(kind.label)
    out = []
    for setting, words in SETTINGS.items():
        answer = suitability.get(setting, "")
        if answer == "unsuitable" and setting in sought:
            out.append(f"{', '.join(sought[setting])} sought but {words} is unsuitable: matching leaves "
                       f"{'it' if len(sought[setting]) == 1 else 'them'} out")
        elif answer == "preferred" and setting not in sought and types_sought:
            out.append(f"{words.capitalize()} is preferred but no type of it is sought")
    return out
