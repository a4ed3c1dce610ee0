"""Tickets an agent opens, and the opening message in every source (issue #10 item 2, #16 item 3).

Zendesk, Defining SLA policies (https://support.zendesk.com/hc/en-us/articles/4408829459866): when
an agent creates a ticket, first reply time runs from the creation to the agent's next public
comment; an opening public comment is not the reply; a ticket opened on a requester's behalf with
a private note starts first reply time at the requester's first public comment.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from ticketsla_email import EmailAdapter, EmailSettings
from ticketsla_jira import JiraAdapter
from ticketsla_zendesk import ZendeskAdapter

from ticketsla import ClockStatus, SLAPolicy, TicketEvent, evaluate
from ticketsla.sources import PayloadLimits

ZENDESK_SLA = "https://support.zendesk.com/hc/en-us/articles/4408829459866"
POLICY = SLAPolicy.from_mapping(
    {"name": "agent-created", "calendar": "24x7", "targets": {"first_response": {"all": "4h"}}}
)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 10, hour, minute, tzinfo=UTC)


def ev(i: int, when: datetime, kind: str, **fields: Any) -> TicketEvent:
    return TicketEvent(ticket_id="A-1", event_id=f"e{i}", at=when, kind=kind, **fields)


def test_an_agents_public_opening_message_is_not_the_first_reply() -> None:
    """Created by an agent with a public message: first reply ends at the next public reply."""
    events = [
        ev(0, at(9), "created", actor="agent"),
        ev(1, at(9), "agent_reply"),  # the opening message, as some sources send it
        ev(2, at(10), "customer_message"),
        ev(3, at(11), "agent_reply"),
    ]
    clock = evaluate(events, POLICY, at(12)).clock("first_response")
    assert clock is not None
    assert clock.status is ClockStatus.FULFILLED
    assert clock.started_at == at(9)
    assert clock.elapsed == timedelta(hours=2)


def test_an_agents_private_opening_note_waits_for_the_requester() -> None:
    """Created by an agent with only an internal note: first reply starts at the requester."""
    events = [
        ev(0, at(9), "created", actor="agent"),
        ev(1, at(9), "internal_note"),
        ev(2, at(13), "customer_message"),
        ev(3, at(14), "agent_reply"),
    ]
    assert evaluate(events, POLICY, at(12)).clock("first_response") is None
    clock = evaluate(events, POLICY, at(15)).clock("first_response")
    assert clock is not None
    assert clock.started_at == at(13)
    assert clock.elapsed == timedelta(hours=1)


def test_a_customer_created_ticket_is_unchanged() -> None:
    events = [ev(0, at(9), "created", actor="customer"), ev(1, at(9, 30), "agent_reply")]
    clock = evaluate(events, POLICY, at(12)).clock("first_response")
    assert clock is not None
    assert clock.elapsed == timedelta(minutes=30)


# ---- the adapters produce events that make this happen ------------------------------------


def zendesk_audit(
    audit: int, author: int, when: str, comment_public: bool, creates: bool = False
) -> dict[str, Any]:
    events: list[dict[str, Any]] = [
        {
            "id": audit * 10,
            "type": "Comment",
            "author_id": author,
            "body": "x",
            "public": comment_public,
        }
    ]
    if creates:
        events += [
            {"id": audit * 10 + 1, "type": "Create", "field_name": "status", "value": "open"},
            {"id": audit * 10 + 2, "type": "Create", "field_name": "requester_id", "value": "9001"},
        ]
    return {
        "id": audit,
        "ticket_id": 5,
        "created_at": when,
        "author_id": author,
        "via": {"channel": "web"},
        "events": events,
    }


def zendesk_events(opening_public: bool, opener: int = 7001) -> list[TicketEvent]:
    page = {
        "audits": [
            zendesk_audit(1, opener, "2026-03-10T09:00:00Z", opening_public, creates=True),
            zendesk_audit(2, 9001, "2026-03-10T13:00:00Z", True),
            zendesk_audit(3, 7001, "2026-03-10T14:00:00Z", True),
        ]
    }
    adapter = ZendeskAdapter(agent_ids=[7001])
    return adapter.parse(json.dumps(page).encode(), headers={}, limits=PayloadLimits())


def test_zendesk_author_versus_requester_decides_who_opened_the_ticket() -> None:
    public = zendesk_events(opening_public=True)
    assert public[0].kind == "created"
    assert public[0].actor == "agent"
    clock = evaluate(public, POLICY, at(15)).clock("first_response")
    assert clock is not None
    assert (clock.started_at, clock.stopped_at) == (at(9), at(14))
    private = zendesk_events(opening_public=False)
    clock = evaluate(private, POLICY, at(15)).clock("first_response")
    assert clock is not None
    assert (clock.started_at, clock.stopped_at) == (at(13), at(14))


def jira_created(creator: dict[str, Any]) -> bytes:
    body = {
        "webhookEvent": "jira:issue_created",
        "timestamp": 1773133200000,
        "user": creator,
        "issue": {
            "id": "20001",
            "key": "HELP-7",
            "fields": {
                "created": "2026-03-10T09:00:00.000+0000",
                "creator": creator,
                "reporter": {"accountId": "cust-1", "accountType": "customer"},
                "status": {"name": "Open", "statusCategory": {"key": "new"}},
                "summary": "Laptop",
            },
        },
    }
    return json.dumps(body).encode()


def test_jira_creator_versus_reporter_decides_who_opened_the_issue() -> None:
    agent = {"accountId": "agent-1", "accountType": "atlassian"}
    customer = {"accountId": "cust-1", "accountType": "customer"}
    adapter = JiraAdapter()
    on_behalf = adapter.parse(jira_created(agent), headers={}, limits=PayloadLimits())
    assert [(e.kind, e.actor) for e in on_behalf] == [("created", "agent")]
    raised = adapter.parse(jira_created(customer), headers={}, limits=PayloadLimits())
    assert [(e.kind, e.actor) for e in raised] == [("created", "customer")]


def mail(sender: str, to: str, msg_id: str, when: str, reply_to: str | None = None) -> bytes:
    lines = [f"From: {sender}", f"To: {to}", "Subject: Your laptop", f"Date: {when}"]
    lines.append(f"Message-ID: <{msg_id}>")
    if reply_to is not None:
        lines += [f"In-Reply-To: <{reply_to}>", "References: <m1@acme.example>"]
    return ("\r\n".join(lines) + "\r\n\r\nHello\r\n").encode()


def email_events(first_to: str) -> list[TicketEvent]:
    adapter = EmailAdapter(EmailSettings(agent_domains=["acme.example"]))
    messages = [
        mail("ana@acme.example", first_to, "m1@acme.example", "Tue, 10 Mar 2026 09:00:00 +0000"),
        mail(
            "dana@customer.example",
            "ana@acme.example",
            "m2@customer.example",
            "Tue, 10 Mar 2026 13:00:00 +0000",
            "m1@acme.example",
        ),
        mail(
            "ana@acme.example",
            "dana@customer.example",
            "m3@acme.example",
            "Tue, 10 Mar 2026 14:00:00 +0000",
            "m2@customer.example",
        ),
    ]
    out: list[TicketEvent] = []
    for message in messages:
        out += adapter.parse(message, headers={}, limits=PayloadLimits())
    return out


def test_an_email_thread_the_team_starts_is_opened_by_an_agent() -> None:
    outbound = email_events("dana@customer.example")
    assert (outbound[0].kind, outbound[0].actor) == ("created", "agent")
    clock = evaluate(outbound, POLICY, at(15)).clock("first_response")
    assert clock is not None
    assert (clock.started_at, clock.stopped_at) == (at(9), at(14))
    internal = email_events("bo@acme.example")
    assert [e.kind for e in internal[:2]] == ["created", "internal_note"]
    clock = evaluate(internal, POLICY, at(15)).clock("first_response")
    assert clock is not None
    assert (clock.started_at, clock.stopped_at) == (at(13), at(14))


def test_zendesk_and_email_give_the_fold_the_same_events_for_an_opening_message() -> None:
    """Issue #16: a customer's opening message is ``created`` alone in both sources."""
    zendesk = zendesk_events(opening_public=True, opener=9001)
    adapter = EmailAdapter(EmailSettings(agent_domains=["acme.example"]))
    email = adapter.parse(
        mail(
            "dana@customer.example",
            "help@acme.example",
            "c1@x.example",
            "Tue, 10 Mar 2026 09:00:00 +0000",
        ),
        headers={},
        limits=PayloadLimits(),
    )
    opening = [e for e in zendesk if e.at == at(9)]
    assert [(e.kind, e.actor) for e in opening] == [(e.kind, e.actor) for e in email]
    assert [(e.kind, e.actor) for e in email] == [("created", "customer")]
