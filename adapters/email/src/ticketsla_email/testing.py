"""RFC 5322 messages written from ticket events: test data for integrations, and the demo's.

``EmailPayloads().payload(event)`` is the message (bytes) that tells the email adapter about
``event``:

================================ ===============================================================
``created``                      the thread's first message: its ``Message-ID`` is the ticket
                                 id, from the requester (or, for an agent's ticket, to them)
``customer_message``             a reply from the requester, with ``In-Reply-To`` and
                                 ``References`` naming the ticket
``agent_reply``                  a reply from the team to the requester; the ``system`` actor's
                                 is an auto-reply (``Auto-Submitted: auto-replied``)
``internal_note``                a message from the team to the team only
================================ ===============================================================

Mail carries no status, priority, assignment or rating: those kinds give ``None`` (your
helpdesk records them in its own interface), and a ``created`` event's priority is left out.
The ``Date`` is written to the second. An event's id is its message's ``Message-ID`` (a reply)
or ``created:<ticket>`` (the first message), as the adapter names them; ticket and event ids
must be usable as a Message-ID (no spaces or angle brackets). The builder remembers each
ticket's requester and subject from its ``created`` event, as a mail thread does.
"""

from __future__ import annotations

import re
from datetime import UTC
from email.message import EmailMessage
from email.utils import format_datetime

from ticketsla.errors import EventError
from ticketsla.events import Actor, EventKind, TicketEvent

from .adapter import EmailAdapter
from .settings import EmailSettings

__all__ = ["EmailPayloads"]

_MESSAGE_ID = re.compile(r"[^<>\s]{1,200}")
_MAIL_KINDS = (
    EventKind.CREATED,
    EventKind.CUSTOMER_MESSAGE,
    EventKind.AGENT_REPLY,
    EventKind.INTERNAL_NOTE,
)


class EmailPayloads:
    """Writes the messages of support threads between one team and its customers.

    ``agent`` sends the team's replies and notes, ``support`` is the address customers write
    to; the team is ``agent``'s domain. ``requester`` is the customer of a ticket whose
    ``created`` event was not built here.
    """

    def __init__(
        self,
        *,
        agent: str = "agent@helpdesk.example",
        support: str = "support@helpdesk.example",
        requester: str = "customer@customer.example",
    ) -> None:
        self.agent = agent
        self.support = support
        self.requester = requester
        self._threads: dict[str, tuple[str, str | None]] = {}  # ticket -> (requester, subject)

    def adapter(self) -> EmailAdapter:
        """An adapter whose team is ``agent``'s domain."""
        return EmailAdapter(EmailSettings(agent_domains=[self.agent.rpartition("@")[2]]))

    def payload(self, event: TicketEvent) -> bytes | None:
        """The message for ``event``, or ``None`` for a kind that mail does not carry."""
        if event.kind not in _MAIL_KINDS:
            return None
        ticket = _message_id(event.ticket_id, "ticket_id")
        if event.kind is EventKind.CREATED:
            self._threads[ticket] = (event.requester or self.requester, event.subject)
        requester, subject = self._threads.get(ticket, (self.requester, None))
        message = EmailMessage()
        from_team = event.actor is not Actor.CUSTOMER
        if event.kind is EventKind.INTERNAL_NOTE:
            message["From"], message["To"] = self.agent, self.support
        elif from_team:
            message["From"], message["To"] = f"Support <{self.agent}>", requester
        else:
            message["From"], message["To"] = requester, self.support
        message["Date"] = format_datetime(event.at.astimezone(UTC))
        if event.kind is EventKind.CREATED:
            message["Message-ID"] = f"<{ticket}>"
            if subject is not None:
                message["Subject"] = subject
        else:
            message["Message-ID"] = f"<{_message_id(event.event_id, 'event_id')}>"
            message["Subject"] = f"Re: {subject or ''}".rstrip()
            message["In-Reply-To"] = f"<{ticket}>"
            message["References"] = f"<{ticket}>"
        if event.actor is Actor.SYSTEM and event.kind is EventKind.AGENT_REPLY:
            message["Auto-Submitted"] = "auto-replied"
        message.set_content("...\n")
        return bytes(message)


def _message_id(value: str, what: str) -> str:
    if not _MESSAGE_ID.fullmatch(value):
        raise EventError(
            f"email: {what}: {value[:40]!r} cannot be a Message-ID (no spaces or angle "
            "brackets, at most 200 characters)",
            subject=what,
        )
    return value
