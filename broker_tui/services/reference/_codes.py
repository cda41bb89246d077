"""DfE SSDA903 code lists (data with the years they are valid) as choices for forms and checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from broker_tui.services.context import AppContext
from broker_tui.store.tables import CodeListEntry, LocalAuthority

# Form fields that take a code from a list, and the SSDA903 field whose codes they use.
CODED_FIELDS = {
    "legal_status": "LS",
    "category_of_need": "CIN",
    "ethnicity": "ETHNIC",
    "move_reason": "REASON_PLACE_CHANGE",
}


@dataclass(frozen=True)
class CodeChoice:
    code: str
    description: str

    @property
    def label(self) -> str:
        # Codes with no published wording (Z11-Z14) show the code alone, never a guessed meaning.
        return f"{self.code} – {self.description}" if self.description else f"{self.code} (no published description)"


def return_year(day: dt.date) -> str:
    """The DfE return year a date falls in (April to March): 1 December 2026 -> '2026-27'."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{str(start + 1)[-2:]}"


def code_choices(ctx: AppContext, field: str, *, on: dt.date | None = None,
                 session: Session | None = None) -> list[CodeChoice]:
    """The codes of an SSDA903 field valid in the return year of ``on`` (today by default), read in
    ``session`` when a writing transaction asks (so it sees its own rows), else in a session of their own."""
    year = return_year(on or ctx.today())
    if session is None:
        with ctx.session() as own:
            return code_choices(ctx, field, on=on, session=own)
    rows = session.scalars(select(CodeListEntry).where(col(CodeListEntry.field) == field)
                           .order_by(col(CodeListEntry.code))).all()
    return [CodeChoice(r.code, r.description) for r in rows
            if (r.valid_from_year is None or r.valid_from_year <= year)
            and (r.valid_to_year is None or year <= r.valid_to_year)]


def form_code_choices(ctx: AppContext) -> dict[str, list[CodeChoice]]:
    """Every coded form field's choices, read in one go for a form."""
    return {name: code_choices(ctx, field) for name, field in CODED_FIELDS.items()}


def local_authority_names(ctx: AppContext) -> dict[str, str]:
    """ONS code -> name, for choosing areas to keep a child away from."""
    with ctx.session() as session:
        return {la.ons_code: la.name for la in session.scalars(select(LocalAuthority).order_by(LocalAuthority.name))}
