"""Delivery: hand pending outbox rows to the notification hooks and mark each delivered.

Each notification is claimed, handed to its hook and marked done in one transaction that holds
the row (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the write lock on SQLite): at least once, at
most once per successful commit, in the order a ticket's notifications were recorded.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from ..notifications import Notification
from ..plugins import has_listener, hook_for, notify
from .backend import chunks
from .context import EngineContext
from .queries import PENDING
from .results import DrainResult
from .schema import DeliveryState, clocks_table, outbox_table

__all__ = ["drain", "has_notifier", "next_work_at"]

_NOTIFIER_HOOKS = (
    "ticketsla_sla_warning",
    "ticketsla_sla_breached",
    "ticketsla_sla_fulfilled",
    "ticketsla_outcome_recorded",
)
_NO_LISTENER: sa.ColumnElement[str] = sa.literal_column("'no_listener'")  # the partial index


class _Delivery(StrEnum):
    DELIVERED = "delivered"  # every hook returned
    FAILED = "failed"  # a hook raised: kept for a retry
    UNHEARD = "unheard"  # no installed plugin implements its hook


def has_notifier(ctx: EngineContext) -> bool:
    return any(getattr(ctx.pm.hook, hook).get_hookimpls() for hook in _NOTIFIER_HOOKS)


def next_work_at(ctx: EngineContext) -> datetime | None:
    c = clocks_table.c
    alert = sa.select(sa.func.min(c.next_alert_at)).where(c.next_alert_at.is_not(None))
    # a ticket's notifications go out in order: only the head of each ticket's queue counts
    head = outbox_table.alias("o")
    earlier = outbox_table.alias("p")
    queued_behind = sa.select(sa.literal(1)).where(
        earlier.c.state == PENDING,
        earlier.c.ticket_id == head.c.ticket_id,
        earlier.c.id < head.c.id,
    )
    retry = sa.select(sa.func.min(head.c.available_at)).where(
        head.c.state == PENDING, ~sa.exists(queued_behind)
    )

    def work(conn: sa.Connection) -> datetime | None:
        found = [conn.execute(alert).scalar_one()]
        if has_notifier(ctx):
            found.append(conn.execute(retry).scalar_one())
        # min() keeps the column's type, so these come back aware, in UTC
        instants: list[datetime] = [value for value in found if value is not None]
        return min(instants, default=None)

    return ctx.backend.run(work, write=False)


def drain(ctx: EngineContext, limit: int | None) -> DrainResult:
    done = dict.fromkeys(_Delivery, 0)
    if not has_notifier(ctx):
        return DrainResult()
    _requeue_heard(ctx)
    while limit is None or sum(done.values()) < limit:
        outcome = _deliver_one(ctx)
        if outcome is None:
            break
        done[outcome] += 1
    return DrainResult(
        delivered=done[_Delivery.DELIVERED],
        failed=done[_Delivery.FAILED],
        unheard=done[_Delivery.UNHEARD],
    )


def _requeue_heard(ctx: EngineContext) -> None:
    """Put notifications left without a listener back to pending once a plugin hears them."""
    o = outbox_table.c
    waiting = sa.select(o.id, o.body).where(o.state == _NO_LISTENER)

    def heard(conn: sa.Connection) -> list[int]:
        return [
            row.id
            for row in conn.execute(waiting)
            if has_listener(hook_for(Notification.from_dict(json.loads(row.body))), ctx.pm)
        ]

    ids = ctx.backend.run(heard, write=False)  # usually none: no write lock taken for nothing

    def requeue(conn: sa.Connection) -> None:
        for part in chunks(ids):
            conn.execute(
                outbox_table.update()
                .where(o.id.in_(part), o.state == _NO_LISTENER)
                .values(state=DeliveryState.PENDING.value)
            )

    if ids:
        ctx.backend.run(requeue, write=True)


def _claim_query(ctx: EngineContext, now: datetime) -> sa.Select[Any]:
    o = outbox_table.alias("o")
    p = outbox_table.alias("p")
    earlier = sa.select(sa.literal(1)).where(
        p.c.state == PENDING,
        p.c.ticket_id == o.c.ticket_id,
        p.c.id < o.c.id,
        # a notification waiting for its recipient's hours holds back no other
        sa.or_(p.c.held_until.is_(None), p.c.held_until <= now),
    )
    query = (
        sa.select(o.c.id, o.c.body, o.c.attempts)
        .where(o.c.state == PENDING, o.c.available_at <= now, ~sa.exists(earlier))
        .order_by(o.c.id)
        .limit(1)
    )
    return ctx.backend.for_update(query, skip_locked=True, of=o)


_Failure = tuple[int, int, str]  # outbox row id, attempts so far, the error


def _deliver_one(ctx: EngineContext) -> _Delivery | None:
    """Deliver one notification, or None when nothing is pending."""
    now = ctx.now()

    def work(conn: sa.Connection) -> _Delivery | _Failure | None:
        row = conn.execute(_claim_query(ctx, now)).first()
        if row is None:
            return None
        notification = Notification.from_dict(json.loads(row.body))
        hook = hook_for(notification)
        if not has_listener(hook, ctx.pm):
            _mark(
                conn,
                row.id,
                state=DeliveryState.NO_LISTENER.value,
                last_error=f"no installed plugin implements {hook}",
            )
            return _Delivery.UNHEARD
        try:
            notify(notification, pm=ctx.pm)
        except Exception as exc:
            # nothing was written in this transaction; the failure is recorded in its own
            return (row.id, row.attempts, f"{type(exc).__name__}: {exc}"[:2000])
        _mark(
            conn,
            row.id,
            state=DeliveryState.DONE.value,
            delivered_at=now,
            attempts=row.attempts + 1,
            last_error=None,
        )
        return _Delivery.DELIVERED

    outcome = ctx.backend.run(work, write=True)
    if not isinstance(outcome, tuple):
        return outcome
    _record_failure(ctx, *outcome, now)
    return _Delivery.FAILED


def _mark(conn: sa.Connection, row_id: int, **values: object) -> None:
    conn.execute(outbox_table.update().where(outbox_table.c.id == row_id).values(**values))


def _record_failure(
    ctx: EngineContext, row_id: int, attempts: int, error: str, now: datetime
) -> None:
    tried = attempts + 1
    state = DeliveryState.FAILED if tried >= ctx.max_attempts else DeliveryState.PENDING
    retry_at = now + timedelta(seconds=min(2**tried, 3600))
    update = (
        outbox_table.update()
        .where(outbox_table.c.id == row_id)
        .values(state=state.value, attempts=tried, last_error=error, available_at=retry_at)
    )
    ctx.backend.run(lambda conn: conn.execute(update), write=True)
