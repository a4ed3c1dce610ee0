"""Writers racing on the same tickets: each folds its batch before it locks the tickets, and
another writer may store events for them in between. Whatever the interleaving, the store ends
exactly as the pure ``evaluate()`` of each ticket's events and as a fresh recalculation of it."""

from __future__ import annotations

import multiprocessing
import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from engine_streams import policies, stream
from engine_workers import round_robin_stream, round_robin_worker

from ticketsla import TicketEvent, evaluate
from ticketsla.engine import SLAEngine
from ticketsla.engine.schema import clocks_table, outbox_table, tickets_table
from ticketsla.hookspecs import hookimpl

SPAWN = multiprocessing.get_context("forkserver")
SPAWN.set_forkserver_preload(["engine_workers"])


class _OtherWriterMidFold:
    """A response rule with no opinion of its own (the built-in rule answers) that, the first
    time it is asked once ``batch`` is set, has ``other`` store it. It is asked while this
    engine folds its batch, which it does before locking the batch's tickets: the other
    writer's commit lands between this writer's read of the tickets and its locks."""

    def __init__(self) -> None:
        self.other: SLAEngine | None = None
        self.batch: list[TicketEvent] | None = None
        self.stored = 0

    @hookimpl
    def ticketsla_counts_as_response(self, event: TicketEvent) -> bool | None:
        if self.batch is not None and self.other is not None:
            batch, self.batch = self.batch, None
            self.stored = self.other.ingest(batch).stored
        return None


def _rows(db: sa.Engine, table: sa.Table, leave_out: tuple[str, ...] = ()) -> list[Any]:
    columns = [c for c in table.c if c.name not in leave_out]
    with db.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(sa.select(*columns)))


def _assert_pure_and_recalculated(url: str, events: list[TicketEvent], now: datetime) -> None:
    """Every ticket's stored clocks and row are those of the pure fold of its events; a fresh
    recalculation finds nothing to change and writes the same clock and ticket rows."""
    by_ticket: dict[str, dict[tuple[str, str], TicketEvent]] = defaultdict(dict)
    for event in events:
        by_ticket[event.ticket_id].setdefault(event.key, event)
    with SLAEngine(url, policies=policies(), now=now, cache_tickets=0) as engine:
        for ticket_id, keyed in by_ticket.items():
            history = list(keyed.values())
            as_of = max(e.at for e in history) + timedelta(microseconds=1)  # as the engine folds
            pure = evaluate(history, engine.policies, at=as_of)
            assert engine.clocks(ticket_id) == pure.clocks, ticket_id
        db = engine.sqlalchemy_engine
        with db.connect() as conn:
            query = sa.select(tickets_table.c.ticket_id, tickets_table.c.events)
            counts = {row.ticket_id: row.events for row in conn.execute(query)}
        assert counts == {t: len(keyed) for t, keyed in by_ticket.items()}
        before = (
            _rows(db, clocks_table),
            _rows(db, tickets_table, ("fold_snapshot", "updated_at")),
            _rows(db, outbox_table),
        )
        report = engine.recalculate()
        assert (report.tickets_checked, report.changes) == (len(by_ticket), ())
        engine.recalculate(dry_run=False)
        after = (
            _rows(db, clocks_table),
            _rows(db, tickets_table, ("fold_snapshot", "updated_at")),
            _rows(db, outbox_table),
        )
        assert after == before


def test_a_writer_whose_tickets_change_while_it_folds_stores_the_pure_fold(db_url: str) -> None:
    """Writer A folds a batch; before it locks the tickets, writer B stores other events of
    many of the same tickets. A's folds of those tickets no longer hold and are redone under
    the lock; its folds of the tickets B left alone are kept."""
    events = stream(600, seed=21)
    now = events[-1].at + timedelta(days=1)
    cut = len(events) * 2 // 5
    rng = random.Random(22)
    later_a: list[TicketEvent] = []
    later_b: list[TicketEvent] = []
    for event in events[cut:]:
        (later_a if rng.random() < 0.5 else later_b).append(event)
    racer = _OtherWriterMidFold()
    with (
        SLAEngine(db_url, policies=policies(), now=now) as other,
        SLAEngine(db_url, policies=policies(), now=now, plugins=[racer]) as writer,
    ):
        writer.ingest(events[:cut])  # the tickets' first events: stored, and in A's cache
        racer.other, racer.batch = other, later_b
        result = writer.ingest(later_a)
    assert racer.batch is None
    assert racer.stored == len(later_b)
    assert (result.stored, result.duplicates, result.rejected) == (len(later_a), 0, 0)
    a_tickets = {e.ticket_id for e in later_a}
    b_tickets = {e.ticket_id for e in later_b}
    assert a_tickets & b_tickets
    assert a_tickets - b_tickets
    _assert_pure_and_recalculated(db_url, events, now)


def test_two_processes_writing_the_same_tickets_store_the_pure_fold(db_url: str) -> None:
    """Two processes take turns over one stream's batches (each batch holds events of tickets
    the other writes too, and some redeliveries), at the same time: the store is the pure
    fold of every ticket."""
    n_events, seed = 1_500, 31
    now = (datetime.fromisoformat("2026-05-01T00:00:00+00:00")).isoformat()
    with SLAEngine(db_url, policies=policies()):
        pass  # the schema exists before the writers race
    writers = [
        SPAWN.Process(target=round_robin_worker, args=(db_url, n_events, seed, n, 2, now))
        for n in range(2)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=600)
    assert [w.exitcode for w in writers] == [0, 0]
    _assert_pure_and_recalculated(
        db_url, round_robin_stream(n_events, seed), datetime.fromisoformat(now)
    )
