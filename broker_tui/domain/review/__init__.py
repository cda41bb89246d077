"""The commissioner's 16+ review, pure: block contracts night by night (units paid, filled and empty by
why), the spread of spot prices, the cohorts and categories compared within, and the right block size.

- _groups: the two cohorts (looked-after 16-17s in supported accommodation; care leavers 18+ in unregulated
  accommodation: never summed as one), the categories (Ofsted's four, 18+ accommodation) and support bands;
- _days: ``contract_days`` (numpy arrays per night: available, occupied, voids by unit status, unit price),
  ``demand_by_night`` and month sums;
- _stats: ``spread`` (count, range, quartiles, median in whole pence);
- _size: ``block_size_curve`` (the cost had a block held k units, for every k).
"""

from broker_tui.domain.review._days import (
    VOID_KINDS,
    VOID_LABELS,
    ContractDays,
    HeldSpan,
    Ints,
    StatusFrom,
    Stay,
    by_month,
    contract_days,
    demand_by_night,
    index_of,
    month_cuts,
    month_starts,
)
from broker_tui.domain.review._groups import (
    ADULT_CATEGORY,
    BLOCK_BAND,
    CATEGORY_LABELS,
    COHORTS,
    SUPPORT_BAND_LABELS,
    SUPPORT_BANDS,
    UNKNOWN_CATEGORY,
    category_of,
    cohort_of,
    support_band,
)
from broker_tui.domain.review._size import SizeCurve, block_size_curve
from broker_tui.domain.review._stats import NO_SPREAD, Spread, median, quantile, spread

__all__ = [
    "ADULT_CATEGORY", "BLOCK_BAND", "CATEGORY_LABELS", "COHORTS", "NO_SPREAD", "SUPPORT_BANDS",
    "SUPPORT_BAND_LABELS", "UNKNOWN_CATEGORY", "VOID_KINDS", "VOID_LABELS", "ContractDays", "HeldSpan", "Ints", "month_cuts",
    "SizeCurve", "Spread", "StatusFrom", "Stay", "block_size_curve", "by_month", "category_of", "cohort_of",
    "contract_days", "demand_by_night", "index_of", "median", "month_starts", "quantile", "spread",
    "support_band",
]
