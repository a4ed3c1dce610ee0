"""Fuzzing the seams where data enters: arbitrary JSON-like mappings, mutated adapter fixtures,
and mixed batches through a real engine.

The invariant everywhere: a typed error (``TicketSLAError``), or events that the store keeps
exactly (identifiers within their columns, no NUL, valid UTF-8, the instant inside the plausible
window, the stored body reading back to an equal event); never another exception; and in a batch,
every good item is stored whatever came with it.

CI replays a few hundred fixed examples; ``HYPOTHESIS_PROFILE=thorough`` explores thousands.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticketsla import SLAPolicy, TicketEvent, TicketSLAError
from ticketsla.engine import SLAEngine
from ticketsla.event_rules import MAX_ID_CHARS, plausible_window
from ticketsla.plugins import parse_payload, sources

THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
PROFILE = settings.get_profile("ticketsla-fuzz")  # tests/conftest.py
ENGINE_PROFILE = settings(PROFILE, max_examples=300 if THOROUGH else 25)

ROOT = Path(__file__).resolve().parents[1]
FIELDS = [
    "ticket_id",
    "event_id",
    "source",
    "at",
    "kind",
    "actor",
    "seq",
    "auto",
    "status",
    "priority",
    "rating",
    "scale",
    "tags",
    "subject",
    "channel",
    "assignee",
    "requester",
]
GOOD = {
    "ticket_id": "T-1",
    "event_id": "e-1",
    "source": "fuzz",
    "at": "2026-03-02T09:00:00+00:00",
    "kind": "satisfaction_rated",
    "rating": 4,
}
HOSTILE: list[Any] = [
    "--5",
    float("nan"),
    float("inf"),
    -0.0,
    4.7,
    [5],
    5,
    2**70,
    -(2**64),
    True,
    None,
    "",
    "good",
    "\ud800",
    "a\x00b",
    "x" * (MAX_ID_CHARS + 1),
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+14:00",
    "1026-03-02T00:00:00+00:00",
    "2026-03-02T10:00:00",
    "2026-03-02T09:00:00+00:00",
    {"a": 1},
    [1, [2]],
    "solved",
    "urgent",
    "created",
    "agent_reply",
]

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(st.characters(codec=None, categories=None), max_size=12),
    st.sampled_from(HOSTILE),
)
json_like = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mappings(draw: st.DrawFn) -> dict[Any, Any]:
    """A good event's mapping with fields dropped, replaced or added, often with hostile values."""
    data: dict[Any, Any] = dict(GOOD)
    for name in draw(st.sets(st.sampled_from(list(GOOD)), max_size=2)):
        del data[name]
    changes = draw(
        st.dictionaries(
            st.sampled_from(FIELDS) | st.text(max_size=8) | st.sampled_from([5, None, "self"]),
            json_like,
            max_size=4,
        )
    )
    data.update(changes)
    return data


def assert_storable(event: TicketEvent) -> None:
    """What both databases need of an event, and that its stored body reads back equal."""
    for ident in (event.ticket_id, event.event_id, event.source):
        assert 0 < len(ident) <= MAX_ID_CHARS
    body = json.dumps(event.to_dict(), sort_keys=True, ensure_ascii=False)
    body.encode("utf-8")  # no lone surrogate anywhere
    assert "\\u0000" not in body
    earliest, latest = plausible_window()
    assert earliest <= event.at < latest
    assert TicketEvent.from_dict(json.loads(body)) == event


@PROFILE
@given(mappings())
def test_any_mapping_is_an_event_the_store_keeps_or_a_typed_error(data: dict[Any, Any]) -> None:
    try:
        event = TicketEvent.from_dict(data)
    except TicketSLAError:
        return
    assert_storable(event)


# ---- mutated adapter fixtures -------------------------------------------------------------------


def _fixtures(source: str, suffix: str) -> list[Path]:
    return sorted((ROOT / "adapters" / source / "tests" / "fixtures").glob(f"*{suffix}"))


JSON_FIXTURES = [
    (source, path) for source in ("zendesk", "jira") for path in _fixtures(source, ".json")
]
EML_FIXTURES = _fixtures("email", ".eml")


def _installed(source: str) -> bool:
    try:
        sources().get(source)
    except TicketSLAError:
        return False
    return True


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> Any:
    """``document`` with a few leaves replaced, keys dropped or containers swapped."""
    paths: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, (*path, index))

    walk(document, ())
    result = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths))
        if not path:
            continue
        parent = result
        try:
            for step in path[:-1]:
                parent = parent[step]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(json_like)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation changed the shape above this path
    return result


@pytest.mark.skipif(not JSON_FIXTURES, reason="the adapters' fixtures are not in this checkout")
@PROFILE
@given(st.data())
def test_mutated_json_payloads_give_storable_events_or_a_typed_error(data: st.DataObject) -> None:
    source, path = data.draw(st.sampled_from(JSON_FIXTURES))
    if not _installed(source):
        pytest.skip(f"the {source} adapter is not installed")
    document = data.draw(mutated(json.loads(path.read_text(encoding="utf-8"))))
    body = json.dumps(document, ensure_ascii=data.draw(st.booleans()), allow_nan=True)
    try:
        events = parse_payload(source, body.encode("utf-8", "surrogatepass"))
    except TicketSLAError:
        return
    for event in events:
        assert_storable(event)


@pytest.mark.skipif(not EML_FIXTURES, reason="the e-mail fixtures are not in this checkout")
@PROFILE
@given(st.data())
def test_mutated_messages_give_storable_events_or_a_typed_error(data: st.DataObject) -> None:
    if not _installed("email"):
        pytest.skip("the email adapter is not installed")
    raw = data.draw(st.sampled_from(EML_FIXTURES)).read_bytes()
    lines = raw.split(b"\n")
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        lines[index] = data.draw(
            st.sampled_from(
                [
                    b"",
                    b"Date: Mon, 2 Mar 1026 09:00:00 +0000",
                    b"Date: Fri, 31 Dec 9999 23:59:59 -1200",
                    b"Message-ID: <\x00@x>",
                    b"Subject: =?utf-8?b?" + b"QUFB" * 3000 + b"?=",
                    b"From: \xff\xfe <a@b>",
                    b"Content-Type: multipart/mixed; boundary=",
                ]
            )
            | st.binary(max_size=40)
        )
    try:
        events = parse_payload("email", b"\n".join(lines))
    except TicketSLAError:
        return
    for event in events:
        assert_storable(event)


# ---- batches through a real engine --------------------------------------------------------------

POLICY = SLAPolicy.from_mapping(
    {"name": "fuzz", "calendar": "24x7", "targets": {"first_response": {"all": "1h"}}}
)
START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _good_batch(ticket: str) -> list[dict[str, Any]]:
    created = TicketEvent(
        ticket_id=ticket, event_id=f"{ticket}-1", source="fuzz", at=START, kind="created"
    )
    reply = TicketEvent(
        ticket_id=ticket,
        event_id=f"{ticket}-2",
        source="fuzz",
        at=START + timedelta(minutes=30),
        kind="agent_reply",
    )
    return [created.to_dict(), reply.to_dict()]


@pytest.fixture(scope="module")
def fuzz_engine(tmp_path_factory: pytest.TempPathFactory) -> Any:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'sla.db'}"
    with SLAEngine(url, policies=POLICY, now=START + timedelta(days=1)) as engine:
        yield engine


@ENGINE_PROFILE
@given(st.lists(mappings() | json_like, max_size=8), st.randoms(use_true_random=False))
def test_good_items_of_a_batch_are_always_stored(
    fuzz_engine: SLAEngine, hostile: list[Any], random: Any
) -> None:
    ticket = f"G-{uuid.uuid4().hex[:12]}"
    good = _good_batch(ticket)
    items = [*good, *hostile]
    random.shuffle(items)
    result = fuzz_engine.ingest(items)
    assert result.stored + result.duplicates + result.rejected == len(items)
    assert len(result.errors) == result.rejected
    assert {e.event_id for e in fuzz_engine.events(ticket)} == {g["event_id"] for g in good}
