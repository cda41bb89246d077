"""Ending a placement: the first night the child is not there, and SSDA903's two reasons kept apart.

The end date is the first night not occupied (placements are half-open [start, end)), so the unit is free
that night and the next child may start on it. It must be after the start, and may be in the past (the
child has left) or the future (notice given). SSDA903 codes two different things, and exactly one is
asked for: the reason for the placement change (REASON_PLACE_CHANGE) when the child moves on to another
placement, or the reason the episode ceased (REC) when the child leaves care. Codes are checked against
the code lists valid in the end date's return year.

A spot placement's agreement ends with it (status "ended", ended_on the end date); a block placement's
unit is free from the end date (nothing to write: the unit's nights are the placements' nights).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from broker_tui.domain.dates import format_date, parse_date
from broker_tui.domain.text_rules import text_problem
from broker_tui.services.context import AppContext
from broker_tui.services.placements._nights import PurchaseRefused, claim_nights, night_problems, refuse_rules
from broker_tui.services.reference import code_choices
from broker_tui.store.audit import name_action
from broker_tui.store.errors import StaleEdit
from broker_tui.store.tables import Placement, SpotAgreement
from broker_tui.store.versioning import apply_edit, changed_fields

log = logging.getLogger(__name__)

REASON_FIELDS = {"reason_place_change": "REASON_PLACE_CHANGE", "reason_episode_ceased": "REC"}


@dataclass(frozen=True)
class PlacementView:
    """A placement as stored: the child (case reference only), its nights [start_date, end_date) and how
    it was bought (a spot agreement, or a unit of a block contract)."""

    id: uuid.UUID
    case_ref: str
    service_id: uuid.UUID
    start_date: dt.date
    end_date: dt.date | None
    spot_agreement_id: uuid.UUID | None
    block_contract_id: uuid.UUID | None
    block_unit_id: uuid.UUID | None
    overlap_kind: str
    overlap_reason: str
    reason_place_change: str | None
    reason_episode_ceased: str | None
    ended_by: str
    version: int
    raw_row: Any = field(default=None, repr=False, compare=False)  # the row as read, for a stale-safe edit

    @property
    def ended(self) -> bool:
        return placement_ended(self)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name == "raw_row":
                continue
            value = getattr(self, f.name)
            out[f.name] = value.isoformat() if isinstance(value, dt.date) else (
                str(value) if isinstance(value, uuid.UUID) else value)
        out["ended"] = self.ended
        return out


def placement_view(row: Placement) -> PlacementView:
    return PlacementView(row.id, row.case_ref, row.service_id, row.start_date, row.end_date, row.spot_agreement_id,
                         row.block_contract_id, row.block_unit_id, row.overlap_kind, row.overlap_reason,
                         row.reason_place_change, row.reason_episode_ceased, row.ended_by, row.version,
                         Placement.model_validate(row.model_dump()))


def placement_ended(row: Placement | PlacementView) -> bool:
    """Ended by someone (with a reason), not merely holding a planned end date."""
    return bool(row.ended_by or row.reason_place_change or row.reason_episode_ceased)


def _date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return parse_date(str(value))


def end_problems(ctx: AppContext, *, start_date: dt.date, end_date: dt.date | str | None,
                 reason_place_change: str | None, reason_episode_ceased: str | None,
                 note: str = "", session: Session | None = None,
                 ) -> tuple[dict[str, str], dt.date | None, str | None, str | None]:
    """What is wrong with an end as asked (by field), with the date and the two codes cleaned up. Reads
    the code lists in ``session`` (the writing transaction's: it sees what that transaction wrote), or in
    a session of their own."""
    problems: dict[str, str] = {}
    try:
        end = _date(end_date)
    except ValueError as exc:
        problems["end_date"] = str(exc) or "not a date (use dd/mm/yyyy or yyyy-mm-dd)"
        end = None
    if end is None and "end_date" not in problems:
        problems["end_date"] = "say the first night the child is not there"
    elif end is not None and end <= start_date:
        problems["end_date"] = (f"must be after the start ({format_date(start_date)}): the end date is the first "
                                "night the child is not there")
    codes = {"reason_place_change": (reason_place_change or "").strip().upper() or None,
             "reason_episode_ceased": (reason_episode_ceased or "").strip().upper() or None}
    given = [name for name, code in codes.items() if code]
    if not given:
        problems["reason"] = ("give one reason: the reason for the placement change (REASON_PLACE_CHANGE) when the "
                              "child moves on, or the reason the episode ceased (REC) when the child leaves care")
    elif len(given) == 2:
        problems["reason"] = ("give one reason, not both: the placement change reason when the child moves on, the "
                              "episode ceased reason when the child leaves care")
    else:
        name = given[0]
        code = codes[name] or ""
        choices = code_choices(ctx, REASON_FIELDS[name], on=end or ctx.today(), session=session)
        if code not in {c.code for c in choices}:
            shown = ", ".join(c.code for c in choices)
            problems[name] = f"{code!r} is not a {REASON_FIELDS[name]} code in use then (one of {shown})"
    if note and (problem := text_problem(note)):
        problems["note"] = problem
    return problems, end, codes["reason_place_change"], codes["reason_episode_ceased"]


def _placement_id(placement: uuid.UUID | str | PlacementView) -> uuid.UUID:
    if isinstance(placement, PlacementView):
        return placement.id
    if isinstance(placement, uuid.UUID):
        return placement
    try:
        return uuid.UUID(str(placement).strip())
    except ValueError:
        raise PurchaseRefused({"placement": f"no placement {placement}"}) from None


def end_placement_in(session: Session, ctx: AppContext, placement: uuid.UUID | str | PlacementView, *,
                     end_date: dt.date | str | None, reason_place_change: str | None = None,
                     reason_episode_ceased: str | None = None, note: str = "") -> PlacementView:
    """End a placement inside the caller's transaction (see ``end_placement``). Raises PurchaseRefused
    (nothing written by this call) or StaleEdit (a PlacementView that someone changed since)."""
    placement_id = _placement_id(placement)
    row = session.get(Placement, placement_id)
    if row is None:
        raise PurchaseRefused({"placement": f"no placement {placement_id}"})
    problems, end, change, ceased = end_problems(ctx, start_date=row.start_date, end_date=end_date,
                                                 reason_place_change=reason_place_change,
                                                 reason_episode_ceased=reason_episode_ceased, note=note,
                                                 session=session)
    claim_nights(session, case_ref=row.case_ref, unit_id=row.block_unit_id)
    row = session.get_one(Placement, placement_id, populate_existing=True)
    opened = placement.raw_row if isinstance(placement, PlacementView) and placement.raw_row is not None else None
    if opened is not None and opened.version != row.version:
        raise StaleEdit("placement", changed_fields(opened, row))
    if placement_ended(row):
        when = f" (its end date is {format_date(row.end_date)})" if row.end_date else ""
        raise PurchaseRefused({"placement": f"this placement has already ended{when}"})
    if problems or end is None:
        raise PurchaseRefused(problems)
    if row.end_date is None or end > row.end_date:  # later than a planned end: the nights must be free
        clash = night_problems(session, case_ref=row.case_ref, start=row.start_date, end=end,
                               unit_id=row.block_unit_id, overlap_kind=row.overlap_kind,
                               overlap_reason=row.overlap_reason, ignore=row.id)
        if clash:
            raise PurchaseRefused({"end_date" if k in ("unit", "start_date") else k: v for k, v in clash.items()})
    if row.spot_agreement_id is not None:
        agreement = session.get_one(SpotAgreement, row.spot_agreement_id)
        if agreement.status not in ("ended", "cancelled", "rejected"):
            name_action(session, agreement, "end", note)
            apply_edit(session, agreement, {"status": "ended", "ended_on": end})
    name_action(session, row, "end", note)
    ended = apply_edit(session, opened or row, {"end_date": end, "reason_place_change": change,
                                                "reason_episode_ceased": ceased, "ended_by": ctx.actor})
    log.info("%s: placement ended", ended.case_ref)
    return placement_view(ended)


def end_placement(ctx: AppContext, placement: uuid.UUID | str | PlacementView, *,
                  end_date: dt.date | str | None, reason_place_change: str | None = None,
                  reason_episode_ceased: str | None = None, note: str = "") -> PlacementView:
    """End a placement: ``end_date`` is the first night the child is not there (after the start; past or
    future), with exactly one SSDA903 reason: ``reason_place_change`` (REASON_PLACE_CHANGE) when the child
    moves on, or ``reason_episode_ceased`` (REC) when the child leaves care. ended_by is the person acting.
    A spot placement's agreement becomes "ended" (ended_on the end date); a block placement's unit is free
    from the end date. An ended placement is refused. All or nothing: raises PurchaseRefused (by field:
    placement, end_date, reason, reason_place_change, reason_episode_ceased, note) with nothing written."""
    with refuse_rules({"placement_unit_nights": ("end_date", "another child is in this unit before that date; "
                                                             "nothing was saved")}), ctx.session() as session:
        return end_placement_in(session, ctx, placement, end_date=end_date, reason_place_change=reason_place_change,
                                reason_episode_ceased=reason_episode_ceased, note=note)


def get_placement(ctx: AppContext, placement: uuid.UUID | str) -> PlacementView:
    """One placement by id (PurchaseRefused on the field "placement" when there is none)."""
    placement_id = _placement_id(placement)
    with ctx.session() as session:
        row = session.get(Placement, placement_id)
        if row is None:
            raise PurchaseRefused({"placement": f"no placement {placement_id}"})
        return placement_view(row)
