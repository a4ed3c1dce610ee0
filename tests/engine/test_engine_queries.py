"""Queries over every ticket: at_risk, breached and counts, each one indexed SQL statement."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from engine_helpers import START, Clock
from engine_streams import stream

from ticketsla import ClockStatus, PolicySet, SLAPolicy
from ticketsla.engine import SLAEngine
from ticketsla.testing import EventBuilder, RecordingNotifier


def _tickets(engine: SLAEngine, minutes: list[int]) -> None:
    """One ticket per entry, created that many minutes after START (first response 1h)."""
    events = []
    for number, minute in enumerate(minutes):
        builder = EventBuilder(f"T-{number}", start=START + timedelta(minutes=minute))
        builder.created()
        events.extend(builder.events)
    engine.ingest(events)


def test_at_risk_lists_running_clocks_due_in_the_window_soonest_first(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """at_risk returns running clocks due within [at, at + within], ordered by due time."""
    with SLAEngine(db_url, policies=policy, now=clock) as engine:
        _tickets(engine, [30, 0, 50, 200, 10])
        found = engine.at_risk(within=timedelta(minutes=45), at=START + timedelta(minutes=40))
        assert [(c.ticket_id, c.metric) for c in found] == [
            ("T-1", "first_response"),  # due 10:00
            ("T-4", "first_response"),  # due 10:10
        ]
        assert all(c.status is ClockStatus.RUNNING for c in found)
        assert [c.due_at for c in found] == sorted(c.due_at for c in found)
        assert found[0].due_at == START + timedelta(hours=1)
        assert len(engine.at_risk(within=timedelta(hours=2), at=START, limit=2)) == 2
        clock.at = START + timedelta(minutes=40)
        assert engine.at_risk(timedelta(minutes=45)) == found  # at=None reads the engine's now


def test_breached_lists_open_clocks_past_due(db_url: str, policy: SLAPolicy, clock: Clock) -> None:
    """breached returns open clocks whose breach happened by at, longest breached first."""
    with SLAEngine(db_url, policies=policy, now=clock) as engine:
        _tickets(engine, [30, 0, 50])
        at = START + timedelta(minutes=100)
        found = engine.breached(at=at)
        assert [c.ticket_id for c in found] == ["T-1", "T-0"]  # due 10:00 and 10:30; 10:50 is not
        reply = EventBuilder("T-1", start=START + timedelta(minutes=20))
        reply.agent_reply()
        reply.events[0] = type(reply.events[0]).from_dict(
            {**reply.events[0].to_dict(), "event_id": "reply-1"}
        )
        engine.ingest(reply.events)  # answered in time: no longer breached
        assert [c.ticket_id for c in engine.breached(at=at)] == ["T-0"]


def test_counts_per_policy_priority_and_metric(
    db_url: str, mixed_policies: PolicySet, clock: Clock
) -> None:
    """counts agrees with the stored clocks counted one by one."""
    events = stream(1500, seed=3)
    at = START + timedelta(days=8)
    with SLAEngine(db_url, policies=mixed_policies, now=clock) as engine:
        engine.ingest(events)
        counted = engine.counts(at=at, within=timedelta(hours=4))
        expected: dict[tuple[Any, ...], list[int]] = {}
        for ticket_id in sorted({e.ticket_id for e in events}):
            for state in engine.clocks(ticket_id):
                if state.status not in (ClockStatus.RUNNING, ClockStatus.PAUSED):
                    continue
                key = (
                    state.policy,
                    None if state.priority is None else str(state.priority),
                    state.metric,
                )
                row = expected.setdefault(key, [0, 0, 0, 0])
                row[0] += 1
                running = state.status is ClockStatus.RUNNING
                row[1] += running
                due = state.deadline
                row[2] += running and due is not None and at <= due <= at + timedelta(hours=4)
                breach = state.breached_at or (state.deadline if running else None)
                row[3] += breach is not None and breach < at
        got = {
            (c.policy, c.priority, c.metric): [c.open, c.running, c.at_risk, c.breached]
            for c in counted
        }
        assert got == expected
        assert all(c.paused == c.open - c.running for c in counted)
        assert sum(c.open for c in counted) > 0


@contextmanager
def _statements(engine: SLAEngine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        seen.append((statement, parameters))

    sa.event.listen(engine.sqlalchemy_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine.sqlalchemy_engine, "before_cursor_execute", record)


def _plan(engine: SLAEngine, statement: str, parameters: Any) -> str:
    with engine.sqlalchemy_engine.connect() as conn, conn.begin():
        if engine.dialect == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(str(r[-1]) for r in rows)
        # a tiny table is cheapest to read whole; forbid that to see what the index can serve
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters)
        return "\n".join(str(r[0]) for r in rows)


def test_queries_are_served_by_their_indexes(db_url: str, policy: SLAPolicy, clock: Clock) -> None:
    """EXPLAIN shows at_risk, breached, counts, the scanner and the drainer reading their index."""
    notifier = RecordingNotifier()  # the drainer claims rows only when someone listens
    with SLAEngine(db_url, policies=policy, now=clock, plugins=[notifier]) as engine:
        _tickets(engine, list(range(0, 600, 7)))
        calls = {
            "ix_ticketsla_clocks_due": lambda: engine.at_risk(at=START),
            "ix_ticketsla_clocks_open_breach": lambda: engine.breached(
                at=START + timedelta(hours=3)
            ),
            "ix_ticketsla_clocks_counts": lambda: engine.counts(at=START),
            "ix_ticketsla_clocks_next_alert": lambda: engine.scan(at=START),
            "ix_ticketsla_outbox_pending": lambda: engine.drain(),
            "ix_ticketsla_outbox_no_listener": lambda: engine.drain(),
        }
        for index, call in calls.items():
            with _statements(engine) as seen:
                call()
            # drain first looks for rows left without a listener, then claims pending ones
            requeue = index == "ix_ticketsla_outbox_no_listener"
            statement, parameters = next(
                (s, p)
                for s, p in seen
                if s.lstrip().startswith("SELECT") and ("'no_listener'" in s) == requeue
            )
            plan = _plan(engine, statement, parameters)
            assert index in plan, f"{index} not used by {statement!r}:\n{plan}"
            assert "TEMP B-TREE" not in plan, plan
