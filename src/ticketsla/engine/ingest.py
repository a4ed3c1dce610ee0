"""Ingestion: check the items, store the new events idempotently, refold their tickets.

Items are checked before any transaction (``ticketsla.engine.items``). Each batch is one
transaction: the events (``ON CONFLICT DO NOTHING`` on their key), the refolded clocks and the
notifications that follow from them are written at once.

The transaction holds the batch's ticket rows locked (PostgreSQL) or the database's write lock
(SQLite), so what needs no lock is done before it: the event rows are built and each ticket is
folded with the batch's events (``ticketsla.engine.prefold``). Under the lock a ticket whose
stored events are still exactly those folded keeps that fold; the others are folded there.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from .._instants import to_us
from ..errors import ConfigurationError
from ..events import TicketEvent
from ..fold_snapshot import FoldSnapshot
from .context import EngineContext, History
from .items import Rejection, check_items, first_of_each_key
from .policybook import PolicyBook
from .prefold import Prefolded, prefold, still_holds
from .refold import refold
from .results import IngestResult
from .schema import event_values, events_table
from .tails import Tail, load_tails
from .tickets import Locked, load_events, lock_tickets, owners

__all__ = ["histories", "ingest", "split_inserted"]

Batch = dict[tuple[str, str], tuple[int, TicketEvent]]  # key: (input position, event)


@dataclass(slots=True)
class _StoreOutcome:
    stored: int = 0
    duplicates: int = 0
    late: int = 0
    refolded: int = 0
    errors: list[Rejection] = field(default_factory=list)
    cache: dict[str, History] = field(default_factory=dict)
    snapshots: dict[str, FoldSnapshot | None] = field(default_factory=dict)


def ingest(ctx: EngineContext, events: Iterable[TicketEvent | Mapping[str, Any]]) -> IngestResult:
    """``SLAEngine.ingest``: every item checked, the valid ones stored batch by batch."""
    if ctx.book.empty:
        raise ConfigurationError(
            "SLAEngine has no policies: pass policies=... to ingest events", subject="policies"
        )
    total = IngestResult()
    position = 0
    iterator = iter(events)
    while True:
        chunk = list(itertools.islice(iterator, ctx.batch_size))
        if not chunk:
            return total
        valid, errors = check_items(chunk, position)
        position += len(chunk)
        result = IngestResult(rejected=len(errors), errors=tuple(errors))
        if valid:
            result = result + _ingest_batch(ctx, valid)
            result = dataclasses.replace(result, errors=tuple(sorted(result.errors)))
        total = total + result


def _ingest_batch(ctx: EngineContext, batch: list[tuple[int, TicketEvent]]) -> IngestResult:
    first, duplicates, clashes = first_of_each_key(batch)
    ready = _prepare(ctx, first)
    outcome = ctx.backend.run(lambda conn: _store(ctx, conn, first, ready), write=True)
    ctx.cache.remember(outcome.cache, outcome.snapshots)
    errors = sorted([*clashes, *outcome.errors])
    return IngestResult(
        stored=outcome.stored,
        duplicates=duplicates + outcome.duplicates,
        rejected=len(errors),
        late=outcome.late,
        refolded=outcome.refolded,
        errors=tuple(errors),
    )


@dataclass(frozen=True, slots=True)
class _Prepared:
    """What a batch needs that no ticket lock guards, made before its transaction so that
    other writers wait less for its tickets: the fold of each ticket (``engine.prefold``) and
    the event rows."""

    book: PolicyBook
    folded: Mapping[str, Prefolded]
    rows: list[dict[str, Any]]  # ``stored_at`` is set in the transaction that stores them


def _prepare(ctx: EngineContext, events: Batch) -> _Prepared:
    book = ctx.book
    batch = [e for _, e in events.values()]
    now = ctx.now()
    rows = [event_values(e, stored_at=now) for e in batch]
    return _Prepared(book, prefold(ctx, book, batch), rows)


def _store(
    ctx: EngineContext, conn: sa.Connection, events: Batch, ready: _Prepared
) -> _StoreOutcome:
    now = ctx.now()
    now_us = to_us(now, "now()")
    tickets = sorted({e.ticket_id for _, e in events.values()})
    locked = lock_tickets(ctx.backend, conn, tickets, create=True)
    for row in ready.rows:
        row["stored_at"] = now
    returned = ctx.backend.insert_rows(
        conn,
        events_table,
        ready.rows,
        conflict=("source", "event_id"),
        returning=("source", "event_id"),
    )
    inserted = {(r[0], r[1]) for r in returned}
    new_by_ticket, duplicates, errors = split_inserted(conn, events, inserted)
    outcome = _StoreOutcome(stored=len(inserted), duplicates=duplicates, errors=errors)
    for ticket_id, new in new_by_ticket.items():
        previous = locked[ticket_id][1]
        if previous is not None:
            outcome.late += sum(1 for e in new if e.at_us < previous)
    if new_by_ticket:
        book, folded = ready.book, ready.folded
        if ctx.book is not book:  # the policies changed since the batch was folded
            book, folded = ctx.book, {}
        key = ctx.snapshot_key(book)
        held = {
            ticket_id: done
            for ticket_id, done in folded.items()
            if ticket_id in new_by_ticket
            and still_holds(done, locked[ticket_id][0], new_by_ticket[ticket_id], key)
        }
        rest = {t: new for t, new in new_by_ticket.items() if t not in held}
        tails: dict[str, Tail] = {}
        logs = histories(ctx, conn, locked, rest, tails)
        logs.update((ticket_id, done.ordered) for ticket_id, done in held.items())
        results = {ticket_id: done.folded for ticket_id, done in held.items()}
        refold(ctx, conn, logs, book, now, now_us, outcome.snapshots, tails, results)
        outcome.refolded = len(logs) + len(tails)
        outcome.cache = {t: (len(h), h) for t, h in logs.items()}
    return outcome


def split_inserted(
    conn: sa.Connection, events: Batch, inserted: set[tuple[str, str]]
) -> tuple[dict[str, list[TicketEvent]], int, list[Rejection]]:
    """The batch's new events by ticket, and its keys that were stored before: a duplicate when
    stored for the same ticket, else a rejection naming both tickets."""
    new_by_ticket: dict[str, list[TicketEvent]] = defaultdict(list)
    known: list[tuple[str, str]] = []
    for key, (_, event) in events.items():
        if key in inserted:
            new_by_ticket[event.ticket_id].append(event)
        else:
            known.append(key)
    duplicates = 0
    errors: list[Rejection] = []
    owner_of = owners(conn, known) if known else {}
    for key in known:
        index, event = events[key]
        owner = owner_of.get(key)
        if owner is None or owner == event.ticket_id:
            duplicates += 1
            continue
        errors.append(
            Rejection(
                index,
                f"event {event.event_id!r} of source {event.source!r} is stored for "
                f"ticket {owner!r}, not {event.ticket_id!r}: event ids are unique "
                "within their source",
                key,
                "ticket_id",
            )
        )
    return new_by_ticket, duplicates, errors


def histories(
    ctx: EngineContext,
    conn: sa.Connection,
    locked: Locked,
    new_by_ticket: Mapping[str, list[TicketEvent]],
    tails: dict[str, Tail] | None = None,
) -> dict[str, list[TicketEvent]]:
    """Every stored event of each ticket: from the cache when it holds exactly what the
    locked ticket row counts, else from the log. With ``tails``, a ticket not in the cache whose
    fold snapshot holds gets only its events after the snapshot, put there instead."""
    found: dict[str, list[TicketEvent]] = {}
    missing: list[str] = []
    with ctx.cache.lock:
        for ticket_id, new in new_by_ticket.items():
            stored = locked[ticket_id][0]
            cached = ctx.cache.get(ticket_id)
            if stored == 0:
                found[ticket_id] = list(new)
            elif cached is not None and cached[0] == stored:
                found[ticket_id] = [*cached[1], *new]
            else:
                missing.append(ticket_id)
    if tails is not None and missing:
        tails.update(load_tails(ctx, conn, missing, ctx.snapshot_key(ctx.book)))
        missing = [t for t in missing if t not in tails]
    found.update(load_events(conn, missing))
    return found
