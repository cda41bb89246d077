"""From a referral's values (ReferralView.values, or a checked ReferralDraft) to a MatchRequest.

Only what matching needs is carried over: never the initials or the date of birth (the age at the
needed-by date and the 18th birthday, which the caller derives, are enough).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from broker_tui.domain.matching.types import AvoidCircle, MatchRequest, Place
from broker_tui.domain.pricing import PriceNeeds
from broker_tui.domain.tags import resolve_tag
from broker_tui.domain.vocabulary import NEED_DOMAIN_CODES

DistrictLookup = Callable[[str], tuple[float, float] | None]
FEMALE = {"f", "female", "girl", "2"}
MALE = {"m", "male", "boy", "1"}


def sex_of(gender: str | None) -> str | None:
    g = (gender or "").strip().casefold()
    if g in FEMALE:
        return "female"
    if g in MALE:
        return "male"
    return None


def placement_end(start: dt.date, weeks: int | None, eighteenth: dt.date | None) -> tuple[dt.date | None, bool]:
    """The planned end (start + expected duration), or the 18th birthday when that comes first or no
    duration is given. Returns (end, end_is_18th)."""
    planned = start + dt.timedelta(weeks=weeks) if weeks else None
    if eighteenth is not None and eighteenth > start and (planned is None or eighteenth < planned):
        return eighteenth, True
    return planned, False


def draft_values(draft: Any) -> dict[str, Any]:
    """A ReferralDraft's fields as the values dict a ReferralView holds (its free-text fields, such as the
    gender, and the standard's fields, such as who the child can live alongside, flattened as there)."""
    values = {k: v for k, v in draft.__dict__.items() if k not in ("text", "standard")}
    return {**values, **getattr(draft, "text", {}), **getattr(draft, "standard", {}), "needs": dict(draft.needs)}


def request_from_referral(values: Mapping[str, Any], *, age_years: int, eighteenth_birthday: dt.date | None,
                          today: dt.date, district: DistrictLookup,
                          sibling_ages: tuple[int, ...] = ()) -> MatchRequest:
    """The request for one referral. ``district`` gives a postcode district's centroid (None: unknown)."""
    needed_by = values.get("needed_by") or today
    start = max(needed_by, today)
    end, end_is_18th = placement_end(start, values.get("expected_duration_weeks"), eighteenth_birthday)
    origin = None
    for key, kind in (("school_district", "school"), ("home_district", "home")):
        code: str | None = values.get(key)
        if not code:
            continue
        point = district(code)
        if point is not None:
            origin = Place(code, point[0], point[1], kind)
            break
    avoid_las, circles = [], []
    for a in values.get("avoid_areas") or ():
        if a.get("kind") == "la":
            avoid_las.append(a["code"])
        elif a.get("kind") == "district":
            point = district(a["code"])
            if point is not None:
                circles.append(AvoidCircle(a["code"], point[0], point[1], int(a.get("radius_miles") or 0)))
    specialist = tuple(values.get("specialist_needs") or ())
    free_text = tuple(values.get("free_text_needs") or ())
    free_tags = tuple(dict.fromkeys(t for t in (resolve_tag(p) for p in free_text) if t))
    needs = values.get("needs") or {}
    return MatchRequest(
        age_years=age_years, types_sought=tuple(values.get("types_sought") or ()), start_date=start,
        case_ref=values.get("case_ref") or "", sibling_ages=tuple(sibling_ages), sex=sex_of(values.get("gender")),
        needs={d: int(needs.get(d, 0) or 0) for d in NEED_DOMAIN_CODES},
        risks=tuple(r["tag"] for r in values.get("risks") or () if r.get("present", True)),
        specialist_needs=specialist, free_text_needs=free_text, free_text_tags=free_tags, origin=origin,
        within_home_area=bool(values.get("within_home_area")), max_distance_miles=values.get("max_distance_miles"),
        avoid_las=tuple(avoid_las), avoid_circles=tuple(circles),
        sibling_group_size=int(values.get("sibling_group_size") or 1),
        siblings_together=bool(values.get("siblings_together", True)),
        section25_order=bool(values.get("section25_order")), dol_order=bool(values.get("dol_order")),
        price_needs=PriceNeeds(
            one_to_one_hours=int(values.get("one_to_one_hours") or 0),
            two_to_one_hours=int(values.get("two_to_one_hours") or 0),
            education=bool(values.get("education_needed")), therapy=bool(values.get("therapy_needed")),
            solo=values.get("living_alongside") == "alone" or "solo_placement" in specialist,
            children=int(values.get("sibling_group_size") or 1) if values.get("siblings_together", True) else 1),
        budget_weekly_pence=values.get("budget_weekly_pence"), end_date=end, end_is_18th=end_is_18th,
        year_group=values.get("year_group"),
        unsuitable_settings=_settings(values, "unsuitable"), preferred_settings=_settings(values, "preferred"))


SUITABILITY_KEYS = {"foster": "suitability_foster", "residential": "suitability_residential",
                    "supported_accommodation": "suitability_supported"}


def _settings(values: Mapping[str, Any], answer: str) -> tuple[str, ...]:
    return tuple(setting for setting, key in SUITABILITY_KEYS.items() if values.get(key) == answer)
