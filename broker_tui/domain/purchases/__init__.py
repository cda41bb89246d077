"""Purchases: the pure maths of spending the council's money, to the penny.

- _period: half-open periods of nights [start, end), the financial year (1 April to 31 March), a year
  on, half-up rounding and largest-remainder apportioning in integers, and Cost (exact sevenths of a
  penny, rounded once per reported period);
- _parts: a weekly price and its parts (staffing as whole minutes a week x an hourly rate), the check
  that they add up exactly, and hours as people type them;
- _funding: the split between social care, education and health (whole percentages adding to 100;
  pence by largest remainder, ties: social care, education, health);
- _spot: spot agreements (IPAs) with amendments as dated versions, and their costs: any period, weekly
  now, this financial year, a full year, to the planned end or the 18th birthday;
- _placements: placements as half-open nights; one child a unit a night, one placement a child a night
  unless a retainer with a reason;
- _block: block contracts with dated terms: available, occupied and void unit-days, paid and void cost,
  utilisation, effective cost per occupied week, free units and whether a child may be placed;
- _approval: when a purchase or an amendment needs approval, and who may give it.

Money is integer pence, dates are datetime.date, and no float meets money: exact values are integers
over 7 (or Fractions), divided once. Nothing here raises on a check (``check_*`` return problems by
field); the figures assume checked input and say what is wrong when it is not.
"""

from broker_tui.domain.money import round_half_up
from broker_tui.domain.purchases._approval import (
    ApprovalRules,
    agreement_approval_reasons,
    amendment_approval_reasons,
    approver_problems,
    format_basis_points,
)
from broker_tui.domain.purchases._block import (
    BlockContract,
    BlockTerm,
    BlockUsage,
    NightOccupancy,
    OccupancyError,
    available_unit_days,
    block_usage,
    check_block_contract,
    check_block_placement,
    contract_cost,
    cost_per_occupied_week,
    free_units,
    occupancy_by_night,
    occupied_unit_days,
    utilisation,
    void_cost,
    void_unit_days,
)
from broker_tui.domain.purchases._funding import (
    FUNDER_LABELS,
    FUNDERS,
    SOCIAL_CARE_ONLY,
    FundedPence,
    FundingSplit,
    check_funding_split,
    split_pence,
)
from broker_tui.domain.purchases._parts import (
    MINUTES_IN_WEEK,
    HoursError,
    WeeklyPriceParts,
    check_price_parts,
    format_hours,
    parse_hours,
    staffing_pence,
)
from broker_tui.domain.purchases._period import (
    Cost,
    Period,
    anniversary,
    apportion,
    cost_from_sevenths,
    financial_year,
    year_from,
)
from broker_tui.domain.purchases._placements import (
    RETAINER_KINDS,
    Overlap,
    Placement,
    child_overlaps,
    unit_overlaps,
)
from broker_tui.domain.purchases._spot import (
    AgreementCost,
    Amendment,
    Projections,
    SpotAgreement,
    ToEndCost,
    amendment_in_force,
    check_agreement,
    cost_for_full_year_from,
    cost_in_financial_year,
    cost_over,
    cost_to_end,
    projections,
    weekly_cost_on,
)

BlockUnit = str  # a unit of a block contract is named by its identifier (the store's key or label)

__all__ = [
    "FUNDERS",
    "FUNDER_LABELS",
    "MINUTES_IN_WEEK",
    "RETAINER_KINDS",
    "SOCIAL_CARE_ONLY",
    "AgreementCost",
    "Amendment",
    "ApprovalRules",
    "BlockContract",
    "BlockTerm",
    "BlockUnit",
    "BlockUsage",
    "Cost",
    "FundedPence",
    "FundingSplit",
    "HoursError",
    "NightOccupancy",
    "OccupancyError",
    "Overlap",
    "Period",
    "Placement",
    "Projections",
    "SpotAgreement",
    "ToEndCost",
    "WeeklyPriceParts",
    "agreement_approval_reasons",
    "amendment_approval_reasons",
    "amendment_in_force",
    "anniversary",
    "apportion", "cost_from_sevenths",
    "approver_problems",
    "available_unit_days",
    "block_usage",
    "check_agreement",
    "check_block_contract",
    "check_block_placement",
    "check_funding_split",
    "check_price_parts",
    "child_overlaps",
    "contract_cost",
    "cost_for_full_year_from",
    "cost_in_financial_year",
    "cost_over",
    "cost_per_occupied_week",
    "cost_to_end",
    "financial_year",
    "format_basis_points",
    "format_hours",
    "free_units",
    "occupancy_by_night",
    "occupied_unit_days",
    "parse_hours",
    "projections",
    "round_half_up",
    "split_pence",
    "staffing_pence",
    "unit_overlaps",
    "utilisation",
    "void_cost",
    "void_unit_days",
    "weekly_cost_on",
    "year_from",
]
