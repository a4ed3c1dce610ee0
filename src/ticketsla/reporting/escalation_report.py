"""Escalations counted for a report period: per customer and level, and the tickets that reached
their policy's top level (docs/escalation.md, "Counting escalations").

Pure: every ticket is folded as of the end of the period (or ``now`` if earlier), exactly as
``report_from_events`` folds it, and a level counts in the period its instant falls in. A level
counts once per clock cycle, whoever it notified and whether it waited for working hours.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .._instants import to_us
from ..clock import TicketSLA, fold
from ..contract_terms import ticket_order
from ..events import TicketEvent
from ..policy import PolicySet, SLAPolicy
from .periods import ReportPeriod

__all__ = ["EscalationCounts", "count_escalations", "escalations_of"]

_NO_CUSTOMER = "-"


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationCounts:
    """``by_customer_level``: ``(customer, level name, count)`` sorted by customer then level
    number; ``top_level_tickets``: tickets a level fired for that is the last of its policy's
    ``[[escalation]]`` rows, in ticket order."""

    period: str
    by_customer_level: tuple[tuple[str, str, int], ...]
    top_level_tickets: tuple[str, ...]

    @property
    def total(self) -> int:
        return sum(count for _, _, count in self.by_customer_level)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "total": self.total,
            "by_customer_level": [
                {"customer": customer, "level": level, "count": count}
                for customer, level, count in self.by_customer_level
            ],
            "top_level_tickets": list(self.top_level_tickets),
        }


def count_escalations(
    events: Iterable[TicketEvent],
    policies: SLAPolicy | PolicySet,
    period: ReportPeriod,
    *,
    now: datetime,
) -> EscalationCounts:
    """Count the escalation levels that fired in ``period`` over the tickets of ``events``."""
    chosen = PolicySet.of(policies)
    as_of = min(period.end_us, to_us(now, "now"))
    by_ticket: dict[str, list[TicketEvent]] = defaultdict(list)
    for event in events:
        by_ticket[event.ticket_id].append(event)
    folded = (
        fold(history, chosen, as_of)
        for history in by_ticket.values()
        if min(e.at_us for e in history) <= as_of
    )
    return escalations_of(folded, chosen.all(), period, as_of)


def escalations_of(
    slas: Iterable[TicketSLA],
    policies: Iterable[SLAPolicy],
    period: ReportPeriod,
    as_of_us: int,
) -> EscalationCounts:
    """Count the escalation levels that fired in ``period`` (before ``as_of_us``) over tickets
    already folded as of ``as_of_us``; ``policies`` give each ticket's levels by name."""
    by_name: dict[str, SLAPolicy] = {}
    for policy in policies:
        by_name.setdefault(policy.name, policy)  # the first of a name, as PolicySet.get
    counts: Counter[tuple[str, str]] = Counter()
    numbers: dict[str, int] = {}
    top: list[str] = []
    for sla in sorted(slas, key=lambda s: ticket_order(s.ticket_id)):
        chosen = None if sla.policy is None else by_name.get(sla.policy)
        if chosen is None or not chosen.contract.escalation:
            continue
        levels = chosen.contract.escalation
        for level in levels:
            numbers.setdefault(level.name, level.level)
        customer = sla.field("organization")
        customer = _NO_CUSTOMER if customer in (None, "") else str(customer)
        reached_top = False
        for clock in sla.clocks:
            for name, at in clock.escalations_us:
                if not period.start_us <= at < as_of_us:
                    continue
                counts[(customer, name)] += 1
                reached_top = reached_top or name == levels[-1].name
        if reached_top:
            top.append(sla.ticket_id)
    rows = sorted(
        ((customer, name, count) for (customer, name), count in counts.items()),
        key=lambda row: (row[0], numbers.get(row[1], 0), row[1]),
    )
    return EscalationCounts(
        period=period.label, by_customer_level=tuple(rows), top_level_tickets=tuple(top)
    )
