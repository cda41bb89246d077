"""How the block contract screens put contracts, units and refusals into words (presentation only: the rules
live in services.contracts and services.placements)."""

from __future__ import annotations

from broker_tui.services.placements import PurchaseRefused
from broker_tui.services.quality import StaleEdit  # (the store's, as every service raises it)

STATUS_WORDS = {"not_started": "not started", "active": "running", "ended": "ended"}


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def refusal_text(exc: BaseException) -> str:
    """One line for the person at the keyboard, whatever went wrong."""
    if isinstance(exc, StaleEdit):
        changed = ", ".join(k.replace("_", " ") for k in sorted(exc.changed)) or "it"
        return (f"Not saved: someone else changed this {exc.entity.replace('_', ' ')} since it was opened "
                f"({changed}). It has been reloaded: check it and try again.")
    if isinstance(exc, PurchaseRefused):
        return cap("; ".join(exc.problems.values()))
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"Something went wrong: {text}"
