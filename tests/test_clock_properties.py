"""Property tests of the clock fold on generated, realistic tickets.

Tickets are a ``created`` event followed by customer messages, agent replies (some automatic),
internal notes, status changes (pending, on hold, solved, closed, reopen) and priority changes, on
us-business, de-business, 24x7 and follow-the-sun, starting near DST changes and holidays. The
judge of elapsed and due times is a small model of the resolution clock written here from the
issue's rules (it runs whenever the status is not pending, on hold, solved or closed; a reopen
continues it), using only ``Calendar.elapsed`` and ``Calendar.add``, which have their own
brute-force property tests.

Run more examples with ``HYPOTHESIS_PROFILE=thorough``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ticketsla import (
    Calendar,
    ClockStatus,
    PolicySet,
    Priority,
    SLAPolicy,
    TicketEvent,
    due_at,
    evaluate,
    next_change_at,
)
from ticketsla.events import order_events

PROFILE = settings.get_profile("ticketsla-clock")  # tests/conftest.py

CALENDARS = ("us-business", "de-business", "24x7", "follow-the-sun")
PAUSED = frozenset({"pending", "on_hold"})
DONE = frozenset({"solved", "closed"})
# Mondays and weeks where things go wrong: DST in the US and the EU, Thanksgiving, Christmas.
ANCHORS = [
    datetime(2026, 3, 5, tzinfo=UTC),
    datetime(2026, 3, 26, tzinfo=UTC),
    datetime(2026, 6, 15, tzinfo=UTC),
    datetime(2026, 10, 22, tzinfo=UTC),
    datetime(2026, 10, 29, tzinfo=UTC),
    datetime(2026, 11, 24, tzinfo=UTC),
    datetime(2026, 12, 23, tzinfo=UTC),
]
TARGETS = {
    "first_response": {"urgent": "1h", "high": "4h", "normal": "8h"},  # low: no clock
    "next_response": {"urgent": "30m", "all": "2h"},
    "periodic_update": {"all": "4h"},
    "resolution": {"urgent": "4h", "high": "8h", "normal": "16h", "low": "24h"},
}
RESOLUTION_US = {
    Priority.URGENT: 4 * 3_600_000_000,
    Priority.HIGH: 8 * 3_600_000_000,
    Priority.NORMAL: 16 * 3_600_000_000,
    Priority.LOW: 24 * 3_600_000_000,
}


@cache
def policy(
    calendar: str, on_reopen: str = "continue", resolution_calendar: str | None = None
) -> SLAPolicy:
    metric: dict[str, Any] = {"on_reopen": on_reopen}
    if resolution_calendar is not None:
        metric["calendar"] = resolution_calendar
    return SLAPolicy.from_mapping(
        {
            "name": f"{calendar}-{on_reopen}-{resolution_calendar}",
            "calendar": calendar,
            "targets": TARGETS,
            "metrics": {"resolution": metric},
            "warnings": {"at": ["75%", "30m"]},
        }
    )


@cache
def policy_set(calendar: str, on_reopen: str) -> PolicySet:
    """A VIP policy (tickets tagged vip) with tighter targets before the default policy."""
    vip = SLAPolicy.from_mapping(
        {
            "name": f"vip-{calendar}-{on_reopen}",
            "calendar": calendar,
            "match": {"tags": ["vip"]},
            "targets": {
                "first_response": {"all": "30m"},
                "next_response": {"all": "1h"},
                "periodic_update": {"all": "2h"},
                "resolution": {"all": "4h"},
            },
            "metrics": {"resolution": {"on_reopen": on_reopen}},
            "warnings": {"at": ["50%"]},
        }
    )
    return PolicySet([vip], default=policy(calendar, on_reopen))


@cache
def calendar(name: str) -> Calendar:
    return Calendar.load(name)


# ---- generated tickets ------------------------------------------------------------------------


@dataclass(frozen=True)
class Ticket:
    events: tuple[TicketEvent, ...]
    policy: SLAPolicy
    at: datetime  # an instant after (or among) the events


GAPS = st.one_of(
    st.sampled_from([0, 1, 15, 30, 60, 90, 240, 480, 960, 1440, 2880, 4320]),
    st.integers(min_value=0, max_value=6000),
)
STEP: st.SearchStrategy[tuple[str, dict[str, Any]]] = st.one_of(
    st.tuples(
        st.just("customer_message"), st.booleans().map(lambda b: {"auto": True} if b else {})
    ),
    st.tuples(
        st.just("agent_reply"),
        st.sampled_from([{}, {}, {}, {"auto": True}]),
    ),
    st.tuples(st.just("internal_note"), st.just({})),
    st.tuples(
        st.just("status_changed"),
        st.sampled_from(["open", "pending", "on_hold", "solved", "closed", "new", "open"]).map(
            lambda s: {"status": s}
        ),
    ),
    st.tuples(
        st.just("priority_changed"),
        st.sampled_from([p.value for p in Priority]).map(lambda p: {"priority": p}),
    ),
)


@st.composite
def tickets(
    draw: st.DrawFn,
    *,
    ordered_by_seq: bool = False,
    on_reopen: tuple[str, ...] = ("continue", "restart", "new_cycle"),
) -> Ticket:
    """A realistic ticket; with ``ordered_by_seq`` each event's seq is its place in the list."""
    cal = draw(st.sampled_from(CALENDARS))
    resolution_cal = draw(st.sampled_from([None, None, None, "24x7"]))
    chosen = policy(cal, draw(st.sampled_from(on_reopen)), resolution_cal)
    start = draw(st.sampled_from(ANCHORS)) + timedelta(
        minutes=draw(st.integers(min_value=0, max_value=7 * 24 * 60))
    )
    created_fields = draw(
        st.sampled_from([{}, {"priority": "urgent"}, {"priority": "high"}, {"priority": "low"}])
    )
    steps = draw(st.lists(st.tuples(GAPS, STEP), max_size=12))
    events = [_event(0, start, "created", created_fields, ordered_by_seq)]
    when = start
    for i, (gap, (kind, fields)) in enumerate(steps, start=1):
        when = when + timedelta(minutes=gap)
        events.append(_event(i, when, kind, fields, ordered_by_seq))
    at = when + timedelta(minutes=draw(st.integers(min_value=0, max_value=5 * 24 * 60)))
    return Ticket(events=tuple(events), policy=chosen, at=at)


@dataclass(frozen=True)
class SwitchingTicket:
    events: tuple[TicketEvent, ...]
    policies: PolicySet
    calendar: Calendar
    on_reopen: str
    at: datetime


@st.composite
def switching_tickets(draw: st.DrawFn) -> SwitchingTicket:
    """A ticket that is tagged vip and untagged on the way, moving between two policies."""
    cal = draw(st.sampled_from(CALENDARS))
    on_reopen = draw(st.sampled_from(["continue", "restart", "new_cycle"]))
    start = draw(st.sampled_from(ANCHORS)) + timedelta(
        minutes=draw(st.integers(min_value=0, max_value=7 * 24 * 60))
    )
    tagging = st.tuples(
        st.just("fields_changed"), st.sampled_from([{"tags": ["vip"]}, {"tags": []}])
    )
    steps = draw(st.lists(st.tuples(GAPS, st.one_of(STEP, tagging, tagging)), max_size=12))
    created: dict[str, Any] = draw(st.sampled_from([{}, {"tags": ["vip"]}, {"priority": "low"}]))
    events = [_event(0, start, "created", created, True)]
    when = start
    for i, (gap, (kind, fields)) in enumerate(steps, start=1):
        when = when + timedelta(minutes=gap)
        events.append(_event(i, when, kind, fields, True))
    at = when + timedelta(minutes=draw(st.integers(min_value=0, max_value=5 * 24 * 60)))
    return SwitchingTicket(
        events=tuple(events),
        policies=policy_set(cal, on_reopen),
        calendar=calendar(cal),
        on_reopen=on_reopen,
        at=at,
    )


def _event(
    i: int, at: datetime, kind: str, fields: dict[str, Any], ordered_by_seq: bool
) -> TicketEvent:
    return TicketEvent(
        ticket_id="T-1",
        event_id=f"e{i:02d}",
        at=at,
        kind=kind,
        seq=i if ordered_by_seq else 0,
        **fields,
    )


# ---- a model of the resolution clock (on_reopen = continue) -------------------------------------


@dataclass(frozen=True)
class Model:
    elapsed_us: int
    running: bool
    last_resume: datetime | None  # when the clock last went from stopped to running
    elapsed_at_resume_us: int
    target_us: int


def resolution_model(events: tuple[TicketEvent, ...], at: datetime, cal: Calendar) -> Model:
    """The resolution clock from the issue's rules, for events already in history order.

    It runs while the status is none of pending, on hold, solved, closed. Its target follows the
    priority while the clock is open (running or paused) and is taken afresh when a solved ticket
    reopens; a solved clock keeps the target it was met or missed against.
    """
    status: str | None = None
    priority = Priority.NORMAL
    target_priority = priority
    elapsed = 0
    since: datetime | None = None  # running since
    last_resume: datetime | None = None
    at_resume = 0

    def runs(s: str | None) -> bool:
        return s not in PAUSED and s not in DONE

    def move(new: str | None, when: datetime) -> None:
        nonlocal status, elapsed, since, last_resume, at_resume, target_priority
        if status in DONE and new not in DONE:
            target_priority = priority  # a reopen measures against the target of today
        was, now = runs(status), runs(new)
        if was and not now and since is not None:
            elapsed += _us(cal.elapsed(since, when))
            since = None
        elif now and not was:
            since, last_resume, at_resume = when, when, elapsed
        status = new

    for event in events:
        if event.at > at:
            break
        if event.kind == "created":
            since, last_resume, at_resume = event.at, event.at, 0
        if event.priority is not None:
            priority = event.priority
            if status not in DONE:
                target_priority = priority
        if event.kind == "status_changed":
            move(str(event.status), event.at)
        elif (
            event.kind == "customer_message"
            and not event.auto
            and status in ("solved", "pending", "on_hold")
        ):
            move("open", event.at)
    if since is not None:
        elapsed += _us(cal.elapsed(since, at))
    return Model(
        elapsed_us=elapsed,
        running=since is not None,
        last_resume=last_resume,
        elapsed_at_resume_us=at_resume,
        target_us=RESOLUTION_US[target_priority],
    )


FIRST_RESPONSE_US = {
    Priority.URGENT: 1 * 3_600_000_000,
    Priority.HIGH: 4 * 3_600_000_000,
    Priority.NORMAL: 8 * 3_600_000_000,
}


@dataclass(frozen=True)
class FirstResponse:
    target_us: int | None  # None: the ticket has no first-response clock
    elapsed_us: int
    status: ClockStatus


def first_response_model(
    events: tuple[TicketEvent, ...], at: datetime, cal: Calendar
) -> FirstResponse:
    """First response from the issue's rules: from created to the first public reply or a solve.

    It never pauses. Its target follows the priority until it stops; while a priority without a
    target (low) applies it shows as cancelled at the instant the target vanished, and it runs on
    unseen: a target applying again measures it from its original start.
    """
    start: datetime | None = None
    stop: datetime | None = None
    status: str | None = None
    outcome = ClockStatus.RUNNING
    target = FIRST_RESPONSE_US.get(Priority.NORMAL)
    vanished: tuple[datetime, int] | None = None  # when the target vanished, and which it was
    for event in events:
        if event.at > at:
            break
        if event.kind == "created" and start is None:
            start = event.at
        if event.priority is not None and stop is None:
            new = FIRST_RESPONSE_US.get(event.priority)
            if new is None and target is not None and event.kind != "created":
                vanished = (event.at, target)
            elif new is not None:
                vanished = None
            target = new
        if stop is not None:
            continue
        if event.kind == "agent_reply" and not event.auto:
            stop, outcome = event.at, ClockStatus.FULFILLED
        elif event.kind == "status_changed" and event.status != status:
            status = str(event.status)
            if status in DONE:
                stop, outcome = event.at, ClockStatus.FULFILLED
        elif (
            event.kind == "customer_message"
            and not event.auto
            and status in ("solved", "pending", "on_hold")
        ):
            status = "open"
    assert start is not None
    if target is None and vanished is not None:
        return FirstResponse(
            target_us=vanished[1],
            elapsed_us=_us(cal.elapsed(start, vanished[0])),
            status=ClockStatus.CANCELLED,
        )
    return FirstResponse(
        target_us=target,
        elapsed_us=_us(cal.elapsed(start, stop if stop is not None else at)),
        status=outcome,
    )


NEXT_RESPONSE_US = {
    Priority.URGENT: 30 * 60_000_000,
    Priority.HIGH: 2 * 3_600_000_000,
    Priority.NORMAL: 2 * 3_600_000_000,
    Priority.LOW: 2 * 3_600_000_000,
}


def next_response_model(
    events: tuple[TicketEvent, ...], at: datetime
) -> list[tuple[datetime, datetime | None, int]]:
    """Next-response cycles from the issue's rules as (start, stop, target) triples.

    After the first response has stopped (a public reply, a solve, or its cancellation), a
    customer's message starts a cycle unless one is running or the ticket is solved or closed;
    the next public reply or a solve stops it. Its target follows the priority while it runs.
    """
    first_response_stopped = False
    status: str | None = None
    priority = Priority.NORMAL
    cycles: list[tuple[datetime, datetime | None, int]] = []

    def running() -> bool:
        return bool(cycles) and cycles[-1][1] is None

    def stop(when: datetime) -> None:
        if running():
            cycles[-1] = (cycles[-1][0], when, cycles[-1][2])

    for event in events:
        if event.at > at:
            break
        if event.priority is not None:
            priority = event.priority
            if running():
                cycles[-1] = (cycles[-1][0], None, NEXT_RESPONSE_US[priority])
        if event.kind == "agent_reply" and not event.auto:
            stop(event.at)
            first_response_stopped = True
        elif event.kind == "status_changed" and event.status != status:
            status = str(event.status)
            if status in DONE:
                stop(event.at)
                first_response_stopped = True
        elif event.kind == "customer_message" and not event.auto:
            if status in ("solved", "pending", "on_hold"):
                status = "open"
            if first_response_stopped and not running() and status not in DONE:
                cycles.append((event.at, None, NEXT_RESPONSE_US[priority]))
    return cycles


@dataclass
class UpdateCycle:
    start: datetime
    stop: datetime | None = None
    status: ClockStatus = ClockStatus.RUNNING
    elapsed_us: int = 0
    since: datetime | None = None  # running since


def periodic_update_model(
    events: tuple[TicketEvent, ...], at: datetime, cal: Calendar
) -> list[UpdateCycle]:
    """Periodic-update cycles from the issue's rules.

    Each public reply closes the running cycle and, unless the ticket is solved or closed, opens
    the next; a cycle never pauses (Zendesk's periodic update); a solve cancels it.
    """
    status: str | None = None
    cycles: list[UpdateCycle] = []

    def active() -> UpdateCycle | None:
        return cycles[-1] if cycles and cycles[-1].stop is None else None

    def end(cycle: UpdateCycle, when: datetime, outcome: ClockStatus) -> None:
        if cycle.since is not None:
            cycle.elapsed_us += _us(cal.elapsed(cycle.since, when))
            cycle.since = None
        cycle.stop, cycle.status = when, outcome

    def set_status(new: str, when: datetime) -> None:
        nonlocal status
        status = new
        cycle = active()
        if cycle is None:
            return
        if new in DONE:
            end(cycle, when, ClockStatus.CANCELLED)

    for event in events:
        if event.at > at:
            break
        if event.kind == "agent_reply" and not event.auto:
            cycle = active()
            if cycle is not None:
                end(cycle, event.at, ClockStatus.FULFILLED)
            if status not in DONE:
                cycles.append(UpdateCycle(start=event.at, since=event.at))
        elif event.kind == "status_changed" and event.status != status:
            set_status(str(event.status), event.at)
        elif (
            event.kind == "customer_message"
            and not event.auto
            and status in ("solved", "pending", "on_hold")
        ):
            set_status("open", event.at)
    for cycle in cycles:
        if cycle.since is not None:
            cycle.elapsed_us += _us(cal.elapsed(cycle.since, at))
        if cycle.stop is None and cycle.since is None:
            cycle.status = ClockStatus.PAUSED
    return cycles


@dataclass
class ResolutionCycle:
    start: datetime
    target: Priority
    stop: datetime | None = None
    elapsed_us: int = 0
    since: datetime | None = None  # running since


def resolution_cycles_model(
    events: tuple[TicketEvent, ...], at: datetime, cal: Calendar, on_reopen: str
) -> list[ResolutionCycle]:
    """Resolution cycles under each ``on_reopen`` rule: continue, restart or new_cycle."""
    status: str | None = None
    priority = Priority.NORMAL
    cycles: list[ResolutionCycle] = []

    def move(new: str, when: datetime) -> None:
        nonlocal status
        old, status = status, new
        last = cycles[-1]
        if old in DONE and new not in DONE:  # reopened
            if on_reopen == "new_cycle":
                last = ResolutionCycle(start=when, target=priority)
                cycles.append(last)
            else:
                if on_reopen == "restart":
                    last.start, last.elapsed_us = when, 0
                last.stop, last.target = None, priority
        elif new in DONE and old not in DONE and last.stop is None:
            if last.since is not None:
                last.elapsed_us += _us(cal.elapsed(last.since, when))
            last.stop, last.since = when, None
            return
        if last.stop is not None:
            return
        if new in PAUSED and last.since is not None:
            last.elapsed_us += _us(cal.elapsed(last.since, when))
            last.since = None
        elif new not in PAUSED and last.since is None:
            last.since = when

    for event in events:
        if event.at > at:
            break
        if event.kind == "created":
            cycles.append(ResolutionCycle(start=event.at, target=priority, since=event.at))
        if event.priority is not None:
            priority = event.priority
            if cycles[-1].stop is None:
                cycles[-1].target = priority
        if event.kind == "status_changed" and event.status != status:
            move(str(event.status), event.at)
        elif (
            event.kind == "customer_message"
            and not event.auto
            and status in ("solved", "pending", "on_hold")
        ):
            move("open", event.at)
    for cycle in cycles:
        if cycle.since is not None:
            cycle.elapsed_us += _us(cal.elapsed(cycle.since, at))
    return cycles


def _us(delta: timedelta) -> int:
    return delta // timedelta(microseconds=1)


def resolution_calendar(ticket: Ticket) -> Calendar:
    return ticket.policy.calendar_for("resolution")


# ---- properties ---------------------------------------------------------------------------------


def observed(ticket: Ticket, at: datetime) -> list[tuple[Any, ...]]:
    """What a scheduler watches: per clock, whether it is breached and which warnings fired."""
    known = [e for e in ticket.events if e.at <= ticket.at]
    return [
        (c.metric, c.cycle, c.is_breached, tuple(level for level, w in c.warnings if w <= at))
        for c in evaluate(known, ticket.policy, at).clocks
    ]


@PROFILE
@given(ticket=tickets(), fraction=st.floats(min_value=0.0, max_value=1.0))
def test_next_change_at_is_the_first_instant_anything_changes(
    ticket: Ticket, fraction: float
) -> None:
    """Nothing a scheduler watches changes before next_change_at, and something changes at it."""
    known = [e for e in ticket.events if e.at <= ticket.at]
    now = observed(ticket, ticket.at)
    change = next_change_at(known, ticket.policy, ticket.at)
    if change is None:
        assert observed(ticket, ticket.at + timedelta(days=60)) == now
        return
    assert change > ticket.at
    between = ticket.at + (change - ticket.at) * fraction
    if between < change:
        assert observed(ticket, between) == now
    assert observed(ticket, change - timedelta(microseconds=1)) == now
    assert observed(ticket, change) != now


@PROFILE
@given(ticket=switching_tickets(), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_policy_switches_keep_elapsed_time_and_order_independence(
    ticket: SwitchingTicket, seed: int
) -> None:
    """Moving between policies keeps resolution's starts, stops and elapsed time; order never matters."""
    state = evaluate(ticket.events, ticket.policies, ticket.at)
    expected = resolution_cycles_model(ticket.events, ticket.at, ticket.calendar, ticket.on_reopen)
    got = [(c.started_at, c.stopped_at, c.elapsed_us) for c in state.cycles("resolution")]
    assert got == [(m.start, m.stop, m.elapsed_us) for m in expected]
    tags = state.field("tags") or frozenset()
    assert state.policy is not None
    assert state.policy.startswith("vip-") == ("vip" in tags)
    rng = random.Random(seed)
    shuffled = [*ticket.events, *rng.sample(ticket.events, k=rng.randint(0, len(ticket.events)))]
    rng.shuffle(shuffled)
    assert evaluate(shuffled, ticket.policies, ticket.at) == state


@PROFILE
@given(ticket=tickets(), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_shuffling_or_duplicating_events_never_changes_the_result(
    ticket: Ticket, seed: int
) -> None:
    """Any arrival order, with any events delivered twice, folds to the same TicketSLA."""
    expected = evaluate(ticket.events, ticket.policy, ticket.at)
    rng = random.Random(seed)
    delivered = list(ticket.events)
    delivered += [
        TicketEvent.from_dict(e.to_dict())
        for e in rng.sample(delivered, k=rng.randint(0, len(delivered)))
    ]
    rng.shuffle(delivered)
    again = evaluate(delivered, ticket.policy, ticket.at)
    assert again == expected
    assert again.clocks == expected.clocks
    assert next_change_at(delivered, ticket.policy, ticket.at) == next_change_at(
        ticket.events, ticket.policy, ticket.at
    )
    assert due_at(delivered, ticket.policy, "resolution") == due_at(
        ticket.events, ticket.policy, "resolution"
    )


@PROFILE
@given(
    ticket=tickets(),
    pick=st.integers(min_value=0, max_value=40),
    shift=st.integers(min_value=0, max_value=3 * 86_400 * 10**6),
)
def test_an_ordered_log_with_a_delivery_repeated_later_folds_as_its_ordered_events(
    ticket: Ticket, pick: int, shift: int
) -> None:
    """A log in history order in which one event comes again, at the same or a later instant
    (a corrected re-delivery), folds as the log without it: ``order_events``' short cut for logs
    already in order never keeps a repeated id (the first delivery sorts first and is kept)."""
    original = ticket.events[pick % len(ticket.events)]
    moved = original.to_dict() | {"at": (original.at + timedelta(microseconds=shift)).isoformat()}
    delivered = sorted([*ticket.events, TicketEvent.from_dict(moved)], key=lambda e: e.order)
    ordered = order_events(delivered)
    assert len({e.key for e in ordered}) == len(ordered)
    assert evaluate(delivered, ticket.policy, ticket.at) == evaluate(
        ticket.events, ticket.policy, ticket.at
    )


@PROFILE
@given(ticket=tickets(), cut=st.integers(min_value=0, max_value=14))
def test_events_after_at_are_ignored(ticket: Ticket, cut: int) -> None:
    """Evaluating at an instant among the events equals evaluating only the events up to it."""
    at = ticket.events[min(cut, len(ticket.events) - 1)].at
    known = [e for e in ticket.events if e.at <= at]
    assert evaluate(ticket.events, ticket.policy, at) == evaluate(known, ticket.policy, at)


@PROFILE
@given(ticket=tickets(ordered_by_seq=True, on_reopen=("continue",)))
def test_resolution_elapsed_and_due_match_the_model(ticket: Ticket) -> None:
    """Resolution elapsed is the business time while running; due_at = add(last resume, remaining)."""
    cal = resolution_calendar(ticket)
    model = resolution_model(ticket.events, ticket.at, cal)
    clock = evaluate(ticket.events, ticket.policy, ticket.at).clock("resolution")
    assert clock is not None
    assert clock.elapsed_us == model.elapsed_us
    assert clock.target_us == model.target_us
    assert (clock.status is ClockStatus.RUNNING) == model.running
    left_at_resume = model.target_us - model.elapsed_at_resume_us
    if model.running and left_at_resume > 0:
        assert model.last_resume is not None
        expected = cal.add(model.last_resume, timedelta(microseconds=left_at_resume))
        assert clock.due_at == expected
        if clock.remaining > timedelta(0):
            assert clock.due_at == cal.add(ticket.at, clock.remaining)
    if not model.running:
        assert clock.due_at is None


@PROFILE
@given(ticket=tickets(ordered_by_seq=True))
def test_first_response_matches_the_model(ticket: Ticket) -> None:
    """First response counts business time from creation to the first public reply or solve."""
    cal = ticket.policy.calendar_for("first_response")
    model = first_response_model(ticket.events, ticket.at, cal)
    clock = evaluate(ticket.events, ticket.policy, ticket.at).clock("first_response")
    if model.target_us is None:
        assert clock is None
        return
    assert clock is not None
    assert clock.target_us == model.target_us
    assert clock.elapsed_us == model.elapsed_us
    assert clock.status is model.status
    if clock.status is ClockStatus.RUNNING:
        assert clock.due_at == cal.add(clock.started_at, clock.target)
        # breached means past the due instant; only a re-target at ``at`` itself can delay it
        if clock.is_breached:
            assert clock.due_at < ticket.at
        elif ticket.at > ticket.events[-1].at:
            assert clock.due_at >= ticket.at


@PROFILE
@given(ticket=tickets(ordered_by_seq=True))
def test_next_response_cycles_match_the_model(ticket: Ticket) -> None:
    """One next-response cycle per customer wait, from its first unanswered message to the reply."""
    cal = ticket.policy.calendar_for("next_response")
    expected = next_response_model(ticket.events, ticket.at)
    cycles = evaluate(ticket.events, ticket.policy, ticket.at).cycles("next_response")
    got = [(c.started_at, c.stopped_at, c.target_us) for c in cycles]
    assert got == expected
    for clock, (start, stop, _) in zip(cycles, expected, strict=True):
        assert clock.elapsed == cal.elapsed(start, stop if stop is not None else ticket.at)
        assert clock.status is (ClockStatus.RUNNING if stop is None else ClockStatus.FULFILLED)


@PROFILE
@given(ticket=tickets(ordered_by_seq=True))
def test_periodic_update_cycles_match_the_model(ticket: Ticket) -> None:
    """A periodic-update cycle per public reply, never paused, cancelled by a solve."""
    cal = ticket.policy.calendar_for("periodic_update")
    expected = periodic_update_model(ticket.events, ticket.at, cal)
    cycles = evaluate(ticket.events, ticket.policy, ticket.at).cycles("periodic_update")
    got = [(c.started_at, c.stopped_at, c.status, c.elapsed_us) for c in cycles]
    assert got == [(m.start, m.stop, m.status, m.elapsed_us) for m in expected]


@PROFILE
@given(ticket=tickets(ordered_by_seq=True))
def test_resolution_cycles_match_the_model_for_every_reopen_rule(ticket: Ticket) -> None:
    """Resolution under continue, restart and new_cycle: starts, stops, elapsed and targets."""
    cal = resolution_calendar(ticket)
    rule = ticket.policy.definition("resolution").on_reopen
    expected = resolution_cycles_model(ticket.events, ticket.at, cal, str(rule))
    cycles = evaluate(ticket.events, ticket.policy, ticket.at).cycles("resolution")
    got = [(c.started_at, c.stopped_at, c.elapsed_us, c.target_us) for c in cycles]
    assert got == [(m.start, m.stop, m.elapsed_us, RESOLUTION_US[m.target]) for m in expected]


@PROFILE
@given(
    ticket=tickets(ordered_by_seq=True, on_reopen=("continue",)),
    pause=st.data(),
)
def test_due_at_after_a_resume_with_nothing_left_is_the_resume(ticket: Ticket, pause: Any) -> None:
    """A clock resumed with zero remaining is due at its resume (calendar.add of 0 from it)."""
    cal = resolution_calendar(ticket)
    before = resolution_model(ticket.events, ticket.at, cal)
    if not before.running or before.last_resume is None:
        return
    left = before.target_us - before.elapsed_us
    if left <= 0:
        return
    # Pause exactly when the target is used up, resume a few hours later.
    due = cal.add(ticket.at, timedelta(microseconds=left))
    resume = due + timedelta(minutes=pause.draw(st.integers(min_value=1, max_value=3000)))
    n = len(ticket.events)
    events = (
        *ticket.events,
        TicketEvent(
            ticket_id="T-1", event_id="p1", at=due, kind="status_changed", status="pending", seq=n
        ),
        TicketEvent(
            ticket_id="T-1",
            event_id="p2",
            at=resume,
            kind="status_changed",
            status="open",
            seq=n + 1,
        ),
    )
    clock = evaluate(events, ticket.policy, resume).clock("resolution")
    assert clock is not None
    assert clock.remaining == timedelta(0)
    assert clock.due_at == cal.add(resume, timedelta(0)) == resume


@PROFILE
@given(ticket=tickets(ordered_by_seq=True, on_reopen=("continue",)), data=st.data())
def test_a_pause_never_consumes_business_time(ticket: Ticket, data: Any) -> None:
    """Inserting pending..open into a running span moves due by exactly the pause's business time."""
    cal = resolution_calendar(ticket)
    # Find spans between consecutive events (or the last event and ``at``) where the clock runs.
    bounds = [*[e.at for e in ticket.events], ticket.at]
    spans = []
    for i in range(len(ticket.events)):
        lo, hi = bounds[i], bounds[i + 1]
        if hi - lo < timedelta(minutes=3):
            continue
        state = resolution_model(ticket.events[: i + 1], lo, cal)
        if state.running:
            spans.append((i, lo, hi))
    if not spans:
        return
    i, lo, hi = data.draw(st.sampled_from(spans))
    width = (hi - lo) // timedelta(minutes=1)
    a_min = data.draw(st.integers(min_value=1, max_value=width - 2))
    b_min = data.draw(st.integers(min_value=a_min + 1, max_value=width - 1))
    a, b = lo + timedelta(minutes=a_min), lo + timedelta(minutes=b_min)
    status_before = next(
        (str(e.status) for e in reversed(ticket.events[: i + 1]) if e.kind == "status_changed"),
        "open",
    )
    back = status_before if status_before in ("new", "open") else "open"
    pair = [
        TicketEvent(ticket_id="T-1", event_id="x1", at=a, kind="status_changed", status="pending"),
        TicketEvent(ticket_id="T-1", event_id="x2", at=b, kind="status_changed", status=back),
    ]
    # Re-number seq so the pair sits between event i and event i + 1.
    renumbered = [
        _reseq(e, j)
        for j, e in enumerate([*ticket.events[: i + 1], *pair, *ticket.events[i + 1 :]])
    ]
    paused = _us(cal.elapsed(a, b))
    without = evaluate(ticket.events, ticket.policy, ticket.at).clock("resolution")
    with_pause = evaluate(renumbered, ticket.policy, ticket.at).clock("resolution")
    assert without is not None
    assert with_pause is not None
    assert with_pause.elapsed_us == without.elapsed_us - paused
    assert with_pause.status == without.status
    used_at_a = evaluate(ticket.events, ticket.policy, a).clock("resolution")
    assert used_at_a is not None
    if without.due_at is not None and used_at_a.elapsed_us < without.target_us:
        shifted = cal.add(without.due_at, timedelta(microseconds=paused))
        # The due instant moves by exactly the pause, unless the move carries it across a later
        # status change of the ticket: a pause there adds its own business time on top.
        crossed = any(
            e.kind == "status_changed" and without.due_at < e.at <= shifted for e in ticket.events
        )
        assert with_pause.due_at is not None
        if crossed:
            assert with_pause.due_at >= shifted
        else:
            assert with_pause.due_at == shifted


def _reseq(event: TicketEvent, seq: int) -> TicketEvent:
    data = event.to_dict()
    data["seq"] = seq
    return TicketEvent.from_dict(data)


@PROFILE
@given(ticket=tickets())
def test_elapsed_never_exceeds_business_time_between_start_and_at(ticket: Ticket) -> None:
    """No clock counts more business time than its calendar holds between its start and its end."""
    state = evaluate(ticket.events, ticket.policy, ticket.at)
    for clock in state.clocks:
        cal = calendar(clock.calendar)
        end = clock.stopped_at if clock.stopped_at is not None else ticket.at
        assert timedelta(0) <= clock.elapsed <= cal.elapsed(clock.started_at, end)
        assert clock.started_at <= end
        if clock.status in (ClockStatus.FULFILLED, ClockStatus.CANCELLED):
            assert clock.due_at is None
            assert clock.stopped_at is not None
        if clock.breached_at is not None:
            assert clock.breached_at <= end  # a stricter target breaches at its own instant
            assert clock.ever_breached


@PROFILE
@given(
    ticket=tickets(on_reopen=("continue", "new_cycle")),
    later=st.integers(min_value=1, max_value=5 * 24 * 60),
)
def test_later_at_never_decreases_elapsed(ticket: Ticket, later: int) -> None:
    """Without a restart on reopen, every cycle's elapsed time only grows as ``at`` moves on."""
    first_at = ticket.events[len(ticket.events) // 2].at
    for at1, at2 in ((first_at, ticket.at), (ticket.at, ticket.at + timedelta(minutes=later))):
        before = {
            (c.metric, c.cycle): c for c in evaluate(ticket.events, ticket.policy, at1).clocks
        }
        after = {(c.metric, c.cycle): c for c in evaluate(ticket.events, ticket.policy, at2).clocks}
        for key, early in before.items():
            assert key in after
            assert after[key].elapsed >= early.elapsed
            assert after[key].ever_breached or not early.ever_breached
