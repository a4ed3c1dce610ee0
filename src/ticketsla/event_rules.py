"""The limits every ticket event obeys, in one place.

``TicketEvent`` construction applies them, so an adapter, ``parse_payload`` or ``from_dict`` can
never hand out an event that ``SLAEngine.ingest`` would refuse, and both databases see the same
values: nothing is cut, nothing is refused by one store and kept by the other.

- identifiers (``ticket_id``, ``event_id``, ``source``): 1 to ``MAX_ID_CHARS`` characters, the
  width of their database columns;
- every other text (ticket fields, tags, custom field names and values): at most
  ``MAX_TEXT_CHARS`` characters;
- no text holds a NUL (PostgreSQL cannot store one) or a lone surrogate (not encodable as UTF-8);
- instants lie inside the plausible window, ``[earliest, latest)``: by default 1970-01-01 to
  2100-01-01 UTC. ``set_plausible_window`` changes it for the whole process.

Events read back from a database skip the window check (``stored_events``): narrowing the window
never makes history already stored unreadable.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import UTC, datetime

from ._instants import require_aware, to_us
from .errors import ConfigurationError, EventError

__all__ = [
    "MAX_CUSTOM_FIELDS",
    "MAX_ID_CHARS",
    "MAX_ITEMS",
    "MAX_TEXT_CHARS",
    "check_instant",
    "check_text",
    "plausible_window",
    "set_plausible_window",
    "shown",
    "stored_events",
]

MAX_ID_CHARS = 256
MAX_TEXT_CHARS = 8192
MAX_ITEMS = 1000  # tags, items of a custom list
MAX_CUSTOM_FIELDS = 256

DEFAULT_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
DEFAULT_LATEST = datetime(2100, 1, 1, tzinfo=UTC)

_window: tuple[datetime, datetime, int, int] = (
    DEFAULT_EARLIEST,
    DEFAULT_LATEST,
    to_us(DEFAULT_EARLIEST),
    to_us(DEFAULT_LATEST),
)
_reading_store: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "ticketsla_reading_store", default=False
)
# Python's datetime range, a day inside so that no zone conversion can overflow
_FLOOR = datetime(1, 1, 2, tzinfo=UTC)
_CEILING = datetime(9999, 12, 30, tzinfo=UTC)


def plausible_window() -> tuple[datetime, datetime]:
    """The ``(earliest, latest)`` instants an event may carry (earliest included)."""
    return _window[0], _window[1]


def set_plausible_window(earliest: datetime, latest: datetime) -> None:
    """Accept event instants in ``[earliest, latest)`` from now on, in this process.

    Both must be aware and ``earliest < latest``; they are kept in UTC. Use it when a helpdesk's
    history starts before 1970 or when a tighter window should catch clock mistakes early.
    """
    require_aware(earliest, "earliest")
    require_aware(latest, "latest")
    if not _FLOOR <= earliest < latest <= _CEILING:
        raise ConfigurationError(
            f"plausible window: need {_FLOOR.date()} <= earliest < latest <= {_CEILING.date()}, "
            f"got {earliest.isoformat()} to {latest.isoformat()}",
            subject="plausible_window",
        )
    global _window
    low, high = earliest.astimezone(UTC), latest.astimezone(UTC)
    _window = (low, high, to_us(low), to_us(high))


@contextlib.contextmanager
def stored_events() -> Iterator[None]:
    """Within this block, events are rebuilt from a store: the window is not checked again."""
    token = _reading_store.set(True)
    try:
        yield
    finally:
        _reading_store.reset(token)


def check_instant(at_us: int, at: datetime, name: str, event: object) -> None:
    """Refuse an instant outside the plausible window, giving the bounds."""
    if _window[2] <= at_us < _window[3] or _reading_store.get():
        return
    raise EventError(
        f"event {shown(event)}: {name}: {shown(at.isoformat())} is outside the plausible window "
        f"{_window[0].isoformat()} to {_window[1].isoformat()} (ticketsla.event_rules."
        "set_plausible_window changes it)",
        subject=name,
    )


def check_text(value: str, name: str, event: object, limit: int = MAX_TEXT_CHARS) -> str:
    """Return ``value`` when it is a storable text of at most ``limit`` characters."""
    if len(value) > limit:
        raise EventError(
            f"event {shown(event)}: {name}: {len(value)} characters, more than {limit}: "
            f"{shown(value)}",
            subject=name,
        )
    if value.isascii():
        if "\x00" in value:
            raise EventError(
                f"event {shown(event)}: {name}: holds a NUL character: {shown(value)}",
                subject=name,
            )
        return value
    if "\x00" in value:
        raise EventError(
            f"event {shown(event)}: {name}: holds a NUL character: {shown(value)}", subject=name
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise EventError(
            f"event {shown(event)}: {name}: holds a lone surrogate, not valid Unicode text: "
            f"{shown(value)}",
            subject=name,
        ) from None
    return value


def shown(value: object, width: int = 60) -> str:
    """A value's repr for a message, clipped so a hostile value cannot flood a log."""
    text = repr(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate would break whatever prints the message
        text = ascii(value)
    return text if len(text) <= width else text[: width - 3] + "..."
