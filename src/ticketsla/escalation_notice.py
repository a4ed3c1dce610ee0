"""What an escalation notification carries beyond its clock: the level, its action, the breach
instant, and the recipients it was resolved to (``Notification.escalation``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ._instants import require_aware
from .errors import EventError
from .recipients import Recipient

__all__ = ["EscalationNotice", "EscalationRecord"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationNotice:
    """One escalation level firing for one clock cycle, for ``recipients``.

    ``number`` and ``name`` say which ``[[escalation]]`` level (1 for the first row); ``when`` is
    its trigger as written; ``before_breach`` is true for a share or a lead (the target can still
    be met), false at or after the breach. ``notify`` are the names the level lists, ``action``
    its text, ``breach_at`` the instant after which the clock is breached (None before a breach
    is in sight), ``urgent`` whether it ignores quiet hours, and ``held_until`` the instant it
    waited for when a recipient's calendar was closed as it fired.
    """

    number: int
    name: str
    when: str
    before_breach: bool
    notify: tuple[str, ...] = ()
    recipients: tuple[Recipient, ...] = ()
    action: str = ""
    breach_at: datetime | None = None
    urgent: bool = False
    held_until: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("breach_at", "held_until"):
            value = getattr(self, name)
            if value is not None:
                require_aware(value, f"escalation.{name}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "when": self.when,
            "before_breach": self.before_breach,
            "notify": list(self.notify),
            "recipients": [r.to_dict() for r in self.recipients],
            "action": self.action,
            "breach_at": None if self.breach_at is None else self.breach_at.isoformat(),
            "urgent": self.urgent,
            "held_until": None if self.held_until is None else self.held_until.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EscalationNotice:
        if not isinstance(data, Mapping):
            raise EventError(f"escalation: expected a mapping, got {type(data).__name__}")
        try:
            return cls(
                number=int(data["number"]),
                name=str(data["name"]),
                when=str(data["when"]),
                before_breach=bool(data["before_breach"]),
                notify=tuple(str(n) for n in data.get("notify", ())),
                recipients=tuple(Recipient.from_dict(r) for r in data.get("recipients", ())),
                action=str(data.get("action", "")),
                breach_at=_instant(data.get("breach_at")),
                urgent=bool(data.get("urgent", False)),
                held_until=_instant(data.get("held_until")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise EventError(f"escalation: {type(exc).__name__}: {exc}") from None


def _instant(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationRecord:
    """One line of a ticket's escalation trail: a level fired for a recipient, held or not, and
    what became of it (``state``: pending, done, failed, or cancelled when a late event retracted
    it before it went out). ``retracted`` says a late event undid it afterwards."""

    ticket_id: str
    metric: str
    cycle: int
    level: str  # the level's name
    recipient: str | None
    round: int
    fired_at: datetime  # the instant the level's trigger was reached
    recorded_at: datetime  # when the engine recorded it in the outbox
    held_until: datetime | None
    delivered_at: datetime | None
    state: str
    retracted: bool = False

    def describe(self) -> str:
        who = self.recipient or "nobody named"
        text = f"escalation {self.level} to {who} ({self.metric} #{self.cycle}): fired {_iso(self.fired_at)}"
        if self.held_until is not None:
            text += f", held until {_iso(self.held_until)}"
        if self.delivered_at is not None:
            text += f", delivered {_iso(self.delivered_at)}"
        else:
            text += f", {self.state}"
        if self.retracted:
            text += ", retracted"
        return text


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")
