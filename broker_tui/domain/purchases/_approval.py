"""When a purchase needs an approver's decision, and who may give it. Reasons come back as words.

Rules (the numbers are settings):
- an agreement needs approval when its weekly price is ABOVE the threshold (equal is not above);
- an amendment needs approval when it raises the weekly price (new above old) to above the threshold,
  or raises it by more than the allowed percentage of the old price (basis points: 500 = 5%; a raise
  from £0 is more than any percentage); a cut or an unchanged price never needs it;
- an approver is named in the approvers' limits (name -> the highest weekly pence they may approve)
  with a limit at or above the weekly price, and is not the person who recorded the purchase.
Names are compared trimmed and case-blind (a login typed 'JBroker' or 'jbroker' is one person), so the
recorder cannot approve their own by changing the case of their name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from broker_tui.domain.money import format_pence


@dataclass(frozen=True, slots=True)
class ApprovalRules:
    """The weekly threshold (pence) above which a purchase needs approval, and the largest raise an
    amendment may make without it (basis points of the old weekly price: 500 = 5%)."""

    threshold_weekly_pence: int
    raise_basis_points: int


def format_basis_points(basis_points: int) -> str:
    """500 -> '5%', 250 -> '2.5%', 333 -> '3.33%'."""
    whole, rest = divmod(basis_points, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + "%"


def agreement_approval_reasons(weekly_pence: int, rules: ApprovalRules) -> list[str]:
    """Why an agreement at this weekly price needs approval (empty: it does not): above the threshold."""
    if weekly_pence > rules.threshold_weekly_pence:
        return [f"{format_pence(weekly_pence)} a week is above the {format_pence(rules.threshold_weekly_pence)} "
                "threshold for approval"]
    return []


def amendment_approval_reasons(old_weekly_pence: int, new_weekly_pence: int, rules: ApprovalRules) -> list[str]:
    """Why an amendment from the old weekly price to the new needs approval (empty: it does not): it raises
    the price to above the threshold, or by more than the allowed percentage of the old price."""
    if new_weekly_pence <= old_weekly_pence:
        return []
    reasons: list[str] = []
    rise = new_weekly_pence - old_weekly_pence
    if new_weekly_pence > rules.threshold_weekly_pence:
        reasons.append(f"raises the weekly price from {format_pence(old_weekly_pence)} to "
                       f"{format_pence(new_weekly_pence)}, above the {format_pence(rules.threshold_weekly_pence)} "
                       "threshold for approval")
    if rise * 10_000 > old_weekly_pence * rules.raise_basis_points:
        # rounded UP to a basis point, so a raise over the limit never reads as equal to it
        by = ("from nothing" if old_weekly_pence == 0
              else f"by {format_basis_points(-(-rise * 10_000 // old_weekly_pence))}")
        reasons.append(f"raises the weekly price {by} ({format_pence(rise)} a week), more than the "
                       f"{format_basis_points(rules.raise_basis_points)} allowed without approval")
    return reasons


def _person(name: str) -> str:
    return name.strip().casefold()


def approver_problems(approver: str, recorder: str, weekly_pence: int, limits: Mapping[str, int]) -> list[str]:
    """Why ``approver`` may not approve a purchase of this weekly price that ``recorder`` recorded (empty:
    they may): they must be named, not be the recorder, and have a limit at or above the price."""
    who = approver.strip()
    if not who:
        return ["say who approves"]
    problems: list[str] = []
    if _person(approver) == _person(recorder):
        problems.append(f"{who} recorded this purchase and cannot approve their own: another approver must")
    limit = next((pence for name, pence in limits.items() if _person(name) == _person(approver)), None)
    if limit is None:
        problems.append(f"{who} is not on the list of approvers")
    elif weekly_pence > limit:
        problems.append(f"{who} may approve up to {format_pence(limit)} a week; this is {format_pence(weekly_pence)}")
    return problems
