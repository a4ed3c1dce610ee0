"""ticketsla_email.testing: the messages it writes parse back to the events they were written
from, and the plugin offers the builder through the registry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytest.importorskip("ticketsla_email", reason="ticketsla-email is not installed")

from hypothesis import given, settings
from hypothesis import strategies as st
from ticketsla_email.testing import EmailPayloads

from ticketsla.errors import EventError
from ticketsla.events import Actor, EventKind, TicketEvent
from ticketsla.payload_builders import PayloadBuilder, payload_builder
from ticketsla.sources import PayloadLimits
from ticketsla.testing import EventBuilder, plugin_manager

LIMITS = PayloadLimits()
message_ids = st.from_regex(r"[a-z0-9.]{1,12}@[a-z]{1,8}\.example", fullmatch=True)
customers = st.from_regex(r"[a-z0-9.]{1,12}@[a-z]{1,8}\.example", fullmatch=True)
EPOCH = datetime(1971, 1, 1, tzinfo=UTC)
instants = st.integers(min_value=0, max_value=128 * 365 * 86400).map(
    lambda s: EPOCH + timedelta(seconds=s)  # a Date field holds seconds
)
subjects = st.from_regex(r"[A-Za-z0-9]{1,8}( [A-Za-z0-9]{1,8}){0,3}", fullmatch=True)
REPLIES = {
    EventKind.CUSTOMER_MESSAGE: [Actor.CUSTOMER],
    EventKind.AGENT_REPLY: [Actor.AGENT, Actor.SYSTEM],
    EventKind.INTERNAL_NOTE: [Actor.AGENT],
}


@st.composite
def email_events(draw: st.DrawFn) -> TicketEvent:
    """An event as the email adapter names and fills it, of any kind the builder writes."""
    ticket = draw(message_ids)
    common: dict[str, Any] = {"ticket_id": ticket, "source": "email", "at": draw(instants)}
    kind = draw(st.sampled_from([EventKind.CREATED, *REPLIES]))
    if kind is EventKind.CREATED:
        return TicketEvent(
            **common,
            event_id=f"created:{ticket}",
            kind=kind,
            actor=draw(st.sampled_from([Actor.CUSTOMER, Actor.AGENT])),
            status="new",
            requester=draw(customers),
            subject=draw(st.none() | subjects),
            channel="email",
        )
    actor = draw(st.sampled_from(REPLIES[kind]))
    return TicketEvent(
        **common,
        event_id=draw(message_ids),
        kind=kind,
        actor=actor,
        auto=actor is Actor.SYSTEM,
    )


@given(email_events())
def test_a_message_parses_back_to_its_event(event: TicketEvent) -> None:
    """For every kind it writes, the adapter reads the builder's message as the same event."""
    builder = EmailPayloads()
    message = builder.payload(event)
    assert message is not None
    assert builder.adapter().parse(message, headers={}, limits=LIMITS) == [event]


@settings(max_examples=40)
@given(st.lists(email_events(), max_size=6))
def test_one_builder_writes_a_whole_history(events: list[TicketEvent]) -> None:
    """What a builder remembers of earlier threads (requesters, subjects) keeps every later
    message reading back as its event."""
    builder = EmailPayloads()
    adapter = builder.adapter()
    for event in events:
        assert adapter.parse(builder.payload(event) or b"", headers={}, limits=LIMITS) == [event]


def test_a_thread_reads_back_and_mail_carries_no_status_or_priority() -> None:
    """A created message, a reply and the customer's answer read back as their events (the
    created event without its priority); a status change has no message."""
    history = EventBuilder("t1@acme.example", source="email")
    opened = history.created(requester="lee@acme.example", subject="VPN", channel="email")
    history.agent_reply(after="20m")
    pending = history.status("pending", after="1m")
    history.customer_message(after="3h")
    builder = EmailPayloads()
    assert builder.payload(pending) is None
    parsed = [
        builder.adapter().parse(message, headers={}, limits=LIMITS)[0]
        for message in (builder.payload(e) for e in history.events)
        if message is not None
    ]
    assert [(e.event_id, str(e.kind), str(e.actor)) for e in parsed] == [
        ("created:t1@acme.example", "created", "customer"),
        ("t1@acme.example-2", "agent_reply", "agent"),  # a reply's id is its Message-ID
        ("t1@acme.example-4", "customer_message", "customer"),
    ]
    assert opened.priority is not None
    assert parsed[0].priority is None
    assert (parsed[0].requester, parsed[0].subject) == ("lee@acme.example", "VPN")


def test_an_id_that_cannot_be_a_message_id_is_refused_by_name() -> None:
    """A ticket id with a space cannot name a mail thread: an EventError naming ticket_id."""
    event = EventBuilder("ticket 7", source="email").created()
    with pytest.raises(EventError) as caught:
        EmailPayloads().payload(event)
    assert caught.value.subject == "ticket_id"


def test_the_plugin_offers_the_builder_through_the_registry() -> None:
    """``payload_builder("email")`` is this builder when the entry point is installed."""
    builder = payload_builder("email", pm=plugin_manager(load_entry_points=True))
    assert isinstance(builder, EmailPayloads)
    assert isinstance(builder, PayloadBuilder)
