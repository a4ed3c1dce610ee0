"""Zendesk event webhooks (zen:event-type:ticket.*) to ticket events."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

pytest.importorskip("ticketsla_zendesk", reason="ticketsla-zendesk is not installed")

from ticketsla_zendesk import ZendeskAdapter
from ticketsla_zendesk.testing import ZendeskPayloads
from zendesk_testdata import data, raw, rows

from ticketsla.errors import PayloadError
from ticketsla.events import order_events
from ticketsla.testing import EventBuilder

ADAPTER = ZendeskAdapter()


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "webhook_ticket_created.json",
            ("created-4711", "created", "customer", False, "new", "high"),
        ),
        (
            "webhook_comment_added_customer.json",
            ("comment-200001", "customer_message", "customer", False, None, None),
        ),
        (
            "webhook_comment_added_agent.json",
            ("comment-200030", "agent_reply", "agent", False, None, None),
        ),
        (
            "webhook_comment_added_internal.json",
            ("comment-200020", "internal_note", "agent", False, None, None),
        ),
        (
            "webhook_status_changed.json",
            (
                "webhook-01JNRT0A1B2C3D4E5F6G7H8J9K",
                "status_changed",
                "agent",
                False,
                "on_hold",
                None,
            ),
        ),
        (
            "webhook_priority_changed.json",
            (
                "webhook-01JNRT0A1B2C3D4E5F6G7H8J9M",
                "priority_changed",
                "agent",
                False,
                None,
                "urgent",
            ),
        ),
        (
            "webhook_agent_assignment_changed.json",
            ("webhook-01JNPB3F9Q8R7S6T5U4V3W2X1Y", "assigned", "system", False, None, None),
        ),
        (
            "webhook_tags_changed.json",
            ("webhook-01JNRT0A1B2C3D4E5F6G7H8J9N", "fields_changed", "agent", False, None, None),
        ),
        (
            "webhook_messaging_message_added.json",
            ("message-67ab5f55155becd183e284cb", "agent_reply", "system", True, None, None),
        ),
    ],
)
def test_each_webhook_maps_to_its_event(fixture: str, expected: tuple[object, ...]) -> None:
    """A webhook body gives the documented event (upper-case statuses and HOLD included)."""
    assert rows(ADAPTER.parse(raw(fixture))) == [expected]


def test_webhook_time_keeps_microseconds_of_nanosecond_stamps() -> None:
    """Zendesk's nanosecond times are read to the microsecond, in UTC."""
    event = ADAPTER.parse(raw("webhook_comment_added_customer.json"))[0]
    assert event.at == datetime(2026, 3, 2, 9, 0, 0, 412345, tzinfo=UTC)


def test_created_webhook_carries_the_tickets_fields() -> None:
    """ticket.created takes status, priority, tags, requester, group and channel from detail."""
    created = ADAPTER.parse(raw("webhook_ticket_created.json"))[0]
    assert created.tags == frozenset({"fire", "printer"})
    assert (created.requester, created.group, created.organization) == (
        "9001",
        "360001",
        "360000301",
    )
    assert created.channel == "email"
    assert created.field("ticket_type") == "incident"


def test_webhook_and_audit_deliveries_of_one_comment_are_one_event() -> None:
    """A comment seen by webhook and again in the audits has one id: stored once."""
    webhook = ADAPTER.parse(raw("webhook_comment_added_agent.json"))
    audits = ADAPTER.parse(raw("audits_ticket_4711.json"))
    merged = order_events([*webhook, *audits])
    assert [e.event_id for e in merged].count("comment-200030") == 1
    assert {e.event_id for e in merged} == {e.event_id for e in audits}


def test_a_redelivered_webhook_has_the_same_id() -> None:
    """Zendesk retries send the same body; both deliveries give equal events."""
    assert ADAPTER.parse(raw("webhook_status_changed.json")) == ADAPTER.parse(
        raw("webhook_status_changed.json")
    )


def test_events_about_users_and_others_give_nothing() -> None:
    """A recognised webhook that is not about a ticket (user.active_changed) gives no events."""
    assert ADAPTER.parse(raw("webhook_user_active_changed.json")) == []


def test_other_ticket_event_types_give_nothing() -> None:
    """A ticket event with no SLA meaning (brand changed) is recognised and gives nothing."""
    body = data("webhook_status_changed.json")
    body["type"] = "zen:event-type:ticket.brand_changed"
    assert ADAPTER.parse(body) == []


def test_a_deleted_ticket_is_closed() -> None:
    """ticket.soft_deleted closes the ticket so its clocks stop."""
    body = data("webhook_status_changed.json")
    body["type"] = "zen:event-type:ticket.soft_deleted"
    event = ADAPTER.parse(body)[0]
    assert event.status == "closed"
    assert event.field("zendesk_deleted") is True


def test_ticket_id_comes_from_the_subject_when_detail_has_none() -> None:
    """subject 'zen:ticket:4714' names the ticket of a messaging event."""
    assert ADAPTER.parse(raw("webhook_messaging_message_added.json"))[0].ticket_id == "4714"


def test_end_user_messages_are_customer_messages() -> None:
    """A messaging message from an end_user is a customer message."""
    body = data("webhook_messaging_message_added.json")
    body["event"]["actor"]["type"] = "end_user"
    assert ADAPTER.parse(body)[0].kind == "customer_message"


def test_a_webhook_with_a_strange_status_is_refused() -> None:
    """An unknown status value is a PayloadError naming the field."""
    body = data("webhook_status_changed.json")
    body["event"]["current"] = "ARCHIVED"
    with pytest.raises(PayloadError, match=r"event\.current: expected a ticket status"):
        ADAPTER.parse(body)


def test_a_webhook_id_with_odd_characters_is_refused() -> None:
    """A webhook id with spaces or markup cannot become part of an event id."""
    body = data("webhook_status_changed.json")
    body["id"] = "<script> alert"
    with pytest.raises(PayloadError, match="expected a webhook event id"):
        ADAPTER.parse(body)


@pytest.mark.parametrize("seed", range(3))
def test_webhooks_delivered_in_any_order_and_repeated_give_one_history(seed: int) -> None:
    """A ticket's webhooks written by ``ticketsla_zendesk.testing``, each delivered up to three
    times in any order, give back exactly the events they were written from once ordered."""
    history = EventBuilder("4720", source="zendesk")
    history.created(priority="urgent", requester="9200", tags=["vip"], channel="email")
    history.agent_reply(after="15m")
    history.status("pending", after="1m", actor="agent")
    history.customer_message(after="4h")
    history.priority("high", after="5m", actor="agent")
    zendesk = ZendeskPayloads()
    bodies = [zendesk.payload(e) for e in history.events]
    rng = random.Random(seed)
    deliveries = [body for body in bodies for _ in range(rng.randint(1, 3))]
    rng.shuffle(deliveries)
    delivered = order_events(e for body in deliveries for e in ADAPTER.parse(body or {}))
    assert delivered == order_events(e for body in bodies for e in ADAPTER.parse(body or {}))
    assert [e.to_dict() | {"event_id": ""} for e in delivered] == [
        e.to_dict() | {"event_id": ""} for e in order_events(history.events)
    ]  # under Zendesk's ids: created-4720, comment-..., webhook-4720-3...
