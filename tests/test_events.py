"""TicketEvent: validation with typed errors, the plain-data round trip, hashing and history order."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ticketsla import (
    Actor,
    EventError,
    EventKind,
    NaiveDatetimeError,
    Priority,
    Status,
    TicketEvent,
    TicketSLAError,
)
from ticketsla.events import order_events

NY = ZoneInfo("America/New_York")
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=NY)


def event(event_id: str, kind: str, at: datetime = T0, **fields: Any) -> TicketEvent:
    return TicketEvent(ticket_id="T-1", event_id=event_id, at=at, kind=kind, **fields)


# ---- validation -----------------------------------------------------------------------------


def test_naive_at_is_a_naive_datetime_error_naming_the_field() -> None:
    """A naive ``at`` raises NaiveDatetimeError (a TicketSLAError and ValueError) naming ``at``."""
    with pytest.raises(NaiveDatetimeError, match=r"event 'e1': at: naive datetime") as info:
        TicketEvent(ticket_id="T-1", event_id="e1", at=datetime(2026, 3, 10, 9), kind="created")
    assert isinstance(info.value, TicketSLAError)
    assert isinstance(info.value, ValueError)
    assert info.value.subject == "at"


def test_at_that_is_not_a_datetime_is_refused() -> None:
    """An ``at`` given as text (not parsed at this layer) is refused, naming ``at``."""
    with pytest.raises(NaiveDatetimeError, match="at: expected an aware datetime"):
        TicketEvent(ticket_id="T-1", event_id="e1", at="2026-03-10T09:00Z", kind="created")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "name", "value"),
    [
        ({"kind": "ticket_exploded"}, "kind", "ticket_exploded"),
        ({"kind": "status_changed", "status": "waiting"}, "status", "waiting"),
        ({"kind": "priority_changed", "priority": "critical"}, "priority", "critical"),
        ({"kind": "created", "priority": "p1"}, "priority", "p1"),
        ({"kind": "agent_reply", "actor": "robot"}, "actor", "robot"),
    ],
)
def test_unknown_kind_status_priority_or_actor_is_an_event_error_naming_field_and_value(
    fields: dict[str, Any], name: str, value: str
) -> None:
    """An unknown kind, status, priority or actor raises EventError naming the field and value."""
    with pytest.raises(EventError, match=rf"event 'e1': {name}: unknown {name} '{value}'") as info:
        TicketEvent(ticket_id="T-1", event_id="e1", at=T0, **fields)
    assert info.value.subject == name
    assert isinstance(info.value, TicketSLAError)


def test_status_change_without_status_and_priority_change_without_priority_are_refused() -> None:
    """A status_changed needs a status and a priority_changed needs a priority."""
    with pytest.raises(EventError, match="status_changed needs a status") as info:
        event("e1", "status_changed")
    assert info.value.subject == "status"
    with pytest.raises(EventError, match="priority_changed needs a priority") as info:
        event("e2", "priority_changed")
    assert info.value.subject == "priority"


def test_rating_outside_its_scale_or_not_a_rating_is_refused() -> None:
    """A rating of 6 on 1-5, or the word 'meh', is an EventError naming ``rating``."""
    with pytest.raises(EventError, match="rating: 6 is outside the scale 1-5") as info:
        event("e1", "satisfaction_rated", rating=6, scale=(1, 5))
    assert info.value.subject == "rating"
    with pytest.raises(EventError, match="'meh' is neither good, bad nor a number"):
        event("e2", "satisfaction_rated", rating="meh")
    with pytest.raises(EventError, match=r"scale: expected \(low, high\)"):
        event("e3", "satisfaction_rated", rating=3, scale=(5, 1))


def test_kinds_statuses_and_priorities_given_as_text_become_enums() -> None:
    """Text values are accepted and stored as the StrEnum members."""
    e = event("e1", "status_changed", status="on_hold")
    assert e.kind is EventKind.STATUS_CHANGED
    assert e.status is Status.ON_HOLD
    assert event("e2", "priority_changed", priority="urgent").priority is Priority.URGENT


def test_actor_defaults_follow_the_kind() -> None:
    """Replies and notes default to the agent, messages to the customer, the rest to the system."""
    assert event("e1", "agent_reply").actor is Actor.AGENT
    assert event("e2", "internal_note").actor is Actor.AGENT
    assert event("e3", "customer_message").actor is Actor.CUSTOMER
    assert event("e4", "status_changed", status="open").actor is Actor.SYSTEM
    assert event("e5", "created", actor="customer").actor is Actor.CUSTOMER


def test_auto_reply_is_not_a_public_response() -> None:
    """An agent reply marked auto=True is not a public response; a person's reply is."""
    assert not event("e1", "agent_reply", auto=True).is_public_response
    assert event("e2", "agent_reply").is_public_response
    assert not event("e3", "internal_note").is_public_response


def test_unknown_keywords_land_in_custom_fields() -> None:
    """Keywords without a typed slot are kept, sorted, as custom fields readable by ``field``."""
    e = event("e1", "created", channel="email", product="billing", seats=12, regions=["eu", "us"])
    assert e.channel == "email"
    assert e.custom == (("product", "billing"), ("regions", ("eu", "us")), ("seats", 12))
    assert e.field("product") == "billing"
    assert e.field("channel") == "email"
    assert e.field("missing") is None


# ---- plain data and hashing -----------------------------------------------------------------


def test_to_dict_and_from_dict_round_trip_through_json_to_an_equal_event() -> None:
    """to_dict -> JSON -> from_dict gives back an equal event with the same hash."""
    original = TicketEvent(
        ticket_id="T-1",
        event_id="e1",
        source="zendesk",
        seq=2,
        at=datetime(2026, 11, 1, 1, 30, fold=0, tzinfo=timezone(timedelta(hours=-4))),
        kind="created",
        priority="high",
        status="new",
        tags=["vip", "billing"],
        channel="email",
        organization="Acme",
        product="billing",
        regions=["eu", "us"],
    )
    data = json.loads(json.dumps(original.to_dict()))
    assert data["tags"] == ["billing", "vip"]
    assert data["at"] == "2026-11-01T01:30:00-04:00"
    again = TicketEvent.from_dict(data)
    assert again == original
    assert hash(again) == hash(original)
    assert again.at_us == original.at_us


def test_rating_and_auto_survive_the_round_trip() -> None:
    """A rated event with a scale, and an automatic reply, come back equal."""
    rated = event("e1", "satisfaction_rated", rating=8, scale=(1, 10))
    auto = event("e2", "agent_reply", auto=True)
    for original in (rated, auto):
        assert TicketEvent.from_dict(json.loads(json.dumps(original.to_dict()))) == original


def test_from_dict_names_a_missing_field_or_an_unreadable_instant() -> None:
    """from_dict refuses a missing required field, a bad ISO text and a naive ISO text."""
    good = event("e1", "created").to_dict()
    missing = {k: v for k, v in good.items() if k != "kind"}
    with pytest.raises(EventError, match="missing field 'kind'"):
        TicketEvent.from_dict(missing)
    with pytest.raises(EventError, match="at: 'yesterday' is not an ISO 8601 instant"):
        TicketEvent.from_dict({**good, "at": "yesterday"})
    with pytest.raises(NaiveDatetimeError, match="at: naive datetime"):
        TicketEvent.from_dict({**good, "at": "2026-03-10T09:00:00"})


@pytest.mark.parametrize("fold", [0, 1])
def test_round_trip_in_the_repeated_autumn_hour_keeps_equality_and_hash(fold: int) -> None:
    """An event at 01:30 on the New York fall-back night survives JSON equal and with its hash."""
    original = event("e1", "created", at=datetime(2026, 11, 1, 1, 30, fold=fold, tzinfo=NY))
    # fold=0 is 01:30 EDT (05:30Z), fold=1 is 01:30 EST (06:30Z)
    assert (
        original.to_dict()["at"] == ("2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00")[fold]
    )
    again = TicketEvent.from_dict(json.loads(json.dumps(original.to_dict())))
    assert again.at_us == original.at_us
    assert again == original
    assert hash(again) == hash(original)
    in_utc = event("e1", "created", at=datetime(2026, 11, 1, 5 + fold, 30, tzinfo=UTC))
    assert in_utc == original
    assert len({original, again, in_utc}) == 1


def test_equal_events_hash_equal_and_a_set_keeps_one() -> None:
    """Two deliveries of the same event are equal, hash equal, and collapse in a set."""
    a = event("e1", "customer_message", tags=["x"])
    b = event("e1", "customer_message", tags=("x",))
    c = event("e1", "customer_message", at=T0 + timedelta(minutes=1))
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b, c}) == 2


def test_the_same_instant_in_two_zones_is_the_same_event() -> None:
    """An instant written in New York time and in UTC gives equal instants in ``at_us``."""
    a = event("e1", "created", at=datetime(2026, 3, 10, 9, tzinfo=NY))
    b = event("e1", "created", at=datetime(2026, 3, 10, 13, tzinfo=UTC))
    assert a.at_us == b.at_us
    assert a.order == b.order


# ---- history order ----------------------------------------------------------------------------


def test_same_instant_created_comes_before_messages_and_reply_before_solve() -> None:
    """At one instant: created, then the customer's message, then the reply, then the solve."""
    created = event("z-created", "created")
    message = event("a-message", "customer_message")
    reply = event("m-reply", "agent_reply")
    solve = event("b-solve", "status_changed", status="solved")
    for _ in range(20):
        shuffled = [solve, reply, message, created]
        random.shuffle(shuffled)
        assert order_events(shuffled) == [created, message, reply, solve]


def test_seq_within_one_source_action_orders_before_kind() -> None:
    """Within one instant a lower seq goes first whatever the kinds."""
    solve = event("e1", "status_changed", status="solved", seq=0)
    reply = event("e2", "agent_reply", seq=1)
    assert order_events([reply, solve]) == [solve, reply]


def test_order_events_drops_duplicates_and_does_not_depend_on_input_order() -> None:
    """Repeated (source, event_id) count once; the kept copy does not depend on arrival order."""
    first = event("e1", "customer_message", at=T0)
    late_copy = event("e1", "customer_message", at=T0 + timedelta(minutes=5))
    other_source = event("e1", "customer_message", source="email")
    reply = event("e2", "agent_reply", at=T0 + timedelta(hours=1))
    expected = [first, other_source, reply]
    for ordering in (
        [first, late_copy, other_source, reply],
        [reply, late_copy, other_source, first],
    ):
        assert order_events(ordering + ordering) == expected


def test_the_delivery_kept_of_two_that_differ_does_not_depend_on_the_hash_seed() -> None:
    """Two deliveries of one id that differ in a set of tags: the one kept is the same in every
    process, whatever order the process's string hashes give the set."""
    script = (
        "from datetime import datetime, UTC\n"
        "from ticketsla import TicketEvent\n"
        "from ticketsla.events import order_events\n"
        "at = datetime(2026, 3, 4, 10, tzinfo=UTC)\n"
        "def delivery(*tags):\n"
        "    return TicketEvent(ticket_id='T', event_id='e1', at=at, kind='fields_changed',\n"
        "                       tags=['alpha', 'beta', 'gamma', *tags])\n"
        "kept = order_events([delivery('epsilon'), delivery('delta')])\n"
        "print(sorted(kept[0].tags))\n"
    )
    kept = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(1, 7)
    }
    assert kept == {"['alpha', 'beta', 'delta', 'gamma']\n"}


def test_ticket_and_event_ids_may_be_integers_but_not_empty_or_bool() -> None:
    """Integer ids become text; an empty id or a bool is an EventError naming the field."""
    assert event("e1", "created").ticket_id == "T-1"
    assert TicketEvent(ticket_id=7, event_id=8, at=T0, kind="created").event_id == "8"
    with pytest.raises(EventError, match="event_id: ''") as info:
        TicketEvent(ticket_id=7, event_id="", at=T0, kind="created")
    assert info.value.subject == "event_id"
    with pytest.raises(EventError, match="ticket_id: expected a text or an integer"):
        TicketEvent(ticket_id=True, event_id=1, at=T0, kind="created")
