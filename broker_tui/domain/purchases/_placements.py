"""Placements as half-open nights, and who may not be where twice.

A placement holds its nights [start, end): ``end`` is the first night not occupied (None: still there),
so a unit freed on the 10th can take the next child that night. Two rules of occupancy:
- one unit holds one child a night: two placements in one unit may not share a night;
- a child has one placement a night, unless one of two overlapping placements is coded a retainer
  (the child in hospital or custody, or a planned transition) AND says why.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from broker_tui.domain.dates import format_date

# Why the council keeps paying for a place a child is not sleeping in (the words are the screen's)
RETAINER_KINDS = {
    "hospital": "Child in hospital",
    "custody": "Child in custody or on remand",
    "transition": "Planned transition between placements",
    "other": "Other (say why)",
}


@dataclass(frozen=True, slots=True)
class Placement:
    """A child (by case reference) living somewhere on the nights [start, end); ``unit`` names the block
    unit it holds (None: a spot placement); a retainer has a kind and a reason."""

    case_ref: str
    start: dt.date
    end: dt.date | None = None
    unit: str | None = None
    retainer: str = ""
    retainer_reason: str = ""
    id: str = ""

    @property
    def is_retainer(self) -> bool:
        """Coded a retainer with a reason (a kind alone is not enough)."""
        return self.retainer in RETAINER_KINDS and bool(self.retainer_reason.strip())

    def shares_nights_with(self, other: Placement) -> bool:
        return _before(self.start, other.end) and _before(other.start, self.end)

    def nights_within(self, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
        """This placement's nights inside [start, end) as (first, end), or None when it has none there."""
        lo = max(self.start, start)
        hi = end if self.end is None or self.end > end else self.end
        return (lo, hi) if lo < hi else None


def _before(day: dt.date, end: dt.date | None) -> bool:
    return end is None or day < end


def _shared_until(a: Placement, b: Placement) -> dt.date | None:
    if a.end is None:
        return b.end
    return a.end if b.end is None else min(a.end, b.end)


@dataclass(frozen=True, slots=True)
class Overlap:
    """Two placements sharing the nights [start, end) (end None: both are still open)."""

    kind: str  # "unit" (two children in one unit) or "child" (one child placed twice)
    first: Placement
    second: Placement
    start: dt.date
    end: dt.date | None

    @property
    def message(self) -> str:
        nights = (f"from {format_date(self.start)}" if self.end is None
                  else f"from {format_date(self.start)} to {format_date(self.end)} (not that night)")
        if self.kind == "unit":
            return f"{self.first.case_ref} and {self.second.case_ref} both hold unit {self.first.unit} {nights}"
        return (f"{self.first.case_ref} has two placements at once {nights}: "
                "one must be coded a retainer, with a reason")


def _overlaps(placements: Iterable[Placement], key: Callable[[Placement], str | None], kind: str,
              allowed: Callable[[Placement, Placement], bool]) -> list[Overlap]:
    groups: dict[str, list[Placement]] = defaultdict(list)
    for placement in placements:
        if placement.end is not None and placement.end <= placement.start:
            continue  # no nights, so nothing to share
        if (k := key(placement)) is not None:
            groups[k].append(placement)
    found: list[Overlap] = []
    for group in groups.values():
        group.sort(key=lambda p: (p.start, p.end or dt.date.max))
        running: list[Placement] = []
        for placement in group:  # sweep by start: compare with those still running on its first night
            running = [p for p in running if _before(placement.start, p.end)]
            for earlier in running:
                if not allowed(earlier, placement):
                    found.append(Overlap(kind, earlier, placement, placement.start,
                                         _shared_until(earlier, placement)))
            running.append(placement)
    found.sort(key=lambda o: (o.start, o.first.case_ref, o.second.case_ref))
    return found


def unit_overlaps(placements: Iterable[Placement]) -> list[Overlap]:
    """Every pair of placements in one unit sharing a night (spot placements, with no unit, are ignored);
    a retainer does not excuse it: a unit holds one child a night."""
    return _overlaps(placements, lambda p: p.unit, "unit", lambda a, b: False)


def child_overlaps(placements: Iterable[Placement]) -> list[Overlap]:
    """Every pair of one child's placements sharing a night, unless one of the two is coded a retainer
    with a reason (hospital, custody, a planned transition)."""
    return _overlaps(placements, lambda p: p.case_ref, "child", lambda a, b: a.is_retainer or b.is_retainer)

