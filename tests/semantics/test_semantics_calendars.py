"""Bundled calendars close on the days businesses close (issue #10 item 8).

Atlassian, Create SLAs (https://support.atlassian.com/customer-service-management/docs/create-slas):
SLA calendars hold working hours and holidays.

The golden file lists every closed weekday and weekend holiday of each bundled calendar for
2026-2028; a change to it is a data change to review against the country's usual business
closures (a new ``holidays`` release, a calendar edit). Regenerate with
    TICKETSLA_UPDATE_GOLDEN=1 pytest tests/semantics/test_semantics_calendars.py
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from ticketsla import Calendar

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "closed_days.txt"
BUNDLED = ("24x7", "au-business", "de-business", "follow-the-sun", "in-business")
BUNDLED += ("uk-business", "us-business")


def closed_days_text() -> str:
    lines = [
        "# Closed days (holidays) of every bundled calendar, 2026-2028; review a change against",
        "# the country's usual business closures. Regenerate with",
        "#   TICKETSLA_UPDATE_GOLDEN=1 pytest tests/semantics/test_semantics_calendars.py",
    ]
    for name in BUNDLED:
        days = Calendar.load(name).closed_days(date(2026, 1, 1), date(2028, 12, 31))
        lines.append(f"[{name}] {len(days)} days")
        lines += [f"{day.isoformat()} {day.strftime('%a')}  {label}" for day, label in days]
    return "\n".join(lines) + "\n"


def test_closed_days_golden_file() -> None:
    text = closed_days_text()
    if os.environ.get("TICKETSLA_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.read_text(encoding="utf-8") == text


# US federal holidays (5 U.S.C. 6103): https://www.opm.gov/policy-data-oversight/pay-leave/federal-holidays/
US_FEDERAL_2026 = {
    date(2026, 1, 1),
    date(2026, 1, 19),
    date(2026, 2, 16),
    date(2026, 5, 25),
    date(2026, 6, 19),
    date(2026, 7, 3),  # Independence Day observed (the 4th is a Saturday)
    date(2026, 7, 4),
    date(2026, 9, 7),
    date(2026, 10, 12),
    date(2026, 11, 11),
    date(2026, 11, 26),
    date(2026, 12, 25),
}


def test_us_business_closes_on_federal_holidays_only() -> None:
    days = {
        d for d, _ in Calendar.load("us-business").closed_days(date(2026, 1, 1), date(2026, 12, 31))
    }
    assert days == US_FEDERAL_2026


@pytest.mark.parametrize("name", ["Lincoln's Birthday", "Susan B. Anthony Day", "Election Day"])
def test_new_york_state_only_observances_keep_us_business_open(name: str) -> None:
    closed = Calendar.load("us-business").closed_days(date(2026, 1, 1), date(2028, 12, 31))
    assert not [day for day, label in closed if name in label]
