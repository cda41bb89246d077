"""Spot purchases: individual placement agreements (IPAs), their approvals and their amendments.

- _input: ``SpotInput`` and ``AmendmentInput`` (what a broker gives, read field by field: the weekly price
  in parts adding up exactly, the funding split adding to 100, the purchasing route), ``prefill_from_offer``;
- _add: ``add_agreement`` (the agreement, its first amendment and its placement in one transaction, the
  child's nights checked under their lock) and ``submit``;
- _decide: ``approve``, ``reject`` and ``cancel`` (an approver is the person acting, within their limit
  and never the recorder; a cancelled or rejected agreement frees the child's nights);
- _amend: ``amend`` (price change, uplift, extension, new planned end: dated rows, never edits),
  ``approve_amendment`` and ``reject_amendment`` (a raise above the threshold or the allowed percentage
  waits for an approver, the old price holding meanwhile);
- _flags: the approvals matching flags (out of area, distant placement with the host council told, a move
  in school years 10-11): ``required_approvals``, ``record_approval``, and Home's ``overdue`` and
  ``awaiting_approval``;
- _views: ``list_agreements`` (a page, from SQL) and ``show_agreement`` (versions, approvals, placement,
  projections);
- _projections: ``CostView`` and ``ProjectionsView``, the agreement's projections to the penny (this
  financial year, a full year, to the end, split by funder).

Ending a spot placement is ``services.placements.end_placement`` (shared with block contracts): the
agreement ends with it. Every act raises SpotRefused (a PurchaseRefused) by field with nothing written, or
StaleEdit for a view someone changed since; each has an ``..._in(session, ctx, ...)`` form for building
many in one transaction. Import from this package, never from its private modules.
"""

from broker_tui.services.purchases._add import (
    AgreementAdded,
    StatusChanged,
    add_agreement,
    add_agreement_in,
    submit,
    submit_in,
)
from broker_tui.services.purchases._amend import (
    AmendmentDecided,
    AmendmentMade,
    amend,
    amend_in,
    approve_amendment,
    approve_amendment_in,
    reject_amendment,
    reject_amendment_in,
)
from broker_tui.services.purchases._common import COUNTING, STATUS_LABELS, SpotRefused, judge
from broker_tui.services.purchases._decide import approve, approve_in, cancel, cancel_in, reject, reject_in
from broker_tui.services.purchases._flags import (
    FLAG_KINDS,
    ApprovalRecorded,
    AwaitingApproval,
    OverdueApproval,
    RequiredApproval,
    RequiredApprovals,
    awaiting_approval,
    overdue,
    record_approval,
    record_approval_in,
    required_approvals,
)
from broker_tui.services.purchases._input import (
    AMENDMENT_KINDS,
    SPOT_ROUTES,
    AmendmentInput,
    SpotInput,
    prefill_from_offer,
)
from broker_tui.services.purchases._projections import CostView, ProjectionsView
from broker_tui.services.purchases._views import (
    APPROVAL_KIND_LABELS,
    VERSION_STATES,
    AgreementDetail,
    AgreementPage,
    AgreementRow,
    ApprovalView,
    VersionView,
    list_agreements,
    show_agreement,
)

__all__ = [
    "COUNTING", "judge",
    "AMENDMENT_KINDS",
    "FLAG_KINDS",
    "APPROVAL_KIND_LABELS",
    "SPOT_ROUTES",
    "STATUS_LABELS",
    "VERSION_STATES",
    "AgreementAdded",
    "AgreementDetail",
    "AgreementPage",
    "AgreementRow",
    "AmendmentDecided",
    "AmendmentInput",
    "AmendmentMade",
    "ApprovalRecorded",
    "ApprovalView",
    "AwaitingApproval",
    "CostView",
    "OverdueApproval",
    "ProjectionsView",
    "RequiredApproval",
    "RequiredApprovals",
    "SpotInput",
    "SpotRefused",
    "StatusChanged",
    "VersionView",
    "add_agreement",
    "add_agreement_in",
    "amend",
    "amend_in",
    "approve",
    "approve_amendment",
    "approve_amendment_in",
    "approve_in",
    "awaiting_approval",
    "cancel",
    "cancel_in",
    "list_agreements",
    "overdue",
    "prefill_from_offer",
    "record_approval",
    "record_approval_in",
    "reject",
    "reject_amendment",
    "reject_amendment_in",
    "reject_in",
    "required_approvals",
    "show_agreement",
    "submit",
    "submit_in",
]
