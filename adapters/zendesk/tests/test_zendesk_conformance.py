"""Conformance: Zendesk payloads written here in shapes recorded API traffic takes.

Each file in ``conformance/`` is named for the real-world shape it stands for.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ticketsla_zendesk import ZendeskAdapter

from ticketsla.events import Actor, EventKind, Status, TicketEvent
from ticketsla.sources import PayloadLimits

CONFORMANCE = Path(__file__).parent / "conformance"


def parse(name: str) -> list[TicketEvent]:
    data = (CONFORMANCE / name).read_bytes()
    return ZendeskAdapter().parse(data, headers={}, limits=PayloadLimits())


def test_every_fixture_is_tested() -> None:
    assert sorted(p.name for p in CONFORMANCE.iterdir()) == [
        "audit_notification_and_cc_around_a_comment.json",
        "incremental_export_last_page_empty.json",
        "webhook_status_changed_with_fields_added_later.json",
    ]


def test_last_export_page_with_no_events_is_read_as_nothing() -> None:
    """The page that ends the stream (end_of_stream, no events) is no error."""
    assert parse("incremental_export_last_page_empty.json") == []


def test_notifications_cc_and_unknown_audit_events_give_nothing_of_their_own() -> None:
    """Trigger notifications, Cc changes and event types added later are skipped; comments kept."""
    events = parse("audit_notification_and_cc_around_a_comment.json")
    assert sorted((e.event_id, e.kind) for e in events) == [
        ("comment-230010", EventKind.AGENT_REPLY),
        ("comment-230013", EventKind.INTERNAL_NOTE),  # a private voice comment
    ]
    assert {e.at for e in events} == {datetime(2026, 3, 9, 14, 5, tzinfo=UTC)}


def test_webhook_with_fields_added_later_is_read() -> None:
    """Unknown fields in detail and event (Zendesk adds them over time) change nothing."""
    (event,) = parse("webhook_status_changed_with_fields_added_later.json")
    assert event.kind is EventKind.STATUS_CHANGED
    assert event.status is Status.PENDING
    assert event.actor is Actor.AGENT
    assert event.at == datetime(2026, 3, 9, 14, 10, 0, 123456, tzinfo=UTC)
