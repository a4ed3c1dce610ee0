"""``ticketsla.contract``: the contract side of a policy, kept as one public path.

The terms (SLO goals, credit tiers, clawback, escalation levels) are part of the pure core in
:mod:`ticketsla.contract_terms`; fee tables are in :mod:`ticketsla.reporting.fees`; verdicts and
credits in :mod:`ticketsla.reporting.statements` (docs/contracts.md).
"""

from .contract_terms import (
    OUTCOME_GOALS,
    Clawback,
    Contract,
    CreditTier,
    EscalationLevel,
    SLOGoal,
    SLOPeriod,
    VerdictStatus,
    format_share,
    parse_share,
    ticket_order,
)
from .reporting.fees import (
    Fee,
    FeeTable,
)
from .reporting.statements import (
    ClawbackLine,
    CreditLine,
    GoalOutcomes,
    GoalVerdict,
    PeriodStatement,
    assess,
    statements,
)

__all__ = [
    "Clawback",
    "ClawbackLine",
    "Contract",
    "CreditLine",
    "CreditTier",
    "EscalationLevel",
    "Fee",
    "FeeTable",
    "GoalOutcomes",
    "GoalVerdict",
    "OUTCOME_GOALS",
    "PeriodStatement",
    "SLOGoal",
    "SLOPeriod",
    "VerdictStatus",
    "assess",
    "format_share",
    "parse_share",
    "statements",
    "ticket_order",
]
