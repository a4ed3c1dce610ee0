"""Vendor metrics as presets under the vendor's names (issue #10 item 4).

Zendesk, Defining SLA policies (https://support.zendesk.com/hc/en-us/articles/4408829459866):
periodic update never pauses; pausable update pauses while pending; requester wait time pauses
while pending and stops at solve; agent work time pauses while pending and on-hold and stops at
solve; total resolution time never pauses.
Jira Service Management, Setting up SLAs
(https://confluence.atlassian.com/servicemanagementserver0504/setting-up-slas-1188770329.html):
new service projects come with "Time to first response" and "Time to resolution".
Atlassian, Example SLA configurations
(https://confluence.atlassian.com/servicemanagementserver0512/example-sla-configurations-1319246988.html):
time to resolution paused while waiting for the customer.
Zendesk, Ticket metric events (https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_metric_events/):
the metric names Zendesk records.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from ticketsla_jira import metric_for_sla
from ticketsla_zendesk.metrics import METRIC_NAMES

from ticketsla import SLAPolicy, TicketEvent, evaluate
from ticketsla.metrics import PRESET_ALIASES, PRESETS


def at(hour: int) -> datetime:
    return datetime(2026, 3, 10, hour, tzinfo=UTC)


def elapsed(metric: str) -> timedelta:
    """Hours counted from 09:00 to 15:00 with pending 10-11 and on-hold 12-13 (24x7)."""
    policy = SLAPolicy.from_mapping(
        {"name": metric, "calendar": "24x7", "targets": {metric: {"all": "100h"}}}
    )
    steps = [
        (9, "created", {}),
        (9, "agent_reply", {}),
        (10, "status_changed", {"status": "pending"}),
        (11, "status_changed", {"status": "open"}),
        (12, "status_changed", {"status": "on_hold"}),
        (13, "status_changed", {"status": "open"}),
    ]
    events = [
        TicketEvent(ticket_id="P", event_id=f"e{i}", at=at(h), kind=k, **f)
        for i, (h, k, f) in enumerate(steps)
    ]
    clock = evaluate(events, policy, at(15)).clock(metric)
    assert clock is not None
    return clock.elapsed


@pytest.mark.parametrize(
    ("metric", "hours"),
    [
        ("periodic_update", 6),  # never pauses
        ("pausable_update", 5),  # pauses in pending only
        ("requester_wait_time", 5),  # pauses in pending only
        ("agent_work_time", 4),  # pauses in pending and on-hold
        ("resolution", 4),
        ("total_resolution_time", 6),  # never pauses
    ],
)
def test_each_zendesk_metric_pauses_as_zendesk_says(metric: str, hours: int) -> None:
    assert elapsed(metric) == timedelta(hours=hours)


@pytest.mark.parametrize(("alias", "original"), sorted(PRESET_ALIASES.items()))
def test_aliases_are_the_same_rules_under_another_name(alias: str, original: str) -> None:
    after = PRESETS[original].after
    expected = replace(
        PRESETS[original],
        name=alias,
        after=None if after is None else {"first_response": "first_reply_time"}[after],
    )
    assert PRESETS[alias] == expected


def test_zendesk_metrics_map_to_the_preset_of_the_same_name() -> None:
    for zendesk, preset in METRIC_NAMES.items():
        assert preset in PRESETS, zendesk


def test_jsm_default_slas_map_to_presets() -> None:
    assert metric_for_sla("Time to first response") == "first_response"
    assert metric_for_sla("time to  resolution") == "resolution"
    assert metric_for_sla("Time to approve normal change") is None
