"""Satisfaction ratings become events; ticket metric events are kept apart as Zendesk's verdicts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

pytest.importorskip("ticketsla_zendesk", reason="ticketsla-zendesk is not installed")

from ticketsla_zendesk import ZendeskAdapter, metric_events, zendesk_verdicts
from zendesk_testdata import data, raw

from ticketsla.errors import PayloadError

ADAPTER = ZendeskAdapter()


def test_good_and_bad_ratings_are_events_and_offers_are_not() -> None:
    """good/bad ratings give satisfaction_rated events; an 'offered' survey gives none."""
    events = ADAPTER.parse(raw("satisfaction_ratings.json"))
    assert [(e.ticket_id, e.rating, str(e.actor)) for e in events] == [
        ("4711", "good", "customer"),
        ("4712", "bad", "customer"),
    ]


def test_the_reason_of_a_bad_rating_is_kept_as_custom_fields() -> None:
    """reason and reason_code travel as satisfaction_reason and satisfaction_reason_code."""
    bad = ADAPTER.parse(raw("satisfaction_ratings.json"))[1]
    assert bad.field("satisfaction_reason") == "The issue took too long to resolve"
    assert bad.field("satisfaction_reason_code") == 6
    assert bad.at == datetime(2026, 3, 7, 11, 20, tzinfo=UTC)  # when it was last changed


def test_a_changed_rating_is_a_new_event_and_a_repeat_is_not() -> None:
    """Re-rating good -> bad gives a second event id; the same version twice gives one."""
    rating = data("satisfaction_ratings.json")["satisfaction_ratings"][0]
    first = ADAPTER.parse({"satisfaction_rating": rating})
    assert ADAPTER.parse({"satisfaction_rating": rating}) == first
    changed = {**rating, "score": "bad", "updated_at": "2026-03-05T08:00:00Z"}
    second = ADAPTER.parse({"satisfaction_rating": changed})
    assert first[0].event_id != second[0].event_id
    assert second[0].rating == "bad"


def test_a_strange_score_is_refused() -> None:
    """A score that is not good, bad, offered or unoffered is a PayloadError."""
    rating = {**data("satisfaction_ratings.json")["satisfaction_ratings"][0], "score": "meh"}
    with pytest.raises(
        PayloadError, match=r"satisfaction_rating\.score: expected a satisfaction score"
    ):
        ADAPTER.parse({"satisfaction_rating": rating})


def test_metric_events_are_recognised_but_never_ticket_events() -> None:
    """A ticket metric events page parses to no ticket events."""
    assert ADAPTER.parse(raw("ticket_metric_events.json")) == []


def test_metric_events_are_read_by_their_own_function() -> None:
    """metric_events() returns each metric event with its SLA target and status."""
    found = metric_events(raw("ticket_metric_events.json"))
    assert len(found) == 15
    applied = next(e for e in found if e.type == "apply_sla")
    assert (applied.target, applied.business_hours, applied.policy_title) == (
        timedelta(hours=1),
        True,
        "Urgent and high",
    )
    status = next(e for e in found if e.type == "update_status")
    assert status.status_business == timedelta(minutes=75)
    assert ADAPTER.metric_events(raw("ticket_metric_events.json")) == found


def test_metric_records_in_an_export_page_are_found() -> None:
    """The metric-like record in an export page comes back from metric_events()."""
    found = metric_events(raw("incremental_ticket_events_page2.json"))
    assert [(e.metric, e.type) for e in found] == [("agent_work_time", "measure")]


def test_other_shapes_hold_no_metric_events() -> None:
    """metric_events() of an audit page is empty; of an unknown shape, a PayloadError."""
    assert metric_events(raw("audits_ticket_4711.json")) == []
    with pytest.raises(PayloadError, match="unknown payload shape"):
        metric_events(b'{"tickets": []}')


def test_zendesk_verdicts_sum_up_each_metric_instance() -> None:
    """Per metric instance: start, fulfilment, breach (deleted breaches dropped) and the target."""
    verdicts = {
        (v.metric, v.instance_id): v
        for v in zendesk_verdicts(metric_events(raw("ticket_metric_events.json")))
    }
    first = verdicts[("reply_time", 1)]
    assert first.ticketsla_metric == "first_reply_time"
    assert first.breached_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert first.fulfilled_at == datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
    second = verdicts[("reply_time", 2)]
    assert second.ticketsla_metric == "next_reply_time"
    assert second.breached_at is None
    assert second.target == timedelta(hours=2)
    assert verdicts[("agent_work_time", 1)].ticketsla_metric == "agent_work_time"
    assert verdicts[("requester_wait_time", 1)].ticketsla_metric == "requester_wait_time"


def test_an_unknown_metric_event_type_is_refused() -> None:
    """A metric event whose type Zendesk does not document is a PayloadError."""
    page = data("ticket_metric_events.json")
    page["ticket_metric_events"][0]["type"] = "explode"
    with pytest.raises(PayloadError, match=r"ticket_metric_events\[0\]\.type"):
        metric_events(page)
