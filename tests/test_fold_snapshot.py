"""Fold snapshots resume to exactly what the whole fold gives (``ticketsla.fold_snapshot``).

The tickets are the generated ones of the clock property tests: four calendars, starts near DST
changes and holidays, reopen rules, policy switches. A snapshot is taken after a random number
of events, written to JSON and read back, and the fold resumed from it over the rest must equal
the fold of the whole history, for any instant at or after the snapshot.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from test_clock_properties import PROFILE, SwitchingTicket, Ticket, switching_tickets, tickets
from ticketsla import ClockStateError, SLAPolicy, TicketEvent
from ticketsla._instants import to_us
from ticketsla.clock import fold
from ticketsla.events import order_events
from ticketsla.fold_snapshot import KEY_CHARS, FoldSnapshot, fold_with_snapshot, snapshot_key


def _resumes_exactly(
    events: tuple[TicketEvent, ...], policies: object, at_us: int, cut: int
) -> None:
    ordered = order_events(events)
    k = max(1, min(cut, len(ordered)))
    key = snapshot_key(policies)  # type: ignore[arg-type]
    last_us = ordered[k - 1].at_us
    head, snapshot = fold_with_snapshot(ordered[:k], policies, last_us, key=key, lag=0)  # type: ignore[arg-type]
    assert snapshot is not None
    assert snapshot.count == k
    assert head == fold(ordered[:k], policies, last_us)  # type: ignore[arg-type]
    stored = FoldSnapshot.from_json(snapshot.to_json())
    assert stored.to_json() == snapshot.to_json()
    assert FoldSnapshot.key_in(snapshot.to_json()[:KEY_CHARS]) == key  # read without parsing it
    at = max(at_us, last_us)
    whole = fold(ordered, policies, at)  # type: ignore[arg-type]
    for kept in (snapshot, stored, snapshot):  # in memory (twice: it stays intact), from JSON
        resumed, _ = fold_with_snapshot(ordered[k:], policies, at, key=key, snapshot=kept)  # type: ignore[arg-type]
        assert resumed == whole
    assert resumed.clocks == whole.clocks
    assert (resumed.fcr, resumed.csat, resumed.fields) == (whole.fcr, whole.csat, whole.fields)
    settled = snapshot.settled()
    assert settled == stored.settled()
    for kept in (snapshot, stored):  # settled cycles hidden: the others are the whole fold's
        shown, _ = fold_with_snapshot(
            ordered[k:],
            policies,  # type: ignore[arg-type]
            at,
            key=key,
            snapshot=kept,
            hide=settled,
        )
        assert shown.clocks == tuple(
            c for c in whole.clocks if not 2 <= c.cycle <= settled.get(c.metric, 0)
        )
        assert (shown.policy, shown.priority, shown.fcr) == (
            whole.policy,
            whole.priority,
            whole.fcr,
        )
    # the next snapshot, taken from one in memory or read back (its settled cycles decoded
    # or left as text), is written alike, and resumes to the whole fold
    texts = set()
    for kept, hide in ((snapshot, None), (stored, None), (stored, settled), (snapshot, settled)):
        _, taken = fold_with_snapshot(
            ordered[k:],
            policies,  # type: ignore[arg-type]
            at,
            key=key,
            snapshot=FoldSnapshot.from_json(kept.to_json()) if kept is stored else kept,
            lag=1,
            hide=hide,
        )
        if taken is None or taken is kept:
            continue
        texts.add(taken.to_json())
        again, _ = fold_with_snapshot(
            [e for e in ordered if e.order > taken.last],
            policies,  # type: ignore[arg-type]
            at,
            key=key,
            snapshot=FoldSnapshot.from_json(taken.to_json()),
        )
        assert again.clocks == whole.clocks
    assert len(texts) <= 1


@PROFILE
@given(ticket=tickets(), cut=st.integers(min_value=1, max_value=14))
def test_resuming_from_a_snapshot_equals_the_whole_fold(ticket: Ticket, cut: int) -> None:
    _resumes_exactly(ticket.events, ticket.policy, to_us(ticket.at), cut)


@PROFILE
@given(ticket=switching_tickets(), cut=st.integers(min_value=1, max_value=14))
def test_resuming_across_policy_switches_equals_the_whole_fold(
    ticket: SwitchingTicket, cut: int
) -> None:
    _resumes_exactly(ticket.events, ticket.policies, to_us(ticket.at), cut)


@PROFILE
@given(ticket=tickets(), lag=st.integers(min_value=0, max_value=6), late=st.integers(0, 5))
def test_a_late_event_after_the_snapshot_refolds_from_it(
    ticket: Ticket, lag: int, late: int
) -> None:
    """The engine's path: fold with a lagging snapshot, then a late event lands among the last
    events; resuming from the snapshot with the events after it equals the whole fold."""
    ordered = order_events(ticket.events)
    key = snapshot_key(ticket.policy)
    at = to_us(ticket.at)
    _, snapshot = fold_with_snapshot(ordered, ticket.policy, at, key=key, lag=lag)
    slot = max(len(ordered) - 1 - late, 0)
    when = ordered[slot].at + timedelta(seconds=1)
    event = TicketEvent(ticket_id="T-1", event_id="late", at=when, kind="customer_message", seq=99)
    everything = [*ordered, event]
    whole = fold(everything, ticket.policy, at + 1_000_000)
    if snapshot is None or event.order <= snapshot.last:
        with pytest.raises(ClockStateError) if snapshot is not None else _nothing():
            if snapshot is not None:
                fold_with_snapshot([event], ticket.policy, at, key=key, snapshot=snapshot)
        return
    rest = [e for e in everything if e.order > snapshot.last]
    again, newer = fold_with_snapshot(
        rest, ticket.policy, at + 1_000_000, key=key, snapshot=snapshot
    )
    assert again == whole
    assert newer is not None
    assert newer.count >= snapshot.count


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _ticket() -> list[TicketEvent]:
    from datetime import UTC, datetime

    start = datetime(2026, 3, 2, 14, tzinfo=UTC)
    kinds = ["customer_message", "agent_reply"] * 5
    return [
        TicketEvent(ticket_id="T", event_id="c", at=start, kind="created", priority="high"),
        *(
            TicketEvent(ticket_id="T", event_id=f"e{i}", at=start + timedelta(hours=i + 1), kind=k)
            for i, k in enumerate(kinds)
        ),
    ]


POLICY = SLAPolicy.from_mapping(
    {
        "name": "p",
        "calendar": "us-business",
        "targets": {
            "first_response": {"all": "1h"},
            "next_response": {"all": "2h"},
            "resolution": {"all": "8h"},
        },
    }
)


def test_a_stale_key_or_an_event_before_the_snapshot_is_refused() -> None:
    events = _ticket()
    key = snapshot_key(POLICY)
    at = events[-1].at_us
    _, snapshot = fold_with_snapshot(events, POLICY, at, key=key, lag=3)
    assert snapshot is not None
    assert snapshot.count == len(events) - 3
    other = SLAPolicy.from_mapping(
        {"name": "p", "calendar": "us-business", "targets": {"first_response": {"all": "2h"}}}
    )
    assert snapshot_key(other) != key
    assert snapshot_key(POLICY, plugins="chooser 1.0") != key
    with pytest.raises(ClockStateError, match="stale"):
        fold_with_snapshot(events[-3:], other, at, key=snapshot_key(other), snapshot=snapshot)
    with pytest.raises(ClockStateError, match="sorts before"):
        fold_with_snapshot(events[-4:], POLICY, at, key=key, snapshot=snapshot)
    resumed, _ = fold_with_snapshot(events[-3:], POLICY, at, key=key, snapshot=snapshot)
    assert resumed == fold(events, POLICY, at)
    assert "resumed from a snapshot after 8 events" in resumed.explain()
    assert "next_response #4: started by customer_message" in resumed.explain()


@pytest.mark.parametrize(
    "text",
    ["", "[]", "{}", '{"format": 9}', '{"format":1,"key":"k","count":1,"last":[1],"state":{}}'],
)
def test_a_damaged_snapshot_is_a_typed_error(text: str) -> None:
    with pytest.raises(ClockStateError):
        FoldSnapshot.from_json(text)


def test_a_snapshot_with_a_damaged_state_is_a_typed_error_on_resume() -> None:
    events = _ticket()
    key = snapshot_key(POLICY)
    _, snapshot = fold_with_snapshot(events, POLICY, events[-1].at_us, key=key, lag=2)
    assert snapshot is not None
    broken = FoldSnapshot(key=key, count=snapshot.count, last=snapshot.last, state={"x": 1})
    with pytest.raises(ClockStateError, match="unreadable"):
        fold_with_snapshot(events[-2:], POLICY, events[-1].at_us, key=key, snapshot=broken)


def test_a_settled_clock_moved_to_another_instant_differs_in_that_instant_only() -> None:
    import dataclasses

    from ticketsla.clock import _at_instant

    events = _ticket()
    state = fold(events, POLICY, events[-1].at_us).clocks[0]
    moved = _at_instant(state, state.at_us + 5)
    assert moved == dataclasses.replace(state, at_us=state.at_us + 5)
    assert moved.counting == state.counting  # compare=False: checked by hand
    assert _at_instant(state, state.at_us) is state


def test_the_folds_clock_builder_equals_the_constructor() -> None:
    import dataclasses

    from ticketsla.clock import ClockState

    events = _ticket()
    states = fold(events, POLICY, events[-1].at_us + 3_600_000_000).clocks
    assert states
    for state in states:
        assert type(state) is ClockState
        values = {f.name: getattr(state, f.name) for f in dataclasses.fields(state)}
        built = ClockState(**values)
        assert built == state
        assert built.counting == state.counting  # compare=False: checked by hand
        assert state.escalations_us == ()
        with pytest.raises(dataclasses.FrozenInstanceError):
            state.elapsed_us = 0  # type: ignore[misc]


def test_the_folds_ticket_builder_equals_the_constructor() -> None:
    import dataclasses

    from ticketsla.clock import TicketSLA

    events = _ticket()
    sla = fold(events, POLICY, events[-1].at_us)
    names = [f.name for f in dataclasses.fields(TicketSLA)]
    # the fields clock._Fold.result sets one by one: a new field must be set there too
    assert names == [
        "ticket_id",
        "at_us",
        "policy",
        "policy_reason",
        "priority",
        "status",
        "fields",
        "clocks",
        "fcr",
        "csat",
        "_explain",
        "escalation_trail",
    ]
    rebuilt = TicketSLA(**{name: getattr(sla, name) for name in names})
    assert rebuilt == sla
    assert rebuilt.escalation_trail == sla.escalation_trail == ()


def _conversation(messages: int) -> list[TicketEvent]:
    """Customer messages and agent replies by turns, an hour apart: a cycle per message."""
    start = datetime(2026, 3, 2, 14, tzinfo=UTC)
    events = [TicketEvent(ticket_id="C-1", event_id="c0", at=start, kind="created")]
    for n in range(1, 2 * messages):
        kind = "customer_message" if n % 2 else "agent_reply"
        at = start + timedelta(hours=n)
        events.append(TicketEvent(ticket_id="C-1", event_id=f"c{n}", at=at, kind=kind))
    return events


def test_settled_cycles_read_back_stay_text_until_a_fold_shows_them() -> None:
    """A snapshot of a long conversation read back keeps each metric's cycles between its
    first and latest as text: a fold that hides them never decodes them, and writes them on
    as they were; one that shows them decodes them; damaged, they are a ClockStateError."""
    ordered = order_events(_conversation(60))
    key = snapshot_key(POLICY)
    at = ordered[-1].at_us + 1
    whole = fold(ordered, POLICY, at)
    _, snapshot = fold_with_snapshot(ordered[:-10], POLICY, at, key=key, lag=10)
    assert snapshot is not None
    settled = snapshot.settled()
    assert settled["next_response"] > 40
    text = snapshot.to_json()
    head, _, middle = text.partition("\n")
    assert len(head) < len(middle) / 5
    assert middle.count("\n") == 0
    stored = FoldSnapshot.from_json(text)
    assert stored.settled() == settled
    assert stored.to_json() == text
    rest = ordered[snapshot.count :]
    shown, _ = fold_with_snapshot(rest, POLICY, at, key=key, snapshot=stored, hide=settled)
    assert shown.clocks == tuple(
        c for c in whole.clocks if not 2 <= c.cycle <= settled.get(c.metric, 0)
    )
    resumed, _ = fold_with_snapshot(rest, POLICY, at, key=key, snapshot=stored)
    assert resumed == whole
    # a snapshot taken from one read back, its settled cycles left as text, is written as one
    # taken in memory is
    taken = [
        fold_with_snapshot(rest, POLICY, at, key=key, snapshot=kept, lag=2, hide=settled)[1]
        for kept in (snapshot, FoldSnapshot.from_json(text))
    ]
    assert taken[0] is not None
    assert taken[1] is not None
    assert taken[0].to_json() == taken[1].to_json() != text
    again = FoldSnapshot.from_json(taken[1].to_json())
    after = [e for e in ordered if e.order > again.last]
    assert fold_with_snapshot(after, POLICY, at, key=key, snapshot=again)[0] == whole
    damaged = FoldSnapshot.from_json(head + "\n" + middle.replace('"number":', '"numbr":', 1))
    with pytest.raises(ClockStateError, match="unreadable"):
        fold_with_snapshot(rest, POLICY, at, key=key, snapshot=damaged)
    hidden, _ = fold_with_snapshot(rest, POLICY, at, key=key, snapshot=damaged, hide=settled)
    assert hidden == shown
