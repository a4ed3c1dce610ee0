"""Incremental ticket-event export pages: same ids as audits, duplicates and disorder harmless."""

from __future__ import annotations

import itertools

import pytest

pytest.importorskip("ticketsla_zendesk", reason="ticketsla-zendesk is not installed")

from ticketsla_zendesk import ZendeskAdapter
from zendesk_testdata import AGENTS, data, raw, rows

from ticketsla.errors import PayloadError
from ticketsla.events import order_events

ADAPTER = ZendeskAdapter(agent_ids=AGENTS)
PAGES = ("incremental_ticket_events_page1.json", "incremental_ticket_events_page2.json")


def exported() -> list:
    return order_events(e for page in PAGES for e in ADAPTER.parse(raw(page)))


def test_export_pages_give_the_same_events_as_the_audits() -> None:
    """The export and the audit API describe one history with one set of event ids."""
    audits = [
        e for e in ADAPTER.parse(raw("audits_ticket_4711.json")) if e.event_id != "event-200053"
    ]
    assert exported() == audits  # the export carries no custom-field children in this fixture


def test_first_page_without_comment_sideload_is_read() -> None:
    """comment_present/comment_public children, without the comment itself, still give events."""
    events = ZendeskAdapter().parse(raw(PAGES[0]))
    assert rows(events) == [
        # the opening comment is the created event's message (as an e-mail's first message)
        ("created-4711", "created", "customer", False, "new", "high"),
        ("event-200011", "assigned", "system", False, None, None),
        ("event-200010", "status_changed", "system", False, "open", None),
        ("comment-200020", "internal_note", "agent", False, None, None),
        ("comment-200030", "agent_reply", "agent", False, None, None),
        ("event-200031", "status_changed", "agent", False, "pending", None),
    ]
    assert events[0].channel == "email"  # the export's "Mail" is the REST via type "email"


def test_a_record_repeated_across_pages_is_one_event() -> None:
    """Audit 100004 is on both pages; its events have the same ids, so they dedupe."""
    first = {e.event_id for e in ADAPTER.parse(raw(PAGES[0]))}
    second = {e.event_id for e in ADAPTER.parse(raw(PAGES[1]))}
    assert first & second == {"comment-200030", "event-200031"}
    everything = [e for page in PAGES for e in ADAPTER.parse(raw(page))]
    assert len(order_events(everything)) == len(everything) - 2


@pytest.mark.parametrize("order", list(itertools.permutations(range(2))))
def test_pages_in_any_order_give_one_history(order: tuple[int, ...]) -> None:
    """Out-of-order delivery: reading page 2 before page 1 gives the same ordered events."""
    events = [e for i in order for e in ADAPTER.parse(raw(PAGES[i]))]
    assert order_events(events) == exported()


def test_records_shuffled_inside_a_page_give_the_same_events() -> None:
    """Records out of order inside one page are put back in history order."""
    page = data(PAGES[1])
    page["ticket_events"].reverse()
    assert ADAPTER.parse(page) == ADAPTER.parse(raw(PAGES[1]))


def test_metric_records_inside_an_export_are_not_ticket_events() -> None:
    """A metric-event record among the export's records is skipped by parse."""
    ids = [e.event_id for e in ADAPTER.parse(raw(PAGES[1]))]
    assert not [i for i in ids if "926256957613" in i]


def test_without_the_creation_a_later_page_needs_agent_ids() -> None:
    """Page 2 alone cannot say who the requester is: refused unless agent ids are configured."""
    with pytest.raises(PayloadError, match="cannot tell whether user 7001 on ticket 4711"):
        ZendeskAdapter().parse(raw(PAGES[1]))


def test_a_malformed_record_is_named_by_its_position() -> None:
    """A record that is neither an update nor a metric event is a PayloadError at its index."""
    page = data(PAGES[0])
    page["ticket_events"].append({"id": 5, "ticket_id": 4711})
    with pytest.raises(
        PayloadError, match=r"ticket_events\[4\]: expected an incremental export record"
    ):
        ADAPTER.parse(page)
