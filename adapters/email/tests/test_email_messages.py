"""What one message becomes: created, customer message, agent reply or internal note."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from email_messages import parse, raw
from ticketsla_email import EmailAdapter, EmailSettings

from ticketsla.errors import ConfigurationError
from ticketsla.events import Actor, EventKind, Status


def test_message_starting_a_thread_creates_the_ticket() -> None:
    """A customer's first message (no References, no tag) is the created event of its ticket."""
    (event,) = parse("customer_new.eml")
    assert event.kind is EventKind.CREATED
    assert event.ticket_id == "CAF1x7Qm@mail.customer.example"
    assert event.event_id == "created:CAF1x7Qm@mail.customer.example"
    assert event.actor is Actor.CUSTOMER
    assert event.status is Status.NEW
    assert event.requester == "dana@customer.example"
    assert event.subject == "VPN drops every ten minutes"
    assert event.channel == "email"
    assert event.at == datetime(2026, 3, 2, 8, 5, tzinfo=UTC)
    assert event.source == "email"


def test_agent_reply_to_the_customer_is_a_response() -> None:
    """A message from the team to the customer is a public agent reply."""
    (event,) = parse("agent_reply.eml")
    assert event.kind is EventKind.AGENT_REPLY
    assert event.actor is Actor.AGENT
    assert event.is_public_response
    assert event.event_id == "reply-1.ravi@acme.example"
    assert event.ticket_id == "CAF1x7Qm@mail.customer.example"


def test_mail_inside_the_team_is_an_internal_note() -> None:
    """A forward from one agent to another (a subdomain counts) is an internal note."""
    (event,) = parse("internal_forward.eml")
    assert event.kind is EventKind.INTERNAL_NOTE
    assert not event.is_public_response


def test_customer_reply_is_a_customer_message() -> None:
    """A reply from outside the team is a customer message."""
    (event,) = parse("customer_followup.eml")
    assert event.kind is EventKind.CUSTOMER_MESSAGE
    assert event.actor is Actor.CUSTOMER


def test_agent_starting_a_thread_creates_a_ticket_for_the_recipient() -> None:
    """Outbound mail by an agent creates a ticket whose requester is the outside recipient."""
    (event,) = parse("outbound_by_agent.eml")
    assert (event.kind, event.actor) == (EventKind.CREATED, Actor.AGENT)
    assert event.requester == "lee@partner.example"


def test_without_a_team_configured_everyone_is_a_customer() -> None:
    """With no agent addresses or domains, an agent's reply reads as a customer message."""
    (event,) = parse("agent_reply.eml", EmailSettings())
    assert event.kind is EventKind.CUSTOMER_MESSAGE


def test_agent_addresses_match_whole_addresses_without_case() -> None:
    """agent_addresses lists exact addresses; other addresses of the domain stay customers."""
    only_ravi = EmailSettings(agent_addresses=["Ravi@ACME.example"])
    assert parse("agent_reply.eml", only_ravi)[0].kind is EventKind.AGENT_REPLY
    (forward,) = parse("internal_forward.eml", only_ravi)
    assert forward.kind is EventKind.AGENT_REPLY  # mina@eu.acme.example is not listed


def test_agent_domain_does_not_match_a_lookalike_domain() -> None:
    """acme.example covers eu.acme.example but not notacme.example."""
    settings = EmailSettings(agent_domains=["acme.example"])
    assert settings.is_agent("mina@eu.acme.example")
    assert not settings.is_agent("eve@notacme.example")
    assert not settings.is_agent("eve@acme.example.evil.example")


def test_message_without_a_sender_counts_as_a_customer() -> None:
    """No usable From, Sender or Return-Path: the message is treated as a customer's."""
    raw = b"To: support@acme.example\r\nSubject: hi\r\nDate: Mon, 2 Mar 2026 09:00:00 +0000\r\n"
    raw += (
        b"Message-ID: <x1@nowhere.example>\r\nIn-Reply-To: <CAF1x7Qm@mail.customer.example>\r\n\r\n"
    )
    (event,) = parse(raw)
    assert event.kind is EventKind.CUSTOMER_MESSAGE


@pytest.mark.parametrize(
    "settings",
    [
        {"agent_addresses": ["support"]},
        {"agent_addresses": "support@acme.example"},
        {"agent_domains": ["me@acme.example"]},
        {"subject_tag": r"\[#\d+\]"},
        {"subject_tag": r"\[#(\d+"},
        {"max_parts": 0},
        {"colour": "blue"},
    ],
)
def test_bad_settings_are_configuration_errors(settings: dict[str, object]) -> None:
    """A bad or unknown setting is refused when the settings are made."""
    with pytest.raises(ConfigurationError, match=r"^email: "):
        EmailSettings.from_mapping(settings)


def test_source_name_is_configurable() -> None:
    """A second mailbox registered as email-eu stamps its own source name."""
    adapter = EmailAdapter(name="email-eu")
    (event,) = adapter.parse(raw("customer_new.eml"))
    assert event.source == "email-eu"
