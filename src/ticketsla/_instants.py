"""Aware datetimes to integer UTC epoch microseconds and back: the core computes on integers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from .errors import ConfigurationError, NaiveDatetimeError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def require_aware(value: datetime, field: str) -> datetime:
    """Return ``value`` if it is an aware datetime, else raise naming ``field``."""
    if not isinstance(value, datetime):
        raise NaiveDatetimeError(
            f"{field}: expected an aware datetime, got {type(value).__name__} {value!r}",
            subject=field,
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{field}: naive datetime {value.isoformat()} has no time zone; ticketsla never "
            "guesses one: give an offset (2026-11-27T16:00-05:00) or a tzinfo",
            subject=field,
        )
    return value


def to_us(value: datetime, field: str = "at") -> int:
    """Microseconds since the epoch of an aware datetime (exact, no float rounding)."""
    try:
        return (value - EPOCH) // MICROSECOND
    except TypeError:  # naive datetimes and non-datetimes land here; say which it was
        require_aware(value, field)
        raise


def from_us(us: int, zone: tzinfo) -> datetime:
    """The aware datetime in ``zone`` of an epoch-microsecond instant."""
    seconds, micro = divmod(us, 1_000_000)
    try:
        local = datetime.fromtimestamp(seconds, zone)
    except (OverflowError, OSError, ValueError):  # outside the platform's time_t range
        return (EPOCH + timedelta(microseconds=us)).astimezone(zone)
    return local.replace(microsecond=micro) if micro else local


def duration_us(value: timedelta) -> int:
    """A timedelta as whole microseconds (from its normalised fields: exact, and cheaper than
    dividing timedeltas)."""
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds


def parse_instant(text: str, field: str) -> datetime:
    """An ISO 8601 instant with an offset (``Z`` allowed), as given on a command line.

    Text that is no instant is a ``ConfigurationError``; an instant without an offset is a
    ``NaiveDatetimeError``: ticketsla never guesses a zone.
    """
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigurationError(
            f"{field}: {text!r} is not an ISO 8601 instant like 2026-11-27T16:00-05:00",
            subject=field,
        ) from None
    return require_aware(value, field)
