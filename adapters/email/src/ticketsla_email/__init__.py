"""ticketsla-email: RFC 5322 mail (.eml, mbox, Maildir) as a ticketsla source.

``EmailAdapter`` turns messages into ticket events, threaded by ``Message-ID``,
``In-Reply-To``, ``References`` and a subject tag; ``Threader`` and ``parse_mbox`` /
``parse_maildir`` / ``parse_path`` thread whole mailboxes at once. It is registered as the
``email`` source through the ``ticketsla`` entry point; see ``docs/adapters/email.md``.
``ticketsla_email.testing.EmailPayloads`` writes messages from ticket events, for tests.
"""

from __future__ import annotations

from .adapter import CONFIG_ENV, EmailAdapter, parse_maildir, parse_mbox, parse_path
from .mailboxes import BatchResult
from .message import MessageFacts, read_message
from .settings import DEFAULT_SUBJECT_TAG, EmailSettings
from .threads import Reject, Threader, ticket_of

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_SUBJECT_TAG",
    "BatchResult",
    "EmailAdapter",
    "EmailSettings",
    "MessageFacts",
    "Reject",
    "Threader",
    "parse_maildir",
    "parse_mbox",
    "parse_path",
    "read_message",
    "ticket_of",
]
