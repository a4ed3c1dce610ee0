"""Fold snapshots in the engine: a long ticket ingested in many batches, with late events, keeps
exactly the state the pure fold gives over its whole history, whether the refold resumes from the
snapshot in memory, from the one stored with the ticket, or from none (stale or damaged)."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from engine_helpers import START, Clock
from engine_streams import policies as stream_policies

from ticketsla import PolicySet, SLAPolicy, TicketEvent, evaluate
from ticketsla.engine import SLAEngine
from ticketsla.engine.schema import tickets_table
from ticketsla.fold_snapshot import SNAPSHOT_LAG, FoldSnapshot, snapshot_key
from ticketsla.hookspecs import hookimpl


def _long_ticket(ticket_id: str, rounds: int, seed: int) -> list[TicketEvent]:
    """A ticket solved and reopened ``rounds`` times: many cycles, priority changes, waits."""
    rng = random.Random(seed)
    events: list[TicketEvent] = []
    now = START

    def add(kind: str, minutes: float, **fields: object) -> None:
        nonlocal now
        now = now + timedelta(minutes=minutes, microseconds=rng.randrange(1_000_000))
        events.append(
            TicketEvent(
                ticket_id=ticket_id,
                event_id=f"{ticket_id}-{len(events) + 1}",
                source="test",
                at=now,
                kind=kind,
                **fields,
            )
        )

    add("created", 0, status="new", priority="normal", actor="customer")
    for _ in range(rounds):
        add("agent_reply", rng.uniform(5, 300))
        if rng.random() < 0.4:
            add("status_changed", rng.uniform(1, 5), status="pending")
        add("customer_message", rng.uniform(10, 600))
        if rng.random() < 0.2:
            add("priority_changed", rng.uniform(1, 30), priority=rng.choice(["high", "normal"]))
        add("agent_reply", rng.uniform(5, 200))
        add("status_changed", rng.uniform(1, 120), status="solved")
        add("customer_message", rng.uniform(60, 3000))  # reopens: a new cycle
    return events


def _deliveries(events: list[TicketEvent], seed: int) -> list[list[TicketEvent]]:
    """The events in batches of 1-12, about one in six held back and delivered some batches
    later: late events that land among the last few (resumable) or far back (whole refold)."""
    rng = random.Random(seed)
    held: list[tuple[int, TicketEvent]] = []
    batches: list[list[TicketEvent]] = []
    position = 0
    while position < len(events) or held:
        size = rng.randint(1, 12)
        batch: list[TicketEvent] = []
        for event in events[position : position + size]:
            if rng.random() < 1 / 6:
                held.append((len(batches) + rng.choice([1, 2, 20]), event))
            else:
                batch.append(event)
        position += size
        due = [e for when, e in held if when <= len(batches) or position >= len(events)]
        held = [(when, e) for when, e in held if e not in due]
        batches.append(batch + due)
    return batches


def _assert_pure(engine: SLAEngine, ticket_id: str, history: list[TicketEvent]) -> None:
    as_of = max(e.at for e in history) + timedelta(microseconds=1)  # as the engine folds
    pure = evaluate(history, engine.policies, at=as_of)
    assert engine.clocks(ticket_id) == pure.clocks
    with engine.sqlalchemy_engine.connect() as conn:
        row = conn.execute(
            sa.select(tickets_table).where(tickets_table.c.ticket_id == ticket_id)
        ).one()
    assert (row.policy, row.priority, row.status) == (
        pure.policy,
        None if pure.priority is None else str(pure.priority),
        None if pure.status is None else str(pure.status),
    )
    assert row.events == len(history)


def _stored_snapshot(engine: SLAEngine, ticket_id: str) -> FoldSnapshot | None:
    with engine.sqlalchemy_engine.connect() as conn:
        text = conn.execute(
            sa.select(tickets_table.c.fold_snapshot).where(tickets_table.c.ticket_id == ticket_id)
        ).scalar_one()
    return None if text is None else FoldSnapshot.from_json(text)


def test_long_ticket_in_many_batches_with_late_events_keeps_the_pure_state(
    db_url: str, clock: Clock
) -> None:
    policies = stream_policies()
    events = _long_ticket("LONG-1", rounds=40, seed=3)
    clock.at = START + timedelta(days=400)
    delivered: list[TicketEvent] = []
    with SLAEngine(db_url, policies=policies, now=clock) as engine:
        late = 0
        for batch in _deliveries(events, seed=4):
            late += engine.ingest(batch).late
            delivered.extend(batch)
            _assert_pure(engine, "LONG-1", delivered)
        assert late > 0
        assert sorted(e.event_id for e in delivered) == sorted(e.event_id for e in events)
        stored = _stored_snapshot(engine, "LONG-1")
        assert stored is not None
        assert len(events) - 2 * SNAPSHOT_LAG < stored.count <= len(events) - SNAPSHOT_LAG
        assert stored.key == snapshot_key(policies)


def test_a_new_engine_resumes_from_the_stored_snapshot(db_url: str, clock: Clock) -> None:
    """Memory empty: the snapshot comes from the ticket row; one of a late event before it, a
    damaged one, and one of other policies are not used, and the answers stay those of the
    pure fold."""
    policies = stream_policies()
    events = _long_ticket("LONG-2", rounds=15, seed=5)
    clock.at = START + timedelta(days=400)
    first, rest = events[:-6], events[-6:]
    with SLAEngine(db_url, policies=policies, now=clock) as engine:
        engine.ingest(first[:-40] + first[-39:])  # one event held back, sorting far back later
    with SLAEngine(db_url, policies=policies, now=clock) as engine:
        engine.ingest(rest[:2])  # resumes from the stored snapshot
        _assert_pure(engine, "LONG-2", first[:-40] + first[-39:] + rest[:2])
    with SLAEngine(db_url, policies=policies, now=clock) as engine:
        engine.ingest([first[-40]])  # sorts before the stored snapshot's last event
        _assert_pure(engine, "LONG-2", [*first, *rest[:2]])
        with engine.sqlalchemy_engine.begin() as conn:
            conn.execute(tickets_table.update().values(fold_snapshot='{"format": 1, "key"'))
    with SLAEngine(db_url, policies=policies, now=clock) as engine:
        engine.ingest(rest[2:4])  # the damaged snapshot is replaced
        _assert_pure(engine, "LONG-2", [*first, *rest[:4]])
        assert _stored_snapshot(engine, "LONG-2") is not None


def test_recalculate_under_other_policies_folds_the_whole_history(
    db_url: str, clock: Clock
) -> None:
    """A snapshot taken under other policies is stale: the new ones fold from the start."""
    policies = stream_policies()
    events = _long_ticket("LONG-3", rounds=12, seed=6)
    clock.at = START + timedelta(days=400)
    strict = SLAPolicy.from_mapping(
        {
            "name": "strict",
            "calendar": "24x7",
            "match": {"priority": ["urgent", "high", "normal", "low"]},
            "targets": {
                "first_response": {"all": "20m"},
                "next_response": {"all": "40m"},
                "resolution": {"all": "2h"},
            },
            "warnings": {"at": ["50%"]},
        }
    )
    stricter = PolicySet([strict], default=policies.default)
    with SLAEngine(db_url, policies=policies, now=clock) as engine:
        engine.ingest(events[:-3])
        engine.recalculate(stricter, dry_run=False)
        _assert_pure(engine, "LONG-3", events[:-3])
        stored = _stored_snapshot(engine, "LONG-3")
        assert stored is not None
        assert stored.key == snapshot_key(stricter)
        engine.ingest(events[-3:])
        _assert_pure(engine, "LONG-3", events)


class NoReplyCounts:
    """A response rule under which no agent reply fulfils a response target."""

    @hookimpl
    def ticketsla_counts_as_response(self, event: TicketEvent) -> bool | None:
        return False


def test_a_snapshot_taken_under_other_plugins_is_not_resumed(db_url: str, clock: Clock) -> None:
    """A response rule changes answers, so it is part of the snapshot's key: an engine without
    it folds the whole history, and the answers are those of the pure fold without it."""
    policies = stream_policies()
    events = _long_ticket("LONG-4", rounds=12, seed=7)
    clock.at = START + timedelta(days=400)
    with SLAEngine(db_url, policies=policies, now=clock, plugins=[NoReplyCounts()]) as engine:
        engine.ingest(events[:-3])
        stored = _stored_snapshot(engine, "LONG-4")
        assert stored is not None
        assert stored.key != snapshot_key(policies)
    with SLAEngine(db_url, policies=policies, now=clock) as engine:
        engine.ingest(events[-3:])
        _assert_pure(engine, "LONG-4", events)
        stored = _stored_snapshot(engine, "LONG-4")
        assert stored is not None
        assert stored.key == snapshot_key(policies)


def _with_fcr(definition: object) -> PolicySet:
    from engine_streams import POLICY_MAPPINGS

    urgent, standard = (
        SLAPolicy.from_mapping({**m, "outcomes": {"fcr": definition}}) for m in POLICY_MAPPINGS
    )
    return PolicySet([urgent], default=standard)


@pytest.mark.parametrize(
    "definition",
    ["one_touch", "no_customer_followup", {"definition": "no_reopen_within", "window": "2d"}],
)
def test_refolds_from_the_log_tail_write_what_refolds_from_memory_write(
    db_url: str, tmp_path: Path, clock: Clock, definition: object
) -> None:
    """An engine that keeps nothing in memory reads back only the events after each ticket's
    snapshot (and the whole log when the FCR verdict needs it): its clocks, ticket rows and
    outbox equal those of an engine that refolds from the logs it keeps in memory."""
    policies = _with_fcr(definition)
    tickets = {f"TAIL-{n}": _long_ticket(f"TAIL-{n}", rounds=14, seed=20 + n) for n in range(3)}
    clock.at = START + timedelta(days=400)
    urls = [f"sqlite:///{tmp_path / 'memory.db'}", db_url]
    engines = [
        SLAEngine(urls[0], policies=policies, now=clock),
        SLAEngine(urls[1], policies=policies, now=clock, cache_tickets=0),
    ]
    try:
        plans = [_deliveries(events, seed=7 + n) for n, events in enumerate(tickets.values())]
        for step in range(max(len(p) for p in plans)):
            batch = [e for p in plans if step < len(p) for e in p[step]]
            clock.at += timedelta(hours=7)
            results = [engine.ingest(batch) for engine in engines]
            assert results[0] == results[1]
        for ticket_id, events in tickets.items():
            _assert_pure(engines[1], ticket_id, events)
            memory, tail = (engine.notifications(ticket_id) for engine in engines)
            assert memory == tail
            assert engines[0].clocks(ticket_id) == engines[1].clocks(ticket_id)
        rows = []
        for engine in engines:
            with engine.sqlalchemy_engine.connect() as conn:
                found = conn.execute(sa.select(tickets_table).order_by(tickets_table.c.ticket_id))
                rows.append([{**r._mapping, "updated_at": None} for r in found])
        assert rows[0] == rows[1]
    finally:
        for engine in engines:
            engine.close()
