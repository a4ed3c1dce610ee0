"""Duration texts of policy files and the command line: what parses, to what, and what is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ticketsla import ConfigurationError, DurationError, format_duration, parse_duration

GOOD = [
    pytest.param("4h", timedelta(hours=4), id="hours"),
    pytest.param("90m", timedelta(minutes=90), id="minutes"),
    pytest.param("1h30m", timedelta(hours=1, minutes=30), id="hours-and-minutes"),
    pytest.param("45s", timedelta(seconds=45), id="seconds"),
    pytest.param("2d", timedelta(days=2), id="days-are-24-hours"),
    pytest.param("1d2h30m", timedelta(days=1, hours=2, minutes=30), id="all-short-units"),
    pytest.param("0m", timedelta(0), id="zero"),
    pytest.param(" 4H ", timedelta(hours=4), id="spaces-and-case-ignored"),
    pytest.param("PT4H", timedelta(hours=4), id="iso-hours"),
    pytest.param("pt4h", timedelta(hours=4), id="iso-lower-case"),
    pytest.param("PT90M", timedelta(minutes=90), id="iso-minutes"),
    pytest.param("PT1H30M", timedelta(hours=1, minutes=30), id="iso-hours-and-minutes"),
    pytest.param("P1DT2H", timedelta(days=1, hours=2), id="iso-days-and-hours"),
    pytest.param("P2W", timedelta(days=14), id="iso-weeks"),
    pytest.param("PT1.5H", timedelta(minutes=90), id="iso-fraction"),
    pytest.param("PT0.000001S", timedelta(microseconds=1), id="iso-microsecond"),
]


@pytest.mark.parametrize(("text", "expected"), GOOD)
def test_duration_texts_parse(text: str, expected: timedelta) -> None:
    """Short forms and ISO 8601 durations parse to the exact timedelta."""
    assert parse_duration(text) == expected


BAD = [
    pytest.param("", id="empty"),
    pytest.param("   ", id="blank"),
    pytest.param("4", id="no-unit"),
    pytest.param("h", id="no-number"),
    pytest.param("4x", id="unknown-unit"),
    pytest.param("4 h", id="space-inside"),
    pytest.param("1.5h", id="fraction-in-short-form"),
    pytest.param("30m1h", id="units-out-of-order"),
    pytest.param("-4h", id="negative"),
    pytest.param("PT-4H", id="negative-iso"),
    pytest.param("P", id="iso-without-parts"),
    pytest.param("PT4H5", id="iso-trailing-number"),
    pytest.param("P1M", id="iso-months-vary-in-length"),
    pytest.param("P1Y", id="iso-years-vary-in-length"),
    pytest.param("soon", id="a-word"),
    pytest.param("1h" * 40, id="too-long"),
]


@pytest.mark.parametrize("text", BAD)
def test_bad_duration_texts_are_refused(text: str) -> None:
    """An unparseable duration is a DurationError (a ValueError) that quotes the text."""
    with pytest.raises(DurationError) as info:
        parse_duration(text, field="--in")
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, ConfigurationError)
    assert str(info.value).startswith("--in: ")
    assert repr(text) in str(info.value)
    assert info.value.subject == "--in"


@pytest.mark.parametrize("value", [None, 4, 4.0, ["4h"]])
def test_non_text_durations_are_refused(value: object) -> None:
    """Something that is neither a text nor a timedelta is a DurationError naming the field."""
    with pytest.raises(DurationError, match=r"^target: .*got"):
        parse_duration(value, field="target")  # type: ignore[arg-type]


def test_timedeltas_pass_through_and_negative_ones_are_refused() -> None:
    """A timedelta is returned as it is; a negative one is refused."""
    assert parse_duration(timedelta(minutes=7)) == timedelta(minutes=7)
    with pytest.raises(DurationError, match="negative"):
        parse_duration(timedelta(minutes=-7))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(0), "0m"),
        (timedelta(minutes=90), "1h 30m"),
        (timedelta(hours=80), "80h"),
        (timedelta(days=2, seconds=5), "48h 5s"),
        (timedelta(hours=-1), "-1h"),
    ],
)
def test_format_duration_is_compact(value: timedelta, text: str) -> None:
    """format_duration writes hours, minutes and seconds, largest first, nothing empty."""
    assert format_duration(value) == text


@given(st.integers(min_value=0, max_value=10_000 * 3600))
def test_format_then_parse_round_trips_whole_seconds(seconds: int) -> None:
    """parse_duration reads back what format_duration writes, for any whole number of seconds."""
    value = timedelta(seconds=seconds)
    assert parse_duration(format_duration(value)) == value
