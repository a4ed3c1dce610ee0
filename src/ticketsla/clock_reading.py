"""What one cycle shows at the instant a fold was asked about: its elapsed time, due instant,
breach, warnings and escalation levels, worked out from its segments against the target in force
last (which is how a re-targeted clock keeps its original start and its elapsed time).

A breach is real time passing the due instant while the clock runs: a reply exactly at the due
instant meets the target, a reply at 20:00 after a 17:00 deadline does not, even though no
business time passed in between.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from . import escalation
from ._instants import from_us, to_us
from .clock_cycle import Segment, _breach_instants, _Cycle
from .clock_state import _RUNNING, ClockState, _ClockStateDraft
from .policy import SLAPolicy

if TYPE_CHECKING:
    from .clock_fold import _Fold

__all__: list[str] = []


def clock_of(
    fold: _Fold,
    ticket_id: str,
    metric: str,
    cycle: _Cycle,
    pin: int | None,
    policy_name: str | None,
    priority: Any,
) -> ClockState | None:
    """What one cycle shows at ``at`` (None: a cycle without a target shows nothing)."""
    if pin is not None:
        return pinned_state(fold, ticket_id, metric, cycle, pin, policy_name)
    if cycle.target is None:
        if cycle.suspended is None:
            return None
        cycle = cycle.suspended
    state = cycle_state(fold, ticket_id, metric, cycle, policy_name, priority)
    policy = fold.policy
    if policy is not None and policy.contract.escalation:
        state = with_escalations(fold, state, cycle, policy, priority)
    return state


def cycle_state(
    fold: _Fold,
    ticket_id: str,
    metric: str,
    cycle: _Cycle,
    policy_name: str | None,
    priority: Any,
) -> ClockState:
    """A cycle with a target: its running time, due instant, breach and warnings at ``at``."""
    at = fold.at
    target = cycle.target
    assert target is not None
    calendar = cycle.calendar
    plan = fold.plan
    known = plan.levels[metric].get(target)
    quiet, levels = plan.levels_of(metric, target) if known is None else known
    # the running time up to ``at``: the closed segments, and the open one while it runs
    open_since = cycle.open_since
    elapsed = cycle.closed_elapsed
    status = cycle.status
    stopped = cycle.stopped
    deadline = breached = breach_point = None
    warnings: tuple[tuple[str, int], ...] = ()
    counting = False
    if open_since is not None or elapsed >= quiet or status is _RUNNING:
        # else a stopped or paused cycle short of its target and of every warning level (the
        # common case of a settled cycle) shows its running time alone: no calendar call
        if open_since is not None:
            elapsed += calendar.elapsed_us(open_since, at)
        running = status is _RUNNING
        reached, crossing = cycle.reach(target)
        # A running clock that stopped exactly on its target and resumed is due at the resume.
        deadline = crossing if running else reached
        breach_point, breached = _breach(crossing, cycle.target_since, stopped, at)
        if levels:
            warnings = _fired_warnings(levels, cycle, elapsed, at)
        counting = running and calendar.is_open_us(at)
    if fold.trace is not None:
        note_holidays(fold, metric, cycle, cycle.segments(), deadline)
    # ``ClockState(...)`` without parsing keywords or a call per field: an unfrozen draft
    # filled by plain stores, then given its class (``_ClockStateDraft``)
    state: _ClockStateDraft = _ClockStateDraft()
    state.ticket_id = ticket_id
    state.metric = metric
    state.cycle = cycle.number
    state.status = status
    state.policy = policy_name or ""
    state.calendar = calendar.name
    state.priority = priority
    state.target_us = target
    state.elapsed_us = elapsed
    state.started_us = cycle.started
    state.stopped_us = stopped
    state.deadline_us = deadline
    state.breached_us = breached
    state.breach_point_us = breach_point
    state.warnings_us = warnings
    state.at_us = at
    state.ever_breached = cycle.history_breached or breached is not None
    state.counting = counting
    state.escalations_us = ()
    state.__class__ = ClockState  # type: ignore[assignment]  # a plain store: no setattr call
    return state


def _breach(
    crossing: int | None, target_since: int, stopped: int | None, at: int
) -> tuple[int | None, int | None]:
    """The breach point (the last instant not breached) and the breach instant shown by ``at``."""
    if crossing is None:
        return None, None
    point, shown = _breach_instants(crossing, target_since)
    # A stopped clock breached only if it passed the point before it stopped; a running or paused
    # one is breached once real time passes the point (a stricter target applied while paused
    # breaches at once).
    if stopped is not None and point >= stopped:
        return None, None
    return point, (shown if point < at else None)


def _fired_warnings(
    levels: tuple[tuple[str, int], ...], cycle: _Cycle, elapsed: int, at: int
) -> tuple[tuple[str, int], ...]:
    """The warning ``levels`` of the cycle fired by ``at`` or, while it runs, scheduled."""
    running = cycle.status is _RUNNING
    stopped = cycle.stopped
    target_since = cycle.target_since
    still = cycle.open_since is None
    fired: list[tuple[str, int]] = []
    for label, amount in levels:
        if still and elapsed < amount:  # a stopped or paused clock short of the level
            continue
        when, _ = cycle.reach(amount)
        if when is None:
            continue
        if when < target_since:  # a level a re-target found passed fires at the re-target
            when = target_since
        if stopped is not None and when >= stopped:
            continue
        if when <= at or running:
            fired.append((label, when))
    if len(fired) > 1:
        fired.sort(key=_SECOND)
    return tuple(fired)


_SECOND = itemgetter(1)  # a warning's instant


def pinned_state(
    fold: _Fold, ticket_id: str, metric: str, cycle: _Cycle, pin: int, policy_name: str | None
) -> ClockState:
    """A cycle whose due instant an agent pinned: due then whatever the pauses (as a Jira
    due date or a Freshdesk due-by), its target the business time from start to the pin."""
    at = fold.at
    elapsed = cycle.closed_elapsed
    if cycle.open_since is not None:
        elapsed += cycle.calendar.elapsed_us(cycle.open_since, at)
    end = cycle.stopped if cycle.stopped is not None else at
    left = (
        cycle.calendar.elapsed_us(end, pin) if end <= pin else -cycle.calendar.elapsed_us(pin, end)
    )
    running = cycle.status is _RUNNING
    point = pin if cycle.stopped is None or pin < cycle.stopped else None
    breached = point if point is not None and point < at else None
    return ClockState(
        ticket_id=ticket_id,
        metric=metric,
        cycle=cycle.number,
        status=cycle.status,
        policy=policy_name or "",
        calendar=cycle.calendar.name,
        priority=fold.fields.get("priority"),
        target_us=elapsed + left,
        elapsed_us=elapsed,
        started_us=cycle.started,
        stopped_us=cycle.stopped,
        deadline_us=pin,
        breached_us=breached,
        breach_point_us=point,
        warnings_us=(),
        at_us=at,
        ever_breached=cycle.history_breached or breached is not None,
        counting=running and cycle.calendar.is_open_us(at),
    )


def with_escalations(
    fold: _Fold, state: ClockState, cycle: _Cycle, policy: SLAPolicy, priority: Any
) -> ClockState:
    """``state`` with the instants of its policy's escalation levels, kept as warnings are:
    fired by now, or scheduled while the clock runs; none at or after the clock stopped."""
    planned = escalation.schedule(
        policy.contract.escalation,
        metric=state.metric,
        priority=priority,
        target_us=state.target_us,
        breach_point_us=state.breach_point_us,
        reached_at=lambda amount: cycle.reach(amount)[0],
        calendar=cycle.calendar,
    )
    running = cycle.status is _RUNNING
    kept: list[tuple[str, int]] = []
    for name, when in planned:
        when = max(when, cycle.target_since)
        if cycle.stopped is not None and when >= cycle.stopped:
            continue
        if when <= fold.at or running:
            kept.append((name, when))
    if not kept:
        return state
    kept.sort(key=lambda item: item[1])
    if fold.trace is not None:
        for name, when in kept:
            verb = "fires" if when > fold.at else "fired"
            line = f"escalation {name} {verb} for {state.metric} cycle {state.cycle}"
            fold.note(when, line)
    return dataclasses.replace(state, escalations_us=tuple(kept))


def note_holidays(
    fold: _Fold, metric: str, cycle: _Cycle, segments: Sequence[Segment], deadline: int | None
) -> None:
    """Trace the holidays a cycle's running time stepped over (up to now or its due time)."""
    for start, end, cal, _, _ in segments:
        until = end if end is not None else max(fold.at, deadline or fold.at)
        first = from_us(start, cal.zone).date()
        last = from_us(until, cal.zone).date()
        for day, name in cal.closed_days(first, last):
            midnight = datetime(day.year, day.month, day.day, tzinfo=cal.zone)
            fold.note(
                max(start, to_us(midnight)),
                f"{metric} #{cycle.number}: crosses {name} ({day.isoformat()}), "
                f"closed on {cal.name}",
            )
