"""Manual due dates (issue #10 item 5): ``due_set`` pins a metric's due instant until
``due_cleared``, as a due date does in Jira and Freshdesk.

Atlassian, Example SLA configurations
(https://confluence.atlassian.com/servicemanagementserver0512/example-sla-configurations-1319246988.html);
Zendesk, Defining SLA policies (https://support.zendesk.com/hc/en-us/articles/4408829459866):
a task's due date is the agent's own date, apart from the policy's targets.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from ticketsla_jira import JiraAdapter
from ticketsla_zendesk import ZendeskAdapter

from ticketsla import ClockStatus, SLAPolicy, TicketEvent, evaluate
from ticketsla.errors import TicketSLAError
from ticketsla.sources import PayloadLimits

POLICY = SLAPolicy.from_mapping(
    {
        "name": "due",
        "calendar": "24x7",
        "targets": {"resolution": {"urgent": "2h", "normal": "8h"}},
    }
)


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def ev(i: int, when: datetime, kind: str, **fields: object) -> TicketEvent:
    return TicketEvent(ticket_id="D", event_id=f"e{i}", at=when, kind=kind, **fields)  # type: ignore[arg-type]


def test_a_pinned_due_instant_survives_priority_changes_until_cleared() -> None:
    events = [
        ev(0, at(10, 9), "created"),
        ev(1, at(10, 10), "due_set", due_at="2026-03-12T17:00:00+00:00"),
        ev(2, at(10, 11), "priority_changed", priority="urgent"),
    ]
    clock = evaluate(events, POLICY, at(11, 9)).clock("resolution")
    assert clock is not None
    assert clock.due_at == at(12, 17)
    assert not clock.is_breached
    assert clock.remaining == timedelta(hours=32)
    late = evaluate(events, POLICY, at(12, 18)).clock("resolution")
    assert late is not None
    assert late.is_breached
    assert late.breached_at == at(12, 17)
    events.append(ev(3, at(11, 10), "due_cleared"))
    cleared = evaluate(events, POLICY, at(11, 10)).clock("resolution")
    assert cleared is not None
    assert cleared.due_at == at(10, 11)  # back to the urgent target: 2h from 09:00


def test_a_clock_stopped_before_its_pinned_instant_is_met() -> None:
    events = [
        ev(0, at(10, 9), "created"),
        ev(1, at(10, 9), "due_set", due_at="2026-03-13T00:00:00+00:00"),
        ev(2, at(12, 9), "status_changed", status="solved"),
    ]
    clock = evaluate(events, POLICY, at(14, 9)).clock("resolution")
    assert clock is not None
    assert clock.status is ClockStatus.FULFILLED
    assert clock.met


@pytest.mark.parametrize("due", [None, "tomorrow", "2026-03-12T17:00:00"])
def test_a_due_set_needs_an_aware_instant(due: object) -> None:
    with pytest.raises(TicketSLAError, match="due_at"):
        ev(0, at(10, 9), "due_set", due_at=due)


def test_jira_duedate_pins_the_end_of_that_day() -> None:
    body = {
        "webhookEvent": "jira:issue_updated",
        "timestamp": 1773133200000,
        "user": {"accountId": "agent-1", "accountType": "atlassian"},
        "issue": {
            "id": "20001",
            "key": "HELP-7",
            "fields": {"reporter": {"accountId": "cust-1", "accountType": "customer"}},
        },
        "changelog": {
            "id": "555",
            "items": [
                {
                    "field": "duedate",
                    "fieldtype": "jira",
                    "to": "2026-03-12",
                    "toString": "2026-03-12 00:00:00.0",
                }
            ],
        },
    }
    events = JiraAdapter().parse(json.dumps(body).encode(), headers={}, limits=PayloadLimits())
    due = [e for e in events if e.kind == "due_set"]
    assert len(due) == 1
    assert due[0].field("due_at") == "2026-03-13T00:00:00+00:00"


def test_zendesk_task_due_at_pins_and_unpins() -> None:
    def audit(audit_id: int, value: str | None) -> dict[str, object]:
        return {
            "id": audit_id,
            "ticket_id": 5,
            "created_at": "2026-03-10T10:00:00Z",
            "author_id": 7001,
            "via": {"channel": "web"},
            "events": [
                {"id": audit_id * 10, "type": "Change", "field_name": "due_at", "value": value}
            ],
        }

    page = {"audits": [audit(1, "2026-03-12T17:00:00Z"), audit(2, None)]}
    adapter = ZendeskAdapter(agent_ids=[7001])
    events = adapter.parse(json.dumps(page).encode(), headers={}, limits=PayloadLimits())
    assert [str(e.kind) for e in events] == ["due_set", "due_cleared"]
    assert events[0].field("due_at") == "2026-03-12T17:00:00+00:00"
