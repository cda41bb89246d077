"""Working the offers, headless: `outreach send|overdue`, `offers add|compare|accept`, `searchlog`.

`offers add REF FILE.json` records one reply from a service the referral was sent to, an offer or a
decline, as one JSON object; its format is in `add_cmd`'s help (`broker-tui offers add --help`) and
`parse_reply` checks it field by field: unknown keys, types, dates (ISO or dd/mm/yyyy), whole pence,
decline reasons. Every problem is reported on a line of its own and the command exits non-zero with
nothing written; the services' own refusals (parts that do not add up, a service the referral was not
sent to, a reply already recorded) are reported the same way.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from broker_tui.cli import Root, fail, read_json_object, ready, say
from broker_tui.domain.vocabulary import WEEKLY_PRICE_PARTS

if TYPE_CHECKING:
    from broker_tui.services.outreach import OutreachRefused

PART_NAMES = {word.replace(" ", "_"): column for column, word in WEEKLY_PRICE_PARTS.items()}
COMMON_KEYS = ("service", "outcome", "received_on")
DECLINE_KEYS = (*COMMON_KEYS, "reason", "text")
OFFER_KEYS = (*COMMON_KEYS, "weekly_price_pence", "parts", "parts_note", "start_date", "valid_until", "conditions")


def _date(raw: Any, key: str, problems: dict[str, str], *, required: bool) -> dt.date | None:
    from broker_tui.domain.dates import DateError, parse_date

    if raw is None:
        if required:
            problems[key] = "is required (a date: 2026-12-07 or 07/12/2026)"
        return None
    if not isinstance(raw, str):
        problems[key] = "must be a date as text (2026-12-07 or 07/12/2026)"
        return None
    try:
        return parse_date(raw)
    except DateError as exc:
        problems[key] = str(exc)
        return None


def _pence(raw: Any, key: str, problems: dict[str, str], *, required: bool) -> int | None:
    if raw is None and required:
        problems[key] = "is required (whole pence, e.g. 560000 for £5,600.00)"
    elif raw is not None and (not isinstance(raw, int) or isinstance(raw, bool) or raw < 0):
        problems[key] = f"must be whole pence, 0 or more (not {json.dumps(raw)})"
    return raw if key not in problems else None


def _text(raw: Any, key: str, problems: dict[str, str]) -> str:
    if raw is not None and not isinstance(raw, str):
        problems[key] = "must be text"
    return raw if isinstance(raw, str) else ""


def parse_reply(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The reply in the JSON format above, checked field by field: (values, problems)."""
    from broker_tui.domain.text_rules import text_problems
    from broker_tui.domain.vocabulary import DECLINE_REASONS
    from broker_tui.services.outreach import OfferInput

    problems: dict[str, str] = dict(text_problems(data))
    if problems:  # text no person types (NUL, escape codes, overrides): nothing else is read
        return {}, problems
    outcome = data.get("outcome")
    if outcome not in ("offered", "declined"):
        problems["outcome"] = f"must be \"offered\" or \"declined\" (not {json.dumps(outcome)})"
    service = data.get("service")
    if not isinstance(service, str) or not service.strip():
        problems["service"] = "is required (a service id or Ofsted URN)"
    received_on = _date(data.get("received_on"), "received_on", problems, required=False)
    allowed = {"declined": DECLINE_KEYS, "offered": OFFER_KEYS}.get(str(outcome), (*DECLINE_KEYS, *OFFER_KEYS))
    for key in data:
        if key not in allowed:
            problems[key] = f"is not a field of {'a decline' if outcome == 'declined' else 'an offer'}"
    out: dict[str, Any] = {"outcome": outcome, "service": service, "received_on": received_on}
    if outcome == "declined":
        reason = data.get("reason")
        if not isinstance(reason, str) or reason not in DECLINE_REASONS:
            problems["reason"] = f"must be one of {', '.join(DECLINE_REASONS)} (not {json.dumps(reason)})"
        out["reason"], out["text"] = reason, _text(data.get("text"), "text", problems)
        if reason == "other" and not out["text"].strip():
            problems["text"] = "is required when the reason is \"other\""
    elif outcome == "offered":
        weekly = _pence(data.get("weekly_price_pence"), "weekly_price_pence", problems, required=True)
        parts_raw = data.get("parts") or {}
        parts: dict[str, int | None] = {}
        if not isinstance(parts_raw, dict):
            problems["parts"] = "must be an object of price parts in pence"
        else:
            for name, value in parts_raw.items():
                if name not in PART_NAMES:
                    problems[f"parts.{name}"] = f"is not a price part ({', '.join(PART_NAMES)})"
                else:
                    parts[PART_NAMES[name]] = _pence(value, f"parts.{name}", problems, required=True)
        start = _date(data.get("start_date"), "start_date", problems, required=True)
        until = _date(data.get("valid_until"), "valid_until", problems, required=True)
        note = _text(data.get("parts_note"), "parts_note", problems)
        conditions = _text(data.get("conditions"), "conditions", problems)
        if not problems and weekly is not None and start is not None and until is not None:
            out["offer"] = OfferInput(weekly_price_pence=weekly, start_date=start, valid_until=until,
                                      parts_note=note, conditions=conditions, received_on=received_on, **parts)
    return out, problems


def _report(problems: dict[str, str], what: str) -> None:
    for key, message in problems.items():
        say(f"  {key}: {message}" if key else f"  {message}", err=True)
    fail(f"{what} has {len(problems)} problem(s); nothing was written", 1)


def _refusals() -> tuple[type[OutreachRefused], tuple[type[Exception], ...]]:
    """The errors the outreach services raise, each reported on one line (imported when needed)."""
    from broker_tui.services.outreach import OutreachRefused, ReferralNotFound, StaleEdit, TransitionRefused

    return OutreachRefused, (ReferralNotFound, StaleEdit, TransitionRefused)


@click.group()
def outreach() -> None:
    """Send a referral to providers; replies past their deadline."""


@outreach.command("send")
@click.argument("ref")
@click.option("--service", "services", multiple=True, required=True, metavar="ID",
              help="A service id or Ofsted URN (repeat for each service on the shortlist).")
@click.option("--reply-by", required=True, metavar="DATE", help="The reply deadline (2026-12-07 or 07/12/2026).")
@click.option("--text-out", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Save the anonymised referral text here (readable by you only) instead of printing it.")
@click.pass_obj
def send_cmd(root: Root, ref: str, services: tuple[str, ...], reply_by: str, text_out: Path | None) -> None:
    """Send referral REF to the services: records who it went to, when and the reply deadline."""
    from broker_tui.domain.dates import DateError, format_date, parse_date
    from broker_tui.services.outreach import send_referral

    try:
        due = parse_date(reply_by)
    except DateError as exc:
        fail(f"--reply-by: {exc}")
    refused, errors = _refusals()
    ctx = ready(root)
    try:
        sent = send_referral(ctx, ref, list(services), due)
    except refused as exc:
        _report(exc.problems, f"sending {ref}")
        return
    except errors as exc:
        fail(str(exc), 1)
    for s in sent:
        contact = s.contact or "no referral contact recorded: send it by hand"
        say(f"Sent {s.case_ref} to {s.service_name} ({s.provider_name}): {contact}", err=text_out is None)
    say(f"Replies due by {format_date(due)}", err=text_out is None)
    if text_out is not None:
        from broker_tui.services.private_files import FileRefused, write_private

        try:
            write_private(text_out, sent[0].provider_text)
        except FileRefused as exc:
            say(sent[0].provider_text, nl=False)
            fail(f"--text-out: {exc} (the referral was sent; its text is printed above)", 1)
        say(f"Referral text saved to {text_out}")
    else:
        say(sent[0].provider_text, nl=False)


@outreach.command("overdue")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def overdue_cmd(root: Root, as_json: bool) -> None:
    """Replies past their deadline (open referrals, no reply from the service)."""
    from broker_tui.domain.dates import format_date
    from broker_tui.services.outreach import overdue_replies

    rows = overdue_replies(ready(root))
    if as_json:
        keys = ("case_ref", "referral_id", "service_id", "contact", "sent_at", "reply_due_on", "days_overdue")
        say(json.dumps([{"service": o.service_name, **{k: getattr(o, k) for k in keys}} for o in rows],
                              indent=2, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v)))
        return
    for o in rows:
        say(f"{o.case_ref:14} {o.service_name[:32]:32} due {format_date(o.reply_due_on)}  "
                   f"{o.days_overdue} day(s) overdue  {o.contact}")
    if not rows:
        say("No replies overdue.")


@click.group()
def offers() -> None:
    """Offers and declines from providers: record, compare, accept."""


@offers.command("add")
@click.argument("ref")
@click.argument("json_file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.pass_obj
def add_cmd(root: Root, ref: str, json_file: Path) -> None:
    """Record a provider's offer or decline for referral REF from FILE.json ('-': stdin).

    \b
    A decline: {"service": ID|URN, "outcome": "declined", "reason": CODE, "text": "..."}
      (reasons: no_vacancy, cannot_meet_needs, location, price, impact, other + text)
    An offer: {"service": ID|URN, "outcome": "offered", "weekly_price_pence": 560000,
      "parts": {"core": 480000, "staffing": 80000, "education": 0, "therapy": 0, "solo_premium": 0},
      "parts_note": "why the parts do not add up", "start_date": "2026-12-07",
      "valid_until": "2026-12-14", "conditions": "..."}
    Optional in both: "received_on" (default today). Dates ISO or dd/mm/yyyy; money in pence.
    """
    from broker_tui.services.outreach import record_decline, record_offer

    values, problems = parse_reply(read_json_object(json_file, "an offer or a decline"))
    if problems:
        _report(problems, str(json_file))
        return
    refused, errors = _refusals()
    ctx = ready(root)
    try:
        if values["outcome"] == "declined":
            reply = record_decline(ctx, ref, values["service"], values["reason"], values["text"],
                                   received_on=values["received_on"])
        else:
            reply = record_offer(ctx, ref, values["service"], values["offer"])
    except refused as exc:
        _report(exc.problems, str(json_file))
        return
    except errors as exc:
        fail(str(exc), 1)
    what = "Decline" if reply.outcome == "declined" else "Offer"
    say(f"{what} recorded (id {reply.id}); referral {reply.referral_status.replace('_', ' ')}")


@offers.command("compare")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def compare_cmd(root: Root, ref: str, as_json: bool) -> None:
    """The offers for referral REF side by side: price, fit, distance, quality, approvals, valid until."""
    from broker_tui.domain.dates import format_date
    from broker_tui.domain.money import format_pence as money
    from broker_tui.services.outreach import ReferralNotFound, compare_offers

    try:
        rows = compare_offers(ready(root), ref)
    except ReferralNotFound:
        fail(f"no referral {ref!r}", 1)
    if as_json:
        say(json.dumps([r.to_json() for r in rows], indent=2))
        return
    if not rows:
        say("No offers yet.")
    for r in rows:
        fit = "excluded" if r.fit_score is None else f"{r.fit_score:.3f}"
        miles = "-" if r.miles is None else f"{r.miles:.0f} mi"
        budget = "" if r.over_budget_pence is None else (
            f" ({money(abs(r.over_budget_pence))} {'over' if r.over_budget_pence > 0 else 'under'} budget)")
        until = format_date(r.valid_until) + (" EXPIRED" if r.expired else "")
        say(f"{r.service_name} ({r.provider_name}) [{r.status}] offer {r.offer_id}")
        say(f"  {money(r.weekly_price_pence)} a week{budget}; fit {fit}; {miles}; {r.quality}; "
                   f"from {format_date(r.start_date)}; valid until {until}")
        parts = ", ".join(f"{k.removesuffix('_weekly_pence')} {money(v)}" for k, v in r.parts.items() if v is not None)
        if parts:
            say(f"  parts: {parts}")
        for line in (*r.excluded_reasons, *(f"approval: {a}" for a in r.approvals)):
            say(f"  {line}")
        if r.conditions:
            say(f"  conditions: {' / '.join(r.conditions.splitlines())}")


@offers.command("accept")
@click.argument("offer_id")
@click.pass_obj
def accept_cmd(root: Root, offer_id: str) -> None:
    """Accept an offer: the referral becomes placement agreed, the other open offers not taken."""
    from broker_tui.services.outreach import accept_offer

    refused, errors = _refusals()
    try:
        view = accept_offer(ready(root), offer_id)
    except (refused, *errors) as exc:
        fail(str(exc), 1)
    except ValueError:
        fail(f"{offer_id!r} is not an offer id", 1)
    say(f"Offer accepted; referral {view.case_ref} placement agreed")


@click.command("searchlog")
@click.argument("ref")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Export the log as CSV (case reference only; readable by you only).")
@click.pass_obj
def searchlog_cmd(root: Root, ref: str, csv_file: Path | None) -> None:
    """The search log of referral REF: every service approached, when, the answer and the reason."""
    from broker_tui.domain.dates import format_date
    from broker_tui.services.outreach import export_csv, search_log
    from broker_tui.services.referrals import ReferralNotFound

    ctx = ready(root)
    try:
        if csv_file is not None:
            n = export_csv(ctx, ref, csv_file)
            say(f"Wrote {n} row(s) to {csv_file}")
            return
        log = search_log(ctx, ref)
    except ReferralNotFound:
        fail(f"no referral {ref!r}", 1)
    except OSError as exc:  # (FileRefused says why in a line of its own)
        fail(str(exc) if exc.strerror is None else f"cannot write {csv_file}: {exc.strerror}")
    agreed = (f"; placement agreed {format_date(log.placement_agreed_on)}, "
              f"{log.days_to_placement_agreed} day(s) after it was received" if log.placement_agreed_on else "")
    say(f"{log.case_ref}: {log.status.replace('_', ' ')}; received {format_date(log.date_received)}{agreed}")
    for e in log.entries:
        say(f"  {e.sent_at:%d/%m/%Y} {e.service_name[:32]:32} due {format_date(e.reply_due_on)}  "
                   f"{e.answer}{': ' + e.reason if e.reason else ''}")
    if not log.entries:
        say("  Not sent to any service yet.")


COMMANDS = (outreach, offers, searchlog_cmd)
