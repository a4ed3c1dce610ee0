"""Normalized ticket events: what every source adapter produces and every clock consumes.

A ``TicketEvent`` is a frozen, hashable value. Its identity for idempotency is
``(source, event_id)``; its place in a ticket's history is ``(at, seq, kind)``, where ``seq`` is the
order of the event within one source action (a Zendesk audit, a Jira changelog entry).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from operator import attrgetter
from typing import Any

from ._instants import to_us
from .errors import EventError, NaiveDatetimeError
from .event_rules import (
    MAX_CUSTOM_FIELDS,
    MAX_ID_CHARS,
    MAX_ITEMS,
    check_instant,
    check_text,
    shown,
)

__all__ = [
    "Actor",
    "EventKind",
    "Priority",
    "Status",
    "TicketEvent",
    "order_events",
]


class EventKind(StrEnum):
    CREATED = "created"
    CUSTOMER_MESSAGE = "customer_message"
    AGENT_REPLY = "agent_reply"
    INTERNAL_NOTE = "internal_note"
    STATUS_CHANGED = "status_changed"
    PRIORITY_CHANGED = "priority_changed"
    ASSIGNED = "assigned"
    SATISFACTION_RATED = "satisfaction_rated"
    FIELDS_CHANGED = "fields_changed"
    DUE_SET = "due_set"  # an agent pins a metric's due instant (custom fields metric, due_at)
    DUE_CLEARED = "due_cleared"  # the pinned due instant is removed (custom field metric)


class Actor(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    SOLVED = "solved"
    CLOSED = "closed"

    @property
    def is_done(self) -> bool:
        """Solved or closed: the ticket no longer waits for the team."""
        return self in DONE_STATUSES


_AGENT_REPLY = EventKind.AGENT_REPLY  # read per event: a plain name costs less than the member

# The statuses that are done (``Status.is_done``), for code that asks without a property call.
DONE_STATUSES = frozenset({Status.SOLVED, Status.CLOSED})


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


# Within one instant and one seq, a ticket is created before anything else happens to it, and
# its fields are set before the messages that the new fields apply to.
_KIND_RANK = {
    EventKind.CREATED: 0,
    EventKind.FIELDS_CHANGED: 1,
    EventKind.PRIORITY_CHANGED: 2,
    EventKind.ASSIGNED: 3,
    EventKind.CUSTOMER_MESSAGE: 4,
    EventKind.INTERNAL_NOTE: 5,
    EventKind.AGENT_REPLY: 6,
    EventKind.STATUS_CHANGED: 7,
    EventKind.SATISFACTION_RATED: 8,
    EventKind.DUE_SET: 9,
    EventKind.DUE_CLEARED: 9,
}

_DEFAULT_ACTOR = {
    EventKind.CUSTOMER_MESSAGE: Actor.CUSTOMER,
    EventKind.AGENT_REPLY: Actor.AGENT,
    EventKind.INTERNAL_NOTE: Actor.AGENT,
}

# Fields with a typed slot; anything else given as a keyword lands in ``custom``.
_TICKET_FIELDS = ("channel", "organization", "assignee", "group", "requester", "subject")
# Every typed ticket field an event can set, in the order ``ticket_fields`` gives them.
FIELD_NAMES = ("priority", "status", "tags", *_TICKET_FIELDS)
_MAX_SEQ = 2**63  # seq is an ordering index, never a large number
_MAX_SCALE = 1_000_000
_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True, slots=True, init=False)
class TicketEvent:
    """One thing that happened to a ticket.

    ``TicketEvent(ticket_id=..., event_id=..., at=..., kind=..., actor=..., **fields)``. Field
    keywords: ``status`` (status_changed, created), ``priority`` (priority_changed, created),
    ``rating`` and ``scale`` (satisfaction_rated: ``"good"``/``"bad"`` or an integer on a scale
    such as ``(1, 5)``), ``tags``, ``channel``, ``organization``, ``assignee``, ``group``,
    ``requester``, ``subject``, and any custom field (kept in ``custom``). ``auto=True`` marks an
    automatic message (an auto-reply, a bot, a trigger): it fulfils no response target.

    Every value is checked against ``ticketsla.event_rules`` (text lengths, no NUL or lone
    surrogate, ratings inside their scale, the instant inside the plausible window); a value
    that breaks a rule raises ``EventError`` naming the field (``subject``).
    """

    ticket_id: str
    event_id: str
    # The instant is compared through ``at_us``: two spellings of one instant (another zone, or
    # the second pass through an autumn hour, which Python never calls equal) are one event.
    at: datetime = field(compare=False)
    kind: EventKind
    actor: Actor
    source: str
    seq: int
    auto: bool
    status: Status | None
    priority: Priority | None
    rating: str | int | None
    scale: tuple[int, int] | None
    tags: frozenset[str] | None
    channel: str | None
    organization: str | None
    assignee: str | None
    group: str | None
    requester: str | None
    subject: str | None
    custom: tuple[tuple[str, Any], ...]
    at_us: int
    # Where the event stands in its ticket's history (a total, deterministic order): worked out
    # once here, since every fold of the ticket sorts by it.
    order: tuple[int, int, int, str, str] = field(init=False, repr=False, compare=False)

    def __init__(
        self,
        *,
        ticket_id: str | int,
        event_id: str | int,
        at: datetime,
        kind: EventKind | str,
        actor: Actor | str | None = None,
        source: str = "api",
        seq: int = 0,
        auto: bool = False,
        status: Status | str | None = None,
        priority: Priority | str | None = None,
        rating: str | int | None = None,
        scale: tuple[int, int] | None = None,
        tags: Iterable[str] | None = None,
        **fields: Any,
    ) -> None:
        put = object.__setattr__
        put(self, "ticket_id", _ident(ticket_id, "ticket_id"))
        put(self, "event_id", _ident(event_id, "event_id"))
        put(self, "at_us", _instant_us(at, event_id))
        put(self, "at", at)
        kind_value = _enum(EventKind, kind, "kind", event_id)
        put(self, "kind", kind_value)
        actor_value = (
            _enum(Actor, actor, "actor", event_id)
            if actor is not None
            else _DEFAULT_ACTOR.get(kind_value, Actor.SYSTEM)
        )
        put(self, "actor", actor_value)
        put(self, "source", _source(source, event_id))
        put(self, "seq", _seq(seq, event_id))
        put(self, "auto", _auto(auto, event_id))
        put(self, "status", _opt_enum(Status, status, "status", event_id))
        put(self, "priority", _opt_enum(Priority, priority, "priority", event_id))
        if kind_value is EventKind.STATUS_CHANGED and status is None:
            raise EventError(f"event {event_id!r}: status_changed needs a status", subject="status")
        if kind_value is EventKind.PRIORITY_CHANGED and priority is None:
            raise EventError(
                f"event {event_id!r}: priority_changed needs a priority", subject="priority"
            )
        rating_value, scale_value = _rating(rating, scale, event_id)
        if kind_value is EventKind.SATISFACTION_RATED and rating_value is None:
            raise EventError(
                f"event {event_id!r}: satisfaction_rated needs a rating", subject="rating"
            )
        if kind_value is EventKind.DUE_SET:
            fields["due_at"] = _due_instant(fields.get("due_at"), event_id).isoformat()
        put(self, "rating", rating_value)
        put(self, "scale", scale_value)
        put(self, "tags", None if tags is None else _tags(tags, event_id))
        for name in _TICKET_FIELDS:
            put(self, name, _field_text(fields.pop(name, None), name, event_id))
        put(self, "custom", _custom(fields, event_id))
        order = (self.at_us, self.seq, _KIND_RANK[kind_value], self.source, self.event_id)
        put(self, "order", order)

    # ---- derived views -------------------------------------------------------------------

    @property
    def key(self) -> tuple[str, str]:
        """The idempotency key: an event id is unique within its source."""
        return (self.source, self.event_id)

    @property
    def is_public_response(self) -> bool:
        """A public reply by a person on the team, not an automatic message."""
        return self.kind is _AGENT_REPLY and not self.auto

    def field(self, name: str) -> Any:
        """A ticket field this event sets (typed or custom), or None."""
        if name in FIELD_NAMES:
            return getattr(self, name)
        return dict(self.custom).get(name)

    def ticket_fields(self) -> dict[str, Any]:
        """Every ticket field this event sets, by name."""
        out = {
            name: value
            for name, value in zip(FIELD_NAMES, _field_values(self), strict=True)
            if value is not None
        }
        out.update(self.custom)
        return out

    # ---- plain data ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping; ``TicketEvent.from_dict`` reads it back to an equal event."""
        out: dict[str, Any] = {
            "ticket_id": self.ticket_id,
            "event_id": self.event_id,
            "source": self.source,
            "at": self.at.isoformat(),
            "kind": str(self.kind),
            "actor": str(self.actor),
        }
        if self.seq:
            out["seq"] = self.seq
        if self.auto:
            out["auto"] = True
        if self.rating is not None:
            out["rating"] = self.rating
        if self.scale is not None:
            out["scale"] = list(self.scale)
        for name, value in self.ticket_fields().items():
            if isinstance(value, frozenset):
                out[name] = sorted(value)
            elif isinstance(value, StrEnum):
                out[name] = str(value)
            else:
                out[name] = _thawed(value)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TicketEvent:
        """Build an event from the mapping form (JSON lines, the store)."""
        if not isinstance(data, Mapping):
            raise EventError(f"an event must be a mapping, got {type(data).__name__}")
        values = dict(data)
        for name in values:
            if not isinstance(name, str):
                raise EventError(f"event: field names are texts, got {shown(name)}", subject=name)
        for required in ("ticket_id", "event_id", "at", "kind"):
            if required not in values:
                raise EventError(f"event: missing field {required!r}", subject=required)
        at = values["at"]
        if isinstance(at, str):
            try:
                at = datetime.fromisoformat(at)
            except ValueError:
                raise EventError(
                    f"event {shown(values['event_id'])}: at: {shown(at)} is not an ISO 8601 "
                    "instant",
                    subject="at",
                ) from None
        values["at"] = at
        if isinstance(values.get("scale"), list):
            values["scale"] = tuple(values["scale"])
        try:
            return cls(**values)
        except TypeError as exc:  # a field name the constructor reserves, such as "self"
            raise EventError(f"event: {exc}", subject="fields") from None


def order_events(events: Iterable[TicketEvent]) -> list[TicketEvent]:
    """Sort a ticket's events into history order and drop duplicates of ``(source, event_id)``.

    The result does not depend on the order of the input: when two deliveries of one id differ,
    the one that sorts first (by history order, then by its full contents) is kept.
    """
    given = events if isinstance(events, list) else list(events)  # only read, never changed
    if len({event.event_id for event in given}) == len(given):
        # no two share an event id, so no two share (source, event_id): nothing to drop, and
        # the order keys, which end with both, are distinct
        return sorted(given, key=_ORDER)
    unique: dict[tuple[str, str], TicketEvent] = {}
    for event in given:
        kept = unique.setdefault((event.source, event.event_id), event)
        if kept is not event and kept != event and _full_key(event) < _full_key(kept):
            unique[(event.source, event.event_id)] = event
    return sorted(unique.values(), key=_ORDER)


_field_values = attrgetter(*FIELD_NAMES)
_ORDER = attrgetter("order")


def _full_key(event: TicketEvent) -> tuple[Any, ...]:
    # The contents spelled canonically: ``repr`` shows a set of tags in the order of the
    # process's string hashes, and which delivery is kept must not change from run to run.
    return (*event.order, json.dumps(event.to_dict(), sort_keys=True))


# ---- validation helpers ----------------------------------------------------------------------


def _ident(value: str | int, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise EventError(f"{name}: expected a text or an integer, got {shown(value)}", subject=name)
    if isinstance(value, int) and abs(value) >= 10**MAX_ID_CHARS:
        raise EventError(f"{name}: the number is longer than {MAX_ID_CHARS} digits", subject=name)
    text = str(value)
    if not text or len(text) > MAX_ID_CHARS:
        raise EventError(
            f"{name}: {shown(text)} must be 1 to {MAX_ID_CHARS} characters", subject=name
        )
    return check_text(text, name, text, MAX_ID_CHARS)


def _field_text(value: Any, name: str, event_id: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise EventError(
            f"event {shown(event_id)}: {name}: expected a text, got {type(value).__name__}",
            subject=name,
        )
    return check_text(value, name, event_id)


def _name(value: str, event_id: Any) -> str:
    if not value:
        raise EventError(f"event {shown(event_id)}: a custom field has no name", subject="custom")
    return check_text(value, "custom field name", event_id, MAX_ID_CHARS)


def _enum(enum: type[Any], value: Any, name: str, event_id: Any) -> Any:
    try:
        return enum(value)
    except (ValueError, TypeError):
        allowed = ", ".join(m.value for m in enum)
        raise EventError(
            f"event {shown(event_id)}: {name}: unknown {name} {shown(value)} (expected one of "
            f"{allowed})",
            subject=name,
        ) from None


def _opt_enum(enum: type[Any], value: Any, name: str, event_id: Any) -> Any:
    return None if value is None else _enum(enum, value, name, event_id)


def _rating(
    rating: Any, scale: Any, event_id: Any
) -> tuple[str | int | None, tuple[int, int] | None]:
    """A rating is ``good``, ``bad`` or a whole number inside its scale; a fractional or
    non-finite number is refused, never rounded."""
    if rating is None:
        return None, None
    number: int
    if isinstance(rating, str):
        word = rating.strip().lower()
        if word in ("good", "bad"):
            return word, None
        if not _INTEGER.fullmatch(word) or len(word) > 20:
            raise EventError(
                f"event {shown(event_id)}: rating: {shown(rating)} is neither good, bad nor a "
                "number",
                subject="rating",
            )
        number = int(word)
    elif isinstance(rating, int) and not isinstance(rating, bool):
        number = rating
    elif isinstance(rating, float) and math.isfinite(rating) and rating.is_integer():
        number = int(rating)
    else:
        raise EventError(
            f"event {shown(event_id)}: rating: {shown(rating)} is not a rating (good, bad or a "
            "whole number on the scale)",
            subject="rating",
        )
    if scale is None:
        scale = (1, 5)
    if (
        not isinstance(scale, tuple)
        or len(scale) != 2
        or not all(
            isinstance(n, int) and not isinstance(n, bool) and abs(n) <= _MAX_SCALE for n in scale
        )
        or scale[0] >= scale[1]
    ):
        raise EventError(
            f"event {shown(event_id)}: scale: expected (low, high) such as (1, 5), got "
            f"{shown(scale)}",
            subject="scale",
        )
    if not scale[0] <= number <= scale[1]:
        raise EventError(
            f"event {shown(event_id)}: rating: {shown(number)} is outside the scale "
            f"{scale[0]}-{scale[1]}",
            subject="rating",
        )
    return number, (scale[0], scale[1])


def _due_instant(value: Any, event_id: Any) -> datetime:
    """The ``due_at`` of a due_set event: an ISO 8601 instant with its offset."""
    if isinstance(value, datetime):
        instant = value
    elif isinstance(value, str):
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            raise EventError(
                f"event {event_id!r}: due_at: {value!r} is not an ISO 8601 instant",
                subject="due_at",
            ) from None
    else:
        raise EventError(
            f"event {event_id!r}: due_set needs due_at, an ISO 8601 instant", subject="due_at"
        )
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise NaiveDatetimeError(
            f"event {event_id!r}: due_at: {value!r} has no time zone", subject="due_at"
        )
    check_instant(to_us(instant, "due_at"), instant, "due_at", event_id)
    return instant


def due_instant_us(event: TicketEvent) -> int:
    """The pinned due instant of a due_set event, in UTC epoch microseconds."""
    return to_us(_due_instant(event.field("due_at"), event.event_id), "due_at")


def _tags(tags: Any, event_id: Any) -> frozenset[str]:
    if isinstance(tags, str):
        tags = check_text(tags, "tags", event_id).split()
    if not isinstance(tags, list | tuple | set | frozenset):
        raise EventError(
            f"event {shown(event_id)}: tags: expected a list of texts, got {type(tags).__name__}",
            subject="tags",
        )
    if len(tags) > MAX_ITEMS:
        raise EventError(
            f"event {shown(event_id)}: tags: {len(tags)} tags, more than {MAX_ITEMS}",
            subject="tags",
        )
    out: set[str] = set()
    for tag in tags:
        if isinstance(tag, int) and not isinstance(tag, bool):
            tag = str(tag)
        if not isinstance(tag, str) or not tag:
            raise EventError(
                f"event {shown(event_id)}: tags: {shown(tag)} is not a tag (a non-empty text)",
                subject="tags",
            )
        out.add(check_text(tag, "tags", event_id, MAX_ID_CHARS))
    return frozenset(out)


def _frozen(value: Any, name: str, event_id: Any) -> Any:
    """A custom field value as a hashable scalar or tuple of scalars."""
    if isinstance(value, list | tuple):
        if len(value) > MAX_ITEMS:
            raise EventError(
                f"event {shown(event_id)}: {name}: {len(value)} items, more than {MAX_ITEMS}",
                subject=name,
            )
        if all(v is None or isinstance(v, str | int | float | bool) for v in value):
            return tuple(_scalar(v, name, event_id) for v in value)
    elif value is None or isinstance(value, str | int | float | bool):
        return _scalar(value, name, event_id)
    raise EventError(
        f"event {shown(event_id)}: {name}: custom fields hold texts, numbers, booleans or lists "
        f"of them, got {type(value).__name__}",
        subject=name,
    )


def _scalar(value: Any, name: str, event_id: Any) -> Any:
    if isinstance(value, str):
        return check_text(value, name, event_id)
    if isinstance(value, float) and not math.isfinite(value):
        raise EventError(
            f"event {shown(event_id)}: {name}: {value!r} is not a finite number", subject=name
        )
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        raise EventError(
            f"event {shown(event_id)}: {name}: {shown(value)} is beyond a 64-bit integer",
            subject=name,
        )
    return value


def _thawed(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _instant_us(at: datetime, event_id: str | int) -> int:
    """``at`` in microseconds since the epoch: aware, and within the plausible range."""
    try:
        at_us = to_us(at, "at")
    except NaiveDatetimeError as exc:
        raise NaiveDatetimeError(f"event {shown(event_id)}: {exc}", subject="at") from None
    check_instant(at_us, at, "at", event_id)
    return at_us


def _source(source: Any, event_id: str | int) -> str:
    if not isinstance(source, str) or not source:
        raise EventError(
            f"event {shown(event_id)}: source: expected a name, got {shown(source)}",
            subject="source",
        )
    return check_text(source, "source", event_id, MAX_ID_CHARS)


def _seq(seq: Any, event_id: str | int) -> int:
    if not isinstance(seq, int) or isinstance(seq, bool) or not -_MAX_SEQ < seq < _MAX_SEQ:
        raise EventError(
            f"event {shown(event_id)}: seq: expected an integer below 2**63, got {shown(seq)}",
            subject="seq",
        )
    return seq


def _auto(auto: Any, event_id: str | int) -> bool:
    if not isinstance(auto, bool | int):
        raise EventError(
            f"event {shown(event_id)}: auto: expected true or false, got {shown(auto)}",
            subject="auto",
        )
    return bool(auto)


def _custom(fields: Mapping[str, Any], event_id: str | int) -> tuple[tuple[str, Any], ...]:
    """The custom fields, sorted by name, each name checked and each value frozen."""
    if len(fields) > MAX_CUSTOM_FIELDS:
        raise EventError(
            f"event {shown(event_id)}: {len(fields)} custom fields, more than {MAX_CUSTOM_FIELDS}",
            subject="custom",
        )
    return tuple(sorted((_name(k, event_id), _frozen(v, k, event_id)) for k, v in fields.items()))
