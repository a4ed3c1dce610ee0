"""Which ticket a message belongs to: one message alone, or a whole mailbox at once.

**One message** (``ticket_of``), first match wins:

1. the first id in ``References`` (the root of the thread: each reply copies its parent's
   References and appends the parent);
2. the first id in ``In-Reply-To`` (a client that keeps no References);
3. the subject tag (``[#1234]`` gives ticket ``1234``);
4. the message's own ``Message-ID``: it starts a thread, so it **creates** the ticket;
5. without a Message-ID, ``raw-sha256:<hex>`` of the raw bytes, which also creates a ticket.

**A batch** (``Threader``): messages that share an id (their own, In-Reply-To or References) or a
subject tag are one thread, whatever their order. The thread's ticket is what rule 1-5 gives
for its earliest message (by date, then id), so a batch that holds the root agrees with the
one-message rule. The thread's ``created`` event sits on the message whose own id is the ticket
when that message is in the batch and written by a person, else on its earliest such message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ticketsla.errors import PayloadError
from ticketsla.events import TicketEvent, order_events
from ticketsla.sources import PayloadLimits

from .message import MessageFacts, read_message, read_start

if TYPE_CHECKING:
    from .adapter import EmailAdapter
    from .mailboxes import Item
    from .settings import EmailSettings

__all__ = ["Reject", "Threader", "subject_tag", "ticket_of"]

_MAX_TICKET = 200


def subject_tag(facts: MessageFacts, settings: EmailSettings) -> str | None:
    """The ticket number in the subject tag, if the subject has one."""
    if not facts.subject:
        return None
    match = settings.tag_pattern.search(facts.subject)
    if match is None or not match.group(1):
        return None
    tag = match.group(1).strip()
    if not tag:
        return None
    if len(tag) > _MAX_TICKET:
        return "tag-sha256:" + hashlib.sha256(tag.encode("utf-8")).hexdigest()
    return tag


def ticket_of(facts: MessageFacts, settings: EmailSettings) -> tuple[str, bool]:
    """The ticket of one message seen alone, and whether the message starts it."""
    if facts.references:
        return facts.references[0], False
    if facts.in_reply_to:
        return facts.in_reply_to[0], False
    tag = subject_tag(facts, settings)
    if tag is not None:
        return tag, False
    return facts.event_id, True


@dataclass(frozen=True, slots=True)
class Reject:
    """A message a batch could not read: where it came from and why."""

    origin: str
    reason: str


class Threader:
    """Collects messages, then threads them into tickets all at once.

    ``add`` reads one message (a message that cannot be read becomes a ``Reject`` and the
    batch goes on); ``add_mbox``, ``add_maildir`` and ``add_path`` read files and folders;
    ``events()`` threads everything added so far. The result depends only on the set of
    messages, not on the order they were added or on repeats.
    """

    def __init__(
        self, adapter: EmailAdapter | None = None, *, limits: PayloadLimits | None = None
    ) -> None:
        if adapter is None:
            from .adapter import EmailAdapter

            adapter = EmailAdapter()
        self.adapter = adapter
        self.limits = limits or PayloadLimits()
        self._messages: dict[str, MessageFacts] = {}
        self._rejects: list[Reject] = []

    @property
    def rejects(self) -> list[Reject]:
        """The messages that could not be read, in the order they were added."""
        return list(self._rejects)

    def __len__(self) -> int:
        return len(self._messages)

    @property
    def automated(self) -> dict[str, int]:
        """How many of the messages read are automated, by reason (``MessageFacts.automated``)."""
        counts: dict[str, int] = {}
        for facts in self._messages.values():
            if facts.automated is not None:
                counts[facts.automated] = counts.get(facts.automated, 0) + 1
        return dict(sorted(counts.items()))

    def add(
        self,
        raw: bytes | str,
        *,
        origin: str = "<message>",
        received_at: datetime | None = None,
        delivered_at: datetime | None = None,
    ) -> bool:
        """Read one message; False (and a reject) when it cannot be read.

        ``delivered_at`` (the mailbox's delivery time) and then ``received_at`` (the caller's)
        time a message that has no usable Date or Received field.
        """
        try:
            facts = read_message(
                raw,
                settings=self.adapter.settings,
                limits=self.limits,
                source=self.adapter.name,
                delivered_at=delivered_at,
                received_at=received_at,
            )
        except PayloadError as exc:
            self._rejects.append(Reject(origin, exc.message))
            return False
        self._keep(facts)
        return True

    def _keep(self, facts: MessageFacts) -> None:
        known = self._messages.get(facts.event_id)
        if known is None or facts.digest < known.digest:
            self._messages[facts.event_id] = facts

    @property
    def _max_bytes(self) -> int:
        return self.adapter.settings.max_message_bytes

    def add_item(self, item: Item, *, received_at: datetime | None = None) -> bool:
        """Read one message a mailbox iterator gave (only its start, with the whole digest)."""
        if item.problem is not None:
            self.reject(item.origin, item.problem)
            return False
        if item.digest is None:
            return self.add(
                item.data, origin=item.origin, delivered_at=item.delivered, received_at=received_at
            )
        try:
            facts = read_start(
                item.data,
                digest=item.digest,
                settings=self.adapter.settings,
                source=self.adapter.name,
                delivered_at=item.delivered,
                received_at=received_at,
            )
        except PayloadError as exc:
            self._rejects.append(Reject(item.origin, exc.message))
            return False
        self._keep(facts)
        return True

    def reject(self, origin: str, reason: str) -> None:
        """Record a message that was refused before it could be read (too large, unreadable)."""
        self._rejects.append(Reject(origin, reason))

    def add_mbox(self, path: str | Path) -> None:
        """Read every message of an mbox file."""
        from .mailboxes import iter_mbox_file

        for item in iter_mbox_file(Path(path), self.limits, self.adapter.name, self._max_bytes):
            self.add_item(item)

    def add_maildir(self, path: str | Path) -> None:
        """Read every message of a Maildir folder (its cur/ and new/)."""
        from .mailboxes import iter_maildir

        for item in iter_maildir(Path(path), self.limits, self.adapter.name, self._max_bytes):
            self.add_item(item)

    def add_path(self, path: str | Path) -> None:
        """Read a Maildir folder, a folder of message files, an mbox file or one .eml file."""
        from .mailboxes import iter_path

        for item in iter_path(Path(path), self.limits, self.adapter.name, self._max_bytes):
            self.add_item(item)

    def events(self) -> list[TicketEvent]:
        """Every message's events, threaded into tickets, in history order."""
        settings = self.adapter.settings
        groups = _groups(self._messages.values(), settings)
        events: list[TicketEvent] = []
        for members in groups:
            members.sort(key=lambda f: (f.at, f.event_id))
            ticket, _ = ticket_of(members[0], settings)
            people = [f for f in members if f.automated is None]
            creator = next((f for f in people if f.event_id == ticket), None)
            if creator is None and people:
                creator = people[0]
            for facts in members:
                events.extend(self.adapter.events_for(facts, ticket, starts=facts is creator))
        return order_events(events)


def _groups(messages: Iterable[MessageFacts], settings: EmailSettings) -> list[list[MessageFacts]]:
    """Messages joined by shared ids and subject tags (a union-find over those keys)."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        parent.setdefault(key, key)
        root = key
        while parent[root] != root:
            root = parent[root]
        while parent[key] != root:
            parent[key], key = root, parent[key]
        return root

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    listed = sorted(messages, key=lambda f: f.event_id)
    for facts in listed:
        own = "id:" + facts.event_id
        find(own)
        for other in (*facts.in_reply_to, *facts.references):
            union(own, "id:" + other)
        tag = subject_tag(facts, settings)
        if tag is not None:
            union(own, "tag:" + tag)
    grouped: dict[str, list[MessageFacts]] = {}
    for facts in listed:
        grouped.setdefault(find("id:" + facts.event_id), []).append(facts)
    return [grouped[key] for key in sorted(grouped)]
