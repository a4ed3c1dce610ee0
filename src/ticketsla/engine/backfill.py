"""``SLAEngine.backfill``: store a helpdesk's history in large transactions (docs/engine.md).

``ingest`` is made for a live stream: small calls, each ticket refolded in every call that
brings it an event. A history of millions of events takes another path: events are read in
batches of ``batch_size`` (memory is bounded by the batch, whatever the length of the history),
checked by the same rules as ``ingest``, grouped by ticket, and each batch is one transaction
that writes its new events in bulk (``engine.bulk``) and refolds each of its tickets once,
from everything stored for it. A ticket whose events come in several batches is refolded in each
with what is stored, so it ends in the state ``ingest`` gives: the pure fold over all its events.

Duplicates, rejections and idempotency are those of ``ingest``: the same key for the same ticket
is a duplicate; a key that an earlier item or the database gives to another ticket is rejected,
naming both; an item that is not a valid event is rejected with its position in the input.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .._instants import to_us
from ..errors import ConfigurationError
from ..events import TicketEvent
from .bulk import BULK_COPY, write_events
from .ingest import Batch, histories, split_inserted
from .items import Rejection, check_items, first_of_each_key
from .refold import refold
from .results import IngestResult
from .rows import event_values
from .tickets import lock_tickets

if TYPE_CHECKING:
    from .context import EngineContext

__all__ = ["DEFAULT_BACKFILL_BATCH", "Progress", "backfill"]

DEFAULT_BACKFILL_BATCH = 20_000
Progress = Callable[[int], None]
"""Called after each batch with the number of input items handled so far."""


@dataclasses.dataclass(slots=True)
class _Stored:
    stored: int = 0
    duplicates: int = 0
    late: int = 0
    refolded: int = 0
    errors: list[Rejection] = dataclasses.field(default_factory=list)
    cache: dict[str, tuple[int, list[TicketEvent]]] = dataclasses.field(default_factory=dict)


def backfill(
    ctx: EngineContext,
    events: Iterable[TicketEvent | Mapping[str, Any]],
    *,
    batch_size: int = DEFAULT_BACKFILL_BATCH,
    progress: Progress | None = None,
) -> IngestResult:
    """Store ``events`` (any number, any order) in transactions of ``batch_size`` items."""
    if batch_size < 1:
        raise ConfigurationError(
            f"batch_size: {batch_size} is not a positive number of events", subject="batch_size"
        )
    if ctx.book.empty:
        raise ConfigurationError(
            "SLAEngine has no policies: pass policies=... to backfill events", subject="policies"
        )
    total = IngestResult()
    position = 0
    iterator = iter(events)
    while chunk := list(itertools.islice(iterator, batch_size)):
        valid, errors = check_items(chunk, position)
        position += len(chunk)
        first, duplicates, clashes = first_of_each_key(valid)
        done = _Stored()
        if first:
            done = ctx.backend.run(functools.partial(_store, ctx, events=first), write=True)
            ctx.cache.remember(done.cache)
        rejected = sorted([*errors, *clashes, *done.errors])
        total = total + IngestResult(
            stored=done.stored,
            duplicates=duplicates + done.duplicates,
            rejected=len(rejected),
            late=done.late,
            refolded=done.refolded,
            errors=tuple(rejected),
        )
        if progress is not None:
            progress(position)
    return total


def _store(ctx: EngineContext, conn: sa.Connection, *, events: Batch) -> _Stored:
    """One batch, one transaction: lock its tickets, write its new events, refold each ticket
    once from its whole stored history."""
    now = ctx.now()
    now_us = to_us(now, "now()")
    tickets = sorted({event.ticket_id for _, event in events.values()})
    locked = lock_tickets(ctx.backend, conn, tickets, create=True)
    inserted = write_events(conn, [event_values(e, stored_at=now) for _, e in events.values()])
    new_by_ticket, duplicates, errors = split_inserted(conn, events, inserted)
    done = _Stored(stored=len(inserted), duplicates=duplicates, errors=errors)
    for ticket_id, new in new_by_ticket.items():
        newest = locked[ticket_id][1]
        if newest is not None:
            done.late += sum(1 for e in new if e.at_us < newest)
    if new_by_ticket:
        stored = histories(ctx, conn, locked, new_by_ticket)
        bulk = conn.execution_options(**{BULK_COPY: True})  # clocks and outbox rows by COPY
        refold(ctx, bulk, stored, ctx.book, now, now_us)
        done.refolded = len(stored)
        done.cache = {t: (len(h), h) for t, h in stored.items()}
    return done
