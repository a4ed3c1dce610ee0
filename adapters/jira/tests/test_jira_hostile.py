"""Hostile and malformed Jira payloads are PayloadErrors naming the source, never crashes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jira_payloads import load, parse, raw
from ticketsla_jira import JiraAdapter

from ticketsla.errors import PayloadError
from ticketsla.sources import PayloadLimits


def test_payload_over_the_size_limit_is_refused_before_decoding() -> None:
    """A body over the limit is refused, naming the size and the limit."""
    body = raw("issue_created.json")
    with pytest.raises(PayloadError, match=rf"jira: payload of {len(body)} bytes is over"):
        JiraAdapter().parse(body, headers={}, limits=PayloadLimits(max_bytes=len(body) - 1))


def test_huge_payload_is_refused_at_the_default_limit() -> None:
    """A 2 MiB body is over the default 1 MiB limit."""
    body = load("comment_created_public.json")
    body["comment"]["body"] = "x" * (2 * 1024 * 1024)
    with pytest.raises(PayloadError, match="over the limit"):
        parse(json.dumps(body).encode())


def test_deep_nesting_is_refused_without_recursion() -> None:
    """A body nested 100 000 levels deep is refused by the depth scan."""
    body = b'{"webhookEvent":"comment_created","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(PayloadError, match="nests deeper than 64 levels"):
        parse(body)


def test_deeply_nested_decoded_payload_is_refused() -> None:
    """An already decoded mapping is depth-checked too."""
    body: Any = {"webhookEvent": "comment_created"}
    node = body
    for _ in range(200):
        node["x"] = {}
        node = node["x"]
    with pytest.raises(PayloadError, match="nests deeper"):
        parse(body)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"webhookEvent": "comment_created",', "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"timestamp": NaN}', "not valid JSON"),
        (b"", "not valid JSON"),
        (b'"just text"', "expected an object"),
        (b"[[]]", "a list inside a list"),
        (b'{"hello": "world"}', "unknown payload shape"),
    ],
)
def test_unreadable_bodies_are_payload_errors(body: bytes, reason: str) -> None:
    """Broken JSON, other encodings, constants, scalars and unknown shapes are refused."""
    with pytest.raises(PayloadError, match=reason) as caught:
        parse(body)
    assert str(caught.value).startswith("jira: ")


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        (("issue",), ["HELP-42"], "issue: expected an object, got an array"),
        (("issue", "key"), {"k": 1}, "issue.key: expected an id"),
        (("issue", "key"), True, "issue.key: expected an id"),
        (("issue", "key"), "HELP-42\r\nX: y", "is not a usable id"),
        (("changelog", "items"), "status", "changelog.items: expected an array"),
        (("changelog", "items", 0), 7, "item 0: expected an object"),
        (("changelog", "items", 0, "toString"), ["Done"], "toString: expected text"),
        (("changelog", "id"), None, "changelog.id: expected an id, got null"),
        (("timestamp",), {"ms": 1}, "timestamp: expected a timestamp"),
        (("user",), "ravi", "user: expected an object"),
        (("issue", "fields", "status"), 3, "status: expected an object"),
    ],
)
def test_fields_of_the_wrong_type_are_named(path: tuple[Any, ...], value: Any, reason: str) -> None:
    """A field of the wrong JSON type is a PayloadError naming the field, never a TypeError."""
    body = load("issue_updated_status.json")
    node = body
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    with pytest.raises(PayloadError, match=reason):
        parse(body)


def test_comment_with_a_boolean_id_is_refused() -> None:
    """A boolean comment id is not an id."""
    body = load("comment_created_public.json")
    body["comment"]["id"] = True
    with pytest.raises(PayloadError, match=r"comment\.id: expected an id, got a boolean"):
        parse(body)


def test_control_characters_in_the_summary_never_reach_the_event() -> None:
    """CR, LF and other controls in a summary are folded to spaces in the subject."""
    body = load("issue_created.json")
    body["issue"]["fields"]["summary"] = "VPN down\r\nBcc: everyone@example.com\x00\u2028!"
    (event,) = parse(body)
    assert event.subject == "VPN down Bcc: everyone@example.com !"


def test_huge_summary_is_cut() -> None:
    """A 100 000-character summary is cut to 1000 characters."""
    body = load("issue_created.json")
    body["issue"]["fields"]["summary"] = "a" * 100_000
    (event,) = parse(body)
    assert event.subject == "a" * 1000


def test_ten_thousand_changelog_items_are_read_in_bounded_time() -> None:
    """Many irrelevant items inside the size limit are skipped without trouble."""
    body = load("issue_updated_status.json")
    filler = {"field": "description", "fieldtype": "jira", "fieldId": "description",
              "from": None, "fromString": "a", "to": None, "toString": "b"}  # fmt: skip
    body["changelog"]["items"] = [filler] * 10_000 + body["changelog"]["items"]
    (event,) = parse(body)
    assert event.seq == 10_001
