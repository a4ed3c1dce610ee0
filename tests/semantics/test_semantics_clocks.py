"""Clock semantics of issue #10: no lost clock (item 1), one breach rule (item 7), which statuses a
customer's message reopens (item 3), the counting flag (item 6). Rows of docs/semantics.md.

Vendor rules cited:
- Zendesk, Defining SLA policies: https://support.zendesk.com/hc/en-us/articles/4408829459866
- Atlassian, Example SLA configurations (goals without a target):
  https://confluence.atlassian.com/servicemanagementserver0512/example-sla-configurations-1319246988.html
- Atlassian, Create SLAs (calendars, working hours):
  https://support.atlassian.com/customer-service-management/docs/create-slas
- ServiceNow, SLA conditions (re-attach when the start condition matches again):
  https://www.servicenow.com/docs/r/australia/it-service-management/service-level-management/c_SLAConditions.html
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticketsla import ClockStatus, SLAPolicy, TicketEvent, evaluate
from ticketsla.errors import PolicyError

NY = ZoneInfo("America/New_York")
US = timedelta(microseconds=1)
ZENDESK_SLA = "https://support.zendesk.com/hc/en-us/articles/4408829459866"

PROFILE = settings.get_profile("ticketsla-clock")  # tests/conftest.py


@cache
def policy(calendar: str = "us-business", reopens: tuple[str, ...] | None = None) -> SLAPolicy:
    extra = {} if reopens is None else {"customer_reply_reopens": list(reopens)}
    return SLAPolicy.from_mapping(
        {
            "name": "semantics",
            "calendar": calendar,
            # normal and low have no first-response target: the clock vanishes and comes back
            "targets": {
                "first_response": {"urgent": "1h", "high": "3h"},
                "resolution": {"urgent": "4h", "high": "8h", "normal": "16h"},
            },
            **extra,
        }
    )


def ny(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=NY)


def event(i: int, at: datetime, kind: str, **fields: Any) -> TicketEvent:
    return TicketEvent(ticket_id="S-1", event_id=f"e{i:03d}", at=at, kind=kind, seq=i, **fields)


def shape(state: Any) -> tuple[Any, ...]:
    """What a clock shows, without its audit history (``ever_breached``)."""
    return (
        state.metric,
        state.cycle,
        state.status,
        state.target_us,
        state.elapsed_us,
        state.started_us,
        state.stopped_us,
        state.deadline_us,
        state.breached_us,
        state.breach_point_us,
        state.warnings_us,
    )


# ---- item 1: no clock is lost ---------------------------------------------------------------


def test_a_clock_whose_target_vanishes_and_returns_is_measured_from_its_start() -> None:
    """Urgent, then normal (no first-response target), then urgent again: the clock is back."""
    events = [
        event(0, ny(10, 9), "created", priority="urgent"),
        event(1, ny(10, 9, 30), "priority_changed", priority="normal"),
    ]
    gone = evaluate(events, policy(), ny(10, 10)).clock("first_response")
    assert gone is not None
    assert gone.status is ClockStatus.CANCELLED
    assert gone.due_at is None
    events.append(event(2, ny(10, 11), "priority_changed", priority="urgent"))
    back = evaluate(events, policy(), ny(10, 11, 30)).clock("first_response")
    assert back is not None
    assert back.status is ClockStatus.RUNNING
    assert back.started_at == ny(10, 9)
    assert back.elapsed == timedelta(hours=2, minutes=30)
    assert back.deadline == ny(10, 10)
    assert back.breached_at == ny(10, 11)


def test_a_ticket_that_starts_without_a_target_gets_the_same_clock() -> None:
    """Starting without a target and getting one later measures from the same original start."""
    lost = [
        event(0, ny(10, 9), "created", priority="urgent"),
        event(1, ny(10, 9, 30), "priority_changed", priority="normal"),
        event(2, ny(10, 11), "priority_changed", priority="urgent"),
    ]
    late = [
        event(0, ny(10, 9), "created", priority="normal"),
        event(2, ny(10, 11), "priority_changed", priority="urgent"),
    ]
    a = evaluate(lost, policy(), ny(10, 12)).clock("first_response")
    b = evaluate(late, policy(), ny(10, 12)).clock("first_response")
    assert a is not None
    assert b is not None
    assert shape(a) == shape(b)
    assert a.ever_breached
    assert b.ever_breached


PRIORITIES = ("high", "normal", "low")  # every one but the last change's (urgent)
GAPS = st.integers(min_value=0, max_value=3000)
STATUS = st.sampled_from(["open", "pending", "on_hold", "open", "new"])


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[tuple[int, str, dict[str, Any]]], int, int]:
    """Status changes with target changes sprinkled in, then urgent at ``last`` minutes."""
    steps: list[tuple[int, str, dict[str, Any]]] = []
    minute = 0
    for _ in range(draw(st.integers(min_value=0, max_value=10))):
        minute += draw(GAPS)
        if draw(st.booleans()):
            steps.append((minute, "status_changed", {"status": draw(STATUS)}))
        else:
            steps.append(
                (minute, "priority_changed", {"priority": draw(st.sampled_from(PRIORITIES))})
            )
    last = minute + draw(GAPS)
    at = last + draw(st.integers(min_value=0, max_value=4000))
    return steps, last, at


@PROFILE
@given(
    history=histories(),
    first=st.sampled_from(PRIORITIES),
    calendar=st.sampled_from(["us-business", "24x7", "de-business"]),
    start=st.integers(min_value=0, max_value=7 * 24 * 60),
)
def test_a_clock_depends_on_its_running_history_and_last_target_only(
    history: tuple[list[tuple[int, str, dict[str, Any]]], int, int],
    first: str,
    calendar: str,
    start: int,
) -> None:
    """Any number and order of intermediate target changes folds to the clock of one change."""
    steps, last, at = history
    origin = datetime(2026, 3, 2, tzinfo=NY) + timedelta(minutes=start)
    chosen = policy(calendar)

    def build(with_targets: bool) -> list[TicketEvent]:
        out = [event(0, origin, "created", priority=first if with_targets else "low")]
        for i, (minute, kind, fields) in enumerate(steps, start=1):
            if kind == "priority_changed" and not with_targets:
                continue
            out.append(event(i, origin + timedelta(minutes=minute), kind, **fields))
        out.append(
            event(999, origin + timedelta(minutes=last), "priority_changed", priority="urgent")
        )
        return out

    when = origin + timedelta(minutes=at)
    for metric in ("first_response", "resolution"):
        changed = evaluate(build(True), chosen, when).clock(metric)
        once = evaluate(build(False), chosen, when).clock(metric)
        if metric == "resolution" and (changed is None or once is None):
            continue
        assert changed is not None
        assert once is not None
        if changed.target_us != once.target_us:  # urgent already applied: no re-target at last
            continue
        assert shape(changed) == shape(once)


# ---- item 7: one breach rule at every instant -------------------------------------------------


@PROFILE
@given(
    history=histories(),
    first=st.sampled_from(("urgent", *PRIORITIES)),
    probe=st.integers(min_value=-2, max_value=2),
)
def test_breached_exactly_when_remaining_is_negative_or_the_due_instant_passed(
    history: tuple[list[tuple[int, str, dict[str, Any]]], int, int], first: str, probe: int
) -> None:
    """For a running clock, ``is_breached`` is ``remaining < 0``, or real time past the due
    instant with nothing left (closed hours); the engine's breach point agrees at every instant,
    the instant of a re-target included."""
    steps, last, at = history
    origin = datetime(2026, 3, 2, 8, tzinfo=NY)
    events = [event(0, origin, "created", priority=first)]
    for i, (minute, kind, fields) in enumerate(steps, start=1):
        events.append(event(i, origin + timedelta(minutes=minute), kind, **fields))
    events.append(
        event(999, origin + timedelta(minutes=last), "priority_changed", priority="urgent")
    )
    instants = [e.at + probe * US for e in events] + [origin + timedelta(minutes=at)]
    for when in instants:
        for state in evaluate(events, policy(), when).clocks:
            point = state.breach_point_us
            assert state.is_breached == (point is not None and point < state.at_us)
            if state.status is not ClockStatus.RUNNING:
                continue
            assert state.deadline_us is not None
            expected = state.remaining < timedelta(0) or (
                state.remaining == timedelta(0) and state.deadline_us < state.at_us
            )
            assert state.is_breached == expected, (when, state)


# ---- item 3: which statuses a customer's message reopens --------------------------------------


@pytest.mark.parametrize(
    ("status", "opens"),
    [("pending", True), ("on_hold", True), ("solved", True), ("closed", False)],
)
def test_a_customer_message_opens_pending_on_hold_and_solved_never_closed(
    status: str, opens: bool
) -> None:
    """Zendesk moves a ticket from pending, on-hold or solved to open when the requester comments
    (https://support.zendesk.com/hc/en-us/articles/4408829459866); ticketsla does the same by default; closed never reopens."""
    events = [
        event(0, ny(10, 9), "created"),
        event(1, ny(10, 10), "status_changed", status=status),
        event(2, ny(10, 11), "customer_message"),
    ]
    state = evaluate(events, policy(), ny(10, 12))
    assert (state.status == "open") is opens
    resolution = state.clock("resolution")
    assert resolution is not None
    assert (resolution.status is ClockStatus.RUNNING) is opens


def test_the_reopen_statuses_are_a_policy_setting() -> None:
    """``customer_reply_reopens`` names the statuses; the pre-#10 behaviour is one list away."""
    old = policy(reopens=("pending", "solved"))
    events = [
        event(0, ny(10, 9), "created"),
        event(1, ny(10, 10), "status_changed", status="on_hold"),
        event(2, ny(10, 11), "customer_message"),
    ]
    assert evaluate(events, old, ny(10, 12)).status == "on_hold"
    assert evaluate(events, policy(), ny(10, 12)).status == "open"


@pytest.mark.parametrize("bad", [["closed"], ["open"], "pending", [3]])
def test_reopen_statuses_refuse_closed_and_nonsense(bad: Any) -> None:
    with pytest.raises(PolicyError, match="customer_reply_reopens"):
        SLAPolicy.from_mapping(
            {
                "name": "bad",
                "calendar": "24x7",
                "targets": {"resolution": {"all": "8h"}},
                "customer_reply_reopens": bad,
            }
        )


# ---- item 6: "waiting for business hours" -------------------------------------------------


def test_counting_says_whether_time_counts_now() -> None:
    """JSM shows a running SLA outside its calendar's hours as paused; ticketsla keeps ``status``
    running and says ``counting=False`` (the issue's "waiting for business hours")."""
    events = [event(0, ny(10, 9), "created")]
    during = evaluate(events, policy(), ny(10, 10)).clock("resolution")
    evening = evaluate(events, policy(), ny(10, 20)).clock("resolution")
    assert during is not None
    assert evening is not None
    assert during.counting
    assert during.status is ClockStatus.RUNNING
    assert not evening.counting
    assert evening.status is ClockStatus.RUNNING
    assert evening.elapsed == timedelta(hours=8)
    assert evening.to_dict()["counting"] is False
    events.append(event(1, ny(11, 10), "status_changed", status="pending"))
    paused = evaluate(events, policy(), ny(11, 11)).clock("resolution")
    assert paused is not None
    assert not paused.counting
