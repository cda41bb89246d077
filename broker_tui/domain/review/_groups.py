"""How the 16+ review groups what it counts: the two cohorts (never summed as one), the categories placements
are compared within, and the support-hours bands.

- Looked-after 16-17 year olds live in supported accommodation, which must be registered with Ofsted, in one
  of Ofsted's four categories; care leavers aged 18 and over live in accommodation that is not regulated,
  paid from another budget. A block or a spot agreement belongs to one cohort by the type of its service.
- Support hours are the 1:1 and 2:1 hours a week bought on top of the core fee (2:1 hours count once: they
  are hours of support, each with two workers).
"""

from __future__ import annotations

COHORTS = {
    "supported_16_17": "Looked after 16-17 (supported accommodation)",
    "care_leavers_18_plus": "Care leavers 18+ (unregulated accommodation)",
}
COHORT_OF_SERVICE_TYPE = {"supported_accommodation": "supported_16_17", "care_leavers_18_plus": "care_leavers_18_plus"}
SA_CATEGORY_LABELS = {
    "single_occupancy": "Single occupancy / self-contained",
    "ring_fenced_shared": "Ring-fenced shared",
    "non_ring_fenced_shared": "Non-ring-fenced shared",
    "private_residence": "Private residence (supported lodgings)",
}
ADULT_CATEGORY = "accommodation_18_plus"
UNKNOWN_CATEGORY = "not_recorded"
CATEGORY_LABELS = {**SA_CATEGORY_LABELS, ADULT_CATEGORY: "18+ accommodation",
                   UNKNOWN_CATEGORY: "Category not recorded"}

# (key, label, most minutes a week in the band; None: no upper bound)
SUPPORT_BANDS = (
    ("core_only", "Core only (no extra hours)", 0),
    ("up_to_10", "Up to 10 hours a week", 600),
    ("10_to_20", "Over 10 to 20 hours a week", 1200),
    ("over_20", "Over 20 hours a week", None),
)
SUPPORT_BAND_LABELS = {key: label for key, label, _ in SUPPORT_BANDS}
BLOCK_BAND = "core_only"  # a block's unit price buys the core support; extra hours are bought on top


def cohort_of(service_type: str | None) -> str | None:
    """The cohort a service's placements belong to (None: not 16+ accommodation)."""
    return COHORT_OF_SERVICE_TYPE.get(service_type or "")


def category_of(cohort: str, sa_category: str | None) -> str:
    """The category placements are compared within: Ofsted's supported accommodation category for 16-17s
    (not recorded: a category of its own, never guessed), or 18+ accommodation."""
    if cohort == "care_leavers_18_plus":
        return ADULT_CATEGORY
    return sa_category if sa_category in SA_CATEGORY_LABELS else UNKNOWN_CATEGORY


def support_band(one_to_one_minutes: int, two_to_one_minutes: int) -> str:
    minutes = max(0, one_to_one_minutes) + max(0, two_to_one_minutes)
    for key, _, most in SUPPORT_BANDS:
        if most is None or minutes <= most:
            return key
    return SUPPORT_BANDS[-1][0]
