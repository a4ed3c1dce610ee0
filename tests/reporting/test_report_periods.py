"""Report periods: months, ISO weeks and ranges in a time zone, their arithmetic, and grouping
dimensions. Offsets are written out so each boundary can be checked by hand: New York is on
EDT (-04:00) until 02:00 on Sunday 2026-11-01 and on EST (-05:00) after it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from support.report_builders import at
from ticketsla import ConfigurationError, TicketSLAError
from ticketsla._instants import MICROSECOND, to_us
from ticketsla.contract import SLOPeriod
from ticketsla.report import Dimension, ReportPeriod


def span(period: ReportPeriod) -> tuple[str, str]:
    return period.start.isoformat(), period.end.isoformat()


def test_a_month_runs_from_local_midnight_to_local_midnight() -> None:
    """2026-10 in UTC is 1 October 00:00 up to, not including, 1 November 00:00."""
    october = ReportPeriod.parse("2026-10")
    assert span(october) == ("2026-10-01T00:00:00+00:00", "2026-11-01T00:00:00+00:00")
    assert (october.label, october.kind) == ("2026-10", "month")


def test_a_month_in_a_zone_with_dst_is_not_a_whole_number_of_days() -> None:
    """November 2026 in New York starts on EDT and ends on EST: 30 days and one hour long."""
    november = ReportPeriod.parse("2026-11", timezone="America/New_York")
    assert span(november) == ("2026-11-01T00:00:00-04:00", "2026-12-01T00:00:00-05:00")
    # (aware datetimes in one zone subtract as wall times, so compare the instants)
    assert november.end_us - november.start_us == (timedelta(days=30, hours=1)) // MICROSECOND


def test_an_iso_week_runs_monday_to_monday() -> None:
    """2026-W43 starts on Monday 19 October 2026 (week 1 began on Monday 29 December 2025)."""
    week = ReportPeriod.parse("2026-W43")
    assert span(week) == ("2026-10-19T00:00:00+00:00", "2026-10-26T00:00:00+00:00")


def test_a_date_range_includes_both_dates() -> None:
    """2026-10-01..2026-10-15 covers the local dates 1 to 15 October, so it ends on the 16th."""
    period = ReportPeriod.parse("2026-10-01..2026-10-15", timezone="Europe/Berlin")
    assert span(period) == ("2026-10-01T00:00:00+02:00", "2026-10-16T00:00:00+02:00")


def test_an_instant_range_excludes_its_end() -> None:
    """Two instants with offsets give the half-open range between them."""
    period = ReportPeriod.parse("2026-10-01T08:00Z..2026-10-02T08:00+02:00")
    assert (period.start_us, period.end_us) == (
        to_us(at("2026-10-01T08:00Z")),
        to_us(at("2026-10-02T06:00Z")),
    )
    assert period.contains(period.start_us)
    assert not period.contains(period.end_us)


@pytest.mark.parametrize(
    "text",
    [
        "October",
        "2026-13",
        "2026-W54",
        "2026-10-15..2026-10-01",
        "2026-10-01T08:00..2026-10-02T08:00",
        "2026-1x",
        "",
    ],
)
def test_bad_period_texts_are_configuration_errors(text: str) -> None:
    """An unknown form, month, week, a backwards range or naive instants are refused clearly."""
    with pytest.raises(ConfigurationError, match="period") as info:
        ReportPeriod.parse(text)
    assert isinstance(info.value, TicketSLAError)
    assert isinstance(info.value, ValueError)


def test_an_unknown_time_zone_is_refused() -> None:
    """A period in a zone the tz database does not know is a ConfigurationError."""
    with pytest.raises(ConfigurationError, match="unknown time zone 'Mars/Olympus'"):
        ReportPeriod.parse("2026-10", timezone="Mars/Olympus")


def test_shift_moves_by_months_weeks_or_range_lengths() -> None:
    """December plus one is January of the next year; W53 of 2026 plus one is 2027-W01."""
    assert ReportPeriod.parse("2026-12").shift(1).label == "2027-01"
    assert ReportPeriod.parse("2026-01").shift(-1).label == "2025-12"
    assert ReportPeriod.parse("2026-W53").shift(1).label == "2027-W01"
    days = ReportPeriod.parse("2026-10-01..2026-10-02")
    assert span(days.shift(-1)) == ("2026-09-29T00:00:00+00:00", "2026-10-01T00:00:00+00:00")


def test_weeks_cover_the_period_clipped_to_it() -> None:
    """October 2026 touches W40 (from Thursday 1 October) to W44 (ending Sunday 1 November)."""
    weeks = ReportPeriod.parse("2026-10").weeks()
    assert [w.label for w in weeks] == ["2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44"]
    assert span(weeks[0]) == ("2026-10-01T00:00:00+00:00", "2026-10-05T00:00:00+00:00")
    assert weeks[0].kind == "range"
    assert weeks[1].kind == "week"
    assert span(weeks[-1]) == ("2026-10-26T00:00:00+00:00", "2026-11-01T00:00:00+00:00")


def test_slo_periods_are_those_ending_within_the_report_period() -> None:
    """A month reports the weeks that end in it (W44 ends 2 November: not October's); a week
    reports the month that ends in it."""
    october = ReportPeriod.parse("2026-10")
    assert [p.label for p in october.slo_periods(SLOPeriod.WEEK)] == [
        "2026-W40",
        "2026-W41",
        "2026-W42",
        "2026-W43",
    ]
    assert [p.label for p in october.slo_periods(SLOPeriod.MONTH)] == ["2026-10"]
    assert [p.label for p in ReportPeriod.parse("2026-W44").slo_periods("month")] == ["2026-10"]
    assert ReportPeriod.parse("2026-W43").slo_periods("month") == ()


def test_containing_finds_the_month_or_week_of_an_instant_in_the_zone() -> None:
    """1 November 02:00 UTC is still 31 October in New York."""
    us = to_us(at("2026-11-01T02:00Z"))
    assert ReportPeriod.containing("month", us).label == "2026-11"
    assert ReportPeriod.containing("month", us, timezone="America/New_York").label == "2026-10"
    assert ReportPeriod.containing("week", us).label == "2026-W44"


@pytest.mark.parametrize(
    ("text", "dimension"),
    [
        ("customer", Dimension.CUSTOMER),
        ("organisation", Dimension.CUSTOMER),
        ("Organization", Dimension.CUSTOMER),
        (" metric ", Dimension.METRIC),
        ("source", Dimension.SOURCE),
    ],
)
def test_dimensions_accept_their_names_and_aliases(text: str, dimension: Dimension) -> None:
    """Grouping names are case-insensitive and organisation means customer."""
    assert Dimension.parse(text) is dimension


def test_an_unknown_dimension_lists_the_choices() -> None:
    """Grouping by something unknown names every dimension that exists."""
    with pytest.raises(ConfigurationError, match="customer, policy, priority, channel"):
        Dimension.parse("team")
