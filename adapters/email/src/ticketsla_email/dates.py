"""E-mail date-times read the way RFC 5322 writes them, obsolete forms included.

``mail_date`` reads the ``date-time`` of a ``Date`` field (or of the end of a ``Received`` field):
comments (``(EDT)``, nested ones too) and folding whitespace are ignored wherever they stand,
the day of the week is optional, two- and three-digit years are read per RFC 5322 section 4.3,
and the zone is an offset (``-0400``), one of the obsolete names section 4.3 defines (``UT``,
``GMT``, ``EST``/``EDT``, ``CST``/``CDT``, ``MST``/``MDT``, ``PST``/``PDT``) or a military letter
(which 4.3 says to read as ``-0000``). Any other zone name (``CEST``, ``IST``...) is ambiguous or
unknown, so the date is unusable: it is never read as UTC. ``-0000`` (UTC from a sender that does
not tell its local zone) is UTC. What follows a readable offset is ignored, so a field whose line
break was lost (``... 17:30:44 +0200Received: from ...``) keeps its offset.

``mbox_from_date`` reads the time on an mbox ``From `` separator line (``asctime`` layout, as
written by delivery agents); it carries no zone unless one is written, and is then UTC, the zone
mailbox writers use (Python's ``mailbox``, qmail, Postfix ``local``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

__all__ = ["DateWindow", "mail_date", "mbox_from_date"]

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
# RFC 5322 section 4.3: the obsolete zone names and their offsets in hours.
_OBSOLETE_ZONES = {
    "ut": 0,
    "gmt": 0,
    "z": 0,
    "est": -5,
    "edt": -4,
    "cst": -6,
    "cdt": -5,
    "mst": -7,
    "mdt": -6,
    "pst": -8,
    "pdt": -7,
}
_DATE_TIME = re.compile(
    r"""
    ^(?:[A-Za-z]{2,9}\.?\s*,?\s*)?                 # day of week, optional (any spelling)
    (?P<day>\d{1,2})\s*[-\s]\s*
    (?P<month>[A-Za-z]{3,9})\.?\s*[-\s]\s*
    (?P<year>\d{2,4})\s+
    (?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?
    (?:\.\d+)?\s*
    (?P<zone>[+-]\d{4}(?!\d)|[A-Za-z]{1,5}(?![A-Za-z]))?
    """,
    re.VERBOSE,
)
_FROM_LINE_DATE = re.compile(
    r"""
    (?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+
    (?P<month>[A-Za-z]{3})\s+(?P<day>\d{1,2})\s+
    (?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s+
    (?:(?P<zone1>[+-]\d{4}|[A-Za-z]{1,5})\s+)?
    (?P<year>\d{4})
    (?:\s+(?P<zone2>[+-]\d{4}|[A-Za-z]{1,5}))?
    """,
    re.VERBOSE | re.IGNORECASE,
)
_MILITARY = re.compile(r"^[a-ik-z]$")


class DateWindow:
    """The plausible years for a message: instants outside them are unusable, not kept."""

    __slots__ = ("earliest", "latest")

    def __init__(self, earliest_year: int, latest_year: int) -> None:
        self.earliest = datetime(earliest_year, 1, 1, tzinfo=UTC)
        self.latest = datetime(latest_year, 12, 31, 23, 59, 59, tzinfo=UTC)

    def __contains__(self, at: object) -> bool:
        return isinstance(at, datetime) and self.earliest <= at <= self.latest

    def describe(self) -> str:
        return f"{self.earliest.date().isoformat()} to {self.latest.date().isoformat()}"


def strip_comments(text: str) -> str:
    """``text`` without RFC 5322 comments (nested, with quoted pairs) and with single spaces."""
    out: list[str] = []
    depth = 0
    escaped = False
    for char in text:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
            if depth == 0:
                out.append(char)
        elif char == "(":
            depth += 1
            out.append(" ")
        elif char == ")" and depth:
            depth -= 1
        elif depth == 0:
            out.append(char)
    return " ".join("".join(out).split())


def mail_date(value: str, window: DateWindow | None = None) -> datetime | None:
    """The instant of an RFC 5322 date-time, or None when it is unreadable, zoneless or implausible."""
    match = _DATE_TIME.match(strip_comments(value))
    if match is None:
        return None
    offset = _offset(match.group("zone"))
    month = _MONTHS.get(match.group("month")[:3].casefold())
    if offset is None or month is None:
        return None
    year = _full_year(match.group("year"))
    return _instant(
        year,
        month,
        int(match.group("day")),
        int(match.group("hour")),
        int(match.group("minute")),
        int(match.group("second") or 0),
        offset,
        window,
    )


def mbox_from_date(line: str, window: DateWindow | None = None) -> datetime | None:
    """The delivery time on an mbox ``From `` line, or None when it has none that is usable."""
    match = _FROM_LINE_DATE.search(line)
    if match is None:
        return None
    month = _MONTHS.get(match.group("month").casefold())
    zone = match.group("zone1") or match.group("zone2")
    offset = _offset(zone) if zone else timedelta(0)
    if month is None or offset is None:
        return None
    return _instant(
        int(match.group("year")),
        month,
        int(match.group("day")),
        int(match.group("hour")),
        int(match.group("minute")),
        int(match.group("second") or 0),
        offset,
        window,
    )


def _offset(zone: str | None) -> timedelta | None:
    if not zone:
        return None  # no zone at all: the instant is unknown, never guessed
    if zone[0] in "+-":
        hours, minutes = int(zone[1:3]), int(zone[3:5])
        if minutes > 59 or hours > 23:
            return None
        size = timedelta(hours=hours, minutes=minutes)
        return -size if zone[0] == "-" else size
    name = zone.casefold()
    if name in _OBSOLETE_ZONES:
        return timedelta(hours=_OBSOLETE_ZONES[name])
    if _MILITARY.match(name):
        return timedelta(0)  # RFC 5322 4.3: military zones other than Z read as "-0000"
    return None  # CEST, IST, BST...: not defined by RFC 5322, often ambiguous


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        return year + (2000 if year < 50 else 1900)  # RFC 5322 4.3
    if len(text) == 3:
        return year + 1900
    return year


def _instant(
    year: int,
    month: int,
    day: int,
    hour: int,
    minute: int,
    second: int,
    offset: timedelta,
    window: DateWindow | None,
) -> datetime | None:
    second = min(second, 59)  # a leap second reads as the second before it
    try:
        date(year, month, day)
        at = datetime(year, month, day, hour, minute, second, tzinfo=timezone(offset))
    except (ValueError, OverflowError):
        return None
    if window is not None and at not in window:
        return None
    return at
