"""One child a unit a night, one placement a child a night (unless a retainer or a transition, with a
reason): checked under the unit's and the child's locks, in the transaction that writes the placement."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import or_
from sqlmodel import Session, col, select

from broker_tui.domain.dates import format_date
from broker_tui.domain.purchases import Placement as Nights
from broker_tui.domain.purchases import child_overlaps, unit_overlaps
from broker_tui.store.errors import RuleBroken
from broker_tui.store.locks import lock_for_write
from broker_tui.store.tables import Placement

OVERLAP_KINDS = {"retainer": "Retainer (the child is in hospital, in custody or on remand)",
                 "transition": "Planned transition between placements"}


class PurchaseRefused(ValueError):
    """The purchase cannot be done as asked: ``problems`` maps each field to a message the broker reads."""

    def __init__(self, problems: dict[str, str] | str):
        self.problems = problems if isinstance(problems, dict) else {"": problems}
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in self.problems.items()))


_RULE_WORDS = {
    "placement_unit_nights": ("unit", "someone placed another child in this unit for some of these nights at "
                                      "the same moment; nothing was saved"),
    "placement_child_nights": ("start_date", "this child has another placement on some of these nights; "
                                             "nothing was saved"),
}


@contextmanager
def refuse_rules(extra: dict[str, tuple[str, str]] | None = None) -> Iterator[None]:
    """A night rule (or another named in ``extra``) broken at the database, as PurchaseRefused. Put it
    outside the session, so the refusal comes after the rollback."""
    words = {**_RULE_WORDS, **(extra or {})}
    try:
        yield
    except RuleBroken as exc:
        if exc.rule not in words:
            raise
        raise PurchaseRefused(dict([words[exc.rule]])) from None


def _nights(row: Placement) -> Nights:
    kind = "transition" if row.overlap_kind == "transition" else ("other" if row.overlap_kind else "")
    return Nights(case_ref=row.case_ref, start=row.start_date, end=row.end_date,
                  unit=str(row.block_unit_id) if row.block_unit_id else None, retainer=kind,
                  retainer_reason=row.overlap_reason, id=str(row.id))


def night_problems(session: Session, *, case_ref: str, start: dt.date, end: dt.date | None,
                   unit_id: uuid.UUID | None = None, overlap_kind: str = "", overlap_reason: str = "",
                   ignore: uuid.UUID | None = None) -> dict[str, str]:
    """What stops ``case_ref`` holding the nights [start, end) (in ``unit_id`` when a block place), as
    problems by field: another child in the unit, or another placement of the child not excused by a
    retainer or transition with a reason. Reads what is stored now; hold the locks (``claim_nights``)
    so it stays true until the write commits."""
    problems: dict[str, str] = {}
    if end is not None and end <= start:
        problems["end_date"] = "the end date must be after the start date (it is the first night not there)"
        return problems
    if overlap_kind and overlap_kind not in OVERLAP_KINDS:
        problems["overlap_kind"] = f"must be one of {', '.join(OVERLAP_KINDS)} (or nothing)"
    if overlap_kind and not overlap_reason.strip():
        problems["overlap_reason"] = "say why this child keeps two placements on the same nights"
    if problems:
        return problems
    ends_after = or_(col(Placement.end_date).is_(None), col(Placement.end_date) > start)
    clause = [ends_after] if end is None else [ends_after, col(Placement.start_date) < end]
    who = [col(Placement.case_ref) == case_ref]
    if unit_id is not None:
        who.append(col(Placement.block_unit_id) == unit_id)
    rows = [r for r in session.scalars(select(Placement).where(or_(*who), *clause)) if r.id != ignore]
    kind = "transition" if overlap_kind == "transition" else ("other" if overlap_kind else "")
    new = Nights(case_ref=case_ref, start=start, end=end, unit=str(unit_id) if unit_id else None,
                 retainer=kind, retainer_reason=overlap_reason, id="(new)")
    mine = [_nights(r) for r in rows]
    unit_clash = [o for o in unit_overlaps([*mine, new]) if "(new)" in (o.first.id, o.second.id)]
    if unit_clash:
        clash = unit_clash[0]
        other = clash.first if clash.second.id == "(new)" else clash.second
        nights = (f"from {format_date(clash.start)}" if clash.end is None
                  else f"from {format_date(clash.start)} to {format_date(clash.end)} (free that night)")
        problems["unit"] = f"this unit is taken by {other.case_ref} {nights}"
    child_clash = [o for o in child_overlaps([*mine, new]) if "(new)" in (o.first.id, o.second.id)]
    if child_clash:
        problems["start_date"] = child_clash[0].message
    return problems


def claim_nights(session: Session, *, case_ref: str, unit_id: uuid.UUID | None = None) -> None:
    """Hold the child's (and the unit's) lock until this transaction ends, so two brokers placing the same
    child, or two children into the same unit, queue: the second reads the first's placement."""
    keys = [f"child:{case_ref}"]
    if unit_id is not None:
        keys.append(f"block_unit:{unit_id}")
    lock_for_write(session, *keys)
