"""Duration texts used in policy files and on the command line.

Accepted: ``"4h"``, ``"90m"``, ``"1h30m"``, ``"45s"``, ``"2d"`` (a day is 24 hours of the clock's
own time), combinations in descending order such as ``"1d2h30m"``, and ISO 8601 durations such
as ``"PT4H"`` or ``"P1DT2H"`` (parsed with pendulum). Parts may be separated by spaces, as
``format_duration`` writes them (``"1h 30m"``, ``"3d 4h"``). Months and years are refused: their length
depends on the date, which a target must not. Nothing longer than ``MAX_DURATION`` (100 years)
is accepted: a longer target or window is a typo, and would not fit the calendar's years anyway.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pendulum

from .errors import DurationError

__all__ = ["MAX_DURATION", "format_duration", "parse_duration"]

MAX_DURATION = timedelta(days=36_525)

_SHORT = re.compile(
    r"^(?:(?P<d>\d+)d)?\s*(?:(?P<h>\d+)h)?\s*(?:(?P<m>\d+)m)?\s*(?:(?P<s>\d+)s)?$",
    re.IGNORECASE,
)
_MAX_TEXT = 64


def parse_duration(text: str | timedelta, *, field: str = "duration") -> timedelta:
    """Parse a duration text (or pass a timedelta through); raise ``DurationError`` naming ``field``."""
    if isinstance(text, timedelta):
        if text < timedelta(0):
            raise DurationError(f"{field}: duration {text} is negative", subject=field)
        return _bounded(text, text, field)
    if not isinstance(text, str):
        raise DurationError(
            f"{field}: expected a duration text such as '4h' or 'PT4H', got {text!r}",
            subject=field,
        )
    raw = text.strip()
    if not raw or len(raw) > _MAX_TEXT:
        raise DurationError(f"{field}: {text!r} is not a duration", subject=field)
    match = _SHORT.match(raw)
    if match and any(match.groupdict().values()):
        parts = {k: int(v) for k, v in match.groupdict().items() if v}
        try:
            value = timedelta(
                days=parts.get("d", 0),
                hours=parts.get("h", 0),
                minutes=parts.get("m", 0),
                seconds=parts.get("s", 0),
            )
        except OverflowError:
            value = None
        return _bounded(value, text, field)
    if raw[:1] in "pP" and any(ch.isdigit() for ch in raw):
        return _parse_iso(raw, text, field)
    raise DurationError(
        f"{field}: {text!r} is not a duration; write it like '4h', '90m', '1h30m' or 'PT4H'",
        subject=field,
    )


def _parse_iso(raw: str, text: str, field: str) -> timedelta:
    try:
        parsed = pendulum.parse(raw.upper())
    except OverflowError:
        return _bounded(None, text, field)
    except (ValueError, pendulum.parsing.exceptions.ParserError) as exc:
        raise DurationError(
            f"{field}: {text!r} is not an ISO 8601 duration", subject=field
        ) from exc
    if not isinstance(parsed, pendulum.Duration):
        raise DurationError(f"{field}: {text!r} is not a duration", subject=field)
    if parsed.years or parsed.months:
        raise DurationError(
            f"{field}: {text!r} uses years or months, whose length varies; use days or hours",
            subject=field,
        )
    try:
        value = timedelta(
            days=parsed.days, seconds=parsed.seconds, microseconds=parsed.microseconds
        )
    except OverflowError:
        value = None
    return _bounded(value, text, field)


def _bounded(value: timedelta | None, text: object, field: str) -> timedelta:
    """``value`` when it is at most ``MAX_DURATION``; None stands for "too large to hold"."""
    if value is None or value > MAX_DURATION:
        raise DurationError(
            f"{field}: {str(text)[:_MAX_TEXT]!r} is longer than the longest duration accepted, "
            f"{MAX_DURATION.days} days (100 years)",
            subject=field,
        )
    return value


def format_duration(value: timedelta, *, days: bool = False) -> str:
    """A duration as people write it, which ``parse_duration`` reads back: ``"72h"``,
    ``"1h 30m"``, ``"-30m"`` once over; with ``days``, wall-clock spans such as ``"3d 4h"``.

    Business-time targets stay in hours (a "72h" target is not three calendar days); the
    microseconds below a second are dropped.
    """
    total = int(value.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    day_count, total = divmod(total, 86400) if days else (0, total)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    units = ((day_count, "d"), (hours, "h"), (minutes, "m"), (seconds, "s"))
    text = " ".join(f"{n}{unit}" for n, unit in units if n)
    return sign + (text or "0m")
