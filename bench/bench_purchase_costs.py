"""Purchase cost projections: 10,000 spot agreements with 5 amendments each over 5 years.

For each agreement, domain.purchases.projections on one day: the weekly price in force (split by funder),
this financial year, a full year from the day and to the planned end or the 18th birthday, each exact
and split by funder. Agreements are synthetic (fixed seed): starts from April 2022, an amendment about
every year (uplifts, a new split), 1:1 hours, planned ends up to 5 years on or open. Each run times the
projections of fresh agreement objects (so the version timeline is built inside the timed part);
the median of the runs and its ratio to the target (500 ms) are printed, with the figures rebuilt and
timed night by night on a sample, to show both that they agree to the penny and what the segments save.

    .venv/bin/python bench/bench_purchase_costs.py [--runs 9] [--agreements 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from broker_tui.domain.purchases import (  # noqa: E402
    Amendment,
    FundingSplit,
    Period,
    SpotAgreement,
    WeeklyPriceParts,
    amendment_in_force,
    financial_year,
    projections,
    round_half_up,
)

TODAY = dt.date(2026, 12, 1)
TARGET_MS = 500.0
SPLITS = (FundingSplit(), FundingSplit(80, 20, 0), FundingSplit(70, 20, 10), FundingSplit(50, 25, 25))


def synthetic_agreements(n: int, seed: int = 17) -> list[tuple[SpotAgreement, dt.date | None]]:
    """n agreements (with the child's 18th birthday, or None when unknown) of 5 amendments each."""
    rnd = random.Random(seed)
    out: list[tuple[SpotAgreement, dt.date | None]] = []
    for i in range(n):
        start = dt.date(2022, 4, 1) + dt.timedelta(days=rnd.randrange(0, 4 * 365))
        core = rnd.randrange(40_000, 1_500_000)
        minutes, rate = rnd.choice((0, 0, 300, 630, 1_200)), rnd.randrange(2_000, 3_500)
        amendments = []
        effective = start
        for k in range(5):
            one_to_one = (minutes * rate * 2 + 60) // 120  # the part as staffing_pence makes it
            price = WeeklyPriceParts(weekly_pence=core + one_to_one, core_pence=core, one_to_one_minutes=minutes,
                                     one_to_one_hourly_pence=rate)
            amendments.append(Amendment(effective, price, rnd.choice(SPLITS), reason=f"uplift {k}"))
            effective += dt.timedelta(days=rnd.randrange(200, 420))
            core = core * (10_000 + rnd.randrange(0, 600)) // 10_000
            rate += rnd.randrange(0, 150)
        planned = None if rnd.random() < 0.2 else start + dt.timedelta(days=rnd.randrange(180, 5 * 365))
        birthday = None if rnd.random() < 0.3 else TODAY + dt.timedelta(days=rnd.randrange(30, 6 * 365))
        out.append((SpotAgreement(start, tuple(amendments), planned_end=planned, reference=f"LCC-{100000 + i}"),
                    birthday))
    return out


def fresh(agreements: list[tuple[SpotAgreement, dt.date | None]]) -> list[tuple[SpotAgreement, dt.date | None]]:
    """New objects with the same values, so no cached timeline carries over from an earlier run."""
    return [(SpotAgreement(a.start, a.amendments, a.planned_end, a.ended_on, a.reference), b) for a, b in agreements]


def night_by_night_pence(agreement: SpotAgreement, period: Period) -> int:
    """The reference: a Fraction per night, rounded once at the end."""
    total = Fraction(0)
    for night in period.clip(agreement.start, agreement.end).each_night():
        version = amendment_in_force(agreement, night)
        total += 0 if version is None else Fraction(version.weekly_pence, 7)
    return round_half_up(total.numerator, total.denominator)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--agreements", type=int, default=10_000)
    args = parser.parse_args()
    agreements = synthetic_agreements(args.agreements)
    print(f"{len(agreements):,} agreements x 5 amendments; projections on {TODAY.isoformat()} "
          "(weekly, this financial year, a full year, to the planned end or 18th birthday)")

    times, cpu = [], []
    for _ in range(args.runs):
        batch = fresh(agreements)
        t0, c0 = time.perf_counter(), time.process_time()
        results = [projections(a, TODAY, b) for a, b in batch]
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    median_ms = statistics.median(times) * 1000
    print(f"  median {median_ms:7.1f} ms over {args.runs} runs (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f};"
          f" CPU median {statistics.median(cpu) * 1000:.1f})  = {median_ms * 1000 / len(agreements):.1f} µs an "
          f"agreement;  target {TARGET_MS:.0f} ms: ratio {median_ms / TARGET_MS:.2f}")
    totals = sum(r.financial_year.pence for r in results)
    print(f"  this financial year, all agreements: {totals:,}p")

    sample = agreements[: min(200, len(agreements))]
    fy = financial_year(TODAY)
    t0 = time.perf_counter()
    slow = [night_by_night_pence(a, fy) for a, _ in sample]
    per_night = (time.perf_counter() - t0) / len(sample)
    fast = [projections(a, TODAY, b) for a, b in sample]
    assert slow == [p.financial_year.pence for p in fast], "segment sums and night-by-night sums disagree"
    for (a, _), p in zip(sample, fast, strict=True):
        if p.to_end is not None:
            assert p.to_end.pence == night_by_night_pence(a, p.to_end.period), "to the end disagrees"
    t0 = time.perf_counter()
    for a, _ in fresh(sample):
        projections(a, TODAY)
    per_segment = (time.perf_counter() - t0) / len(sample)
    print(f"  night by night (one financial year only, {len(sample)} agreements): {per_night * 1e6:,.0f} µs an "
          f"agreement, same pence; all four projections by segment are {per_night / per_segment:,.0f}x faster")


if __name__ == "__main__":
    main()
