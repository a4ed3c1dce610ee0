"""Ticket audits (REST) to ticket events: the mapping table of docs/adapters/zendesk.md."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

pytest.importorskip("ticketsla_zendesk", reason="ticketsla-zendesk is not installed")

from ticketsla_zendesk import ZendeskAdapter
from zendesk_testdata import AGENTS, data, raw, rows

from ticketsla.errors import ConfigurationError, PayloadError

ADAPTER = ZendeskAdapter()


def test_a_ticket_history_maps_event_by_event() -> None:
    """Every audit event of ticket 4711 becomes the documented event, in history order."""
    events = ADAPTER.parse(raw("audits_ticket_4711.json"))
    assert rows(events) == [
        # the opening comment is the created event's message (as an e-mail's first message)
        ("created-4711", "created", "customer", False, "new", "high"),
        ("event-200011", "assigned", "system", False, None, None),
        ("event-200010", "status_changed", "system", False, "open", None),
        ("comment-200020", "internal_note", "agent", False, None, None),
        ("comment-200030", "agent_reply", "agent", False, None, None),
        ("event-200031", "status_changed", "agent", False, "pending", None),
        ("comment-200040", "customer_message", "customer", False, None, None),
        ("event-200041", "status_changed", "system", False, "open", None),
        ("event-200052", "fields_changed", "agent", False, None, None),
        ("event-200053", "fields_changed", "agent", False, None, None),
        ("event-200050", "priority_changed", "agent", False, None, "urgent"),
        ("event-200051", "status_changed", "agent", False, "on_hold", None),
        ("event-200062", "assigned", "agent", False, None, None),
        ("comment-200060", "agent_reply", "agent", False, None, None),
        ("event-200061", "status_changed", "agent", False, "solved", None),
        ("comment-200070", "agent_reply", "system", True, None, None),
        ("event-200080", "satisfaction_rated", "customer", False, None, None),
    ]
    assert all(e.source == "zendesk" and e.ticket_id == "4711" for e in events)


def test_create_events_fold_into_one_created_event() -> None:
    """The Create events of the first audit set the created event's fields."""
    created = ADAPTER.parse(raw("audits_ticket_4711.json"))[0]
    assert created.at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert created.tags == frozenset({"fire", "printer"})
    assert (created.requester, created.group, created.channel) == ("9001", "360001", "email")
    assert created.subject == "Printer on fire"
    assert created.field("ticket_type") == "incident"


def test_hold_is_on_hold_and_field_changes_are_kept() -> None:
    """'hold' maps to on_hold; tags, custom fields and assignees carry their new values."""
    events = {e.event_id: e for e in ADAPTER.parse(raw("audits_ticket_4711.json"))}
    assert events["event-200051"].status == "on_hold"
    assert events["event-200052"].tags == frozenset({"escalated", "fire", "printer"})
    assert events["event-200053"].field("field_360012345678") == "hardware"
    assert events["event-200062"].assignee == "7002"
    assert events["event-200080"].rating == "good"


def test_notifications_are_not_replies() -> None:
    """Notification events (trigger e-mails) produce no event at all."""
    ids = {e.event_id for e in ADAPTER.parse(raw("audits_ticket_4711.json"))}
    assert not {"event-200009", "event-200032", "comment-200009", "comment-200032"} & ids


def test_trigger_comments_are_automatic_and_fulfil_nothing() -> None:
    """A public comment by Zendesk's system user through a trigger is an auto agent_reply."""
    event = {e.event_id: e for e in ADAPTER.parse(raw("audits_ticket_4711.json"))}["comment-200070"]
    assert event.auto
    assert not event.is_public_response


def test_sideloaded_roles_and_tickets_tell_customers_from_agents() -> None:
    """With include=users,tickets, end users (also a CC'd one) are customers, agents agents."""
    events = ADAPTER.parse(raw("audits_cursor_page_sideloads.json"))
    assert rows(events) == [
        ("comment-210010", "customer_message", "customer", False, None, None),
        ("comment-210011", "agent_reply", "agent", False, None, None),
        ("event-210012", "status_changed", "agent", False, "pending", None),
        ("comment-210013", "customer_message", "customer", False, None, None),
    ]


def test_the_ticket_next_to_an_audit_names_the_requester() -> None:
    """An update response {'ticket', 'audit'}: the ticket's requester_id is the customer."""
    events = ADAPTER.parse(raw("ticket_update_response.json"))
    assert rows(events) == [("comment-220002", "customer_message", "customer", False, None, None)]


def test_an_author_nobody_can_place_is_refused_not_guessed() -> None:
    """Without requester, roles or configuration, a public comment is a PayloadError saying so."""
    with pytest.raises(PayloadError, match=r"audit\.events\[0\]: cannot tell whether user 7003"):
        ADAPTER.parse(raw("audit_single_unknown_author.json"))


def test_configured_agent_ids_place_the_author() -> None:
    """agent_ids=... makes the same audit an agent reply followed by a solve."""
    events = ZendeskAdapter(agent_ids=AGENTS).parse(raw("audit_single_unknown_author.json"))
    assert rows(events) == [
        ("comment-220003", "agent_reply", "agent", False, None, None),
        ("event-220004", "status_changed", "agent", False, "solved", None),
    ]


def test_with_agent_ids_configured_an_unlisted_author_is_a_customer() -> None:
    """When agent ids are configured, anyone not listed (a CC'd end user) is a customer."""
    events = ZendeskAdapter(agent_ids=[1]).parse(raw("audit_single_unknown_author.json"))
    assert events[0].kind == "customer_message"


def test_customer_ids_override_the_requester_rule() -> None:
    """customer_ids marks a user a customer even where the rule would say agent."""
    audits = data("audits_ticket_4711.json")
    events = ZendeskAdapter(customer_ids=[7001]).parse(audits)
    kinds = {e.event_id: str(e.kind) for e in events}
    assert kinds["comment-200030"] == "customer_message"


def test_a_bare_audit_and_a_list_of_audits_are_recognised() -> None:
    """One audit object, or a JSON array of them, reads like the page."""
    page = data("audits_ticket_4711.json")
    expected = ADAPTER.parse(page)
    assert ADAPTER.parse(page["audits"]) == expected
    first = ADAPTER.parse(page["audits"][0])
    assert [e.event_id for e in first] == ["created-4711"]


def test_zendesks_older_time_format_is_read() -> None:
    """'2011/09/25 22:35:44 -0700', as in Zendesk's older examples, is an aware instant."""
    audit = data("audits_ticket_4711.json")["audits"][0]
    audit["created_at"] = "2026/03/02 01:00:00 -0800"
    created = ADAPTER.parse({"audit": audit})[0]
    assert created.at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_removing_the_priority_gives_no_priority_event() -> None:
    """A priority changed to null produces nothing (a clock cannot use 'no priority')."""
    audit = {
        "id": 1,
        "ticket_id": 5,
        "created_at": "2026-03-02T09:00:00Z",
        "author_id": 7001,
        "via": {"channel": "web"},
        "events": [{"id": 2, "type": "Change", "field_name": "priority", "value": None}],
    }
    assert ADAPTER.parse(audit) == []


def test_undocumented_event_types_are_ignored() -> None:
    """Zendesk adds event types at any time; an unknown one is skipped, not an error."""
    audit = data("audits_ticket_4711.json")["audits"][2]
    audit["events"].append({"id": 999, "type": "ChatStartedEvent", "value": {"x": 1}})
    assert [e.event_id for e in ADAPTER.parse(audit)] == ["comment-200020"]


def test_bad_configuration_is_refused() -> None:
    """A user id that is not a number, or a non-positive replay window, is a ConfigurationError."""
    with pytest.raises(ConfigurationError, match="'ana' is not a Zendesk user id"):
        ZendeskAdapter(agent_ids=["ana"])
    with pytest.raises(ConfigurationError, match="TICKETSLA_ZENDESK_AGENT_IDS"):
        ZendeskAdapter.from_env({"TICKETSLA_ZENDESK_AGENT_IDS": "1,x"})
    from datetime import timedelta

    with pytest.raises(ConfigurationError, match="replay window must be positive"):
        ZendeskAdapter(max_age=timedelta(0))


def test_repr_shows_counts_not_ids() -> None:
    """The adapter's repr says how many ids it knows, not which."""
    assert "7001" not in repr(ZendeskAdapter(agent_ids=AGENTS))
