"""Who hears an escalation: a name from a level's ``notify``, its channels and its working hours.

A policy's ``[recipients]`` table (docs/escalation.md) gives each name its channels and,
optionally, a calendar whose closed hours are its quiet hours::

    [recipients.team-lead]
    email = "lead@example.com"
    webhook = "https://hooks.slack.com/services/T000/B000/XXXX"
    calendar = "de-business"

A plugin may resolve names instead (``ticketsla_route``), from an on-call rotation or a team
directory. A name that neither knows is a recipient with no channels, left to the notifier.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .calendar import Calendar
from .errors import EventError, PolicyError

__all__ = ["Recipient", "parse_recipients"]

_KEYS = frozenset({"email", "webhook", "target", "calendar"})
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
_URL = re.compile(r"^https?://[^\s]{1,2000}$")
_MAX_TEXT = 2048
_MAX_NAME = 128


@dataclass(frozen=True, slots=True, kw_only=True)
class Recipient:
    """One resolved recipient: ``name`` as written in ``notify`` (or a member a plugin named),
    an e-mail address, a webhook or Slack URL, a plugin-defined ``target`` (a pager id, a
    channel), and the name of the calendar whose closed hours it is not disturbed in."""

    name: str
    email: str | None = None
    webhook: str | None = None
    target: str | None = None
    calendar: str | None = None

    def __post_init__(self) -> None:
        for field in ("name", "email", "webhook", "target", "calendar"):
            value = getattr(self, field)
            if value is None and field != "name":
                continue
            # a name becomes part of a notification's level (at most 256 characters)
            longest = _MAX_NAME if field == "name" else _MAX_TEXT
            if not isinstance(value, str) or not value or len(value) > longest:
                raise EventError(
                    f"recipient: {field}: expected a text of 1 to {longest} characters, "
                    f"got {value!r:.60}",
                    subject=field,
                )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping; channels that are not set are left out."""
        out: dict[str, Any] = {"name": self.name}
        for field in ("email", "webhook", "target", "calendar"):
            value = getattr(self, field)
            if value is not None:
                out[field] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Recipient:
        if not isinstance(data, Mapping) or "name" not in data:
            raise EventError(f"recipient: expected a mapping with a name, got {data!r:.60}")
        unknown = sorted(set(data) - _KEYS - {"name"})
        if unknown:
            raise EventError(f"recipient: unknown field {unknown[0]!r}", subject=unknown[0])
        return cls(**{k: data[k] for k in data})


def parse_recipients(
    table: Any, where: str, calendar: Callable[[Any, str], Calendar]
) -> tuple[tuple[Recipient, Calendar | None], ...]:
    """Read a policy's ``[recipients]`` table; ``calendar(value, key)`` resolves a calendar name
    or path as the policy's own calendar is resolved."""
    if not isinstance(table, Mapping):
        raise PolicyError(f"{where}: expected a table of [recipients.NAME], got {table!r:.60}")
    out: list[tuple[Recipient, Calendar | None]] = []
    for name, entry in table.items():
        here = f"{where}.{name}"
        if not isinstance(entry, Mapping):
            raise PolicyError(f"{here}: expected a table with email, webhook, target, calendar")
        unknown = sorted(set(entry) - _KEYS)
        if unknown:
            raise PolicyError(
                f"{here}.{unknown[0]}: unknown key (allowed: {', '.join(sorted(_KEYS))})",
                subject=unknown[0],
            )
        for key in ("email", "webhook", "target"):
            value = entry.get(key)
            if value is not None and (not isinstance(value, str) or not value):
                raise PolicyError(f"{here}.{key}: expected a text, got {value!r:.60}")
        if "email" in entry and not _EMAIL.match(entry["email"]):
            raise PolicyError(f"{here}.email: {entry['email']!r:.60} is not an e-mail address")
        if "webhook" in entry and not _URL.match(entry["webhook"]):
            raise PolicyError(
                f"{here}.webhook: {entry['webhook']!r:.60} is not an http(s) URL",
                subject="webhook",
            )
        resolved = None
        if "calendar" in entry:
            resolved = calendar(entry["calendar"], f"recipients.{name}.calendar")
        try:
            recipient = Recipient(
                name=str(name),
                email=entry.get("email"),
                webhook=entry.get("webhook"),
                target=entry.get("target"),
                calendar=None if resolved is None else resolved.name,
            )
        except EventError as exc:
            raise PolicyError(f"{here}: {exc}") from None
        out.append((recipient, resolved))
    return tuple(out)
