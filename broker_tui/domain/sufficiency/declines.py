"""Decline evidence from the brokers' search logs: the "why no" that sufficiency analyses lack.

One ``Approach`` is a referral sent to a service, with the service's answer: an offer, a decline with its
coded reason (vocabulary.DECLINE_REASONS), or no reply. From the approaches this counts the declines by
reason (and each reason's share of the answers received), the response rates, and the declines by reason
cross-tabulated by:

- need domain at a high level: a referral counts under each domain whose need level (``need_*``) is 3 or
  more (High: the top of the 0 to 3 scale), so one approach may count under several domains; "No high need" holds
  the approaches for referrals with none;
- risk tag present (a risk recorded with ``present`` true; again one approach may count under several tags;
  "No risk recorded" holds the rest);
- age band at the date the referral was received (categories.AGE_BANDS, by whole months of age);
- the service's type; its area (in the council's area or outside) and its local authority.

The referrals that took longest to place are counted from ``Search`` records: the days from the referral
being received to the placement being agreed (the first audited move to placement agreed, as the search
log counts it), or, for one still open, to today; with the services approached and the offers received.
They are named by case reference only: this is a commissioner's report (no initials, no dates of birth).

Pure: nothing here reads the database; services.sufficiency builds the records.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from broker_tui.domain.sufficiency.categories import ADULT_BAND, BAND_NAMES, band_of
from broker_tui.domain.vocabulary import DECLINE_REASONS, NEED_DOMAIN_CODES, NEED_DOMAINS, SERVICE_TYPES, TAGS

ANSWERS = ("offered", "declined", "no_reply")
HIGH_NEED = 3  # a need level of 3 (High) or more
NO_HIGH_NEED = "none"
NO_RISK = "none"
IN_AREA, OUTSIDE_AREA = "in_area", "outside_area"
LA_NOT_KNOWN = "Not known"
DIMENSIONS = ("need", "risk", "age_band", "service_type", "area", "local_authority")
DIMENSION_LABELS = {"need": "High need (level 3 or more)", "risk": "Risk present", "age_band": "Age band when received",
                    "service_type": "Service type", "area": "Area", "local_authority": "Local authority"}
# the Placements Data Standard's placementType ("" not given), for the sufficiency records imported
STANDARD_PLACEMENT_TYPES = {"residential": "Residential", "foster": "Foster",
                            "supported_accommodation": "Supported accommodation", "": "Not given"}


@dataclass(frozen=True)
class Approach:
    """A referral sent to a service, and the answer (offered | declined | no_reply). ``referral`` is any key
    of the referral (its id), the same as its Search's."""

    referral: str
    service_type: str
    in_area: bool
    local_authority: str  # the service's local authority name; "" not known
    age_band: str  # categories.BAND_NAMES
    high_needs: tuple[str, ...]  # need domain codes at HIGH_NEED or more
    risks: tuple[str, ...]  # risk tags present
    answer: str
    reason: str | None = None  # the decline reason's code, for a decline


@dataclass(frozen=True)
class Search:
    """One referral's search: when it was received, when its placement was agreed (None: not agreed), and
    whether it is still open (not withdrawn or closed)."""

    referral: str
    case_ref: str
    date_received: dt.date
    placement_agreed_on: dt.date | None
    still_open: bool


@dataclass(frozen=True)
class ReasonCount:
    reason: str  # the code
    label: str
    declines: int
    share_of_answers: float | None  # declines for this reason / answers received (None: no answer yet)
    share_of_declines: float | None


@dataclass(frozen=True)
class CrossRow:
    """One group of a cross-tab: its approaches, answers and declines by reason (codes, every reason)."""

    key: str
    label: str
    approaches: int
    offered: int
    declined: int
    by_reason: dict[str, int]

    @property
    def answered(self) -> int:
        return self.offered + self.declined

    @property
    def decline_rate(self) -> float | None:
        """Declines among the answers received (None: no answer)."""
        return self.declined / self.answered if self.answered else None


@dataclass(frozen=True)
class LongSearch:
    case_ref: str
    placed: bool  # placement agreed (False: still open, counted to today)
    days: int
    services_approached: int
    offers: int
    declines: int


@dataclass(frozen=True)
class Declines:
    approaches: int
    referrals: int  # referrals with at least one approach
    answers: dict[str, int]  # ANSWERS -> approaches
    reasons: tuple[ReasonCount, ...]
    crosstabs: dict[str, tuple[CrossRow, ...]]  # DIMENSIONS -> rows (groups with an approach)
    longest: tuple[LongSearch, ...]

    def rate(self, answer: str) -> float | None:
        """The share of approaches with this answer (None: no approach)."""
        return self.answers.get(answer, 0) / self.approaches if self.approaches else None


def high_need_domains(levels: Mapping[str, int | None]) -> tuple[str, ...]:
    """The need domains (codes, in vocabulary order) at a high level: ``levels`` maps a domain to its level."""
    return tuple(d for d in NEED_DOMAIN_CODES if (levels.get(d) or 0) >= HIGH_NEED)


def risks_present(risks: Iterable[Any] | None) -> tuple[str, ...]:
    """The tags of the risks recorded as present ([{"tag", "present", "level"}]), each once, in order."""
    seen: list[str] = []
    for risk in risks or ():
        tag = risk.get("tag") if isinstance(risk, Mapping) and risk.get("present") else None
        if isinstance(tag, str) and tag not in seen:
            seen.append(tag)
    return tuple(seen)


def age_band_on(date_of_birth: dt.date | None, age_years: int | None, on: dt.date) -> str:
    """The age band at ``on`` (the date received): whole months from the date of birth, or the age in years
    as told (its whole year's months); neither: not known."""
    if date_of_birth is not None:
        months = (on.year - date_of_birth.year) * 12 + on.month - date_of_birth.month
        if on.day < date_of_birth.day:
            months -= 1
        return band_of(months)
    return band_of(None if age_years is None else age_years * 12)


def placement_agreed_on(status_changes: Iterable[tuple[dt.datetime, Mapping[str, Any] | None]]) -> dt.date | None:
    """The day of the first audited move to placement agreed, from a referral's status changes as
    (when, the values after) in the order made; None if there is none."""
    return next((at.date() for at, after in status_changes if (after or {}).get("status") == "placement_agreed"),
                None)


def _labels() -> dict[str, dict[str, str]]:
    return {
        "need": {**{d.code: d.label for d in NEED_DOMAINS}, NO_HIGH_NEED: "No high need"},
        "risk": {**{t.code: t.label for t in TAGS if t.kind != "specialist"}, NO_RISK: "No risk recorded"},
        "age_band": {b: b for b in (*BAND_NAMES[:-1], ADULT_BAND, BAND_NAMES[-1])},
        "service_type": {t.code: t.short for t in SERVICE_TYPES},
        "area": {IN_AREA: "In the council's area", OUTSIDE_AREA: "Outside the area"},
        "local_authority": {},
    }


def _keys(a: Approach) -> dict[str, tuple[str, ...]]:
    return {
        "need": a.high_needs or (NO_HIGH_NEED,),
        "risk": a.risks or (NO_RISK,),
        "age_band": (a.age_band,),
        "service_type": (a.service_type,),
        "area": (IN_AREA if a.in_area else OUTSIDE_AREA,),
        "local_authority": (a.local_authority or LA_NOT_KNOWN,),
    }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _reason_order(seen: Iterable[str]) -> list[str]:
    """The vocabulary's reasons first, in its order, then any other code met, sorted."""
    return [*DECLINE_REASONS, *sorted(set(seen) - set(DECLINE_REASONS))]


def _crosstab(dimension: str, approaches: Sequence[Approach], reasons: list[str],
              labels: dict[str, str]) -> tuple[CrossRow, ...]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for a in approaches:
        for key in _keys(a)[dimension]:
            c = counts[key]
            c["approaches"] += 1
            c[a.answer] += 1
            if a.answer == "declined":
                c["reason:" + (a.reason or "other")] += 1
    rows = [CrossRow(key, labels.get(key, key), c["approaches"], c["offered"], c["declined"],
                     {r: c["reason:" + r] for r in reasons}) for key, c in counts.items()]
    order = list(labels)
    if dimension == "local_authority":  # most declines first, then by name (not known last)
        rows.sort(key=lambda r: (r.key == LA_NOT_KNOWN, -r.declined, -r.approaches, r.key))
    else:  # the vocabulary's order; anything else after it, sorted
        rows.sort(key=lambda r: (order.index(r.key) if r.key in order else len(order), r.key))
    return tuple(rows)


def longest_searches(searches: Iterable[Search], approaches: Sequence[Approach], today: dt.date,
                     n: int) -> tuple[LongSearch, ...]:
    """The ``n`` searches that took longest: days received to placement agreed, or for one still open (and
    not agreed) to today; withdrawn or closed without an agreed placement are left out. Longest first, then
    by case reference."""
    per_ref: dict[str, Counter[str]] = defaultdict(Counter)
    for a in approaches:
        per_ref[a.referral]["approached"] += 1
        per_ref[a.referral][a.answer] += 1
    found = []
    for s in searches:
        if s.placement_agreed_on is not None:
            days, placed = (s.placement_agreed_on - s.date_received).days, True
        elif s.still_open:
            days, placed = (today - s.date_received).days, False
        else:
            continue
        c = per_ref.get(s.referral, Counter())
        found.append(LongSearch(s.case_ref, placed, days, c["approached"], c["offered"], c["declined"]))
    found.sort(key=lambda x: (-x.days, x.case_ref))
    return tuple(found[:max(n, 0)])


def count_declines(approaches: Sequence[Approach], searches: Iterable[Search], today: dt.date,
                     longest: int = 10) -> Declines:
    """Declines by reason, response rates, the cross-tabs by DIMENSIONS and the ``longest`` searches."""
    answers = Counter(a.answer for a in approaches)
    unknown = set(answers) - set(ANSWERS)
    if unknown:
        raise ValueError(f"unknown answer(s) {sorted(unknown)}: an answer is one of {', '.join(ANSWERS)}")
    by_reason = Counter((a.reason or "other") for a in approaches if a.answer == "declined")
    reasons = _reason_order(by_reason)
    answered = answers["offered"] + answers["declined"]
    reason_counts = tuple(ReasonCount(r, DECLINE_REASONS.get(r, r), by_reason[r], _share(by_reason[r], answered),
                                      _share(by_reason[r], answers["declined"])) for r in reasons)
    labels = _labels()
    crosstabs = {d: _crosstab(d, approaches, reasons, labels[d]) for d in DIMENSIONS}
    return Declines(len(approaches), len({a.referral for a in approaches}), {k: answers[k] for k in ANSWERS},
                    reason_counts, crosstabs, longest_searches(searches, approaches, today, longest))
