"""How the purchases screens put things: one line for a refusal, money and dates as a broker reads them."""

from __future__ import annotations

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import format_pence
from broker_tui.services.purchases import CostView
from broker_tui.ui.screens.fields_dialog import refusal_text

__all__ = ["cost_line", "refusal_text"]


def cost_line(label: str, cost: CostView | None) -> str:
    """'This financial year (01/04/2026–31/03/2027, 365 nights): £292,000.00 (social care £292,000.00)'."""
    if cost is None:
        return f"{label}: not known (no planned end and no date of birth)"
    last = format_date(cost.end.fromordinal(cost.end.toordinal() - 1)) if cost.nights else format_date(cost.end)
    until = f", to the {cost.until}" if cost.until else ""
    shares = [f"{name} {format_pence(p)}" for name, p in (("social care", cost.social_care),
                                                           ("education", cost.education), ("health", cost.health)) if p]
    return (f"{label} ({format_date(cost.start)}–{last}, {cost.nights} nights{until}): {format_pence(cost.pence)}"
            + (f" ({'; '.join(shares)})" if len(shares) > 1 else ""))
