"""Hostile and malformed payloads: refused with a PayloadError that says where and why."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("ticketsla_zendesk", reason="ticketsla-zendesk is not installed")

from ticketsla_zendesk import ZendeskAdapter
from zendesk_testdata import data

from ticketsla.errors import PayloadError
from ticketsla.plugins import get_plugin_manager, parse_payload
from ticketsla.sources import PayloadLimits

ADAPTER = ZendeskAdapter()


def audit_with(**changes: Any) -> dict[str, Any]:
    audit = data("audits_ticket_4711.json")["audits"][0]
    audit.update(changes)
    return {"audit": audit}


def test_an_unknown_shape_says_what_was_expected() -> None:
    """A JSON object of another kind lists the shapes the adapter reads and the keys it got."""
    with pytest.raises(
        PayloadError,
        match=r"unknown payload shape: expected a ticket audit .*got an object with keys 'tickets', 'count'",
    ):
        ADAPTER.parse(b'{"tickets": [], "count": 0}')


@pytest.mark.parametrize("body", [b"42", b'"audit"', b"null", b"true"])
def test_a_json_scalar_is_refused(body: bytes) -> None:
    """A bare number, text or null is not a Zendesk payload."""
    with pytest.raises(PayloadError, match="zendesk: expected a ticket audit"):
        ADAPTER.parse(body)


def test_an_array_of_unknown_things_is_refused_at_the_item() -> None:
    """In a JSON array, an item of no known kind is named by its index."""
    with pytest.raises(PayloadError, match=r"\[1\]: expected one of"):
        ADAPTER.parse([data("satisfaction_ratings.json")["satisfaction_ratings"][0], {"x": 1}])


def test_huge_bodies_are_refused_before_decoding() -> None:
    """A body over the limit is refused by size, whatever it holds."""
    body = b'{"audits": [' + b'{"id": 1},' * 200_000 + b'{"id": 1}]}'
    with pytest.raises(PayloadError, match="is over the limit of 1048576"):
        parse_payload("zendesk", body, pm=get_plugin_manager())


def test_deep_nesting_is_refused() -> None:
    """A custom field value nested thousands deep is refused by the depth scan."""
    body = b'{"audit": {"events": [{"value": ' + b"[" * 5000 + b"]" * 5000 + b"}]}}"
    with pytest.raises(PayloadError, match="nests deeper than 64 levels"):
        ADAPTER.parse(body, limits=PayloadLimits())


def test_bad_utf8_is_refused() -> None:
    """Bytes that are not UTF-8 are refused, not decoded with replacement."""
    with pytest.raises(PayloadError, match="zendesk: payload is not UTF-8"):
        ADAPTER.parse(b'{"audit": {"events": [], "ticket_id": "\xc3\x28"}}')


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"ticket_id": "4711; DROP TABLE"}, r"audit\.ticket_id: expected an id"),
        ({"ticket_id": True}, r"audit\.ticket_id: expected an id"),
        ({"ticket_id": 10**30}, r"audit\.ticket_id"),
        ({"created_at": "yesterday"}, r"audit\.created_at: expected an instant"),
        ({"created_at": "2026-03-02T09:00:00"}, r"audit\.created_at: expected an instant"),
        ({"created_at": 1e30}, r"audit\.created_at"),
        ({"events": {"not": "a list"}}, r"audit\.events: expected an array"),
        ({"via": {"channel": ["web"]}}, r"audit\.via: expected a via object"),
    ],
)
def test_wrong_types_are_refused_naming_the_field(changes: dict[str, Any], where: str) -> None:
    """Each malformed field is a PayloadError with its path in the payload."""
    with pytest.raises(PayloadError, match=where):
        ADAPTER.parse(audit_with(**changes))


def test_a_bad_status_value_is_refused() -> None:
    """A Create status Zendesk does not have is a PayloadError naming the event."""
    payload = audit_with()
    payload["audit"]["events"][2]["value"] = "exploded"
    with pytest.raises(PayloadError, match=r"audit\.events\[2\]\.value: expected a ticket status"):
        ADAPTER.parse(payload)


def test_an_event_type_that_is_not_text_is_refused() -> None:
    """An audit event whose type is an object is a PayloadError."""
    payload = audit_with()
    payload["audit"]["events"][0]["type"] = {"$ne": 1}
    with pytest.raises(PayloadError, match=r"audit\.events\[0\]\.type"):
        ADAPTER.parse(payload)


def test_nan_and_infinity_are_refused() -> None:
    """JSON's non-standard NaN and Infinity never reach the adapter's code."""
    with pytest.raises(PayloadError, match="not valid JSON"):
        ADAPTER.parse(b'{"audit": {"id": NaN}}')


def test_very_long_text_fields_are_cut_not_kept_whole() -> None:
    """A subject of 100 000 characters is kept to its first 1024."""
    payload = audit_with()
    payload["audit"]["events"][1]["value"] = "x" * 100_000
    created = ADAPTER.parse(json.dumps(payload))[0]
    assert created.subject is not None
    assert len(created.subject) == 1024


def test_a_tag_list_with_non_text_items_is_refused() -> None:
    """Tags must be texts; an object among them is a PayloadError."""
    payload = audit_with()
    payload["audit"]["events"][5]["value"] = ["ok", {"evil": True}]
    with pytest.raises(PayloadError, match="expected a list of tags"):
        ADAPTER.parse(payload)


# ---- fuzzing: any damage to a recorded payload is either read or refused, never a crash --------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
FUZZED = (
    "audits_ticket_4711.json",
    "incremental_ticket_events_page1.json",
    "webhook_comment_added_agent.json",
    "satisfaction_ratings.json",
    "audits_cursor_page_sideloads.json",
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replace(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return document


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fixture=st.sampled_from(FUZZED), pick=st.integers(min_value=0), new=JSON_VALUES)
def test_any_damaged_payload_is_read_or_refused_with_a_payload_error(
    fixture: str, pick: int, new: Any
) -> None:
    """Replacing any part of a recorded payload with any JSON gives events or a PayloadError."""
    document = data(fixture)
    paths = _paths(document)
    damaged = _replace(document, paths[pick % len(paths)], new)
    try:
        events = ZendeskAdapter(agent_ids=[7001]).parse(json.dumps(damaged))
    except PayloadError:
        return
    assert all(e.source == "zendesk" for e in events)
