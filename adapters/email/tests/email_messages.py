"""Shared helpers for the email adapter tests: the recorded messages and a parse shortcut."""

from __future__ import annotations

from pathlib import Path

from ticketsla_email import EmailAdapter, EmailSettings, MessageFacts, read_message

from ticketsla.events import TicketEvent
from ticketsla.sources import PayloadLimits

FIXTURES = Path(__file__).parent / "fixtures"
TEAM = EmailSettings(agent_domains=["acme.example"])
THREAD = (
    "customer_new.eml",
    "agent_ack_auto.eml",
    "agent_reply.eml",
    "customer_out_of_office.eml",
    "internal_forward.eml",
    "read_receipt.eml",
    "customer_followup.eml",
    "tag_only.eml",
)


def raw(name: str) -> bytes:
    """The bytes of a recorded message."""
    return (FIXTURES / name).read_bytes()


def adapter(settings: EmailSettings = TEAM) -> EmailAdapter:
    """An adapter whose team is acme.example (and its subdomains)."""
    return EmailAdapter(settings)


def parse(message: str | bytes, settings: EmailSettings = TEAM) -> list[TicketEvent]:
    """Parse a fixture name or raw bytes as one payload."""
    data = raw(message) if isinstance(message, str) else message
    return adapter(settings).parse(data, headers={}, limits=PayloadLimits())


def facts(message: str | bytes, settings: EmailSettings = TEAM) -> MessageFacts:
    """The facts read from a fixture name or raw bytes."""
    data = raw(message) if isinstance(message, str) else message
    return read_message(data, settings=settings, limits=PayloadLimits())


def mbox(names: list[str] | tuple[str, ...]) -> bytes:
    """An mbox (mboxo) holding the named messages."""
    out = []
    for name in names:
        body = raw(name).replace(b"\r\n", b"\n")
        out.append(b"From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n" + body + b"\n")
    return b"".join(out)
