"""`broker-tui sufficiency declines|diversity`: the "why no" from the brokers' search logs, and how concentrated
the market is, for commissioners."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from broker_tui.cli import Root, fail, ready, say
from broker_tui.cli.forecast import finite

if TYPE_CHECKING:
    import datetime as dt

    from broker_tui.domain.sufficiency.declines import CrossRow

# the decline reasons' column heads in the cross-tabs (vocabulary.DECLINE_REASONS' codes)
REASON_HEADS = {"no_vacancy": "no place", "cannot_meet_needs": "needs", "location": "where", "price": "price",
                "impact": "impact", "other": "other"}


@click.group()
def sufficiency() -> None:
    """Sufficiency evidence for commissioners."""


def _day(option: str, text: str | None) -> dt.date | None:
    from broker_tui.domain.dates import DateError, parse_date

    try:
        return parse_date(text) if text else None
    except DateError as exc:
        fail(f"{option}: {exc}")


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def _period(since: dt.date | None, until: dt.date | None) -> str:
    from broker_tui.domain.dates import format_date

    if since and until:
        return f"received {format_date(since)} to {format_date(until)}"
    if since:
        return f"received on or after {format_date(since)}"
    if until:
        return f"received on or before {format_date(until)}"
    return "every referral received"


def _crosstab(title: str, rows: tuple[CrossRow, ...], reasons: list[str]) -> None:
    say()
    say(f"{title[:34]:34}{'sent':>6}{'offer':>7}{'decline':>8}{'rate':>6}"
        + "".join(f"{REASON_HEADS.get(r, r)[:8]:>9}" for r in reasons))
    for row in rows:
        say(f"{row.label[:33]:34}{row.approaches:>6}{row.offered:>7}{row.declined:>8}{_pct(row.decline_rate):>6}"
            + "".join(f"{row.by_reason.get(r, 0):>9}" for r in reasons))


@sufficiency.command("declines")
@click.option("--since", metavar="DATE", help="Only referrals received on or after this date (dd/mm/yyyy).")
@click.option("--until", metavar="DATE", help="Only referrals received on or before this date (dd/mm/yyyy).")
@click.option("--longest", type=click.IntRange(0, 1000), default=10, show_default=True,
              help="How many of the referrals that took longest to place to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON (case references only).")
@click.pass_obj
def declines_cmd(root: Root, since: str | None, until: str | None, longest: int, as_json: bool) -> None:
    """Declines from the brokers' search logs: by coded reason, and by high need, risk, age band, service type
    and area; the answers received; the referrals that took longest to place (days from received to placement
    agreed, or to today while still open) with the services approached. Case references only: no initials or
    dates of birth."""
    import json

    from broker_tui.domain.sufficiency.declines import DIMENSION_LABELS, DIMENSIONS, STANDARD_PLACEMENT_TYPES
    from broker_tui.services.sufficiency import decline_evidence

    first, last = _day("--since", since), _day("--until", until)
    if first and last and last < first:
        fail("--until: the period ends before it starts (--since)")
    ctx = ready(root)
    done = decline_evidence(ctx, since=first, until=last, longest=longest)
    if as_json:
        say(json.dumps(done.as_json(), indent=1))
        return
    d = done.declines
    say(f"Decline evidence from the search logs: {_period(first, last)}")
    say(f"{done.referrals_received} referral(s); {d.referrals} sent to services, {d.approaches} approach(es) in all")
    say("Answers: " + ", ".join(f"{d.answers[a]} {word} ({_pct(d.rate(a))})" for a, word in
                                (("offered", "offered"), ("declined", "declined"), ("no_reply", "no reply"))))
    if d.approaches:
        say()
        say(f"{'Declines by reason':40}{'declines':>9}{'of answers':>12}{'of declines':>13}")
        for r in d.reasons:
            say(f"{r.label[:39]:40}{r.declines:>9}{_pct(r.share_of_answers):>12}{_pct(r.share_of_declines):>13}")
        reasons = [r.reason for r in d.reasons]
        say()
        say("By group: services sent to, offers, declines, the rate of declines among the answers, then the "
            "declines by reason (one referral may count in several need and risk groups)")
        for dim in DIMENSIONS:
            _crosstab(DIMENSION_LABELS[dim], d.crosstabs[dim], reasons)
    else:
        say("No referral in the period has been sent to a service: no answers to count.")
    if longest and d.longest:
        say()
        say("Longest to place (days from received to placement agreed; still open: to today)")
        say(f"{'case reference':20}{'days':>6}  {'state':8}{'approached':>11}{'offers':>8}{'declines':>10}")
        for s in d.longest:
            say(f"{s.case_ref[:19]:20}{s.days:>6}  {'agreed' if s.placed else 'open':8}{s.services_approached:>11}"
                f"{s.offers:>8}{s.declines:>10}")
    say()
    total = sum(done.standard_records.values())
    if total:
        kinds = ", ".join(f"{STANDARD_PLACEMENT_TYPES.get(k, k).lower()} {n}" for k, n in done.standard_records.items())
        say(f"Placements Data Standard records imported: {total} in {done.standard_files} file(s) ({kinds}); "
            "all of them, whatever the period")
    else:
        say("Placements Data Standard records imported: none (broker-tui referrals import --standard placements-v2)")


@sufficiency.command("diversity")
@click.option("--within", "miles", type=click.FloatRange(0, 500), default=20.0, show_default=True, callback=finite,
              help="The market within this many miles of the home area's centre, beside the local area.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def diversity_cmd(root: Root, miles: float, as_json: bool) -> None:
    """How concentrated each market is (external fostering, residential, supported accommodation), in the
    local area and within reach: providers, the largest provider's share of places (of agencies for
    fostering, which registers no places), the Herfindahl-Hirschman index (0 to 10,000; above 2,500 highly
    concentrated), and if the largest provider failed: its places, our children placed there now, and whether
    the vacancies known at the rest of the market within reach would take them."""
    import json

    from broker_tui.domain.sufficiency.categories import CATEGORY_LABELS
    from broker_tui.services.sufficiency import diversity_json, market_diversity

    ctx = ready(root)
    rows = market_diversity(ctx, miles=miles)
    if as_json:
        say(json.dumps([diversity_json(d) for d in rows], indent=1))
        return
    say(f"{'':26}{'reach':18}{'providers':>10}{'total':>7}  {'largest provider (share)':42}{'HHI':>7}"
        f"{'if it failed: places':>22}{'children':>10}  vacancies elsewhere")
    for d in rows:
        vacancies = "not known" if d.vacancies_elsewhere is None else (
            f"{d.vacancies_elsewhere} at {d.vacancies_known_at} service(s): "
            + ("enough" if d.absorbs else "NOT enough"))
        largest = f"{d.largest[:32]} ({d.largest_share:.0%})" if d.largest else "-"
        hhi = f"{d.hhi:>7,.0f}" if d.total else f"{'-':>7}"
        say(f"{CATEGORY_LABELS[d.category]:26}{d.reach:18}{d.providers:>10}{d.total:>7}  {largest:42}"
            f"{hhi}{d.displaced_places:>22}{d.displaced_children:>10}  {vacancies}")
    say("Shares are of registered places; of agencies for external fostering (agencies register no places).")


COMMANDS = (sufficiency,)
