"""Reading records in the national Placements Data Standard (v2 draft, 18 July 2025) back in: the rows of an
export (ours or another council's), checked whole, as sufficiency records (docs/placements-standard.md).

A row is a dict of the standard's fields: from JSON, its values; from CSV, text (lists joined with '; ',
yes/no as Yes/No or true/false, an empty cell not answered). Every field is checked: a field name the
standard does not have, an option that is not one of its labels exactly (spaces round it aside), a childId
that is not a non-negative whole number, a weekly cost that is not whole pounds from 0 to 100,000, a URN
that is not letters and digits, a date that is not one (ISO or dd/mm/yyyy) or is in the future, a location
that is not a local authority's name or a postcode district (a full postcode is refused: it can point at a
home), and text with control characters. Each problem is (line, field, message): the line is the file's
own (a JSON list's item number from 1, a CSV file's line).

What is read keeps every field of the row as the export writes it (``fields``, not answered as ``""``,
``None`` or ``[]``) and, typed, what a forecast counts on. Pure: which districts and authorities exist is
asked of the caller.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from broker_tui.domain.dates import DateError, parse_date
from broker_tui.domain.geo import outward_code
from broker_tui.domain.referrals import standard as st
from broker_tui.domain.text_rules import printable, text_problem

# The standard's fields in its order (placements.json).
FIELDS = (
    "childId", "neededBy", "siblingCount", "preferredLocation",
    "communicationNeeds", "specificCommunicationRequirements", "homeAdaptation", "culturalNeeds", "livingCompanions",
    "pets", "additionalSupport", "deprivationOfLiberty",
    "fosterCareSuitability", "residentialCareSuitability", "supportedAccommodationSuitability",
    "riskSelfHarm", "riskSexualExploitation", "riskCriminalExploitation", "riskDrugAlcohol", "riskEatingDisorder",
    "riskMissing", "riskOther", "riskToOthersPhysical", "riskToOthersSexual", "riskToOthersFire",
    "riskToOthersAnimals", "riskToOthersCriminal", "riskToOthersOther",
    "totalWeeklyCost", "placementLocation", "preferabilityLocation", "educationContinuity", "providerURN",
    "siblingsPlacedTogether", "placementType",
    "referralOfficerName", "referralDate", "placementOfficerName", "placementDate", "costOfficerName", "costDate",
)
NEEDED_BY = ("Today", "in less than 5 days", "in more than 5 days")
SUITABILITY_OF = {"fosterCareSuitability": "foster", "residentialCareSuitability": "residential",
                  "supportedAccommodationSuitability": "supported"}
CHOICES: dict[str, tuple[str, ...]] = {
    "neededBy": NEEDED_BY, "communicationNeeds": tuple(st.COMMUNICATION_NEEDS.values()),
    "culturalNeeds": tuple(st.CULTURAL_NEEDS.values()), "livingCompanions": tuple(st.LIVING_ALONGSIDE.values()),
    "pets": tuple(st.LIVING_WITH_PETS.values()), **dict.fromkeys(SUITABILITY_OF, tuple(st.SUITABILITY.values())),
    **dict.fromkeys(st.RISK_TAG_OF_FLAG, (st.RISK_LABELS[False], st.RISK_LABELS[True])),
    "placementType": tuple(st.PLACEMENT_TYPES.values()),
}
# a list field's options and the one that means none (which cannot go with another)
LISTS: dict[str, tuple[tuple[str, ...], str]] = {
    "specificCommunicationRequirements": (tuple(st.COMMUNICATION_REQUIREMENTS.values()), "None"),
    "additionalSupport": (tuple(st.ADDITIONAL_SUPPORT.values()), "NA"),
}
BOOLEANS = ("homeAdaptation", "deprivationOfLiberty", "preferabilityLocation", "educationContinuity")
COUNTS = {"siblingCount": 20, "siblingsPlacedTogether": 20}  # whole numbers from 0 to the most
PLACES = ("preferredLocation", "placementLocation")
DATES = ("referralDate", "placementDate", "costDate")
WORDS = ("riskOther", "riskToOthersOther")  # the child's words: no full postcode either
NAMES = ("referralOfficerName", "placementOfficerName", "costOfficerName")
MAX_CHILD_ID = 2**63 - 1
MAX_WEEKLY_POUNDS = 100_000
MAX_WORDS = 500
_CODE_OF_SUITABILITY = {label: code for code, label in st.SUITABILITY.items()}
_CODE_OF_PLACEMENT_TYPE = {label: code for code, label in st.PLACEMENT_TYPES.items()}
_WHOLE = re.compile(r"^[0-9]{1,19}$")
_POSTCODE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*[0-9][A-Za-z]{2}(?![A-Za-z0-9])")
NOT_A_FIELD = "is not a field of the Placements Data Standard (v2); the fields are named as the standard names them"


class StandardProblem(NamedTuple):
    line: int  # the file's own: a JSON list's item from 1, a CSV line; 0 for the file as a whole
    field: str
    message: str


@dataclass(frozen=True)
class SufficiencyRow:
    """One record read: every field as the export writes it, and what a forecast counts on, typed."""

    line: int
    fields: dict[str, Any]
    child_id: int
    needed_by: str  # the standard's label, or "" not answered
    placement_type: str  # residential | foster | supported_accommodation | ""
    total_weekly_cost_pence: int | None
    referral_date: dt.date | None
    placement_date: dt.date | None
    suitability_foster: str  # preferred | suitable | unsuitable | not_specified | ""
    suitability_residential: str
    suitability_supported: str
    preferred_location: dict[str, str] | None  # {"kind": "la"|"district", "code"}
    placement_location: dict[str, str] | None


class _Bad(ValueError):
    pass


# (kind, code) of a local authority named (its name or ONS code, any case) -> (its ONS code, its name)
FindAuthority = Callable[[str], tuple[str, str] | None]


def not_answered(name: str) -> Any:
    """How the export writes a field nobody answered."""
    if name in LISTS:
        return []
    if name in BOOLEANS or name in COUNTS or name in ("childId", "totalWeeklyCost"):
        return None
    return ""


def header_problems(names: Iterable[str | None]) -> list[StandardProblem]:
    """A CSV file's first line: every name a field of the standard, each once."""
    out: list[StandardProblem] = []
    seen: set[str] = set()
    for name in names:
        shown = printable((name or "").strip())[:60] or "(a column with no name)"
        if name is None or name.strip() not in FIELDS:
            out.append(StandardProblem(1, shown, NOT_A_FIELD))
        elif name.strip() in seen:
            out.append(StandardProblem(1, shown, "is named twice"))
        else:
            seen.add(name.strip())
    return out


def read_standard_rows(rows: Iterable[tuple[int, object]], *, today: dt.date, district_exists: Callable[[str], bool],
                       find_authority: FindAuthority) -> tuple[list[SufficiencyRow], list[StandardProblem]]:
    """Every row checked: the records read and every problem found (a row with a problem gives no record)."""
    records: list[SufficiencyRow] = []
    problems: list[StandardProblem] = []
    for line, row in rows:
        found: list[StandardProblem] = []
        if not isinstance(row, dict):
            problems.append(StandardProblem(line, "(record)", "must be an object of the standard's fields"))
            continue
        fields: dict[str, Any] = {name: not_answered(name) for name in FIELDS}
        places: dict[str, dict[str, str] | None] = dict.fromkeys(PLACES)
        for key, value in row.items():
            name = key.strip() if isinstance(key, str) else None
            if name not in FIELDS:
                shown = printable(name)[:60] if name else "(a cell past the last named column)"
                found.append(StandardProblem(line, shown, NOT_A_FIELD))
                continue
            try:
                fields[name], place = _read(name, value, today, district_exists, find_authority)
            except _Bad as exc:
                found.append(StandardProblem(line, name, str(exc)))
                continue
            if name in PLACES:
                places[name] = place
        if fields["childId"] is None and "childId" not in {p.field for p in found}:
            found.append(StandardProblem(line, "childId", "is needed: the child's number in the standard"))
        problems.extend(found)
        if not found:
            records.append(_record(line, fields, places))
    return records, problems


def _record(line: int, fields: dict[str, Any], places: dict[str, dict[str, str] | None]) -> SufficiencyRow:
    cost = fields["totalWeeklyCost"]
    day = {k: dt.date.fromisoformat(fields[k]) if fields[k] else None for k in ("referralDate", "placementDate")}
    suit = {code: _CODE_OF_SUITABILITY.get(fields[name], "") for name, code in SUITABILITY_OF.items()}
    return SufficiencyRow(
        line=line, fields=fields, child_id=fields["childId"], needed_by=fields["neededBy"],
        placement_type=_CODE_OF_PLACEMENT_TYPE.get(fields["placementType"], ""),
        total_weekly_cost_pence=None if cost is None else cost * 100,
        referral_date=day["referralDate"], placement_date=day["placementDate"],
        suitability_foster=suit["foster"], suitability_residential=suit["residential"],
        suitability_supported=suit["supported"],
        preferred_location=places["preferredLocation"], placement_location=places["placementLocation"])


def _blank(value: object) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _shown(value: str) -> str:
    text = printable(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _read(name: str, value: object, today: dt.date, district_exists: Callable[[str], bool],
          find_authority: FindAuthority) -> tuple[Any, dict[str, str] | None]:
    """A field's value as the export writes it (and a location's {kind, code}); _Bad says why not."""
    if isinstance(value, str) and (problem := text_problem(value)):
        raise _Bad(problem)
    if _blank(value):
        return not_answered(name), None
    if name in CHOICES:
        return _choice(value, CHOICES[name]), None
    if name in LISTS:
        return _list(value, *LISTS[name]), None
    if name in BOOLEANS:
        return _yes_no(value), None
    if name == "childId":
        return _whole(value, MAX_CHILD_ID, "must be the child's number in the standard: a whole number, 0 or more"), None
    if name in COUNTS:
        return _whole(value, COUNTS[name], f"must be a whole number from 0 to {COUNTS[name]}"), None
    if name == "totalWeeklyCost":
        return _whole(value, MAX_WEEKLY_POUNDS,
                      f"must be a whole number of pounds a week, from 0 to {MAX_WEEKLY_POUNDS:,}"), None
    if name == "providerURN":
        urn = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
        if not st.URN.match(urn):
            raise _Bad("must be an Ofsted URN such as SC123456 (letters and digits)")
        return urn.upper(), None
    if not isinstance(value, str):
        raise _Bad("must be text")
    text = value.strip()
    if name in PLACES:
        return _place(text, district_exists, find_authority)
    if name in DATES:
        return _date(text, today), None
    if len(text) > MAX_WORDS:
        raise _Bad(f"is too long ({len(text)} characters; at most {MAX_WORDS})")
    if name in WORDS and _POSTCODE_IN_TEXT.search(text):
        raise _Bad("has a full postcode in it: give no more than a postcode district (such as LE2)")
    return text, None


def _choice(value: object, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value.strip() not in options:
        shown = _shown(value) if isinstance(value, str) else "this"
        raise _Bad(f"{shown} is not one of the standard's options: {', '.join(options)}")
    return value.strip()


def _list(value: object, options: tuple[str, ...], none: str) -> list[str]:
    if isinstance(value, str):
        items = [x.strip() for x in value.split(";") if x.strip()]
    elif isinstance(value, list) and all(isinstance(x, str) for x in value):
        items = [x.strip() for x in value if x.strip()]
    else:
        raise _Bad(f"must be a list of the standard's options: {', '.join(options)}")
    unknown = [x for x in items if x not in options]
    if unknown:
        raise _Bad(f"{', '.join(_shown(x) for x in unknown[:3])} not of the standard's options: {', '.join(options)}")
    chosen = list(dict.fromkeys(items))
    if none in chosen and len(chosen) > 1:
        raise _Bad(f"{none!r} cannot go with other options")
    return chosen


def _yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = value.strip().lower() if isinstance(value, str) else ""
    if word in ("yes", "true"):
        return True
    if word in ("no", "false"):
        return False
    raise _Bad("must be Yes or No (true or false), or empty for not answered")


def _whole(value: object, most: int, message: str) -> int:
    if isinstance(value, str) and _WHOLE.match(value.strip()):
        number = int(value.strip())
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise _Bad(message)
    if not 0 <= number <= most:
        raise _Bad(message)
    return number


def _date(text: str, today: dt.date) -> str:
    try:
        day = parse_date(text)
    except DateError as exc:
        raise _Bad(str(exc)) from None
    if day > today:
        raise _Bad("is in the future (the date the data was entered)")
    return day.isoformat()


def is_full_postcode(text: str) -> bool:
    """'LE2 1AB' (or 'le21ab'): a full postcode, which can point at one home; 'LE2' is a district."""
    squeezed = re.sub(r"\s+", "", text.upper())
    district = outward_code(text)
    return district is not None and district != squeezed


def _place(text: str, district_exists: Callable[[str], bool],
           find_authority: FindAuthority) -> tuple[str, dict[str, str]]:
    if is_full_postcode(text):
        raise _Bad(f"{_shown(text)} is a full postcode: give its postcode district (such as LE2) or the local "
                   "authority's name, never a full postcode")
    district = outward_code(text)
    if district is not None and district == re.sub(r"\s+", "", text.upper()):
        if not district_exists(district):
            raise _Bad(f"{_shown(text)} is not a postcode district we know")
        return district, {"kind": "district", "code": district}
    found = find_authority(text)
    if found is None:
        raise _Bad(f"{_shown(text)} is neither a local authority's name nor a postcode district (such as LE2)")
    code, name = found
    return name, {"kind": "la", "code": code}
