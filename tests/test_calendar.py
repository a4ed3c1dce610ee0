"""Calendar: a golden table of hand-computed cases (each named after the pitfall it guards), bad
input, loading, value semantics, thread safety, the period index, and the due-times golden file.

Every expected value in the tables below was worked out by hand from the rules in docs/design.md and the
dates' real time-zone rules, written with the offset in force so the arithmetic can be re-checked:
for example New York left EST (-05:00) for EDT (-04:00) at 02:00 on Sunday 2026-03-08 and went back
at 02:00 on Sunday 2026-11-01.
"""

from __future__ import annotations

import copy
import os
import random
import threading
import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from support.reference import Reference, minute_of
from ticketsla import (
    Calendar,
    CalendarError,
    NaiveDatetimeError,
    TicketSLAError,
    bundled_calendar_names,
)

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden" / "due_times.txt"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def at(text: str) -> datetime:
    """An instant written as ISO 8601 with its offset."""
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None
    return value


def cal(
    timezone: str = "America/New_York",
    hours: dict[str, list[str]] | None = None,
    holidays: dict[str, Any] | None = None,
    special: dict[str, list[str]] | None = None,
) -> Calendar:
    """A calendar in code; Monday to Friday 09:00-17:00 unless told otherwise."""
    data: dict[str, Any] = {
        "name": "case",
        "timezone": timezone,
        "hours": hours if hours is not None else {d: ["09:00-17:00"] for d in WEEKDAYS},
    }
    if holidays:
        data["holidays"] = holidays
    if special:
        data["special"] = special
    return Calendar.from_mapping(data)


def bundled(name: str, **holidays: list[str]) -> Calendar:
    """A bundled calendar, optionally with extra holiday ``dates`` / ``exclude``."""
    data = tomllib.loads((ROOT / "calendars" / f"{name}.toml").read_text(encoding="utf-8"))
    data.setdefault("holidays", {}).update(holidays)
    return Calendar.from_mapping(data)


def local(value: datetime | None) -> str:
    """How a result reads: ISO 8601 in the calendar's zone, offset included."""
    assert value is not None
    return value.isoformat()


NY = "America/New_York"
NIGHTS = {"thu": ["22:00-06:00"], "fri": ["22:00-06:00"]}
HALF_HOUR_NIGHT = {"sun": ["01:00-01:30"]}


# ---- add ----------------------------------------------------------------------------------


ADD_CASES = [
    pytest.param(
        lambda: cal(),
        "2026-11-23T09:00-05:00",
        timedelta(hours=8),
        "2026-11-23T17:00:00-05:00",
        id="monday-0900-plus-8h-is-monday-1700-not-tuesday-0900",
    ),
    pytest.param(
        lambda: cal(),
        "2026-11-23T16:00-05:00",
        timedelta(hours=1),
        "2026-11-23T17:00:00-05:00",
        id="exact-fill-ends-at-close-not-next-opening",
    ),
    pytest.param(
        lambda: cal(),
        "2026-11-28T03:00-05:00",
        timedelta(0),
        "2026-11-28T03:00:00-05:00",
        id="add-zero-on-a-closed-saturday-is-the-start-itself",
    ),
    pytest.param(
        lambda: cal(),
        "2026-11-28T12:34:56.789-05:00",
        timedelta(hours=1),
        "2026-11-30T10:00:00-05:00",
        id="closed-start-counts-from-the-next-opening",
    ),
    pytest.param(
        lambda: cal(),
        "2026-11-23T10:00:00.000001-05:00",
        timedelta(minutes=30),
        "2026-11-23T10:30:00.000001-05:00",
        id="microseconds-of-the-start-are-kept",
    ),
    pytest.param(
        lambda: cal(),
        "2026-11-23T16:59:59.999999-05:00",
        timedelta(microseconds=2),
        "2026-11-24T09:00:00.000001-05:00",
        id="microsecond-target-crosses-the-close",
    ),
    pytest.param(
        lambda: cal(),
        "2026-11-23T14:00+00:00",
        timedelta(hours=8),
        "2026-11-23T17:00:00-05:00",
        id="input-in-utc-gives-the-same-instant",
    ),
    pytest.param(
        lambda: cal(),
        "2026-11-23T23:00+09:00",
        timedelta(hours=8),
        "2026-11-23T17:00:00-05:00",
        id="input-in-tokyo-gives-the-same-instant",
    ),
    pytest.param(
        lambda: cal(holidays={"dates": ["2026-11-27"]}),
        "2026-11-26T16:00-05:00",
        timedelta(hours=2),
        "2026-11-30T10:00:00-05:00",
        id="holiday-on-a-friday-skips-to-monday",
    ),
    pytest.param(
        lambda: bundled("us-business"),
        "2026-07-02T16:00-04:00",
        timedelta(hours=4),
        "2026-07-06T12:00:00-04:00",
        id="observed-independence-day-friday-2026-07-03",
    ),
    pytest.param(
        lambda: cal(),
        "2026-03-06T16:00-05:00",
        timedelta(hours=2),
        "2026-03-09T10:00:00-04:00",
        id="weekend-of-spring-forward-result-in-summer-time",
    ),
    pytest.param(
        lambda: cal(hours={"sat": ["22:00-06:00"]}),
        "2026-03-07T22:00-05:00",
        timedelta(hours=7),
        "2026-03-08T06:00:00-04:00",
        id="night-shift-across-spring-forward-holds-7h",
    ),
    pytest.param(
        lambda: cal(hours={"sat": ["22:00-06:00"]}),
        "2026-10-31T22:00-04:00",
        timedelta(hours=9),
        "2026-11-01T06:00:00-05:00",
        id="night-shift-across-fall-back-holds-9h",
    ),
    pytest.param(
        lambda: cal(hours={"sun": ["02:30-04:00"]}),
        "2026-03-08T00:00-05:00",
        timedelta(minutes=30),
        "2026-03-08T04:00:00-04:00",
        id="dst-gap-start-0230-moves-to-0330-summer-time",
    ),
    pytest.param(
        lambda: cal(hours=HALF_HOUR_NIGHT),
        "2026-11-01T00:00-04:00",
        timedelta(minutes=30),
        "2026-11-01T01:30:00-04:00",
        id="dst-fold-range-uses-first-occurrence",
    ),
    pytest.param(
        lambda: cal("Australia/Lord_Howe", hours={"sun": ["01:00-04:00"]}),
        "2026-10-04T00:00+10:30",
        timedelta(hours=2, minutes=30),
        "2026-10-04T04:00:00+11:00",
        id="lord-howe-30-minute-spring-forward",
    ),
    pytest.param(
        lambda: cal("Asia/Kathmandu"),
        "2026-11-23T00:00+00:00",
        timedelta(hours=1),
        "2026-11-23T10:00:00+05:45",
        id="kathmandu-quarter-hour-offset",
    ),
    pytest.param(
        lambda: cal(),
        "2028-02-28T16:00-05:00",
        timedelta(hours=2),
        "2028-02-29T10:00:00-05:00",
        id="leap-day-is-a-working-tuesday",
    ),
    pytest.param(
        lambda: bundled("us-business"),
        "2026-12-31T16:00-05:00",
        timedelta(hours=2),
        "2027-01-04T10:00:00-05:00",
        id="year-end-into-new-years-day-holiday",
    ),
    pytest.param(
        lambda: bundled("au-business"),
        "2026-12-31T16:00+11:00",
        timedelta(hours=2),
        "2027-01-04T10:00:00+11:00",
        id="year-end-in-sydney-summer-time-utc-year-lags",
    ),
    pytest.param(
        lambda: cal(special={"2026-12-31": ["09:00-13:00"]}),
        "2026-12-31T12:00-05:00",
        timedelta(hours=2),
        "2027-01-01T10:00:00-05:00",
        id="special-half-day",
    ),
    pytest.param(
        lambda: cal(special={"2026-11-28": ["10:00-14:00"]}),
        "2026-11-27T16:00-05:00",
        timedelta(hours=4),
        "2026-11-28T13:00:00-05:00",
        id="special-saturday-opening",
    ),
    pytest.param(
        lambda: bundled("us-business", exclude=["2026-10-12"]),
        "2026-10-09T16:00-04:00",
        timedelta(hours=2),
        "2026-10-12T10:00:00-04:00",
        id="excluded-holiday-columbus-day-is-worked",
    ),
    pytest.param(
        lambda: bundled("us-business"),
        "2026-10-09T16:00-04:00",
        timedelta(hours=2),
        "2026-10-13T10:00:00-04:00",
        id="columbus-day-closed-without-exclude",
    ),
    pytest.param(
        lambda: cal(holidays={"dates": ["2026-12-24"]}, special={"2026-12-24": ["09:00-12:00"]}),
        "2026-12-23T16:00-05:00",
        timedelta(hours=2),
        "2026-12-25T10:00:00-05:00",
        id="holiday-wins-over-special-hours",
    ),
    pytest.param(
        lambda: cal(hours={"mon": ["18:00-24:00"], "tue": ["00:00-02:00"]}),
        "2026-11-23T23:00-05:00",
        timedelta(hours=2),
        "2026-11-24T01:00:00-05:00",
        id="2400-end-runs-into-next-midnight-without-a-gap",
    ),
    pytest.param(
        lambda: bundled("follow-the-sun"),
        "2026-11-27T21:00+00:00",
        timedelta(hours=2),
        "2026-11-29T23:00:00+00:00",
        id="follow-the-sun-friday-close-to-sunday-night",
    ),
    pytest.param(
        lambda: cal("America/Sao_Paulo", hours={"sun": ["00:00-02:00"]}),
        "2018-11-03T23:00-03:00",
        timedelta(hours=1),
        "2018-11-04T02:00:00-02:00",
        id="sao-paulo-2018-midnight-that-never-happened",
    ),
    pytest.param(
        lambda: bundled("24x7"),
        "2026-12-31T23:00+00:00",
        timedelta(hours=2),
        "2027-01-01T01:00:00+00:00",
        id="24x7-across-new-year",
    ),
    pytest.param(
        lambda: cal(),
        "2026-11-23T10:00-05:00",
        timedelta(hours=-2),
        "2026-11-20T16:00:00-05:00",
        id="negative-duration-counts-backwards",
    ),
]


@pytest.mark.parametrize(("make", "start", "duration", "expected"), ADD_CASES)
def test_add_golden(
    make: Callable[[], Calendar], start: str, duration: timedelta, expected: str
) -> None:
    """add() gives the hand-computed due instant, in the calendar's zone."""
    calendar = make()
    due = calendar.add(at(start), duration)
    assert local(due) == expected
    assert due.tzinfo == calendar.zone


# ---- elapsed ------------------------------------------------------------------------------


ELAPSED_CASES = [
    pytest.param(
        lambda: cal(hours={"sun": ["01:00-04:00"]}),
        "2026-03-08T00:00-05:00",
        "2026-03-09T00:00-04:00",
        timedelta(hours=2),
        id="night-0100-0400-on-spring-forward-holds-2h",
    ),
    pytest.param(
        lambda: cal(hours={"sun": ["01:00-04:00"]}),
        "2026-11-01T00:00-04:00",
        "2026-11-02T00:00-05:00",
        timedelta(hours=4),
        id="night-0100-0400-on-fall-back-holds-4h",
    ),
    pytest.param(
        lambda: cal(hours={"sun": ["00:00-24:00"]}),
        "2026-03-07T00:00-05:00",
        "2026-03-10T00:00-04:00",
        timedelta(hours=23),
        id="whole-day-on-spring-forward-holds-23h",
    ),
    pytest.param(
        lambda: cal(hours={"sun": ["00:00-24:00"]}),
        "2026-10-31T00:00-04:00",
        "2026-11-03T00:00-05:00",
        timedelta(hours=25),
        id="whole-day-on-fall-back-holds-25h",
    ),
    pytest.param(
        lambda: cal(hours={"sun": ["02:00-03:00"]}),
        "2026-03-08T00:00-05:00",
        "2026-03-09T00:00-04:00",
        timedelta(0),
        id="range-wholly-inside-the-gap-is-dropped",
    ),
    pytest.param(
        lambda: cal(hours={"sun": ["02:00-03:00"]}),
        "2026-03-15T00:00-04:00",
        "2026-03-16T00:00-04:00",
        timedelta(hours=1),
        id="same-range-a-week-later-holds-1h",
    ),
    pytest.param(
        lambda: cal(hours={"sun": ["01:30-02:30"]}),
        "2026-03-08T00:00-05:00",
        "2026-03-09T00:00-04:00",
        timedelta(hours=1),
        id="range-ending-in-the-gap-ends-at-0330-summer-time",
    ),
    pytest.param(
        lambda: cal(hours={"sun": ["02:30-03:30"]}),
        "2026-03-08T00:00-05:00",
        "2026-03-09T00:00-04:00",
        timedelta(0),
        id="range-0230-0330-on-spring-forward-comes-out-empty",
    ),
    pytest.param(
        lambda: cal(hours={"sun": ["01:30-02:00"]}),
        "2026-11-01T00:00-04:00",
        "2026-11-02T00:00-05:00",
        timedelta(hours=1, minutes=30),
        id="range-starting-in-the-fold-starts-at-first-occurrence",
    ),
    pytest.param(
        lambda: cal(hours=NIGHTS, holidays={"dates": ["2026-11-27"]}),
        "2026-11-26T00:00-05:00",
        "2026-11-29T00:00-05:00",
        timedelta(hours=8),
        id="night-shift-tail-into-a-holiday-is-kept",
    ),
    pytest.param(
        lambda: cal(hours=NIGHTS, holidays={"dates": ["2026-11-26"]}),
        "2026-11-26T00:00-05:00",
        "2026-11-29T00:00-05:00",
        timedelta(hours=8),
        id="night-shift-starting-on-a-holiday-is-removed-whole",
    ),
    pytest.param(
        lambda: cal("Europe/Berlin", hours={"mon": ["08:00-12:00", "13:00-17:00"]}),
        "2026-11-23T11:00+01:00",
        "2026-11-23T14:00+01:00",
        timedelta(hours=2),
        id="lunch-break-is-not-counted",
    ),
    pytest.param(
        lambda: cal(),
        "2026-11-23T17:00-05:00",
        "2026-11-23T09:00-05:00",
        timedelta(hours=-8),
        id="end-before-start-is-negative",
    ),
    pytest.param(
        lambda: cal("Australia/Lord_Howe", hours={"sun": ["01:00-04:00"]}),
        "2026-04-05T00:00+11:00",
        "2026-04-06T00:00+10:30",
        timedelta(hours=3, minutes=30),
        id="lord-howe-30-minute-fall-back",
    ),
    pytest.param(
        lambda: cal("Australia/Sydney", hours={"sun": ["01:00-04:00"]}),
        "2026-10-04T00:00+10:00",
        "2026-10-05T00:00+11:00",
        timedelta(hours=2),
        id="sydney-spring-forward-in-october",
    ),
    pytest.param(
        lambda: cal("Australia/Sydney", hours={"sun": ["01:00-04:00"]}),
        "2026-04-05T00:00+11:00",
        "2026-04-06T00:00+10:00",
        timedelta(hours=4),
        id="sydney-fall-back-in-april",
    ),
    pytest.param(
        lambda: cal("Europe/Dublin", hours={"sun": ["00:30-03:00"]}),
        "2026-03-29T00:00+00:00",
        "2026-03-30T00:00+01:00",
        timedelta(hours=1, minutes=30),
        id="dublin-negative-dst-spring",
    ),
    pytest.param(
        lambda: cal("Europe/Dublin", hours={"sun": ["00:30-03:00"]}),
        "2026-10-25T00:00+01:00",
        "2026-10-26T00:00+00:00",
        timedelta(hours=3, minutes=30),
        id="dublin-negative-dst-autumn",
    ),
    pytest.param(
        lambda: cal("America/Sao_Paulo", hours={"sun": ["00:00-02:00"]}),
        "2019-11-03T00:00-03:00",
        "2019-11-04T00:00-03:00",
        timedelta(hours=2),
        id="sao-paulo-no-dst-since-2019",
    ),
    pytest.param(
        lambda: cal("America/Sao_Paulo", hours={"sat": ["22:00-24:00"]}),
        "2018-11-03T00:00-03:00",
        "2018-11-05T00:00-02:00",
        timedelta(hours=2),
        id="sao-paulo-2400-in-the-gap-ends-at-the-jump",
    ),
    pytest.param(
        lambda: cal("Asia/Kathmandu"),
        "2026-11-23T03:00+00:00",
        "2026-11-23T04:00+00:00",
        timedelta(minutes=45),
        id="kathmandu-opens-at-0315-utc",
    ),
    pytest.param(
        lambda: bundled("us-business"),
        "2026-12-28T00:00-05:00",
        "2027-01-05T00:00-05:00",
        timedelta(hours=40),
        id="year-end-span-over-new-years-day",
    ),
    pytest.param(
        lambda: cal(),
        "2028-02-28T00:00-05:00",
        "2028-03-01T00:00-05:00",
        timedelta(hours=16),
        id="leap-day-counted",
    ),
    pytest.param(
        lambda: cal(special={"2026-11-25": []}),
        "2026-11-23T00:00-05:00",
        "2026-11-28T00:00-05:00",
        timedelta(hours=32),
        id="special-day-with-no-hours-is-closed",
    ),
    pytest.param(
        lambda: bundled("us-business", dates=["2026-12-24"]),
        "2026-12-21T00:00-05:00",
        "2026-12-26T00:00-05:00",
        timedelta(hours=24),
        id="extra-date-christmas-eve-closed",
    ),
    pytest.param(
        lambda: bundled("us-business"),
        "2027-12-27T00:00-05:00",
        "2028-01-01T00:00-05:00",
        timedelta(hours=32),
        id="new-years-observed-on-friday-2027-12-31",
    ),
    pytest.param(
        lambda: cal(),
        "2026-11-23T16:59:59.999999-05:00",
        "2026-11-24T09:00:00.000001-05:00",
        timedelta(microseconds=2),
        id="microseconds-counted",
    ),
    pytest.param(
        lambda: bundled("24x7"),
        "2024-01-01T00:00+00:00",
        "2025-01-01T00:00+00:00",
        timedelta(days=366),
        id="24x7-leap-year-is-366-days",
    ),
]


@pytest.mark.parametrize(("make", "start", "end", "expected"), ELAPSED_CASES)
def test_elapsed_golden(
    make: Callable[[], Calendar], start: str, end: str, expected: timedelta
) -> None:
    """elapsed() gives the hand-computed business time between two instants."""
    assert make().elapsed(at(start), at(end)) == expected


# ---- is_open, next_open, next_close, subtract, periods --------------------------------------


OPEN_CASES = [
    pytest.param(lambda: cal(), "2026-11-23T09:00-05:00", True, id="open-at-the-opening-instant"),
    pytest.param(
        lambda: cal(), "2026-11-23T17:00-05:00", False, id="closed-at-the-closing-instant"
    ),
    pytest.param(
        lambda: cal(),
        "2026-11-23T16:59:59.999999-05:00",
        True,
        id="open-a-microsecond-before-close",
    ),
    pytest.param(
        lambda: cal(), "2026-11-23T08:59:59.999999-05:00", False, id="closed-a-microsecond-early"
    ),
    pytest.param(
        lambda: cal(hours=HALF_HOUR_NIGHT),
        "2026-11-01T01:15-04:00",
        True,
        id="fold-first-0115-edt-is-open",
    ),
    pytest.param(
        lambda: cal(hours=HALF_HOUR_NIGHT),
        "2026-11-01T01:15-05:00",
        False,
        id="fold-second-0115-est-is-closed",
    ),
    pytest.param(
        lambda: cal(hours=NIGHTS, holidays={"dates": ["2026-11-27"]}),
        "2026-11-27T03:00-05:00",
        True,
        id="tail-of-night-shift-on-holiday-open",
    ),
    pytest.param(
        lambda: cal(hours=NIGHTS, holidays={"dates": ["2026-11-27"]}),
        "2026-11-27T23:00-05:00",
        False,
        id="night-shift-starting-on-holiday-closed",
    ),
    pytest.param(
        lambda: cal(hours=NIGHTS, holidays={"dates": ["2026-11-26"]}),
        "2026-11-27T03:00-05:00",
        False,
        id="tail-of-removed-night-shift-closed",
    ),
]


@pytest.mark.parametrize(("make", "instant", "expected"), OPEN_CASES)
def test_is_open_golden(make: Callable[[], Calendar], instant: str, expected: bool) -> None:
    """is_open() holds exactly inside [start, end) of a period."""
    assert make().is_open(at(instant)) is expected


NEXT_OPEN_CASES = [
    pytest.param(
        lambda: cal(),
        "2026-11-28T12:00-05:00",
        "2026-11-30T09:00:00-05:00",
        id="saturday-to-monday",
    ),
    pytest.param(
        lambda: cal(),
        "2026-11-23T10:00:00.000007-05:00",
        "2026-11-23T10:00:00.000007-05:00",
        id="open-instant-is-itself-with-microseconds",
    ),
    pytest.param(
        lambda: cal(hours={"sun": ["02:30-04:00"]}),
        "2026-03-08T00:00-05:00",
        "2026-03-08T03:30:00-04:00",
        id="opening-in-the-gap-is-0330-summer-time",
    ),
    pytest.param(
        lambda: cal(hours={"sun": ["02:00-03:00"]}),
        "2026-03-08T00:00-05:00",
        "2026-03-15T02:00:00-04:00",
        id="empty-period-in-the-gap-skipped-to-next-week",
    ),
    pytest.param(
        lambda: bundled("us-business"),
        "2026-12-24T17:00-05:00",
        "2026-12-28T09:00:00-05:00",
        id="christmas-weekend",
    ),
]


@pytest.mark.parametrize(("make", "instant", "expected"), NEXT_OPEN_CASES)
def test_next_open_golden(make: Callable[[], Calendar], instant: str, expected: str) -> None:
    """next_open() is the instant itself when open, else the next period's start."""
    assert local(make().next_open(at(instant))) == expected


NEXT_CLOSE_CASES = [
    pytest.param(
        lambda: cal(), "2026-11-23T10:00-05:00", "2026-11-23T17:00:00-05:00", id="end-of-today"
    ),
    pytest.param(
        lambda: cal(),
        "2026-11-28T10:00-05:00",
        "2026-11-30T17:00:00-05:00",
        id="closed-next-stretch",
    ),
    pytest.param(
        lambda: cal("Europe/Berlin", hours={"mon": ["08:00-12:00", "13:00-17:00"]}),
        "2026-11-23T11:59+01:00",
        "2026-11-23T12:00:00+01:00",
        id="lunch-break-closes-at-noon",
    ),
    pytest.param(
        lambda: cal("Europe/Berlin", hours={"mon": ["08:00-12:00", "13:00-17:00"]}),
        "2026-11-23T12:00+01:00",
        "2026-11-23T17:00:00+01:00",
        id="at-the-break-the-afternoon-stretch",
    ),
    pytest.param(
        lambda: cal(hours={"mon": ["18:00-24:00"], "tue": ["00:00-02:00"]}),
        "2026-11-23T19:00-05:00",
        "2026-11-24T02:00:00-05:00",
        id="2400-and-0000-join-into-one-stretch",
    ),
    pytest.param(
        lambda: bundled("follow-the-sun"),
        "2026-11-23T10:00+00:00",
        "2026-11-27T22:00:00+00:00",
        id="follow-the-sun-hand-overs-join-into-one-week",
    ),
]


@pytest.mark.parametrize(("make", "instant", "expected"), NEXT_CLOSE_CASES)
def test_next_close_golden(make: Callable[[], Calendar], instant: str, expected: str) -> None:
    """next_close() is the end of the open stretch the instant is in, or of the next one."""
    assert local(make().next_close(at(instant))) == expected


def test_next_close_of_an_always_open_calendar_is_none() -> None:
    """A 24x7 calendar never closes, so next_close() says None."""
    assert bundled("24x7").next_close(at("2026-11-23T10:00+00:00")) is None


SUBTRACT_CASES = [
    pytest.param(
        "2026-11-23T10:00-05:00",
        timedelta(hours=1),
        "2026-11-23T09:00:00-05:00",
        id="latest-start-is-the-opening-not-friday-close",
    ),
    pytest.param(
        "2026-11-23T10:00-05:00",
        timedelta(hours=2),
        "2026-11-20T16:00:00-05:00",
        id="back-over-the-weekend",
    ),
    pytest.param(
        "2026-11-28T12:00-05:00", timedelta(0), "2026-11-28T12:00:00-05:00", id="zero-is-the-end"
    ),
    pytest.param(
        "2026-11-23T09:00:00.000001-05:00",
        timedelta(microseconds=2),
        "2026-11-20T16:59:59.999999-05:00",
        id="microseconds-back-over-the-weekend",
    ),
]


@pytest.mark.parametrize(("end", "duration", "expected"), SUBTRACT_CASES)
def test_subtract_golden(end: str, duration: timedelta, expected: str) -> None:
    """subtract() is the latest start that still finishes by the end."""
    calendar = cal()
    assert local(calendar.subtract(at(end), duration)) == expected
    assert local(calendar.add(at(end), -duration)) == expected


def test_periods_are_clipped_and_split_by_breaks() -> None:
    """periods() lists the open stretches in a window, clipped to it, lunch break excluded."""
    berlin = cal("Europe/Berlin", hours={"mon": ["08:00-12:00", "13:00-17:00"]})
    day = berlin.periods(at("2026-11-23T00:00+01:00"), at("2026-11-24T00:00+01:00"))
    assert [(local(p.start), local(p.end)) for p in day] == [
        ("2026-11-23T08:00:00+01:00", "2026-11-23T12:00:00+01:00"),
        ("2026-11-23T13:00:00+01:00", "2026-11-23T17:00:00+01:00"),
    ]
    clipped = berlin.periods(at("2026-11-23T10:00+01:00"), at("2026-11-23T14:00+01:00"))
    assert [(local(p.start), local(p.end)) for p in clipped] == [
        ("2026-11-23T10:00:00+01:00", "2026-11-23T12:00:00+01:00"),
        ("2026-11-23T13:00:00+01:00", "2026-11-23T14:00:00+01:00"),
    ]
    assert sum((p.duration for p in clipped), timedelta()) == timedelta(hours=3)


def test_periods_join_across_midnight_and_are_empty_backwards() -> None:
    """A 24:00 end and a 00:00 start make one period; a backwards window has none."""
    nights = cal(hours={"mon": ["18:00-24:00"], "tue": ["00:00-02:00"]})
    a, b = at("2026-11-23T00:00-05:00"), at("2026-11-25T00:00-05:00")
    assert [(local(p.start), local(p.end)) for p in nights.periods(a, b)] == [
        ("2026-11-23T18:00:00-05:00", "2026-11-24T02:00:00-05:00")
    ]
    assert nights.periods(b, a) == []


def test_holiday_rules_of_the_bundled_us_calendar() -> None:
    """is_holiday() follows the holidays package, extra dates and excluded dates."""
    us = bundled("us-business", dates=["2026-12-24"], exclude=["2026-10-12"])
    assert us.is_holiday(date(2026, 11, 26))  # Thanksgiving
    assert us.is_holiday(date(2026, 12, 24))  # an extra closed date
    assert not us.is_holiday(date(2026, 10, 12))  # Columbus Day, worked
    assert not us.is_holiday(date(2026, 11, 27))  # the Friday after Thanksgiving
    assert us.is_holiday(date(2027, 12, 31))  # New Year's Day 2028, observed the Friday before


# ---- naive datetimes ------------------------------------------------------------------------


NAIVE = datetime(2026, 11, 23, 9, 0)
AWARE = at("2026-11-23T09:00-05:00")
PUBLIC_CALLS = [
    pytest.param(lambda c: c.elapsed(NAIVE, AWARE), "start", id="elapsed-start"),
    pytest.param(lambda c: c.elapsed(AWARE, NAIVE), "end", id="elapsed-end"),
    pytest.param(lambda c: c.add(NAIVE, timedelta(hours=1)), "start", id="add"),
    pytest.param(lambda c: c.subtract(NAIVE, timedelta(hours=1)), "end", id="subtract"),
    pytest.param(lambda c: c.is_open(NAIVE), "at", id="is_open"),
    pytest.param(lambda c: c.next_open(NAIVE), "at", id="next_open"),
    pytest.param(lambda c: c.next_close(NAIVE), "at", id="next_close"),
    pytest.param(lambda c: c.periods(NAIVE, AWARE), "start", id="periods-start"),
    pytest.param(lambda c: c.periods(AWARE, NAIVE), "end", id="periods-end"),
    pytest.param(lambda c: c.is_open(date(2026, 11, 23)), "at", id="a-date-is-not-an-instant"),
]


@pytest.mark.parametrize(("call", "field"), PUBLIC_CALLS)
def test_naive_datetime_is_refused_by_every_public_method(
    call: Callable[[Calendar], Any], field: str
) -> None:
    """A naive datetime raises NaiveDatetimeError (a ValueError) naming the argument, no guess."""
    with pytest.raises(NaiveDatetimeError) as info:
        call(cal())
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, TicketSLAError)
    assert str(info.value).startswith(f"{field}: ")
    assert "2026" in str(info.value)


# ---- bad calendar files ---------------------------------------------------------------------


GOOD_HEAD = 'name = "team"\ntimezone = "America/New_York"\n'
BAD_FILES = [
    pytest.param(
        GOOD_HEAD + 'colour = "red"\n[hours]\nmon = ["09:00-17:00"]\n', ["colour"], id="unknown-key"
    ),
    pytest.param(
        'name = "team"\ntimezone = "Mars/Olympus"\n[hours]\nmon = ["09:00-17:00"]\n',
        ["timezone", "Mars/Olympus"],
        id="unknown-zone",
    ),
    pytest.param(
        'name = "team"\n[hours]\nmon = ["09:00-17:00"]\n', ["timezone", "missing"], id="no-zone"
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nmon = ["09:00-25:00"]\n', ["hours.mon", "09:00-25:00"], id="hour-25"
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nmon = ["09:60-17:00"]\n', ["hours.mon", "09:60-17:00"], id="minute-60"
    ),
    pytest.param(GOOD_HEAD + '[hours]\nmon = ["9-5"]\n', ["hours.mon", "9-5"], id="not-a-range"),
    pytest.param(
        GOOD_HEAD + '[hours]\nmon = ["24:00-01:00"]\n',
        ["hours.mon", "24:00-01:00"],
        id="starts-at-2400",
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nmon = ["09:00-09:00"]\n',
        ["hours.mon", "09:00-09:00"],
        id="empty-range",
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nmon = "09:00-17:00"\n',
        ["hours.mon", "09:00-17:00"],
        id="range-not-in-a-list",
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nmonday = ["09:00-17:00"]\n', ["hours.monday"], id="unknown-weekday"
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nmon = ["09:00-12:00", "11:00-13:00"]\n',
        ["hours", "09:00-12:00", "11:00-13:00", "overlap"],
        id="overlapping-ranges",
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nmon = ["09:00-17:00", "09:00-17:00"]\n',
        ["hours", "mon 09:00-17:00", "overlap"],
        id="same-range-twice",
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nmon = ["22:00-06:00"]\ntue = ["05:00-09:00"]\n',
        ["hours", "mon 22:00-06:00", "tue 05:00-09:00", "overlap"],
        id="night-shift-overlaps-next-morning",
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nsun = ["22:00-06:00"]\nmon = ["05:00-09:00"]\n',
        ["hours", "sun 22:00-06:00", "mon 05:00-09:00", "overlap"],
        id="sunday-night-overlaps-monday-morning",
    ),
    pytest.param(GOOD_HEAD + "[hours]\n", ["hours", "no open time"], id="week-without-open-time"),
    pytest.param(
        GOOD_HEAD + '[hours]\n[special]\n"2026-12-24" = []\n',
        ["hours", "no open time"],
        id="week-without-open-time-and-only-closed-special-days",
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nmon = ["09:00-17:00"]\n[holidays]\ndates = ["2026-02-30"]\n',
        ["holidays.dates", "2026-02-30"],
        id="no-such-date",
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nmon = ["09:00-17:00"]\n[holidays]\ndates = ["2027-02-29"]\n',
        ["holidays.dates", "2027-02-29"],
        id="leap-day-in-a-common-year",
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nmon = ["09:00-17:00"]\n[holidays]\nexclude = ["yesterday"]\n',
        ["holidays.exclude", "yesterday"],
        id="exclude-not-a-date",
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nmon = ["09:00-17:00"]\n[special]\n"2026-13-01" = []\n',
        ["special.2026-13-01"],
        id="special-day-not-a-date",
    ),
    pytest.param(
        GOOD_HEAD
        + '[hours]\nmon = ["09:00-17:00"]\n[special]\n"2026-12-24" = ["09:00-12:00", "11:00-13:00"]\n',
        ["special.2026-12-24", "09:00-12:00", "11:00-13:00"],
        id="special-day-overlapping-ranges",
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nmon = ["09:00-17:00"]\n[holidays]\ncountry = "XX"\n',
        ["holidays", "XX"],
        id="unknown-holiday-country",
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nmon = ["09:00-17:00"]\n[holidays]\ncountry = "US"\nsubdiv = "ZZ"\n',
        ["holidays", "ZZ"],
        id="unknown-holiday-subdivision",
    ),
    pytest.param(
        GOOD_HEAD
        + '[hours]\nmon = ["09:00-17:00"]\n[holidays]\ncountry = "US"\ncategories = ["bogus"]\n',
        ["holidays", "bogus"],
        id="unknown-holiday-category",
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nmon = ["09:00-17:00"]\n[holidays]\nsubdiv = "NY"\n',
        ["holidays.subdiv", "country"],
        id="subdivision-without-country",
    ),
    pytest.param(
        GOOD_HEAD + '[hours]\nmon = ["09:00-17:00"]\n[holidays]\nregion = "NY"\n',
        ["holidays.region"],
        id="unknown-holiday-key",
    ),
    pytest.param(
        GOOD_HEAD
        + '[hours]\nmon = ["09:00-17:00"]\n[holidays]\ndates = ["2026-12-24"]\nexclude = ["2026-12-24"]\n',
        ["holidays", "2026-12-24"],
        id="date-both-closed-and-worked",
    ),
    pytest.param(GOOD_HEAD + "[hours\n", ["TOML"], id="not-toml"),
]


@pytest.mark.parametrize(("text", "named"), BAD_FILES)
def test_bad_calendar_file_names_file_key_and_value(
    tmp_path: Path, text: str, named: list[str]
) -> None:
    """Bad input raises CalendarError (a ValueError) naming the file, the key and the value."""
    path = tmp_path / "team.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarError) as info:
        Calendar.load(path)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert str(path) in message
    for part in named:
        assert part in message


def test_missing_file_and_unknown_bundled_name_are_calendar_errors(tmp_path: Path) -> None:
    """A missing file or unknown bundled name is a CalendarError that lists what exists."""
    with pytest.raises(CalendarError, match="does not exist"):
        Calendar.load(tmp_path / "nope.toml")
    with pytest.raises(CalendarError, match="us-business"):
        Calendar.load("no-such-calendar")


def test_failed_build_leaves_nothing_half_built(tmp_path: Path) -> None:
    """A refused calendar returns nothing, leaves its input unchanged and poisons no later load."""
    data: dict[str, Any] = {
        "name": "team",
        "timezone": NY,
        "hours": {"mon": ["09:00-17:00"], "tue": ["09:00-25:00"]},
        "holidays": {"dates": ["2026-12-24"]},
    }
    before = copy.deepcopy(data)
    result: Calendar | None = None
    with pytest.raises(CalendarError):
        result = Calendar.from_mapping(data)
    assert result is None
    assert data == before
    path = tmp_path / "team.toml"
    path.write_text(GOOD_HEAD + '[hours]\nmon = ["09:00-25:00"]\n', encoding="utf-8")
    with pytest.raises(CalendarError):
        Calendar.load(path)
    path.write_text(GOOD_HEAD + '[hours]\nmon = ["09:00-17:00"]\n', encoding="utf-8")
    fixed = Calendar.load(path)
    assert fixed.elapsed(at("2026-11-23T00:00-05:00"), at("2026-11-24T00:00-05:00")) == timedelta(
        hours=8
    )


def test_calendar_constructor_checks_its_fields() -> None:
    """Building a Calendar directly validates too: seven weekdays are required."""
    with pytest.raises(CalendarError, match="7 weekdays"):
        Calendar(name="short", timezone="UTC", hours=((),) * 6)


# ---- loading, bundled calendars, value semantics --------------------------------------------


REQUIRED = {
    "24x7": "UTC",
    "us-business": "America/New_York",
    "uk-business": "Europe/London",
    "de-business": "Europe/Berlin",
    "in-business": "Asia/Kolkata",
    "au-business": "Australia/Sydney",
    "follow-the-sun": "UTC",
}


def test_required_calendars_are_bundled() -> None:
    """The bundle holds the calendars the project promises, in their time zones."""
    names = bundled_calendar_names()
    assert set(REQUIRED) <= set(names)
    assert {n: Calendar.load(n).timezone for n in REQUIRED} == REQUIRED


@pytest.mark.parametrize("name", bundled_calendar_names())
def test_every_bundled_calendar_loads_and_opens(name: str) -> None:
    """Each bundled calendar loads by name and by path, the same value, with open time each week."""
    by_name = Calendar.load(name)
    path = ROOT / "calendars" / f"{name}.toml"
    assert by_name.name == name
    assert Calendar.load(path) == by_name
    assert Calendar.load(str(path)) == by_name
    week = by_name.elapsed(at("2026-07-13T00:00+00:00"), at("2026-07-20T00:00+00:00"))
    assert timedelta(hours=20) <= week <= timedelta(days=7)


def test_calendar_is_hashable_and_equal_by_value(tmp_path: Path) -> None:
    """Equal definitions are equal and hash alike, whatever their source or use; others differ."""
    first = Calendar.load("us-business")
    first.add(at("2026-11-23T09:00-05:00"), timedelta(hours=100))  # builds its index
    copy_path = tmp_path / "copy.toml"
    copy_path.write_text((ROOT / "calendars" / "us-business.toml").read_text(encoding="utf-8"))
    second = Calendar.load(copy_path)
    assert first == second
    assert hash(first) == hash(second)
    assert {first: "x"}[second] == "x"
    assert first != bundled("us-business", exclude=["2026-10-12"])
    assert first != Calendar.load("uk-business")


def test_holidays_are_generated_for_whatever_years_are_reached() -> None:
    """Holidays come from the package for any year asked, not a fixed window."""
    us = Calendar.load("us-business")
    # Christmas 2090 is a Monday; 2090-12-22 is a Friday.
    assert us.add(at("2090-12-22T16:00-05:00"), timedelta(hours=2)).isoformat() == (
        "2090-12-26T10:00:00-05:00"
    )


# ---- threads and the period index -----------------------------------------------------------


def _cases(count: int) -> list[tuple[datetime, timedelta, datetime]]:
    rng = random.Random(2026)
    ny = ZoneInfo(NY)
    cases = []
    for _ in range(count):
        start = datetime(rng.randrange(2015, 2040), 1, 1, tzinfo=UTC) + timedelta(
            minutes=rng.randrange(0, 366 * 24 * 60)
        )
        cases.append(
            (
                start.astimezone(ny),
                timedelta(minutes=rng.randrange(0, 80 * 60)),
                start + timedelta(days=rng.randrange(0, 21)),
            )
        )
    return cases


def test_threads_sharing_a_fresh_calendar_get_single_threaded_answers() -> None:
    """Many threads calling add/elapsed on one fresh calendar across years agree with one thread."""
    cases = _cases(400)
    alone = Calendar.load("us-business")
    expected = [(alone.add(s, d), alone.elapsed(s, e)) for s, d, e in cases]

    shared = Calendar.load("us-business")
    threads = 8
    barrier = threading.Barrier(threads)

    def run(offset: int) -> list[tuple[int, tuple[datetime, timedelta]]]:
        barrier.wait()
        order = list(range(len(cases)))
        random.Random(offset).shuffle(order)
        return [
            (i, (shared.add(cases[i][0], cases[i][1]), shared.elapsed(cases[i][0], cases[i][2])))
            for i in order
        ]

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(run, range(threads)))
    for result in results:
        assert sorted(result) == list(enumerate(expected))


def _index(calendar: Calendar) -> Any:
    """The calendar's current period index (a white-box look for the structural checks)."""
    return calendar._cache.index


def test_index_is_reused_whatever_the_span() -> None:
    """Targets of 10 minutes to 10 weeks are answered from one index of three years, no rebuild."""
    us = Calendar.load("us-business")
    start = at("2026-03-02T09:00-05:00")
    us.add(start, timedelta(minutes=1))
    index = _index(us)
    assert index.last_year - index.first_year + 1 <= 3
    for duration in (timedelta(minutes=10), timedelta(hours=8), timedelta(hours=400)):
        due = us.add(start, duration).astimezone(UTC)
        assert us.elapsed(start, due) == duration
        assert us.is_open(due - timedelta(microseconds=1))
    assert _index(us) is index  # 400 business hours (10 weeks) needed no new periods


def test_index_grows_by_years_not_by_calls() -> None:
    """Sweeping ten years with thousands of calls rebuilds the index at most once per year."""
    us = Calendar.load("us-business")
    seen: list[Any] = []
    start = at("2026-01-05T09:00-05:00")
    for week in range(520):
        t = start + timedelta(weeks=week)
        for hours in (1, 8, 40):
            us.add(t, timedelta(hours=hours))
        index = _index(us)
        if not seen or seen[-1] is not index:
            seen.append(index)
    assert len(seen) <= 11


# ---- the due-times golden file ---------------------------------------------------------------


GOLDEN_STARTS = [
    "2026-01-01T00:00Z",  # new year (UTC)
    "2026-03-06T21:30Z",  # Friday before US spring-forward
    "2026-03-27T16:00Z",  # Friday before EU spring-forward
    "2026-04-02T15:00Z",  # before Good Friday and Sydney's fall-back
    "2026-07-02T20:00Z",  # before US Independence Day, observed Friday
    "2026-10-02T05:00Z",  # Friday before Sydney's spring-forward
    "2026-10-23T15:00Z",  # Friday before EU fall-back
    "2026-10-30T20:00Z",  # Friday before US fall-back
    "2026-11-25T21:00Z",  # before Thanksgiving
    "2026-12-23T12:00Z",  # before Christmas
    "2026-12-31T12:00Z",  # year end
    "2027-12-30T22:00Z",  # New Year's Day 2028 observed on 2027-12-31
    "2028-02-28T12:00Z",  # leap day
]
GOLDEN_TARGETS = ["0m", "1m", "30m", "4h", "8h", "24h", "80h"]
GOLDEN_HEADER = (
    "# Due times add(start, target) for every bundled calendar; a change here is a behaviour\n"
    "# or data change (for example a new holidays release). Regenerate with\n"
    "#   TICKETSLA_UPDATE_GOLDEN=1 pytest tests/test_calendar.py -k golden_file\n"
    "# calendar        start (UTC)        target  due (calendar zone)\n"
)


def _target(text: str) -> timedelta:
    return (
        timedelta(minutes=int(text[:-1])) if text.endswith("m") else timedelta(hours=int(text[:-1]))
    )


def _golden_lines() -> list[str]:
    lines = []
    for name in bundled_calendar_names():
        calendar = Calendar.load(name)
        for start in GOLDEN_STARTS:
            for target in GOLDEN_TARGETS:
                due = calendar.add(at(start), _target(target))
                lines.append(f"{name:<15} {start:<18} {target:>6}  {due.isoformat()}\n")
    return lines


def test_due_times_golden_file() -> None:
    """Due times of every bundled calendar match the committed golden file line for line."""
    lines = _golden_lines()
    if os.environ.get("TICKETSLA_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(GOLDEN_HEADER + "".join(lines), encoding="utf-8")
    committed = [
        line
        for line in GOLDEN.read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.startswith("#")
    ]
    assert lines == committed


def test_golden_file_agrees_with_the_reference() -> None:
    """Each committed due time is the earliest instant the brute-force reference allows."""
    rows = [
        line.split()
        for line in GOLDEN.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert rows
    refs: dict[str, Reference] = {}
    for name, start, target, due in rows:
        if name not in refs:
            data = tomllib.loads((ROOT / "calendars" / f"{name}.toml").read_text(encoding="utf-8"))
            refs[name] = Reference(data, at("2025-12-20T00:00Z"), at("2028-03-31T00:00Z"))
        ref = refs[name]
        s, t, d = minute_of(at(start)), minute_of(at(due)), _target(target) // timedelta(minutes=1)
        assert ref.open_minutes(s, t) == d, (name, start, target)
        if d:
            assert ref.is_open(t - 1), (name, start, target)  # nothing earlier works
        else:
            assert t == s
