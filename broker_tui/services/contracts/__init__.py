"""Block contracts: units bought for a period, paid every night, filled or not.

- _register: ``add_contract`` (the contract, its first term, its units as rows, each available from the
  start);
- _amend: ``amend_contract`` (a dated term: unit price change, annual uplift in basis points, extension,
  units added or taken out);
- _units: ``set_unit_status`` (available, held, out of use: dated rows);
- _place: ``place_in_block`` (a child into a free unit, under the contract's, unit's and child's locks; a
  full or expired contract says to buy a spot agreement instead);
- _views: ``list_contracts`` and ``show_contract`` (terms as history, the unit-by-unit view today, the
  block's usage over a period: unit-days, utilisation, void cost, cost per occupied week).

Ending a block placement is ``services.placements.end_placement`` (shared with spot purchases): the unit is
free from the end date. Every act raises ContractRefused (a PurchaseRefused) by field, with nothing written;
each has an ``..._in(session, ctx, ...)`` form for building many in one transaction.
"""

from broker_tui.services.contracts._amend import (
    TERM_KINDS,
    TermAdded,
    TermInput,
    amend_contract,
    amend_contract_in,
    describe_term,
)
from broker_tui.services.contracts._common import (
    UNIT_STATUS_LABELS,
    ContractRefused,
    ContractState,
    load_states,
)
from broker_tui.services.contracts._place import PlaceInput, place_in_block, place_in_block_in
from broker_tui.services.contracts._register import (
    ContractAdded,
    ContractInput,
    add_contract,
    add_contract_in,
)
from broker_tui.services.contracts._units import UnitStatusSet, set_unit_status, set_unit_status_in
from broker_tui.services.contracts._views import (
    ContractDetail,
    ContractRow,
    TermView,
    UnitView,
    UsageView,
    contract_status,
    list_contracts,
    show_contract,
)

__all__ = [
    "ContractState", "contract_status", "describe_term", "load_states",
    "TERM_KINDS",
    "UNIT_STATUS_LABELS",
    "ContractAdded",
    "ContractDetail",
    "ContractInput",
    "ContractRefused",
    "ContractRow",
    "PlaceInput",
    "TermAdded",
    "TermInput",
    "TermView",
    "UnitStatusSet",
    "UnitView",
    "UsageView",
    "add_contract",
    "add_contract_in",
    "amend_contract",
    "amend_contract_in",
    "list_contracts",
    "place_in_block",
    "place_in_block_in",
    "set_unit_status",
    "set_unit_status_in",
    "show_contract",
]
