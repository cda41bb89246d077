"""What the referral form needs from the store, and saving what it collected in one call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from broker_tui.domain.referrals.standard import STANDARD_KEYS
from broker_tui.services.context import AppContext
from broker_tui.services.reference import (
    CodeChoice,
    areas_to_text,
    form_code_choices,
    local_authority_names,
    parse_areas_text,
    parse_place_text,
    place_to_text,
)
from broker_tui.services.referrals._records import (
    DuplicateOpenCase,
    ReferralInvalid,
    check_referral,
    create_referral,
    update_referral,
)
from broker_tui.services.referrals._views import ReferralView
from broker_tui.store.errors import StaleEdit


@dataclass(frozen=True)
class FormSupport:
    codes: dict[str, list[CodeChoice]]
    la_names: dict[str, str]

    def areas_text(self, areas: list[dict[str, Any]]) -> str:
        return areas_to_text(areas, self.la_names)

    def place_text(self, place: dict[str, Any] | None) -> str:
        return place_to_text(place, self.la_names)


def form_support(ctx: AppContext) -> FormSupport:
    return FormSupport(form_code_choices(ctx), local_authority_names(ctx))


@dataclass(frozen=True)
class SaveOutcome:
    saved: ReferralView | None = None
    problems: dict[str, str] | None = None
    duplicate: ReferralView | None = None
    stale: StaleEdit | None = None


PLACE_KEYS = ("preferred_location", "placed_location")  # one place each, typed as text on the form


def _with_areas(ctx: AppContext, raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The places the form holds as typed text read into the parser's form; a problem by field."""
    raw = dict(raw)
    problems: dict[str, str] = {}
    text = raw.pop("avoid_areas_text", None)
    if text is not None:
        areas, problem = parse_areas_text(ctx, text)
        raw["avoid_areas"] = areas
        if problem:
            problems["avoid_areas"] = problem
    for key in PLACE_KEYS:
        typed = raw.pop(f"{key}_text", None)
        if typed is not None:
            place, problem = parse_place_text(ctx, typed)
            raw[key] = place
            if problem:
                problems[key] = problem
    return raw, problems


def check_form(ctx: AppContext, raw: dict[str, Any], *, editing: bool) -> dict[str, str]:
    raw, area_problems = _with_areas(ctx, raw)
    return {**check_referral(ctx, raw, editing=editing), **area_problems}


def save_form(ctx: AppContext, raw: dict[str, Any], *, opened: ReferralView | None,
              previous_referral_id: Any = None) -> SaveOutcome:
    """Create (opened is None) or update the referral. Nothing is written unless all of it is valid."""
    raw, area_problems = _with_areas(ctx, raw)
    if opened is not None:  # what a caller does not give of the standard's fields is kept as it was
        raw = {**{k: v for k, v in opened.form_values().items() if k in STANDARD_KEYS}, **raw}
    if area_problems:
        problems = {**check_referral(ctx, raw, editing=opened is not None), **area_problems}
        return SaveOutcome(problems=problems)
    try:
        if opened is None:
            return SaveOutcome(saved=create_referral(ctx, raw, previous_referral_id=previous_referral_id))
        return SaveOutcome(saved=update_referral(ctx, opened, raw))
    except ReferralInvalid as exc:
        return SaveOutcome(problems=exc.problems)
    except DuplicateOpenCase as exc:
        return SaveOutcome(duplicate=exc.existing)
    except StaleEdit as exc:
        return SaveOutcome(stale=exc)
