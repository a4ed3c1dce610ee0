"""Folding a batch's tickets before their rows are locked, so writers hold the locks for less.

A ticket's fold depends only on its events and the policy book (``EngineContext.snapshot_key``),
never on the outbox or escalation rows that the refold gathers under the lock. ``prefold``
therefore reads what each ticket of a batch holds (from the engine's ticket cache when it holds
what the ticket row counts, else from the log, in a read transaction that locks nothing), adds
the batch's events not stored yet, and folds. Under the lock, ``still_holds`` checks cheaply that
the result is still the fold of exactly the ticket's stored events: stored events are never
removed and every transaction that stores one rewrites the ticket row's count under the ticket's
lock, so a count equal to the number of events read means no other event came in meanwhile;
the batch's events stored as new must be exactly those folded in as new. A ticket that fails
the check is refolded under the lock, as before.

Tickets whose log is long and not in memory are left to the refold under the lock, which reads
only the events after the ticket's fold snapshot (``ticketsla.engine.tails``); reading and
parsing their whole log here would cost more than the fold it saves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from ..clock import TicketSLA
from ..events import TicketEvent, order_events
from ..fold_snapshot import SNAPSHOT_LAG, FoldSnapshot
from .backend import chunks
from .context import EngineContext
from .policybook import PolicyBook
from .refold import fold_ticket, snapshot_holds
from .schema import tickets_table
from .tickets import load_events

__all__ = ["Prefolded", "prefold", "still_holds"]

Key = tuple[str, str]  # (source, event_id)
# A batch of one ticket (a webhook's single event) is folded under its lock as before: the read
# transaction ahead of it would cost about what folding one ticket under the lock does.
_MIN_TICKETS = 2


@dataclass(frozen=True, slots=True)
class Prefolded:
    """One ticket folded before the lock: its state just after its last event, and what that
    state was folded from."""

    stored: int  # the ticket's events stored when they were read
    new: frozenset[Key]  # the batch's events folded in as not stored yet
    ordered: list[TicketEvent]  # stored and new events, in history order
    sla: TicketSLA
    taken: FoldSnapshot | None  # the snapshot the fold took
    key: str  # the snapshot key of the book folded under

    @property
    def folded(self) -> tuple[TicketSLA, FoldSnapshot | None]:
        return self.sla, self.taken


def prefold(
    ctx: EngineContext, book: PolicyBook, events: Iterable[TicketEvent]
) -> dict[str, Prefolded]:
    """Fold each ticket of ``events`` with the batch's events added, outside any lock."""
    batch: dict[str, list[TicketEvent]] = defaultdict(list)
    for event in events:
        batch[event.ticket_id].append(event)
    if len(batch) < _MIN_TICKETS:
        return {}
    logs = ctx.backend.run(lambda conn: _read(ctx, conn, sorted(batch)), write=False)
    key = ctx.snapshot_key(book)
    found: dict[str, Prefolded] = {}
    for ticket_id, stored in logs.items():
        done = _fold(ctx, book, key, ticket_id, stored, batch[ticket_id])
        if done is not None:
            found[ticket_id] = done
    return found


def still_holds(done: Prefolded, stored: int, inserted: Sequence[TicketEvent], key: str) -> bool:
    """Whether ``done`` is the fold of exactly the ticket's stored events once the batch's
    ``inserted`` events are stored: ``stored`` is the count its locked row holds."""
    return (
        done.stored == stored
        and done.key == key
        and len(inserted) == len(done.new)
        and {(e.source, e.event_id) for e in inserted} == done.new
    )


def _read(
    ctx: EngineContext, conn: sa.Connection, tickets: Sequence[str]
) -> dict[str, list[TicketEvent]]:
    """The stored events of each ticket whose log is in memory or short: from the cache when it
    holds what the ticket row counts, else from the log."""
    t = tickets_table.c
    counts = dict.fromkeys(tickets, 0)
    for part in chunks(tickets):
        query = sa.select(t.ticket_id, t.events).where(t.ticket_id.in_(part))
        counts.update({row.ticket_id: row.events for row in conn.execute(query)})
    found: dict[str, list[TicketEvent]] = {}
    unread: list[str] = []
    with ctx.cache.lock:
        for ticket_id, count in counts.items():
            cached = ctx.cache.get(ticket_id)
            if count == 0:
                found[ticket_id] = []
            elif cached is not None and cached[0] == count:
                found[ticket_id] = list(cached[1])
            elif count <= SNAPSHOT_LAG:
                unread.append(ticket_id)
    found.update(load_events(conn, unread))
    return found


def _fold(
    ctx: EngineContext,
    book: PolicyBook,
    key: str,
    ticket_id: str,
    stored: list[TicketEvent],
    batch: list[TicketEvent],
) -> Prefolded | None:
    """The ticket folded over its stored events and the batch's new ones; None when the fold
    is better left to the refold under the lock (a long history without a snapshot in memory
    that holds)."""
    known = {(e.source, e.event_id) for e in stored}
    new = [e for e in batch if (e.source, e.event_id) not in known]
    if not new:
        return None  # nothing to store: the refold under the lock has nothing to fold either
    ordered = order_events([*stored, *new])
    snapshot = ctx.cache.snapshot(ticket_id)
    if snapshot is not None and not snapshot_holds(snapshot, ordered, key):
        snapshot = None
    if snapshot is None and len(ordered) > SNAPSHOT_LAG:
        return None  # the refold under the lock resumes from the stored snapshot
    as_of = ordered[-1].at_us + 1  # just after the last event, as the refold folds
    sla, taken, _ = fold_ticket(ctx, ordered, snapshot, key, book, as_of)
    new_keys = frozenset((e.source, e.event_id) for e in new)
    return Prefolded(len(stored), new_keys, ordered, sla, taken, key)
