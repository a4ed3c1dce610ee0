"""Reading back only the end of a ticket's log: the events after its fold snapshot.

A ticket whose log is not in memory but whose fold snapshot holds needs only the events after
the snapshot's last one to refold, plus a count of the stored events up to it (the check that no
late event landed before it). Both come from the ``(ticket_id, at)`` index of the event log, so
the refold of a long ticket parses the few events after its snapshot, not its whole history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC

import sqlalchemy as sa

from .._instants import from_us, to_us
from ..errors import ClockStateError
from ..events import TicketEvent, order_events
from ..fold_snapshot import SNAPSHOT_LAG, FoldSnapshot
from .backend import chunks
from .context import EngineContext
from .schema import event_from_body, events_table, tickets_table

__all__ = ["Tail", "load_tails"]


@dataclass(frozen=True, slots=True)
class Tail:
    """The stored events of a ticket after its fold snapshot, and what the refold needs of the
    events before them."""

    snapshot: FoldSnapshot
    events: list[TicketEvent]  # every stored event after ``snapshot.last``, in history order
    first_us: int  # the instant of the ticket's first event

    @property
    def count(self) -> int:
        """The events stored for the ticket."""
        return self.snapshot.count + len(self.events)


def load_tails(
    ctx: EngineContext, conn: sa.Connection, tickets: Sequence[str], key: str
) -> dict[str, Tail]:
    """The tail of each ticket whose fold snapshot (in memory, else stored) holds under ``key``;
    the tickets left out need their whole log."""
    t = tickets_table.c
    found: dict[str, Tail] = {}
    for part in chunks(sorted(tickets)):
        query = sa.select(t.ticket_id, t.events, t.first_event_at, t.fold_snapshot).where(
            t.ticket_id.in_(part), t.events > SNAPSHOT_LAG
        )
        for row in conn.execute(query).all():
            if row.first_event_at is None:
                continue
            snapshot = _snapshot(ctx, row.ticket_id, row.fold_snapshot, key)
            if snapshot is None:
                continue
            events = _after(conn, row.ticket_id, snapshot)
            if events is not None:
                found[row.ticket_id] = Tail(snapshot, events, to_us(row.first_event_at))
    return found


def _snapshot(
    ctx: EngineContext, ticket_id: str, stored: str | None, key: str
) -> FoldSnapshot | None:
    kept = ctx.cache.snapshot(ticket_id)
    if kept is not None and kept.key == key:
        return kept
    if stored is None:
        return None
    try:
        snapshot = FoldSnapshot.from_json(stored)
    except ClockStateError:
        return None  # damaged: fold the whole history, which stores a new one
    return snapshot if snapshot.key == key else None


def _after(conn: sa.Connection, ticket_id: str, snapshot: FoldSnapshot) -> list[TicketEvent] | None:
    """The ticket's events after ``snapshot.last`` in history order, or None when the stored
    events up to it are not exactly the snapshot's (a late event landed before its end)."""
    e = events_table.c
    since = from_us(snapshot.last[0], UTC)
    before = conn.execute(
        sa.select(sa.func.count()).where(e.ticket_id == ticket_id, e.at < since)
    ).scalar_one()
    rows = conn.execute(sa.select(e.body).where(e.ticket_id == ticket_id, e.at >= since))
    tail = order_events(event_from_body(row.body) for row in rows)
    held = _count_up_to(tail, snapshot.last)
    if before + held != snapshot.count:
        return None
    return tail[held:]


def _count_up_to(ordered: Sequence[TicketEvent], last: tuple[int, int, int, str, str]) -> int:
    held = 0
    for event in ordered:
        if event.order > last:
            break
        held += 1
    return held
