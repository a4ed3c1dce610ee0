"""Ingestion: idempotent storage, refolds on late events, and answers equal to the pure fold."""

from __future__ import annotations

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from engine_helpers import START, THOROUGH, Clock
from engine_streams import stream, with_duplicates

from ticketsla import (
    ConfigurationError,
    NaiveDatetimeError,
    PolicySet,
    SLAPolicy,
    TicketEvent,
    UnknownTicketError,
    evaluate,
)
from ticketsla import due_at as pure_due_at
from ticketsla import is_breached as pure_is_breached
from ticketsla.clock import fold
from ticketsla.engine import SLAEngine
from ticketsla.testing import EventBuilder


def _history() -> EventBuilder:
    events = EventBuilder("T-1", start=START)
    events.created(priority="high")
    events.customer_message(after="5m")
    events.agent_reply(after="40m")
    events.status("pending", after="1m")
    events.customer_message(after="2h")
    events.status("solved", after="3h")
    return events


def test_same_events_twice_are_stored_once(db_url: str, policy: SLAPolicy, clock: Clock) -> None:
    """Ingesting the same events again stores nothing and reports every one as a duplicate."""
    events = _history().events
    with SLAEngine(db_url, policies=policy, now=clock) as engine:
        first = engine.ingest(events)
        again = engine.ingest(events)
        assert (first.stored, first.duplicates, first.rejected) == (len(events), 0, 0)
        assert (again.stored, again.duplicates, again.refolded) == (0, len(events), 0)
        assert engine.events("T-1") == sorted(events, key=lambda e: e.order)


def test_duplicates_within_one_call_count_once(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """A batch that repeats an event stores it once and counts the repeat as a duplicate."""
    events = _history().events
    with SLAEngine(db_url, policies=policy, now=clock) as engine:
        result = engine.ingest([*events, events[0], events[2]])
        assert (result.stored, result.duplicates) == (len(events), 2)


def test_invalid_mappings_are_rejected_and_the_rest_stored(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """A mapping that is not a valid event is rejected with its position; the others are stored."""
    good = [e.to_dict() for e in _history().events[:2]]
    bad = {"ticket_id": "T-1", "event_id": "x", "at": "2026-03-02T10:00:00", "kind": "created"}
    with SLAEngine(db_url, policies=policy, now=clock) as engine:
        result = engine.ingest([good[0], bad, good[1]])
        assert (result.stored, result.rejected) == (2, 1)
        assert result.errors[0][0] == 1
        assert "time zone" in result.errors[0][1]


def test_an_event_id_reused_for_another_ticket_is_rejected(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """The same (source, event id) naming a different ticket is refused, not silently dropped."""
    one = EventBuilder("T-1", start=START)
    one.created()
    other = EventBuilder("T-2", start=START)
    other.created()
    stolen = TicketEvent.from_dict(
        {**other.events[0].to_dict(), "event_id": one.events[0].event_id}
    )
    with SLAEngine(db_url, policies=policy, now=clock) as engine:
        engine.ingest(one.events)
        result = engine.ingest([stolen])
        assert (result.stored, result.duplicates, result.rejected) == (0, 0, 1)
        assert "'T-1'" in result.errors[0][1]
        with pytest.raises(UnknownTicketError):
            engine.clocks("T-2")


def test_late_event_refolds_to_the_pure_state(db_url: str, policy: SLAPolicy, clock: Clock) -> None:
    """An event older than what the ticket has seen refolds it: stored state equals the fold."""
    events = _history().events
    late = events[2]  # the agent reply, which stops the first-response clock
    rest = [e for e in events if e is not late]
    clock.at = START + timedelta(days=1)
    with SLAEngine(db_url, policies=policy, now=clock) as engine:
        engine.ingest(rest)
        assert engine.is_breached("T-1", "first_response")
        result = engine.ingest([late])
        assert (result.stored, result.late, result.refolded) == (1, 1, 1)
        assert not engine.is_breached("T-1", "first_response")
        as_of = max(e.at_us for e in events) + 1
        assert engine.clocks("T-1") == fold(events, policy, as_of).clocks


def test_shuffled_chunks_give_the_pure_fold_for_every_ticket(
    db_url: str, mixed_policies: PolicySet, clock: Clock
) -> None:
    """Events in random order, in random chunks, with redeliveries: every ticket's stored clocks
    equal the pure fold over its events."""
    events = stream(3000 if THOROUGH else 1200, seed=7)
    delivered = with_duplicates(events, 0.1, seed=8)
    rng = random.Random(9)
    clock.at = START + timedelta(days=30)
    with SLAEngine(db_url, policies=mixed_policies, now=clock, batch_size=97) as engine:
        stored = 0
        position = 0
        while position < len(delivered):
            size = rng.randint(1, 400)
            stored += engine.ingest(delivered[position : position + size]).stored
            position += size
        assert stored == len(events)
        by_ticket: dict[str, list] = {}
        for event in events:
            by_ticket.setdefault(event.ticket_id, []).append(event)
        for ticket_id, history in by_ticket.items():
            as_of = max(e.at_us for e in history) + 1
            assert engine.clocks(ticket_id) == fold(history, mixed_policies, as_of).clocks


def test_answers_equal_the_pure_functions(db_url: str, policy: SLAPolicy, clock: Clock) -> None:
    """due_at, is_breached (now, later, and in the past) and state agree with the pure API."""
    events = _history().events
    clock.at = START + timedelta(hours=2)
    with SLAEngine(db_url, policies=policy, now=clock) as engine:
        engine.ingest(events[:2])
        assert engine.due_at("T-1", "first_response") == pure_due_at(events[:2], policy)
        for hours in (0.5, 0.99, 1.01, 3):
            at = START + timedelta(hours=hours)
            assert engine.is_breached("T-1", "first_response", at=at) == pure_is_breached(
                events[:2], policy, "first_response", at
            )
        engine.ingest(events[2:])
        for hours in (0.5, 1.5, 7, 9, 30):  # some before the last event: answered from the log
            at = START + timedelta(hours=hours)
            for metric in ("first_response", "resolution"):
                assert engine.is_breached("T-1", metric, at=at) == pure_is_breached(
                    events, policy, metric, at
                )
        assert engine.due_at("T-1", "resolution") is None  # solved
        later = START + timedelta(days=2)
        assert engine.state("T-1", later).clocks == evaluate(events, policy, later).clocks


def test_unknown_ticket_is_a_clear_error(db_url: str, policy: SLAPolicy, clock: Clock) -> None:
    """Asking about a ticket with no stored events raises UnknownTicketError naming it."""
    with SLAEngine(db_url, policies=policy, now=clock) as engine:
        with pytest.raises(UnknownTicketError, match="'nope'"):
            engine.due_at("nope", "first_response")
        with pytest.raises(UnknownTicketError):
            engine.is_breached("nope", "resolution")
        with pytest.raises(UnknownTicketError):
            engine.state("nope")


def test_returned_instants_are_aware_utc(db_url: str, policy: SLAPolicy, clock: Clock) -> None:
    """Instants come back timezone-aware in UTC whatever zone the events used."""
    events = EventBuilder("T-9", start=START.astimezone(ZoneInfo("Asia/Kolkata")))
    events.created()
    with SLAEngine(db_url, policies=policy, now=clock) as engine:
        engine.ingest(events.events)
        due = engine.due_at("T-9", "first_response")
        assert due == START + timedelta(hours=1)
        assert due is not None
        assert due.utcoffset() == timedelta(0)
        with pytest.raises(NaiveDatetimeError):
            engine.at_risk(at=START.replace(tzinfo=None))


def test_engine_without_policies_refuses_to_ingest(db_url: str, clock: Clock) -> None:
    """Ingesting needs policies; reading does not."""
    with SLAEngine(db_url, now=clock) as engine:
        with pytest.raises(ConfigurationError, match="policies"):
            engine.ingest(_history().events)
        assert engine.at_risk() == []
