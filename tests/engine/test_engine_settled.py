"""Settled clock cycles (``ticketsla.engine.settled``): a late event on a ticket with many settled
cycles rewrites only the clocks that can change, and leaves the store equal to a whole refold
and to a fresh engine's recalculation, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from engine_helpers import START, Clock
from engine_streams import policies as stream_policies

from ticketsla import PolicySet, SLAPolicy, TicketEvent, evaluate
from ticketsla.engine import SLAEngine
from ticketsla.engine.schema import clocks_table, outbox_table, tickets_table

TICKET = "CONV-1"


CHAT = {
    "name": "chat",
    "calendar": "24x7",
    "targets": {
        "first_response": {"all": "15m"},
        "next_response": {"all": "15m"},
        "resolution": {"all": "30d"},
    },
    "warnings": {"at": ["50%"]},
    "escalation": [
        {"when": "75%", "notify": "team-lead"},
        {"when": "breach", "notify": "head-of-support"},
    ],
}


def _policies(shape: str) -> PolicySet:
    """The tests' policies, or one whose replies breach now and then and escalate."""
    if shape == "stream":
        return stream_policies()
    return PolicySet([], default=SLAPolicy.from_mapping(CHAT))


def _conversation(size: int) -> list[TicketEvent]:
    """Customer messages and agent replies by turns, 10 or 20 minutes apart, with a solve and
    a reopen halfway: every message starts a cycle, so most cycles are settled."""
    events = [
        TicketEvent(
            ticket_id=TICKET,
            event_id="e-0",
            source="test",
            at=START,
            kind="created",
            priority="normal",
            status="new",
        )
    ]
    at = START
    for n in range(1, size):
        kind = "customer_message" if n % 2 else "agent_reply"
        fields: dict[str, Any] = {}
        if n == size // 2:
            kind, fields = "status_changed", {"status": "solved"}
        at += timedelta(minutes=20 if n % 6 == 2 else 10)
        events.append(
            TicketEvent(
                ticket_id=TICKET, event_id=f"e-{n}", source="test", at=at, kind=kind, **fields
            )
        )
    return events


def _late(n: int, after: datetime, kind: str = "internal_note", **fields: Any) -> TicketEvent:
    return TicketEvent(
        ticket_id=TICKET,
        event_id=f"late-{n}",
        source="test",
        at=after + timedelta(seconds=n + 1),
        kind=kind,
        **fields,
    )


def _store(engine: SLAEngine) -> dict[str, Any]:
    """The clock rows (their ``as_of`` apart), ticket rows and outbox of an engine's store."""
    with engine.sqlalchemy_engine.connect() as conn:
        clocks = sorted(
            tuple(r)
            for r in conn.execute(sa.select(*[c for c in clocks_table.c if c.name != "as_of"]))
        )
        tickets = [
            {**r._mapping, "updated_at": None, "fold_snapshot": None}
            for r in conn.execute(sa.select(tickets_table).order_by(tickets_table.c.ticket_id))
        ]
        columns = [c for c in outbox_table.c if c.name not in ("id", "created_at", "available_at")]
        outbox = [tuple(r) for r in conn.execute(sa.select(*columns).order_by(outbox_table.c.id))]
    return {"clocks": clocks, "tickets": tickets, "outbox": outbox}


def _as_of(engine: SLAEngine) -> tuple[set[Any], Any]:
    with engine.sqlalchemy_engine.connect() as conn:
        rows = {r.as_of for r in conn.execute(sa.select(clocks_table.c.as_of))}
        ticket = conn.execute(sa.select(tickets_table.c.as_of)).scalar_one()
    return rows, ticket


@pytest.mark.parametrize("shape", ["stream", "escalating"])
@pytest.mark.parametrize("cache", [20_000, 0], ids=["memory", "read-back"])
def test_a_late_event_among_many_settled_cycles_rewrites_only_what_can_change(
    db_url: str, tmp_path: Path, clock: Clock, cache: int, shape: str
) -> None:
    """The snapshot and log in memory, or read back each time: after each event the clocks are
    the pure fold's, the settled rows keep the instant they were written at, and the store
    equals that of an engine refolding the whole log each time; a fresh engine's
    recalculation finds nothing to change."""
    policies = _policies(shape)
    events = _conversation(240)
    last = events[-1]
    after = [
        _late(0, events[-3].at),
        _late(1, last.at + timedelta(minutes=5), "customer_message"),  # not late: as_of moves on
        _late(2, events[-5].at, "customer_message"),  # a new cycle among the last ones
        _late(3, events[-2].at, "agent_reply"),
        _late(4, events[-4].at, "priority_changed", priority="high"),  # every row shows it
        _late(5, events[-3].at),
    ]
    stores = []
    for url, refold_whole in ((db_url, False), (f"sqlite:///{tmp_path / 'whole.db'}", True)):
        clock.at = START + timedelta(days=3)
        with SLAEngine(url, policies=policies, now=clock, cache_tickets=cache) as engine:
            engine.ingest(events)
            for n, event in enumerate(after):
                clock.at += timedelta(minutes=5)
                if refold_whole:  # no snapshot to resume from: the whole log is refolded
                    engine._ctx.cache.clear()
                    with engine.sqlalchemy_engine.begin() as conn:
                        conn.execute(tickets_table.update().values(fold_snapshot=None))
                result = engine.ingest([event])
                assert (result.stored, result.late) == (1, 0 if n == 1 else 1)
                history = [*events, *after[: n + 1]]
                as_of = max(e.at for e in history) + timedelta(microseconds=1)
                assert engine.clocks(TICKET) == evaluate(history, policies, at=as_of).clocks
                rows, ticket = _as_of(engine)
                assert ticket in rows
                if n in (1, 2, 3) and not refold_whole:
                    assert len(rows) > 1  # settled rows keep the instant they were written at
                else:
                    assert len(rows) == 1
            stores.append(_store(engine))
    assert stores[0] == stores[1]
    with SLAEngine(db_url, policies=policies, now=clock, cache_tickets=cache) as fresh:
        assert fresh.recalculate(dry_run=False).changes == ()
        assert _store(fresh) == stores[0]
        rows, ticket = _as_of(fresh)
        assert rows == {ticket}


def test_a_snapshot_that_cannot_be_resumed_rewrites_the_ticket_whole(
    db_url: str, clock: Clock
) -> None:
    """A stored snapshot whose head names its settled cycles but whose state is damaged: the
    refold folds the whole log, and with the whole outbox in view records nothing twice."""
    policies = _policies("escalating")
    events = _conversation(120)
    clock.at = START + timedelta(days=3)
    with SLAEngine(db_url, policies=policies, now=clock, cache_tickets=0) as engine:
        engine.ingest(events)
        before = engine.notifications(TICKET)
        with engine.sqlalchemy_engine.begin() as conn:
            text = conn.execute(sa.select(tickets_table.c.fold_snapshot)).scalar_one()
            damaged = text.replace('"tally":{"by_solve"', '"tally":{"by_slove"', 1)
            assert damaged != text
            conn.execute(tickets_table.update().values(fold_snapshot=damaged))
        late = _late(0, events[-3].at)
        assert engine.ingest([late]).late == 1
        history = [*events, late]
        as_of = max(e.at for e in history) + timedelta(microseconds=1)
        assert engine.clocks(TICKET) == evaluate(history, policies, at=as_of).clocks
        assert engine.notifications(TICKET) == before
        rows, ticket = _as_of(engine)
        assert rows == {ticket}
