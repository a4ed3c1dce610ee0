"""What ``SLAEngine.ingest`` does with each item before any transaction: check it, or reject it.

Every item is turned into a ``TicketEvent`` (whose construction applies ``event_rules``); an item
that cannot be one becomes a ``Rejection`` with its position, its key when it has a usable one,
the field at fault and the reason. Within one batch a key that names a second ticket is rejected
too, naming both, exactly as a key already stored for another ticket is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from ..errors import EventError, TicketSLAError
from ..event_rules import MAX_ID_CHARS, check_instant, shown
from ..events import TicketEvent

__all__ = ["Rejection", "check_items", "first_of_each_key"]


class Rejection(NamedTuple):
    """One item ``ingest`` refused.

    ``position`` is its index in the input, ``reason`` says why (naming the value), ``key`` is
    its ``(source, event_id)`` when the item had a usable one, and ``field`` the field at fault
    when one was (``None`` for an item that is no mapping, or a key clash).
    """

    position: int
    reason: str
    key: tuple[str, str] | None = None
    field: str | None = None


def check_items(
    items: Sequence[object], start: int
) -> tuple[list[tuple[int, TicketEvent]], list[Rejection]]:
    """Split ``items`` (input positions from ``start``) into events and rejections."""
    valid: list[tuple[int, TicketEvent]] = []
    rejected: list[Rejection] = []
    for offset, item in enumerate(items):
        index = start + offset
        try:
            valid.append((index, _as_event(item)))
        except TicketSLAError as exc:
            subject = exc.subject if isinstance(exc.subject, str) else None
            rejected.append(Rejection(index, exc.message, _key_of(item), subject))
        except (TypeError, ValueError, OverflowError, RecursionError) as exc:
            # a value no rule above foresaw: still this item's problem, never the batch's
            reason = f"event: {type(exc).__name__}: {shown(str(exc), 200)}"
            rejected.append(Rejection(index, reason, _key_of(item), None))
    return valid, rejected


def first_of_each_key(
    batch: Sequence[tuple[int, TicketEvent]],
) -> tuple[dict[tuple[str, str], tuple[int, TicketEvent]], int, list[Rejection]]:
    """The first event of each key, the count of repeats naming the same ticket (duplicates),
    and the repeats that name another ticket (rejected, naming both)."""
    first: dict[tuple[str, str], tuple[int, TicketEvent]] = {}
    duplicates = 0
    rejected: list[Rejection] = []
    for index, event in batch:
        kept = first.get(event.key)
        if kept is None:
            first[event.key] = (index, event)
        elif kept[1].ticket_id == event.ticket_id:
            duplicates += 1
        else:
            rejected.append(
                Rejection(
                    index,
                    f"event {event.event_id!r} of source {event.source!r} names ticket "
                    f"{event.ticket_id!r}, but item {kept[0]} of this input gave it to ticket "
                    f"{kept[1].ticket_id!r}: event ids are unique within their source",
                    event.key,
                    "ticket_id",
                )
            )
    return first, duplicates, rejected


def _as_event(item: object) -> TicketEvent:
    if isinstance(item, TicketEvent):
        # built earlier, perhaps under a wider plausible window than the one in force now
        check_instant(item.at_us, item.at, "at", item.event_id)
        return item
    if not isinstance(item, Mapping):
        raise EventError(
            f"an event must be a TicketEvent or a mapping, got {type(item).__name__}",
            subject=None,
        )
    return TicketEvent.from_dict(item)


def _key_of(item: object) -> tuple[str, str] | None:
    """The item's ``(source, event_id)`` when both are plain, storable identifiers."""
    if isinstance(item, TicketEvent):
        return item.key
    if not isinstance(item, Mapping):
        return None
    source: Any = item.get("source", "api")
    event_id: Any = item.get("event_id")
    parts: list[str] = []
    for value in (source, event_id):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**18:
            value = str(value)
        if not isinstance(value, str) or not 0 < len(value) <= MAX_ID_CHARS:
            return None
        if "\x00" in value or not _encodable(value):
            return None
        parts.append(value)
    return parts[0], parts[1]


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
