"""Jira Cloud webhook bodies become the right ticket events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from jira_payloads import by_id, load, parse
from ticketsla_jira import JiraAdapter, JiraSettings

from ticketsla.events import Actor, EventKind, Priority, Status

DANA = "qm:5e1c7a40-2b7d-4c61-9d0e-000000000017"
RAVI = "712020:0b6e1f3c-5a7e-4d2b-8f44-00000000a001"


def test_issue_created_becomes_one_created_event_with_the_issue_fields() -> None:
    """jira:issue_created gives a created event carrying status, priority, labels and people."""
    (event,) = parse("issue_created.json")
    assert event.ticket_id == "HELP-42"
    assert event.event_id == "issue:10042:created"
    assert event.kind is EventKind.CREATED
    assert event.at == datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
    assert event.actor is Actor.CUSTOMER
    assert event.status is Status.OPEN  # "Waiting for support"
    assert event.priority is Priority.HIGH
    assert event.tags == frozenset({"vpn", "remote-work"})
    assert event.requester == DANA
    assert event.assignee is None
    assert event.subject == "VPN drops every ten minutes"
    assert event.channel == "jira"
    assert event.field("project") == "HELP"
    assert event.field("issue_type") == "Get IT help"
    assert event.source == "jira"


def test_status_change_takes_the_changelog_id_and_the_webhook_timestamp() -> None:
    """A status item becomes status_changed with id changelog:<id>:status at the webhook time."""
    (event,) = parse("issue_updated_status.json")
    assert event.event_id == "changelog:20011:status"
    assert event.kind is EventKind.STATUS_CHANGED
    assert event.status is Status.PENDING  # "Waiting for customer"
    assert event.at == datetime(2026, 3, 2, 9, 47, 31, 118000, tzinfo=UTC)
    assert event.actor is Actor.AGENT


def test_items_of_one_changelog_keep_their_order_and_unused_fields_are_skipped() -> None:
    """Priority, assignee and status of one history keep item order in seq; others are ignored."""
    events = parse("issue_updated_multi.json")
    assert [(e.kind, e.seq) for e in events] == [
        (EventKind.PRIORITY_CHANGED, 1),
        (EventKind.ASSIGNED, 2),
        (EventKind.STATUS_CHANGED, 3),
    ]
    found = by_id(events)
    assert found["changelog:20015:priority"].priority is Priority.URGENT
    assert found["changelog:20015:assignee"].assignee == RAVI
    assert found["changelog:20015:status"].status is Status.OPEN  # "In Progress"
    assert {e.at for e in events} == {datetime(2026, 3, 2, 10, 2, 9, 730000, tzinfo=UTC)}


def test_unassigning_records_an_assignment_to_nobody() -> None:
    """An assignee item with no target becomes assigned with assignee None."""
    body = load("issue_updated_status.json")
    body["changelog"]["items"] = [
        {"field": "assignee", "fieldtype": "jira", "fieldId": "assignee", "from": RAVI,
         "fromString": "Ravi Agent", "to": None, "toString": None},
    ]  # fmt: skip
    (event,) = parse(body)
    assert event.kind is EventKind.ASSIGNED
    assert event.assignee is None


def test_labels_change_replaces_the_tags() -> None:
    """A labels item becomes fields_changed with the new label set as tags."""
    body = load("issue_updated_status.json")
    body["changelog"]["items"] = [
        {"field": "labels", "fieldtype": "jira", "fieldId": "labels", "from": None,
         "fromString": "vpn", "to": None, "toString": "vpn vip"},
    ]  # fmt: skip
    (event,) = parse(body)
    assert event.kind is EventKind.FIELDS_CHANGED
    assert event.tags == frozenset({"vpn", "vip"})


def test_same_field_twice_in_one_history_gets_distinct_ids() -> None:
    """Two status items in one changelog get ids :status and :status:2."""
    body = load("issue_updated_status.json")
    item = body["changelog"]["items"][0]
    body["changelog"]["items"] = [item, {**item, "toString": "Resolved", "to": "10004"}]
    assert [e.event_id for e in parse(body)] == [
        "changelog:20011:status",
        "changelog:20011:status:2",
    ]


def test_public_agent_comment_is_a_response() -> None:
    """A public comment by a licensed agent is an agent_reply that counts as a response."""
    (event,) = parse("comment_created_public.json")
    assert event.event_id == "comment:30101"
    assert event.kind is EventKind.AGENT_REPLY
    assert event.actor is Actor.AGENT
    assert event.is_public_response
    assert event.at == datetime(2026, 3, 2, 9, 47, 31, 171000, tzinfo=UTC)


def test_internal_comment_is_an_internal_note() -> None:
    """A comment with jsdPublic false is an internal note, never a response."""
    (event,) = parse("comment_created_internal.json")
    assert event.kind is EventKind.INTERNAL_NOTE
    assert not event.is_public_response


@pytest.mark.parametrize(
    "change",
    [
        {
            "jsdPublic": None,
            "properties": [{"key": "sd.public.comment", "value": {"internal": True}}],
        },
        {
            "jsdPublic": None,
            "properties": [{"key": "sd.public.comment", "value": {"internal": "true"}}],
        },
        {"jsdPublic": True, "visibility": {"type": "role", "value": "Service Desk Team"}},
        {"jsdPublic": False},
    ],
    ids=["property", "property-text", "restricted-visibility", "jsdPublic-false"],
)
def test_each_internal_marker_alone_makes_a_comment_internal(change: dict[str, object]) -> None:
    """The sd.public.comment property, a restricted visibility or jsdPublic false each suffice."""
    body = load("comment_created_public.json")
    body["comment"].pop("jsdPublic")
    body["comment"].update({k: v for k, v in change.items() if v is not None})
    (event,) = parse(body)
    assert event.kind is EventKind.INTERNAL_NOTE


def test_customer_comment_is_a_customer_message() -> None:
    """A public comment by a portal customer is a customer_message."""
    (event,) = parse("comment_created_customer.json")
    assert event.kind is EventKind.CUSTOMER_MESSAGE
    assert event.actor is Actor.CUSTOMER


def test_automation_comment_is_automatic_and_never_a_response() -> None:
    """A comment by an app account (Automation for Jira) is an automatic, non-response reply."""
    (event,) = parse("comment_created_automation.json")
    assert event.kind is EventKind.AGENT_REPLY
    assert event.actor is Actor.SYSTEM
    assert event.auto
    assert not event.is_public_response


def test_comment_inside_issue_updated_has_the_comment_created_id() -> None:
    """The same comment seen as issue_commented and comment_created gives one event id."""
    (via_update,) = parse("issue_updated_commented.json")
    (via_comment,) = parse("comment_created_public.json")
    assert via_update.event_id == via_comment.event_id == "comment:30101"
    assert via_update.kind is via_comment.kind is EventKind.AGENT_REPLY


@pytest.mark.parametrize(
    "name", ["jira:issue_deleted", "comment_updated", "worklog_created", "sprint_started"]
)
def test_webhook_events_without_sla_meaning_give_no_events(name: str) -> None:
    """Webhook events that change no clock are recognised and give an empty list."""
    body = load("issue_updated_status.json")
    body["webhookEvent"] = name
    assert parse(body) == []


def test_events_carry_the_adapter_name_as_their_source() -> None:
    """A second Jira site registered as jira-eu stamps its own source name on its events."""
    (event,) = parse("issue_created.json", JiraAdapter(name="jira-eu"))
    assert event.source == "jira-eu"


def test_tickets_can_be_named_by_issue_id() -> None:
    """With ticket_id = "id" the ticket is the numeric issue id, not the key."""
    (event,) = parse("issue_created.json", JiraAdapter(JiraSettings(ticket_id="id")))
    assert event.ticket_id == "10042"
