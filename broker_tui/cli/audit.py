"""`audit`: the audit trail, filtered by record, entity, user and date; newest first."""

from __future__ import annotations

import json

import click

from broker_tui.cli import Root, fail, ready, say


@click.command("audit")
@click.option("--record", default="", metavar="ID|CASE_REF",
              help="One record's id (or its last 8+ characters, as listed), or a case reference: every record about that child.")
@click.option("--entity", default="", metavar="TYPE", help="A record type: referral, offer, spot_agreement, placement...")
@click.option("--user", default="", metavar="LOGIN", help="Who acted (their login or database role).")
@click.option("--since", default="", metavar="DATE", help="On or after this day (2026-12-01 or 01/12/2026).")
@click.option("--until", default="", metavar="DATE", help="On or before this day.")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 100_000), help="At most this many events.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON array (the child's initials and date of birth withheld).")
@click.pass_obj
def audit(root: Root, record: str, entity: str, user: str, since: str, until: str, limit: int, as_json: bool) -> None:
    """Who changed what, when: every create, change and end the app wrote, with before and after."""
    from broker_tui.services.audit import AuditQueryError, audit_page, export_rows, parse_query

    try:
        query = parse_query(record, entity, user, since, until)
    except AuditQueryError as exc:
        for key, message in exc.problems.items():
            say(f"  --{key}: {message}", err=True)
        fail("the filters cannot be read", 2)
    ctx = ready(root)
    rows = audit_page(ctx, query, size=limit).rows
    if as_json:
        say(json.dumps(export_rows(rows), indent=2, ensure_ascii=False))
        return
    if not rows:
        say("No audit events match.")
        return
    for e in rows:
        say(f"{e.at:%d/%m/%Y %H:%M:%S} {e.actor:<14} {e.action:<8} {e.entity} …{e.entity_id[-8:]}  {e.summary}")
COMMANDS = (audit,)
