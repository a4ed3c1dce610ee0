"""The engine's side of escalation: which levels to record in the outbox, for whom, held until
when, and which to retract (docs/escalation.md).

The engine (``refold`` and ``scanning``) hands each ticket's clocks (from a refold or from
stored rows), its live escalation rows and the instant, and gets outbox rows back. A level fires
once per clock cycle: one notification per resolved recipient, with ``level`` ``"NAME/RECIPIENT"``
(just ``"NAME"`` when the level names nobody). A level whose instant a late event moved into the
future, or removed, is retracted; one still waiting for its recipient's hours is cancelled with
its retraction, so the recipient hears neither.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from .._instants import from_us, to_us
from ..calendar import Calendar
from ..clock import ClockState
from ..contract import EscalationLevel
from ..errors import PolicyError
from ..escalation import hold_until
from ..escalation_notice import EscalationNotice, EscalationRecord
from ..notifications import Notification, NotificationKind
from ..policy import PolicySet, SLAPolicy
from ..recipients import Recipient
from .alerts import retraction_of
from .schema import DeliveryState, outbox_table, outbox_values
from .settled import Hidden, shown_rows

# Resolves one name of a level's ``notify`` (the ``ticketsla_route`` hook), None: not known.
Router = Callable[[str, Notification], Sequence[Recipient] | None]
CalendarFinder = Callable[[str], Calendar | None]


@dataclass(frozen=True, slots=True)
class EscalationClock:
    """What escalation needs of one clock cycle, from a fold or from a stored clock row."""

    ticket_id: str
    metric: str
    cycle: int
    policy: str
    calendar: str
    target_us: int
    elapsed_us: int
    deadline_us: int | None
    breach_point_us: int | None
    escalations: tuple[tuple[str, int], ...]


def clock_of_state(state: ClockState) -> EscalationClock:
    return EscalationClock(
        ticket_id=state.ticket_id,
        metric=state.metric,
        cycle=state.cycle,
        policy=state.policy,
        calendar=state.calendar,
        target_us=state.target_us,
        elapsed_us=state.elapsed_us,
        deadline_us=state.deadline_us,
        breach_point_us=state.breach_point_us,
        escalations=state.escalations_us,
    )


def clock_of_row(row: sa.Row[Any]) -> EscalationClock:
    return EscalationClock(
        ticket_id=row.ticket_id,
        metric=row.metric,
        cycle=row.cycle,
        policy=row.policy,
        calendar=row.calendar,
        target_us=row.target_us,
        elapsed_us=row.elapsed_us,
        deadline_us=None if row.deadline_at is None else to_us(row.deadline_at),
        breach_point_us=None if row.breach_at is None else to_us(row.breach_at),
        escalations=tuple((str(i[0]), int(i[1])) for i in json.loads(row.escalations or "[]")),
    )


@dataclass(slots=True)
class _Sent:
    """The latest round of one escalation row (one level, one recipient) of one clock cycle."""

    id: int
    level: str  # the outbox level: NAME or NAME/RECIPIENT
    round: int
    at_us: int
    state: str
    body: str
    live: bool = True


_LevelKey = tuple[str, int, str]  # metric, cycle, level name


@dataclass(slots=True)
class Announced:
    """A ticket's escalation rows: the latest round of each, and whether it still stands."""

    rows: dict[tuple[str, int, str], _Sent] = field(default_factory=dict)  # metric, cycle, level

    def live(self, key: _LevelKey) -> list[_Sent]:
        metric, cycle, name = key
        return [
            sent
            for (m, c, _), sent in self.rows.items()
            if m == metric and c == cycle and sent.live and _name_of(sent.level) == name
        ]

    def next_round(self, metric: str, cycle: int, level: str) -> int:
        sent = self.rows.get((metric, cycle, level))
        return 1 if sent is None else sent.round + 1


def _name_of(level: str) -> str:
    return level.split("/", 1)[0]


def load_announced(
    conn: sa.Connection,
    tickets: Sequence[str],
    hidden: Mapping[str, Hidden] | None = None,
) -> dict[str, Announced]:
    """The escalation rows (and their retractions) of ``tickets``, by ticket; for a ticket in
    ``hidden``, only those of the clocks not left alone (``ticketsla.engine.settled``)."""
    o = outbox_table.c
    out: dict[str, Announced] = defaultdict(Announced)
    kinds = (NotificationKind.ESCALATION.value, NotificationKind.RETRACTION.value)
    columns = (
        o.id,
        o.ticket_id,
        o.metric,
        o.cycle,
        o.kind,
        o.level,
        o.round,
        o.at,
        o.state,
        o.body,
    )
    hidden = hidden or {}
    queries = []
    whole = [t for t in tickets if t not in hidden]
    for start in range(0, len(whole), 500):
        part = list(whole[start : start + 500])
        queries.append(sa.select(*columns).where(o.ticket_id.in_(part), o.kind.in_(kinds)))
    for shown in shown_rows(outbox_table, {t: hidden[t] for t in tickets if t in hidden}):
        queries.append(sa.select(*columns).where(shown, o.kind.in_(kinds)))
    retracted: set[tuple[str, str, int, str, int]] = set()
    for query in queries:
        for row in conn.execute(query):
            if row.kind == NotificationKind.RETRACTION.value:
                retracted.add((row.ticket_id, row.metric, row.cycle, row.level, row.round))
                continue
            book = out[row.ticket_id]
            key = (row.metric, row.cycle, row.level)
            seen = book.rows.get(key)
            if seen is None or row.round > seen.round:
                book.rows[key] = _Sent(
                    row.id, row.level, row.round, to_us(row.at), row.state, row.body
                )
    for ticket_id, book in out.items():
        for (metric, cycle, level), sent in book.rows.items():
            if (ticket_id, metric, cycle, level, sent.round) in retracted:
                sent.live = False
    return dict(out)


@dataclass(slots=True)
class Plan:
    """What ``reconcile`` decided for one ticket."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    cancel: list[int] = field(default_factory=list)  # ids of pending rows a retraction cancels
    next_alert: dict[tuple[str, int], int | None] = field(default_factory=dict)
    fired: int = 0
    held: int = 0


def reconcile(
    ticket_id: str,
    clocks: Sequence[EscalationClock],
    announced: Announced,
    t_us: int,
    created_at: datetime,
    policies: PolicySet,
    route: Router,
    find_calendar: CalendarFinder,
    *,
    full: bool,
) -> Plan:
    """The outbox rows that record every escalation level due by ``t_us`` and not yet recorded,
    and (with ``full``, after a refold) retract those that no longer hold."""
    plan = Plan()
    by_clock = {(c.metric, c.cycle): c for c in clocks}
    if full:
        _retract(ticket_id, by_clock, announced, t_us, created_at, policies, plan)
    for clock in clocks:
        if not clock.escalations:
            continue
        pending: list[int] = []
        for name, at_us in clock.escalations:
            if announced.live((clock.metric, clock.cycle, name)):
                continue
            if at_us > t_us:
                pending.append(at_us)
                continue
            level = _level(policies, clock.policy, name)
            if level is None:
                continue  # the policy changed since the clock was stored; a refold will tell
            _fire(
                clock,
                level,
                at_us,
                announced,
                t_us,
                created_at,
                policies,
                route,
                find_calendar,
                plan,
            )
        plan.next_alert[(clock.metric, clock.cycle)] = min(pending) if pending else None
    return plan


def _level(policies: PolicySet, policy: str, name: str) -> EscalationLevel | None:
    try:
        chosen = policies.get(policy)
    except PolicyError:
        return None
    for level in chosen.contract.escalation:
        if level.name == name:
            return level
    return None


def _fire(
    clock: EscalationClock,
    level: EscalationLevel,
    at_us: int,
    announced: Announced,
    t_us: int,
    created_at: datetime,
    policies: PolicySet,
    route: Router,
    find_calendar: CalendarFinder,
    plan: Plan,
) -> None:
    notice = _notice(level, clock)
    base = _notification(clock, level.name, at_us, notice)
    policy = policies.get(clock.policy)
    targets: list[tuple[Recipient | None, Calendar | None]] = []
    for name in level.notify:
        targets.extend(_resolve(name, base, policy, route, find_calendar))
    if not targets:
        targets.append((None, None))
    seen: set[str] = set()
    for recipient, calendar in targets:
        label = level.name if recipient is None else f"{level.name}/{recipient.name}"
        if label in seen:
            continue  # two names resolved to the same person: tell them once
        seen.add(label)
        held = hold_until(calendar, t_us, urgent=level.urgent)
        detail = dataclasses.replace(
            notice,
            recipients=() if recipient is None else (recipient,),
            held_until=None if held is None else from_us(held, UTC),
        )
        notification = _notification(clock, label, at_us, detail)
        round_ = announced.next_round(clock.metric, clock.cycle, label)
        row = outbox_values(notification, round=round_, created_at=created_at)
        if held is not None:
            row["available_at"] = row["held_until"] = from_us(held, UTC)
            plan.held += 1
        plan.rows.append(row)
        plan.fired += 1
        announced.rows[(clock.metric, clock.cycle, label)] = _Sent(
            0, label, round_, at_us, DeliveryState.PENDING.value, row["body"]
        )


def _resolve(
    name: str,
    base: Notification,
    policy: SLAPolicy,
    route: Router,
    find_calendar: CalendarFinder,
) -> list[tuple[Recipient, Calendar | None]]:
    """The recipients behind one name: a plugin's answer first, then ``[recipients]``."""
    routed = route(name, base)
    if routed is not None:
        return [
            (r, None if r.calendar is None else _calendar(r.calendar, policy, find_calendar))
            for r in routed
        ]
    entry = policy.recipient(name)
    if entry is not None:
        return [entry]
    return [(Recipient(name=name), None)]


def _calendar(name: str, policy: SLAPolicy, find_calendar: CalendarFinder) -> Calendar | None:
    for _recipient, calendar in policy.recipients:
        if calendar is not None and calendar.name == name:
            return calendar
    return find_calendar(name)


def _notice(level: EscalationLevel, clock: EscalationClock) -> EscalationNotice:
    return EscalationNotice(
        number=level.level,
        name=level.name,
        when=level.when,
        before_breach=level.before_breach,
        notify=level.notify,
        action=level.action,
        breach_at=None if clock.breach_point_us is None else from_us(clock.breach_point_us, UTC),
        urgent=level.urgent,
    )


def _notification(
    clock: EscalationClock, label: str, at_us: int, notice: EscalationNotice
) -> Notification:
    due = clock.deadline_us if clock.deadline_us is not None else at_us
    return Notification(
        ticket_id=clock.ticket_id,
        metric=clock.metric,
        cycle=clock.cycle,
        kind=NotificationKind.ESCALATION,
        level=label,
        at=from_us(at_us, UTC),
        due_at=from_us(due, UTC),
        target=timedelta(microseconds=clock.target_us),
        policy=clock.policy or None,
        calendar=clock.calendar or None,
        escalation=notice,
    )


def _retract(
    ticket_id: str,
    by_clock: Mapping[tuple[str, int], EscalationClock],
    announced: Announced,
    t_us: int,
    created_at: datetime,
    policies: PolicySet,
    plan: Plan,
) -> None:
    for (metric, cycle, label), sent in sorted(announced.rows.items()):
        if not sent.live:
            continue
        clock = by_clock.get((metric, cycle))
        instant = None if clock is None else dict(clock.escalations).get(_name_of(label))
        # An unchanged instant, or one that is still due, stands: writers whose clocks differ
        # by a little never retract each other's escalations.
        if instant is not None and (instant == sent.at_us or instant <= t_us):
            continue
        body = json.loads(sent.body)
        notice = EscalationNotice.from_dict(body["escalation"])
        retraction = retraction_of(
            ticket_id,
            (metric, cycle, label),
            t_us,
            clock=clock,
            policy=body.get("policy"),
            calendar=body.get("calendar"),
            escalation=notice,
        )
        row = outbox_values(retraction, round=sent.round, created_at=created_at)
        if sent.state == DeliveryState.PENDING.value:
            # Not delivered yet (waiting for its recipient's hours, say): neither goes out.
            row["state"] = DeliveryState.CANCELLED.value
            if sent.id:
                plan.cancel.append(sent.id)
        plan.rows.append(row)
        sent.live = False


def cancel(conn: sa.Connection, ids: Iterable[int]) -> None:
    """Mark pending escalation rows whose level was retracted before they went out."""
    wanted = sorted(set(ids))
    o = outbox_table.c
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        conn.execute(
            outbox_table.update()
            .where(o.id.in_(part), o.state == DeliveryState.PENDING.value)
            .values(state=DeliveryState.CANCELLED.value, last_error="retracted before delivery")
        )


def upcoming(clocks: Iterable[EscalationClock], t_us: int) -> dict[tuple[str, int], int | None]:
    """Each clock's next escalation instant after ``t_us`` (for a scanner that cannot fire)."""
    out: dict[tuple[str, int], int | None] = {}
    for clock in clocks:
        later = [at for _, at in clock.escalations if at > t_us]
        out[(clock.metric, clock.cycle)] = min(later) if later else None
    return out


def merge_next(
    target: dict[tuple[str, int], int | None], extra: Mapping[tuple[str, int], int | None]
) -> None:
    """Fold escalation instants into the engine's per-clock next alert instants."""
    for key, us in extra.items():
        if us is None:
            continue
        current = target.get(key)
        target[key] = us if current is None else min(current, us)


def trail(conn: sa.Connection, ticket_id: str) -> tuple[EscalationRecord, ...]:
    """Every escalation recorded for a ticket, oldest first, with what became of it."""
    o = outbox_table.c
    kinds = (NotificationKind.ESCALATION.value, NotificationKind.RETRACTION.value)
    rows = list(
        conn.execute(
            sa.select(outbox_table)
            .where(o.ticket_id == ticket_id, o.kind.in_(kinds))
            .order_by(o.id)
        )
    )
    retracted = {
        (r.metric, r.cycle, r.level, r.round)
        for r in rows
        if r.kind == NotificationKind.RETRACTION.value
    }
    out: list[EscalationRecord] = []
    for row in rows:
        if row.kind != NotificationKind.ESCALATION.value:
            continue
        name, _, recipient = row.level.partition("/")
        out.append(
            EscalationRecord(
                ticket_id=row.ticket_id,
                metric=row.metric,
                cycle=row.cycle,
                level=name,
                recipient=recipient or None,
                round=row.round,
                fired_at=row.at,
                recorded_at=row.created_at,
                held_until=row.held_until,
                delivered_at=row.delivered_at,
                state=row.state,
                retracted=(row.metric, row.cycle, row.level, row.round) in retracted,
            )
        )
    return tuple(out)


def held(conn: sa.Connection, now: datetime) -> tuple[int, datetime | None, datetime | None]:
    """How many notifications wait for a recipient's working hours, the first and last instant."""
    o = outbox_table.c
    query = sa.select(sa.func.count(), sa.func.min(o.held_until), sa.func.max(o.held_until)).where(
        o.state == DeliveryState.PENDING.value, o.held_until.is_not(None), o.held_until > now
    )
    count, first, last = conn.execute(query).one()
    return int(count), first, last
