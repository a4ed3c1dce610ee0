"""``EmailAdapter``: RFC 5322 mail as ticketsla events.

What one message becomes (the rule is documented in ``docs/adapters/email.md``):

- automated mail (see ``MessageFacts.automated``): from the team to someone outside it (the
  helpdesk's auto-acknowledgement), an automatic reply (``auto=True``, ``actor=system``) that
  never counts as a response; anything else automated (bounces, read receipts, out-of-office
  replies, list mail) gives nothing, or with ``keep_automated`` an automatic internal note.
  Never a customer message, never a response.
- the message that starts a ticket: ``created`` (status ``new``, the requester, the subject,
  channel ``email``; actor ``agent`` when the team wrote it); it is not also counted as a message
  or a reply, except that one the team wrote to the team only is also an ``internal_note``;
- from the team to at least one address outside it: ``agent_reply``; from the team to the team
  only (or to nobody visible): ``internal_note``;
- from anyone else: ``customer_message``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from ticketsla.errors import ConfigurationError, EventError, PayloadError, SignatureError
from ticketsla.events import Actor, EventKind, Status, TicketEvent
from ticketsla.sources import (
    BatchReject,
    Payload,
    PayloadLimits,
    SourceBatch,
    payload_bytes,
)

from .mailboxes import (
    BatchResult,
    Item,
    from_line_time,
    is_mbox,
    iter_maildir,
    iter_path,
    mbox_entries,
)
from .message import MessageFacts, read_message
from .settings import EmailSettings
from .threads import Threader, ticket_of

__all__ = ["CONFIG_ENV", "EmailAdapter", "parse_maildir", "parse_mbox", "parse_path"]

CONFIG_ENV = "TICKETSLA_EMAIL_CONFIG"


class EmailAdapter:
    """The ``email`` source (a ``ticketsla.sources.BatchSourceAdapter``).

    ``parse`` takes one message (.eml bytes) or a whole mbox held in memory. A single message is
    threaded by the one-message rule of ``ticketsla_email.threads``; an mbox is threaded as a
    batch. ``parse_paths`` (what ``ticketsla import`` calls) threads Maildir folders, folders of
    messages, mbox and .eml files as one batch; so do ``parse_maildir``/``parse_mbox``/
    ``parse_path`` and a ``Threader``.
    """

    __slots__ = ("description", "name", "settings")

    def __init__(self, settings: EmailSettings | None = None, *, name: str = "email") -> None:
        if not isinstance(name, str) or not name.strip():
            raise ConfigurationError(f"email: name: {name!r} is not a source name", subject=name)
        self.name: str = name
        self.description: str = "RFC 5322 mail: .eml messages, mbox files and Maildir folders"
        self.settings: EmailSettings = settings if settings is not None else EmailSettings()

    def __repr__(self) -> str:
        return f"EmailAdapter(name={self.name!r})"

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str], *, name: str = "email") -> EmailAdapter:
        """An adapter configured by a TOML file (see ``EmailSettings.from_mapping``)."""
        return cls(EmailSettings.from_toml(path), name=name)

    @classmethod
    def from_environment(cls) -> EmailAdapter:
        """The adapter the plugin registers: from ``$TICKETSLA_EMAIL_CONFIG`` if set."""
        path = os.environ.get(CONFIG_ENV, "").strip()
        return cls.from_toml(path) if path else cls()

    @property
    def max_raw_bytes(self) -> int:
        """The largest raw payload (one message or an mbox) read: ``max_message_bytes``."""
        return self.settings.max_message_bytes

    def raw_limits(self, limits: PayloadLimits) -> PayloadLimits:
        """``limits`` with the mail size limit in place of the JSON payload limit."""
        return PayloadLimits(max_bytes=self.max_raw_bytes, max_depth=limits.max_depth)

    # ---- the SourceAdapter protocol ------------------------------------------------------

    def parse(
        self,
        payload: Payload,
        *,
        headers: Mapping[str, str] | None = None,
        limits: PayloadLimits | None = None,
        received_at: datetime | None = None,
    ) -> list[TicketEvent]:
        """The events of one message, or of every message of an mbox.

        ``received_at`` (timezone-aware: when you received the message) times a message that
        has no usable Date or Received field; an mbox's ``From `` lines come before it.

        An mbox with any unreadable message is refused whole (``PayloadError`` naming the
        first bad message), so a list is never silently partial; ``parse_mbox`` reports
        rejects and carries on instead.
        """
        del headers  # a message carries its own headers
        limits = limits or PayloadLimits()
        if isinstance(payload, Mapping | list):
            raise PayloadError(
                f"{self.name}: expected the raw bytes of an RFC 5322 message or an mbox, got "
                "decoded JSON",
                subject=self.name,
            )
        data = payload_bytes(payload, source=self.name, limits=self.raw_limits(limits))
        if data is None:  # pragma: no cover - mappings and lists were refused above
            raise PayloadError(f"{self.name}: expected raw bytes", subject=self.name)
        if is_mbox(data):
            threader = Threader(self, limits=limits)
            for number, (line, raw) in enumerate(mbox_entries(data), start=1):
                threader.add(
                    raw,
                    origin=f"message {number}",
                    delivered_at=from_line_time(line),
                    received_at=received_at,
                )
            if threader.rejects:
                first = threader.rejects[0]
                raise PayloadError(
                    f"{self.name}: mbox has {len(threader.rejects)} unreadable message(s); "
                    f"{first.origin}: {first.reason}",
                    subject=self.name,
                )
            return threader.events()
        facts = read_message(
            data,
            settings=self.settings,
            limits=limits,
            source=self.name,
            received_at=received_at,
        )
        ticket, starts = ticket_of(facts, self.settings)
        return self.events_for(facts, ticket, starts=starts)

    def verify_signature(
        self, body: bytes, headers: Mapping[str, str], secret: str | bytes, *, now: datetime
    ) -> None:
        """Always refuses: mail carries no webhook signature to check."""
        del body, headers, secret, now
        raise SignatureError(
            f"{self.name}: the email source does not sign its messages, so there is no signature "
            "to verify; authenticate mail at your mail server (SPF, DKIM, DMARC)",
            subject=self.name,
        )

    # ---- the BatchSourceAdapter protocol -------------------------------------------------

    def parse_paths(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        limits: PayloadLimits | None = None,
    ) -> SourceBatch:
        """Thread every message under ``paths`` as one batch (see ``parse_path``).

        A message that cannot be read, and a path that is not there, become rejects; the
        batch carries on. Labels are the message's file, ``FOLDER#KEY`` for a Maildir message
        and ``FILE#N`` for the N-th message of an mbox.
        """
        threader = Threader(self, limits=limits)
        payloads = _read_paths(threader, paths)
        rejects = tuple(BatchReject(label=r.origin, reason=r.reason) for r in threader.rejects)
        return SourceBatch(
            events=tuple(threader.events()),
            rejects=rejects,
            payloads=payloads,
            automated=tuple(threader.automated.items()),
        )

    # ---- one message's events ------------------------------------------------------------

    def events_for(self, facts: MessageFacts, ticket: str, *, starts: bool) -> list[TicketEvent]:
        """The events of one message already placed in ``ticket``."""
        settings = self.settings
        from_team = settings.is_agent(facts.sender)
        to_outside = any(not settings.is_agent(r) for r in facts.recipients)
        if facts.automated is not None:
            if from_team and to_outside:
                kind = EventKind.AGENT_REPLY  # the helpdesk's own auto-acknowledgement
            elif settings.keep_automated:
                kind = EventKind.INTERNAL_NOTE
            else:
                return []
            return [self._event(facts, ticket, facts.event_id, kind, Actor.SYSTEM, auto=True)]
        if starts:
            requester = (
                facts.sender
                if not from_team
                else next((r for r in facts.recipients if not settings.is_agent(r)), None)
            )
            created = self._event(
                facts,
                ticket,
                f"created:{ticket}",
                EventKind.CREATED,
                Actor.AGENT if from_team else Actor.CUSTOMER,
                status=Status.NEW,
                requester=requester,
                subject=facts.subject,
                channel="email",
            )
            if from_team and not to_outside:
                # Opened by the team for the team only: the opening message is an internal note,
                # so first replies wait for the requester (docs/semantics.md).
                note = self._event(
                    facts, ticket, facts.event_id, EventKind.INTERNAL_NOTE, Actor.AGENT
                )
                return [created, note]
            return [created]
        if from_team:
            kind = EventKind.AGENT_REPLY if to_outside else EventKind.INTERNAL_NOTE
            return [self._event(facts, ticket, facts.event_id, kind, Actor.AGENT)]
        return [
            self._event(facts, ticket, facts.event_id, EventKind.CUSTOMER_MESSAGE, Actor.CUSTOMER)
        ]

    def _event(
        self,
        facts: MessageFacts,
        ticket: str,
        event_id: str,
        kind: EventKind,
        actor: Actor,
        **fields: object,
    ) -> TicketEvent:
        try:
            return TicketEvent(
                ticket_id=ticket,
                event_id=event_id,
                at=facts.at,
                kind=kind,
                actor=actor,
                source=self.name,
                **fields,  # type: ignore[arg-type]
            )
        except EventError as exc:
            raise PayloadError(f"{self.name}: {exc.message}", subject=exc.subject) from None


def parse_mbox(
    path: str | os.PathLike[str],
    adapter: EmailAdapter | None = None,
    *,
    limits: PayloadLimits | None = None,
) -> BatchResult:
    """Thread every message of an mbox file; unreadable messages are reported, not fatal."""
    threader = Threader(adapter, limits=limits)
    threader.add_mbox(Path(path))
    return BatchResult(threader.events(), threader.rejects)


def parse_maildir(
    path: str | os.PathLike[str],
    adapter: EmailAdapter | None = None,
    *,
    limits: PayloadLimits | None = None,
) -> BatchResult:
    """Thread every message of a Maildir folder; unreadable messages are reported, not fatal."""
    threader = Threader(adapter, limits=limits)
    threader.add_maildir(Path(path))
    return BatchResult(threader.events(), threader.rejects)


def parse_path(
    *paths: str | os.PathLike[str],
    adapter: EmailAdapter | None = None,
    limits: PayloadLimits | None = None,
) -> BatchResult:
    """Thread the messages of Maildir folders, folders of .eml files, mbox and .eml files.

    A folder with ``cur/`` and ``new/`` is a Maildir: the messages of those two are read and
    ``tmp/`` (messages still being delivered) never is. Any other folder is walked in name
    order, hidden entries skipped, each Maildir inside it read as one; each file in it is an
    mbox (it starts with a ``From `` line) or one message. Only regular files are opened.
    """
    threader = Threader(adapter, limits=limits)
    _read_paths(threader, paths)
    return BatchResult(threader.events(), threader.rejects)


def _read_paths(threader: Threader, paths: Sequence[str | os.PathLike[str]]) -> int:
    """Add every message under ``paths`` to ``threader``; how many messages were met."""
    name, limits = threader.adapter.name, threader.limits
    max_bytes = threader.adapter.settings.max_message_bytes
    count = 0
    for given in paths:
        path = Path(given)
        if path.is_dir():
            items = _walk_folder(path, limits, name, max_bytes)
        elif path.is_file():
            items = iter_path(path, limits, name, max_bytes)
        else:
            what = "is not a regular file" if path.exists() else "does not exist"
            threader.reject(str(path), f"{name}: {str(path)!r} {what}")
            count += 1
            continue
        for item in items:
            count += 1
            threader.add_item(item)
    return count


def _walk_folder(
    folder: Path, limits: PayloadLimits, source: str, max_bytes: int
) -> Iterator[Item]:
    """The messages of a Maildir, or of every Maildir, mbox and message file in a folder."""
    for here, dirs, names in os.walk(folder):  # symbolic links to folders are not followed
        place = Path(here)
        if _is_maildir(place):
            dirs[:] = []  # its cur/ and new/ are read below; tmp/ and sub-folders never
            yield from iter_maildir(place, limits, source, max_bytes)
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file_name in sorted(names):
            child = place / file_name
            if not file_name.startswith(".") and child.is_file():  # no FIFOs or devices
                yield from iter_path(child, limits, source, max_bytes)


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()
