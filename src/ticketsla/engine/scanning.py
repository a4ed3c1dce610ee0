"""Scanning: record the warnings, breaches, escalations and FCR verdicts that came due by an
instant, in the transaction that moves each clock's next alert instant.

Scanners may run concurrently: on PostgreSQL each takes tickets with ``FOR UPDATE SKIP LOCKED``,
and the outbox's unique key makes a second recording impossible anyway.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from .._instants import from_us
from ..events import Status, order_events
from ..outcomes import FCRDefinition, FCRKind
from . import escalation as escalating
from .alerts import Announced, ClockView, Key, Reconciled, reconcile, view_of_row
from .context import EngineContext
from .outcomes import FCR, fcr_outcome, has_live_outcome, reconcile_outcomes, wake_for_fcr
from .refold import OUTBOX_KEY
from .results import ScanResult
from .schema import clocks_table, outbox_table, tickets_table
from .tickets import announced as load_announced
from .tickets import load_events, lock_tickets

__all__ = ["scan"]

_DONE_STATUSES = frozenset(s.value for s in Status if s.is_done)


@dataclass(slots=True)
class _Batch:
    """The clocks of the tickets one scan batch holds, as views and as escalation clocks."""

    tickets: list[str]
    views: dict[str, list[ClockView]] = field(default_factory=lambda: defaultdict(list))
    escalation_clocks: dict[str, list[escalating.EscalationClock]] = field(
        default_factory=lambda: defaultdict(list)
    )


def scan(ctx: EngineContext, at: datetime | None) -> ScanResult:
    t_us = ctx.at_us(at)
    total = ScanResult()
    while True:
        result, more = ctx.backend.run(lambda conn: _scan_batch(ctx, conn, t_us), write=True)
        total = total + result
        if not more:
            return total


def _take_batch(ctx: EngineContext, conn: sa.Connection, t_us: int) -> _Batch | None:
    """Lock the next tickets with an alert due by ``t_us`` and read their clocks."""
    c = clocks_table.c
    candidates = [
        r.ticket_id
        for r in conn.execute(
            sa.select(c.ticket_id)
            .where(c.next_alert_at <= from_us(t_us, UTC))
            .order_by(c.next_alert_at)
            .limit(ctx.batch_size)
        )
    ]
    if not candidates:
        return None
    tickets = sorted(set(candidates))
    locked = sorted(lock_tickets(ctx.backend, conn, tickets, create=False, skip_locked=True))
    batch = _Batch(locked)
    rows = conn.execute(
        sa.select(clocks_table).where(c.ticket_id.in_(locked)).order_by(c.ticket_id)
    )
    for row in rows:
        batch.views[row.ticket_id].append(view_of_row(row))
        batch.escalation_clocks[row.ticket_id].append(escalating.clock_of_row(row))
    return batch


def _scan_batch(ctx: EngineContext, conn: sa.Connection, t_us: int) -> tuple[ScanResult, bool]:
    batch = _take_batch(ctx, conn, t_us)
    if batch is None or not batch.tickets:
        return ScanResult(), False  # nothing due, or every candidate is another writer's
    locked = batch.tickets
    announced = load_announced(conn, locked)
    escalations = ctx.escalations_announced(conn, locked)
    now = ctx.now()
    outbox_rows: list[dict[str, Any]] = []
    result = ScanResult(tickets=len(locked))
    plans: dict[str, Reconciled] = {}
    for ticket_id in locked:
        plan = reconcile(
            ticket_id,
            batch.views[ticket_id],
            announced.setdefault(ticket_id, {}),
            t_us,
            now,
            full=False,
        )
        plans[ticket_id] = plan
        outbox_rows.extend(plan.rows)
        result = result + ScanResult(warnings=plan.warnings, breaches=plan.breaches)
        clocks = batch.escalation_clocks[ticket_id]
        if escalations is not None:
            escalated = ctx.escalate(ticket_id, clocks, escalations, t_us, now, full=False)
            outbox_rows.extend(escalated.rows)
            escalating.merge_next(plan.next_alert, escalated.next_alert)
            result = result + ScanResult(escalations=escalated.fired, held=escalated.held)
        else:  # a scanner without the policies still wakes for their levels later
            escalating.merge_next(plan.next_alert, escalating.upcoming(clocks, t_us))
    outbox_rows.extend(_scan_outcomes(ctx, conn, locked, batch.views, announced, plans, t_us, now))
    ctx.backend.insert_rows(conn, outbox_table, outbox_rows, conflict=OUTBOX_KEY)
    ctx.backend.update_rows(
        conn, clocks_table, ("ticket_id", "metric", "cycle"), _next_alert_rows(plans)
    )
    return result, True


def _next_alert_rows(plans: Mapping[str, Reconciled]) -> list[dict[str, Any]]:
    return [
        {
            "ticket_id": ticket_id,
            "metric": metric,
            "cycle": cycle,
            "next_alert_at": None if next_us is None else from_us(next_us, UTC),
        }
        for ticket_id, plan in plans.items()
        for (metric, cycle), next_us in plan.next_alert.items()
    ]


def _scan_outcomes(
    ctx: EngineContext,
    conn: sa.Connection,
    tickets: Sequence[str],
    views: Mapping[str, list[ClockView]],
    announced: dict[str, dict[Key, Announced]],
    plans: Mapping[str, Reconciled],
    t_us: int,
    now: datetime,
) -> list[dict[str, Any]]:
    """Record the FCR verdicts that time alone decided by ``t_us`` (the end of a
    ``no_reopen_within`` window with no reopen), and keep waking up for those still open.

    Only solved tickets without a live FCR outcome under such a policy are looked at; their
    event logs are read to decide.
    """
    if not any(p.fcr.kind is FCRKind.NO_REOPEN_WITHIN for p in ctx.book.policies.all()):
        return []
    waiting = [
        ticket_id
        for ticket_id in tickets
        if views.get(ticket_id) and not has_live_outcome(announced[ticket_id], FCR)
    ]
    definitions = _windowed_definitions(ctx, conn, waiting) if waiting else {}
    if not definitions:
        return []
    histories = load_events(conn, sorted(definitions))
    rows: list[dict[str, Any]] = []
    for ticket_id, (policy, definition) in sorted(definitions.items()):
        ordered = order_events(histories[ticket_id])
        ticket_announced = announced[ticket_id]
        outcome = fcr_outcome(ordered, definition, t_us, ticket_announced)
        rows.extend(
            reconcile_outcomes(ticket_id, {FCR: outcome}, ticket_announced, t_us, now, policy)
        )
        if outcome is None:
            wake_for_fcr(plans[ticket_id], views[ticket_id], ordered, definition, t_us)
    return rows


def _windowed_definitions(
    ctx: EngineContext, conn: sa.Connection, waiting: Sequence[str]
) -> dict[str, tuple[str, FCRDefinition]]:
    """The solved tickets among ``waiting`` whose policy judges FCR by a reopen window."""
    t = tickets_table.c
    found: dict[str, tuple[str, FCRDefinition]] = {}
    for row in conn.execute(
        sa.select(t.ticket_id, t.policy, t.status).where(t.ticket_id.in_(waiting))
    ):
        definition = ctx.book.fcr(row.policy)
        if (
            definition is not None
            and definition.kind is FCRKind.NO_REOPEN_WITHIN
            and row.status in _DONE_STATUSES
        ):
            found[row.ticket_id] = (row.policy, definition)
    return found
