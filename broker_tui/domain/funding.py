"""Who pays: a cost shared between social care, education and health in whole percentages adding to 100.
The one statement of that rule, for a referral's budget split and a purchase's funding split alike."""

from __future__ import annotations

from collections.abc import Sequence


def share_out_of_range(pct: int) -> bool:
    return not 0 <= pct <= 100


def shares_total_problem(shares: Sequence[int]) -> str | None:
    """Why the shares cannot stand as a whole (None: they add to 100)."""
    total = sum(shares)
    return None if total == 100 else f"funding shares add to {total}%, not 100%"
