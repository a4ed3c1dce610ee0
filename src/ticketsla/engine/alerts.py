"""Warnings, breaches and fulfilments: what a clock announces, and what the outbox must add.

A clock is seen as a ``ClockView`` (from a fold or from a stored row), the outbox history of a
ticket as ``Announced`` entries; ``reconcile`` compares the two at an instant and gives the outbox
rows to add (announcements, and after a refold the retractions of what no longer holds).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa

from .._instants import from_us, to_us
from ..clock import ClockState, ClockStatus
from ..escalation_notice import EscalationNotice
from ..notifications import Notification, NotificationKind
from .policybook import PolicyBook
from .schema import outbox_values

__all__ = [
    "Alert",
    "Announced",
    "ClockView",
    "Key",
    "Reconciled",
    "announced_of",
    "notification_of",
    "reconcile",
    "view_of",
    "view_of_row",
    "warning_details",
]

_RETRACTABLE = (NotificationKind.WARNING, NotificationKind.BREACH)


@dataclass(frozen=True, slots=True)
class Alert:
    """A warning or breach a clock has (or will have if nothing changes), or its fulfilment."""

    kind: NotificationKind
    level: str
    at_us: int  # the warning instant, the breach instant (breached just after), the stop
    due_us: int | None
    elapsed_us: int | None

    def is_due(self, t_us: int) -> bool:
        if self.kind is NotificationKind.BREACH:
            return self.at_us < t_us
        return self.at_us <= t_us

    @property
    def alert_us(self) -> int:
        """The first instant at which ``is_due`` holds."""
        return self.at_us + 1 if self.kind is NotificationKind.BREACH else self.at_us


@dataclass(frozen=True, slots=True)
class ClockView:
    """What the notification logic needs of one clock, from a fold or from a stored row."""

    ticket_id: str
    metric: str
    cycle: int
    target_us: int
    policy: str
    calendar: str
    deadline_us: int | None
    alerts: tuple[Alert, ...]

    def alert(self, kind: NotificationKind, level: str) -> Alert | None:
        for alert in self.alerts:
            if alert.kind is kind and alert.level == level:
                return alert
        return None


@dataclass(slots=True)
class Announced:
    """The outbox history of one (metric, cycle, kind, level): latest round, its instant, live."""

    round: int
    at: datetime | int  # as read from the outbox, or the instant in microseconds
    live: bool

    @property
    def at_us(self) -> int:
        return self.at if isinstance(self.at, int) else to_us(self.at)


Key = tuple[str, int, str, str]  # metric, cycle, kind, level


def announced_of(rows: Iterable[sa.Row[Any]]) -> dict[Key, Announced]:
    """Live announcements of one ticket from its outbox rows (any order)."""
    latest: dict[Key, Announced] = {}
    retracted: set[tuple[str, int, str, int]] = set()
    for row in rows:
        if row.kind == NotificationKind.RETRACTION.value:
            retracted.add((row.metric, row.cycle, row.level, row.round))
            continue
        key = (row.metric, row.cycle, row.kind, row.level)
        seen = latest.get(key)
        if seen is None or row.round > seen.round:
            latest[key] = Announced(row.round, row.at, True)
    for (metric, cycle, _kind, level), item in latest.items():
        # a retraction names the level it takes back; fulfilment levels (met, missed) are
        # never warning levels, so one retraction row speaks for one announcement
        if (metric, cycle, level, item.round) in retracted:
            item.live = False
    return latest


def view_of(state: ClockState, details: Sequence[tuple[int, int]]) -> ClockView:
    alerts: list[Alert] = []
    for (level, when), (due, elapsed) in zip(state.warnings_us, details, strict=True):
        alerts.append(Alert(NotificationKind.WARNING, level, when, due, elapsed))
    breach = state.breach_point_us
    if breach is not None:
        alerts.append(
            Alert(
                NotificationKind.BREACH,
                "breach",
                breach,
                state.deadline_us if state.deadline_us is not None else breach,
                state.target_us,
            )
        )
    if state.status is ClockStatus.FULFILLED and state.stopped_us is not None:
        level = "missed" if state.breached_us is not None else "met"
        alerts.append(
            Alert(
                NotificationKind.FULFILLED,
                level,
                state.stopped_us,
                state.deadline_us,
                state.elapsed_us,
            )
        )
    return ClockView(
        ticket_id=state.ticket_id,
        metric=state.metric,
        cycle=state.cycle,
        target_us=state.target_us,
        policy=state.policy,
        calendar=state.calendar,
        deadline_us=state.deadline_us,
        alerts=tuple(alerts),
    )


def view_of_row(row: sa.Row[Any]) -> ClockView:
    alerts: list[Alert] = []
    deadline = None if row.deadline_at is None else to_us(row.deadline_at)
    for item in json.loads(row.warnings):
        level, when = str(item[0]), int(item[1])
        due = int(item[2]) if len(item) > 2 else (deadline if deadline is not None else when)
        elapsed = int(item[3]) if len(item) > 3 else None
        alerts.append(Alert(NotificationKind.WARNING, level, when, due, elapsed))
    if row.breach_at is not None:
        breach = to_us(row.breach_at)
        alerts.append(
            Alert(
                NotificationKind.BREACH,
                "breach",
                breach,
                deadline if deadline is not None else breach,
                row.target_us,
            )
        )
    if row.status == ClockStatus.FULFILLED.value and row.stopped_at is not None:
        level = "missed" if row.breached_at is not None else "met"
        alerts.append(
            Alert(
                NotificationKind.FULFILLED, level, to_us(row.stopped_at), deadline, row.elapsed_us
            )
        )
    return ClockView(
        ticket_id=row.ticket_id,
        metric=row.metric,
        cycle=row.cycle,
        target_us=row.target_us,
        policy=row.policy,
        calendar=row.calendar,
        deadline_us=deadline,
        alerts=tuple(alerts),
    )


def notification_of(view: ClockView, alert: Alert) -> Notification:
    return Notification(
        ticket_id=view.ticket_id,
        metric=view.metric,
        cycle=view.cycle,
        kind=alert.kind,
        level=alert.level,
        at=from_us(alert.at_us, UTC),
        due_at=None if alert.due_us is None else from_us(alert.due_us, UTC),
        target=timedelta(microseconds=view.target_us),
        elapsed=None if alert.elapsed_us is None else timedelta(microseconds=alert.elapsed_us),
        policy=view.policy or None,
        calendar=view.calendar or None,
    )


@dataclass(slots=True)
class Reconciled:
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_alert: dict[tuple[str, int], int | None] = field(default_factory=dict)
    warnings: int = 0
    breaches: int = 0


def reconcile(
    ticket_id: str,
    views: Sequence[ClockView],
    announced: dict[Key, Announced],
    t_us: int,
    created_at: datetime,
    *,
    full: bool,
) -> Reconciled:
    """The outbox rows to add for one ticket at ``t_us``, and each clock's next alert instant.

    Every warning or breach that is due and not live is announced (a new round when an earlier
    one was retracted); a fulfilment once per verdict. With ``full`` (after a refold) a live
    warning or breach that no longer holds is retracted: its clock or level is gone, or its
    instant moved and is not due any more. An unchanged instant is never retracted, so scanners
    and writers whose clocks differ slightly do not retract each other's notifications. A live
    fulfilment is retracted when its clock is gone or the fold now gives the other verdict
    (met instead of missed, or back); the retraction is recorded before the new verdict.
    """
    out = Reconciled()
    if full:
        _retract_stale(ticket_id, views, announced, t_us, created_at, out)
    for view in views:
        pending: list[int] = []
        for alert in view.alerts:
            key = (view.metric, view.cycle, str(alert.kind), alert.level)
            seen = announced.get(key)
            if seen is not None and seen.live:
                continue  # a verdict stays announced once per cycle, even if the clock reopened
            if not alert.is_due(t_us):
                pending.append(alert.alert_us)
                continue
            round_ = 1 if seen is None else seen.round + 1
            out.rows.append(
                outbox_values(notification_of(view, alert), round=round_, created_at=created_at)
            )
            announced[key] = Announced(round_, alert.at_us, True)
            if alert.kind is NotificationKind.WARNING:
                out.warnings += 1
            elif alert.kind is NotificationKind.BREACH:
                out.breaches += 1
        out.next_alert[(view.metric, view.cycle)] = min(pending) if pending else None
    return out


def _retract_stale(
    ticket_id: str,
    views: Sequence[ClockView],
    announced: dict[Key, Announced],
    t_us: int,
    created_at: datetime,
    out: Reconciled,
) -> None:
    """Retract every live announcement that no longer holds (see ``reconcile``)."""
    by_clock = {(v.metric, v.cycle): v for v in views}
    for (metric, cycle, kind, level), item in sorted(announced.items()):
        if not item.live:
            continue
        view = by_clock.get((metric, cycle))
        if NotificationKind(kind) is NotificationKind.FULFILLED:
            if view is not None and not _verdict_changed(view, level):
                continue
        elif NotificationKind(kind) not in _RETRACTABLE:
            continue
        else:
            alert = None if view is None else view.alert(NotificationKind(kind), level)
            if alert is not None and (alert.at_us == item.at_us or alert.is_due(t_us)):
                continue
        retraction = retraction_of(
            ticket_id,
            (metric, cycle, level),
            t_us,
            clock=view,
            policy=None if view is None else view.policy or None,
            calendar=None if view is None else view.calendar or None,
        )
        out.rows.append(outbox_values(retraction, round=item.round, created_at=created_at))
        item.live = False


def _verdict_changed(view: ClockView, level: str) -> bool:
    """Whether the clock now has a fulfilment verdict other than ``level`` (a clock running
    again after its fulfilment keeps the verdict it had)."""
    return any(
        alert.kind is NotificationKind.FULFILLED and alert.level != level for alert in view.alerts
    )


def warning_details(state: ClockState, book: PolicyBook) -> list[tuple[int, int]]:
    """For each warning of ``state``: the due instant when it fired, and the elapsed time then."""
    if not state.warnings_us:
        return []
    policy = book.policy(state.policy)
    levels = {} if policy is None else {w.label: w for w in policy.warnings_for(state.metric)}
    calendar = book.calendars.get(state.calendar)
    out: list[tuple[int, int]] = []
    for label, when in state.warnings_us:
        level = levels.get(label)
        amount = None if level is None else level.elapsed_at(state.target_us)
        if amount is None:
            amount = state.target_us
        if state.deadline_us is not None:
            due = state.deadline_us
        elif calendar is not None:
            due = calendar.add_us(when, state.target_us - amount)
        else:
            due = when
        out.append((due, amount))
    return out


class _Measured(Protocol):
    """A clock as a retraction tells it: its target and due instant."""

    @property
    def target_us(self) -> int: ...
    @property
    def deadline_us(self) -> int | None: ...


def retraction_of(
    ticket_id: str,
    retracted: tuple[str, int, str],
    t_us: int,
    *,
    clock: _Measured | None,
    policy: str | None,
    calendar: str | None = None,
    escalation: EscalationNotice | None = None,
) -> Notification:
    """The notice, at ``t_us``, that an announcement (``retracted``: metric, cycle, level) no
    longer holds, with the clock's target and due instant as they stand now (none when the
    clock is gone). Warnings, breaches, verdicts, outcomes and escalation levels are all
    retracted so."""
    metric, cycle, level = retracted
    return Notification(
        ticket_id=ticket_id,
        metric=metric,
        cycle=cycle,
        kind=NotificationKind.RETRACTION,
        level=level,
        at=from_us(t_us, UTC),
        due_at=None
        if clock is None or clock.deadline_us is None
        else from_us(clock.deadline_us, UTC),
        target=None if clock is None else timedelta(microseconds=clock.target_us),
        policy=policy,
        calendar=calendar,
        escalation=escalation,
    )
