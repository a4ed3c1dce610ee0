"""The pure side of escalation: reading levels and recipients, when a level fires, quiet hours."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ticketsla import Calendar, PolicyError, SLAPolicy, TicketEvent, evaluate
from ticketsla._instants import from_us, to_us
from ticketsla.escalation import hold_until

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York


def make(escalation: list[dict[str, Any]], **extra: Any) -> SLAPolicy:
    return SLAPolicy.from_mapping(
        {
            "name": "p",
            "calendar": "us-business",
            "targets": {"first_response": {"all": "1h"}, "resolution": {"all": "8h"}},
            "escalation": escalation,
            **extra,
        }
    )


def fired(
    policy: SLAPolicy, priority: str = "normal", metric: str = "first_response"
) -> list[tuple[str, datetime]]:
    event = TicketEvent(
        ticket_id="T", source="t", event_id="1", kind="created", at=START, priority=priority
    )
    state = evaluate([event], policy, START + timedelta(days=5)).clock(metric)
    assert state is not None
    return [(name, from_us(us, UTC)) for name, us in state.escalations_us]


def test_wall_and_business_lags_after_the_breach_differ_overnight() -> None:
    """Due 10:00 New York; 8h of wall time is 18:00 that day, 8h of business time 10:00 next day."""
    policy = make(
        [
            {"when": "8h after breach", "name": "wall"},
            {"when": "8h business after breach", "name": "business"},
        ]
    )
    assert fired(policy) == [
        ("wall", datetime(2026, 3, 2, 23, 0, tzinfo=UTC)),
        ("business", datetime(2026, 3, 3, 15, 0, tzinfo=UTC)),
    ]


def test_levels_are_restricted_to_their_metrics_and_priorities() -> None:
    policy = make(
        [
            {"when": "75%", "name": "urgent-only", "priority": ["urgent", "high"]},
            {"when": "breach", "name": "resolution-only", "metrics": ["resolution"]},
        ]
    )
    assert fired(policy, "normal") == []
    assert [n for n, _ in fired(policy, "urgent")] == ["urgent-only"]
    assert [n for n, _ in fired(policy, "normal", "resolution")] == ["resolution-only"]


def test_a_lead_longer_than_the_target_fires_as_the_clock_starts() -> None:
    assert fired(make([{"when": "2h before breach"}])) == [("level-1", START)]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"when": "1h wall before breach"}, "a lead before the breach is business time"),
        ({"when": "0m after breach"}, "must be positive"),
        ({"when": "breach", "name": "breach"}, r"escalation\[0\]\.name"),
        ({"when": "breach", "name": "9lives"}, r"escalation\[0\]\.name"),
        ({"when": "breach", "priority": "sometimes"}, "unknown priority 'sometimes'"),
        ({"when": "breach", "urgent": "yes"}, r"urgent: expected true or false"),
    ],
)
def test_bad_levels_are_refused_naming_the_key(row: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        make([row])


def test_level_names_must_be_unique() -> None:
    with pytest.raises(PolicyError, match="repeated: x"):
        make([{"when": "breach", "name": "x"}, {"when": "75%", "name": "x"}])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"email": "not-an-address"}, "is not an e-mail address"),
        ({"webhook": "ftp://example.com"}, "is not an http"),
        ({"pager": "x"}, r"recipients\.lead\.pager: unknown key"),
        ({"calendar": "nowhere"}, "no such bundled calendar"),
    ],
)
def test_bad_recipients_are_refused(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        make([], recipients={"lead": entry})


def test_recipients_keep_their_channels_and_calendar() -> None:
    policy = make(
        [],
        recipients={"lead": {"email": "lead@example.com", "calendar": "de-business"}},
    )
    entry = policy.recipient("lead")
    assert entry is not None
    recipient, calendar = entry
    assert (recipient.email, recipient.calendar) == ("lead@example.com", "de-business")
    assert calendar is not None
    assert calendar.name == "de-business"
    assert policy.recipient("nobody") is None


def test_quiet_hours_hold_until_the_calendar_opens_unless_urgent() -> None:
    berlin = Calendar.load("de-business")
    friday_night = to_us(datetime(2026, 3, 6, 21, 0, tzinfo=UTC))
    monday_8 = to_us(datetime(2026, 3, 9, 7, 0, tzinfo=UTC))
    assert hold_until(berlin, friday_night) == monday_8
    assert hold_until(berlin, friday_night, urgent=True) is None
    assert hold_until(None, friday_night) is None
    assert hold_until(berlin, monday_8) is None


def test_escalations_are_counted_per_customer_and_level_with_the_top_level_tickets() -> None:
    from ticketsla.escalation_report import count_escalations
    from ticketsla.report import ReportPeriod

    first = ["first_response"]
    policy = make(
        [{"when": "75%", "metrics": first}, {"when": "breach", "name": "top", "metrics": first}]
    )

    def ticket(ticket_id: str, org: str, reply_after: timedelta | None) -> list[TicketEvent]:
        out = [
            TicketEvent(
                ticket_id=ticket_id,
                source="t",
                event_id=f"{ticket_id}-1",
                kind="created",
                at=START,
                organization=org,
            )
        ]
        if reply_after is not None:
            out.append(
                TicketEvent(
                    ticket_id=ticket_id,
                    source="t",
                    event_id=f"{ticket_id}-2",
                    kind="agent_reply",
                    at=START + reply_after,
                    public=True,
                )
            )
        return out

    events = [
        *ticket("A1", "acme", timedelta(minutes=50)),  # 75% only
        *ticket("A2", "acme", None),  # 75% and breach
        *ticket("G1", "globex", timedelta(minutes=10)),  # nothing
    ]
    counts = count_escalations(
        events, policy, ReportPeriod.parse("2026-03"), now=START + timedelta(days=40)
    )
    assert counts.by_customer_level == (("acme", "level-1", 2), ("acme", "top", 1))
    assert counts.top_level_tickets == ("A2",)
    assert counts.total == 3

    # The report of the same period carries the same counts, in its JSON, its page and its tables.
    from rich.console import Console

    from ticketsla.cli.report_tables import print_report
    from ticketsla.html_report import render_html
    from ticketsla.report import report_from_events

    report = report_from_events(
        events, policy, ReportPeriod.parse("2026-03"), now=START + timedelta(days=40)
    )
    assert report.escalations == counts
    assert report.to_dict()["escalations"]["top_level_tickets"] == ["A2"]
    page = render_html(report)
    assert "<h2>Escalations</h2>" in page
    assert "1 ticket reached the top level: A2." in page
    console = Console(width=80, record=True, file=io.StringIO())
    print_report(report, console)
    text = console.export_text()
    assert "Escalations" in text
    assert "reached the top level: 1 ticket (A2)" in text


def test_a_recipient_name_is_bounded_so_it_fits_a_notification_level() -> None:
    from ticketsla import EventError, Recipient

    with pytest.raises(EventError, match="name: expected a text of 1 to 128"):
        Recipient(name="x" * 129)
