"""Duplicate and out-of-order deliveries give the same event set."""

from __future__ import annotations

import random

import pytest
from jira_payloads import WEBHOOKS, parse, raw
from ticketsla_jira.testing import JiraPayloads

from ticketsla.events import TicketEvent, order_events
from ticketsla.testing import EventBuilder


def _history(names: list[str]) -> list[TicketEvent]:
    return order_events(e for name in names for e in parse(name))


@pytest.mark.parametrize("seed", range(5))
def test_shuffled_and_repeated_deliveries_give_one_history(seed: int) -> None:
    """Any delivery order, with every webhook delivered up to three times, folds to one history."""
    rng = random.Random(seed)
    deliveries = [name for name in WEBHOOKS for _ in range(rng.randint(1, 3))]
    rng.shuffle(deliveries)
    assert _history(deliveries) == _history(list(WEBHOOKS))


def test_webhook_history_has_no_duplicates_of_one_comment() -> None:
    """issue_commented and comment_created of one comment leave one event after ordering."""
    history = _history(list(WEBHOOKS))
    ids = [e.event_id for e in history]
    assert ids.count("comment:30101") == 1
    assert len(ids) == len(set(ids)) == 9


def test_backfill_over_webhooks_adds_nothing_new() -> None:
    """The REST issue after the webhooks adds only what the webhooks never carried."""
    hooks = {e.event_id for e in _history(list(WEBHOOKS))}
    both = {e.event_id for e in _history([*WEBHOOKS, "issue_expanded.json"])}
    assert both - hooks == {"changelog:20022:status", "changelog:20030:satisfaction"}


def test_a_json_array_of_deliveries_reads_like_the_deliveries_one_by_one() -> None:
    """A list of recorded webhook bodies gives the events of each body, in order."""
    array = b"[" + b",".join(raw(name) for name in WEBHOOKS) + b"]"
    assert parse(array) == [e for name in WEBHOOKS for e in parse(name)]


def test_parsing_is_deterministic() -> None:
    """The same bytes give equal events every time."""
    assert parse("issue_expanded.json") == parse("issue_expanded.json")


@pytest.mark.parametrize("seed", range(3))
def test_a_written_history_delivered_in_any_order_and_repeated_is_one_history(seed: int) -> None:
    """The same holds for a whole request written by ``ticketsla_jira.testing``: every body
    delivered up to three times, in any order, gives back exactly the events it was written from."""
    history = EventBuilder("HELP-9", source="jira")
    history.created(status="open", priority="high", requester="qm:9", tags=[], channel="jira")
    history.agent_reply(after="30m")
    history.status("pending", after="1m", actor="agent", seq=1)
    history.customer_message(after="2h")
    history.status("solved", after="3h", actor="agent", seq=1)
    history.rated(5, scale=(1, 5), after="1d", seq=1)
    jira = JiraPayloads()
    bodies = [jira.payload(e) for e in history.events]
    rng = random.Random(seed)
    deliveries = [body for body in bodies for _ in range(rng.randint(1, 3))]
    rng.shuffle(deliveries)
    delivered = order_events(e for body in deliveries for e in parse(body))
    assert delivered == order_events(e for body in bodies for e in parse(body))
    assert [e.to_dict() | {"event_id": ""} for e in delivered] == [
        e.to_dict() | {"event_id": ""} for e in order_events(history.events)
    ]
