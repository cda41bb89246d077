"""Every table of the store. Importing this package registers them all on SQLModel.metadata."""

from broker_tui.store.tables.audit import AuditEvent
from broker_tui.store.tables.market import (
    FosterHousehold,
    PlacementStop,
    PriceList,
    Provider,
    Service,
)
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

__all__ = [
    "AppMeta", "Approval", "AuditEvent", "BlockContract", "BlockContractTerm", "BlockUnit", "BlockUnitStatus",
    "CodeListEntry", "FosterHousehold",
    "LocalAuthority", "Offer", "Placement", "PlacementStop", "PostcodeDistrict", "PriceList", "Provider",
    "QAAction", "QANote", "Referral", "ReferralSent", "Service", "SpotAgreement", "SpotAmendment",
    "Ssda903Child", "Ssda903Episode", "Ssda903File", "Ssda903Import", "Ssda903Oc3",
    "SufficiencyImport", "SufficiencyRecord",
]
