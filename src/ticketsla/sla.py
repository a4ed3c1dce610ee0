"""The calls users make about one ticket's events: ``due_at``, ``is_breached`` and friends.

These are thin, stateless wrappers over the pure fold in ``ticketsla.clock``. Where ``at`` is
optional, ``None`` means "now" and the system clock is read here, at the edge, once per call.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from ._instants import from_us, to_us
from .clock import Chooser, ClockStatus, ResponseRule, TicketSLA, fold
from .events import TicketEvent, order_events
from .policy import PolicySet, SLAPolicy, require_metric

__all__ = ["due_at", "evaluate", "ever_breached", "is_breached", "next_change_at", "remaining"]

Policies = SLAPolicy | PolicySet


def evaluate(
    events: Iterable[TicketEvent],
    policies: Policies,
    at: datetime,
    *,
    chooser: Chooser | None = None,
    response_rule: ResponseRule | None = None,
) -> TicketSLA:
    """The SLA state of one ticket at ``at``: every clock cycle, FCR, CSAT, and the policy chosen.

    Events may come in any order and may repeat; events after ``at`` are not yet known.
    """
    return fold(events, policies, to_us(at, "at"), chooser=chooser, response_rule=response_rule)


def due_at(
    events: Iterable[TicketEvent], policy: Policies, metric: str = "first_response"
) -> datetime | None:
    """When the latest cycle of ``metric`` falls due, or None when no cycle of it is running.

    The due instant depends only on the events, not on the time of asking.
    """
    require_metric(policy, metric)
    ordered = order_events(events)
    if not ordered:
        return None
    state = fold(ordered, policy, ordered[-1].at_us).clock(metric)
    if state is None or state.status is not ClockStatus.RUNNING or state.deadline_us is None:
        return None
    return from_us(state.deadline_us, UTC)


def is_breached(
    events: Iterable[TicketEvent], policy: Policies, metric: str, at: datetime | None = None
) -> bool:
    """Whether the latest cycle of ``metric`` is breached at ``at`` (None: now).

    Reaching the target exactly is not a breach; passing the due instant while running is.
    """
    require_metric(policy, metric)
    state = _state(events, policy, at).clock(metric)
    return state is not None and state.is_breached


def ever_breached(
    events: Iterable[TicketEvent], policy: Policies, metric: str, at: datetime | None = None
) -> bool:
    """Whether any cycle of ``metric`` breached by ``at``, under any target that applied."""
    require_metric(policy, metric)
    return any(c.ever_breached for c in _state(events, policy, at).cycles(metric))


def remaining(
    events: Iterable[TicketEvent], policy: Policies, metric: str, at: datetime | None = None
) -> timedelta | None:
    """Business time left on the latest cycle of ``metric`` at ``at`` (negative once over)."""
    require_metric(policy, metric)
    state = _state(events, policy, at).clock(metric)
    return None if state is None else state.remaining


def next_change_at(
    events: Iterable[TicketEvent], policies: Policies, at: datetime
) -> datetime | None:
    """The first instant after ``at`` at which a warning or escalation level fires or a clock
    becomes breached, if no other event arrives: schedule a timer for it instead of polling. A
    breach begins one microsecond after the due instant, since reaching the target exactly is no
    breach."""
    state = fold(events, policies, to_us(at, "at"))
    upcoming: list[int] = []
    for clock in state.clocks:  # a paused clock can still breach: a stricter target applied
        upcoming.extend(us for _, us in clock.warnings_us if us > state.at_us)
        upcoming.extend(us for _, us in clock.escalations_us if us > state.at_us)
        # Breached means "past the breach point", so the answer changes one microsecond after it.
        if clock.breach_point_us is not None and not clock.is_breached:
            upcoming.append(clock.breach_point_us + 1)
    if not upcoming:
        return None
    return from_us(min(upcoming), UTC)


def _state(events: Iterable[TicketEvent], policy: Policies, at: datetime | None) -> TicketSLA:
    when = datetime.now(UTC) if at is None else at
    return fold(events, policy, to_us(when, "at"))
