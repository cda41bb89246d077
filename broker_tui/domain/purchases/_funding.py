"""Who pays what: the funding split between social care, education and health.

Shares are whole percentages, each 0 to 100, adding to exactly 100. An amount of pence is split by
largest remainder (the rule of ``apportion``) so the three parts add exactly to it; a penny left over after the
floors goes to the largest remainder, ties broken in this fixed order: social care, then education,
then health. A funder with a 0% share never gets a penny.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from broker_tui.domain.funding import share_out_of_range, shares_total_problem

FUNDERS = ("social_care", "education", "health")  # the order ties are broken in
SHARE_FIELDS = ("social_care_pct", "education_pct", "health_pct")
FUNDER_LABELS = {"social_care": "Social care", "education": "Education", "health": "Health"}


@dataclass(frozen=True, slots=True)
class FundingSplit:
    """The share of the cost each funder pays, in whole percent."""

    social_care_pct: int = 100
    education_pct: int = 0
    health_pct: int = 0

    @property
    def shares(self) -> tuple[int, int, int]:
        return (self.social_care_pct, self.education_pct, self.health_pct)


SOCIAL_CARE_ONLY = FundingSplit()


@dataclass(frozen=True, slots=True)
class FundedPence:
    """An amount of pence split between the funders; the parts add to ``total``."""

    social_care: int = 0
    education: int = 0
    health: int = 0

    @property
    def total(self) -> int:
        return self.social_care + self.education + self.health

    def as_dict(self) -> dict[str, int]:
        return {"social_care": self.social_care, "education": self.education, "health": self.health}


NOTHING = FundedPence()


def check_funding_split(split: object) -> dict[str, str]:
    """Every problem with a funding split, by field (empty: it is sound). Never raises.

    ``split`` is a FundingSplit or a mapping with its field names (a missing share counts as 0). Each share
    must be a whole number (int, not bool or float) from 0 to 100; when each is, they must add to 100,
    reported under ``shares``.
    """
    problems: dict[str, str] = {}
    values: list[int] = []
    for name in SHARE_FIELDS:
        value = split.get(name, 0) if isinstance(split, Mapping) else getattr(split, name, 0)
        if value is None:
            value = 0
        if not isinstance(value, int) or isinstance(value, bool):
            problems[name] = f"must be a whole percentage, not {type(value).__name__}"
        elif share_out_of_range(value):
            problems[name] = f"is {value}%: a share must be between 0% and 100%"
        else:
            values.append(value)
    if not problems and (total := shares_total_problem(values)):
        problems["shares"] = f"the {total}"
    return problems


def split_pence(pence: int, split: FundingSplit) -> FundedPence:
    """``pence`` split by the shares, largest remainder, so the parts add exactly to ``pence`` (ties:
    social care, education, health). Refuses a split whose shares do not add to 100."""
    shares = split.shares
    sound = all(type(s) is int and 0 <= s <= 100 for s in shares) and sum(shares) == 100  # the check's rules, fast
    if not sound:
        problems = check_funding_split(split)
        raise ValueError("; ".join(f"{k} {v}" for k, v in problems.items()))
    return split_by_weights(pence, *shares)


def split_by_weights(pence: int, care: int, education: int, health: int) -> FundedPence:
    """``pence`` split in proportion to each funder's exact share of a cost (non-negative integer weights),
    by largest remainder with the same ties as ``apportion``, written out for three (the hot path of every
    projection). With one split throughout, the weights are proportional to its shares: ``split_pence``."""
    whole = care + education + health
    if whole == 0:
        if pence == 0:
            return NOTHING
        raise ValueError("cannot share pence in proportion to nothing (every weight is 0)")
    if pence < 0:
        minus = split_by_weights(-pence, care, education, health)
        return FundedPence(-minus.social_care, -minus.education, -minus.health)
    c, rc = divmod(pence * care, whole)
    e, re = divmod(pence * education, whole)
    h, rh = divmod(pence * health, whole)
    left = pence - c - e - h  # 0, 1 or 2: each remainder is under one penny
    if left == 1:  # to the largest remainder, the earliest funder on a tie
        if rc >= re and rc >= rh:
            c += 1
        elif re >= rh:
            e += 1
        else:
            h += 1
    elif left == 2:  # to all but the smallest remainder, the latest funder on a tie
        if rh <= rc and rh <= re:
            c, e = c + 1, e + 1
        elif re <= rc:
            c, h = c + 1, h + 1
        else:
            e, h = e + 1, h + 1
    return FundedPence(c, e, h)
