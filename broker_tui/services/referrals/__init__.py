"""Referrals: a social worker's placement request, from intake to its end.

- _records: create, edit, move through the workflow, withdraw, list, history (one transaction and one
  audit event per change; a save over a newer save is refused with what changed);
- _views: what screens and the CLI see of a referral (ReferralView) and its JSON format;
- _form: what the referral form needs from the store, and saving what it collected in one call;
- _standard: the actual placement (by hand, else from a recorded purchase) and the export in the national
  Placements Data Standard (docs/placements-standard.md), with a pseudonymous childId;
- _standard_import: a file in the standard read in as sufficiency records (never referrals to work).

The rules themselves (fields, statuses, transitions) are pure and live in domain.referrals.
Import from this package, never from its private modules. The two standard modules load when one of
their names is first used: they need the purchases' and sufficiency tables, which matching a referral (on
every command's path) does not (issue 14).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from broker_tui.domain.referrals.standard import setting_disagreements
from broker_tui.services.referrals._form import FormSupport, SaveOutcome, check_form, form_support, save_form
from broker_tui.services.referrals._records import (
    DuplicateOpenCase,
    HistoryEntry,
    ReferralInvalid,
    ReferralNotFound,
    ReferralQuery,
    TransitionRefused,
    brokers,
    change_status,
    create_referral,
    draft_from_previous,
    get_referral,
    history,
    list_referrals,
    update_referral,
    withdraw,
)
from broker_tui.services.referrals._views import INPUT_KEYS, READ_ONLY_KEYS, ReferralView, view_of
from broker_tui.store.errors import StaleEdit

_LATER = {
    **dict.fromkeys(("StandardExport", "actual_placement", "child_id", "child_id_secret", "export_standard",
                     "standard_summary"), "_standard"),
    **dict.fromkeys(("AlreadyImported", "StandardFileInvalid", "StandardImport", "SufficiencySummary",
                     "import_standard", "sufficiency_summary"), "_standard_import"),
}


def __getattr__(name: str) -> Any:
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from broker_tui.services.referrals._standard import (
        StandardExport,
        actual_placement,
        child_id,
        child_id_secret,
        export_standard,
        standard_summary,
    )
    from broker_tui.services.referrals._standard_import import (
        AlreadyImported,
        StandardFileInvalid,
        StandardImport,
        SufficiencySummary,
        import_standard,
        sufficiency_summary,
    )

__all__ = [
    "AlreadyImported",
    "DuplicateOpenCase",
    "FormSupport",
    "HistoryEntry",
    "INPUT_KEYS",
    "READ_ONLY_KEYS",
    "ReferralInvalid",
    "ReferralNotFound",
    "ReferralQuery",
    "ReferralView",
    "SaveOutcome",
    "StandardExport",
    "StandardFileInvalid",
    "StandardImport",
    "StaleEdit",
    "SufficiencySummary",
    "TransitionRefused",
    "actual_placement",
    "child_id",
    "child_id_secret",
    "brokers",
    "change_status",
    "check_form",
    "create_referral",
    "draft_from_previous",
    "export_standard",
    "setting_disagreements",
    "standard_summary",
    "form_support",
    "get_referral",
    "history",
    "import_standard",
    "list_referrals",
    "save_form",
    "sufficiency_summary",
    "update_referral",
    "view_of",
    "withdraw",
]
