"""Conformance: Jira payloads written here in shapes real sites send, each with what it gives.

Each file in ``conformance/`` is named for the real-world shape it stands for.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ticketsla_jira import JiraAdapter, JiraSettings

from ticketsla.errors import PayloadError
from ticketsla.events import Actor, EventKind, Status
from ticketsla.sources import PayloadLimits

CONFORMANCE = Path(__file__).parent / "conformance"


def load(name: str) -> Any:
    return json.loads((CONFORMANCE / name).read_text(encoding="utf-8"))


def parse(name: str, settings: JiraSettings | None = None) -> list[Any]:
    adapter = JiraAdapter(settings)
    return adapter.parse((CONFORMANCE / name).read_bytes(), headers={}, limits=PayloadLimits())


def test_every_fixture_is_tested() -> None:
    assert sorted(p.name for p in CONFORMANCE.iterdir()) == [
        "comment_created_issue_null.json",
        "legacy_transition_without_timestamp.json",
        "legacy_workflow_postfunction_transition.json",
    ]


def test_legacy_workflow_webhook_is_a_status_change() -> None:
    """A post-function webhook (no webhookEvent, a transition) is the change to to_status."""
    (event,) = parse("legacy_workflow_postfunction_transition.json")
    assert event.kind is EventKind.STATUS_CHANGED
    assert event.ticket_id == "HELP-42"
    assert event.status is Status.OPEN
    assert event.actor is Actor.AGENT
    assert event.at == datetime(2026, 3, 2, 14, 0, 0, 123000, tzinfo=UTC)
    assert event.event_id == "transition:10042:31:1772460000123"
    assert parse("legacy_workflow_postfunction_transition.json") == [event]  # same id again


def test_legacy_transition_without_timestamp_uses_the_issue_updated_time() -> None:
    (event,) = parse("legacy_transition_without_timestamp.json")
    assert event.status is Status.SOLVED
    assert event.at == datetime(2026, 3, 3, 8, 30, tzinfo=UTC)


def test_legacy_transition_without_a_target_status_is_refused() -> None:
    body = load("legacy_workflow_postfunction_transition.json")
    del body["transition"]["to_status"]
    with pytest.raises(PayloadError, match="without to_status"):
        JiraAdapter().parse(body, headers={}, limits=PayloadLimits())


def test_comment_with_a_null_issue_is_mapped_from_its_self_url() -> None:
    """comment_created with "issue": null names the issue in comment.self (by id)."""
    (event,) = parse("comment_created_issue_null.json", JiraSettings(ticket_id="id"))
    assert event.ticket_id == "10042"
    assert event.kind is EventKind.CUSTOMER_MESSAGE
    assert event.event_id == "comment:30177"


def test_comment_with_a_null_issue_under_key_naming_says_how_to_map_it() -> None:
    with pytest.raises(PayloadError, match="ticket_id = 'id'"):
        parse("comment_created_issue_null.json")
    body = load("comment_created_issue_null.json")
    body["comment"]["self"] = "https://acme-help.atlassian.net/rest/api/2/issue/HELP-42/comment/1"
    (event,) = JiraAdapter().parse(body, headers={}, limits=PayloadLimits())
    assert event.ticket_id == "HELP-42"
    del body["comment"]["self"]
    with pytest.raises(PayloadError, match="does not name one"):
        JiraAdapter().parse(body, headers={}, limits=PayloadLimits())
