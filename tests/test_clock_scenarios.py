"""Hand-computed clock scenarios: DST, holidays, pauses, reopen, re-targeting, cycles, warnings.

Every expected instant is worked out by hand in the comments next to it, from the calendar files
(us-business: Mon-Fri 09:00-17:00 New York, US + NY public holidays; de-business: Mon-Fri
08:00-12:00 and 13:00-17:00 Berlin, Berlin holidays; 24x7: always open, UTC) and written in UTC,
so no expectation is computed by the code under test. 2026 dates used: US DST starts Sun 8 March
and ends Sun 1 November; EU DST starts Sun 29 March and ends Sun 25 October; Thanksgiving is Thu
26 November; Christmas is Fri 25 December (and Sat 26 in Berlin).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ticketsla import (
    ClockState,
    ClockStatus,
    PolicySet,
    SLAPolicy,
    TicketEvent,
    TicketSLA,
    due_at,
    evaluate,
    ever_breached,
    is_breached,
    next_change_at,
)

FIXTURES = Path(__file__).parent / "fixtures" / "policies"
NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
M = timedelta(minutes=1)
US = timedelta(microseconds=1)


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def policy(
    targets: dict[str, dict[str, str]],
    metrics: dict[str, dict[str, Any]] | None = None,
    *,
    calendar: str = "us-business",
    name: str = "scenario",
    **extra: Any,
) -> SLAPolicy:
    data: dict[str, Any] = {"name": name, "calendar": calendar, "targets": targets}
    if metrics:
        data["metrics"] = metrics
    data.update(extra)
    return SLAPolicy.from_mapping(data)


class Ticket:
    """One ticket's events, each with a fresh event id."""

    def __init__(self, ticket_id: str = "T-1") -> None:
        self.ticket_id = ticket_id
        self.events: list[TicketEvent] = []

    def add(self, at: datetime, kind: str, **fields: Any) -> Ticket:
        self.events.append(
            TicketEvent(
                ticket_id=self.ticket_id,
                event_id=f"e{len(self.events) + 1}",
                at=at,
                kind=kind,
                **fields,
            )
        )
        return self

    def state(self, policies: SLAPolicy | PolicySet, at: datetime) -> TicketSLA:
        return evaluate(self.events, policies, at)

    def clock(
        self, policies: SLAPolicy | PolicySet, at: datetime, metric: str, cycle: int | None = None
    ) -> ClockState:
        state = self.state(policies, at)
        found = state.clock(metric) if cycle is None else state.cycles(metric)[cycle - 1]
        assert found is not None, f"no {metric} clock at {at}"
        return found


# ---- daylight saving time -------------------------------------------------------------------


def test_first_response_across_the_us_spring_forward_weekend() -> None:
    """A 4h first response from Friday afternoon lands on Monday in summer time (EDT, UTC-4)."""
    p = policy({"first_response": {"high": "4h"}})
    t = Ticket().add(ny(2026, 3, 6, 15), "created", priority="high")  # Fri 15:00 EST = 20:00Z
    # Fri 15:00-17:00 EST is 2h; the weekend holds the change; Mon 9 March 09:00 EDT (13:00Z)
    # + the remaining 2h = 11:00 EDT = 15:00Z. (Wall-clock arithmetic in EST would say 16:00Z.)
    assert due_at(t.events, p) == utc(2026, 3, 9, 15, 0)
    on_time = Ticket().add(ny(2026, 3, 6, 15), "created", priority="high")
    on_time.add(ny(2026, 3, 9, 11, 0), "agent_reply")
    assert not is_breached(on_time.events, p, "first_response", at=ny(2026, 3, 9, 12))
    late = Ticket().add(ny(2026, 3, 6, 15), "created", priority="high")
    late.add(ny(2026, 3, 9, 11, 1), "agent_reply")
    assert late.clock(p, ny(2026, 3, 9, 12), "first_response").breached_at == utc(2026, 3, 9, 15)


def test_first_response_across_the_us_autumn_back_weekend() -> None:
    """A 4h first response from Friday afternoon lands on Monday in winter time (EST, UTC-5)."""
    p = policy({"first_response": {"high": "4h"}})
    t = Ticket().add(ny(2026, 10, 30, 15), "created", priority="high")  # Fri 15:00 EDT = 19:00Z
    # Fri 15:00-17:00 EDT is 2h; Sun 1 Nov falls back; Mon 2 Nov 09:00 EST (14:00Z) + 2h
    # = 11:00 EST = 16:00Z.
    assert due_at(t.events, p) == utc(2026, 11, 2, 16, 0)
    clock = t.clock(p, ny(2026, 11, 2, 10), "first_response")
    assert clock.elapsed == 3 * H  # 2h on Friday, 1h on Monday; the long Sunday is closed
    assert clock.remaining == 1 * H


def test_first_response_across_the_berlin_spring_forward_weekend() -> None:
    """An 8h target on de-business, with its lunch break, crosses into CEST correctly."""
    p = policy({"first_response": {"normal": "8h"}}, calendar="de-business")
    t = Ticket().add(berlin(2026, 3, 27, 15, 30), "created")  # Fri 15:30 CET = 14:30Z
    # Fri 15:30-17:00 = 1h30; Mon 30 March (CEST, UTC+2) 08:00-12:00 = 4h (5h30 so far);
    # lunch 12:00-13:00 is closed; 13:00 + the remaining 2h30 = 15:30 CEST = 13:30Z.
    assert due_at(t.events, p) == utc(2026, 3, 30, 13, 30)


def test_first_response_across_the_berlin_autumn_back_weekend() -> None:
    """A 4h target from Friday 16:00 CEST lands on Monday morning CET."""
    p = policy({"first_response": {"normal": "4h"}}, calendar="de-business")
    t = Ticket().add(berlin(2026, 10, 23, 16), "created")  # Fri 16:00 CEST = 14:00Z
    # Fri 16:00-17:00 = 1h; Sun 25 Oct falls back; Mon 26 Oct 08:00 CET (07:00Z) + 3h
    # = 11:00 CET = 10:00Z.
    assert due_at(t.events, p) == utc(2026, 10, 26, 10, 0)


def test_calendar_hour_metric_counts_real_hours_across_spring_forward() -> None:
    """A 48h calendar-hour resolution clock is 48 real hours, though New York loses an hour."""
    p = SLAPolicy.load(FIXTURES / "calendar-hours.toml")
    t = Ticket().add(ny(2026, 3, 7, 12), "created")  # Sat 12:00 EST = 17:00Z
    # 24x7 is UTC: 17:00Z Sat + 48h = 17:00Z Mon 9 March = 13:00 EDT (not 12:00 as the wall
    # clock would have it).
    assert due_at(t.events, p, "resolution") == utc(2026, 3, 9, 17, 0)
    assert t.clock(p, ny(2026, 3, 7, 13), "resolution").calendar == "24x7"


def test_whole_day_calendar_in_new_york_has_a_23_hour_sunday_and_a_25_hour_sunday() -> None:
    """On a 00:00-24:00 New York calendar, 24 business hours are 24 real hours across DST."""
    p = SLAPolicy.load(FIXTURES / "relative-calendar.toml")  # first_response 24h, all day
    spring = Ticket().add(ny(2026, 3, 7, 12), "created")  # Sat 12:00 EST = 17:00Z
    # Periods are whole local days; Sunday 8 March is 23 real hours long, so +24h = Sun 17:00Z
    # = 13:00 EDT on the wall clock.
    assert due_at(spring.events, p) == utc(2026, 3, 8, 17, 0)
    autumn = Ticket().add(ny(2026, 10, 31, 12), "created")  # Sat 12:00 EDT = 16:00Z
    # Sunday 1 November is 25 real hours long: +24h = Sun 16:00Z = 11:00 EST.
    assert due_at(autumn.events, p) == utc(2026, 11, 1, 16, 0)


# ---- holidays -------------------------------------------------------------------------------


def test_due_time_skips_thanksgiving_but_not_the_day_after() -> None:
    """Thanksgiving (Thu 26 Nov) is closed; Friday 27 Nov is a working day on us-business."""
    p = policy({"first_response": {"normal": "8h"}})
    t = Ticket().add(ny(2026, 11, 25, 13), "created")  # Wed 13:00 EST = 18:00Z
    # Wed 13:00-17:00 = 4h; Thu 26 closed; Fri 27 09:00 EST (14:00Z) + 4h = 13:00 EST = 18:00Z.
    assert due_at(t.events, p) == utc(2026, 11, 27, 18, 0)
    # at Thanksgiving noon nothing has been added since Wednesday 17:00
    assert t.clock(p, ny(2026, 11, 26, 12), "first_response").elapsed == 4 * H


def test_due_time_skips_christmas_and_the_weekend_after_it() -> None:
    """Christmas Eve works until 17:00; Christmas (Fri) and the weekend are closed."""
    p = policy({"first_response": {"high": "4h"}})
    t = Ticket().add(ny(2026, 12, 24, 15), "created", priority="high")  # Thu 15:00 EST = 20:00Z
    # Thu 15:00-17:00 = 2h; Fri 25 Christmas, Sat, Sun closed; Mon 28 09:00 EST (14:00Z) + 2h
    # = 11:00 EST = 16:00Z.
    assert due_at(t.events, p) == utc(2026, 12, 28, 16, 0)


def test_berlin_skips_both_christmas_days() -> None:
    """de-business closes on 25 and 26 December; the 24th is a working day there."""
    p = policy({"first_response": {"normal": "4h"}}, calendar="de-business")
    t = Ticket().add(berlin(2026, 12, 24, 16), "created")  # Thu 16:00 CET = 15:00Z
    # Thu 16:00-17:00 = 1h; Fri 25, Sat 26, Sun 27 closed; Mon 28 08:00 CET (07:00Z) + 3h
    # = 11:00 CET = 10:00Z.
    assert due_at(t.events, p) == utc(2026, 12, 28, 10, 0)


def test_explain_names_the_holiday_a_clock_crosses() -> None:
    """explain() mentions Thanksgiving when a running clock's due time skips it (issue 3, item 4)."""
    p = policy({"first_response": {"normal": "8h"}})
    t = Ticket().add(ny(2026, 11, 25, 13), "created")
    trace = t.state(p, ny(2026, 11, 27, 10)).explain()
    assert "first_response #1: crosses Thanksgiving Day (2026-11-26)" in trace
    assert "2026-11-27" not in trace  # the day after is a working day


# ---- pauses ---------------------------------------------------------------------------------


def test_resolution_pauses_while_pending_and_resumes_on_open() -> None:
    """Pending time is not counted: the due instant moves by exactly the business time paused."""
    p = policy({"resolution": {"all": "8h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")  # Tue 09:00 EDT
    t.add(ny(2026, 3, 10, 11), "status_changed", status="pending")  # 2h used
    t.add(ny(2026, 3, 11, 10), "status_changed", status="open")  # Wed 10:00 EDT
    paused = t.clock(p, ny(2026, 3, 10, 16), "resolution")
    assert paused.status is ClockStatus.PAUSED
    assert paused.due_at is None
    assert paused.elapsed == 2 * H
    # 6h left from Wed 10:00 EDT: 16:00 EDT = 20:00Z
    running = t.clock(p, ny(2026, 3, 11, 12), "resolution")
    assert running.status is ClockStatus.RUNNING
    assert running.elapsed == 4 * H
    assert due_at(t.events, p, "resolution") == utc(2026, 3, 11, 20, 0)


def test_customer_message_on_a_pending_ticket_resumes_resolution() -> None:
    """A customer's reply opens a pending ticket, so the paused resolution clock runs again."""
    p = policy({"resolution": {"all": "8h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 11), "status_changed", status="pending")  # 2h used
    t.add(ny(2026, 3, 11, 10), "customer_message")  # Wed 10:00 EDT
    state = t.state(p, ny(2026, 3, 11, 10, 30))
    assert state.status == "open"
    assert due_at(t.events, p, "resolution") == utc(2026, 3, 11, 20, 0)  # 16:00 EDT, as above


def test_resolution_pauses_on_hold_too() -> None:
    """on_hold pauses resolution like pending; open resumes it."""
    p = policy({"resolution": {"all": "8h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 13), "status_changed", status="on_hold")  # 4h used
    t.add(ny(2026, 3, 12, 9), "status_changed", status="open")  # Thu 09:00 EDT
    # 4h left from Thu 09:00 EDT: 13:00 EDT = 17:00Z
    assert due_at(t.events, p, "resolution") == utc(2026, 3, 12, 17, 0)


def test_pausable_update_pauses_while_pending_and_periodic_update_never_does() -> None:
    """Zendesk's rules (issue #10 item 4): a pausable update stops counting while the ticket is
    pending; a periodic update counts on."""
    p = policy({"periodic_update": {"all": "4h"}, "pausable_update": {"all": "4h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 10), "agent_reply")  # cycle 1 starts
    t.add(ny(2026, 3, 10, 11), "status_changed", status="pending")  # 1h used
    t.add(ny(2026, 3, 10, 15), "status_changed", status="open")
    # 3h left from Tue 15:00: 15:00-17:00 is 2h, Wed 09:00 + 1h = 10:00 EDT = 14:00Z
    assert due_at(t.events, p, "pausable_update") == utc(2026, 3, 11, 14, 0)
    assert due_at(t.events, p, "periodic_update") == utc(2026, 3, 10, 18, 0)  # 14:00 EDT
    assert t.clock(p, ny(2026, 3, 10, 12), "pausable_update").status is ClockStatus.PAUSED


def test_first_response_does_not_pause_while_pending_by_default() -> None:
    """Setting a ticket pending without a reply does not stop or pause the first-response clock."""
    p = policy({"first_response": {"all": "4h"}, "resolution": {"all": "8h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 10), "status_changed", status="pending")
    clock = t.clock(p, ny(2026, 3, 10, 12), "first_response")
    assert clock.status is ClockStatus.RUNNING
    assert clock.due_at == utc(2026, 3, 10, 17, 0)  # 09:00 + 4h = 13:00 EDT = 17:00Z
    assert t.clock(p, ny(2026, 3, 10, 12), "resolution").status is ClockStatus.PAUSED


def test_first_response_pause_is_configurable() -> None:
    """``[metrics.first_response] pause_while = ["on_hold"]`` pauses the first response."""
    p = policy({"first_response": {"all": "4h"}}, {"first_response": {"pause_while": ["on_hold"]}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 10), "status_changed", status="on_hold")  # 1h used
    t.add(ny(2026, 3, 10, 14), "status_changed", status="open")
    # 3h left from 14:00 EDT: 17:00 EDT = 21:00Z
    assert due_at(t.events, p) == utc(2026, 3, 10, 21, 0)


def test_pause_exactly_at_due_then_resume_breaches_right_after_resume() -> None:
    """A clock paused with nothing left is due at its resume and breached just after it."""
    p = policy({"resolution": {"all": "2h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 11), "status_changed", status="pending")  # exactly 2h used
    t.add(ny(2026, 3, 10, 14), "status_changed", status="open")  # 14:00 EDT = 18:00Z
    resume = ny(2026, 3, 10, 14)
    assert not is_breached(t.events, p, "resolution", at=resume)
    assert is_breached(t.events, p, "resolution", at=resume + US)
    # due = calendar.add(resume, remaining 0) = the resume instant itself
    assert due_at(t.events, p, "resolution") == utc(2026, 3, 10, 18, 0)
    assert next_change_at(t.events, p, resume) == utc(2026, 3, 10, 18, 0) + US


# ---- reopen ---------------------------------------------------------------------------------


def reopened_ticket(reopen_kind: str = "status_changed") -> Ticket:
    t = Ticket().add(ny(2026, 3, 10, 9), "created")  # Tue 09:00 EDT
    t.add(ny(2026, 3, 10, 12), "status_changed", status="solved")  # 3h used
    if reopen_kind == "status_changed":
        t.add(ny(2026, 3, 11, 9), "status_changed", status="open")  # Wed 09:00 EDT
    else:
        t.add(ny(2026, 3, 11, 9), "customer_message")
    return t


@pytest.mark.parametrize("reopen_kind", ["status_changed", "customer_message"])
def test_reopen_continues_resolution_with_elapsed_time_kept(reopen_kind: str) -> None:
    """By default a reopen continues the same cycle: 3h used before the solve still count."""
    p = policy({"resolution": {"all": "8h"}})
    t = reopened_ticket(reopen_kind)
    solved = t.clock(p, ny(2026, 3, 10, 15), "resolution")
    assert solved.status is ClockStatus.FULFILLED
    assert solved.stopped_at == utc(2026, 3, 10, 16, 0)
    clock = t.clock(p, ny(2026, 3, 11, 10), "resolution")
    assert clock.cycle == 1
    assert clock.status is ClockStatus.RUNNING
    assert clock.started_at == utc(2026, 3, 10, 13, 0)  # the original start, Tue 09:00 EDT
    assert clock.stopped_at is None
    assert clock.elapsed == 4 * H  # 3h on Tuesday + 1h on Wednesday
    # 5h left from Wed 09:00 EDT: 14:00 EDT = 18:00Z
    assert clock.due_at == utc(2026, 3, 11, 18, 0)


def test_reopen_restart_from_a_policy_file_starts_from_zero() -> None:
    """``on_reopen = "restart"``: the same cycle starts again at the reopen with nothing used."""
    p = SLAPolicy.load(FIXTURES / "reopen-restart.toml")  # resolution 8h
    t = reopened_ticket()
    state = t.state(p, ny(2026, 3, 11, 10))
    assert len(state.cycles("resolution")) == 1
    clock = state.clock("resolution")
    assert clock is not None
    assert clock.started_at == utc(2026, 3, 11, 13, 0)  # Wed 09:00 EDT
    assert clock.elapsed == 1 * H
    # 8h from Wed 09:00 EDT: 17:00 EDT = 21:00Z
    assert clock.due_at == utc(2026, 3, 11, 21, 0)
    assert "reopened: restarts from zero" in state.explain()


def test_reopen_new_cycle_from_a_policy_file_keeps_the_first_cycle_fulfilled() -> None:
    """``on_reopen = "new_cycle"``: cycle 1 stays met at 3h; cycle 2 starts at the reopen."""
    p = SLAPolicy.load(FIXTURES / "reopen-new-cycle.toml")
    t = reopened_ticket()
    first, second = t.state(p, ny(2026, 3, 11, 10)).cycles("resolution")
    assert first.status is ClockStatus.FULFILLED
    assert first.elapsed == 3 * H
    assert first.met is True
    assert second.cycle == 2
    assert second.status is ClockStatus.RUNNING
    assert second.started_at == utc(2026, 3, 11, 13, 0)
    assert second.due_at == utc(2026, 3, 11, 21, 0)  # Wed 09:00 + 8h = 17:00 EDT
    assert due_at(t.events, p, "resolution") == utc(2026, 3, 11, 21, 0)


def test_restart_after_a_breach_keeps_ever_breached() -> None:
    """A breach before the solve is remembered after a restart reopen, though the clock is fresh."""
    p = policy({"resolution": {"all": "2h"}}, {"resolution": {"on_reopen": "restart"}})
    t = reopened_ticket()  # 3h used by the solve: breached at 11:00 EDT = 15:00Z
    solved = t.clock(p, ny(2026, 3, 10, 13), "resolution")
    assert solved.breached_at == utc(2026, 3, 10, 15, 0)
    at = ny(2026, 3, 11, 10)
    assert not is_breached(t.events, p, "resolution", at=at)  # 1h of a fresh 2h used
    assert ever_breached(t.events, p, "resolution", at=at)


def test_solved_then_closed_does_not_reopen() -> None:
    """Closing a solved ticket keeps its resolution fulfilled."""
    p = policy({"resolution": {"all": "8h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 12), "status_changed", status="solved")
    t.add(ny(2026, 3, 14, 12), "status_changed", status="closed")
    clock = t.clock(p, ny(2026, 3, 15, 12), "resolution")
    assert clock.status is ClockStatus.FULFILLED
    assert clock.elapsed == 3 * H


# ---- priority changes -----------------------------------------------------------------------


FR = {"first_response": {"urgent": "1h", "high": "4h", "normal": "8h"}}


def test_stricter_priority_retargets_from_the_original_start() -> None:
    """normal -> urgent after 30 minutes: the 1h target counts from creation, not the change."""
    p = policy(FR)
    t = Ticket().add(ny(2026, 3, 10, 9), "created", priority="normal")
    t.add(ny(2026, 3, 10, 9, 30), "priority_changed", priority="urgent")
    # 09:00 EDT + 1h = 10:00 EDT = 14:00Z
    assert due_at(t.events, p) == utc(2026, 3, 10, 14, 0)
    assert not is_breached(t.events, p, "first_response", at=ny(2026, 3, 10, 9, 59))


def test_stricter_priority_can_breach_at_once() -> None:
    """normal -> urgent after 2h: the clock is already past 1h, so it breaches at the change."""
    p = policy(FR)
    t = Ticket().add(ny(2026, 3, 10, 9), "created", priority="normal")
    t.add(ny(2026, 3, 10, 11), "priority_changed", priority="urgent")  # 11:00 EDT = 15:00Z
    before = t.clock(p, ny(2026, 3, 10, 10, 59), "first_response")
    assert not before.is_breached  # under the 8h target nothing was wrong
    clock = t.clock(p, ny(2026, 3, 10, 11, 1), "first_response")
    assert clock.target == 1 * H
    assert clock.deadline == utc(2026, 3, 10, 14, 0)  # 10:00 EDT: reached before the change
    assert clock.breached_at == utc(2026, 3, 10, 15, 0)  # breached from the change instant
    assert clock.remaining == -(1 * H + M)
    assert (
        "re-targeted to 1h from its original start" in t.state(p, ny(2026, 3, 10, 11, 1)).explain()
    )


def test_looser_priority_unbreaches_but_ever_breached_remembers() -> None:
    """urgent breached at 10:00, then normal at 11:00: not breached now, but ever_breached."""
    p = policy(FR)
    t = Ticket().add(ny(2026, 3, 10, 9), "created", priority="urgent")
    at_1030 = ny(2026, 3, 10, 10, 30)
    assert is_breached(t.events, p, "first_response", at=at_1030)
    t.add(ny(2026, 3, 10, 11), "priority_changed", priority="normal")
    at_noon = ny(2026, 3, 10, 12)
    assert not is_breached(t.events, p, "first_response", at=at_noon)
    assert ever_breached(t.events, p, "first_response", at=at_noon)
    assert due_at(t.events, p) == utc(2026, 3, 10, 21, 0)  # 09:00 + 8h = 17:00 EDT
    clock = t.clock(p, at_noon, "first_response")
    assert clock.breached_at is None
    assert clock.ever_breached
    assert clock.met is None  # still running


def test_looser_priority_before_any_breach_never_breached() -> None:
    """urgent -> normal after 30 minutes: ever_breached stays False."""
    p = policy(FR)
    t = Ticket().add(ny(2026, 3, 10, 9), "created", priority="urgent")
    t.add(ny(2026, 3, 10, 9, 30), "priority_changed", priority="normal")
    assert not ever_breached(t.events, p, "first_response", at=ny(2026, 3, 10, 12))


def test_priority_change_after_the_clock_stopped_changes_nothing() -> None:
    """A fulfilled first response keeps the verdict it earned under the target of its time."""
    p = policy(FR)
    t = Ticket().add(ny(2026, 3, 10, 9), "created", priority="normal")
    t.add(ny(2026, 3, 10, 11), "agent_reply")  # 2h: met under 8h
    t.add(ny(2026, 3, 10, 12), "priority_changed", priority="urgent")
    clock = t.clock(p, ny(2026, 3, 10, 13), "first_response")
    assert clock.met is True
    assert clock.target == 8 * H
    assert not ever_breached(t.events, p, "first_response", at=ny(2026, 3, 10, 13))


def test_priority_change_while_solved_applies_when_reopened() -> None:
    """A ticket made urgent while solved is measured against the urgent target once reopened."""
    p = policy({"resolution": {"urgent": "4h", "normal": "16h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")  # normal: 16h
    t.add(ny(2026, 3, 10, 10), "status_changed", status="solved")  # 1h used, met
    t.add(ny(2026, 3, 10, 11), "priority_changed", priority="urgent")
    assert t.clock(p, ny(2026, 3, 10, 12), "resolution").target == 16 * H  # the met verdict stays
    t.add(ny(2026, 3, 11, 9), "status_changed", status="open")  # Wed 09:00 EDT
    clock = t.clock(p, ny(2026, 3, 11, 10), "resolution")
    assert clock.target == 4 * H
    assert clock.elapsed == 2 * H
    # 3h left at the reopen: Wed 12:00 EDT = 16:00Z
    assert clock.due_at == utc(2026, 3, 11, 16, 0)


def test_priority_dropping_to_one_without_target_cancels_the_clock() -> None:
    """Moving to a priority with no target for the metric cancels its running clock."""
    p = policy({"first_response": {"urgent": "1h"}, "resolution": {"all": "8h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created", priority="urgent")
    t.add(ny(2026, 3, 10, 9, 30), "priority_changed", priority="low")
    clock = t.clock(p, ny(2026, 3, 10, 12), "first_response")
    assert clock.status is ClockStatus.CANCELLED
    assert clock.due_at is None
    assert due_at(t.events, p) is None


# ---- next-response cycles -------------------------------------------------------------------


def conversation() -> Ticket:
    t = Ticket().add(ny(2026, 3, 10, 9), "created")  # Tue 09:00 EDT
    t.add(ny(2026, 3, 10, 9, 30), "customer_message")  # before the first reply: no cycle
    t.add(ny(2026, 3, 10, 10), "agent_reply")  # first response, 1h
    t.add(ny(2026, 3, 10, 11), "customer_message")  # wait 1 starts
    t.add(ny(2026, 3, 10, 12), "customer_message")  # still wait 1: no restart
    t.add(ny(2026, 3, 10, 12, 30), "agent_reply")  # wait 1 answered after 1h30
    t.add(ny(2026, 3, 10, 16), "customer_message")  # wait 2 starts
    return t


NR = {"first_response": {"all": "8h"}, "next_response": {"all": "2h"}}


def test_next_response_runs_one_cycle_per_wait_from_the_oldest_unanswered_message() -> None:
    """Each customer wait is a cycle measured from its first unanswered message."""
    p = policy(NR)
    first, second = conversation().state(p, ny(2026, 3, 11, 9, 30)).cycles("next_response")
    assert first.started_at == utc(2026, 3, 10, 15, 0)  # 11:00 EDT, not the 12:00 message
    assert first.stopped_at == utc(2026, 3, 10, 16, 30)
    assert first.elapsed == 90 * M
    assert first.met is True
    assert second.started_at == utc(2026, 3, 10, 20, 0)  # 16:00 EDT
    # 16:00-17:00 is 1h; Wed 09:00 EDT + 1h = 10:00 EDT = 14:00Z
    assert second.due_at == utc(2026, 3, 11, 14, 0)
    assert second.elapsed == 90 * M


def test_next_response_waits_for_the_first_response() -> None:
    """Customer messages before the first reply start no next-response cycle."""
    p = policy(NR)
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 9, 30), "customer_message")
    t.add(ny(2026, 3, 10, 9, 45), "customer_message")
    state = t.state(p, ny(2026, 3, 10, 12))
    assert state.cycles("next_response") == ()
    assert due_at(t.events, p, "next_response") is None


def test_next_response_is_not_answered_by_an_auto_reply_or_a_note() -> None:
    """An automatic agent reply and an internal note leave the customer still waiting."""
    p = policy(NR)
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 10), "agent_reply")
    t.add(ny(2026, 3, 10, 11), "customer_message")
    t.add(ny(2026, 3, 10, 11, 1), "agent_reply", auto=True)
    t.add(ny(2026, 3, 10, 11, 2), "internal_note")
    clock = t.clock(p, ny(2026, 3, 10, 14), "next_response")
    assert clock.cycle == 1
    assert clock.status is ClockStatus.RUNNING
    assert clock.due_at == utc(2026, 3, 10, 17, 0)  # 11:00 + 2h = 13:00 EDT
    assert clock.breached_at == utc(2026, 3, 10, 17, 0)


# ---- periodic-update cycles -----------------------------------------------------------------


def test_periodic_update_cycles_run_from_each_public_reply_until_solved() -> None:
    """Each public reply closes the running update cycle and opens the next; solving cancels it."""
    p = policy({"periodic_update": {"all": "4h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 10), "agent_reply")
    t.add(ny(2026, 3, 10, 11), "customer_message")  # a customer message does not restart it
    t.add(ny(2026, 3, 10, 12, 30), "agent_reply")
    first, second = t.state(p, ny(2026, 3, 10, 13)).cycles("periodic_update")
    assert first.elapsed == 150 * M
    assert first.met is True
    # 12:30 EDT + 4h = 16:30 EDT = 20:30Z
    assert second.due_at == utc(2026, 3, 10, 20, 30)
    t.add(ny(2026, 3, 10, 15), "status_changed", status="solved")
    cancelled = t.clock(p, ny(2026, 3, 10, 18), "periodic_update")
    assert cancelled.status is ClockStatus.CANCELLED
    assert cancelled.due_at is None
    assert cancelled.met is None
    assert not cancelled.is_breached


def test_no_update_cycle_before_the_first_public_reply() -> None:
    """Before anyone replies there is no periodic-update clock at all."""
    p = policy({"periodic_update": {"all": "4h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created").add(ny(2026, 3, 10, 9, 5), "internal_note")
    assert t.state(p, ny(2026, 3, 10, 16)).cycles("periodic_update") == ()


# ---- calendar-hour metrics ------------------------------------------------------------------


def test_calendar_hour_resolution_next_to_business_hour_first_response() -> None:
    """One ticket, two calendars: first response in business hours, resolution around the clock."""
    p = SLAPolicy.load(FIXTURES / "calendar-hours.toml")  # first_response 4h, resolution 48h 24x7
    t = Ticket().add(ny(2026, 3, 6, 15), "created")  # Fri 15:00 EST = 20:00Z
    # first response: Fri 15:00-17:00 = 2h, Mon 09:00 EDT + 2h = 11:00 EDT = 15:00Z
    assert due_at(t.events, p) == utc(2026, 3, 9, 15, 0)
    # resolution: 20:00Z Fri + 48h = 20:00Z Sun 8 March
    assert due_at(t.events, p, "resolution") == utc(2026, 3, 8, 20, 0)
    t.add(ny(2026, 3, 7, 10), "status_changed", status="pending")  # Sat 15:00Z: 19h used
    t.add(ny(2026, 3, 9, 9), "status_changed", status="open")  # Mon 13:00Z
    # 29h left from Mon 13:00Z: Tue 10 March 18:00Z
    assert due_at(t.events, p, "resolution") == utc(2026, 3, 10, 18, 0)


# ---- exact-target semantics -----------------------------------------------------------------


def test_reply_exactly_at_the_due_instant_is_not_a_breach() -> None:
    """Reaching the target exactly meets it."""
    p = policy({"first_response": {"all": "4h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 13), "agent_reply")  # 09:00 + 4h exactly
    clock = t.clock(p, ny(2026, 3, 10, 14), "first_response")
    assert clock.elapsed == clock.target
    assert clock.met is True
    assert not clock.is_breached
    assert not clock.ever_breached


def test_running_clock_is_breached_only_after_the_due_instant() -> None:
    """At the due instant a running clock is not breached; one microsecond later it is."""
    p = policy({"first_response": {"all": "8h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    due = ny(2026, 3, 10, 17)  # 09:00 + 8h
    assert not is_breached(t.events, p, "first_response", at=due)
    assert is_breached(t.events, p, "first_response", at=due + US)


def test_reply_after_a_17_00_deadline_in_closed_hours_is_a_breach() -> None:
    """A reply at 20:00 misses a 17:00 deadline though no business time passed after 17:00."""
    p = policy({"first_response": {"all": "8h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 20), "agent_reply")
    clock = t.clock(p, ny(2026, 3, 10, 21), "first_response")
    assert clock.elapsed == 8 * H  # exactly the target in business time...
    assert clock.remaining == timedelta(0)
    assert clock.breached_at == utc(2026, 3, 10, 21, 0)  # ...but 17:00 EDT passed while running
    assert clock.met is False
    assert clock.status is ClockStatus.FULFILLED


def test_reply_the_next_morning_before_opening_is_a_breach() -> None:
    """A reply at 08:59 the next day, before any business time passed, still missed 17:00."""
    p = policy({"first_response": {"all": "8h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created").add(ny(2026, 3, 11, 8, 59), "agent_reply")
    assert is_breached(t.events, p, "first_response", at=ny(2026, 3, 11, 9))


# ---- what fulfils nothing -------------------------------------------------------------------


def test_auto_reply_fulfils_no_response_target() -> None:
    """An auto-reply neither stops the first response nor starts a periodic update."""
    p = policy({"first_response": {"all": "1h"}, "periodic_update": {"all": "2h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 9, 1), "agent_reply", auto=True)
    state = t.state(p, ny(2026, 3, 10, 11))
    clock = state.clock("first_response")
    assert clock is not None
    assert clock.status is ClockStatus.RUNNING
    assert clock.breached_at == utc(2026, 3, 10, 14, 0)  # 10:00 EDT
    assert state.cycles("periodic_update") == ()
    assert "is not a response" in state.explain()


def test_internal_note_fulfils_nothing() -> None:
    """An internal note is not a reply to the customer."""
    p = policy({"first_response": {"all": "1h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created").add(ny(2026, 3, 10, 9, 10), "internal_note")
    assert due_at(t.events, p) == utc(2026, 3, 10, 14, 0)
    assert is_breached(t.events, p, "first_response", at=ny(2026, 3, 10, 11))


def test_automatic_customer_message_does_not_open_a_pending_ticket() -> None:
    """An out-of-office from the customer keeps a pending ticket pending and its clock paused."""
    p = policy({"resolution": {"all": "8h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 10), "status_changed", status="pending")
    t.add(ny(2026, 3, 10, 10, 1), "customer_message", auto=True)
    state = t.state(p, ny(2026, 3, 10, 15))
    assert state.status == "pending"
    clock = state.clock("resolution")
    assert clock is not None
    assert clock.status is ClockStatus.PAUSED
    assert clock.elapsed == 1 * H


# ---- events after `at`, late and repeated events ---------------------------------------------


def test_events_after_at_are_not_yet_known() -> None:
    """Evaluating at 10:00 ignores a reply at 11:00: the state equals the one without it."""
    p = policy({"first_response": {"all": "4h"}, "resolution": {"all": "8h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    without = t.state(p, ny(2026, 3, 10, 10))
    t.add(ny(2026, 3, 10, 11), "agent_reply")
    t.add(ny(2026, 3, 10, 12), "status_changed", status="solved")
    with_future = t.state(p, ny(2026, 3, 10, 10))
    assert with_future.clocks == without.clocks
    clock = with_future.clock("first_response")
    assert clock is not None
    assert clock.status is ClockStatus.RUNNING


def test_late_and_repeated_events_give_the_same_state() -> None:
    """A reply delivered late (out of order) and twice counts once, in its place in time."""
    p = policy({"first_response": {"all": "4h"}, "resolution": {"all": "8h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 10), "agent_reply")
    t.add(ny(2026, 3, 10, 11), "status_changed", status="pending")
    in_order = t.state(p, ny(2026, 3, 10, 12))
    late = [t.events[0], t.events[2], t.events[1], t.events[1]]
    assert evaluate(late, p, ny(2026, 3, 10, 12)).clocks == in_order.clocks
    first = in_order.clock("first_response")
    assert first is not None
    assert first.elapsed == 1 * H


# ---- policy choice --------------------------------------------------------------------------


def test_policy_switch_mid_ticket_retargets_from_the_original_start() -> None:
    """A tag that moves the ticket to the VIP policy re-targets its clocks from creation."""
    vip = policy({"first_response": {"all": "1h"}}, name="vip", match={"tags": ["vip"]})
    default = policy({"first_response": {"all": "8h"}}, name="default")
    policies = PolicySet([vip], default=default)
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    assert due_at(t.events, policies) == utc(2026, 3, 10, 21, 0)  # 17:00 EDT under 8h
    t.add(ny(2026, 3, 10, 9, 30), "fields_changed", tags=["vip"])
    # 1h from the original 09:00 start: 10:00 EDT = 14:00Z
    assert due_at(t.events, policies) == utc(2026, 3, 10, 14, 0)
    state = t.state(policies, ny(2026, 3, 10, 9, 45))
    assert state.policy == "vip"
    trace = state.explain()
    assert "policy 'vip': matches tags in ['vip']" in trace
    assert "re-targeted to 1h from its original start" in trace


def test_policy_switch_to_another_calendar_keeps_time_measured_so_far() -> None:
    """Time before a switch stays measured on the old calendar; the rest on the new one."""
    vip = policy(
        {"resolution": {"all": "8h"}}, name="vip", calendar="24x7", match={"tags": ["vip"]}
    )
    default = policy({"resolution": {"all": "8h"}}, name="default")
    policies = PolicySet([vip], default=default)
    t = Ticket().add(ny(2026, 3, 10, 15), "created")  # Tue 15:00 EDT = 19:00Z
    t.add(ny(2026, 3, 10, 19), "fields_changed", tags=["vip"])  # 23:00Z; 2h business so far
    # 6h left on 24x7 from 23:00Z Tue: 05:00Z Wed 11 March
    clock = t.clock(policies, ny(2026, 3, 10, 20), "resolution")
    assert clock.calendar == "24x7"
    assert clock.due_at == utc(2026, 3, 11, 5, 0)
    assert clock.elapsed == 3 * H  # 2h business + 1h around the clock


def test_policy_switch_on_the_same_calendar_does_not_claim_a_calendar_change() -> None:
    """Two policies on us-business: explain() says nothing about a new calendar on a switch."""
    vip = policy({"first_response": {"all": "1h"}}, name="vip", match={"tags": ["vip"]})
    default = policy({"first_response": {"all": "8h"}}, name="default")
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 9, 30), "fields_changed", tags=["vip"])
    trace = t.state(PolicySet([vip], default=default), ny(2026, 3, 10, 9, 45)).explain()
    assert "now measured on" not in trace


# ---- custom metrics from a policy file --------------------------------------------------------


def test_custom_metrics_from_a_policy_file_start_stop_and_cycle() -> None:
    """time_to_assign stops at assignment; customer_wait runs per pending spell in calendar hours."""
    p = SLAPolicy.load(FIXTURES / "custom-metrics.toml")  # default priority high
    t = Ticket().add(ny(2026, 3, 10, 9), "created")  # Tue 09:00 EDT = 13:00Z
    t.add(ny(2026, 3, 10, 9, 40), "assigned", assignee="ana")
    t.add(ny(2026, 3, 10, 10), "agent_reply")
    t.add(ny(2026, 3, 10, 11), "status_changed", status="pending")  # 15:00Z
    t.add(ny(2026, 3, 11, 10), "customer_message")  # 14:00Z Wed: 23h of waiting
    t.add(ny(2026, 3, 11, 12), "status_changed", status="pending")  # 16:00Z Wed
    state = t.state(p, ny(2026, 3, 11, 13))
    assign = state.clock("time_to_assign")
    assert assign is not None
    assert assign.target == 1 * H  # high, the policy's default priority
    assert assign.elapsed == 40 * M
    assert assign.met is True
    first, second = state.cycles("customer_wait")
    assert first.elapsed == 23 * H
    assert first.met is True
    assert second.calendar == "24x7"
    # 16:00Z Wed + 72h = 16:00Z Sat 14 March; its 50% warning at +36h = 04:00Z Fri 13 March
    assert second.due_at == utc(2026, 3, 14, 16, 0)
    assert second.warnings == (("50%", utc(2026, 3, 13, 4, 0)),)
    t.add(ny(2026, 3, 11, 14), "status_changed", status="solved")
    cancelled = t.clock(p, ny(2026, 3, 11, 15), "customer_wait")
    assert cancelled.status is ClockStatus.CANCELLED


# ---- warnings -------------------------------------------------------------------------------


def test_warnings_at_75_percent_and_30_minutes_left_in_business_time() -> None:
    """Warnings fire at 75 % of the target used and with 30 business minutes left."""
    p = policy({"first_response": {"all": "8h"}}, warnings={"at": ["75%", "30m"]})
    t = Ticket().add(ny(2026, 3, 6, 13), "created")  # Fri 13:00 EST = 18:00Z
    # Fri 13:00-17:00 = 4h; Mon 9 March 09:00 EDT + 4h = 13:00 EDT = 17:00Z due.
    # 75 % = 6h used: Mon 11:00 EDT = 15:00Z; 30m left = 7h30 used: Mon 12:30 EDT = 16:30Z.
    clock = t.clock(p, ny(2026, 3, 6, 14), "first_response")
    assert clock.due_at == utc(2026, 3, 9, 17, 0)
    assert clock.warnings == (("75%", utc(2026, 3, 9, 15, 0)), ("30m", utc(2026, 3, 9, 16, 30)))
    assert next_change_at(t.events, p, ny(2026, 3, 6, 14)) == utc(2026, 3, 9, 15, 0)
    assert next_change_at(t.events, p, ny(2026, 3, 9, 11, 0)) == utc(2026, 3, 9, 16, 30)
    assert next_change_at(t.events, p, ny(2026, 3, 9, 12, 45)) == utc(2026, 3, 9, 17, 0) + US
    assert next_change_at(t.events, p, ny(2026, 3, 9, 14)) is None  # already breached


def test_warnings_of_a_fulfilled_clock_stop_at_the_fulfilment() -> None:
    """A clock answered at 80 % keeps the 75 % warning it fired and never fires the 30m one."""
    p = policy({"first_response": {"all": "8h"}}, warnings={"at": ["75%", "30m"]})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 15, 24), "agent_reply")  # 6h24m = 80 % of 8h
    clock = t.clock(p, ny(2026, 3, 10, 16), "first_response")
    assert clock.warnings == (("75%", utc(2026, 3, 10, 19, 0)),)  # 15:00 EDT
    assert next_change_at(t.events, p, ny(2026, 3, 10, 16)) is None


# ---- explain() ------------------------------------------------------------------------------


def test_explain_lists_policy_starts_pauses_resumes_retargets_and_stops_in_order() -> None:
    """explain() is a readable trace of what happened to each clock, in history order."""
    p = policy(
        {
            "first_response": {"urgent": "1h", "normal": "8h"},
            "resolution": {"urgent": "4h", "normal": "16h"},
        }
    )
    t = Ticket().add(ny(2026, 3, 10, 9), "created")
    t.add(ny(2026, 3, 10, 9, 20), "priority_changed", priority="urgent")
    t.add(ny(2026, 3, 10, 9, 40), "agent_reply")
    t.add(ny(2026, 3, 10, 10), "status_changed", status="pending")
    t.add(ny(2026, 3, 10, 11), "status_changed", status="open")
    t.add(ny(2026, 3, 10, 12), "status_changed", status="solved")
    lines = t.state(p, ny(2026, 3, 10, 13)).explain().splitlines()
    wanted = [
        "default policy 'scenario'",
        "first_response #1: started by created",
        "resolution #1: started by created",
        "first_response #1: re-targeted to 1h from its original start",
        "resolution #1: re-targeted to 4h from its original start",
        "first_response #1: fulfilled by agent_reply",
        "resolution #1: paused (pending)",
        "resolution #1: resumed (open)",
        "resolution #1: fulfilled by status:solved",
    ]
    positions = []
    for text in wanted:
        hits = [i for i, line in enumerate(lines) if text in line]
        assert hits, f"{text!r} not in the trace:\n" + "\n".join(lines)
        positions.append(hits[0])
    assert positions == sorted(positions)
    assert any(line.startswith("2026-03-10T10:00:00-04:00") and "paused" in line for line in lines)


# ---- regressions: failure modes other helpdesks shipped --------------------------------------


def test_regression_pending_time_counted_in_business_time() -> None:
    """A pause is measured and given back in business time, not counted 24x7 and added in business."""
    p = policy({"resolution": {"all": "8h"}})
    t = Ticket().add(ny(2026, 3, 10, 9), "created")  # Tue 09:00 EDT
    t.add(ny(2026, 3, 10, 16), "status_changed", status="pending")  # 7h used
    t.add(ny(2026, 3, 11, 10), "status_changed", status="open")  # Wed 10:00 EDT
    # The pause is 18 wall-clock hours but 2 business hours (16-17 Tue, 09-10 Wed). 1h is left
    # at Wed 10:00: due 11:00 EDT = 15:00Z. The bug added 18 business hours to Tue 17:00,
    # giving Fri 13 March 11:00 EDT.
    assert due_at(t.events, p, "resolution") == utc(2026, 3, 11, 15, 0)
    assert t.clock(p, ny(2026, 3, 11, 10, 30), "resolution").elapsed == 7 * H + 30 * M
    # Over a holiday weekend: 16h target, created Wed 25 Nov 09:00 EST, pending at 15:00 (6h),
    # open Mon 30 Nov 10:00 EST. 10h left: Mon 10-17 is 7h, Tue 1 Dec 09:00 + 3h = 12:00 EST = 17:00Z.
    p16 = policy({"resolution": {"all": "16h"}})
    w = Ticket().add(ny(2026, 11, 25, 9), "created")
    w.add(ny(2026, 11, 25, 15), "status_changed", status="pending")
    w.add(ny(2026, 11, 30, 10), "status_changed", status="open")
    assert due_at(w.events, p16, "resolution") == utc(2026, 12, 1, 17, 0)


def test_regression_warning_offset_before_deadline_is_business_time() -> None:
    """A warning 30m before the deadline is 30 business minutes before it, not 30 wall minutes."""
    p = policy({"first_response": {"all": "4h"}}, warnings={"at": ["30m"]})
    t = Ticket().add(ny(2026, 3, 6, 13, 15), "created")  # Fri 13:15 EST = 18:15Z
    # Fri 13:15-17:00 is 3h45m; 15m are left for Mon 9 March: due 09:15 EDT = 13:15Z.
    # 30 business minutes before that is 3h30m used: Fri 16:45 EST = 21:45Z. Wall-clock
    # arithmetic would say Mon 08:45 EDT, before the team is even in.
    clock = t.clock(p, ny(2026, 3, 6, 14), "first_response")
    assert clock.due_at == utc(2026, 3, 9, 13, 15)
    assert clock.warnings == (("30m", utc(2026, 3, 6, 21, 45)),)
    assert next_change_at(t.events, p, ny(2026, 3, 6, 16)) == utc(2026, 3, 6, 21, 45)


def test_regression_pause_time_kept_when_policy_changes_while_pending() -> None:
    """A policy or priority change during a pause keeps the pause: no paused time is counted."""
    vip = policy({"resolution": {"all": "8h"}}, name="vip", match={"tags": ["vip"]})
    default = policy({"resolution": {"all": "16h"}}, name="default")
    by_policy = Ticket().add(ny(2026, 3, 10, 9), "created")  # Tue 09:00 EDT
    by_policy.add(ny(2026, 3, 10, 11), "status_changed", status="pending")  # 2h used
    by_policy.add(ny(2026, 3, 11, 10), "fields_changed", tags=["vip"])  # switch while pending
    by_policy.add(ny(2026, 3, 12, 9), "status_changed", status="open")  # Thu 09:00 EDT
    policies = PolicySet([vip], default=default)
    during = by_policy.clock(policies, ny(2026, 3, 11, 12), "resolution")
    assert during.status is ClockStatus.PAUSED
    assert during.policy == "vip"
    assert during.elapsed == 2 * H
    # 6h left from Thu 09:00 EDT: 15:00 EDT = 19:00Z
    assert due_at(by_policy.events, policies, "resolution") == utc(2026, 3, 12, 19, 0)

    p = policy({"resolution": {"high": "8h", "normal": "16h"}})
    by_priority = Ticket().add(ny(2026, 3, 10, 9), "created", priority="normal")
    by_priority.add(ny(2026, 3, 10, 11), "status_changed", status="pending")
    by_priority.add(ny(2026, 3, 11, 10), "priority_changed", priority="high")
    by_priority.add(ny(2026, 3, 12, 9), "status_changed", status="open")
    assert due_at(by_priority.events, p, "resolution") == utc(2026, 3, 12, 19, 0)


def test_regression_reopened_ticket_measured_from_original_start() -> None:
    """A reopen continues from the original start, skipping the solved gap, not from the reopen."""
    p = policy({"resolution": {"all": "8h"}})
    t = reopened_ticket()  # created Tue 09:00, solved 12:00, reopened Wed 09:00 EDT
    clock = t.clock(p, ny(2026, 3, 11, 10), "resolution")
    assert clock.started_at == utc(2026, 3, 10, 13, 0)  # Tue 09:00 EDT
    # 3h before the solve + 1h since the reopen; not 1h (from the reopen) nor 9h (the solved
    # afternoon Tue 12-17 counted).
    assert clock.elapsed == 4 * H
    assert clock.due_at == utc(2026, 3, 11, 18, 0)  # 5h left from Wed 09:00: 14:00 EDT


def test_regression_update_target_does_not_override_response_target_before_first_response() -> None:
    """Before the first public reply only the first-response target applies, not the update one."""
    p = policy(
        {
            "first_response": {"all": "8h"},
            "next_response": {"all": "30m"},
            "periodic_update": {"all": "1h"},
        }
    )
    t = Ticket().add(ny(2026, 3, 10, 9), "created")  # Tue 09:00 EDT
    t.add(ny(2026, 3, 10, 9, 5), "agent_reply", auto=True)
    t.add(ny(2026, 3, 10, 9, 10), "internal_note")
    t.add(ny(2026, 3, 10, 9, 30), "customer_message")
    state = t.state(p, ny(2026, 3, 10, 12))
    first = state.clock("first_response")
    assert first is not None
    assert first.target == 8 * H
    assert first.due_at == utc(2026, 3, 10, 21, 0)  # 17:00 EDT
    assert not first.is_breached
    assert state.cycles("periodic_update") == ()
    assert state.cycles("next_response") == ()
    assert not is_breached(t.events, p, "periodic_update", at=ny(2026, 3, 10, 12))
    t.add(ny(2026, 3, 10, 13), "agent_reply")  # the first response: now updates are due hourly
    assert t.clock(p, ny(2026, 3, 10, 13, 30), "first_response").met is True
    assert due_at(t.events, p, "periodic_update") == utc(2026, 3, 10, 18, 0)  # 14:00 EDT
