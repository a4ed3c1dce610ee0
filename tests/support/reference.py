"""A brute-force business-time reference, written straight from docs/design.md ("Business time, exactly").

It is the judge of the property tests, so it shares no code with ``ticketsla.calendar``: it reads
a calendar in its mapping form (the TOML data), parses the ranges itself, resolves local wall
times itself (using only UTC-to-local conversions of ``zoneinfo``, never ``fold``), marks every
open minute of a window of real time, and answers each question by walking those minutes.

Instants are whole minutes since the Unix epoch (UTC); durations are whole minutes. The rules:

- every local date that is not a holiday turns each range of its hours (its special hours if it
  has some, else its weekday's) into one period, from the instant the local clock first shows
  the start to the instant it first shows the end; ``24:00`` is the next midnight and an end
  before the start is on the next date;
- a wall time that happens twice means its first occurrence; one that never happens (a spring
  gap) is moved forward by the gap; a period that comes out empty (or backwards) is dropped;
- a holiday removes the periods that start on it (the date's own ranges), nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


class OutsideWindowError(AssertionError):
    """A question needed minutes the reference did not mark; widen the window."""


def minute_of(at: datetime) -> int:
    """Minutes since the epoch of an aware datetime that lies on a whole minute."""
    delta = at - EPOCH
    if delta % MINUTE:
        raise ValueError(f"the reference works on whole minutes, got {at.isoformat()}")
    return delta // MINUTE


def at_minute(minute: int, zone: ZoneInfo | None = None) -> datetime:
    """The aware datetime of a minute since the epoch (UTC unless a zone is given)."""
    value = EPOCH + timedelta(minutes=minute)
    return value if zone is None else value.astimezone(zone)


# ---- local wall times ------------------------------------------------------------------------


def _offset(zone: ZoneInfo, minute: int) -> int:
    """The zone's UTC offset, in minutes, at a UTC minute (a UTC-to-local conversion)."""
    offset = at_minute(minute, zone).utcoffset()
    assert offset is not None
    assert not offset % MINUTE, f"{zone.key}: offset {offset} is not whole minutes"
    return offset // MINUTE


def _wall(zone: ZoneInfo, minute: int) -> int:
    """What the local clock shows at a UTC minute, as minutes since the naive epoch."""
    return minute + _offset(zone, minute)


@lru_cache(maxsize=200_000)
def resolve(zone: ZoneInfo, wall: int) -> int:
    """The UTC minute at which the local clock first shows ``wall`` (naive epoch minutes).

    A wall time shown twice resolves to its first occurrence; one never shown (inside a spring
    gap) is moved forward by the gap, i.e. read with the offset in force just before the jump.
    Assumes, as every zone used in the tests does, at most one offset change within 15 hours.
    """
    # Every offset in force within 15 hours of the wall time read as if it were UTC.
    offsets = sorted({_offset(zone, wall + hour * 60) for hour in range(-15, 16)})
    shown = [wall - off for off in offsets if _wall(zone, wall - off) == wall]
    if shown:
        return min(shown)
    # A gap: walk to the first minute the clock shows a later time; the jump happens there.
    for minute in range(wall - offsets[-1], wall - offsets[0] + 1):
        if _wall(zone, minute) > wall:
            before = _offset(zone, minute - 1)
            return wall - before
    raise AssertionError(f"cannot resolve wall minute {wall} in {zone.key}")


def _wall_minute(day: date, minute_of_day: int) -> int:
    """Naive epoch minutes of ``minute_of_day`` minutes after the local midnight of ``day``."""
    midnight = datetime(day.year, day.month, day.day)
    return (midnight - _NAIVE_EPOCH) // MINUTE + minute_of_day


# ---- the calendar data -----------------------------------------------------------------------


def parse_range(text: str) -> tuple[int, int]:
    """``"HH:MM-HH:MM"`` as (start, end) minutes after the date's midnight.

    ``24:00`` is the next midnight (1440); an end before the start is on the next date.
    """
    match = _RANGE.match(text.strip())
    assert match, f"reference cannot read range {text!r}"
    sh, sm, eh, em = (int(g) for g in match.groups())
    start, end = sh * 60 + sm, eh * 60 + em
    if end < start:
        end += 24 * 60
    return start, end


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


class _CalendarData:
    """The parts of a calendar mapping the rules need, read without ticketsla."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.zone = ZoneInfo(data["timezone"])
        hours = data.get("hours", {})
        self.weekly = [[parse_range(t) for t in hours.get(day, [])] for day in _WEEKDAYS]
        self.special = {
            _as_date(k): [parse_range(t) for t in v] for k, v in data.get("special", {}).items()
        }
        table = data.get("holidays", {})
        self.closed = {_as_date(v) for v in table.get("dates", [])}
        self.worked = {_as_date(v) for v in table.get("exclude", [])}
        self.country: str | None = table.get("country")
        categories = table.get("categories", ())
        self.holiday_args: dict[str, Any] = {"observed": table.get("observed", True)}
        if table.get("subdiv"):
            self.holiday_args["subdiv"] = table["subdiv"]
        if categories:
            self.holiday_args["categories"] = (
                (categories,) if isinstance(categories, str) else tuple(categories)
            )
        self._years: dict[int, set[date]] = {}

    def is_holiday(self, day: date) -> bool:
        if day in self.closed:
            return True
        if self.country is None or day in self.worked:
            return False
        if day.year not in self._years:
            table = holidays.country_holidays(self.country, years=[day.year], **self.holiday_args)
            self._years[day.year] = set(table)
        return day in self._years[day.year]

    def ranges(self, day: date) -> list[tuple[int, int]]:
        """The ranges that open on local date ``day``, ignoring holidays."""
        if day in self.special:
            return self.special[day]
        return self.weekly[day.weekday()]


# ---- the reference ---------------------------------------------------------------------------


class Reference:
    """Open minutes of a calendar in the window ``[first, last)`` of real time."""

    def __init__(self, data: Mapping[str, Any], first: datetime, last: datetime) -> None:
        self.cal = _CalendarData(data)
        self.zone = self.cal.zone
        self.lo, self.hi = minute_of(first), minute_of(last)
        self.open = bytearray(self.hi - self.lo)
        # A period ends less than two days after its date's midnight; 14 hours covers any offset.
        day = at_minute(self.lo - 14 * 60, self.zone).date() - timedelta(days=2)
        stop = at_minute(self.hi + 14 * 60, self.zone).date()
        while day <= stop:
            if not self.cal.is_holiday(day):
                for start, end in self.cal.ranges(day):
                    self._mark(
                        resolve(self.zone, _wall_minute(day, start)),
                        resolve(self.zone, _wall_minute(day, end)),
                    )
            day += timedelta(days=1)

    def _mark(self, start: int, end: int) -> None:
        for minute in range(max(start, self.lo), min(end, self.hi)):
            self.open[minute - self.lo] = 1

    def _is_open(self, minute: int) -> bool:
        if not self.lo <= minute < self.hi:
            raise OutsideWindowError(f"minute {minute} is outside [{self.lo}, {self.hi})")
        return bool(self.open[minute - self.lo])

    def holiday(self, day: date) -> bool:
        """Whether local date ``day`` is a holiday by the calendar data."""
        return self.cal.is_holiday(day)

    # Every answer below walks the open minutes one at a time.

    def is_open(self, at: int) -> bool:
        return self._is_open(at)

    def elapsed(self, start: int, end: int) -> int:
        if end < start:
            return -self.elapsed(end, start)
        return sum(1 for minute in range(start, end) if self._is_open(minute))

    def add(self, start: int, duration: int) -> int:
        """The earliest minute ``t >= start`` with ``elapsed(start, t) == duration``."""
        assert duration >= 0
        count, minute = 0, start
        while count < duration:
            count += self._is_open(minute)
            minute += 1
        return minute

    def subtract(self, end: int, duration: int) -> int:
        """The latest minute ``s <= end`` with ``elapsed(s, end) == duration``."""
        assert duration >= 0
        count, minute = 0, end
        while count < duration:
            minute -= 1
            count += self._is_open(minute)
        return minute

    def next_open(self, at: int) -> int:
        minute = at
        while not self._is_open(minute):
            minute += 1
        return minute

    def next_close(self, at: int) -> int:
        """The end of the open stretch ``at`` is in, or of the next one when closed."""
        minute = self.next_open(at)
        while self._is_open(minute):
            minute += 1
        return minute

    def stretches(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        """The maximal open stretches within ``[start, end)``, clipped to it."""
        run: int | None = None
        for minute in range(start, end):
            if self._is_open(minute):
                if run is None:
                    run = minute
            elif run is not None:
                yield run, minute
                run = None
        if run is not None:
            yield run, end

    def open_minutes(self, start: int, end: int) -> int:
        """Open minutes in ``[start, end)`` of the window (for choosing feasible targets)."""
        return sum(self.open[max(start, self.lo) - self.lo : min(end, self.hi) - self.lo])
