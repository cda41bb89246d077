"""`referrals add|list|show|withdraw`: referral intake, headless, in the services' JSON format."""

from __future__ import annotations

import json
from pathlib import Path

import click

from broker_tui.cli import Root, fail, read_json_object, ready, say


@click.group()
def referrals() -> None:
    """Placement requests (referrals)."""


@referrals.command("add")
@click.argument("json_file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.pass_obj
def add_cmd(root: Root, json_file: Path) -> None:
    """Add a referral from a JSON file ('-' reads standard input). See schemas/referral.schema.json."""
    from broker_tui.services.referrals import DuplicateOpenCase, ReferralInvalid, create_referral

    data = read_json_object(json_file, "a referral")
    ctx = ready(root)
    try:
        view = create_referral(ctx, data)
    except ReferralInvalid as exc:
        for key, message in exc.problems.items():
            say(f"  {key}: {message}", err=True)
        fail(f"the referral in {json_file} has {len(exc.problems)} problem(s); nothing was written", 1)
    except DuplicateOpenCase as exc:
        fail(str(exc), 1)
    say(f"Created referral {view.case_ref} ({view.status_label}, {view.urgency_label.lower()}), id {view.id}")


@referrals.command("list")
@click.option("--status", metavar="STATUS", help="A status (new, searching, ...), or 'open'.")
@click.option("--broker", metavar="NAME", help="Only referrals assigned to this broker.")
@click.option("--search", default="", help="Case reference, initials or needs text.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON array (without initials or dates of birth: use `show --json` for one referral).")
@click.pass_obj
def list_cmd(root: Root, status: str | None, broker: str | None, search: str, as_json: bool) -> None:
    """List referrals, most urgent first."""
    from broker_tui.domain.vocabulary import REFERRAL_STATUSES
    from broker_tui.services.referrals import ReferralQuery, list_referrals

    if status and status != "open" and status not in REFERRAL_STATUSES:
        fail(f"unknown status {status!r}; known: open, {', '.join(REFERRAL_STATUSES)}")
    ctx = ready(root)
    query = ReferralQuery(status=status, broker=broker, text=search)
    rows, after = [], None
    while True:
        page = list_referrals(ctx, query, after=after, size=500)
        rows += page.rows
        if page.next_after is None:
            break
        after = page.next_after
    if as_json:
        say(json.dumps([r.to_json(include_private=False) for r in rows], indent=2))
        return
    for r in rows:
        say(r.to_line())


@referrals.command("show")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print the referral in the JSON format `add` accepts.")
@click.pass_obj
def show_cmd(root: Root, ref: str, as_json: bool) -> None:
    """Show one referral (by case reference or id)."""
    from broker_tui.domain.dates import format_date
    from broker_tui.services.referrals import ReferralNotFound, get_referral, history, standard_summary

    ctx = ready(root)
    try:
        view = get_referral(ctx, ref)
    except ReferralNotFound:
        fail(f"no referral {ref!r}", 1)
    if as_json:
        say(json.dumps(view.to_json(), indent=2))
        return
    say(view.to_line())
    est = " (estimated)" if view.eighteenth_estimated else ""
    say(f"age at needed-by date: {view.age_years}; 18 on {format_date(view.eighteenth_birthday)}{est}")
    for label, words in standard_summary(ctx, view.id):  # the national Placements Data Standard's fields
        say(f"{label}: {words}")
    for entry in history(ctx, view.id):
        say(f"  {entry.at:%d/%m/%Y %H:%M} {entry.actor}: {entry.action} {', '.join(entry.changes)}")


@referrals.command("withdraw")
@click.argument("ref")
@click.option("--reason", required=True, help="Why the referral is withdrawn.")
@click.pass_obj
def withdraw_cmd(root: Root, ref: str, reason: str) -> None:
    """Withdraw a referral, with the reason."""
    from broker_tui.services.referrals import ReferralNotFound, TransitionRefused, withdraw
    from broker_tui.store.errors import StaleEdit

    ctx = ready(root)
    try:
        view = withdraw(ctx, ref, reason)
    except ReferralNotFound:
        fail(f"no referral {ref!r}", 1)
    except (TransitionRefused, StaleEdit) as exc:
        fail(str(exc), 1)
    say(f"Withdrew referral {view.case_ref}")


@referrals.command("export")
@click.option("--standard", "standard", type=click.Choice(["placements-v2"]), required=True,
              help="The national Placements Data Standard, v2 (draft, 18 July 2025).")
@click.option("--since", metavar="DATE", help="Only referrals received on or after this date.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.json (a list of objects) or FILE.csv.")
@click.pass_obj
def export_cmd(root: Root, standard: str, since: str | None, out: Path) -> None:
    """Export referrals in a data standard: no case references, initials or dates of birth (childId is a
    stable pseudonymous number per child); see docs/placements-standard.md."""
    from broker_tui.domain.dates import DateError, parse_date
    from broker_tui.services.private_files import FileRefused
    from broker_tui.services.referrals import export_standard

    if out.suffix.lower() not in (".json", ".csv"):
        fail(f"{out.name}: the export is FILE.json or FILE.csv")
    try:
        day = parse_date(since) if since else None
    except DateError as exc:
        fail(f"--since: {exc}")
    ctx = ready(root)
    try:
        done = export_standard(ctx, out, since=day)
    except FileRefused as exc:
        fail(str(exc), 1)
    say(f"Wrote {done.rows} referral(s) in the Placements Data Standard ({standard}) to {done.path}")
    for field, n in sorted(done.missing.items()):
        say(f"  {field}: not answered in {n} referral(s) (the standard needs it)")


MAX_PROBLEM_LINES = 50


@referrals.command("import")
@click.option("--standard", "standard", type=click.Choice(["placements-v2"]), required=True,
              help="The national Placements Data Standard, v2 (draft, 18 July 2025).")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def import_cmd(root: Root, standard: str, file: Path) -> None:
    """Read FILE.json (a list of objects) or FILE.csv in a data standard as sufficiency records, kept with
    their source for counting, never referrals to work (a pseudonymous childId cannot give back a case).
    The whole file is checked first: any problem and nothing is written; see docs/placements-standard.md."""
    from broker_tui.services.referrals import AlreadyImported, StandardFileInvalid, import_standard

    ctx = ready(root)
    try:
        done = import_standard(ctx, file)
    except StandardFileInvalid as exc:
        unit = "record" if file.suffix.lower() == ".json" else "line"  # a JSON list's item, a CSV file's line
        for p in exc.problems[:MAX_PROBLEM_LINES]:
            where = str(file) if not p.line else f"line {p.line}" if p.field == "(file)" else f"{unit} {p.line}, {p.field}"
            say(f"{where}: {p.message}", err=True)
        if len(exc.problems) > MAX_PROBLEM_LINES:
            say(f"and {len(exc.problems) - MAX_PROBLEM_LINES} more", err=True)
        fail(f"{file} has {len(exc.problems)} problem(s) in the standard ({standard}); nothing was written", 1)
    except AlreadyImported as exc:
        fail(str(exc), 1)
    say(f"Read {done.records} record(s) from {file} as sufficiency records (not referrals to work)")


COMMANDS = (referrals,)
