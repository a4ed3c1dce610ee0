"""Property tests: Calendar arithmetic against the brute-force reference, and its algebraic laws.

Calendars are generated (weekly ranges with lunch breaks, night shifts, whole days, ranges that
start or end inside DST gaps and folds, holidays, excluded holidays, special days) in zones with
awkward rules, and instants are drawn near DST transitions, leap days and year ends.

Run more examples with ``HYPOTHESIS_PROFILE=thorough``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from support.reference import Reference, at_minute, resolve
from ticketsla import Calendar, bundled_calendar_names

PROFILE = settings.get_profile("ticketsla-calendar")  # tests/conftest.py

US = timedelta(microseconds=1)
US_PER_MINUTE = 60_000_000
DAY = 24 * 60
WEEK = 7 * DAY
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Years per zone: leap years, DST rules that changed (Sao Paulo dropped DST in 2019; in 2018 its
# DST began at midnight, so that midnight never happened).
ZONE_YEARS: dict[str, tuple[int, ...]] = {
    "America/New_York": (2024, 2026),
    "Europe/Berlin": (2024, 2026),
    "Australia/Sydney": (2024, 2026),
    "Australia/Lord_Howe": (2024, 2026),  # 30-minute DST
    "Asia/Kathmandu": (2024, 2026),  # +05:45
    "America/Sao_Paulo": (2016, 2018, 2019),
    "Europe/Dublin": (2024, 2026),  # negative DST in the tz database
}
COUNTRY = {
    "America/New_York": "US",
    "Europe/Berlin": "DE",
    "Australia/Sydney": "AU",
    "Australia/Lord_Howe": "AU",
    "Asia/Kathmandu": "NP",
    "America/Sao_Paulo": "BR",
    "Europe/Dublin": "IE",
}
# Zones the caller's instants are written in: the answer must not depend on them.
INPUT_ZONES = [UTC, ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Los_Angeles"), None]

# Times of day around which things go wrong: DST changes happen at 00:00-03:00 local.
PIVOTS = [0, 30, 60, 90, 119, 120, 135, 150, 165, 180, 210, 240, 360, 540, 720, 780, 1020]
PIVOTS += [1080, 1320, 1380, 1410, 1439, 1440]
DAY_PATTERNS = [
    ["09:00-17:00"],
    ["09:00-12:00", "13:00-17:00"],  # lunch break
    ["22:00-06:00"],  # night shift
    ["00:00-24:00"],
    ["01:30-02:30"],  # ends inside a spring gap / starts inside a fold
    ["02:30-03:30"],  # starts inside a spring gap
    ["01:00-04:00"],  # spans the DST change
    ["00:00-02:00"],  # starts at a midnight that Sao Paulo 2018 skipped
    ["23:00-24:00"],
    ["08:00-12:00", "13:00-17:00", "22:00-02:00"],
]
# Ranges with an end inside the hours where clocks change.
DST_PATTERNS = [
    ["01:30-02:30"],
    ["02:30-03:30"],
    ["01:00-04:00"],
    ["02:00-03:00"],
    ["01:00-01:30"],
    ["01:30-02:00"],
    ["00:30-03:00"],
    ["02:15-02:45"],
    ["00:00-02:00"],
    ["22:00-02:30"],
    ["23:30-24:00"],
    ["00:00-01:00", "02:00-03:00"],
]


# ---- anchors: instants where calendars break ------------------------------------------------


def utc(at: datetime) -> datetime:
    """The same instant in UTC: aware datetimes in a fold never compare equal across zones."""
    return at.astimezone(UTC)


def _minute(at: datetime) -> int:
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(minutes=1)


def _offset(zone: ZoneInfo, minute: int) -> timedelta:
    offset = at_minute(minute, zone).utcoffset()
    assert offset is not None
    return offset


def _local_midnight(zone: ZoneInfo, day: date) -> int:
    naive = (datetime(day.year, day.month, day.day) - datetime(1970, 1, 1)) // timedelta(minutes=1)
    return resolve(zone, naive)


@cache
def anchors(zone_name: str, years: tuple[int, ...]) -> tuple[int, ...]:
    """UTC minutes of every offset change, local new year and leap day in the given years."""
    zone = ZoneInfo(zone_name)
    found: set[int] = set()
    for year in years:
        lo = _minute(datetime(year, 1, 1, tzinfo=UTC)) - DAY
        hi = _minute(datetime(year + 1, 1, 1, tzinfo=UTC)) + DAY
        for day_start in range(lo, hi, DAY):
            if _offset(zone, day_start) != _offset(zone, day_start + DAY):
                a, b = day_start, day_start + DAY  # offset(a) differs from offset(b): bisect
                while b - a > 1:
                    mid = (a + b) // 2
                    a, b = (mid, b) if _offset(zone, mid) == _offset(zone, a) else (a, mid)
                found.add(b)
        found.add(_local_midnight(zone, date(year, 1, 1)))
        found.add(_local_midnight(zone, date(year + 1, 1, 1)))
        if year % 4 == 0:
            found.add(_local_midnight(zone, date(year, 2, 29)))
            found.add(_local_midnight(zone, date(year, 3, 1)))
    return tuple(sorted(found))


# ---- generated calendars --------------------------------------------------------------------


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _span(text: str) -> tuple[int, int]:
    """(start, length) in minutes of a range text, by the file format's rules."""
    start_text, end_text = text.split("-")
    h1, m1 = start_text.split(":")
    h2, m2 = end_text.split(":")
    start, end = int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)
    return start, (end - start if end > start else end + DAY - start)


time_of_day = st.one_of(st.sampled_from(PIVOTS), st.integers(0, DAY))
start_of_range = st.one_of(st.sampled_from(PIVOTS[:-1]), st.integers(0, DAY - 1))


def _non_empty(start: int, end: int) -> tuple[int, int]:
    """An end equal to the start (or 00:00-00:00) would be refused: make it an hour later."""
    if end % DAY == start:
        end = (start + 60) % DAY
    return start, end


random_range = st.builds(_non_empty, start_of_range, time_of_day)
range_text = random_range.map(lambda r: f"{_hhmm(r[0])}-{_hhmm(r[1])}")
day_ranges: st.SearchStrategy[list[str]] = st.one_of(
    st.just([]),
    st.sampled_from(DAY_PATTERNS),
    st.lists(range_text, max_size=3),
)
early_range = st.builds(_non_empty, st.integers(0, 240), st.integers(0, 240)).map(
    lambda r: f"{_hhmm(r[0])}-{_hhmm(r[1])}"
)
# For the date of a DST change, ranges that start or end while the clocks change.
change_day_ranges: st.SearchStrategy[list[str]] = st.one_of(
    st.sampled_from(DST_PATTERNS), st.lists(early_range, min_size=1, max_size=2), day_ranges
)


def _overlaps(a: tuple[int, int], b: tuple[int, int], shifts: tuple[int, ...]) -> bool:
    return any(a[0] < b[1] + s and b[0] + s < a[1] for s in shifts)


def _keep_disjoint(
    candidates: list[tuple[int, str]], shifts: tuple[int, ...]
) -> list[tuple[int, str]]:
    """Drop every range that overlaps one kept before it (the calendar refuses overlaps)."""
    kept: list[tuple[int, str]] = []
    spans: list[tuple[int, int]] = []
    for offset, text in candidates:
        start, length = _span(text)
        span = (offset + start, offset + start + length)
        if not any(_overlaps(span, other, shifts) for other in spans):
            kept.append((offset, text))
            spans.append(span)
    return kept


@dataclass(frozen=True)
class Scenario:
    data: dict[str, Any]
    cal: Calendar
    ref: Reference
    anchor: int  # UTC minute the instants cluster around

    def __repr__(self) -> str:  # what hypothesis prints for a failing example
        return f"Scenario(anchor={at_minute(self.anchor).isoformat()}, data={self.data!r})"


WINDOW_BEFORE, WINDOW_AFTER = 7 * DAY, 28 * DAY


@cache
def _public(country: str, year: int) -> list[date]:
    """The country's holidays in the year and the years either side, sorted."""
    return sorted(holidays.country_holidays(country, years=range(year - 1, year + 2)))


@st.composite
def generated_scenarios(draw: st.DrawFn) -> Scenario:
    zone_name = draw(st.sampled_from(sorted(ZONE_YEARS)))
    zone = ZoneInfo(zone_name)
    anchor = draw(st.sampled_from(anchors(zone_name, ZONE_YEARS[zone_name])))
    anchor_day = at_minute(anchor, zone).date()

    change_day = anchor_day.weekday()
    week = [
        (i * DAY, text)
        for i in range(7)
        for text in draw(change_day_ranges if i == change_day else day_ranges)
    ]
    week = _keep_disjoint(week, (-WEEK, 0, WEEK))
    hours: dict[str, list[str]] = {day: [] for day in WEEKDAYS}
    for offset, text in week:
        hours[WEEKDAYS[offset // DAY]].append(text)
    if not week:
        hours["wed"] = ["09:00-17:00"]

    near_day = st.integers(-3, 12).map(lambda k: anchor_day + timedelta(days=k))
    special: dict[str, list[str]] = {}
    for day in draw(st.lists(near_day, max_size=3, unique=True)):
        texts = [t for _, t in _keep_disjoint([(0, t) for t in draw(day_ranges)], (0,))]
        special[day.isoformat()] = texts

    table: dict[str, Any] = {}
    closed = set(draw(st.lists(near_day, max_size=3)))
    if draw(st.booleans()):
        country = COUNTRY[zone_name]
        table["country"] = country
        nearby = [d for d in _public(country, anchor_day.year) if -3 <= (d - anchor_day).days <= 12]
        worked = set(draw(st.lists(st.sampled_from(nearby), max_size=2))) if nearby else set()
        worked |= set(draw(st.lists(near_day, max_size=1)))
        worked -= closed
        if worked:
            table["exclude"] = sorted(d.isoformat() for d in worked)
    if closed:
        table["dates"] = sorted(d.isoformat() for d in closed)

    data: dict[str, Any] = {"name": "generated", "timezone": zone_name, "hours": hours}
    if table:
        data["holidays"] = table
    if special:
        data["special"] = special
    return _scenario(data, anchor)


@st.composite
def bundled_scenarios(draw: st.DrawFn) -> Scenario:
    name = draw(st.sampled_from(bundled_calendar_names()))
    cal = Calendar.load(name)
    years = (2024, 2026, 2027)
    anchor = draw(st.sampled_from(anchors(cal.timezone, years)))
    return _scenario(_bundled_data(name), anchor)


@cache
def _bundled_data(name: str) -> dict[str, Any]:
    import tomllib
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "calendars" / f"{name}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _scenario(data: dict[str, Any], anchor: int) -> Scenario:
    cal = Calendar.from_mapping(data)
    ref = Reference(data, at_minute(anchor - WINDOW_BEFORE), at_minute(anchor + WINDOW_AFTER))
    return Scenario(data=data, cal=cal, ref=ref, anchor=anchor)


# Three generated calendars for each bundled one.
scenarios = st.sampled_from([True, True, True, False]).flatmap(
    lambda generated: generated_scenarios() if generated else bundled_scenarios()
)


def edges(scn: Scenario, lo: int, hi: int) -> list[int]:
    """UTC minutes in ``[anchor + lo, anchor + hi)`` where the reference opens or closes."""
    open_, first = scn.ref.open, scn.ref.lo
    return [
        m
        for m in range(scn.anchor + lo, scn.anchor + hi)
        if open_[m - first] != open_[m - 1 - first]
    ]


def near(scn: Scenario, lo: int, hi: int) -> st.SearchStrategy[int]:
    """A UTC minute within ``[anchor + lo, anchor + hi]``, favouring the anchor and period edges."""
    found = edges(scn, lo, hi)
    options = [
        st.integers(-180, 180).map(lambda k: scn.anchor + k),
        st.integers(lo, hi).map(lambda k: scn.anchor + k),
    ]
    if found:
        options.append(st.sampled_from(found).flatmap(lambda m: st.sampled_from([m - 1, m, m + 1])))
    return st.one_of(options)


def written(data: st.DataObject, us: int) -> datetime:
    """The instant of ``us`` epoch microseconds, written in an arbitrary zone."""
    at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)
    zone = data.draw(st.sampled_from(INPUT_ZONES))
    return at.astimezone(zone) if zone is not None else at


def minutes(data: st.DataObject, minute: int) -> datetime:
    """A whole UTC minute as an instant written in an arbitrary zone."""
    return written(data, minute * US_PER_MINUTE)


def feasible(data: st.DataObject, available: int, exact: list[int]) -> int:
    """A whole-minute target within the open minutes the reference has marked, often one that
    fills exactly up to an opening or closing (``exact``)."""
    options = [st.integers(0, min(available, 600)), st.integers(0, available)]
    fills = sorted({d for d in exact if d <= available})
    if fills:
        options.append(st.sampled_from(fills))
    return data.draw(st.one_of(options))


def check(test: Callable[..., None]) -> Callable[..., None]:
    return PROFILE(given(scn=scenarios, data=st.data())(test))


# ---- agreement with the reference -----------------------------------------------------------


@check
def test_elapsed_agrees_with_reference(scn: Scenario, data: st.DataObject) -> None:
    """elapsed(a, b) is the reference's count of open minutes in [a, b), negative when b < a."""
    a = data.draw(near(scn, -3 * DAY, 3 * DAY))
    b = data.draw(near(scn, -4 * DAY, 10 * DAY))
    got = scn.cal.elapsed(minutes(data, a), minutes(data, b))
    assert got == timedelta(minutes=scn.ref.elapsed(a, b))


@check
def test_add_agrees_with_reference(scn: Scenario, data: st.DataObject) -> None:
    """add(s, d) is the reference's earliest t >= s with d open minutes in [s, t)."""
    s = data.draw(near(scn, -3 * DAY, 3 * DAY))
    fills = [scn.ref.open_minutes(s, e) for e in edges(scn, -3 * DAY, 10 * DAY) if e > s]
    d = feasible(data, scn.ref.open_minutes(s, scn.ref.hi), fills)
    got = scn.cal.add(minutes(data, s), timedelta(minutes=d))
    assert utc(got) == at_minute(scn.ref.add(s, d))
    assert got.tzinfo == scn.cal.zone


@check
def test_subtract_agrees_with_reference(scn: Scenario, data: st.DataObject) -> None:
    """subtract(e, d) is the reference's latest s <= e with d open minutes in [s, e)."""
    e = data.draw(near(scn, -3 * DAY, 3 * DAY))
    fills = [scn.ref.open_minutes(b, e) for b in edges(scn, -6 * DAY, 3 * DAY) if b < e]
    d = feasible(data, scn.ref.open_minutes(scn.ref.lo, e), fills)
    got = scn.cal.subtract(minutes(data, e), timedelta(minutes=d))
    assert utc(got) == at_minute(scn.ref.subtract(e, d))
    assert utc(scn.cal.add(minutes(data, e), -timedelta(minutes=d))) == utc(got)


@check
def test_open_and_next_open_and_close_agree_with_reference(
    scn: Scenario, data: st.DataObject
) -> None:
    """is_open, next_open and next_close answer as the reference's open minutes say."""
    t = data.draw(near(scn, -3 * DAY, 3 * DAY))
    at = minutes(data, t)
    assert scn.cal.is_open(at) == scn.ref.is_open(t)
    if scn.ref.open_minutes(t, scn.ref.hi):
        assert utc(scn.cal.next_open(at)) == at_minute(scn.ref.next_open(t))
    if scn.ref.open_minutes(t, scn.ref.hi) and not scn.ref.is_open(scn.ref.hi - 1):
        close = scn.cal.next_close(at)
        assert close is not None
        assert utc(close) == at_minute(scn.ref.next_close(t))


@check
def test_periods_agree_with_reference(scn: Scenario, data: st.DataObject) -> None:
    """periods(a, b) are the reference's maximal open stretches in [a, b), clipped to it."""
    a = data.draw(near(scn, -3 * DAY, 3 * DAY))
    b = data.draw(st.integers(a, a + 6 * DAY))
    got = [(utc(p.start), utc(p.end)) for p in scn.cal.periods(minutes(data, a), minutes(data, b))]
    assert got == [(at_minute(x), at_minute(y)) for x, y in scn.ref.stretches(a, b)]


# ---- laws on microsecond instants -----------------------------------------------------------


def micro(data: st.DataObject, scn: Scenario, lo: int, hi: int) -> int:
    """Epoch microseconds near the anchor, often inside a minute."""
    minute = data.draw(near(scn, lo, hi))
    return minute * US_PER_MINUTE + data.draw(
        st.one_of(st.just(0), st.integers(0, US_PER_MINUTE - 1))
    )


def micro_target(data: st.DataObject, scn: Scenario, start_us: int) -> int:
    """A target in microseconds that the window can hold, often an exact fill to an edge."""
    available = scn.ref.open_minutes(start_us // US_PER_MINUTE + 1, scn.ref.hi) * US_PER_MINUTE
    options = [st.integers(0, min(available, 3 * US_PER_MINUTE)), st.integers(0, available)]
    fills = [
        scn.cal.elapsed_us(start_us, e * US_PER_MINUTE)
        for e in edges(scn, -3 * DAY, 10 * DAY)
        if e * US_PER_MINUTE > start_us
    ]
    fills = sorted({d for d in fills if d <= available})
    if fills:
        options.append(st.sampled_from(fills))
    return data.draw(st.one_of(options))


def dt(us: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)


@check
def test_add_round_trips_and_is_minimal(scn: Scenario, data: st.DataObject) -> None:
    """elapsed(s, add(s, d)) == d, and one microsecond earlier less than d has passed."""
    s = dt(micro(data, scn, -3 * DAY, 3 * DAY))
    d = timedelta(microseconds=micro_target(data, scn, (s - dt(0)) // US))
    t = utc(scn.cal.add(s, d))
    assert t >= s
    assert scn.cal.elapsed(s, t) == d
    if d:
        assert scn.cal.elapsed(s, t - US) == d - US  # the last microsecond before t is open
        assert scn.cal.is_open(t - US)
    else:
        assert t == s


@check
def test_subtract_is_the_latest_start(scn: Scenario, data: st.DataObject) -> None:
    """subtract(e, d) finishes d by e, and starting one microsecond later would not."""
    e = dt(micro(data, scn, -3 * DAY, 3 * DAY))
    e_min = (e - dt(0)) // US // US_PER_MINUTE
    available = scn.ref.open_minutes(scn.ref.lo, e_min) * US_PER_MINUTE
    d = timedelta(microseconds=data.draw(st.integers(0, available)))
    s = utc(scn.cal.subtract(e, d))
    assert s <= e
    assert scn.cal.elapsed(s, e) == d
    if d:
        assert scn.cal.elapsed(s + US, e) == d - US
        assert scn.cal.is_open(s)
    else:
        assert s == e


@check
def test_add_and_elapsed_are_monotonic(scn: Scenario, data: st.DataObject) -> None:
    """A larger target or a later start never gives an earlier due; elapsed grows with the end."""
    s1 = micro(data, scn, -3 * DAY, 3 * DAY)
    s2 = s1 + data.draw(st.integers(0, 2 * DAY * US_PER_MINUTE))
    available = scn.ref.open_minutes(s2 // US_PER_MINUTE + 1, scn.ref.hi) * US_PER_MINUTE
    d1 = data.draw(st.integers(0, available))
    d2 = data.draw(st.integers(d1, available))
    cal = scn.cal
    assert cal.add(dt(s1), timedelta(microseconds=d1)) <= cal.add(
        dt(s1), timedelta(microseconds=d2)
    )
    assert cal.add(dt(s1), timedelta(microseconds=d1)) <= cal.add(
        dt(s2), timedelta(microseconds=d1)
    )
    t1 = s1 + data.draw(st.integers(0, 3 * DAY * US_PER_MINUTE))
    t2 = t1 + data.draw(st.integers(0, 3 * DAY * US_PER_MINUTE))
    assert cal.elapsed(dt(s1), dt(t1)) <= cal.elapsed(dt(s1), dt(t2))


@check
def test_elapsed_is_additive_and_antisymmetric(scn: Scenario, data: st.DataObject) -> None:
    """elapsed(a,b) + elapsed(b,c) == elapsed(a,c) in any order, and elapsed(b,a) == -elapsed(a,b)."""
    a, b, c = (dt(micro(data, scn, -3 * DAY, 6 * DAY)) for _ in range(3))
    cal = scn.cal
    assert cal.elapsed(a, b) + cal.elapsed(b, c) == cal.elapsed(a, c)
    assert cal.elapsed(b, a) == -cal.elapsed(a, b)
    assert cal.elapsed(a, a) == timedelta(0)


@check
def test_is_open_agrees_with_elapsed(scn: Scenario, data: st.DataObject) -> None:
    """is_open(t) exactly when elapsed(t, t + 1µs) > 0; next_open(t) is open and none lies between."""
    t = dt(micro(data, scn, -3 * DAY, 3 * DAY))
    cal = scn.cal
    assert cal.is_open(t) == (cal.elapsed(t, t + US) > timedelta(0))
    if scn.ref.open_minutes((t - dt(0)) // US // US_PER_MINUTE + 1, scn.ref.hi):
        n = utc(cal.next_open(t))
        assert n >= t
        assert cal.is_open(n)
        assert cal.elapsed(t, n) == timedelta(0)
        assert (n == t) == cal.is_open(t)


@check
def test_microsecond_fast_path_matches_datetime_api(scn: Scenario, data: st.DataObject) -> None:
    """The *_us methods give the same answers as the datetime methods."""
    a = micro(data, scn, -3 * DAY, 3 * DAY)
    b = micro(data, scn, -3 * DAY, 3 * DAY)
    d = micro_target(data, scn, a)
    cal = scn.cal
    assert timedelta(microseconds=cal.elapsed_us(a, b)) == cal.elapsed(dt(a), dt(b))
    assert dt(cal.add_us(a, d)) == utc(cal.add(dt(a), timedelta(microseconds=d)))
    assert cal.is_open_us(a) == cal.is_open(dt(a))
