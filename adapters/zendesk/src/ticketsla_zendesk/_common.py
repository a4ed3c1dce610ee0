"""Pieces every Zendesk shape shares: reading untrusted JSON with precise errors, instants,
statuses and priorities, channels, and the rule that tells customers from agents."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ticketsla.errors import PayloadError

SOURCE = "zendesk"
SYSTEM_USER_ID = "-1"  # Zendesk's own user: triggers, automations and other system updates

# Via channels (types) of updates made by business rules rather than a person. The incremental
# export spells the channel as text ("Rule"); it is folded to the same form.
AUTO_CHANNELS = frozenset({"rule", "automation", "trigger"})

_STATUS = {
    "new": "new",
    "open": "open",
    "pending": "pending",
    "hold": "on_hold",
    "on_hold": "on_hold",
    "onhold": "on_hold",
    "solved": "solved",
    "closed": "closed",
    "deleted": "closed",
}
_PRIORITY = {"urgent": "urgent", "high": "high", "normal": "normal", "low": "low"}
# The incremental export writes the via as text ("Mail", "Web form"); these are the REST via
# types they stand for, so both shapes give the same channel names.
_VIA_TEXT = {"mail": "email", "web_form": "web", "web_service": "api"}
_LEGACY_TIME = re.compile(r"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}$")
_MAX_TEXT = 1024


class Node:
    """A value from the payload together with where it is, for error messages that point."""

    __slots__ = ("value", "where")

    def __init__(self, value: Any, where: str) -> None:
        self.value = value
        self.where = where

    def fail(self, expected: str) -> PayloadError:
        got = type(self.value).__name__ if self.value is not None else "null"
        return PayloadError(
            f"{SOURCE}: {self.where}: expected {expected}, got {got}", subject=self.where
        )

    # ---- navigation -----------------------------------------------------------------------------

    def mapping(self) -> Mapping[str, Any]:
        if not isinstance(self.value, Mapping):
            raise self.fail("an object")
        return self.value

    def has(self, key: str) -> bool:
        return isinstance(self.value, Mapping) and key in self.value

    def get(self, key: str) -> Node:
        value = self.mapping().get(key)
        return Node(value, f"{self.where}.{key}" if self.where else key)

    def items(self, key: str) -> list[Node]:
        node = self.get(key)
        if node.value is None:
            return []
        if not isinstance(node.value, list):
            raise node.fail("an array")
        return [Node(v, f"{node.where}[{i}]") for i, v in enumerate(node.value)]

    # ---- scalars --------------------------------------------------------------------------------

    def ident(self) -> str:
        """A Zendesk id: a whole number (or its text); returned as text."""
        value = self.value
        if isinstance(value, bool):
            raise self.fail("an id")
        if isinstance(value, int) and -1 <= value < 10**20:
            return str(value)
        if isinstance(value, str) and re.fullmatch(r"-?\d{1,20}", value.strip()):
            return value.strip()
        raise self.fail("an id (a whole number)")

    def opt_ident(self) -> str | None:
        return None if self.value is None else self.ident()

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value or len(self.value) > _MAX_TEXT:
            raise self.fail(f"a text of 1 to {_MAX_TEXT} characters")
        return self.value

    def opt_text(self) -> str | None:
        return None if self.value is None or self.value == "" else self.text()

    def flag(self, default: bool) -> bool:
        if self.value is None:
            return default
        if not isinstance(self.value, bool):
            raise self.fail("true or false")
        return self.value

    def instant(self) -> datetime:
        """An ISO 8601 instant, Zendesk's older ``2011/09/25 22:35:44 -0700``, or epoch seconds."""
        value = self.value
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**11:
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str) and len(value) <= 64:
            text = value.strip()
            try:
                if _LEGACY_TIME.match(text):
                    parsed = datetime.strptime(text, "%Y/%m/%d %H:%M:%S %z")
                else:
                    parsed = datetime.fromisoformat(text)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.utcoffset() is not None:
                return parsed
        raise self.fail("an instant with a time zone, such as 2026-03-02T09:00:00Z")

    def tags(self) -> list[str]:
        """Tags as a list of texts; Zendesk's older form is one space-separated text."""
        value = self.value
        if value is None:
            return []
        if isinstance(value, str):
            return value.split()
        if isinstance(value, list) and all(isinstance(t, str) for t in value):
            return [t for t in value if t]
        raise self.fail("a list of tags")


def status(node: Node) -> str:
    """Zendesk's status (``hold`` and the webhooks' upper-case spellings included) as ours."""
    value = node.value
    if isinstance(value, str):
        key = value.strip().lower().replace("-", "_").replace(" ", "_")
        if key in _STATUS:
            return _STATUS[key]
    raise node.fail(f"a ticket status ({', '.join(sorted(_STATUS))})")


def priority(node: Node) -> str | None:
    """Zendesk's priority as ours; ``None`` when the ticket has none."""
    value = node.value
    if value is None or value == "" or value == "-":
        return None
    if isinstance(value, str) and value.strip().lower() in _PRIORITY:
        return _PRIORITY[value.strip().lower()]
    raise node.fail("a priority (urgent, high, normal, low) or null")


def channel(via: Node) -> str | None:
    """The channel of a via object (``{"channel": "web"}``) or of the export's via text."""
    value = via.value
    if isinstance(value, Mapping):
        value = value.get("channel")
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return "rule" if value == 8 else f"via_{value}"
    if isinstance(value, str) and 0 < len(value) <= 64:
        name = value.strip().lower().replace(" ", "_")
        return _VIA_TEXT.get(name, name)
    raise via.fail("a via object or channel")


def custom_value(value: Any) -> Any:
    """A custom field's value if it is one ``TicketEvent`` can hold, else ``None``."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list) and all(isinstance(v, str | int | float | bool) for v in value):
        return list(value)
    return None


@dataclass(frozen=True, slots=True)
class People:
    """Who is who, for one payload: the adapter's configuration plus what the payload says.

    The rule, in order:

    1. Zendesk's system user (-1) and business rules (via ``rule``) are ``system``;
    2. an id in ``agent_ids`` is an agent, an id in ``customer_ids`` a customer;
    3. a sideloaded user's role (``include=users``): ``end-user`` is a customer, ``agent`` and
       ``admin`` are agents;
    4. the ticket's requester (from its Create events, a ``requester_id`` change, or a
       sideloaded ticket) is a customer;
    5. anyone else: a customer if ``agent_ids`` was configured (an end user copied on the
       ticket), else an agent when the requester is known. When neither the configuration nor
       the payload can tell, the payload is refused rather than guessed.
    """

    agent_ids: frozenset[str] = frozenset()
    customer_ids: frozenset[str] = frozenset()
    roles: Mapping[str, str] = field(default_factory=dict)
    requesters: Mapping[str, str] = field(default_factory=dict)

    def actor(
        self, ticket_id: str, author_id: str | None, via_channel: str | None, where: str
    ) -> str:
        if via_channel in AUTO_CHANNELS or author_id in (None, SYSTEM_USER_ID):
            return "system"
        if author_id in self.agent_ids:
            return "agent"
        if author_id in self.customer_ids:
            return "customer"
        role = self.roles.get(str(author_id))
        if role is not None:
            return "customer" if role == "end-user" else "agent"
        requester = self.requesters.get(ticket_id)
        if requester == author_id:
            return "customer"
        if self.agent_ids:
            return "customer"
        if requester is not None:
            return "agent"
        raise PayloadError(
            f"{SOURCE}: {where}: cannot tell whether user {author_id} on ticket {ticket_id} is "
            "the customer or an agent: the payload holds neither the ticket's requester nor user "
            "roles; configure the agent ids (TICKETSLA_ZENDESK_AGENT_IDS) or fetch with "
            "include=users,tickets",
            subject=where,
        )

    def with_payload(
        self, roles: Iterable[tuple[str, str]], requesters: Iterable[tuple[str, str]]
    ) -> People:
        return People(
            self.agent_ids,
            self.customer_ids,
            {**self.roles, **dict(roles)},
            {**self.requesters, **dict(requesters)},
        )
