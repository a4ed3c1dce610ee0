"""``ticketsla.escalation_report``, kept as a public path: the code lives in :mod:`ticketsla.reporting.escalation_report`."""

from .reporting.escalation_report import EscalationCounts, count_escalations

__all__ = ["EscalationCounts", "count_escalations"]
