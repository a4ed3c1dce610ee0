"""Business-time calendars: weekly opening hours in one time zone, minus holidays, plus special days.

The rules (docs/design.md, "Business time, exactly") in short: every local date that is not a holiday turns each
range of its hours into one *period* of real time; local times are resolved with ``fold=0`` (the
first of two occurrences in autumn, moved forward by the gap in spring); periods are unioned.
``elapsed`` measures real time inside periods, ``add`` finds the earliest instant at which a given
amount of it has passed.

Internally everything is integers (UTC epoch microseconds). Periods are generated for whole
years, lazily, into sorted arrays with a running sum of open time, so ``add`` and ``elapsed`` are
bisections whose cost does not depend on the length of the span.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._config import read_toml
from ._instants import EPOCH, MICROSECOND, duration_us, from_us, to_us
from .durations import parse_duration
from .errors import CalendarError

__all__ = ["Calendar", "HolidayRule", "Period", "TimeRange", "bundled_calendar_names"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
_US_PER_MINUTE = 60_000_000
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
# Searches for open time give up this many years past the instant they started from.
_SEARCH_YEARS = 50
_MIN_YEAR, _MAX_YEAR = 2, 9997


class TimeRange(NamedTuple):
    """Opening hours within one local date, in minutes after its midnight.

    ``end`` is greater than ``start`` and at most a day later: ``end > 1440`` is a range that runs
    past midnight into the next date (``22:00-06:00`` is ``(1320, 1800)``).
    """

    start: int
    end: int

    @classmethod
    def parse(cls, text: str, *, where: str) -> TimeRange:
        """Parse ``"HH:MM-HH:MM"``; an end before the start is on the next date."""
        match = _RANGE.match(text) if isinstance(text, str) else None
        if not match:
            raise CalendarError(f"{where}: {text!r} is not a range like '09:00-17:00'")
        sh, sm, eh, em = (int(g) for g in match.groups())
        for hour, minute in ((sh, sm), (eh, em)):
            if hour > 24 or minute > 59 or (hour == 24 and minute):
                raise CalendarError(f"{where}: {text!r} has no such time of day")
        start, end = sh * 60 + sm, eh * 60 + em
        if start == MINUTES_PER_DAY:
            raise CalendarError(f"{where}: {text!r} starts at 24:00; start at 00:00 instead")
        if end == start:
            raise CalendarError(f"{where}: {text!r} is empty (it starts where it ends)")
        if end < start:
            end += MINUTES_PER_DAY
        return cls(start, end)

    def __str__(self) -> str:
        def hhmm(minutes: int) -> str:
            if minutes > MINUTES_PER_DAY:
                minutes -= MINUTES_PER_DAY
            return f"{minutes // 60:02d}:{minutes % 60:02d}"

        return f"{hhmm(self.start)}-{hhmm(self.end)}"


class Period(NamedTuple):
    """One stretch of open time, ``[start, end)``, as aware datetimes in the calendar's zone."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True, slots=True, kw_only=True)
class HolidayRule:
    """Public holidays from the ``holidays`` package, by country and optional subdivision."""

    country: str
    subdiv: str | None = None
    categories: tuple[str, ...] = ()
    observed: bool = True

    def dates(self, year: int) -> frozenset[date]:
        """The holiday dates the package lists for ``year``."""
        return _holiday_dates(self, year)

    def names(self, start: date, end: date) -> list[tuple[date, str]]:
        """The (date, name) holidays in ``[start, end]``, for documents and people."""
        table = _country_holidays(self, range(start.year, end.year + 1))
        return sorted((d, str(n)) for d, n in table.items() if start <= d <= end)


def _country_holidays(rule: HolidayRule, years: Iterable[int]) -> Any:
    import holidays  # imported lazily: it is large and calendars without holidays skip it

    kwargs: dict[str, Any] = {"years": list(years), "observed": rule.observed}
    if rule.subdiv:
        kwargs["subdiv"] = rule.subdiv
    if rule.categories:
        kwargs["categories"] = rule.categories
    return holidays.country_holidays(rule.country, **kwargs)


@lru_cache(maxsize=4096)
def _holiday_dates(rule: HolidayRule, year: int) -> frozenset[date]:
    return frozenset(d for d in _country_holidays(rule, [year]) if d.year == year)


@dataclass(frozen=True, slots=True)
class _Index:
    """Merged open periods of the local dates of years ``first_year..last_year``.

    Exact for instants in ``[complete_from, complete_to]``: no period from outside those years
    can reach into that window.
    """

    first_year: int
    last_year: int
    complete_from: int
    complete_to: int
    starts: list[int]
    ends: list[int]
    cum: list[int]  # open time before period i
    cum_end: list[int]  # open time up to the end of period i
    floor: int  # open time before complete_from
    ceiling: int  # open time before complete_to

    def open_before(self, at: int) -> int:
        """Open time in the index before ``at``."""
        i = bisect_right(self.starts, at) - 1
        if i < 0:
            return 0
        end = self.ends[i]
        return self.cum[i] + (at if at < end else end) - self.starts[i]

    def covers(self, lo: int, hi: int) -> bool:
        return self.complete_from <= lo and hi <= self.complete_to


@dataclass(slots=True)
class _IndexCache:
    """The growing period index of one calendar; readers take the current snapshot lock-free."""

    index: _Index | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True, slots=True, kw_only=True)
class Calendar:
    """Weekly opening hours in an IANA time zone, minus holidays, plus special days.

    Build one with :meth:`from_mapping` or :meth:`load`. Instances are immutable, hashable and
    safe to share between threads.
    """

    name: str
    timezone: str
    hours: tuple[tuple[TimeRange, ...], ...]
    holidays: HolidayRule | None = None
    closed_dates: frozenset[date] = frozenset()
    worked_dates: frozenset[date] = frozenset()
    special: tuple[tuple[date, tuple[TimeRange, ...]], ...] = ()
    description: str = ""
    source: str = field(default="", compare=False)
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _special: dict[date, tuple[TimeRange, ...]] = field(init=False, repr=False, compare=False)
    _cache: _IndexCache = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_zone", _zone(self.timezone, self._where("timezone")))
        object.__setattr__(self, "_special", dict(self.special))
        object.__setattr__(self, "_cache", _IndexCache())
        if len(self.hours) != 7:
            raise CalendarError(
                f"{self._where('hours')}: expected 7 weekdays, got {len(self.hours)}"
            )
        _check_week(self.hours, self._where("hours"))
        for day, ranges in self.special:
            _check_overlaps(ranges, self._where(f"special.{day.isoformat()}"))
        if not any(self.hours) and not any(r for _, r in self.special):
            raise CalendarError(
                f"{self._where('hours')}: the week has no open time and there are no special "
                "days, so nothing could ever be due"
            )

    def __repr__(self) -> str:
        return f"Calendar(name={self.name!r}, timezone={self.timezone!r})"

    def _where(self, key: str) -> str:
        origin = f" ({self.source})" if self.source else ""
        return f"calendar {self.name!r}{origin}: {key}"

    # ---- construction ------------------------------------------------------------------------

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "") -> Calendar:
        """Build a calendar from the mapping form of a calendar file (see docs/calendars.md)."""
        from .calendar_mapping import calendar_from_mapping  # it builds a Calendar: imported late

        return calendar_from_mapping(data, source=source)

    @classmethod
    def load(cls, name_or_path: str | Path) -> Calendar:
        """Load a calendar file by path, or a bundled calendar by name (``"us-business"``)."""
        path = _resolve(name_or_path)
        data = read_toml(path, "calendar", CalendarError)
        return cls.from_mapping(data, source=str(path))

    # ---- the rules ---------------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return self._zone

    def is_holiday(self, day: date) -> bool:
        """Whether periods starting on local date ``day`` are removed."""
        if day in self.closed_dates:
            return True
        if self.holidays is None or day in self.worked_dates:
            return False
        return any(day in self.holidays.dates(y) for y in (day.year - 1, day.year, day.year + 1))

    def closed_days(self, first: date, last: date) -> list[tuple[date, str]]:
        """The holidays in ``[first, last]`` (local dates) with their names, worked days left out."""
        named = dict(self.holidays.names(first, last)) if self.holidays is not None else {}
        days = {d: n for d, n in named.items() if d not in self.worked_dates}
        for day in self.closed_dates:
            if first <= day <= last:
                days[day] = "closed date"
        return sorted(days.items())

    def hours_on(self, day: date) -> tuple[TimeRange, ...]:
        """The ranges that open on local date ``day`` (none on a holiday)."""
        if self.is_holiday(day):
            return ()
        special = self._special.get(day)
        return special if special is not None else self.hours[day.weekday()]

    # ---- arithmetic on aware datetimes ------------------------------------------------------

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time in ``[start, end)``; negative when ``end`` is before ``start``."""
        return MICROSECOND * self.elapsed_us(to_us(start, "start"), to_us(end, "end"))

    def add(self, start: datetime, duration: timedelta | str) -> datetime:
        """The earliest instant ``t >= start`` with ``elapsed(start, t) == duration``.

        ``duration`` is a ``timedelta`` or a duration text as in policy files (``"4h"``). A
        negative ``timedelta`` counts backwards, as :meth:`subtract` does.
        """
        span = _as_timedelta(duration)
        return from_us(self.add_us(to_us(start, "start"), duration_us(span)), self._zone)

    def subtract(self, end: datetime, duration: timedelta | str) -> datetime:
        """The latest instant ``s <= end`` with ``elapsed(s, end) == duration``."""
        span = _as_timedelta(duration)
        return from_us(self.subtract_us(to_us(end, "end"), duration_us(span)), self._zone)

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` lies inside an open period."""
        return self.is_open_us(to_us(at))

    def next_open(self, at: datetime) -> datetime:
        """``at`` itself when open, else the start of the next open period."""
        return from_us(self.next_open_us(to_us(at)), self._zone)

    def next_close(self, at: datetime) -> datetime | None:
        """The end of the open stretch that ``at`` is in, or of the next one when closed.

        ``None`` when the calendar does not close within 50 years (a 24x7 calendar).
        """
        us = self.next_close_us(to_us(at))
        return None if us is None else from_us(us, self._zone)

    def periods(self, start: datetime, end: datetime) -> list[Period]:
        """The open periods in ``[start, end)``, clipped to it; their lengths sum to ``elapsed``."""
        lo, hi = to_us(start, "start"), to_us(end, "end")
        if hi <= lo:
            return []
        idx = self._ensure(lo, hi)
        first = max(bisect_right(idx.starts, lo) - 1, 0)
        out: list[Period] = []
        for i in range(first, len(idx.starts)):
            s, e = idx.starts[i], idx.ends[i]
            if s >= hi:
                break
            if e <= lo:
                continue
            out.append(Period(from_us(max(s, lo), self._zone), from_us(min(e, hi), self._zone)))
        return out

    # ---- arithmetic on epoch microseconds (the fast path used by the clocks) ----------------

    def elapsed_us(self, start: int, end: int) -> int:
        """:meth:`elapsed` on epoch microseconds."""
        if end < start:
            return -self.elapsed_us(end, start)
        idx = self._cache.index
        if idx is None or not (idx.complete_from <= start and end <= idx.complete_to):
            idx = self._ensure(start, end)
        # open_before(end) - open_before(start), without two method calls: the clocks ask often
        starts, ends = idx.starts, idx.ends
        i = bisect_right(starts, end) - 1
        if i < 0:
            return 0  # both before the first period
        stop = ends[i]
        first = starts[i]
        if start >= first:  # both in the period of ``end`` (or after its close): no second bisect
            return (end if end < stop else stop) - (start if start < stop else stop)
        cum = idx.cum
        upto_end = cum[i] + (end if end < stop else stop) - first
        # ``start`` lies before that period: mostly in the one before it, else bisect for it
        i -= 1
        if i >= 0 and start < starts[i]:
            i = bisect_right(starts, start, 0, i) - 1
        if i < 0:
            return upto_end
        stop = ends[i]
        return upto_end - (cum[i] + (start if start < stop else stop) - starts[i])

    def add_us(self, start: int, duration: int) -> int:
        """:meth:`add` on epoch microseconds."""
        if duration <= 0:
            return start if duration == 0 else self.subtract_us(start, -duration)
        idx = self._cache.index
        if idx is None or not (idx.complete_from <= start <= idx.complete_to):
            idx = self._ensure(start, start)
        while True:
            target = idx.open_before(start) + duration
            if target <= idx.ceiling:
                j = bisect_left(idx.cum_end, target)
                return idx.starts[j] + target - idx.cum[j]
            idx = self._grow(idx, start, forward=True)

    def subtract_us(self, end: int, duration: int) -> int:
        """:meth:`subtract` on epoch microseconds."""
        if duration <= 0:
            return end if duration == 0 else self.add_us(end, -duration)
        idx = self._ensure(end, end)
        while True:
            target = idx.open_before(end) - duration
            if target >= idx.floor:
                j = bisect_right(idx.cum, target) - 1
                return idx.starts[j] + target - idx.cum[j]
            idx = self._grow(idx, end, forward=False)

    def is_open_us(self, at: int) -> bool:
        """:meth:`is_open` on epoch microseconds."""
        idx = self._ensure(at, at)
        i = bisect_right(idx.starts, at) - 1
        return i >= 0 and at < idx.ends[i]

    def next_open_us(self, at: int) -> int:
        """:meth:`next_open` on epoch microseconds."""
        idx = self._ensure(at, at)
        while True:
            i = bisect_right(idx.starts, at) - 1
            if i >= 0 and at < idx.ends[i]:
                return at
            if i + 1 < len(idx.starts) and idx.starts[i + 1] < idx.complete_to:
                return idx.starts[i + 1]
            idx = self._grow(idx, at, forward=True)

    def next_close_us(self, at: int) -> int | None:
        """:meth:`next_close` on epoch microseconds."""
        if self._never_closes():
            return None
        idx = self._ensure(at, at)
        while True:
            i = max(bisect_right(idx.starts, at) - 1, 0)
            if i < len(idx.starts) and idx.ends[i] <= at:
                i += 1
            if i < len(idx.starts) and idx.ends[i] < idx.complete_to:
                return idx.ends[i]
            try:
                idx = self._grow(idx, at, forward=True)
            except CalendarError:
                return None

    def _never_closes(self) -> bool:
        """Open all day every day with no holiday or special day: there is no close to find."""
        whole_day = (TimeRange(0, MINUTES_PER_DAY),)
        return (
            all(day == whole_day for day in self.hours)
            and self.holidays is None
            and not self.closed_dates
            and not self.special
        )

    # ---- the period index ------------------------------------------------------------------

    def _ensure(self, lo: int, hi: int) -> _Index:
        idx = self._cache.index
        if idx is not None and idx.covers(lo, hi):
            return idx
        first, last = _year_of(lo) - 1, _year_of(hi) + 1
        return self._rebuild(first, last, lo, hi)

    def _grow(self, idx: _Index, origin: int, *, forward: bool) -> _Index:
        span = idx.last_year - idx.first_year + 1
        first, last = idx.first_year, idx.last_year
        if forward:
            last = min(last + span, _MAX_YEAR)
            if last - _year_of(origin) > _SEARCH_YEARS or last == idx.last_year:
                raise CalendarError(
                    f"{self._where('hours')}: no open time within {_SEARCH_YEARS} years after "
                    f"{from_us(origin, self._zone).isoformat()}"
                )
        else:
            first = max(first - span, _MIN_YEAR)
            if _year_of(origin) - first > _SEARCH_YEARS or first == idx.first_year:
                raise CalendarError(
                    f"{self._where('hours')}: no open time within {_SEARCH_YEARS} years before "
                    f"{from_us(origin, self._zone).isoformat()}"
                )
        return self._rebuild(first, last, idx.complete_from, idx.complete_to)

    def _rebuild(self, first: int, last: int, lo: int, hi: int) -> _Index:
        with self._cache.lock:
            current = self._cache.index
            if current is not None:
                if (
                    current.covers(lo, hi)
                    and current.first_year <= first <= last <= current.last_year
                ):
                    return current
                # Grow by at least the current span in the direction asked, so a sweep across
                # many years rebuilds a logarithmic number of times, not once per year.
                span = current.last_year - current.first_year + 1
                if first < current.first_year:
                    first = max(min(first, current.first_year - span), _MIN_YEAR)
                if last > current.last_year:
                    last = min(max(last, current.last_year + span), _MAX_YEAR)
                first = min(first, current.first_year)
                last = max(last, current.last_year)
            if first < _MIN_YEAR or last > _MAX_YEAR:
                raise CalendarError(
                    f"{self._where('hours')}: instants must lie between the years "
                    f"{_MIN_YEAR + 1} and {_MAX_YEAR - 1}"
                )
            built = _build_index(self, first, last)
            self._cache.index = built
            return built


def _build_index(cal: Calendar, first: int, last: int) -> _Index:
    zone = cal.zone
    raw: list[tuple[int, int]] = []
    day = date(first, 1, 1)
    stop = date(last, 12, 31)
    one_day = timedelta(days=1)
    while day <= stop:
        for r in cal.hours_on(day):
            start = _local_us(day, r.start, zone)
            end = _local_us(day, r.end, zone)
            if end > start:
                raw.append((start, end))
        day += one_day
    raw.sort()
    starts: list[int] = []
    ends: list[int] = []
    for start, end in raw:
        if ends and start <= ends[-1]:
            if end > ends[-1]:
                ends[-1] = end
        else:
            starts.append(start)
            ends.append(end)
    cum: list[int] = []
    cum_end: list[int] = []
    total = 0
    for start, end in zip(starts, ends, strict=True):
        cum.append(total)
        total += end - start
        cum_end.append(total)
    # Periods of earlier dates end at most two days after their date's midnight.
    complete_from = _local_us(date(first, 1, 1), 2 * MINUTES_PER_DAY, zone)
    complete_to = _local_us(date(last + 1, 1, 1), 0, zone)
    index = _Index(first, last, complete_from, complete_to, starts, ends, cum, cum_end, 0, 0)
    object.__setattr__(index, "floor", index.open_before(complete_from))
    object.__setattr__(index, "ceiling", index.open_before(complete_to))
    return index


def _local_us(day: date, minute: int, zone: ZoneInfo) -> int:
    """Epoch microseconds of a local wall time, ``minute`` after the midnight of ``day``.

    fold=0: a repeated time is its first occurrence, a skipped time moves forward by the gap.
    """
    days, minute = divmod(minute, MINUTES_PER_DAY)
    if days:
        day = day + timedelta(days=days)
    local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone)
    return (local - EPOCH) // MICROSECOND


def _year_of(us: int) -> int:
    if us < _FIRST_US or us >= _LAST_US:
        raise CalendarError(
            f"instant {us} (epoch microseconds) is outside the supported years "
            f"{_MIN_YEAR + 1}..{_MAX_YEAR - 1}"
        )
    return (EPOCH + timedelta(microseconds=us)).year


_FIRST_US = (datetime(_MIN_YEAR + 1, 1, 1, tzinfo=UTC) - EPOCH) // MICROSECOND
_LAST_US = (datetime(_MAX_YEAR, 1, 1, tzinfo=UTC) - EPOCH) // MICROSECOND


# ---- validation ------------------------------------------------------------------------------


def _zone(name: str, where: str) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise CalendarError(f"{where}: expected an IANA time zone name, got {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CalendarError(f"{where}: unknown time zone {name!r}") from exc


def _check_overlaps(ranges: tuple[TimeRange, ...], where: str) -> None:
    ordered = sorted(ranges)
    for a, b in pairwise(ordered):
        if b.start < a.end:
            raise CalendarError(f"{where}: ranges {str(a)!r} and {str(b)!r} overlap")


def _check_week(hours: tuple[tuple[TimeRange, ...], ...], where: str) -> None:
    """No two ranges of the week overlap, including a night shift running into the next day."""
    week = MINUTES_PER_DAY * 7
    spans: list[tuple[int, int, str]] = []
    for i, ranges in enumerate(hours):
        for r in ranges:
            label = f"{WEEKDAYS[i]} {r}"
            start, end = i * MINUTES_PER_DAY + r.start, i * MINUTES_PER_DAY + r.end
            spans.append((start, end, label))
            if end > week:  # Sunday night into Monday
                spans.append((start - week, end - week, label))
    spans.sort()
    # A range never overlaps its own Sunday-night copy (a range is at most a day long), so any
    # overlap is an error, including the same range listed twice (equal labels).
    for (_, a_end, a), (b_start, _, b) in pairwise(spans):
        if b_start < a_end:
            raise CalendarError(f"{where}: ranges {a!r} and {b!r} overlap")


# ---- bundled calendars -----------------------------------------------------------------------


def _bundled_dirs() -> list[Path]:
    here = Path(__file__).resolve().parent
    # Installed wheels carry the files inside the package; a source checkout has them at the top.
    return [d for d in (here / "calendars", here.parents[1] / "calendars") if d.is_dir()]


def bundled_calendar_names() -> list[str]:
    """The names of the calendars shipped with ticketsla."""
    return sorted({p.stem for d in _bundled_dirs() for p in d.glob("*.toml")})


def _resolve(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.endswith(".toml") or "/" in text or "\\" in text:
        path = Path(name_or_path)
        if not path.is_file():
            raise CalendarError(f"calendar file {text!r} does not exist")
        return path
    for directory in _bundled_dirs():
        path = directory / f"{text}.toml"
        if path.is_file():
            return path
    raise CalendarError(
        f"calendar {text!r}: no such bundled calendar (bundled: "
        f"{', '.join(bundled_calendar_names())}); pass a path to a .toml file for your own"
    )


def _as_timedelta(duration: timedelta | str) -> timedelta:
    """A timedelta as given (negative ones too), or a duration text parsed as in policy files."""
    if isinstance(duration, timedelta):
        return duration
    return parse_duration(duration, field="duration")
