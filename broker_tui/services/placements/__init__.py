"""Placements: a child's nights in a service, bought spot (an agreement) or in a block unit.

Shared by purchases (spot) and contracts (block): the night rules checked in the writing transaction
(``claim_nights``: the child's and the unit's locks taken, then the stored nights read), and the refusal
every purchase use case raises (``PurchaseRefused``, problems by field). The database holds the same rules
(store.rules: placement_unit_nights, placement_child_nights), so a writer that forgot the check is still
refused; the check here gives the broker the words. Ending a placement (``end_placement``: the first
night not there, one SSDA903 reason) is shared too: a spot placement's agreement ends with it, a block
unit is free from the end date. Reading what a person typed by field (``as_date``, ``as_text``,
``as_pence``, ``as_uuid``, ``is_blank``, ``unknown_keys``: _fields) is shared by both too.
"""

from broker_tui.services.placements._end import (
    REASON_FIELDS,
    PlacementView,
    end_placement,
    end_placement_in,
    end_problems,
    get_placement,
    placement_ended,
    placement_view,
)
from broker_tui.services.placements._fields import (
    as_date,
    as_pence,
    as_text,
    as_uuid,
    is_blank,
    unknown_keys,
)
from broker_tui.services.placements._nights import (
    OVERLAP_KINDS,
    PurchaseRefused,
    claim_nights,
    night_problems,
    refuse_rules,
)

__all__ = [
    "OVERLAP_KINDS",
    "REASON_FIELDS",
    "PlacementView",
    "PurchaseRefused",
    "as_date",
    "as_pence",
    "as_text",
    "as_uuid",
    "claim_nights",
    "end_placement",
    "end_placement_in",
    "end_problems",
    "get_placement",
    "is_blank",
    "night_problems",
    "placement_ended",
    "placement_view",
    "refuse_rules",
    "unknown_keys",
]
