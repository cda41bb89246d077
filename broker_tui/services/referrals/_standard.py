"""Referrals in the national Placements Data Standard (v2 draft, 18 July 2025): the actual placement, filled
from a recorded purchase where it was not entered by hand, and the export (docs/placements-standard.md).

The export never carries the case reference, initials or a date of birth: childId is a stable pseudonymous
number per child, an HMAC of the case reference with a secret kept in this database (app_meta), so the same
child has the same number in every export from it and the number cannot be turned back into the reference
without the database. Locations are a local authority's name or a postcode district, never a postcode.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from broker_tui.domain.referrals import standard as st
from broker_tui.domain.referrals.rules import URGENT_WITHIN_DAYS
from broker_tui.domain.referrals.standard_records import FIELDS
from broker_tui.domain.vocabulary import SERVICE_TYPE_BY_CODE, SETTING_OF_GROUP
from broker_tui.services.context import AppContext
from broker_tui.services.private_files import write_private, write_private_csv
from broker_tui.store.tables import (
    AppMeta,
    BlockContractTerm,
    LocalAuthority,
    Placement,
    Referral,
    Service,
    SpotAmendment,
)

SECRET_KEY = "placements_standard_child_id_secret"
PLACED = ("placed_weekly_cost_pence", "placed_location", "placed_location_preferred", "placed_education_continuity",
          "placed_provider_urn", "placed_siblings_together", "placed_type")
# The standard's fields in its order (domain.referrals.standard_records.FIELDS); the ones it makes mandatory
# (cardinality 1) are all but OPTIONAL.
OPTIONAL = {"neededBy", "siblingCount", "preferredLocation", "additionalSupport", "deprivationOfLiberty", "riskOther",
            "riskToOthersOther", "referralOfficerName", "costOfficerName"}
PLACEMENT_FIELDS = set(FIELDS[FIELDS.index("totalWeeklyCost"):FIELDS.index("referralOfficerName")]) | {
    "placementOfficerName", "placementDate", "costOfficerName", "costDate"}


@dataclass(frozen=True)
class StandardExport:
    path: Path
    rows: int
    missing: dict[str, int]  # mandatory field -> how many rows have no value for it


def actual_placement(session: Session, row: Referral) -> dict[str, Any]:
    """The placed_* values: as entered by hand, and where not, from the referral's latest recorded placement
    (linked to it, or of its case from the date it was received): its service's URN, postcode district and
    setting, and a spot agreement's weekly price as made or a block contract's unit price in force on the
    first night."""
    out = {k: getattr(row, k) for k in PLACED}
    by_case = and_(col(Placement.referral_id).is_(None), col(Placement.case_ref) == row.case_ref,
                   col(Placement.start_date) >= row.date_received)  # a purchase recorded without its referral
    placement = session.scalars(select(Placement).where(or_(col(Placement.referral_id) == row.id, by_case))
                                .order_by(col(Placement.start_date).desc(), col(Placement.id))).first()
    if placement is None:
        return out
    service = session.get(Service, placement.service_id)
    if service is not None:
        if not out["placed_provider_urn"] and service.ofsted_urn:
            out["placed_provider_urn"] = service.ofsted_urn
        if out["placed_location"] is None:
            if service.postcode_district:
                out["placed_location"] = {"kind": "district", "code": service.postcode_district}
            elif service.local_authority_code:
                out["placed_location"] = {"kind": "la", "code": service.local_authority_code}
        kind = SERVICE_TYPE_BY_CODE.get(service.service_type)
        if not out["placed_type"] and kind is not None:
            out["placed_type"] = SETTING_OF_GROUP.get(kind.group, "")
    if out["placed_weekly_cost_pence"] is None and placement.spot_agreement_id is not None:
        as_made = session.scalars(
            select(SpotAmendment).where(col(SpotAmendment.agreement_id) == placement.spot_agreement_id)
            .order_by(col(SpotAmendment.created_at), col(SpotAmendment.id))).first()
        out["placed_weekly_cost_pence"] = as_made.weekly_price_pence if as_made is not None else None
    elif out["placed_weekly_cost_pence"] is None and placement.block_contract_id is not None:
        terms = session.scalars(select(BlockContractTerm).where(
            col(BlockContractTerm.contract_id) == placement.block_contract_id).order_by(
            col(BlockContractTerm.effective_from), col(BlockContractTerm.created_at), col(BlockContractTerm.id))).all()
        in_force = [t for t in terms if t.effective_from <= placement.start_date] or terms[:1]
        out["placed_weekly_cost_pence"] = in_force[-1].unit_weekly_pence if in_force else None
    return out


def _secret(ctx: AppContext) -> bytes:
    with ctx.session() as session:
        meta = session.get(AppMeta, SECRET_KEY)
        if meta is None:
            meta = AppMeta(key=SECRET_KEY, value=secrets.token_hex(32))
            session.add(meta)
        return bytes.fromhex(meta.value)


def child_id_secret(ctx: AppContext) -> bytes:
    """This database's secret for pseudonymous child ids (made on first asking), for every import and export
    that names a child by a number: the same child reference gives the same number everywhere."""
    return _secret(ctx)


def child_id(secret: bytes, case_ref: str) -> int:
    """A stable pseudonymous number for a child: 48 bits of an HMAC-SHA256 of the case reference (exact in
    any JSON reader)."""
    digest = hmac.new(secret, case_ref.strip().upper().encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:6], "big")


def _label(options: dict[str, str], value: str, not_answered: str = "") -> str:
    return options.get(value, not_answered)


def _place(value: dict[str, Any] | None, la_names: dict[str, str]) -> str:
    if not value:
        return ""
    return la_names.get(value["code"], value["code"]) if value["kind"] == "la" else str(value["code"])


def _words(text: str, hidden: tuple[str, ...]) -> str:
    """Free text without the child's identifiers (case reference, initials, date of birth) should one have
    been typed into it."""
    for h in hidden:
        if h:
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(h)}(?![A-Za-z0-9])", "[removed]", text, flags=re.IGNORECASE)
    return text


def standard_row(row: Referral, placed: dict[str, Any], secret: bytes, la_names: dict[str, str]) -> dict[str, Any]:
    """One referral as the standard's fields (its labels; "" or None where not answered)."""
    dob = row.date_of_birth
    hidden = (row.case_ref, row.initials, *((dob.isoformat(), dob.strftime("%d/%m/%Y")) if dob else ()))
    days = (row.needed_by - row.date_received).days
    needed = "Today" if days <= 0 else "in less than 5 days" if days <= URGENT_WITHIN_DAYS else "in more than 5 days"
    risks = {r["tag"]: bool(r.get("present", True)) for r in row.risks or ()}
    cost = placed["placed_weekly_cost_pence"]
    out: dict[str, Any] = {
        "childId": child_id(secret, row.case_ref), "neededBy": needed, "siblingCount": max(0, row.sibling_group_size - 1),
        "preferredLocation": _place(row.preferred_location, la_names),
        "communicationNeeds": _label(st.COMMUNICATION_NEEDS, row.communication_needs, "Not Specified"),
        "specificCommunicationRequirements": [st.COMMUNICATION_REQUIREMENTS[c] for c in row.communication_requirements],
        "homeAdaptation": row.home_adaptation, "culturalNeeds": _label(st.CULTURAL_NEEDS, row.cultural_needs, "Not Known"),
        "livingCompanions": _label(st.LIVING_ALONGSIDE, row.living_alongside),
        "pets": _label(st.LIVING_WITH_PETS, row.living_with_pets, "Not Known"),
        "additionalSupport": [st.ADDITIONAL_SUPPORT[c] for c in row.additional_support],
        "deprivationOfLiberty": bool(row.dol_order),
        "fosterCareSuitability": _label(st.SUITABILITY, row.suitability_foster, "Not specified"),
        "residentialCareSuitability": _label(st.SUITABILITY, row.suitability_residential, "Not specified"),
        "supportedAccommodationSuitability": _label(st.SUITABILITY, row.suitability_supported, "Not specified"),
        **{flag: st.RISK_LABELS[risks[tag]] if tag in risks else "" for flag, tag in st.RISK_TAG_OF_FLAG.items()},
        "riskOther": _words(row.risk_to_child_other, hidden), "riskToOthersOther": _words(row.risk_to_others_other, hidden),
        "totalWeeklyCost": st.whole_pounds(cost) if cost is not None else None,
        "placementLocation": _place(placed["placed_location"], la_names),
        "preferabilityLocation": placed["placed_location_preferred"],
        "educationContinuity": placed["placed_education_continuity"],
        "providerURN": placed["placed_provider_urn"], "siblingsPlacedTogether": placed["placed_siblings_together"],
        "placementType": _label(st.PLACEMENT_TYPES, placed["placed_type"]),
        "referralOfficerName": row.qa_referral_officer, "referralDate": _iso(row.qa_referral_on),
        "placementOfficerName": row.qa_placement_officer, "placementDate": _iso(row.qa_placement_on),
        "costOfficerName": row.qa_cost_officer, "costDate": _iso(row.qa_cost_on),
    }
    return {k: out[k] for k in FIELDS}


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def missing_fields(row: dict[str, Any], *, placed: bool) -> list[str]:
    """The mandatory fields with no value (the placement's only once a placement is recorded)."""
    return [k for k in FIELDS if k not in OPTIONAL and (placed or k not in PLACEMENT_FIELDS)
            and row[k] in ("", None, [])]


def _cell(value: Any) -> object:
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "" if value is None else value


def export_standard(ctx: AppContext, path: str | Path, *, since: dt.date | None = None) -> StandardExport:
    """Write the referrals received on or after ``since`` (all when None) in the standard, as JSON (a list
    of objects) or CSV (one row each; lists joined with '; '), by the file's suffix."""
    target = Path(path)
    if target.suffix.lower() not in (".json", ".csv"):
        raise ValueError(f"{target.name}: the export is .json or .csv")
    secret = _secret(ctx)
    rows: list[dict[str, Any]] = []
    missing: dict[str, int] = {}
    with ctx.session() as session:
        la_names = {la.ons_code: la.name for la in session.scalars(select(LocalAuthority))}
        stmt = select(Referral).order_by(col(Referral.date_received), col(Referral.id))
        if since is not None:
            stmt = stmt.where(col(Referral.date_received) >= since)
        for row in session.scalars(stmt):
            placed = actual_placement(session, row)
            out = standard_row(row, placed, secret, la_names)
            has_placement = row.status in ("placed", "closed") or any(
                placed[k] not in (None, "") for k in PLACED)
            for k in missing_fields(out, placed=has_placement):
                missing[k] = missing.get(k, 0) + 1
            rows.append(out)
    if target.suffix.lower() == ".json":
        write_private(target, json.dumps(rows, indent=1) + "\n")
    else:
        write_private_csv(target, FIELDS, ([_cell(r[k]) for k in FIELDS] for r in rows))
    return StandardExport(target, len(rows), missing)


def standard_summary(ctx: AppContext, referral_id: Any) -> list[tuple[str, str]]:
    """The referral's standard fields in words (domain.referrals.standard_words), the actual placement as
    typed or, where not typed, from the recorded purchase (said so)."""
    from broker_tui.domain.referrals.standard_words import standard_lines
    from broker_tui.services.referrals._views import view_of

    with ctx.session() as session:
        row = session.get(Referral, referral_id)
        if row is None:
            return []
        placed = actual_placement(session, row)
        la_names = {la.ons_code: la.name for la in session.scalars(select(LocalAuthority))}
        values = view_of(row, ctx.today()).values
    typed = frozenset(k for k in PLACED if getattr(row, k) not in (None, ""))
    from_purchase = frozenset(k for k in PLACED if k not in typed and placed[k] not in (None, ""))
    return standard_lines(values, placed, lambda p: _place(p, la_names), from_purchase=from_purchase)
