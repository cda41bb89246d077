"""Spot purchases (IPAs), headless: `purchases list|show|add|submit|amend|approve|reject|cancel|end`.

`add` and `amend` take one JSON object from a file ('-': standard input) and/or options (an option wins over
the same field in the file); `add --from-offer OFFER_ID` starts from an accepted offer (service, price and
parts, start) and lays the file over it. The fields are the services' own (SpotInput, AmendmentInput: see
each command's help). An agreement is named by its id, or by the child's case reference when it is their
only agreement running. Every problem is reported on a line of its own, by field, and the command exits 1
with nothing written. `list` and `show` print JSON with --json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from broker_tui.cli import Root, fail, read_json_object, ready, say

if TYPE_CHECKING:
    from broker_tui.services.purchases import AgreementDetail, RequiredApprovals


def _report(problems: dict[str, str], what: str) -> None:
    for key, message in problems.items():
        say(f"  {key}: {message}" if key else f"  {message}", err=True)
    fail(f"{what} has {len(problems)} problem(s); nothing was written", 1)


def _values(json_file: Path | None, what: str, options: dict[str, Any]) -> dict[str, Any]:
    data = read_json_object(json_file, what) if json_file is not None else {}
    data.update({k: v for k, v in options.items() if v is not None})
    return data


def _run(what: str, act: Any) -> Any:
    """Do the act; a refusal is every problem on its own line (exit 1), a stale view one line."""
    from broker_tui.services.placements import PurchaseRefused
    from broker_tui.store.errors import StaleEdit

    try:
        return act()
    except PurchaseRefused as exc:
        _report(exc.problems, what)
    except StaleEdit as exc:
        fail(str(exc), 1)


def _dump(data: Any) -> None:
    say(json.dumps(data, indent=2, ensure_ascii=False))


def _date_option(value: str | None, name: str) -> Any:
    from broker_tui.domain.dates import DateError, parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except DateError as exc:
        fail(f"{name}: {exc}", 1)


@click.group()
def purchases() -> None:
    """Spot purchases (individual placement agreements): record, approve, amend, cancel, end."""


@purchases.command("list")
@click.option("--status", type=click.Choice(["draft", "awaiting_approval", "active", "rejected", "cancelled", "ended"]),
              multiple=True, help="Only these statuses (repeat for more).")
@click.option("--awaiting", "awaiting_approval", is_flag=True,
              help="Only agreements (or amendments) awaiting an approver.")
@click.option("--ending-within", type=click.IntRange(0, 3650), metavar="DAYS",
              help="Only active agreements whose planned end is within DAYS days.")
@click.option("--text", help="In the case reference, service or provider name.")
@click.option("--page", type=click.IntRange(1, None), default=1, show_default=True, help="Which page.")
@click.option("--page-size", type=click.IntRange(1, 500), default=50, show_default=True, help="Rows a page.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def list_cmd(root: Root, status: tuple[str, ...], awaiting_approval: bool, ending_within: int | None,
             text: str | None, page: int, page_size: int, as_json: bool) -> None:
    """Spot agreements, newest start first (soonest end first with --ending-within): case reference, service,
    provider, status, weekly cost now, start and planned end."""
    from broker_tui.domain.dates import format_date
    from broker_tui.domain.money import format_pence
    from broker_tui.services.purchases import list_agreements

    found = list_agreements(ready(root), status=status or None, awaiting_approval=awaiting_approval,
                            ending_within_days=ending_within, text=text, page=page - 1, page_size=page_size)
    if as_json:
        _dump(found.to_json())
        return
    if not found.rows:
        say("No spot agreements." if found.total == 0 else f"No agreements on page {page} of {found.pages}.")
        return
    for r in found.rows:
        wait = " [awaiting approval]" if r.awaiting_approval and r.status != "awaiting_approval" else ""
        end = format_date(r.planned_end) if r.planned_end else "open"
        say(f"{r.case_ref:12} {r.status_label:18} {format_pence(r.weekly_now_pence):>12} now  "
            f"{format_date(r.start_date)} to {end:10}  {r.service_name} ({r.provider_name}){wait}  {r.id}")
    say(f"Page {page} of {found.pages}: {found.total} agreement(s).")


def _print_detail(d: AgreementDetail, required: RequiredApprovals | None) -> None:
    from broker_tui.domain.dates import format_date
    from broker_tui.domain.money import format_pence
    from broker_tui.domain.purchases import format_hours

    say(f"{d.case_ref}: spot agreement {d.id}")
    say(f"  {d.service_name} ({d.provider_name}); {d.status_label}"
        + (f" ({d.status_reason})" if d.status_reason else "") + f"; recorded by {d.recorded_by} on "
        f"{format_date(d.recorded_at.date())}")
    end = format_date(d.planned_end) if d.planned_end else "open"
    say(f"  from {format_date(d.start_date)} to {end} (first night not bought)"
        + (f"; ended {format_date(d.ended_on)}" if d.ended_on else ""))
    route = d.route_label + (f": {d.framework_name}" if d.framework_name else "") + (
        f", lot {d.framework_lot}" if d.framework_lot else "")
    say(f"  route {route}" + (f" ({d.route_reason})" if d.route_reason else "") + f"; cost centre {d.cost_centre}")
    if d.conditions:
        say(f"  conditions: {d.conditions}")
    say("Versions:")
    for v in d.versions:
        parts = [f"core {format_pence(v.core_weekly_pence)}"]
        if v.one_to_one_minutes:
            parts.append(f"1:1 {format_hours(v.one_to_one_minutes)} h x {format_pence(v.one_to_one_hourly_pence)} = "
                         f"{format_pence(v.one_to_one_weekly_pence)}")
        if v.two_to_one_minutes:
            parts.append(f"2:1 {format_hours(v.two_to_one_minutes)} h x {format_pence(v.two_to_one_hourly_pence)} = "
                         f"{format_pence(v.two_to_one_weekly_pence)}")
        for label, pence in (("education", v.education_weekly_pence), ("therapy", v.therapy_weekly_pence),
                             ("solo premium", v.solo_premium_weekly_pence)):
            if pence:
                parts.append(f"{label} {format_pence(pence)}")
        if v.other_weekly_pence:
            parts.append(f"other {format_pence(v.other_weekly_pence)} ({v.other_text})")
        decided = f" by {v.decided_by} on {format_date(v.decided_on)}" if v.decided_by and v.decided_on else ""
        say(f"  from {format_date(v.effective_from)}: {v.kind_label}: {format_pence(v.weekly_price_pence)} a week "
            f"({'; '.join(parts)}); split {v.social_care_pct}/{v.education_pct}/{v.health_pct}"
            + (f"; planned end {format_date(v.planned_end)}" if v.planned_end and v.kind != "as_made" else ""))
        say(f"    {v.reason}; by {v.created_by} on {format_date(v.created_at.date())}; {v.state_label}{decided}"
            + (f" ({v.decision_reason})" if v.decision_reason else ""))
    if d.placement is not None:
        p = d.placement
        say(f"Placement {p.id}: from {format_date(p.start_date)}"
            + (f" to {format_date(p.end_date)}" if p.end_date else "")
            + (f"; ended by {p.ended_by} ({p.reason_place_change or p.reason_episode_ceased})" if p.ended else "")
            + (f"; {p.overlap_kind}: {p.overlap_reason}" if p.overlap_kind else ""))
    if required is not None:
        say("Approvals:")
        if not required.matching_known:
            say(f"  {required.note}")
        for item in required.items:
            when = (f" by {item.decided_by} on {format_date(item.decided_on)}" if item.decided_on else
                    f" by {format_date(item.due_on)}" if item.due_on else "")
            say(f"  {item.label}: {item.state_label}{when}" + (" (late)" if item.late else "")
                + (f"; {item.why}" if item.needed else ""))
        if required.matching_known and not required.items:
            say("  none needed")
    pr = d.projections
    if pr is not None:
        say(f"Costs on {format_date(pr.on)}:")
        say(f"  weekly now {format_pence(pr.weekly['total'])}")
        for label, c in (("this financial year", pr.financial_year), ("a full year", pr.full_year),
                         (f"to the {pr.to_end.until}" if pr.to_end else "", pr.to_end)):
            if c is None:
                continue
            say(f"  {label}: {format_pence(c.pence)} ({c.nights} nights, {format_date(c.start)} to {format_date(c.end)};"
                f" social care {format_pence(c.social_care)}, education {format_pence(c.education)}, health "
                f"{format_pence(c.health)})")
        for note in pr.notes:
            say(f"  ({note})")


@purchases.command("show")
@click.argument("agreement")
@click.option("--on", "on", metavar="DATE", help="The day the costs are projected from (default today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def show_cmd(root: Root, agreement: str, on: str | None, as_json: bool) -> None:
    """One agreement (id, or the child's case reference): every version, approvals, placement, costs."""
    from broker_tui.services.purchases import required_approvals, show_agreement

    day = _date_option(on, "--on")
    ctx = ready(root)
    detail = _run(agreement, lambda: show_agreement(ctx, agreement, on=day))
    required = required_approvals(ctx, detail.id)
    if as_json:
        out = detail.to_json()
        out["required_approvals"] = required.to_json()
        _dump(out)
    else:
        _print_detail(detail, required)


@purchases.command("add")
@click.argument("json_file", required=False, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--from-offer", "offer", metavar="OFFER_ID", help="Start from this accepted offer.")
@click.option("--submit", "submit_now", is_flag=True, help="Submit it at once (else a draft).")
@click.pass_obj
def add_cmd(root: Root, json_file: Path | None, offer: str | None, submit_now: bool) -> None:
    """Record a spot agreement from FILE.json ('-': stdin), laid over an accepted offer with --from-offer.

    \b
    {"referral": ID (or "case_ref": "LCC-104233"), "service": ID|URN, "offer": ID,
     "start_date": "2026-12-07", "planned_end": "2027-12-07",
     "weekly_price_pence": 652000, "core_weekly_pence": 600000,
     "one_to_one_hours": "10.5" (or "one_to_one_minutes": 630), "one_to_one_hourly_pence": 2500,
     "two_to_one_hours": "0", "two_to_one_hourly_pence": 0, "education_weekly_pence": 0,
     "therapy_weekly_pence": 25750, "solo_premium_weekly_pence": 0,
     "other_weekly_pence": 0, "other_text": "",
     "social_care_pct": 80, "education_pct": 20, "health_pct": 0, "cost_centre": "CC-4410",
     "purchasing_route": "spot|framework|open_framework|dynamic_purchasing_system",
     "framework_name": "", "framework_lot": "", "route_reason": "why spot, or why above the rate",
     "contract_basis": "National contract (IPA)", "conditions": "...",
     "overlap_kind": "retainer|transition", "overlap_reason": "...", "placement_type": "K2"}
    The parts must add to the weekly price exactly; the shares to 100. Money in pence (or "£6,520.00").
    """
    from broker_tui.domain.dates import format_date
    from broker_tui.domain.money import format_pence
    from broker_tui.services.purchases import SpotInput, add_agreement, prefill_from_offer

    data = _values(json_file, "a spot agreement", {})
    what = str(json_file) if json_file is not None else "the agreement"
    ctx = ready(root)
    base = _run("--from-offer", lambda: prefill_from_offer(ctx, offer)) if offer else None
    given = _run(what, lambda: SpotInput.from_json(data, base))
    added = _run(what, lambda: add_agreement(ctx, given, submit=submit_now))
    say(f"{added.case_ref}: spot agreement {added.id} recorded ({added.status.replace('_', ' ')}) at "
        f"{format_pence(added.weekly_pence)} a week; placement {added.placement_id}")
    for reason in added.approval_reasons:
        say(f"  needs approval: {reason}")
    from broker_tui.services.purchases import required_approvals

    for item in required_approvals(ctx, added.id).outstanding:
        if item.kind != "cost":
            say(f"  needs before the start: {item.label}" + (f" by {format_date(item.due_on)}" if item.due_on else ""))


@purchases.command("submit")
@click.argument("agreement")
@click.pass_obj
def submit_cmd(root: Root, agreement: str) -> None:
    """Submit a draft: active, or awaiting approval above the threshold."""
    from broker_tui.services.purchases import submit

    ctx = ready(root)
    done = _run("the submission", lambda: submit(ctx, agreement))
    say(f"{done.case_ref}: {done.message}")


@purchases.command("amend")
@click.argument("agreement")
@click.argument("json_file", required=False, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--kind", type=click.Choice(["price_change", "uplift", "extension", "planned_end"]), help="What changes.")
@click.option("--from", "effective_from", metavar="DATE", help="The first night it applies.")
@click.option("--uplift-bp", "uplift_bp", type=int, help="The uplift in basis points, 350 = 3.5% (uplift).")
@click.option("--planned-end", metavar="DATE", help="The new planned end (extension, planned_end).")
@click.option("--reason", help="Why, in words.")
@click.pass_obj
def amend_cmd(root: Root, /, agreement: str, json_file: Path | None, **options: Any) -> None:
    """Amend AGREEMENT by a dated row, from FILE.json and/or options.

    \b
    {"kind": "price_change", "effective_from": "2027-01-04", "reason": "2:1 at night",
     "weekly_price_pence": 660000, "core_weekly_pence": 600000, "two_to_one_hours": "20",
     "two_to_one_hourly_pence": 3000, "social_care_pct": 100}
    kinds: price_change (the new price in parts and/or split), uplift (uplift_bp), extension (a later
    planned_end), planned_end (a new planned end). A raise above the threshold or the allowed percentage
    waits for an approver (purchases approve), the old price holding meanwhile.
    """
    from broker_tui.domain.dates import format_date
    from broker_tui.domain.money import format_pence
    from broker_tui.services.purchases import AmendmentInput, amend

    data = _values(json_file, "an amendment", options)
    what = str(json_file) if json_file is not None else "the amendment"
    ctx = ready(root)
    made = _run(what, lambda: amend(ctx, agreement, AmendmentInput.from_json(data)))
    say(f"{made.case_ref}: {made.kind.replace('_', ' ')} from {format_date(made.effective_from)}: "
        f"{format_pence(made.previous_weekly_pence)} -> {format_pence(made.weekly_pence)} a week"
        + (f"; planned end {format_date(made.planned_end)}" if made.planned_end else "")
        + ("; awaiting approval" if made.state == "awaiting_approval" else "; in force") + f" (amendment {made.id})")
    for reason in made.reasons:
        say(f"  needs approval: {reason}")


@purchases.command("approve")
@click.argument("agreement")
@click.option("--amendment", metavar="ID", help="The amendment awaiting approval (to be sure it is that one).")
@click.option("--kind", type=click.Choice(["cost", "out_of_area", "distant", "school_years_10_11", "host_council_told"]),
              default="cost", show_default=True,
              help="cost: approve as yourself (the agreement, or its amendment awaiting approval); the others record "
                   "a decision matching flagged, with --by and --on.")
@click.option("--by", default="", help="Who decided (the nominated officer, the Director); default you.")
@click.option("--on", "on", metavar="DATE", help="When they decided (default today).")
@click.option("--refused", is_flag=True, help="Record a refusal (with --note saying why), not an approval.")
@click.option("--note", default="", help="A note: why, or how the host council was told.")
@click.pass_obj
def approve_cmd(root: Root, agreement: str, amendment: str | None, kind: str, by: str, on: str | None, refused: bool,
                note: str) -> None:
    """Approve AGREEMENT (awaiting approval) or its amendment awaiting approval as yourself, within your limit
    and never your own; or record an approval matching flagged (--kind)."""
    from broker_tui.domain.dates import format_date
    from broker_tui.services.purchases import approve, approve_amendment, record_approval, show_agreement

    ctx = ready(root)
    if kind != "cost":
        decision = "rejected" if refused else ""
        done = _run("the approval", lambda: record_approval(ctx, agreement, kind, decision=decision, by=by, on=on,
                                                            reason=note))
        say(f"{done.case_ref}: {kind.replace('_', ' ')} {done.decision} by {done.decided_by} on "
            f"{format_date(done.decided_on)}" + ("" if done.flagged else " (matching did not flag it)"))
        return
    if by or on or refused:
        fail("--by, --on and --refused are for the approvals matching flags (--kind); a cost approval is yours, "
             "today (to refuse one: purchases reject)", 1)
    detail = _run("the approval", lambda: show_agreement(ctx, agreement))
    if amendment or detail.status != "awaiting_approval" and detail.pending_amendment_id is not None:
        decided = _run("the approval", lambda: approve_amendment(ctx, detail.id, amendment=amendment, note=note))
        say(f"{decided.case_ref}: amendment {decided.message}")
        return
    done = _run("the approval", lambda: approve(ctx, detail, note=note))
    say(f"{done.case_ref}: {done.message}")


@purchases.command("reject")
@click.argument("agreement")
@click.option("--reason", required=True, help="Why.")
@click.option("--amendment", metavar="ID", help="Reject the amendment awaiting approval (this one).")
@click.pass_obj
def reject_cmd(root: Root, agreement: str, reason: str, amendment: str | None) -> None:
    """Reject AGREEMENT (awaiting approval), or its amendment awaiting approval, with a reason."""
    from broker_tui.services.purchases import reject, reject_amendment, show_agreement

    ctx = ready(root)
    detail = _run("the rejection", lambda: show_agreement(ctx, agreement))
    if amendment or detail.status != "awaiting_approval" and detail.pending_amendment_id is not None:
        decided = _run("the rejection", lambda: reject_amendment(ctx, detail.id, reason, amendment=amendment))
        say(f"{decided.case_ref}: amendment {decided.message}")
        return
    done = _run("the rejection", lambda: reject(ctx, detail, reason))
    say(f"{done.case_ref}: {done.message}")


@purchases.command("cancel")
@click.argument("agreement")
@click.option("--reason", required=True, help="Why.")
@click.pass_obj
def cancel_cmd(root: Root, agreement: str, reason: str) -> None:
    """Cancel AGREEMENT before it starts (a draft, or awaiting approval, or not yet begun), with a reason;
    the child's nights are free again."""
    from broker_tui.services.purchases import cancel

    ctx = ready(root)
    done = _run("the cancellation", lambda: cancel(ctx, agreement, reason))
    say(f"{done.case_ref}: {done.message}")


@purchases.command("end")
@click.argument("agreement")
@click.option("--on", "end_date", required=True, metavar="DATE", help="The first night the child is not there.")
@click.option("--reason-place-change", metavar="CODE", help="SSDA903 REASON_PLACE_CHANGE: the child moves on.")
@click.option("--reason-episode-ceased", metavar="CODE", help="SSDA903 REC: the child leaves care.")
@click.option("--note", default="", help="A note for the record.")
@click.pass_obj
def end_cmd(root: Root, agreement: str, end_date: str, reason_place_change: str | None,
            reason_episode_ceased: str | None, note: str) -> None:
    """End AGREEMENT's placement (and with it the agreement) from the --on night. Give exactly one reason."""
    from broker_tui.domain.dates import format_date
    from broker_tui.services.placements import end_placement
    from broker_tui.services.purchases import show_agreement

    ctx = ready(root)
    detail = _run("the end", lambda: show_agreement(ctx, agreement))
    if detail.placement is None:
        fail(f"the agreement is {detail.status_label.lower()} and has no placement to end; nothing was written", 1)
    ended = _run("the end", lambda: end_placement(ctx, detail.placement, end_date=end_date,
                                                  reason_place_change=reason_place_change,
                                                  reason_episode_ceased=reason_episode_ceased, note=note))
    reason = ended.reason_place_change or ended.reason_episode_ceased
    say(f"{ended.case_ref}: placement and agreement end {format_date(ended.end_date)} (the first night not there); "
        f"reason {reason}")


COMMANDS = (purchases,)
