"""How the offers screens put outreach into words: the one-line summary, refusals as messages.

Presentation only: the rules live in services.outreach and services.search_log. Service messages name
dates in ISO; the screens show them as dd/mm/yyyy.
"""

from __future__ import annotations

from typing import Any

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import format_pence
from broker_tui.services.outreach import OutreachRefused, StaleEdit, TransitionRefused
from broker_tui.services.referrals import ReferralNotFound
from broker_tui.ui.screens.outreach.tables import uk_dates

__all__ = ["accept_question", "outreach_line", "refusal_text", "uk_dates"]

def refusal_text(exc: BaseException) -> str:
    """One line for the person at the keyboard, whatever went wrong."""
    if isinstance(exc, StaleEdit):
        changed = ", ".join(k.replace("_", " ") for k in sorted(exc.changed)) or "it"
        return (f"Not saved: someone else changed this {exc.entity} since it was opened ({changed}). "
                "It has been reloaded: check it and try again.")
    if isinstance(exc, OutreachRefused):
        return uk_dates("; ".join(exc.problems.values()))
    if isinstance(exc, TransitionRefused | ReferralNotFound):
        text = uk_dates(str(exc))
        return text[:1].upper() + text[1:]
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"Something went wrong: {text}"


def outreach_line(log: Any) -> str:
    """'sent to 4 · 1 offer · 2 declined · 1 overdue' (or 'not sent to any provider yet')."""
    entries = log.entries
    if not entries:
        return "not sent to any provider yet"
    n = {a: sum(1 for e in entries if e.answer == a) for a in ("offer", "decline", "no reply yet", "overdue",
                                                                "no reply")}
    parts = [f"sent to {len(entries)}"]
    if n["offer"]:
        parts.append(f"{n['offer']} offer{'s' if n['offer'] > 1 else ''}")
    if n["decline"]:
        parts.append(f"{n['decline']} declined")
    if n["no reply yet"]:
        parts.append(f"{n['no reply yet']} awaited")
    if n["overdue"]:
        parts.append(f"{n['overdue']} overdue")
    if n["no reply"]:
        parts.append(f"{n['no reply']} never replied")
    if log.days_to_placement_agreed is not None:
        parts.append(f"placement agreed on {format_date(log.placement_agreed_on)}, "
                     f"{log.days_to_placement_agreed} days from referral")
    return " · ".join(parts)


def accept_question(service_name: str, weekly_price_pence: int | None, case_ref: str,
                    approvals: tuple[str, ...] | list[str] = ()) -> str:
    """The question asked before an offer is accepted (the confirm dialog wraps it to its width), with the
    approvals the purchase will need, as matching flagged them, so nobody learns of them after agreeing."""
    needs = ("\n\nThe purchase will need:\n" + "\n".join(f"• {a}" for a in approvals)) if approvals else \
        "\n\nMatching flagged no approvals for this placement."
    return (f"Accept {service_name}'s offer of {format_pence(weekly_price_pence)} a week? {case_ref} becomes "
            f"placement agreed and the other open offers are not taken.{needs}")
