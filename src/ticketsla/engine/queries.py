"""Questions the engine answers from what it stores: one ticket's log, clocks and notifications;
every ticket's clocks at risk, breached, counted. Each runs in one read transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from .._instants import from_us, require_aware, to_us
from ..clock import ClockState, ClockStatus, TicketSLA, with_trail
from ..contract import FeeTable
from ..escalation_notice import EscalationRecord
from ..events import TicketEvent
from ..notifications import Notification
from ..policy import require_metric
from ..report import Dimension, Report, ReportPeriod, report_from_events
from . import escalation as escalating
from .context import EngineContext
from .results import ClockCount, HeldNotifications, OpenClock
from .schema import (
    OPEN_CLOCK,
    clock_from_values,
    clocks_table,
    event_from_body,
    events_table,
    outbox_table,
)
from .tickets import load_events, ticket_row

__all__ = [
    "PENDING",
    "at_risk",
    "breached",
    "clocks",
    "counts",
    "escalations",
    "events",
    "held",
    "is_breached",
    "latest_clock",
    "notifications",
    "pending",
    "report",
    "state",
    "tickets_events",
]

PENDING: sa.ColumnElement[str] = sa.literal_column("'pending'")  # a literal: the partial index

_OPEN_CLOCK_COLUMNS = (
    clocks_table.c.ticket_id,
    clocks_table.c.metric,
    clocks_table.c.cycle,
    clocks_table.c.status,
    clocks_table.c.due_at,
    clocks_table.c.breach_at,
    clocks_table.c.policy,
    clocks_table.c.priority,
)


# ---- one ticket ----------------------------------------------------------------------------------


def events(ctx: EngineContext, ticket_id: str) -> list[TicketEvent]:
    def work(conn: sa.Connection) -> list[TicketEvent]:
        ticket_row(conn, ticket_id, ctx.backend.url)
        return load_events(conn, [str(ticket_id)])[str(ticket_id)]

    found = ctx.backend.run(work, write=False)
    return sorted(found, key=lambda e: e.order)


def tickets_events(ctx: EngineContext, started_before: datetime | None) -> list[TicketEvent]:
    started = sa.select(events_table.c.ticket_id).group_by(events_table.c.ticket_id)
    if started_before is not None:
        require_aware(started_before, "started_before")
        started = started.having(sa.func.min(events_table.c.at) < started_before)
    query = sa.select(events_table.c.body).where(events_table.c.ticket_id.in_(started))

    def work(conn: sa.Connection) -> list[TicketEvent]:
        return [event_from_body(row.body) for row in conn.execute(query)]

    return ctx.backend.run(work, write=False)


def report(
    ctx: EngineContext,
    period: ReportPeriod,
    by: Sequence[Dimension | str],
    fees: FeeTable | None,
    now: datetime | None,
) -> Report:
    when = from_us(ctx.at_us(now), UTC)
    stored = tickets_events(ctx, from_us(period.end_us, UTC))
    return report_from_events(stored, ctx.book.policies, period, now=when, by=by, fees=fees)


def state(ctx: EngineContext, ticket_id: str, at: datetime | None) -> TicketSLA:
    at_us = ctx.at_us(at)
    sla = ctx.fold(events(ctx, ticket_id), ctx.book, at_us)
    if not ctx.escalates:
        return sla
    return with_trail(sla, escalations(ctx, ticket_id))


def clocks(ctx: EngineContext, ticket_id: str) -> tuple[ClockState, ...]:
    def work(conn: sa.Connection) -> tuple[ClockState, ...]:
        ticket = ticket_row(conn, ticket_id, ctx.backend.url)
        rows = conn.execute(
            sa.select(clocks_table)
            .where(clocks_table.c.ticket_id == str(ticket_id))
            .order_by(clocks_table.c.metric, clocks_table.c.cycle)
        )
        # a settled row keeps the instant it was written at; the ticket's clocks are all
        # current as of the ticket row's (ticketsla.engine.settled)
        fresh = {} if ticket.as_of is None else {"as_of": ticket.as_of}
        return tuple(clock_from_values({**row._mapping, **fresh}) for row in rows)

    return ctx.backend.run(work, write=False)


def latest_clock(
    ctx: EngineContext, ticket_id: str, metric: str
) -> tuple[sa.Row[Any], sa.Row[Any] | None]:
    """The ticket's row and the row of the latest cycle of ``metric`` (None without one)."""
    require_metric(ctx.book.policies, metric)

    def work(conn: sa.Connection) -> tuple[sa.Row[Any], sa.Row[Any] | None]:
        ticket = ticket_row(conn, ticket_id, ctx.backend.url)
        row = conn.execute(
            sa.select(clocks_table)
            .where(clocks_table.c.ticket_id == str(ticket_id), clocks_table.c.metric == metric)
            .order_by(clocks_table.c.cycle.desc())
            .limit(1)
        ).first()
        return ticket, row

    return ctx.backend.run(work, write=False)


def is_breached(ctx: EngineContext, ticket_id: str, metric: str, at: datetime | None) -> bool:
    at_us = ctx.at_us(at)
    ticket, row = latest_clock(ctx, ticket_id, metric)
    if ticket.as_of is not None and at_us < to_us(ticket.as_of):
        found = state(ctx, ticket_id, from_us(at_us, UTC)).clock(metric)
        return found is not None and found.is_breached
    if row is None or row.breach_at is None:
        return False
    return bool(to_us(row.breach_at) < at_us)


def notifications(ctx: EngineContext, ticket_id: str) -> list[tuple[Notification, str]]:
    o = outbox_table.c
    query = sa.select(o.body, o.state).where(o.ticket_id == str(ticket_id)).order_by(o.id)

    def work(conn: sa.Connection) -> list[tuple[Notification, str]]:
        return [
            (Notification.from_dict(json.loads(row.body)), str(row.state))
            for row in conn.execute(query)
        ]

    return ctx.backend.run(work, write=False)


def escalations(ctx: EngineContext, ticket_id: str) -> tuple[EscalationRecord, ...]:
    return ctx.backend.run(lambda conn: escalating.trail(conn, str(ticket_id)), write=False)


# ---- every ticket --------------------------------------------------------------------------------


def at_risk(
    ctx: EngineContext, within: timedelta, at: datetime | None, limit: int | None
) -> list[OpenClock]:
    start = ctx.now() if at is None else require_aware(at, "at")
    c = clocks_table.c
    query = (
        sa.select(*_OPEN_CLOCK_COLUMNS)
        .where(c.due_at >= start, c.due_at <= start + within)
        .order_by(c.due_at)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = ctx.backend.run(lambda conn: list(conn.execute(query)), write=False)
    return _open_clocks(rows, "due_at")


def breached(ctx: EngineContext, at: datetime | None, limit: int | None) -> list[OpenClock]:
    when = ctx.now() if at is None else require_aware(at, "at")
    c = clocks_table.c
    query = (
        sa.select(*_OPEN_CLOCK_COLUMNS).where(c.open_breach_at < when).order_by(c.open_breach_at)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = ctx.backend.run(lambda conn: list(conn.execute(query)), write=False)
    return _open_clocks(rows, "breach_at")


def counts(ctx: EngineContext, at: datetime | None, within: timedelta) -> list[ClockCount]:
    when = ctx.now() if at is None else require_aware(at, "at")
    c = clocks_table.c
    at_risk = sa.case((sa.and_(c.due_at >= when, c.due_at <= when + within), 1), else_=0)
    breached = sa.case((c.open_breach_at < when, 1), else_=0)
    running = sa.case((c.due_at.is_not(None), 1), else_=0)
    query = (
        sa.select(
            c.policy,
            c.priority,
            c.metric,
            sa.func.count().label("open"),
            sa.func.sum(running).label("running"),
            sa.func.sum(at_risk).label("at_risk"),
            sa.func.sum(breached).label("breached"),
        )
        .where(sa.text(OPEN_CLOCK))
        .group_by(c.policy, c.priority, c.metric)
        .order_by(c.policy, c.priority, c.metric)
    )
    rows = ctx.backend.run(lambda conn: list(conn.execute(query)), write=False)
    return [
        ClockCount(
            policy=r.policy,
            priority=r.priority,
            metric=r.metric,
            open=int(r.open),
            running=int(r.running or 0),
            paused=int(r.open) - int(r.running or 0),
            at_risk=int(r.at_risk or 0),
            breached=int(r.breached or 0),
        )
        for r in rows
    ]


def held(ctx: EngineContext) -> HeldNotifications:
    now = ctx.now()
    count, first, last = ctx.backend.run(lambda conn: escalating.held(conn, now), write=False)
    return HeldNotifications(count=count, first_until=first, last_until=last)


def pending(ctx: EngineContext) -> int:
    o = outbox_table.c
    query = sa.select(sa.func.count()).select_from(outbox_table).where(o.state == PENDING)
    return int(ctx.backend.run(lambda conn: conn.execute(query).scalar_one(), write=False))


def _open_clocks(rows: Iterable[sa.Row[*tuple[Any, ...]]], order: str) -> list[OpenClock]:
    found = [
        OpenClock(
            ticket_id=r.ticket_id,
            metric=r.metric,
            cycle=r.cycle,
            status=ClockStatus(r.status),
            due_at=r.due_at,
            breach_at=r.breach_at,
            policy=r.policy,
            priority=r.priority,
        )
        for r in rows
    ]
    # the database ordered by the instant; ties are put in a stable order here
    found.sort(key=lambda o: (getattr(o, order), o.ticket_id, o.metric, o.cycle))
    return found
