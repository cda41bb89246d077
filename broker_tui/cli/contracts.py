"""Block contracts, headless: `contracts list|show|add|amend|place|unit|end`.

`add`, `amend` and `place` take one JSON object from a file ('-': standard input) and/or options (an option
wins over the same field in the file); the fields are the services' own (ContractInput, TermInput,
PlaceInput: see each command's help). Every problem is reported on a line of its own, by field, and the
command exits 1 with nothing written. `list` and `show` print JSON with --json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from broker_tui.cli import Root, fail, read_json_object, ready, say

if TYPE_CHECKING:
    from broker_tui.services.contracts import ContractDetail


def _report(problems: dict[str, str], what: str) -> None:
    for key, message in problems.items():
        say(f"  {key}: {message}" if key else f"  {message}", err=True)
    fail(f"{what} has {len(problems)} problem(s); nothing was written", 1)


def _values(json_file: Path | None, what: str, options: dict[str, Any]) -> dict[str, Any]:
    """The JSON object in the file (if any) with the options given laid over it."""
    data = read_json_object(json_file, what) if json_file is not None else {}
    data.update({k: v for k, v in options.items() if v is not None and v != ()})
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


@click.group()
def contracts() -> None:
    """Block contracts: register, amend as dated terms, place a child in a unit, end a placement."""


@contracts.command("list")
@click.option("--16-plus/--not-16-plus", "for_16_plus", default=None, help="Only 16+ contracts, or only the others.")
@click.option("--ending-within", type=click.IntRange(0, 3650), metavar="DAYS",
              help="Only contracts still running that end within DAYS days.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def list_cmd(root: Root, for_16_plus: bool | None, ending_within: int | None, as_json: bool) -> None:
    """Every block contract, soonest end first: units, occupied and voids today, unit price now, end."""
    from broker_tui.domain.dates import format_date
    from broker_tui.domain.money import format_pence
    from broker_tui.services.contracts import list_contracts

    rows = list_contracts(ready(root), for_16_plus=for_16_plus, ending_within_days=ending_within)
    if as_json:
        _dump([r.to_json() for r in rows])
        return
    if not rows:
        say("No block contracts.")
    for r in rows:
        plus = " 16+" if r.for_16_plus else ""
        price = format_pence(r.unit_weekly_pence) + " a unit a week" if r.unit_weekly_pence is not None else "no terms"
        say(f"{r.reference:12} {r.name[:44]:44}{plus}")
        say(f"  {r.provider_name}{' / ' + r.service_name if r.service_name else ''}; {r.status.replace('_', ' ')}; "
            f"{r.units} unit(s), {r.occupied} occupied, {r.voids} void; {price}; "
            f"ends {format_date(r.ends_on)} ({r.days_left} day(s))")


def _print_detail(d: ContractDetail) -> None:
    from broker_tui.domain.dates import format_date
    from broker_tui.domain.money import format_pence

    say(f"{d.reference}: {d.name}{' (16+)' if d.for_16_plus else ''}")
    say(f"  {d.provider_name}{' / ' + d.service_name if d.service_name else ''}; route {d.purchasing_route}; "
        f"{d.status.replace('_', ' ')}")
    say(f"  covers {format_date(d.starts_on)} to {format_date(d.ends_on)} (first day not covered)"
        + (f"; extension: {d.extension_option}" if d.extension_option else ""))
    say(f"  unit price now {format_pence(d.unit_weekly_pence) if d.unit_weekly_pence is not None else '-'} a week; "
        f"{d.occupied} occupied, {d.voids} void on {format_date(d.on)}")
    say("Terms:")
    for t in d.terms:
        say(f"  from {format_date(t.effective_from)}: {t.change} ({t.units} units at "
            f"{format_pence(t.unit_weekly_pence)}); {t.reason}; by {t.created_by or '-'} "
            f"on {format_date(t.created_at.date())}")
    say(f"Units on {format_date(d.on)}:")
    for u in d.units:
        who = (f"{u.case_ref} since {format_date(u.since)}" + (f" until {format_date(u.until)}" if u.until else "")
               if u.case_ref else "empty")
        free = format_date(u.next_free_night) if u.next_free_night else "not before the contract ends"
        status = u.status_label + (f" from {format_date(u.status_from)}" if u.status_from and u.status != "available"
                                   else "") + (f" ({u.status_reason})" if u.status != "available" and u.status_reason
                                               else "")
        where = "" if u.in_contract else " [not in the contract]"
        say(f"  {u.label:14} {status}; {who}; next free night {free}{where}")
    g = d.usage
    say(f"Usage {format_date(g.start)} to {format_date(g.end)} (end not included):")
    say(f"  {g.available_unit_days} unit-days available, {g.occupied_unit_days} occupied, {g.void_unit_days} void; "
        f"utilisation {g.utilisation_percent or '-'}")
    per_week = format_pence(g.cost_per_occupied_week_pence) if g.cost_per_occupied_week_pence is not None else "-"
    say(f"  paid {format_pence(g.paid_pence)}; voids cost {format_pence(g.void_cost_pence)}; "
        f"cost per occupied week {per_week}")


def _date_option(value: str | None, name: str) -> Any:
    from broker_tui.domain.dates import DateError, parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except DateError as exc:
        fail(f"{name}: {exc}", 1)


@contracts.command("show")
@click.argument("contract")
@click.option("--on", "on", metavar="DATE", help="The day the units are shown on (default today).")
@click.option("--from", "start", metavar="DATE", help="Usage from this night (with --to; default: the financial "
                                                      "year holding --on).")
@click.option("--to", "end", metavar="DATE", help="Usage to this night, not included.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def show_cmd(root: Root, contract: str, on: str | None, start: str | None, end: str | None, as_json: bool) -> None:
    """One contract (reference or id): terms as history, units today, usage over a period."""
    from broker_tui.services.contracts import show_contract

    day = _date_option(on, "--on")
    first, last = _date_option(start, "--from"), _date_option(end, "--to")
    if (first is None) != (last is None):
        fail("give --from and --to together", 1)
    period = (first, last) if first is not None and last is not None else None
    ctx = ready(root)
    detail = _run(contract, lambda: show_contract(ctx, contract, on=day, period=period))
    if as_json:
        _dump(detail.to_json())
    else:
        _print_detail(detail)


def _units(count: int | None, labels: tuple[str, ...]) -> Any:
    if labels:
        return list(labels)
    return count


@contracts.command("add")
@click.argument("json_file", required=False, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--provider", help="Provider id (or its exact name).")
@click.option("--service", help="Service id or Ofsted URN.")
@click.option("--reference", help="The contract's reference (unique).")
@click.option("--name", help="The contract's name.")
@click.option("--16-plus/--not-16-plus", "for_16_plus", default=None, help="A 16+ contract, or not.")
@click.option("--starts-on", metavar="DATE", help="The first day covered.")
@click.option("--ends-on", metavar="DATE", help="The first day NOT covered.")
@click.option("--extension-option", help="The extension option, in words.")
@click.option("--route", "purchasing_route", help="Purchasing route (block, framework, open_framework, ...).")
@click.option("--units", "unit_count", type=int, help="How many units (labelled Unit 1, Unit 2...).")
@click.option("--unit", "unit_labels", multiple=True, metavar="LABEL", help="A unit's label (repeat for each).")
@click.option("--unit-price", "unit_weekly_pence", metavar="MONEY", help="Unit weekly price, e.g. 750.00.")
@click.option("--notes", help="Notes.")
@click.pass_obj
def add_cmd(root: Root, /, json_file: Path | None, unit_count: int | None, unit_labels: tuple[str, ...],
            **options: Any) -> None:
    """Register a block contract from FILE.json ('-': stdin) and/or options.

    \b
    {"provider": ID|NAME, "service": ID|URN, "reference": "BC-SA-06", "name": "...",
     "for_16_plus": true, "starts_on": "2026-04-01", "ends_on": "2028-04-01",
     "extension_option": "12 months", "purchasing_route": "block",
     "units": 4 (or ["Flat 1", "Flat 2"]), "unit_weekly_pence": 75000, "notes": "..."}
    Dates ISO or dd/mm/yyyy; ends_on is the first day not covered; money in pence (or "£750.00").
    """
    from broker_tui.services.contracts import ContractInput, add_contract

    data = _values(json_file, "a block contract", {**options, "units": _units(unit_count, unit_labels)})
    what = str(json_file) if json_file is not None else "the contract"
    ctx = ready(root)
    added = _run(what, lambda: add_contract(ctx, ContractInput.from_json(data)))
    say(f"Block contract {added.reference} registered (id {added.id}): {len(added.units)} unit(s)")


@contracts.command("amend")
@click.argument("contract")
@click.argument("json_file", required=False, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--kind", type=click.Choice(["price_change", "uplift", "extension", "units_added", "units_removed"]),
              help="What changes.")
@click.option("--from", "effective_from", metavar="DATE", help="The date the term takes effect (default today).")
@click.option("--unit-price", "unit_weekly_pence", metavar="MONEY", help="The new unit weekly price (price_change).")
@click.option("--uplift-bp", "uplift_bp", type=int, help="The uplift in basis points, 350 = 3.5% (uplift).")
@click.option("--ends-on", metavar="DATE", help="The new first day not covered (extension).")
@click.option("--units", "unit_count", type=int, help="How many units are added (units_added).")
@click.option("--unit", "unit_labels", multiple=True, metavar="LABEL",
              help="A unit's label: added (units_added) or taken out (units_removed); repeat for each.")
@click.option("--reason", help="Why, in words.")
@click.pass_obj
def amend_cmd(root: Root, /, contract: str, json_file: Path | None, unit_count: int | None,
              unit_labels: tuple[str, ...], **options: Any) -> None:
    """Amend CONTRACT (reference or id) by a dated term, from FILE.json and/or options.

    \b
    {"kind": "uplift", "effective_from": "2027-04-01", "uplift_bp": 350, "reason": "..."}
    kinds: price_change (unit_weekly_pence), uplift (uplift_bp), extension (ends_on),
    units_added (units: a count or labels), units_removed (units: labels, free from the date)
    """
    from broker_tui.services.contracts import TermInput, amend_contract

    data = _values(json_file, "a contract amendment", {**options, "units": _units(unit_count, unit_labels)})
    ctx = ready(root)
    term = _run(str(json_file) if json_file is not None else "the amendment",
                lambda: amend_contract(ctx, contract, TermInput.from_json(data)))
    from broker_tui.domain.dates import format_date
    from broker_tui.domain.money import format_pence

    say(f"{contract}: {term.kind.replace('_', ' ')} from {format_date(term.effective_from)}: {term.units} unit(s) at "
        f"{format_pence(term.unit_weekly_pence)} a week; covers to {format_date(term.ends_on)} (first day not covered)")


@contracts.command("place")
@click.argument("contract")
@click.argument("json_file", required=False, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--case-ref", help="The child's case reference.")
@click.option("--referral", help="The referral id (names the child).")
@click.option("--unit", help="The unit's label or id (default: the first free unit).")
@click.option("--start", "start_date", metavar="DATE", help="The first night.")
@click.option("--planned-end", metavar="DATE", help="The planned first night not there.")
@click.option("--overlap-kind", type=click.Choice(["retainer", "transition"]),
              help="The child keeps another placement on these nights (with --overlap-reason).")
@click.option("--overlap-reason", help="Why the child keeps two placements.")
@click.option("--take-held", is_flag=True, default=None, help="This is the young person the unit was held for.")
@click.option("--service", help="The service the child lives in, when the contract names none.")
@click.pass_obj
def place_cmd(root: Root, /, contract: str, json_file: Path | None, **options: Any) -> None:
    """Place a child into a unit of CONTRACT (reference or id), from FILE.json and/or options.

    \b
    {"case_ref": "LCC-104233", "start_date": "2026-12-07", "unit": "Flat 2",
     "planned_end": "2027-06-07", "overlap_kind": "", "overlap_reason": "", "take_held": false}
    A full or expired contract is refused: buy a spot agreement instead (purchases add).
    """
    from broker_tui.services.contracts import PlaceInput, place_in_block

    data = _values(json_file, "a block placement", options)
    data["contract"] = contract
    ctx = ready(root)
    placed = _run(str(json_file) if json_file is not None else "the placement",
                  lambda: place_in_block(ctx, PlaceInput.from_json(data)))
    from broker_tui.domain.dates import format_date

    say(f"{placed.case_ref} placed in {contract} from {format_date(placed.start_date)}"
        + (f" until {format_date(placed.end_date)}" if placed.end_date else "") + f" (placement {placed.id})")


@contracts.command("unit")
@click.argument("contract")
@click.argument("unit")
@click.argument("status", type=click.Choice(["available", "held", "out_of_use_provider", "out_of_use_council"]))
@click.option("--from", "from_date", metavar="DATE", help="From this night (default today).")
@click.option("--reason", default="", help="Why (needed for anything but available).")
@click.pass_obj
def unit_cmd(root: Root, contract: str, unit: str, status: str, from_date: str | None, reason: str) -> None:
    """Set UNIT's (label or id) status in CONTRACT from a date: available, held for an incoming young
    person, or out of use through the provider or the council."""
    from broker_tui.domain.dates import format_date
    from broker_tui.services.contracts import set_unit_status

    ctx = ready(root)
    done = _run("the unit status", lambda: set_unit_status(ctx, unit, status, from_date, reason, contract=contract))
    say(f"{done.label} is {done.status.replace('_', ' ')} from {format_date(done.effective_from)}")


@contracts.command("end")
@click.argument("placement_id")
@click.option("--on", "end_date", required=True, metavar="DATE", help="The first night the child is not there.")
@click.option("--reason-place-change", metavar="CODE", help="SSDA903 REASON_PLACE_CHANGE: the child moves on.")
@click.option("--reason-episode-ceased", metavar="CODE", help="SSDA903 REC: the child leaves care.")
@click.option("--note", default="", help="A note for the record.")
@click.pass_obj
def end_cmd(root: Root, placement_id: str, end_date: str, reason_place_change: str | None,
            reason_episode_ceased: str | None, note: str) -> None:
    """End a block placement: the unit is free from the --on night. Give exactly one reason."""
    from broker_tui.domain.dates import format_date
    from broker_tui.services.placements import end_placement, get_placement

    ctx = ready(root)
    view = _run("the end", lambda: get_placement(ctx, placement_id))
    if view.block_unit_id is None:
        fail("this is a spot placement: end it with `purchases end`; nothing was written", 1)
    ended = _run("the end", lambda: end_placement(ctx, view, end_date=end_date, reason_place_change=reason_place_change,
                                                  reason_episode_ceased=reason_episode_ceased, note=note))
    reason = ended.reason_place_change or ended.reason_episode_ceased
    say(f"{ended.case_ref}: placement ends {format_date(ended.end_date)} (the unit is free that night); reason {reason}")


COMMANDS = (contracts,)
