"""`match REF|--referral FILE.json [--top N] [--show-full] [--excluded all|N] [--json]`: rank the market
for a referral.

Prints the ranked results with each score part, the price estimate, the explanation and the
approvals needed, then how many services were excluded for each rule. The excluded services themselves,
with every reason, only as asked: the table lists the first 40 of a type sought, the JSON none, unless
--excluded says all or how many. Case references only: never initials or dates of birth.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from broker_tui.cli import Root, database_errors, fail, read_json_object, ready, say

if TYPE_CHECKING:
    from broker_tui.domain.matching import MatchResult

EXCLUDED_SHOWN = 40
PARTS = ("need_fit", "specialist", "cost", "place", "quality", "strategy")
PART_LABELS = {"need_fit": "need", "specialist": "specialist", "cost": "cost", "place": "place",
               "quality": "quality", "strategy": "strategy"}


def _money(pence: int | None) -> str:
    from broker_tui.domain.money import format_pence

    return "-" if pence is None else format_pence(pence, whole=True)


def _listed(excluded: str | None, default: int) -> int | None:
    """--excluded as a count of services to list: 'all' (None), a number, or the default when not given."""
    if excluded is None:
        return default
    text = excluded.strip().lower()
    if text == "all":
        return None
    if not text.isdigit():
        fail(f"--excluded: {excluded!r} is neither 'all' nor a number of services")
    return int(text)


def _print_table(out: dict[str, Any], result: MatchResult, listed: int | None) -> None:
    from broker_tui.domain.matching import RULE_LABELS
    from broker_tui.domain.vocabulary import service_type_label

    req = out["request"]
    types = ", ".join(service_type_label(t) for t in req["types_sought"])
    budget = f"; budget {_money(req['budget_weekly_pence'])} a week" if req["budget_weekly_pence"] else ""
    say(f"Referral {out['case_ref'] or '(from file)'}: age {req['age_at_needed_by']}; {types}; "
               f"miles from {req['measured_from']}{budget}")
    say(out["summary"])
    if out["results"]:
        say("")
        say(f"{'#':>3}  {'score':>5}  {'service':32} {'type':26} {'miles':>5}  {'weekly':>8}  judgement")
    for r in out["results"]:
        miles = "-" if r["miles"] is None else f"{r['miles']:.0f}"
        weekly = _money(r["estimate"]["weekly_pence"]) if r["estimate"] else "-"
        say(f"{r['rank']:>3}  {r['score']:.3f}  {r['service'][:32]:32} "
                   f"{service_type_label(r['service_type'])[:26]:26} {miles:>5}  {weekly:>8}  {r['judgement']}")
        say("          " + "  ".join(f"{PART_LABELS[k]} {r['parts'][k]:.2f}" for k in PARTS))
        say(f"          {r['explanation']}")
        for a in r["approvals"]:
            say(f"          approval: {a}")
    total = out["exclusions"]["total"]
    if total:
        of_type = result.excluded_positions(sought_only=True)
        shown = of_type if listed is None else of_type[:listed]
        say("")
        say(f"Excluded: {total}, of which {len(of_type)} of a type sought:")
        for e in result.exclusions_at(shown):
            say(f"  {e.service.name}: {'; '.join(e.reasons)}")
        if len(of_type) > len(shown):
            say(f"  ... and {len(of_type) - len(shown)} more (--excluded all lists every one)")
        say("By rule: " + "; ".join(f"{RULE_LABELS[c['rule']]} {c['count']}" for c in out["exclusions"]["by_reason"]))


@click.command("match")
@click.argument("ref", required=False)
@click.option("--referral", "referral_file", metavar="FILE.json",
              type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Match a referral in the JSON format of `referrals add` without storing it ('-' reads stdin).")
@click.option("--top", "top_n", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="How many ranked results to show.")
@click.option("--show-full", is_flag=True, help="Keep full services among the results, marked full.")
@click.option("--excluded", "excluded", metavar="all|N",
              help="List the excluded services with every reason: 'all', or the first N by name (default: "
                   f"JSON none, only the counts by rule; the table the first {EXCLUDED_SHOWN} of a type sought).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (case reference only: no initials or dates of birth).")
@click.pass_obj
def match_cmd(root: Root, ref: str | None, referral_file: Path | None, top_n: int, show_full: bool,
              excluded: str | None, as_json: bool) -> None:
    """Rank the market for a referral (by case reference or id, or from --referral FILE.json)."""
    if (ref is None) == (referral_file is None):
        fail("give a referral's case reference or id, or --referral FILE.json (one of them)")
    listed = _listed(excluded, 0 if as_json else EXCLUDED_SHOWN)
    raw = read_json_object(referral_file, "a referral", writes=False) if referral_file is not None else None
    from broker_tui.services.matching import (
        ReferralInvalid,
        match_referral,
        match_referral_json,
        result_to_json,
    )
    from broker_tui.services.referrals import ReferralNotFound

    ctx = ready(root)
    with database_errors():
        try:
            if raw is not None:
                result = match_referral_json(ctx, raw, top_n=top_n, show_full=show_full)
            else:
                result = match_referral(ctx, ref or "", top_n=top_n, show_full=show_full)
        except ReferralNotFound:
            fail(f"no referral {ref!r}", 1)
        except ReferralInvalid as exc:
            for key, message in exc.problems.items():
                say(f"  {key}: {message}", err=True)
            fail(f"the referral has {len(exc.problems)} problem(s); nothing was matched", 1)
    if as_json:
        say(json.dumps(result_to_json(result, excluded=listed), indent=2))
    else:
        _print_table(result_to_json(result), result, listed)


COMMANDS = (match_cmd,)
