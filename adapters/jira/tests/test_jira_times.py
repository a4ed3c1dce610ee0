"""Jira timestamps: colon-less offsets, ISO 8601 and epoch milliseconds, never a guessed zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from jira_payloads import load, parse

from ticketsla.errors import PayloadError

INSTANT = datetime(2026, 3, 2, 9, 47, 31, 171000, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-02T10:47:31.171+0100",
        "2026-03-02T10:47:31.171+01:00",
        "2026-03-02T09:47:31.171Z",
        "2026-03-02T04:47:31.171-0500",
        1772444851171,
        "1772444851171",
    ],
)
def test_timestamp_forms_give_the_same_instant(value: Any) -> None:
    """Offsets with and without a colon, Z, and epoch milliseconds read as one instant."""
    body = load("comment_created_public.json")
    body["comment"]["created"] = value
    (event,) = parse(body)
    assert event.at == INSTANT
    assert event.at.utcoffset() is not None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-03-02T10:47:31.171", "no UTC offset"),
        ("yesterday at noon", "neither ISO 8601 nor epoch milliseconds"),
        (True, "got a boolean"),
        ({"millis": 1}, "got an object"),
        (10**15, "out of range"),
    ],
)
def test_unusable_timestamps_are_payload_errors(value: Any, reason: str) -> None:
    """A naive, malformed, mistyped or out-of-range time is refused, naming the field."""
    body = load("comment_created_public.json")
    body["comment"]["created"] = value
    with pytest.raises(PayloadError, match=rf"jira: comment.created: .*{reason}"):
        parse(body)


def test_missing_comment_time_falls_back_to_the_webhook_timestamp() -> None:
    """A comment without created takes the delivery's timestamp (epoch milliseconds)."""
    body = load("comment_created_public.json")
    del body["comment"]["created"]
    (event,) = parse(body)
    assert event.at == datetime(2026, 3, 2, 9, 47, 31, 240000, tzinfo=UTC)
