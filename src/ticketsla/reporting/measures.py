"""What a report is computed from: tickets folded as of an instant, and their measurements.

A ``Measurement`` is one clock's cycle, one FCR verdict or one rating, placed in time at the
instant that decides which period it counts in (``ticketsla.report`` tells the rule).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..clock import ClockState, ClockStatus, TicketSLA, fold
from ..contract_terms import ticket_order
from ..errors import ConfigurationError
from ..events import TicketEvent, order_events
from ..outcomes import CSAT_MEASURE, FCR_MEASURE, Sentiment, first_solve_us
from ..policy import PolicySet, SLAPolicy

__all__ = [
    "Dimension",
    "Measurement",
    "NONE",
    "TicketRecord",
    "measurements_of",
    "records_from_events",
]

NONE = "(none)"  # the group value of a ticket without the field
US_PER_SECOND = 1_000_000
_HOUR_US = 3600 * US_PER_SECOND


class Dimension(StrEnum):
    """What a report can be grouped by."""

    CUSTOMER = "customer"  # the ticket's organization
    POLICY = "policy"
    PRIORITY = "priority"
    CHANNEL = "channel"
    SOURCE = "source"
    METRIC = "metric"

    @classmethod
    def parse(cls, text: str) -> Dimension:
        name = text.strip().lower()
        if name in ("organization", "organisation", "org"):
            return cls.CUSTOMER
        try:
            return cls(name)
        except ValueError:
            allowed = ", ".join(d.value for d in cls)
            raise ConfigurationError(
                f"--by: cannot group by {text!r} (choose from {allowed})", subject=text
            ) from None


# ---- what a report is computed from --------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketRecord:
    """One ticket as a report sees it: its SLA state, the source it came from, its first solve."""

    sla: TicketSLA
    source: str = NONE
    solved_us: int | None = None

    @classmethod
    def from_events(
        cls, events: Iterable[TicketEvent], policies: SLAPolicy | PolicySet, at_us: int
    ) -> TicketRecord:
        """Fold one ticket's events as of ``at_us`` and note its source and first solve."""
        ordered = [e for e in order_events(events) if e.at_us <= at_us]
        sla = fold(ordered, policies, at_us)
        solved = first_solve_us(ordered)
        return cls(sla=sla, source=ordered[0].source if ordered else NONE, solved_us=solved)


def records_from_events(
    events: Iterable[TicketEvent], policies: SLAPolicy | PolicySet, at_us: int
) -> list[TicketRecord]:
    """Group events by ticket and fold each ticket as of ``at_us`` (tickets created later are
    left out)."""
    by_ticket: dict[str, list[TicketEvent]] = defaultdict(list)
    for event in events:
        by_ticket[event.ticket_id].append(event)
    out = []
    for ticket_id in sorted(by_ticket, key=ticket_order):
        ticket_events = by_ticket[ticket_id]
        if min(e.at_us for e in ticket_events) > at_us:
            continue
        out.append(TicketRecord.from_events(ticket_events, policies, at_us))
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Measurement:
    """One thing a report counts: a clock cycle, a ticket's FCR, or a ticket's rating.

    ``at_us`` places it in a period (a clock's breach or fulfilment, the first solve, the rating)
    and is None for a clock still open; ``ok`` is met / achieved / positive, None while undecided.
    """

    ticket_id: str
    metric: str  # a clock metric, "fcr" or "csat"
    cycle: int
    customer: str
    policy: str
    priority: str
    channel: str
    source: str
    at_us: int | None
    ok: bool | None
    started_us: int | None = None
    fulfilled_us: int | None = None
    elapsed_us: int | None = None
    target_us: int | None = None
    sentiment: Sentiment | None = None
    scale: str = ""
    definition: str = ""

    def value(self, dimension: Dimension) -> str:
        if dimension is Dimension.METRIC:
            return self.metric
        return str(getattr(self, dimension.value))


def measurements_of(record: TicketRecord) -> list[Measurement]:
    """Every measurement of one ticket."""
    sla = record.sla
    common: dict[str, Any] = {
        "ticket_id": sla.ticket_id,
        "customer": _text(sla.field("organization")),
        "channel": _text(sla.field("channel")),
        "source": record.source or NONE,
    }
    ticket_priority = _text(sla.priority)
    out: list[Measurement] = []
    for clock in sla.clocks:
        measurement = _clock_measurement(clock, record, common, ticket_priority)
        if measurement is not None:
            out.append(measurement)
    policy = _text(sla.policy)
    if sla.fcr is not None and record.solved_us is not None:
        out.append(
            Measurement(
                **common,
                metric=FCR_MEASURE,
                cycle=1,
                policy=policy,
                priority=ticket_priority,
                at_us=record.solved_us,
                ok=sla.fcr.achieved,
                definition=sla.fcr.definition.describe(),
            )
        )
    if sla.csat is not None:
        scale = sla.csat.scale
        out.append(
            Measurement(
                **common,
                metric=CSAT_MEASURE,
                cycle=1,
                policy=policy,
                priority=ticket_priority,
                at_us=sla.csat.rated_at_us,
                ok=sla.csat.sentiment is Sentiment.POSITIVE,
                sentiment=sla.csat.sentiment,
                scale="good/bad" if isinstance(sla.csat.rating, str) else _scale(scale),
            )
        )
    return out


def _clock_measurement(
    clock: ClockState, record: TicketRecord, common: dict[str, Any], ticket_priority: str
) -> Measurement | None:
    """One clock's cycle, placed at its decision (breach, or fulfilment within target); None
    for a clock cancelled before its target passed, which is never measured."""
    fulfilled = clock.status is ClockStatus.FULFILLED
    decided: int | None = None
    if clock.breached_us is not None:
        decided = clock.breached_us
    elif fulfilled:
        decided = clock.stopped_us
    if decided is None and clock.status is ClockStatus.CANCELLED:
        return None
    return Measurement(
        **common,
        metric=clock.metric,
        cycle=clock.cycle,
        policy=clock.policy or _text(record.sla.policy),
        priority=_text(clock.priority) if clock.priority else ticket_priority,
        at_us=decided,
        ok=clock.met,
        started_us=clock.started_us,
        fulfilled_us=clock.stopped_us if fulfilled else None,
        elapsed_us=clock.elapsed_us if fulfilled else None,
        target_us=clock.target_us,
    )


def _text(value: Any) -> str:
    return NONE if value is None or value == "" else str(value)


def _scale(scale: tuple[int, int] | None) -> str:
    low, high = scale or (1, 5)
    return f"{low}-{high}"
