"""Placement categories and age bands for the demand forecast.

A category is read from an episode's PLACE and PLACE_PROVIDER codes by a map that is a setting
(``[forecast.categories]``); the default follows the grouping Social Finance's demand model uses (fostering
U1-U6, residential K1, K2, R1, P3, S1, supported accommodation H5, K3, P2; providers PR1-PR3 are the
council's own or public, PR4-PR5 external), with kinship care (U1-U3, a relative or friend) kept apart.
The first rule that matches wins; a code no rule names is "other". Age bands are DfE's published ones; a
child ages through them month by month (never fixed at the episode's start).
"""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES = ("in_house_fostering", "external_fostering", "kinship", "residential", "supported", "other")
CATEGORY_LABELS = {
    "in_house_fostering": "In-house fostering",
    "external_fostering": "External fostering",
    "kinship": "Kinship care",
    "residential": "Residential",
    "supported": "Supported accommodation",
    "other": "Other",
}

# (lower bound in months of age, label); a child of 18 or more has left care (leaving at 18)
AGE_BANDS = ((0, "Under 1"), (12, "1 to 4"), (60, "5 to 9"), (120, "10 to 15"), (192, "16 to 17"))
AGE_UNKNOWN = "Age not known"  # a child with no date of birth in the return
ADULT_BAND = "18 and over"  # care leavers' referrals (declines); never in the forecast, which ends care at 18
ADULT_MONTHS = 18 * 12


@dataclass(frozen=True)
class CategoryRule:
    category: str
    places: tuple[str, ...]
    providers: tuple[str, ...] = ()  # empty: any provider


DEFAULT_RULES = (
    CategoryRule("kinship", ("U1", "U2", "U3")),
    CategoryRule("in_house_fostering", ("U4", "U5", "U6"), ("PR0", "PR1", "PR2", "PR3")),
    CategoryRule("external_fostering", ("U4", "U5", "U6"), ("PR4", "PR5")),
    CategoryRule("residential", ("K1", "K2", "R1", "P3", "S1")),
    CategoryRule("supported", ("H5", "K3", "P2")),
)


@dataclass(frozen=True)
class CategoryMap:
    """PLACE (and PLACE_PROVIDER) to a forecast category; anything unnamed is "other"."""

    rules: tuple[CategoryRule, ...] = DEFAULT_RULES

    def __post_init__(self) -> None:
        for rule in self.rules:
            if rule.category not in CATEGORIES:
                raise ValueError(f"{rule.category!r} is not a forecast category ({', '.join(CATEGORIES)})")

    def category(self, place: str, provider: str) -> str:
        for rule in self.rules:
            if place in rule.places and (not rule.providers or provider in rule.providers):
                return rule.category
        return "other"

    def index(self, place: str, provider: str) -> int:
        return CATEGORIES.index(self.category(place, provider))


def band_of(age_months: int | None) -> str:
    """The age band of a young person this many whole months old (None: not known); 18 or more is "18 and
    over" (a care leaver's referral: never a child in care in the forecast)."""
    if age_months is None or age_months < 0:
        return AGE_UNKNOWN
    if age_months >= ADULT_MONTHS:
        return ADULT_BAND
    label = AGE_BANDS[0][1]
    for lower, name in AGE_BANDS:
        if age_months >= lower:
            label = name
    return label


BAND_NAMES = tuple(name for _, name in AGE_BANDS) + (AGE_UNKNOWN,)
