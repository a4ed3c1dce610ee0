"""Reading and locking what the engine stores per ticket: ticket rows, event logs, outbox history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from .._instants import to_us
from ..errors import UnknownTicketError
from ..events import TicketEvent
from .alerts import Announced, Key, announced_of
from .backend import Backend, chunks
from .schema import event_from_body, events_table, outbox_table, tickets_table
from .settled import Hidden, shown_rows

__all__ = ["Locked", "announced", "load_events", "lock_tickets", "owners", "ticket_row"]

Locked = dict[str, tuple[int, int | None]]  # ticket: (events stored, newest event instant)


def lock_tickets(
    backend: Backend,
    conn: sa.Connection,
    tickets: Sequence[str],
    *,
    create: bool,
    skip_locked: bool = False,
) -> Locked:
    """Lock the tickets' rows (PostgreSQL; SQLite holds the database write lock already) and
    return ``{ticket: (events stored, newest event instant)}``."""
    if not tickets:
        return {}
    if create:
        backend.insert_rows(
            conn,
            tickets_table,
            [{"ticket_id": t, "events": 0} for t in tickets],
            conflict=("ticket_id",),
        )
    t = tickets_table.c
    query = (
        sa.select(t.ticket_id, t.events, t.last_event_at)
        .where(t.ticket_id.in_(tickets))
        .order_by(t.ticket_id)
    )
    query = backend.for_update(query, skip_locked=skip_locked)
    return {
        r.ticket_id: (r.events, None if r.last_event_at is None else to_us(r.last_event_at))
        for r in conn.execute(query)
    }


def owners(conn: sa.Connection, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The ticket each stored event key belongs to."""
    found: dict[tuple[str, str], str] = {}
    e = events_table.c
    for part in chunks(keys):
        query = sa.select(e.source, e.event_id, e.ticket_id).where(
            sa.tuple_(e.source, e.event_id).in_(part)
        )
        for row in conn.execute(query):
            found[(row.source, row.event_id)] = row.ticket_id
    return found


def load_events(conn: sa.Connection, tickets: Sequence[str]) -> dict[str, list[TicketEvent]]:
    """Every stored event of each ticket, in storage order."""
    out: dict[str, list[TicketEvent]] = {t: [] for t in tickets}
    e = events_table.c
    for part in chunks(tickets):
        query = sa.select(e.ticket_id, e.body).where(e.ticket_id.in_(part))
        for row in conn.execute(query):
            out[row.ticket_id].append(event_from_body(row.body))
    return out


def announced(
    conn: sa.Connection,
    tickets: Sequence[str],
    hidden: Mapping[str, Hidden] | None = None,
) -> dict[str, dict[Key, Announced]]:
    """The outbox history of each ticket that has one; for a ticket in ``hidden``, only that
    of the clocks not left alone (``ticketsla.engine.settled``)."""
    out: dict[str, dict[Key, Announced]] = {}
    o = outbox_table.c
    hidden = hidden or {}
    columns = (o.ticket_id, o.metric, o.cycle, o.kind, o.level, o.round, o.at)
    grouped: dict[str, list[Any]] = defaultdict(list)
    for part in chunks([t for t in tickets if t not in hidden]):
        for row in conn.execute(sa.select(*columns).where(o.ticket_id.in_(part))):
            grouped[row.ticket_id].append(row)
    for shown in shown_rows(outbox_table, {t: hidden[t] for t in tickets if t in hidden}):
        for row in conn.execute(sa.select(*columns).where(shown)):
            grouped[row.ticket_id].append(row)
    for ticket_id, rows in grouped.items():
        if rows:
            out[ticket_id] = announced_of(rows)
    return out


def ticket_row(conn: sa.Connection, ticket_id: str, url: str) -> sa.Row[Any]:
    """The ticket's row; UnknownTicketError when no event is stored for it."""
    row = conn.execute(
        sa.select(tickets_table).where(tickets_table.c.ticket_id == str(ticket_id))
    ).first()
    if row is None or not row.events:
        raise UnknownTicketError(
            f"no events are stored for ticket {str(ticket_id)!r} in {url}",
            subject=str(ticket_id),
        )
    return row
