"""Every table of the store, each imported when first named.

``from broker_tui.store.tables import Referral`` imports the module that defines it (and, through that
module's own imports, the modules of the tables its foreign keys name), not the whole store: building a
SQLModel table class costs about 1 ms, and a command that reads the market need not build the purchases',
returns' and quality tables (issue 14). Whatever needs the whole schema on ``SQLModel.metadata``
(Alembic's autogenerate, the tests that compare it with the migrations) calls ``register_all()``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

MODULES = ("audit", "market", "purchases", "quality", "reference", "referrals", "ssda903", "sufficiency")

_HOME = {
    "AuditEvent": "audit",
    "FosterHousehold": "market", "PlacementStop": "market", "PriceList": "market", "Provider": "market",
    "Service": "market",
    "Approval": "purchases", "BlockContract": "purchases", "BlockContractTerm": "purchases", "BlockUnit": "purchases",
    "BlockUnitStatus": "purchases", "Placement": "purchases", "SpotAgreement": "purchases",
    "SpotAmendment": "purchases",
    "QAAction": "quality", "QANote": "quality",
    "AppMeta": "reference", "CodeListEntry": "reference", "LocalAuthority": "reference",
    "PostcodeDistrict": "reference",
    "Offer": "referrals", "Referral": "referrals", "ReferralSent": "referrals",
    "Ssda903Child": "ssda903", "Ssda903Episode": "ssda903", "Ssda903File": "ssda903", "Ssda903Import": "ssda903",
    "Ssda903Oc3": "ssda903",
    "SufficiencyImport": "sufficiency", "SufficiencyRecord": "sufficiency",
}

__all__ = [
    "AppMeta", "Approval", "AuditEvent", "BlockContract", "BlockContractTerm", "BlockUnit", "BlockUnitStatus",
    "CodeListEntry", "FosterHousehold", "LocalAuthority", "Offer", "Placement", "PlacementStop",
    "PostcodeDistrict", "PriceList", "Provider", "QAAction", "QANote", "Referral", "ReferralSent", "Service",
    "SpotAgreement", "SpotAmendment", "Ssda903Child", "Ssda903Episode", "Ssda903File", "Ssda903Import",
    "Ssda903Oc3", "SufficiencyImport", "SufficiencyRecord",
]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})


def register_all() -> None:
    """Every table on SQLModel.metadata."""
    for module in MODULES:
        importlib.import_module(f"{__name__}.{module}")


if TYPE_CHECKING:
    from broker_tui.store.tables.audit import AuditEvent
    from broker_tui.store.tables.market import FosterHousehold, PlacementStop, PriceList, Provider, Service
    from broker_tui.store.tables.purchases import (
        Approval,
        BlockContract,
        BlockContractTerm,
        BlockUnit,
        BlockUnitStatus,
        Placement,
        SpotAgreement,
        SpotAmendment,
    )
    from broker_tui.store.tables.quality import QAAction, QANote
    from broker_tui.store.tables.reference import AppMeta, CodeListEntry, LocalAuthority, PostcodeDistrict
    from broker_tui.store.tables.referrals import Offer, Referral, ReferralSent
    from broker_tui.store.tables.ssda903 import (
        Ssda903Child,
        Ssda903Episode,
        Ssda903File,
        Ssda903Import,
        Ssda903Oc3,
    )
    from broker_tui.store.tables.sufficiency import SufficiencyImport, SufficiencyRecord
