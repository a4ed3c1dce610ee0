"""Typed reads from decoded JSON: a value of the wrong type is a ``PayloadError``, never a crash.

Jira payloads are untrusted input. Every field the adapter uses goes through one of these
helpers, so a string where an object belongs, or a list where a string belongs, names the
field and the source instead of surfacing as a ``TypeError`` deep inside the adapter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ticketsla.errors import PayloadError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DIGITS = re.compile(r"^-?\d{1,16}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_MAX_TEXT = 1000


def obj(value: Any, what: str, source: str) -> Mapping[str, Any]:
    """``value`` as a JSON object."""
    if not isinstance(value, Mapping):
        raise PayloadError(
            f"{source}: {what}: expected an object, got {_kind(value)}", subject=what
        )
    return value


def opt_obj(value: Any, what: str, source: str) -> Mapping[str, Any] | None:
    """``value`` as a JSON object, or None when it is null or absent."""
    return None if value is None else obj(value, what, source)


def array(value: Any, what: str, source: str) -> list[Any]:
    """``value`` as a JSON array (null or absent is an empty one)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(f"{source}: {what}: expected an array, got {_kind(value)}", subject=what)
    return value


def ident(value: Any, what: str, source: str) -> str:
    """A Jira id or key: a non-empty text or an integer (never a boolean)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(f"{source}: {what}: expected an id, got {_kind(value)}", subject=what)
    text = str(value).strip()
    if not text or len(text) > 200 or _CONTROL.search(text):
        raise PayloadError(f"{source}: {what}: {text[:40]!r} is not a usable id", subject=what)
    return text


def opt_text(value: Any, what: str, source: str) -> str | None:
    """A text field, or None when it is null or absent."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(f"{source}: {what}: expected text, got {_kind(value)}", subject=what)
    return str(value)


def clean_text(value: str | None) -> str | None:
    """A display text with control characters (CR, LF...) folded to spaces, cut to 1000."""
    if value is None:
        return None
    text = " ".join(_CONTROL.sub(" ", value).split())
    return text[:_MAX_TEXT] or None


def instant(value: Any, what: str, source: str) -> datetime:
    """A Jira timestamp as an aware datetime.

    Jira writes ISO 8601 with a colon-less offset (``2026-03-02T09:15:00.000+0100``), and epoch
    milliseconds (the webhook ``timestamp``, as a number or digits). A time without an offset
    is refused: ticketsla never guesses a zone.
    """
    if isinstance(value, bool):
        raise PayloadError(f"{source}: {what}: expected a timestamp, got a boolean", subject=what)
    if isinstance(value, int) or (isinstance(value, str) and _DIGITS.match(value.strip())):
        return _from_millis(int(value), what, source)
    if not isinstance(value, str):
        raise PayloadError(
            f"{source}: {what}: expected a timestamp, got {_kind(value)}", subject=what
        )
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise PayloadError(
            f"{source}: {what}: {text[:40]!r} is neither ISO 8601 nor epoch milliseconds",
            subject=what,
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise PayloadError(
            f"{source}: {what}: {text[:40]!r} has no UTC offset; ticketsla never guesses a zone",
            subject=what,
        )
    return parsed


def _from_millis(millis: int, what: str, source: str) -> datetime:
    try:
        return EPOCH + timedelta(milliseconds=millis)
    except OverflowError:
        raise PayloadError(
            f"{source}: {what}: {millis} epoch milliseconds is out of range", subject=what
        ) from None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__
