"""Check each row of a council's provider list against the market before anything is written.

``check_rows`` turns every data row into a ``RowPlan`` (what to create or change) or into problems
by line; the columns and their rules are in council_csv's docstring and docs/provider-import.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from broker_tui.domain.geo import outward_code
from broker_tui.domain.money import MoneyError, parse_pence
from broker_tui.domain.tags import TAG_BY_CODE, resolve_tag
from broker_tui.domain.vocabulary import (
    NEED_DOMAIN_CODES,
    PURCHASING_ROUTES,
    SA_CATEGORIES,
    SECTORS,
    SERVICE_TYPES,
)

CAP_COLUMNS = tuple(f"cap_{d}" for d in NEED_DOMAIN_CODES)
PRICE_COLUMNS = {"core_weekly_fee": "core_weekly_pence", "one_to_one_hourly": "one_to_one_hourly_pence",
                 "two_to_one_hourly": "two_to_one_hourly_pence", "education_weekly": "education_weekly_pence",
                 "therapy_weekly": "therapy_weekly_pence", "solo_premium_weekly": "solo_premium_weekly_pence"}
COLUMNS = ("provider", "provider_sector", "referral_contact_name", "referral_email", "referral_phone", "service",
           "service_type", "ofsted_urn", "town", "postcode", "local_authority", "areas_covered", "age_from",
           "age_to", "sexes", "places", "vacancies", "households", "places_per_household", "sa_category",
           "specialisms", *CAP_COLUMNS, "purchasing_route", "framework_name", "framework_lot", *PRICE_COLUMNS,
           "price_valid_from", "annual_uplift", "description")
REQUIRED_COLUMNS = ("provider", "service", "service_type")
ALIASES = {"urn": "ofsted_urn", "postcode_district": "postcode", "min_age": "age_from", "max_age": "age_to",
           "sex": "sexes", "sector": "provider_sector", "provider_name": "provider", "service_name": "service",
           "type": "service_type", "1_1_hourly": "one_to_one_hourly", "2_1_hourly": "two_to_one_hourly",
           "uplift": "annual_uplift", "annual_uplift_percent": "annual_uplift"}
CONTACTS = ("referral_contact_name", "referral_email", "referral_phone")
FOSTERING = {t.code for t in SERVICE_TYPES if t.group == "fostering"}
DEFAULT_AGES = {"supported_accommodation": (16, 17), "care_leavers_18_plus": (18, 24),
                "secure_childrens_home": (10, 17), "childrens_home_external": (8, 17),
                "childrens_home_in_house": (8, 17), "residential_special_school": (8, 17)}
SEXES = {"mixed": "mixed", "any": "mixed", "both": "mixed", "all": "mixed", "female": "female", "girls": "female",
         "f": "female", "male": "male", "boys": "male", "m": "male"}
MAX_AGE = 25
_URN = re.compile(r"^(?:SC)?[0-9]{6,8}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")
_UPLIFT = re.compile(r"^(\d{1,2})(?:\.(\d{1,2}))?%?$")


def norm(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def header_key(text: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", (text or "").lower()).strip("_")
    return ALIASES.get(key, key)


def _by_words(mapping: dict[str, str], *extra: dict[str, str]) -> dict[str, str]:
    out = {norm(code): code for code in mapping} | {norm(label): code for code, label in mapping.items()}
    for more in extra:
        out |= {norm(k): v for k, v in more.items()}
    return out


TYPE_WORDS = _by_words({t.code: t.label for t in SERVICE_TYPES}, {t.short: t.code for t in SERVICE_TYPES})
SECTOR_WORDS = _by_words(SECTORS)
ROUTE_WORDS = _by_words(PURCHASING_ROUTES)
SA_WORDS = _by_words(SA_CATEGORIES)


@dataclass
class Market:
    """What the check needs from the database, read in the import's transaction."""

    las: dict[str, dict[str, Any]]  # ONS code -> local authority row
    districts: dict[str, dict[str, Any]]  # outcode -> postcode district row
    providers: dict[str, dict[str, Any]]  # normalised name -> provider row
    providers_by_id: dict[Any, dict[str, Any]]
    by_urn: dict[str, dict[str, Any]]  # URN -> service row
    by_name: dict[tuple[Any, str], dict[str, Any]]  # (provider id, normalised name) -> service row
    prices: dict[Any, list[dict[str, Any]]]  # service id -> its price lists
    la_names: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.la_names = {}
        for code, la in self.las.items():
            for name in (la["name"], la["ofsted_name"], code):
                self.la_names[norm(name)] = code


@dataclass
class RowPlan:
    line: int
    provider_key: str  # normalised provider name
    provider_name: str
    existing: dict[str, Any] | None  # the service this row updates, None to create one
    register: bool  # the service is Ofsted's: only broker-owned fields change
    values: dict[str, Any]  # service columns to set (on create, defaults added by the importer)
    prices: dict[str, Any] | None = None
    households: tuple[int, int, int] | None = None  # (households, places each, free places in all)
    sector: str | None = None  # the provider's sector, when the file gives one
    contacts: dict[str, str] = field(default_factory=dict)  # the provider's referral contact, as given


class _Row:
    def __init__(self, line: int, cells: dict[str, str], market: Market, today: dt.date):
        self.line, self.cells, self.market, self.today = line, cells, market, today
        self.problems: list[str] = []

    def get(self, col: str) -> str:
        return (self.cells.get(col) or "").strip()

    def bad(self, message: str) -> None:
        self.problems.append(message)

    def word(self, col: str, words: dict[str, str], what: str) -> str | None:
        text = self.get(col)
        if not text:
            return None
        code = words.get(norm(text))
        if code is None:
            self.bad(f"{col} {text!r} is not a known {what}")
        return code

    def whole(self, col: str, low: int = 0, high: int | None = None) -> int | None:
        text = self.get(col)
        if not text:
            return None
        if not re.fullmatch(r"-?\d+", text):
            self.bad(f"{col} {text[:40]!r} is not a whole number")
            return None
        if len(text.lstrip("-")) > 9:
            self.bad(f"{col} {text[:12]}… is too large to be a count here")
            return None
        value = int(text)
        if value < low:
            self.bad(f"{col} {value} is negative" if value < 0 else f"{col} {value} is below {low}")
        elif high is not None and value > high:
            self.bad(f"{col} {value} is above {high}")
        else:
            return value
        return None

    def authority(self, text: str, col: str) -> str | None:
        code = self.market.la_names.get(norm(text)) or (text.upper() if text.upper() in self.market.las else None)
        if code is None:
            best = process.extractOne(norm(text), list(self.market.la_names), scorer=fuzz.WRatio, score_cutoff=80)
            hint = f" (did you mean {self.market.las[self.market.la_names[best[0]]]['name']}?)" if best else ""
            self.bad(f"{col} {text!r} is not a local authority the app knows{hint}")
        return code

    def date(self, col: str) -> dt.date | None:
        text = self.get(col)
        if not text:
            return None
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            with contextlib.suppress(ValueError):
                return dt.datetime.strptime(text, fmt).date()
        self.bad(f"{col} {text!r} is not a date (dd/mm/yyyy or yyyy-mm-dd)")
        return None


def check_row(line: int, cells: dict[str, str], market: Market, today: dt.date) -> tuple[RowPlan | None, list[str]]:
    """The plan for one row, or the reasons it cannot be imported."""
    r = _Row(line, cells, market, today)
    urn = r.get("ofsted_urn").upper().replace(" ", "")
    if urn and not _URN.match(urn):
        r.bad(f"ofsted_urn {urn!r} is not an Ofsted URN (7 digits, or SC and 6 digits)")
    existing = market.by_urn.get(urn) if urn else None
    provider_name, service_name = " ".join(r.get("provider").split()), " ".join(r.get("service").split())
    if existing is not None:
        provider_name = market.providers_by_id[existing["provider_id"]]["name"]
    elif not provider_name:
        r.bad("provider is empty")
    if existing is None and not service_name:
        r.bad("service is empty")
    provider = market.providers.get(norm(provider_name))
    sector = r.word("provider_sector", SECTOR_WORDS, "sector")
    if existing is None and provider is not None and service_name:
        existing = market.by_name.get((provider["id"], norm(service_name)))
        if existing is not None and urn and existing["ofsted_urn"] and existing["ofsted_urn"] != urn:
            r.bad(f"{service_name!r} of {provider_name!r} has URN {existing['ofsted_urn']}, the file says {urn}")
    register = existing is not None and existing["ofsted_provision_type"] is not None
    stype = r.word("service_type", TYPE_WORDS, "service type (see broker-tui providers list --help-types)")
    if stype is None and existing is None and not r.get("service_type"):
        r.bad("service_type is empty")
    kind = existing["service_type"] if existing is not None and (register or stype is None) else stype
    values: dict[str, Any] = {}
    if service_name:
        values["name"] = service_name
    if urn and existing is None:
        values["ofsted_urn"] = urn
    contacts = {}
    for col in CONTACTS:
        text = " ".join(r.get(col).split())
        if text:
            contacts[col] = text
        if col == "referral_email" and text and not _EMAIL.match(text):
            r.bad(f"referral_email {text!r} is not an email address")
        if col == "referral_phone" and text and not _PHONE.match(text):
            r.bad(f"referral_phone {text!r} is not a phone number")
    if not register:
        if stype:
            values["service_type"] = stype
        _location(r, values, existing, kind)
    areas = [a.strip() for a in r.get("areas_covered").split(";") if a.strip()]
    if areas and kind not in FOSTERING:
        r.bad("areas_covered is for fostering services only")
    elif areas:
        values["areas_covered"] = sorted({c for c in (r.authority(a, "areas_covered") for a in areas) if c})
    _people(r, values, existing, kind, register)
    _care(r, values, kind)
    prices = _prices(r, existing)
    if r.problems:
        return None, r.problems
    plan = RowPlan(line, norm(provider_name), provider_name, existing, register, values, prices, sector=sector,
                   contacts=contacts)
    plan.households = values.pop("_households", None)
    return plan, []


def _location(r: _Row, values: dict[str, Any], existing: dict[str, Any] | None, kind: str | None) -> None:
    m = r.market
    if r.get("town"):
        values["town"] = r.get("town")
    postcode, la_text = r.get("postcode"), r.get("local_authority")
    district = la_code = None
    if postcode:
        outcode = outward_code(postcode)
        if outcode is None:
            r.bad(f"postcode {postcode!r} is not a postcode or postcode district")
        elif outcode not in m.districts:
            r.bad(f"postcode district {outcode!r} is not one the app knows")
        else:
            district = m.districts[outcode]
    if la_text:
        la_code = r.authority(la_text, "local_authority")
    elif district is not None and district["utla_code"] in m.las:
        la_code = district["utla_code"]
    if existing is None and not postcode and not la_text:
        r.bad("postcode or local_authority is needed to place a new service")
    if la_code or district:
        la = m.las.get(la_code or "")
        values.update(local_authority_code=la_code, local_authority_name=la["ofsted_name"] if la else None,
                      region=la["region_name"] if la else None)
        point = district or la or {}
        values.update(postcode_district=district["outcode"] if district else None, latitude=point.get("latitude"),
                      longitude=point.get("longitude"), location_approximate=district is None)
    if existing is None and kind in FOSTERING and values.get("local_authority_code"):
        values["areas_covered"] = [values["local_authority_code"]]


def _people(r: _Row, values: dict[str, Any], existing: dict[str, Any] | None, kind: str | None,
            register: bool) -> None:
    low, high = r.whole("age_from", 0, MAX_AGE), r.whole("age_to", 0, MAX_AGE)
    default = DEFAULT_AGES.get(kind or "", (0, 17))
    eff_low = low if low is not None else (existing["min_age"] if existing else default[0])
    eff_high = high if high is not None else (existing["max_age"] if existing else default[1])
    if eff_low > eff_high:
        r.bad(f"ages are out of order: from {eff_low} to {eff_high}")
    if low is not None:
        values["min_age"] = low
    if high is not None:
        values["max_age"] = high
    sexes = r.word("sexes", SEXES, "sexes value (mixed, female or male)")
    if sexes:
        values["sexes"] = sexes
    places, vacancies = r.whole("places"), r.whole("vacancies")
    households, each = r.whole("households"), r.whole("places_per_household", 1)
    if (households is not None or each is not None) and kind not in FOSTERING:
        r.bad("households are for fostering services only")
    elif (households is None) != (each is None):
        r.bad("households and places_per_household go together")
    elif households is not None and each is not None:
        total = households * each
        if places is not None and places != total and not register:
            r.bad(f"places {places} is not households x places_per_household ({total})")
        free = vacancies or 0
        if free > total:
            r.bad(f"vacancies {free} is more than the households' {total} places")
        values["_households"] = (households, each, free)
        places, vacancies = total, free
    if register:
        places = existing["places"] if existing else None
    elif places is not None:
        values["places"] = places
    if places is not None and vacancies is not None and vacancies > places:
        r.bad(f"vacancies {vacancies} is more than places {places}")
    if vacancies is not None:
        values["vacancies"] = vacancies


def _care(r: _Row, values: dict[str, Any], kind: str | None) -> None:
    sa = r.word("sa_category", SA_WORDS, "supported accommodation category")
    if sa and kind != "supported_accommodation":
        r.bad("sa_category is for supported accommodation only")
    elif sa:
        values["sa_category"] = sa
    phrases = [p.strip() for p in r.get("specialisms").split(";") if p.strip()]
    tags: list[str] = []
    for phrase in phrases:
        code = _tag(phrase)
        if code is None:
            r.bad(f"specialism {phrase!r} is not a tag the app knows")
        elif code not in tags:
            tags.append(code)
    if phrases:
        values["specialisms"] = sorted(tags)
    for col in CAP_COLUMNS:
        level = r.whole(col, 0, 3)
        if level is not None:
            values[col] = level
    route = r.word("purchasing_route", ROUTE_WORDS, "purchasing route")
    if route:
        values["purchasing_route"] = route
    for col in ("framework_name", "framework_lot", "description"):
        if r.get(col):
            values[col] = r.get(col)


@functools.lru_cache(maxsize=4096)
def _tag(phrase: str) -> str | None:
    """A tag code as is, else the tag the phrase resolves to (cached: a list repeats its phrases)."""
    return phrase if phrase in TAG_BY_CODE else resolve_tag(phrase)


def _prices(r: _Row, existing: dict[str, Any] | None) -> dict[str, Any] | None:
    given = {col: r.get(col) for col in PRICE_COLUMNS if r.get(col)}
    valid_from, uplift_text = r.date("price_valid_from"), r.get("annual_uplift")
    if not given:
        if valid_from or uplift_text:
            r.bad("price_valid_from and annual_uplift need core_weekly_fee")
        return None
    if "core_weekly_fee" not in given:
        r.bad("core_weekly_fee is needed when other prices are given")
    prices: dict[str, Any] = dict.fromkeys(PRICE_COLUMNS.values())
    for col, text in given.items():
        try:
            prices[PRICE_COLUMNS[col]] = parse_pence(text)
        except MoneyError as exc:
            r.bad(f"{col}: {exc}")
    uplift = 0
    if uplift_text:
        m = _UPLIFT.match(uplift_text.replace(" ", ""))
        if uplift_text.strip().startswith("-"):
            r.bad(f"annual_uplift {uplift_text!r} is negative")
        elif not m or int(m.group(1)) > 25:
            r.bad(f"annual_uplift {uplift_text!r} is not a percentage from 0 to 25 (for example 3.5%)")
        else:
            uplift = int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))
    prices["annual_uplift_bp"] = uplift
    prices["valid_from"] = valid_from or r.today
    for old in r.market.prices.get(existing["id"], []) if existing else []:
        same = all(old[k] == v for k, v in prices.items() if k != "valid_from")
        if old["valid_from"] == prices["valid_from"] and not same:
            r.bad(f"a price list from {old['valid_from']:%d/%m/%Y} with other prices exists: price lists are "
                  "history, give price_valid_from a later date")
    latest = max(r.market.prices.get(existing["id"], []) if existing else [], key=lambda p: p["valid_from"],
                 default=None)
    if latest is not None and all(latest[k] == v for k, v in prices.items() if k != "valid_from") and (
            valid_from is None or valid_from == latest["valid_from"]):
        return None  # the list in the file is the latest one already
    return prices
