"""The worked example of docs/escalation.md: one policy, two recipient calendars, a holiday."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ticketsla import Calendar, SLAPolicy

SUPPORT_NY: dict[str, Any] = {
    "name": "support-ny",
    "timezone": "America/New_York",
    "hours": {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": {"dates": ["2026-10-12"]},
}

POLICY: dict[str, Any] = {
    "name": "standard",
    "calendar": "support-ny",
    "targets": {"first_response": {"all": "4h"}},
    "recipients": {
        "team-lead": {"email": "lead@example.com", "calendar": "de-business"},
        "ny-on-call": {"webhook": "https://hooks.example.com/on-call", "calendar": "support-ny"},
    },
    "escalation": [
        {"when": "50%", "notify": "team-lead"},
        {"when": "30m before breach", "notify": "ny-on-call"},
        {"when": "breach", "notify": "head-of-support"},
        {
            "when": "1h after breach",
            "notify": "team-lead",
            "urgent": True,
            "action": "call the customer",
        },
        {"when": "2h business after breach", "notify": "team-lead", "name": "review"},
    ],
}

CREATED = datetime(2026, 10, 9, 18, 0, tzinfo=UTC)  # Friday 14:00 in New York

# level, recipient, fires at, held until (UTC): Monday 12 October is a holiday in New York
TIMELINE = [
    (
        "level-1/team-lead",
        datetime(2026, 10, 9, 20, 0, tzinfo=UTC),
        datetime(2026, 10, 12, 6, 0, tzinfo=UTC),
    ),
    ("level-2/ny-on-call", datetime(2026, 10, 13, 13, 30, tzinfo=UTC), None),
    ("level-3/head-of-support", datetime(2026, 10, 13, 14, 0, 0, 1, tzinfo=UTC), None),
    ("level-4/team-lead", datetime(2026, 10, 13, 15, 0, tzinfo=UTC), None),
    (
        "review/team-lead",
        datetime(2026, 10, 13, 16, 0, tzinfo=UTC),
        datetime(2026, 10, 14, 6, 0, tzinfo=UTC),
    ),
]


def policy() -> SLAPolicy:
    calendar = Calendar.from_mapping(SUPPORT_NY)
    return SLAPolicy.from_mapping(POLICY, calendars={"support-ny": calendar})
