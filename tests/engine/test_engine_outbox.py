"""Scanning and delivery: warnings, breaches, fulfilments and retractions through the outbox."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from engine_helpers import START, Clock, simple_policy

from ticketsla import SLAPolicy, TicketEvent
from ticketsla.engine import SLAEngine
from ticketsla.engine.schema import outbox_table
from ticketsla.hookspecs import hookimpl
from ticketsla.notifications import Notification
from ticketsla.testing import EventBuilder, RecordingNotifier


def _created(ticket_id: str = "T-1", **fields: object) -> list[TicketEvent]:
    events = EventBuilder(ticket_id, start=START)
    events.created(**fields)
    return events.events


def _event(
    ticket_id: str, event_id: str, minutes: float, kind: str, **fields: object
) -> TicketEvent:
    return TicketEvent(
        ticket_id=ticket_id,
        event_id=event_id,
        source="test",
        at=START + timedelta(minutes=minutes),
        kind=kind,
        **fields,
    )


def _outbox(engine: SLAEngine) -> list[tuple[str, str, int, str, str, int, str]]:
    o = outbox_table.c
    query = sa.select(o.ticket_id, o.metric, o.cycle, o.kind, o.level, o.round, o.state).order_by(
        o.id
    )
    with engine.sqlalchemy_engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]  # type: ignore[misc]


def _seen(recorder: RecordingNotifier) -> list[tuple[str, str, str, str]]:
    return [(hook, n.metric, str(n.kind), n.level) for hook, n in recorder.calls]


def test_scan_records_each_due_warning_and_breach_once(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """scan records what has come due, once however often it runs; drain delivers it in order."""
    recorder = RecordingNotifier()
    with SLAEngine(db_url, policies=policy, now=clock, plugins=[recorder]) as engine:
        engine.ingest(_created())
        assert engine.scan(at=START + timedelta(minutes=20)).warnings == 0
        first = engine.scan(at=START + timedelta(minutes=40))
        assert (first.tickets, first.warnings, first.breaches) == (1, 1, 0)
        assert engine.scan(at=START + timedelta(minutes=40)).warnings == 0
        later = engine.scan(at=START + timedelta(hours=2))
        assert (later.warnings, later.breaches) == (1, 1)
        assert engine.scan(at=START + timedelta(hours=2)) == engine.scan(
            at=START + timedelta(hours=2)
        )
        assert engine.pending() == 3
        assert engine.drain().delivered == 3
        assert engine.drain().delivered == 0
        assert _seen(recorder) == [
            ("ticketsla_sla_warning", "first_response", "warning", "50%"),
            ("ticketsla_sla_warning", "first_response", "warning", "75%"),
            ("ticketsla_sla_breached", "first_response", "breach", "breach"),
        ]
        breach = recorder.notifications[-1]
        assert breach.due_at == breach.at == START + timedelta(hours=1)
        assert breach.target == timedelta(hours=1)
        assert breach.policy == "simple"
        assert engine.pending() == 0


def test_breach_is_exactly_after_the_due_instant(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """At the due instant the clock is not breached; one microsecond later it is recorded."""
    with SLAEngine(db_url, policies=policy, now=clock) as engine:
        engine.ingest(_created())
        due = START + timedelta(hours=1)
        assert engine.scan(at=due).breaches == 0
        assert engine.scan(at=due + timedelta(microseconds=1)).breaches == 1


def test_late_event_retracts_a_breach_and_keeps_its_history(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """A late reply that shows the target was met records retractions; the breach row stays."""
    recorder = RecordingNotifier()
    clock.at = START + timedelta(hours=2)
    with SLAEngine(db_url, policies=policy, now=clock, plugins=[recorder]) as engine:
        engine.ingest(_created())
        engine.scan()
        engine.drain()
        recorder.clear()
        engine.ingest([_event("T-1", "late-reply", 20, "agent_reply")])
        engine.drain()
        assert sorted(_seen(recorder)) == [
            ("ticketsla_sla_breached", "first_response", "retraction", "breach"),
            ("ticketsla_sla_fulfilled", "first_response", "fulfilled", "met"),
            ("ticketsla_sla_warning", "first_response", "retraction", "50%"),
            ("ticketsla_sla_warning", "first_response", "retraction", "75%"),
        ]
        kinds = Counter((kind, level) for _, _, _, kind, level, _, _ in _outbox(engine))
        assert kinds[("breach", "breach")] == 1
        assert kinds[("retraction", "breach")] == 1
        assert not engine.is_breached("T-1", "first_response")


def test_breach_again_after_a_retraction_is_a_new_round(db_url: str, clock: Clock) -> None:
    """A retracted breach that comes true again later is recorded and delivered as round 2."""
    policy = simple_policy(targets={"first_response": {"normal": "1h", "low": "4h"}})
    recorder = RecordingNotifier()
    clock.at = START + timedelta(hours=2)
    with SLAEngine(db_url, policies=policy, now=clock, plugins=[recorder]) as engine:
        engine.ingest(_created())
        engine.scan()
        engine.ingest([_event("T-1", "lower", 10, "priority_changed", priority="low")])
        assert not engine.is_breached("T-1", "first_response")
        engine.scan(at=START + timedelta(hours=5))
        engine.drain()
        breaches = [
            (kind, rnd) for _, m, _, kind, level, rnd, _ in _outbox(engine) if level == "breach"
        ]
        assert breaches == [("breach", 1), ("retraction", 1), ("breach", 2)]
        assert [str(n.kind) for n in recorder.notifications if n.level == "breach"] == [
            "breach",
            "retraction",
            "breach",
        ]


def test_fulfilment_is_recorded_with_its_verdict(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """A clock that stops is announced once as met or missed."""
    recorder = RecordingNotifier()
    with SLAEngine(db_url, policies=policy, now=clock, plugins=[recorder]) as engine:
        engine.ingest(_created("T-1") + _created("T-2"))
        engine.ingest(
            [
                _event("T-1", "r1", 30, "agent_reply"),
                _event("T-2", "r2", 90, "agent_reply"),
            ]
        )
        engine.ingest([_event("T-1", "note", 31, "internal_note")])  # refolds, no new verdict
        engine.drain()
        fulfilled = sorted((n.ticket_id, n.level) for n in recorder.of_kind("fulfilled"))
        assert fulfilled == [("T-1", "met"), ("T-2", "missed")]


class Flaky:
    """A notifier that fails its first ``failures`` calls."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.delivered: list[Notification] = []

    @hookimpl
    def ticketsla_sla_warning(self, notification: Notification) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("smtp is down")
        self.delivered.append(notification)


def test_failing_hook_keeps_the_row_for_a_retry_with_backoff(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """A hook that raises leaves the notification pending; it is retried after a backoff."""
    flaky = Flaky(failures=1)
    with SLAEngine(db_url, policies=policy, now=clock, plugins=[flaky]) as engine:
        engine.ingest(_created())
        engine.scan(at=START + timedelta(minutes=31))
        assert (engine.drain().delivered, engine.pending()) == (0, 1)
        rows = _outbox(engine)
        assert rows[0][-1] == "pending"
        assert engine.drain().delivered == 0  # not before the backoff ends
        clock.advance(seconds=5)
        assert engine.drain().delivered == 1
        assert [n.level for n in flaky.delivered] == ["50%"]


def test_a_hook_that_keeps_failing_is_given_up(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """After max_attempts failures the row is marked failed and no longer blocks its ticket."""
    flaky = Flaky(failures=100)
    with SLAEngine(db_url, policies=policy, now=clock, plugins=[flaky], max_attempts=2) as engine:
        engine.ingest(_created())
        engine.scan(at=START + timedelta(minutes=50))
        for _ in range(3):
            engine.drain()
            clock.advance(hours=1)
        states = [state for *_, state in _outbox(engine)]
        assert states == ["failed", "failed"]
        assert engine.pending() == 0


def test_concurrent_drainers_deliver_each_notification_once_in_ticket_order(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """Three engines draining the same outbox at once deliver every row once, per ticket in order."""
    recorder = RecordingNotifier()
    with SLAEngine(db_url, policies=policy, now=clock) as engine:
        engine.ingest([e for n in range(40) for e in _created(f"T-{n}")])
        engine.scan(at=START + timedelta(hours=9))
        expected = engine.pending()
    engines = [SLAEngine(db_url, policies=policy, now=clock, plugins=[recorder]) for _ in range(3)]
    try:
        threads = [threading.Thread(target=e.drain) for e in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for engine in engines:
            engine.close()
    keys = [n.key for n in recorder.notifications]
    assert len(keys) == expected == len(set(keys))
    by_ticket: dict[str, list[str]] = {}
    for n in recorder.notifications:
        by_ticket.setdefault(n.ticket_id, []).append(f"{n.metric}:{n.level}")
    assert all(order == by_ticket["T-0"] for order in by_ticket.values())


def test_drain_without_a_notifier_leaves_notifications_waiting(db_url: str) -> None:
    """With no notifier plugin installed, drain claims nothing: the outbox waits for one."""
    events = EventBuilder("W-1", start=START)
    events.created()
    with SLAEngine(db_url, policies=simple_policy(), now=START + timedelta(hours=2)) as engine:
        engine.ingest(events.events)
        engine.scan()
        waiting = engine.pending()
        assert waiting > 0
        assert engine.drain().delivered == 0
        assert engine.pending() == waiting
    recorder = RecordingNotifier()
    with SLAEngine(
        db_url, policies=simple_policy(), now=START + timedelta(hours=2), plugins=[recorder]
    ) as engine:
        assert engine.drain().delivered == waiting
    assert len(recorder.notifications) == waiting
