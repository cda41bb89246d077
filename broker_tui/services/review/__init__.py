"""The commissioner's 16+ review (issue 12): block against spot, utilisation, voids and why, cost, quality,
expiry and the right block size, over any period, from the same data the brokers keep.

``review_16_plus(ctx, first_day, last_day)`` (default: the 12 months to yesterday) returns a ``Review`` of
plain figures (services.review._model); ``period_from_text`` reads the dates a person typed. Exports are in
services.review.export (imported only when asked: openpyxl is not loaded at start)."""

from __future__ import annotations

import datetime as dt
import logging
import time

from broker_tui.domain.dates import add_months, parse_date
from broker_tui.domain.purchases import Period
from broker_tui.services.context import AppContext
from broker_tui.services.placements import PurchaseRefused
from broker_tui.services.review._compute import ASSUMPTIONS, compute
from broker_tui.services.review._load import load
from broker_tui.services.review._model import (
    CohortTotals,
    ContractReview,
    EndingContract,
    MonthSpend,
    MonthUse,
    PriceSpan,
    Review,
    ReviewPeriod,
    SizeReview,
    SpotGroup,
    SpotLine,
    VoidSplit,
    percent,
    plain,
)

log = logging.getLogger(__name__)
MAX_YEARS = 10


class ReviewRefused(PurchaseRefused):
    """The review cannot be made as asked: ``problems`` maps each field ('from', 'to') to a message."""


def default_period(today: dt.date) -> ReviewPeriod:
    """The 12 months to yesterday: from the same date a year ago to the day before today."""
    return ReviewPeriod(add_months(today, -12), today - dt.timedelta(days=1))


def period_from_text(today: dt.date, first: str | dt.date | None, last: str | dt.date | None) -> ReviewPeriod:
    """The period a person asked for (dd/mm/yyyy or ISO; blank: the default's), or ReviewRefused by field."""
    default = default_period(today)
    problems: dict[str, str] = {}
    days: dict[str, dt.date] = {}
    for name, given, fallback in (("from", first, default.first_day), ("to", last, default.last_day)):
        if given is None or (isinstance(given, str) and not given.strip()):
            days[name] = fallback
        elif isinstance(given, dt.date):
            days[name] = given
        else:
            try:
                days[name] = parse_date(given)
            except ValueError as error:
                problems[name] = str(error)
    if not problems and days["to"] < days["from"]:
        problems["to"] = "is before the start of the period: the last day must be on or after the first"
    if not problems and days["to"] > add_months(days["from"], 12 * MAX_YEARS):
        problems["to"] = f"the period is longer than {MAX_YEARS} years: choose a shorter one"
    if problems:
        raise ReviewRefused(problems)
    return ReviewPeriod(days["from"], days["to"])


def review_16_plus(ctx: AppContext, first_day: str | dt.date | None = None,
                   last_day: str | dt.date | None = None) -> Review:
    """The review over the nights first_day..last_day (inclusive; see ``period_from_text``)."""
    today = ctx.today()
    asked = period_from_text(today, first_day, last_day)
    period = Period(asked.first_day, asked.end)
    started = time.perf_counter()
    with ctx.session() as session:
        loaded = load(session, period.start, period.end, today)
    review = compute(loaded, period, today)
    log.info("16+ review %s..%s: %d contracts, %d spot agreements in %.0f ms", asked.first_day.isoformat(),
             asked.last_day.isoformat(), len(review.contracts), len(review.spot_lines),
             (time.perf_counter() - started) * 1000)
    return review


__all__ = [
    "ASSUMPTIONS", "MAX_YEARS", "CohortTotals", "ContractReview", "EndingContract", "MonthSpend", "MonthUse",
    "PriceSpan", "Review", "ReviewPeriod", "ReviewRefused", "SizeReview", "SpotGroup", "SpotLine", "VoidSplit",
    "default_period", "percent", "period_from_text", "plain", "review_16_plus",
]
