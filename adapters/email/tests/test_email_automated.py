"""Auto-replies, bounces, read receipts and list mail never count as a message or a response."""

from __future__ import annotations

import pytest
from email_messages import TEAM, facts, parse, raw
from ticketsla_email import EmailSettings

from ticketsla.events import Actor, EventKind

BASE = (
    b"From: Dana Okafor <dana@customer.example>\r\nTo: support@acme.example\r\n"
    b"Subject: Re: [#1234] VPN\r\nDate: Mon, 2 Mar 2026 12:00:00 +0100\r\n"
    b"Message-ID: <auto-probe@mail.customer.example>\r\n"
    b"References: <CAF1x7Qm@mail.customer.example>\r\n"
)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("customer_out_of_office.eml", "Auto-Submitted: auto-replied"),
        ("bounce_dsn.eml", "Auto-Submitted: auto-replied"),
        ("bounce_wrapped.eml", "bounce (delivery status notification)"),
        ("read_receipt.eml", "read receipt (disposition notification)"),
        ("list_mail.eml", "Precedence: list"),
    ],
)
def test_automated_mail_is_recognised_and_gives_no_event(name: str, reason: str) -> None:
    """Each kind of automated mail is recognised, with its reason, and dropped by default."""
    assert facts(name).automated == reason
    assert parse(name) == []


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (b"Auto-Submitted: auto-generated", "Auto-Submitted: auto-generated"),
        (
            b"Auto-Submitted: Auto-Replied; owner-email=dana@customer.example",
            "Auto-Submitted: auto-replied",
        ),
        (b"Precedence: bulk", "Precedence: bulk"),
        (b"Precedence: JUNK", "Precedence: junk"),
        (b"X-Autoreply: yes", "x-autoreply"),
        (b"X-Autorespond: Out of office", "x-autorespond"),
        (b"X-Failed-Recipients: old@customer.example", "x-failed-recipients"),
        (b"Return-Path: < >", "null Return-Path"),
        (b"List-Id: <it.customer.example>", "List-Id"),
        (
            b"Content-Type: multipart/report; report-type=delivery-status; boundary=x",
            "bounce (delivery status notification)",
        ),
        (b"Content-Type: multipart/report; boundary=x", "multipart/report (no report-type)"),
    ],
)
def test_each_marker_alone_makes_a_message_automated(header: bytes, reason: str) -> None:
    """One header is enough to recognise automated mail."""
    probe = BASE + header + b"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--\r\n"
    assert facts(probe).automated == reason
    assert parse(probe) == []


@pytest.mark.parametrize(
    "header",
    [b"Auto-Submitted: no", b"Precedence: first-class", b"Return-Path: <dana@customer.example>"],
)
def test_ordinary_headers_do_not_make_mail_automated(header: bytes) -> None:
    """Auto-Submitted: no, other precedences and a real Return-Path leave a person's mail alone."""
    probe = BASE + header + b"\r\n\r\nhello\r\n"
    assert facts(probe).automated is None
    assert parse(probe)[0].kind is EventKind.CUSTOMER_MESSAGE


def test_helpdesk_auto_acknowledgement_is_automatic_and_not_a_response() -> None:
    """The team's own auto-reply to a customer is an agent reply marked auto, never a response."""
    (event,) = parse("agent_ack_auto.eml")
    assert event.kind is EventKind.AGENT_REPLY
    assert (event.actor, event.auto) == (Actor.SYSTEM, True)
    assert not event.is_public_response


def test_keep_automated_records_outside_automated_mail_as_automatic_notes() -> None:
    """With keep_automated, bounces and auto-replies become automatic internal notes."""
    keep = EmailSettings(agent_domains=["acme.example"], keep_automated=True)
    for name in ("customer_out_of_office.eml", "bounce_dsn.eml", "read_receipt.eml"):
        (event,) = parse(name, keep)
        assert (event.kind, event.actor, event.auto) == (
            EventKind.INTERNAL_NOTE,
            Actor.SYSTEM,
            True,
        )


@pytest.mark.parametrize("keep", [False, True])
def test_automated_mail_is_never_a_customer_message_or_a_response(keep: bool) -> None:
    """Across every automated fixture, no event is a customer message or a public response."""
    settings = EmailSettings(agent_domains=["acme.example"], keep_automated=keep)
    names = [
        "customer_out_of_office.eml", "bounce_dsn.eml", "bounce_wrapped.eml",
        "read_receipt.eml", "list_mail.eml", "agent_ack_auto.eml",
    ]  # fmt: skip
    for name in names:
        for event in parse(name, settings):
            assert event.kind is not EventKind.CUSTOMER_MESSAGE
            assert not event.is_public_response
            assert event.auto


def test_automated_first_message_never_creates_a_ticket() -> None:
    """A bounce that starts no thread creates nothing."""
    raw_list = raw("list_mail.eml")
    assert parse(raw_list, TEAM) == []
