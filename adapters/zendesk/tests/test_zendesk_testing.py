"""ticketsla_zendesk.testing: the payloads it writes parse back to the events they were written
from, and the plugin offers the builder through the registry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytest.importorskip("ticketsla_zendesk", reason="ticketsla-zendesk is not installed")

from hypothesis import given, settings
from hypothesis import strategies as st
from ticketsla_zendesk.testing import ZendeskPayloads

from ticketsla.errors import EventError
from ticketsla.events import Actor, EventKind, Priority, Status, TicketEvent
from ticketsla.payload_builders import PayloadBuilder, payload_builder
from ticketsla.sources import PayloadLimits
from ticketsla.testing import EventBuilder, plugin_manager

LIMITS = PayloadLimits()
ids = st.integers(min_value=10, max_value=10**12).map(str)
requesters = st.integers(min_value=8000, max_value=10**9).map(str)  # never the agent (7001)
EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
instants = st.integers(min_value=0, max_value=98 * 365 * 86400 * 10**6).map(
    lambda us: EPOCH + timedelta(microseconds=us)
)
words = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
texts = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ]{0,30}", fullmatch=True)
webhook_ids = st.from_regex(r"[A-Za-z0-9_.:-]{1,40}", fullmatch=True)
people = st.sampled_from([Actor.CUSTOMER, Actor.AGENT, Actor.SYSTEM])


@st.composite
def zendesk_events(draw: st.DrawFn) -> TicketEvent:
    """An event as the Zendesk adapter names and fills it, of any kind the builder writes."""
    ticket = draw(ids)
    common: dict[str, Any] = {"ticket_id": ticket, "source": "zendesk", "at": draw(instants)}
    kind = draw(st.sampled_from(list(EventKind)))
    if kind is EventKind.CREATED:
        return TicketEvent(
            **common,
            event_id=f"created-{ticket}",
            kind=kind,
            actor=draw(people),
            status=draw(st.sampled_from(list(Status))),
            priority=draw(st.none() | st.sampled_from(list(Priority))),
            requester=draw(requesters),
            subject=draw(st.none() | texts),
            tags=draw(st.frozensets(words, max_size=4)),
            channel=draw(st.none() | st.sampled_from(["email", "web", "api", "voice"])),
            assignee=draw(st.none() | ids),
            group=draw(st.none() | ids),
            organization=draw(st.none() | ids),
        )
    comment_id = f"comment-{draw(ids)}"
    if kind is EventKind.CUSTOMER_MESSAGE:
        return TicketEvent(**common, event_id=comment_id, kind=kind, actor=Actor.CUSTOMER)
    if kind is EventKind.AGENT_REPLY:
        actor = draw(st.sampled_from([Actor.AGENT, Actor.SYSTEM]))
        return TicketEvent(
            **common, event_id=comment_id, kind=kind, actor=actor, auto=actor is Actor.SYSTEM
        )
    if kind is EventKind.INTERNAL_NOTE:
        return TicketEvent(**common, event_id=comment_id, kind=kind, actor=draw(people))
    if kind is EventKind.SATISFACTION_RATED:
        at = common["at"]
        return TicketEvent(
            **common,
            event_id=f"rating-{draw(ids)}-{int(at.timestamp())}",
            kind=kind,
            actor=Actor.CUSTOMER,
            rating=draw(st.sampled_from(["good", "bad"])),
            requester=draw(requesters),
            assignee=draw(st.none() | ids),
        )
    change: dict[str, Any] = {"event_id": f"webhook-{draw(webhook_ids)}", "actor": draw(people)}
    if kind is EventKind.PRIORITY_CHANGED:
        return TicketEvent(**common, **change, kind=kind, priority=draw(st.sampled_from(Priority)))
    if kind is EventKind.ASSIGNED:
        return TicketEvent(**common, **change, kind=kind, assignee=draw(st.none() | ids))
    return TicketEvent(
        **common, **change, kind=EventKind.STATUS_CHANGED, status=draw(st.sampled_from(Status))
    )


@given(zendesk_events())
def test_a_payload_parses_back_to_its_event(event: TicketEvent) -> None:
    """For every kind it writes, the adapter reads the builder's payload as the same event."""
    builder = ZendeskPayloads()
    payload = builder.payload(event)
    assert payload is not None
    assert builder.adapter().parse(payload, headers={}, limits=LIMITS) == [event]


@settings(max_examples=40)
@given(st.lists(zendesk_events(), max_size=6))
def test_one_builder_writes_a_whole_history(events: list[TicketEvent]) -> None:
    """What a builder remembers of earlier tickets (their requesters) keeps every later body
    reading back as its event."""
    builder = ZendeskPayloads()
    adapter = builder.adapter()
    for event in events:
        assert adapter.parse(builder.payload(event) or {}, headers={}, limits=LIMITS) == [event]


def test_a_history_from_event_builder_keeps_everything_but_the_ids() -> None:
    """Events with ids of their own (``EventBuilder``'s ``4711-2``) read back with Zendesk's ids
    for them, everything else equal, and the same history always gives the same bodies."""
    history = EventBuilder("4711", source="zendesk")
    history.created(requester="9100", tags=["vip"], channel="web", priority="high")
    history.agent_reply(after="20m")
    history.status("pending", after="1m", actor="agent")
    history.customer_message(after="3h")
    history.rated("good", after="1d", requester="9100")
    builder = ZendeskPayloads()
    payloads = [builder.payload(e) for e in history.events]
    again = ZendeskPayloads()
    assert payloads == [again.payload(e) for e in history.events]
    parsed = [builder.adapter().parse(p, headers={}, limits=LIMITS)[0] for p in payloads]
    ids = [e.event_id for e in parsed]
    assert ids[0] == "created-4711"
    assert ids[1].startswith("comment-")
    assert ids[2] == "webhook-4711-3"
    for mine, theirs in zip(history.events, parsed, strict=True):
        assert theirs.to_dict() | {"event_id": mine.event_id} == mine.to_dict()


def test_kinds_zendesk_does_not_send_give_none() -> None:
    """A due date or a field change has no webhook of its own here."""
    events = EventBuilder("4711", source="zendesk")
    assert ZendeskPayloads().payload(events.event("fields_changed", subject="x")) is None


@pytest.mark.parametrize(
    ("fields", "subject"),
    [
        ({"ticket_id": "T-1"}, "ticket_id"),
        ({"kind": "created", "requester": "ana@example.com"}, "requester"),
        ({"kind": "satisfaction_rated", "rating": 4, "scale": (1, 5)}, "rating"),
    ],
)
def test_what_zendesk_cannot_hold_is_refused_by_name(fields: dict[str, Any], subject: str) -> None:
    """Zendesk ids are numbers and ratings good or bad: anything else is an EventError naming
    the field."""
    values: dict[str, Any] = {
        "ticket_id": "4711",
        "event_id": "e1",
        "at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        "kind": "agent_reply",
        "source": "zendesk",
    }
    with pytest.raises(EventError) as caught:
        ZendeskPayloads().payload(TicketEvent(**(values | fields)))
    assert caught.value.subject == subject


def test_the_plugin_offers_the_builder_through_the_registry() -> None:
    """``payload_builder("zendesk")`` is this builder when the entry point is installed; other
    sources are not its business."""
    pm = plugin_manager(load_entry_points=True)
    builder = payload_builder("zendesk", pm=pm)
    assert isinstance(builder, ZendeskPayloads)
    assert isinstance(builder, PayloadBuilder)
    assert pm.hook.ticketsla_payload_builder(source="nowhere") is None
