"""Duplicate and out-of-order deliveries give the same event set."""

from __future__ import annotations

import random

import pytest
from jira_payloads import WEBHOOKS, parse, raw

from ticketsla.events import TicketEvent, order_events


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
