"""The referral's Placements Data Standard fields in words, for the referral screen and `referrals show`:
each answer as the standard labels it, and "not answered" where the broker left it (never a guess)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import format_pence
from broker_tui.domain.referrals import standard as st

NOT_ANSWERED = "not answered"


def _choice(options: dict[str, str], value: str) -> str:
    return options.get(value, NOT_ANSWERED) if value else NOT_ANSWERED


def _yes_no(value: bool | None) -> str:
    return NOT_ANSWERED if value is None else "yes" if value else "no"


def _with_other(words: str, other: str) -> str:
    return f"{words} ({other})" if other else words


def _listed(options: dict[str, str], chosen: list[str]) -> str:
    return ", ".join(options[c] for c in chosen) if chosen else NOT_ANSWERED


def _signed(officer: str, day: dt.date | None) -> str:
    if not officer and day is None:
        return NOT_ANSWERED
    return " on ".join(x for x in (officer or "(no officer)", format_date(day) if day else "(no date)"))


def standard_lines(values: dict[str, Any], placed: dict[str, Any], place_name: Callable[[dict[str, str]], str],
                   *, from_purchase: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(label, words) for each of the standard's fields a referral holds. ``values`` are the referral's;
    ``placed`` the actual placement (placed_* keys), where ``from_purchase`` names the ones taken from the
    recorded purchase rather than typed."""

    def place(value: dict[str, str] | None) -> str:
        return place_name(value) if value else NOT_ANSWERED

    def mark(key: str, words: str) -> str:
        return f"{words} (from the purchase)" if key in from_purchase and words != NOT_ANSWERED else words

    needs = _choice(st.COMMUNICATION_NEEDS, values["communication_needs"])
    needed = _with_other(_listed(st.COMMUNICATION_REQUIREMENTS, values["communication_requirements"]),
                         values["communication_other"])
    communication = f"{needs}: {needed}" if values["communication_requirements"] else needs
    suitability = ", ".join(f"{label} {_choice(st.SUITABILITY, values[key]).lower()}" for label, key in (
        ("foster", "suitability_foster"), ("residential", "suitability_residential"),
        ("supported accommodation", "suitability_supported")))
    cost = placed["placed_weekly_cost_pence"]
    together = placed["placed_siblings_together"]
    actual = [
        ("Placed: type", mark("placed_type", _choice(st.PLACEMENT_TYPES, placed["placed_type"]))),
        ("Placed: weekly cost", mark("placed_weekly_cost_pence",
                                     f"{format_pence(cost)} a week" if cost is not None else NOT_ANSWERED)),
        ("Placed: location", mark("placed_location", place(placed["placed_location"]))
         + f"; preferred location: {_yes_no(placed['placed_location_preferred'])}"),
        ("Placed: provider URN", mark("placed_provider_urn", placed["placed_provider_urn"] or NOT_ANSWERED)),
        ("Placed: school kept", _yes_no(placed["placed_education_continuity"])),
        ("Placed: siblings together", NOT_ANSWERED if together is None else str(together)),
    ]
    return [
        ("Setting", suitability),
        ("Preferred location", place(values["preferred_location"])),
        ("Communication", communication),
        ("Cultural needs", _with_other(_choice(st.CULTURAL_NEEDS, values["cultural_needs"]),
                                       values["cultural_needs_other"])),
        ("Home adaptation", _yes_no(values["home_adaptation"])),
        ("Living with pets", _choice(st.LIVING_WITH_PETS, values["living_with_pets"])),
        ("Additional support", _with_other(_listed(st.ADDITIONAL_SUPPORT, values["additional_support"]),
                                           values["additional_support_other"])),
        ("Other risks", "; ".join(f"{whom}: {values[key]}" for whom, key in (
            ("to the child", "risk_to_child_other"), ("to others", "risk_to_others_other")) if values[key]) or "none"),
        *actual,
        ("Data checked", "; ".join(f"{what} {_signed(values[f'qa_{key}_officer'], values[f'qa_{key}_on'])}"
                                   for what, key in (("referral", "referral"), ("placement", "placement"),
                                                     ("cost", "cost")))),
    ]
