"""When an escalation level fires, and until when a notification waits for its recipient's hours.

Pure arithmetic on epoch-microsecond instants (docs/escalation.md). The fold asks
``fires_at`` for every level of a clock's policy; the engine asks ``hold_until`` when it records
a notification for a recipient with a calendar. Nothing here reads a clock.

The instants, for a target ``T`` whose due instant is ``D`` (breached just after ``D``):

- ``"75%"``: when the clock has run 75 % of ``T`` (business time, pauses excluded);
- ``"30m before breach"``: when 30 minutes of business time are left, i.e. it has run ``T - 30m``;
- ``"breach"``: one microsecond after ``D``, the first instant at which the clock is breached;
- ``"1h after breach"``: ``D`` plus one hour of wall-clock time;
- ``"1h business after breach"``: ``D`` plus one hour of business time on the clock's calendar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .calendar import Calendar
from .contract_terms import EscalationLevel, EscalationTrigger
from .events import Priority

__all__ = ["applies_to", "fires_at", "hold_until", "schedule"]


def applies_to(level: EscalationLevel, metric: str, priority: Priority | None) -> bool:
    """Whether ``level`` is about a clock of ``metric`` on a ticket of ``priority``."""
    if level.metrics and metric not in level.metrics:
        return False
    return not level.priorities or priority in level.priorities


def fires_at(
    level: EscalationLevel,
    *,
    target_us: int,
    breach_point_us: int | None,
    reached_at: Callable[[int], int | None],
    calendar: Calendar,
) -> int | None:
    """The instant ``level`` fires for one clock cycle, or None when it never does.

    ``reached_at(amount)`` is when the cycle's running time reaches ``amount`` microseconds of
    business time (None if it never does); ``breach_point_us`` is the due instant after which
    the cycle is breached (None if it never is); ``calendar`` measures business-time lags.
    """
    if level.trigger is EscalationTrigger.SHARE:
        assert level.share is not None
        return reached_at(target_us * level.share.numerator // level.share.denominator)
    if level.trigger is EscalationTrigger.BEFORE_BREACH:
        # A lead longer than the target fires as the clock starts, not never.
        return reached_at(max(target_us - level.offset_us, 0))
    if breach_point_us is None:
        return None
    if level.trigger is EscalationTrigger.BREACH:
        return breach_point_us + 1
    if level.business:
        return calendar.add_us(breach_point_us, level.offset_us)
    return breach_point_us + level.offset_us


def schedule(
    levels: Iterable[EscalationLevel],
    *,
    metric: str,
    priority: Priority | None,
    target_us: int,
    breach_point_us: int | None,
    reached_at: Callable[[int], int | None],
    calendar: Calendar,
) -> list[tuple[str, int]]:
    """``(level name, instant)`` for every level that applies to the clock and ever fires."""
    out: list[tuple[str, int]] = []
    for level in levels:
        if not applies_to(level, metric, priority):
            continue
        when = fires_at(
            level,
            target_us=target_us,
            breach_point_us=breach_point_us,
            reached_at=reached_at,
            calendar=calendar,
        )
        if when is not None:
            out.append((level.name, when))
    return out


def hold_until(calendar: Calendar | None, at_us: int, *, urgent: bool = False) -> int | None:
    """Until when a notification made at ``at_us`` for a recipient on ``calendar`` waits: the
    calendar's next opening when it is closed then, else None (it goes at once). An urgent
    level and a recipient without a calendar never wait."""
    if urgent or calendar is None or calendar.is_open_us(at_us):
        return None
    return calendar.next_open_us(at_us)
