"""Refolding tickets: fold each from its whole log, write its clocks, ticket row and outbox rows.

The stored state always equals the pure ``evaluate()`` over the ticket's events: ``refold`` runs in
the transaction that stored the new events (or that recalculates), so both are written at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..clock import ClockState, TicketSLA
from ..events import TicketEvent, order_events
from . import escalation as escalating
from .alerts import Announced, Key, reconcile, view_of, warning_details
from .backend import chunks
from .context import EngineContext
from .outcomes import FCR, outcomes_of, reconcile_outcomes, wake_for_fcr
from .policybook import LIBRARY_VERSION, PolicyBook
from .schema import clock_values, clocks_table, outbox_table, tickets_table
from .tickets import announced as load_announced

__all__ = ["OUTBOX_KEY", "refold"]

OUTBOX_KEY = ("ticket_id", "metric", "cycle", "kind", "level", "round")


@dataclass(slots=True)
class _Writes:
    """Everything one refold writes, gathered over its tickets."""

    clocks: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    states: dict[str, tuple[ClockState, ...]] = field(default_factory=dict)


def refold(
    ctx: EngineContext,
    conn: sa.Connection,
    histories: Mapping[str, list[TicketEvent]],
    book: PolicyBook,
    now: datetime,
    now_us: int,
) -> dict[str, tuple[ClockState, ...]]:
    """Fold each ticket from its full history and write its clocks, ticket row and the
    notifications that follow; returns the new clocks by ticket."""
    tickets = sorted(histories)
    announced = load_announced(conn, tickets)
    escalations = ctx.escalations_announced(conn, tickets)
    writes = _Writes()
    for ticket_id in tickets:
        history = histories[ticket_id]
        if history:
            _refold_one(
                ctx,
                ticket_id,
                history,
                book,
                announced.setdefault(ticket_id, {}),
                escalations,
                now,
                now_us,
                writes,
            )
    backend = ctx.backend
    for part in chunks(tickets):
        conn.execute(clocks_table.delete().where(clocks_table.c.ticket_id.in_(part)))
    backend.insert_rows(conn, clocks_table, writes.clocks)
    backend.insert_rows(conn, outbox_table, writes.outbox, conflict=OUTBOX_KEY)
    escalating.cancel(conn, writes.cancelled)
    backend.update_rows(conn, tickets_table, ("ticket_id",), writes.tickets)
    return writes.states


def _refold_one(
    ctx: EngineContext,
    ticket_id: str,
    history: list[TicketEvent],
    book: PolicyBook,
    announced: dict[Key, Announced],
    escalations: dict[str, escalating.Announced] | None,
    now: datetime,
    now_us: int,
    writes: _Writes,
) -> None:
    """Fold one ticket just after its last event and gather what it writes."""
    as_of = max(e.at_us for e in history) + 1  # just after the last event: every event applies
    sla = ctx.fold(history, book, as_of)
    details = [warning_details(state, book) for state in sla.clocks]
    views = [view_of(state, d) for state, d in zip(sla.clocks, details, strict=True)]
    t_us = max(now_us, as_of)
    plan = reconcile(ticket_id, views, announced, t_us, now, full=True)
    writes.outbox.extend(plan.rows)
    if escalations is not None:
        clocks = [escalating.clock_of_state(state) for state in sla.clocks]
        escalated = ctx.escalate(ticket_id, clocks, escalations, t_us, now, full=True)
        writes.outbox.extend(escalated.rows)
        writes.cancelled.extend(escalated.cancel)
        escalating.merge_next(plan.next_alert, escalated.next_alert)
    ordered = order_events(history)
    outcomes = outcomes_of(ordered, sla, book, t_us, announced)
    writes.outbox.extend(reconcile_outcomes(ticket_id, outcomes, announced, t_us, now, sla.policy))
    if outcomes[FCR] is None and views:
        wake_for_fcr(plan, views, ordered, book.fcr(sla.policy), t_us)
    _gather_rows(ctx, ticket_id, history, sla, details, plan.next_alert, book, now, writes)


def _gather_rows(
    ctx: EngineContext,
    ticket_id: str,
    history: Sequence[TicketEvent],
    sla: TicketSLA,
    details: Sequence[Sequence[tuple[int, int]]],
    next_alert: Mapping[tuple[str, int], int | None],
    book: PolicyBook,
    now: datetime,
    writes: _Writes,
) -> None:
    """The clock rows and the ticket row of one refolded ticket."""
    instant = ctx.backend.instant
    for state, warned in zip(sla.clocks, details, strict=True):
        writes.clocks.append(
            clock_values(
                state,
                policy_version=book.policy_versions.get(state.policy, ""),
                calendar_version=book.calendar_versions.get(state.calendar, ""),
                library_version=LIBRARY_VERSION,
                next_alert_us=next_alert[(state.metric, state.cycle)],
                warning_details=warned,
                instant=instant,
            )
        )
    writes.states[ticket_id] = sla.clocks
    last = max(e.at_us for e in history)
    writes.tickets.append(
        {
            "ticket_id": ticket_id,
            "events": len(history),
            "first_event_at": instant(min(e.at_us for e in history)),
            "last_event_at": instant(last),
            "as_of": instant(last + 1),
            "policy": sla.policy,
            "priority": None if sla.priority is None else str(sla.priority),
            "status": None if sla.status is None else str(sla.status),
            "policy_version": book.policy_versions.get(sla.policy or "", None),
            "library_version": LIBRARY_VERSION,
            "updated_at": now,
        }
    )
