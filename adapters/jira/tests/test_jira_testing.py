"""ticketsla_jira.testing: the webhook bodies it writes parse back to the events they were written
from, and the plugin offers the builder through the registry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytest.importorskip("ticketsla_jira", reason="ticketsla-jira is not installed")

from hypothesis import given, settings
from hypothesis import strategies as st
from ticketsla_jira.testing import JiraPayloads

from ticketsla.errors import EventError
from ticketsla.events import Actor, EventKind, Priority, Status, TicketEvent
from ticketsla.payload_builders import PayloadBuilder, payload_builder
from ticketsla.sources import PayloadLimits
from ticketsla.testing import EventBuilder, plugin_manager

LIMITS = PayloadLimits()
keys = st.from_regex(r"[A-Z]{2,5}-[1-9][0-9]{0,4}", fullmatch=True)
numbers = st.integers(min_value=1, max_value=10**9).map(str)
accounts = st.from_regex(r"qm:[0-9a-f]{1,12}", fullmatch=True)
EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
instants = st.integers(min_value=0, max_value=98 * 365 * 86400 * 1000).map(
    lambda ms: EPOCH + timedelta(milliseconds=ms)  # Jira keeps milliseconds
)
labels = st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True)
summaries = st.from_regex(r"[A-Za-z0-9]{1,8}( [A-Za-z0-9]{1,8}){0,3}", fullmatch=True)
people = st.sampled_from([Actor.CUSTOMER, Actor.AGENT, Actor.SYSTEM])
FIELD = {
    EventKind.STATUS_CHANGED: "status",
    EventKind.PRIORITY_CHANGED: "priority",
    EventKind.ASSIGNED: "assignee",
    EventKind.SATISFACTION_RATED: "satisfaction",
}


@st.composite
def jira_events(draw: st.DrawFn) -> TicketEvent:
    """An event as the Jira adapter names and fills it, of any kind the builder writes."""
    common: dict[str, Any] = {"ticket_id": draw(keys), "source": "jira", "at": draw(instants)}
    kind = draw(st.sampled_from([*FIELD, EventKind.CREATED, *COMMENTS]))
    if kind is EventKind.CREATED:
        return TicketEvent(
            **common,
            event_id=f"issue:{draw(numbers)}:created",
            kind=kind,
            actor=draw(people),
            status=draw(st.none() | st.sampled_from(list(Status))),
            priority=draw(st.none() | st.sampled_from(list(Priority))),
            requester=draw(accounts),
            subject=draw(st.none() | summaries),
            tags=draw(st.frozensets(labels, max_size=4)),
            channel="jira",
            assignee=draw(st.none() | accounts),
        )
    if kind in COMMENTS:
        actor = Actor.CUSTOMER if kind is EventKind.CUSTOMER_MESSAGE else draw(COMMENTS[kind])
        return TicketEvent(
            **common,
            event_id=f"comment:{draw(numbers)}",
            kind=kind,
            actor=actor,
            auto=actor is Actor.SYSTEM,
        )
    change = {"event_id": f"changelog:{draw(numbers)}:{FIELD[kind]}", "seq": 1}
    if kind is EventKind.SATISFACTION_RATED:
        rating = draw(st.integers(min_value=1, max_value=5))
        return TicketEvent(
            **common, **change, kind=kind, actor="customer", rating=rating, scale=(1, 5)
        )
    value: dict[str, Any] = {
        EventKind.STATUS_CHANGED: {"status": draw(st.sampled_from(list(Status)))},
        EventKind.PRIORITY_CHANGED: {"priority": draw(st.sampled_from(list(Priority)))},
        EventKind.ASSIGNED: {"assignee": draw(st.none() | accounts)},
    }[kind]
    return TicketEvent(**common, **change, kind=kind, actor=draw(people), **value)


COMMENTS = {
    EventKind.CUSTOMER_MESSAGE: st.just(Actor.CUSTOMER),
    EventKind.AGENT_REPLY: st.sampled_from([Actor.AGENT, Actor.SYSTEM]),
    EventKind.INTERNAL_NOTE: st.sampled_from([Actor.AGENT, Actor.SYSTEM]),
}


@given(jira_events())
def test_a_body_parses_back_to_its_event(event: TicketEvent) -> None:
    """For every kind it writes, the adapter reads the builder's body as the same event."""
    builder = JiraPayloads()
    body = builder.payload(event)
    assert body is not None
    assert builder.adapter().parse(body, headers={}, limits=LIMITS) == [event]


@settings(max_examples=40)
@given(st.lists(jira_events(), max_size=6))
def test_one_builder_writes_a_whole_history(events: list[TicketEvent]) -> None:
    """What a builder remembers of earlier issues (ids, reporters) keeps every later body
    reading back as its event."""
    builder = JiraPayloads()
    adapter = builder.adapter()
    for event in events:
        assert adapter.parse(builder.payload(event) or {}, headers={}, limits=LIMITS) == [event]


def test_a_history_from_event_builder_keeps_everything_but_the_ids() -> None:
    """Events with ids of their own read back with Jira's names for them (``comment:<id>``...),
    everything else equal; the reporter of the created issue is its customer from then on."""
    history = EventBuilder("HELP-7", source="jira")
    history.created(status="open", requester="qm:ana", tags=[], channel="jira", subject="VPN")
    history.agent_reply(after="20m")
    history.status("pending", after="1m", actor="agent", seq=1)
    history.customer_message(after="3h")
    history.rated(4, scale=(1, 5), after="1d", seq=1)
    builder = JiraPayloads()
    parsed = [
        builder.adapter().parse(builder.payload(e) or {}, headers={}, limits=LIMITS)[0]
        for e in history.events
    ]
    assert [e.event_id for e in parsed] == [
        "issue:HELP-7-1:created",
        "comment:HELP-7-2",
        "changelog:HELP-7-3:status",
        "comment:HELP-7-4",
        "changelog:HELP-7-5:satisfaction",
    ]
    for mine, theirs in zip(history.events, parsed, strict=True):
        assert theirs.to_dict() | {"event_id": mine.event_id} == mine.to_dict()


def test_kinds_jira_does_not_send_give_none() -> None:
    """A field change other than the four read has no body here."""
    events = EventBuilder("HELP-7", source="jira")
    assert JiraPayloads().payload(events.event("fields_changed", subject="x")) is None


def test_a_rating_outside_one_to_five_is_refused_by_name() -> None:
    """Jira's satisfaction field holds 1 to 5; ``good`` is an EventError naming the rating."""
    event = EventBuilder("HELP-7", source="jira").rated("good")
    with pytest.raises(EventError) as caught:
        JiraPayloads().payload(event)
    assert caught.value.subject == "rating"


def test_the_plugin_offers_the_builder_through_the_registry() -> None:
    """``payload_builder("jira")`` is this builder when the entry point is installed."""
    builder = payload_builder("jira", pm=plugin_manager(load_entry_points=True))
    assert isinstance(builder, JiraPayloads)
    assert isinstance(builder, PayloadBuilder)


def test_times_are_written_to_the_millisecond() -> None:
    """Jira keeps milliseconds: a reply at .123456 seconds reads back at .123."""
    at = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)
    reply = TicketEvent(ticket_id="HELP-7", event_id="comment:1", at=at, kind="agent_reply")
    builder = JiraPayloads()
    (parsed,) = builder.adapter().parse(builder.payload(reply) or {}, headers={}, limits=LIMITS)
    assert parsed.at == at.replace(microsecond=123000)
