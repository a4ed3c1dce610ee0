"""The calls users make: due_at, is_breached, ever_breached, remaining, next_change_at, evaluate.

``at=None`` means now: these tests freeze the clock with freezegun rather than mock our code.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

import ticketsla
from ticketsla import (
    EventError,
    NaiveDatetimeError,
    PolicySet,
    SLAPolicy,
    TicketEvent,
    due_at,
    evaluate,
    ever_breached,
    is_breached,
    next_change_at,
    remaining,
)

NY = ZoneInfo("America/New_York")
H = timedelta(hours=1)
M = timedelta(minutes=1)
US = timedelta(microseconds=1)

POLICY = SLAPolicy.from_mapping(
    {
        "name": "api",
        "calendar": "us-business",
        "targets": {
            "first_response": {"urgent": "1h", "normal": "4h"},
            "next_response": {"all": "1h"},
            "resolution": {"all": "16h"},
        },
        "warnings": {"at": ["50%"]},
    }
)
VIP = SLAPolicy.from_mapping(
    {
        "name": "vip",
        "calendar": "24x7",
        "match": {"tags": ["vip"]},
        "targets": {"first_response": {"all": "30m"}},
    }
)
POLICIES = PolicySet([VIP], default=POLICY)


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def events(
    *items: tuple[datetime, str, dict[str, Any]], ticket_id: str = "T-1"
) -> list[TicketEvent]:
    return [
        TicketEvent(ticket_id=ticket_id, event_id=f"{ticket_id}/e{i}", at=at, kind=kind, **fields)
        for i, (at, kind, fields) in enumerate(items)
    ]


# Tue 10 March 2026 09:00 EDT (13:00Z), normal priority: first response due 13:00 EDT (17:00Z).
CREATED = events((ny(2026, 3, 10, 9), "created", {}))


def test_public_api_is_exported_from_the_package() -> None:
    """The calls of issue 3 are importable from ``ticketsla`` itself."""
    for name in (
        "due_at",
        "is_breached",
        "ever_breached",
        "remaining",
        "next_change_at",
        "evaluate",
    ):
        assert name in ticketsla.__all__
        assert callable(getattr(ticketsla, name))


# ---- due_at -----------------------------------------------------------------------------------


def test_due_at_of_a_running_first_response() -> None:
    """due_at gives the due instant of the running clock; the default metric is first_response."""
    assert due_at(CREATED, POLICY) == utc(2026, 3, 10, 17, 0)  # 09:00 + 4h = 13:00 EDT
    # resolution 16h: Tue 09:00-17:00 is 8h, Wed 09:00 + 8h = 17:00 EDT = 21:00Z
    assert due_at(CREATED, POLICY, "resolution") == utc(2026, 3, 11, 21, 0)


def test_due_at_is_none_without_events_when_stopped_paused_or_unmeasured() -> None:
    """No events, a fulfilled clock, a paused clock, and a metric without target all give None."""
    assert due_at([], POLICY) is None
    replied = events((ny(2026, 3, 10, 9), "created", {}), (ny(2026, 3, 10, 10), "agent_reply", {}))
    assert due_at(replied, POLICY) is None
    pending = events(
        (ny(2026, 3, 10, 9), "created", {}),
        (ny(2026, 3, 10, 10), "status_changed", {"status": "pending"}),
    )
    assert due_at(pending, POLICY, "resolution") is None
    assert due_at(CREATED, POLICY, "periodic_update") is None


def test_due_at_does_not_depend_on_the_time_of_asking() -> None:
    """due_at reads no clock: frozen at two different instants it answers the same."""
    with freeze_time("2026-03-10T13:30:00Z"):
        early = due_at(CREATED, POLICY)
    with freeze_time("2026-03-20T13:30:00Z"):
        late = due_at(CREATED, POLICY)
    assert early == late == utc(2026, 3, 10, 17, 0)


def test_due_at_accepts_a_policy_set() -> None:
    """With a PolicySet the matching policy decides: a VIP ticket is due 30 calendar minutes in."""
    vip = events((ny(2026, 3, 10, 20), "created", {"tags": ["vip"]}))  # 20:00 EDT, closed hours
    assert due_at(vip, POLICIES) == utc(2026, 3, 11, 0, 30)  # 24x7: 00:00Z + 30m
    assert due_at(CREATED, POLICIES) == utc(2026, 3, 10, 17, 0)  # default policy


# ---- is_breached / ever_breached with at=None ---------------------------------------------------


def test_is_breached_with_at_none_reads_the_frozen_clock() -> None:
    """at=None means now: before 13:00 EDT the first response is not breached, after it it is."""
    with freeze_time("2026-03-10T16:59:00Z"):  # 12:59 EDT
        assert not is_breached(CREATED, POLICY, "first_response")
    with freeze_time("2026-03-10T17:00:00Z"):  # exactly the due instant
        assert not is_breached(CREATED, POLICY, "first_response")
    with freeze_time("2026-03-10T17:00:01Z"):
        assert is_breached(CREATED, POLICY, "first_response")
        assert ever_breached(CREATED, POLICY, "first_response")


def test_is_breached_with_an_explicit_at_ignores_the_clock() -> None:
    """An explicit ``at`` wins over the system clock."""
    with freeze_time("2026-03-30T12:00:00Z"):
        assert not is_breached(CREATED, POLICY, "first_response", at=ny(2026, 3, 10, 12))


def test_is_breached_accepts_a_policy_set() -> None:
    """With a PolicySet a VIP ticket breaches its 30-minute calendar-time target at night."""
    vip = events((ny(2026, 3, 10, 20), "created", {"tags": ["vip"]}))
    with freeze_time("2026-03-11T00:31:00Z"):
        assert is_breached(vip, POLICIES, "first_response")
        assert ever_breached(vip, POLICIES, "first_response")
        assert remaining(vip, POLICIES, "first_response") == -M


def test_latest_cycle_decides_is_breached_while_ever_breached_sees_all_cycles() -> None:
    """A missed first wait and an answered second: not breached now, but ever breached."""
    ticket = events(
        (ny(2026, 3, 10, 9), "created", {}),
        (ny(2026, 3, 10, 9, 30), "agent_reply", {}),
        (ny(2026, 3, 10, 10), "customer_message", {}),  # wait 1, due 11:00 EDT
        (ny(2026, 3, 10, 12), "agent_reply", {}),  # answered an hour late
        (ny(2026, 3, 10, 13), "customer_message", {}),  # wait 2, due 14:00 EDT
    )
    at = ny(2026, 3, 10, 13, 30)
    assert not is_breached(ticket, POLICY, "next_response", at=at)
    assert ever_breached(ticket, POLICY, "next_response", at=at)
    assert remaining(ticket, POLICY, "next_response", at=at) == 30 * M
    with freeze_time("2026-03-10T17:30:00Z"):  # the same instant, read from the clock
        assert ever_breached(ticket, POLICY, "next_response")


def test_unmeasured_metric_is_never_breached_and_has_no_remaining() -> None:
    """A metric without a clock on the ticket is not breached and has no remaining time."""
    at = ny(2026, 3, 20, 9)
    assert not is_breached(CREATED, POLICY, "periodic_update", at=at)
    assert not ever_breached(CREATED, POLICY, "periodic_update", at=at)
    assert remaining(CREATED, POLICY, "periodic_update", at=at) is None


# ---- remaining ----------------------------------------------------------------------------------


def test_remaining_with_at_none_reads_the_frozen_clock() -> None:
    """remaining counts business time left at now; negative once over."""
    with freeze_time("2026-03-10T14:30:00Z"):  # 10:30 EDT: 1h30 of 4h used
        assert remaining(CREATED, POLICY, "first_response") == 2 * H + 30 * M
    with freeze_time("2026-03-10T22:00:00Z"):  # 18:00 EDT: the full 8h day used, 4h over
        assert remaining(CREATED, POLICY, "first_response") == -4 * H
    with freeze_time("2026-03-11T12:00:00Z"):  # 08:00 EDT next day: still closed, still -4h
        assert remaining(CREATED, POLICY, "first_response") == -4 * H


# ---- next_change_at -----------------------------------------------------------------------------


def test_next_change_at_gives_warnings_then_the_breach() -> None:
    """The next instant a warning fires or a breach begins, for scheduling a timer."""
    # first response 4h from 09:00 EDT: 50 % at 11:00 EDT (15:00Z), due 13:00 EDT (17:00Z);
    # resolution 16h: 50 % at 8h used = Tue 17:00 EDT (21:00Z), due Wed 17:00 EDT.
    assert next_change_at(CREATED, POLICY, ny(2026, 3, 10, 9, 30)) == utc(2026, 3, 10, 15, 0)
    assert next_change_at(CREATED, POLICY, ny(2026, 3, 10, 11, 30)) == utc(2026, 3, 10, 17, 0) + US
    assert next_change_at(CREATED, POLICY, ny(2026, 3, 10, 13, 30)) == utc(2026, 3, 10, 21, 0)


def test_a_stricter_retarget_breaches_at_its_own_instant() -> None:
    """At the instant a stricter target applies to an overdue clock, remaining is negative and
    the clock is breached (issue #10 item 7); one microsecond before, the old target held."""
    ticket = events(
        (ny(2026, 3, 10, 9), "created", {}),  # normal: 4h
        (ny(2026, 3, 10, 11), "priority_changed", {"priority": "urgent"}),  # 2h used of 1h
    )
    change = ny(2026, 3, 10, 11)
    assert not is_breached(ticket, POLICY, "first_response", at=change - US)
    assert is_breached(ticket, POLICY, "first_response", at=change)
    clock = evaluate(ticket, POLICY, change).clock("first_response")
    assert clock is not None
    assert clock.remaining < timedelta(0)
    assert clock.breached_at == change
    # the engine's breach point is the last instant not breached
    assert clock.breach_point_us is not None
    assert clock.breached_us is not None
    assert clock.breach_point_us == clock.breached_us - 1


def test_next_change_at_is_none_when_nothing_runs() -> None:
    """A paused or finished ticket changes only when an event arrives."""
    solved = events(
        (ny(2026, 3, 10, 9), "created", {}),
        (ny(2026, 3, 10, 9, 30), "agent_reply", {}),
        (ny(2026, 3, 10, 10), "status_changed", {"status": "solved"}),
    )
    assert next_change_at(solved, POLICY, ny(2026, 3, 10, 11)) is None
    assert next_change_at([], POLICY, ny(2026, 3, 10, 11)) is None


def test_next_change_at_accepts_a_policy_set() -> None:
    """A VIP ticket created at 20:00 EDT next changes when its 30-minute target passes."""
    vip = events((ny(2026, 3, 10, 20), "created", {"tags": ["vip"]}))
    assert next_change_at(vip, POLICIES, ny(2026, 3, 10, 20, 10)) == utc(2026, 3, 11, 0, 30) + US


# ---- evaluate and input checks ------------------------------------------------------------------


def test_evaluate_needs_an_aware_at() -> None:
    """A naive ``at`` is refused, naming it, never guessed."""
    with pytest.raises(NaiveDatetimeError, match="at: naive datetime"):
        evaluate(CREATED, POLICY, datetime(2026, 3, 10, 12))
    with pytest.raises(NaiveDatetimeError, match="at: naive datetime"):
        is_breached(CREATED, POLICY, "first_response", at=datetime(2026, 3, 10, 12))


def test_events_of_two_tickets_are_refused() -> None:
    """One call is about one ticket: mixing tickets is an EventError naming them."""
    mixed = CREATED + events((ny(2026, 3, 10, 9), "created", {}), ticket_id="T-2")
    with pytest.raises(EventError, match="several tickets given to one fold: T-1, T-2"):
        evaluate(mixed, POLICY, ny(2026, 3, 10, 12))


def test_evaluate_reports_every_clock_and_the_ticket_fields() -> None:
    """evaluate() returns each clock, the chosen policy, the current priority, status and fields."""
    ticket = events(
        (ny(2026, 3, 10, 9), "created", {"priority": "urgent", "channel": "email"}),
        (ny(2026, 3, 10, 9, 10), "status_changed", {"status": "open"}),
    )
    state = evaluate(ticket, POLICIES, ny(2026, 3, 10, 9, 20))
    assert state.ticket_id == "T-1"
    assert state.at == utc(2026, 3, 10, 13, 20)
    assert state.policy == "api"
    assert state.priority == "urgent"
    assert state.status == "open"
    assert state.field("channel") == "email"
    assert [(c.metric, c.cycle, c.target) for c in state.clocks] == [
        ("first_response", 1, 1 * H),
        ("resolution", 1, 16 * H),
    ]
    first = state.clock("first_response")
    assert first is not None
    assert first.to_dict()["due_at"] == "2026-03-10T14:00:00+00:00"  # 10:00 EDT
    assert first.to_dict()["remaining_seconds"] == 40 * 60


def test_regression_stricter_target_while_pausing_breaches_at_once_and_is_scheduled() -> None:
    """A stricter target that arrives with a pause breaches at its instant (issue #10 item 7)."""
    policy = SLAPolicy.from_mapping(
        {
            "name": "paused",
            "calendar": "us-business",
            "targets": {"resolution": {"urgent": "4h", "normal": "16h"}},
        }
    )
    # Created Wed 4 March 19:00 EST (closed); Thu 5 March 09:00-13:01 EST is 4h01m of work.
    # At 13:01 EST (18:01Z) the ticket turns urgent (4h) and pending in the same action: the
    # clock pauses already over its new target, so it is breached from 13:01 itself.
    change = utc(2026, 3, 5, 18, 1)
    ticket = events(
        (utc(2026, 3, 5, 0, 0), "created", {"priority": "normal"}),
        (change, "priority_changed", {"priority": "urgent"}),
        (change, "status_changed", {"status": "pending"}),
    )
    assert not is_breached(ticket, policy, "resolution", at=change - US)
    assert next_change_at(ticket[:1], policy, change - US) != change
    assert is_breached(ticket, policy, "resolution", at=change)
    assert is_breached(ticket, policy, "resolution", at=change + timedelta(days=60))
