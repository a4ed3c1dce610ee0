"""What notifier plugins receive: one frozen ``Notification`` per warning, breach, fulfilment,
retraction or recorded outcome.

The engine builds these values and hands each to the matching hook
(``ticketsla_sla_warning``, ``ticketsla_sla_breached``, ``ticketsla_sla_fulfilled``,
``ticketsla_outcome_recorded``; see ``ticketsla.plugins.notify``). A notification is plain data:
``to_dict()`` gives a JSON-ready mapping and ``Notification.from_dict`` reads it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ._instants import require_aware
from .errors import EventError
from .escalation_notice import EscalationNotice

__all__ = ["Notification", "NotificationKind"]


class NotificationKind(StrEnum):
    WARNING = "warning"
    BREACH = "breach"
    FULFILLED = "fulfilled"
    RETRACTION = "retraction"
    OUTCOME = "outcome"
    ESCALATION = "escalation"  # an [[escalation]] level fired (docs/escalation.md)


# Kinds that are about a clock with a deadline, so they must say when it fell due.
_NEEDS_DUE_AT = frozenset(
    {NotificationKind.WARNING, NotificationKind.BREACH, NotificationKind.ESCALATION}
)
_MAX_TEXT = 256


@dataclass(frozen=True, slots=True, kw_only=True)
class Notification:
    """One thing a notifier should hear about.

    ``ticket_id``, ``metric`` (``"first_response"``, ``"resolution"``, or an outcome such as
    ``"csat"``) and ``cycle`` (1 for the first cycle of a clock) say which clock; ``kind`` says
    what happened; ``level`` says how far: ``"75%"`` or ``"30m"`` for a warning, ``"breach"``
    for a breach, an escalation level's name and its recipient's (``"level-1/team-lead"``, with
    ``escalation`` holding the details), the retracted level for a retraction, or the
    outcome's value (``"good"``, ``"fcr"``) for an outcome. ``at`` is when it happened,
    ``due_at`` when the clock was due (required for warnings and breaches), ``target`` and
    ``elapsed`` are business time, ``policy`` and ``calendar`` are names.
    """

    ticket_id: str
    metric: str
    cycle: int
    kind: NotificationKind
    level: str
    at: datetime
    due_at: datetime | None = None
    target: timedelta | None = None
    elapsed: timedelta | None = None
    policy: str | None = None
    calendar: str | None = None
    # A warning or breach that was retracted (a late event undid it) and later came true again
    # is announced anew as round 2, 3...; the round is part of the key.
    round: int = 1
    # For an escalation (and its retraction): the level, its action and resolved recipients.
    escalation: EscalationNotice | None = None

    def __post_init__(self) -> None:
        put = object.__setattr__
        for name in ("ticket_id", "metric", "level"):
            _text(getattr(self, name), name)
        for name in ("policy", "calendar"):
            value = getattr(self, name)
            if value is not None:
                _text(value, name)
        if isinstance(self.round, bool) or not isinstance(self.round, int) or self.round < 1:
            raise EventError(
                f"notification: round: expected a whole number >= 1, got {self.round!r}",
                subject="round",
            )
        if isinstance(self.cycle, bool) or not isinstance(self.cycle, int) or self.cycle < 0:
            raise EventError(
                f"notification: cycle: expected a whole number >= 0, got {self.cycle!r}",
                subject="cycle",
            )
        try:
            kind = NotificationKind(self.kind)
        except ValueError:
            allowed = ", ".join(k.value for k in NotificationKind)
            raise EventError(
                f"notification: kind: unknown kind {self.kind!r} (expected one of {allowed})",
                subject="kind",
            ) from None
        put(self, "kind", kind)
        require_aware(self.at, "notification.at")
        if self.due_at is not None:
            require_aware(self.due_at, "notification.due_at")
        elif kind in _NEEDS_DUE_AT:
            raise EventError(
                f"notification: a {kind} for ticket {self.ticket_id!r} needs due_at",
                subject="due_at",
            )
        for name in ("target", "elapsed"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, timedelta):
                raise EventError(
                    f"notification: {name}: expected a timedelta, got {type(value).__name__}",
                    subject=name,
                )

    @property
    def key(self) -> tuple[str, str, int, str, str, int]:
        """What makes a notification unique: a notifier may use it to drop a repeat delivery."""
        return (self.ticket_id, self.metric, self.cycle, str(self.kind), self.level, self.round)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: instants as ISO 8601 text, durations as whole seconds."""
        return {
            "ticket_id": self.ticket_id,
            "metric": self.metric,
            "cycle": self.cycle,
            "kind": str(self.kind),
            "level": self.level,
            "at": self.at.isoformat(),
            "due_at": None if self.due_at is None else self.due_at.isoformat(),
            "target_seconds": _seconds(self.target),
            "elapsed_seconds": _seconds(self.elapsed),
            "policy": self.policy,
            "calendar": self.calendar,
            "round": self.round,
            # only escalations carry the key, so other notifications read as they always did
            **({} if self.escalation is None else {"escalation": self.escalation.to_dict()}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Notification:
        """Read the ``to_dict()`` form back into an equal notification."""
        if not isinstance(data, Mapping):
            raise EventError(f"a notification must be a mapping, got {type(data).__name__}")
        for required in ("ticket_id", "metric", "cycle", "kind", "level", "at"):
            if required not in data:
                raise EventError(f"notification: missing field {required!r}", subject=required)
        return cls(
            ticket_id=data["ticket_id"],
            metric=data["metric"],
            cycle=data["cycle"],
            kind=data["kind"],
            level=data["level"],
            at=_instant(data["at"], "at"),
            due_at=None if data.get("due_at") is None else _instant(data["due_at"], "due_at"),
            target=_duration(data.get("target_seconds"), "target_seconds"),
            elapsed=_duration(data.get("elapsed_seconds"), "elapsed_seconds"),
            policy=data.get("policy"),
            calendar=data.get("calendar"),
            round=data.get("round", 1),
            escalation=None
            if data.get("escalation") is None
            else EscalationNotice.from_dict(data["escalation"]),
        )


def _text(value: Any, name: str) -> None:
    if not isinstance(value, str) or not value or len(value) > _MAX_TEXT:
        raise EventError(
            f"notification: {name}: expected a text of 1 to {_MAX_TEXT} characters, "
            f"got {value!r:.60}",
            subject=name,
        )


def _seconds(value: timedelta | None) -> int | float | None:
    if value is None:
        return None
    seconds = value.total_seconds()
    return int(seconds) if seconds == int(seconds) else seconds


def _instant(value: Any, name: str) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise EventError(
            f"notification: {name}: {value!r:.60} is not an ISO 8601 instant", subject=name
        ) from None


def _duration(value: Any, name: str) -> timedelta | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EventError(
            f"notification: {name}: expected a number of seconds, got {value!r:.60}", subject=name
        )
    return timedelta(seconds=value)
