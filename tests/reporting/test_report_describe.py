"""The SLA document (``ticketsla policy describe``): coverage, hours, holidays of the coming
twelve months, targets, pauses, SLO goals, credits, clawback and escalation, in Markdown and
HTML from the same blocks. Holiday dates were checked against the 2026-2027 US/NY calendars."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from support.report_builders import policy
from ticketsla import SLAPolicy
from ticketsla.describe import describe

GOLD: dict[str, Any] = {
    "description": "Priority support <for> key | accounts",
    "calendar": "us-business",
    "match": {"organization": ["acme", "globex"], "channel": "email"},
    "targets": {
        "first_response": {"urgent": "1h", "high": "2h", "normal": "8h", "low": "16h"},
        "resolution": {"all": "40h"},
    },
    "slo": {
        "first_response": {"goal": "95%", "priority": ["urgent"]},
        "csat": "90%",
        "credit_cap": "20%",
    },
    "credits": [
        {"goal": "first_response", "below": "95%", "credit": "5%"},
        {"goal": "first_response", "below": "90%", "credit": "10%"},
    ],
    "clawback": {"after": 3, "level": "98%"},
    "escalation": [
        {"when": "75%", "notify": "team-lead"},
        {"when": "1h after breach", "notify": ["head of support"], "action": "call the customer"},
    ],
}


def markdown(extra: dict[str, Any] | None = None, today: date = date(2026, 11, 22)) -> str:
    return describe(policy(GOLD, **(extra or {})), today=today).to_markdown()


def test_coverage_lists_the_match_fields() -> None:
    """Services and channels covered come from [match], and the default priority is stated."""
    text = markdown()
    assert "- channel: email\n- customers (organization): acme, globex" in text
    assert "A ticket without a priority is treated as normal." in text


def test_business_hours_name_the_calendar_and_time_zone() -> None:
    """The week's hours are listed with the IANA zone they are in."""
    text = markdown()
    assert "in the time zone America/New_York." in text
    assert "| Monday | 09:00-17:00 |" in text
    assert "| Saturday | closed |" in text


def test_holidays_of_the_twelve_months_from_today_are_listed() -> None:
    """From 22 November 2026: Thanksgiving (26 Nov) is in, Veterans Day 2026 (11 Nov) is
    before the window, Veterans Day 2027 (11 Nov) is in, Thanksgiving 2027 (25 Nov) is after."""
    text = markdown()
    assert "Holidays from 2026-11-22 to 2027-11-21" in text
    assert "| 2026-11-26 (Thu) | Thanksgiving Day |" in text
    assert "| 2027-11-11 (Thu) | Veterans Day |" in text
    assert "2026-11-11" not in text
    assert "2027-11-25" not in text


def test_a_policy_calendar_file_shows_closed_dates_special_days_and_worked_holidays(
    tmp_path: Path,
) -> None:
    """Extra closed dates appear as holidays, special hours in their own table, and excluded
    public holidays as days worked."""
    (tmp_path / "team.toml").write_text(
        'name = "team"\ntimezone = "Europe/Berlin"\n[hours]\nmon = ["08:00-16:00"]\n'
        '[holidays]\ncountry = "DE"\ndates = ["2026-12-24"]\nexclude = ["2026-12-26"]\n'
        '[special]\n"2026-12-31" = ["09:00-12:00"]\n',
        encoding="utf-8",
    )
    data = {
        "name": "team",
        "calendar": "team.toml",
        "targets": {"first_response": {"all": "4h"}},
    }
    text = describe(
        SLAPolicy.from_mapping(data, base_dir=tmp_path), today=date(2026, 12, 1)
    ).to_markdown()
    assert "| 2026-12-24 (Thu) | closed |" in text
    assert "| 2026-12-25 (Fri) | Christmas Day |" in text
    assert "2026-12-26 (Sat) |" not in text
    assert "Public holidays worked as ordinary days: 2026-12-26 (Sat)." in text
    assert "| 2026-12-31 (Thu) | 09:00-12:00 |" in text


def test_targets_are_a_table_of_metric_by_priority() -> None:
    """Each metric's target per priority, as business time."""
    text = markdown()
    assert "| Metric | urgent | high | normal | low |" in text
    assert "| first_response | 1h | 2h | 8h | 16h |" in text
    assert "| resolution | 40h | 40h | 40h | 40h |" in text


def test_what_pauses_a_clock_is_spelled_out() -> None:
    """Resolution pauses while pending or on hold and continues after a reopen; first response
    never pauses."""
    text = markdown()
    assert "first_response: Starts when the ticket is created;" in text
    assert "never pauses" in text
    assert "pauses while the ticket is on hold or pending" in text
    assert "continues this clock with its elapsed time kept" in text


def test_goals_credits_clawback_and_escalation_are_described() -> None:
    """The contract sections carry the goals, tiers, cap, clawback rule and escalation levels."""
    text = markdown()
    assert (
        "| first_response | 95% | urgent | 1 | at least 95% of first_response targets met "
        "(urgent tickets) |"
    ) in text
    assert "| first_response | below 90% | 10% of the period's fee |" in text
    assert "never exceed 20% of that period's fee" in text
    assert "After 3 consecutive periods in which every goal reaches 98%" in text
    assert "| 2 | 1h of wall-clock time after the target was breached | every metric |" in text


def test_a_policy_without_a_contract_says_so() -> None:
    """No [slo], no credits and no escalation are stated plainly, not left out."""
    plain = describe(policy(), today=date(2026, 11, 22)).to_markdown()
    assert "This policy sets no service level objectives." in plain
    assert "This policy grants no service credits." in plain
    assert "This policy defines no escalation levels." in plain


def test_markdown_escapes_markup_in_texts() -> None:
    """A description with < and | cannot break the Markdown."""
    assert "Priority support \\<for\\> key \\| accounts" in markdown()


def test_html_is_the_same_document_escaped() -> None:
    """The HTML page carries the same sections, with every text escaped and nothing loaded."""
    page = describe(policy(GOLD), today=date(2026, 11, 22)).to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert "<h2>Service credits</h2>" in page
    assert "Priority support &lt;for&gt; key | accounts" in page
    assert "<td>2026-11-26 (Thu)</td><td>Thanksgiving Day</td>" in page
    assert "<script" not in page
    assert "src=" not in page


def test_a_leap_day_today_covers_to_the_28th_of_february() -> None:
    """From 29 February 2028 the year ends on 28 February 2029."""
    text = markdown(today=date(2028, 2, 29))
    assert "Holidays from 2028-02-29 to 2029-02-28" in text
