"""Recalculation: refold tickets under other policies (or changed calendars) and report every
clock whose due time or breach changes; written only when asked (``dry_run=False``)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from .._instants import require_aware, to_us
from ..clock import ClockState
from ..errors import ConfigurationError
from .context import EngineContext
from .policybook import Policies, PolicyBook
from .refold import refold
from .results import ClockChange, Recalculation
from .schema import clocks_table, tickets_table
from .tickets import load_events, lock_tickets

__all__ = ["recalculate"]

_ClockKey = tuple[str, str, int]  # ticket, metric, cycle
_Verdict = tuple[datetime | None, bool]  # due at, breached at the instant asked about


def recalculate(
    ctx: EngineContext,
    policy: Policies | None,
    *,
    dry_run: bool,
    at: datetime | None,
    tickets: Iterable[str] | None,
) -> Recalculation:
    book = ctx.book if policy is None else PolicyBook.of(policy)
    if book.empty:
        raise ConfigurationError("recalculate: no policies to recalculate with")
    when = ctx.now() if at is None else require_aware(at, "at")
    when_us = to_us(when, "at")
    wanted = None if tickets is None else sorted({str(t) for t in tickets})
    changes: list[ClockChange] = []
    checked = 0
    for batch in _ticket_batches(ctx, wanted):
        work = functools.partial(
            _recalculate_batch, ctx, tickets=batch, book=book, when_us=when_us, dry_run=dry_run
        )
        found = ctx.backend.run(work, write=not dry_run)
        checked += found[0]
        changes.extend(found[1])
    if not dry_run:
        ctx.set_book(book)
    return Recalculation(dry_run=dry_run, at=when, tickets_checked=checked, changes=tuple(changes))


def _ticket_batches(ctx: EngineContext, wanted: list[str] | None) -> Iterator[list[str]]:
    """Ticket ids in batches: the ones asked for, else every stored ticket (keyset pages)."""
    size = ctx.batch_size
    if wanted is not None:
        for start in range(0, len(wanted), size):
            yield wanted[start : start + size]
        return
    t = tickets_table.c
    after: str | None = None
    while True:
        query = sa.select(t.ticket_id).where(t.events > 0).order_by(t.ticket_id).limit(size)
        if after is not None:
            query = query.where(t.ticket_id > after)
        rows = ctx.backend.run(functools.partial(_fetch_all, query=query), write=False)
        page = [r.ticket_id for r in rows]
        if not page:
            return
        yield page
        after = page[-1]


def _fetch_all(conn: sa.Connection, *, query: sa.Select[Any]) -> list[sa.Row[Any]]:
    return list(conn.execute(query))


def _recalculate_batch(
    ctx: EngineContext,
    conn: sa.Connection,
    *,
    tickets: list[str],
    book: PolicyBook,
    when_us: int,
    dry_run: bool,
) -> tuple[int, list[ClockChange]]:
    if not dry_run:
        lock_tickets(ctx.backend, conn, tickets, create=False)
    c = clocks_table.c
    before: dict[_ClockKey, _Verdict] = {}
    for row in conn.execute(sa.select(clocks_table).where(c.ticket_id.in_(tickets))):
        breached = row.breach_at is not None and to_us(row.breach_at) < when_us
        before[(row.ticket_id, row.metric, row.cycle)] = (row.due_at, breached)
    histories = load_events(conn, tickets)
    if dry_run:
        states = {
            ticket_id: ctx.fold(history, book, max(e.at_us for e in history) + 1).clocks
            for ticket_id, history in histories.items()
            if history
        }
    else:
        now = ctx.now()
        states = refold(ctx, conn, histories, book, now, to_us(now, "now()"), keep_settled=False)
    return len(tickets), _changes(before, _verdicts(states, when_us))


def _verdicts(
    states: Mapping[str, tuple[ClockState, ...]], when_us: int
) -> dict[_ClockKey, _Verdict]:
    out: dict[_ClockKey, _Verdict] = {}
    for ticket_id, clocks in states.items():
        for state in clocks:
            breach = state.breach_point_us
            out[(ticket_id, state.metric, state.cycle)] = (
                state.due_at,
                breach is not None and breach < when_us,
            )
    return out


def _changes(
    before: Mapping[_ClockKey, _Verdict], after: Mapping[_ClockKey, _Verdict]
) -> list[ClockChange]:
    changes = []
    for key in sorted(set(before) | set(after)):
        due_before, breached_before = before.get(key, (None, False))
        due_after, breached_after = after.get(key, (None, False))
        if due_before != due_after or breached_before != breached_after:
            changes.append(
                ClockChange(
                    ticket_id=key[0],
                    metric=key[1],
                    cycle=key[2],
                    due_before=due_before,
                    due_after=due_after,
                    breached_before=breached_before,
                    breached_after=breached_after,
                )
            )
    return changes
