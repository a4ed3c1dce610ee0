"""REST backfills (changelog pages, issues, search pages) agree with the webhooks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from jira_payloads import WEBHOOKS, by_id, load, parse
from ticketsla_jira import JiraAdapter, JiraSettings

from ticketsla.errors import PayloadError
from ticketsla.events import Actor, EventKind, Priority, Status, TicketEvent


def test_changelog_page_names_its_issue_from_the_self_url() -> None:
    """A changelog page's events belong to the issue its self URL names."""
    events = parse("changelog_page_1.json")
    assert {e.ticket_id for e in events} == {"HELP-42"}
    assert [e.event_id for e in events] == [
        "changelog:20011:status",
        "changelog:20015:priority",
        "changelog:20015:assignee",
        "changelog:20015:status",
    ]
    assert events[0].at == datetime(2026, 3, 2, 9, 47, 31, 5000, tzinfo=UTC)


def test_changelog_satisfaction_item_is_a_csat_rating() -> None:
    """The Satisfaction field item becomes satisfaction_rated 4 on a 1-5 scale, by the customer."""
    found = by_id(parse("changelog_page_2.json"))
    rating = found["changelog:20030:satisfaction"]
    assert rating.kind is EventKind.SATISFACTION_RATED
    assert (rating.rating, rating.scale) == (4, (1, 5))
    assert rating.actor is Actor.CUSTOMER
    assert found["changelog:20022:status"].status is Status.SOLVED
    assert len(found) == 2  # resolution and "Satisfaction date" give nothing


@pytest.mark.parametrize("value", ["0", "6", "very happy"])
def test_satisfaction_outside_one_to_five_is_refused(value: str) -> None:
    """A CSAT value that is not an integer from 1 to 5 is a PayloadError."""
    page = load("changelog_page_2.json")
    page["values"][1]["items"][0]["toString"] = value
    with pytest.raises(PayloadError, match="is not a rating from 1 to 5"):
        parse(page)


def test_satisfaction_field_is_configurable() -> None:
    """A site recording CSAT in another field names it in satisfaction_fields."""
    page = load("changelog_page_2.json")
    page["values"][1]["items"][0].update({"field": "Happiness", "fieldId": "customfield_10777"})
    assert "changelog:20030:satisfaction" not in by_id(parse(page))
    adapter = JiraAdapter(JiraSettings(satisfaction_fields=["customfield_10777"]))
    assert by_id(parse(page, adapter))["changelog:20030:satisfaction"].rating == 4


def test_changelog_page_fetched_by_id_is_refused_when_tickets_are_keys() -> None:
    """A page whose URL names the numeric id cannot be tied to a key-named ticket."""
    page = load("changelog_page_1.json")
    page["self"] = page["self"].replace("HELP-42", "10042")
    page.pop("nextPage")
    with pytest.raises(PayloadError, match="fetch the changelog by key"):
        parse(page)
    (first, *_) = parse(page, JiraAdapter(JiraSettings(ticket_id="id")))
    assert first.ticket_id == "10042"


def test_page_of_values_that_is_not_a_changelog_is_refused() -> None:
    """A paginated response of something else is a PayloadError, not a guess."""
    page = {"self": "https://acme-help.atlassian.net/rest/api/3/project/search", "values": []}
    with pytest.raises(PayloadError, match="is not an issue changelog"):
        parse(page)


def test_expanded_issue_gives_created_comments_and_changes() -> None:
    """An issue with expand=changelog gives its created event, comments and changelog."""
    found = by_id(parse("issue_expanded.json"))
    assert set(found) == {
        "issue:10042:created",
        "comment:30099",
        "comment:30101",
        "comment:30102",
        "comment:30107",
        "changelog:20011:status",
        "changelog:20015:priority",
        "changelog:20015:assignee",
        "changelog:20015:status",
        "changelog:20022:status",
        "changelog:20030:satisfaction",
    }


def test_backfilled_created_event_has_the_initial_status_and_priority() -> None:
    """The created event takes the first change's fromString, not the issue's current values."""
    created = by_id(parse("issue_expanded.json"))["issue:10042:created"]
    assert created.status is Status.OPEN  # "Waiting for support", though now "Resolved"
    assert created.priority is Priority.HIGH  # "High", though now "Highest"
    assert created.at == datetime(2026, 3, 2, 9, 15, tzinfo=UTC)


def test_issue_that_never_changed_keeps_its_current_status() -> None:
    """Without status or priority changes the created event takes the current values."""
    issue = load("issue_expanded.json")
    issue["changelog"]["histories"] = []
    created = by_id(parse(issue))["issue:10042:created"]
    assert created.status is Status.SOLVED
    assert created.priority is Priority.URGENT


def test_backfill_and_webhooks_give_the_same_ids_and_kinds() -> None:
    """Every webhook event has a backfilled twin with the same id, kind and actor."""
    from_hooks = by_id(_hooks())
    from_rest = by_id(parse("issue_expanded.json"))
    for event_id, event in from_hooks.items():
        twin = from_rest[event_id]
        assert (twin.kind, twin.actor, twin.status, twin.priority) == (
            event.kind,
            event.actor,
            event.status,
            event.priority,
        )


def _hooks() -> list[TicketEvent]:
    seen: dict[str, TicketEvent] = {}
    for name in WEBHOOKS:
        for event in parse(name):
            seen[event.event_id] = event
    return list(seen.values())


def test_search_page_reads_every_issue() -> None:
    """A search page (issues) is read issue by issue."""
    first = load("issue_expanded.json")
    second = load("issue_expanded.json")
    second.update({"id": "10043", "key": "HELP-43", "changelog": {"histories": []}})
    second["fields"]["comment"] = {"comments": []}
    page = {"startAt": 0, "maxResults": 50, "total": 2, "issues": [first, second]}
    tickets = {e.ticket_id for e in parse(page)}
    assert tickets == {"HELP-42", "HELP-43"}


def test_issue_without_created_field_is_refused() -> None:
    """An issue fetched without its created field cannot start a ticket: PayloadError."""
    issue = load("issue_expanded.json")
    del issue["fields"]["created"]
    with pytest.raises(PayloadError, match=r"HELP-42: fields.created is missing"):
        parse(issue)
