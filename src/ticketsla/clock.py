"""The clock fold: a ticket's events, its policies and an instant in; every SLA clock's state out.

Pure and deterministic. The fold walks the ticket's events in history order, keeping for each
metric a list of cycles; a cycle's running time is a list of *segments* (stretches during which it
ran, each measured on the calendar in force then). Due instants, breaches and warnings are worked
out at the end from those segments against the target in force last, which is how a priority or
policy change re-targets a clock from its original start while keeping its elapsed time.

A breach is real time passing the due instant while the clock runs: a reply exactly at the due
instant meets the target, a reply at 20:00 after a 17:00 deadline does not, even though no business
time passed in between.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from . import escalation
from ._instants import from_us, to_us
from .calendar import Calendar
from .durations import format_duration
from .escalation_notice import EscalationRecord
from .events import (
    Actor,
    EventKind,
    Priority,
    Status,
    TicketEvent,
    due_instant_us,
    order_events,
)
from .metrics import MetricDefinition, OnReopen
from .outcomes import CSAT, FCR, OutcomeTally
from .policy import DEFAULT_CUSTOMER_REPLY_REOPENS, PolicySet, SLAPolicy

__all__ = ["ClockState", "ClockStatus", "TicketSLA", "fold", "with_trail"]

Chooser = Callable[[Mapping[str, Any], tuple[SLAPolicy, ...]], str | None]
ResponseRule = Callable[[TicketEvent], bool | None]


class ClockStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True, kw_only=True)
class ClockState:
    """One cycle of one metric on one ticket, as of the instant it was evaluated at.

    Instants are kept as UTC epoch microseconds (``*_us``) and offered as aware datetimes in UTC
    through properties; durations likewise as ``timedelta``.
    """

    ticket_id: str
    metric: str
    cycle: int
    status: ClockStatus
    policy: str
    calendar: str
    priority: Priority | None
    target_us: int
    elapsed_us: int
    started_us: int
    stopped_us: int | None
    deadline_us: int | None  # when elapsed reaches the target (past or future); None if never
    breached_us: int | None  # the breach instant, when it happened by ``at_us``
    # The last instant at which the clock is not breached if nothing else happens (past or
    # future); None when it never will be. The clock is breached at ``at_us`` exactly when this
    # lies before it: the due instant, or one microsecond before a re-target instant at which a
    # stricter target found the clock already over it (``breached_us`` then shows the re-target).
    breach_point_us: int | None
    warnings_us: tuple[tuple[str, int], ...]  # (level, instant): fired or, if running, scheduled
    at_us: int
    ever_breached: bool  # also under a target that applied earlier and was replaced
    # Running and inside its calendar's open hours at ``at_us``: time counts now. False while
    # paused or stopped, and for a running clock outside working hours ("waiting for business
    # hours"). Kept by the fold; a clock row read back from the store leaves it False, so it
    # takes no part in comparing two states.
    counting: bool = field(default=False, compare=False)
    # [[escalation]] levels of the policy, as warnings: (level name, instant) fired or scheduled
    escalations_us: tuple[tuple[str, int], ...] = ()

    @property
    def started_at(self) -> datetime:
        return from_us(self.started_us, UTC)

    @property
    def stopped_at(self) -> datetime | None:
        return None if self.stopped_us is None else from_us(self.stopped_us, UTC)

    @property
    def elapsed(self) -> timedelta:
        return timedelta(microseconds=self.elapsed_us)

    @property
    def target(self) -> timedelta:
        return timedelta(microseconds=self.target_us)

    @property
    def remaining(self) -> timedelta:
        """Business time left before the target (negative once exceeded)."""
        return timedelta(microseconds=self.target_us - self.elapsed_us)

    @property
    def due_at(self) -> datetime | None:
        """The due instant while the clock runs; None when paused, fulfilled or cancelled."""
        if self.status is not ClockStatus.RUNNING or self.deadline_us is None:
            return None
        return from_us(self.deadline_us, UTC)

    @property
    def deadline(self) -> datetime | None:
        """When elapsed time reaches (or reached) the target, whatever the status."""
        return None if self.deadline_us is None else from_us(self.deadline_us, UTC)

    @property
    def breached_at(self) -> datetime | None:
        return None if self.breached_us is None else from_us(self.breached_us, UTC)

    @property
    def is_breached(self) -> bool:
        return self.breached_us is not None

    @property
    def met(self) -> bool | None:
        """True when fulfilled within target, False when breached, None while undecided."""
        if self.breached_us is not None:
            return False
        if self.status is ClockStatus.FULFILLED:
            return True
        return None

    @property
    def warnings(self) -> tuple[tuple[str, datetime], ...]:
        return tuple((level, from_us(us, UTC)) for level, us in self.warnings_us)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping for people and files."""

        def iso(us: int | None) -> str | None:
            return None if us is None else from_us(us, UTC).isoformat()

        return {
            "ticket_id": self.ticket_id,
            "metric": self.metric,
            "cycle": self.cycle,
            "status": str(self.status),
            "policy": self.policy,
            "calendar": self.calendar,
            "priority": None if self.priority is None else str(self.priority),
            "target_seconds": self.target_us / 1e6,
            "elapsed_seconds": self.elapsed_us / 1e6,
            "remaining_seconds": (self.target_us - self.elapsed_us) / 1e6,
            "started_at": iso(self.started_us),
            "stopped_at": iso(self.stopped_us),
            "due_at": None if self.due_at is None else self.due_at.isoformat(),
            "deadline": iso(self.deadline_us),
            "breached_at": iso(self.breached_us),
            "ever_breached": self.ever_breached,
            "counting": self.counting,
            "warnings": [{"level": lv, "at": iso(us)} for lv, us in self.warnings_us],
            # only clocks with escalation levels carry the key, so other output reads as before
            **(
                {"escalations": [{"level": lv, "at": iso(us)} for lv, us in self.escalations_us]}
                if self.escalations_us
                else {}
            ),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketSLA:
    """Every clock of one ticket, its outcomes, and the policy chosen, as of ``at``."""

    ticket_id: str
    at_us: int
    policy: str | None
    policy_reason: str
    priority: Priority | None
    status: Status | None
    fields: tuple[tuple[str, Any], ...]
    clocks: tuple[ClockState, ...]
    fcr: FCR | None
    csat: CSAT | None
    _explain: Callable[[], list[str]] = field(repr=False, compare=False)
    # What the engine recorded of the ticket's escalation levels (``SLAEngine.state``); the pure
    # fold knows only their instants (``ClockState.escalations_us``).
    escalation_trail: tuple[EscalationRecord, ...] = field(default=(), compare=False)

    @property
    def at(self) -> datetime:
        return from_us(self.at_us, UTC)

    def cycles(self, metric: str) -> tuple[ClockState, ...]:
        """The cycles of ``metric`` in order (empty when the ticket has no such clock)."""
        return tuple(c for c in self.clocks if c.metric == metric)

    def clock(self, metric: str) -> ClockState | None:
        """The latest cycle of ``metric``, which decides ``due_at`` and ``is_breached``."""
        latest = None
        for state in self.clocks:
            if state.metric == metric:
                latest = state
        return latest

    def field(self, name: str) -> Any:
        return dict(self.fields).get(name)

    def explain(self) -> str:
        """A readable trace: policy chosen and why, each start, pause, resume, re-target, stop."""
        return "\n".join(self._explain())


# ---- the fold --------------------------------------------------------------------------------


class _Cycle:
    """Mutable working state of one cycle during the fold."""

    __slots__ = (
        "calendar",
        "closed",
        "closed_elapsed",
        "history_breached",
        "number",
        "open_since",
        "shown",
        "started",
        "status",
        "stopped",
        "stopped_by_done",
        "suspended",
        "target",
        "target_since",
    )

    def __init__(self, number: int, at: int, target: int | None, calendar: Calendar) -> None:
        self.number = number
        self.started = at
        self.status = ClockStatus.RUNNING
        self.stopped: int | None = None
        self.stopped_by_done = False
        self.target = target
        self.target_since = at
        self.calendar = calendar
        self.closed: list[Segment] = []
        self.closed_elapsed = 0
        self.open_since: int | None = at
        self.history_breached = False
        self.suspended: _Cycle | None = None  # what is shown while no target applies
        # once the cycle is settled (not its metric's latest): (plan, (priority, ticket), state)
        self.shown: tuple[_Plan, tuple[Any, str], ClockState | None] | None = None

    def copy(self) -> _Cycle:
        """A copy to go on folding with (segments are immutable tuples; ``suspended`` is only
        ever replaced, never changed)."""
        twin = _Cycle.__new__(_Cycle)
        for name in _Cycle.__slots__:
            setattr(twin, name, getattr(self, name))
        twin.closed = list(self.closed)
        return twin

    def snapshot_cancelled(self, at: int) -> _Cycle:
        """A copy of this cycle cancelled at ``at``: how it shows while no target applies."""
        copy = _Cycle(self.number, self.started, self.target, self.calendar)
        copy.closed = list(self.closed)
        copy.closed_elapsed = self.closed_elapsed
        copy.open_since = self.open_since
        copy.target_since = self.target_since
        copy.history_breached = self.history_breached
        copy.close_segment(at)
        copy.status = ClockStatus.CANCELLED
        copy.stopped = at
        return copy

    def close_segment(self, at: int) -> None:
        if self.open_since is not None:
            if at > self.open_since:
                length = self.calendar.elapsed_us(self.open_since, at)
                before = self.closed_elapsed
                self.closed.append((self.open_since, at, self.calendar, before, length))
                self.closed_elapsed = before + length
            self.open_since = None

    def reset(self, at: int) -> None:
        self.closed.clear()
        self.closed_elapsed = 0
        self.started = at
        self.target_since = at

    def segments(self) -> list[Segment]:
        out: list[Segment] = list(self.closed)
        if self.open_since is not None:
            out.append((self.open_since, None, self.calendar, self.closed_elapsed, None))
        return out


# A stretch of running time: start, end (None while still running), the calendar it is measured
# on, the running time before it, and its own length (None while still running).
Segment = tuple[int, int | None, Calendar, int, int | None]


def _reach(segments: Sequence[Segment], amount: int) -> tuple[int | None, int | None]:
    """When the running time reaches ``amount``, and when the clock first runs on past that.

    The two differ only when the clock stopped or paused exactly on reaching it: a reply at the
    due instant reaches the target without passing it. Either is None when it never happened.
    """
    reached: int | None = None
    for start, end, cal, before, length in segments:
        need = amount - before
        if need < 0:  # reached before this segment; running on now passes it
            return reached if reached is not None else start, start
        if end is None:
            point = cal.add_us(start, need)
            return (reached if reached is not None else point), point
        if length is not None and length >= need:
            point = cal.add_us(start, need)
            if reached is None:
                reached = point
            if point < end:
                return reached, point
    return reached, None


class _Fold:
    """One evaluation of one ticket. Kept as a class so ``explain`` can re-run it with a trace."""

    def __init__(
        self,
        events: Sequence[TicketEvent],
        policies: PolicySet,
        at: int,
        chooser: Chooser | None,
        response_rule: ResponseRule | None,
        trace: list[tuple[int, str]] | None,
    ) -> None:
        self.events = events
        self.ticket_id = events[0].ticket_id if events else ""
        self.policies = policies
        self.at = at
        self.chooser = chooser
        self.response_rule = response_rule
        self.trace = trace
        self.fields: dict[str, Any] = {}
        self.status: Status | None = None
        self.policy: SLAPolicy | None = None
        self.policy_reason = "no events yet"
        self.cycles: dict[str, list[_Cycle]] = {}
        self.plan = _plan(policies, None)
        # A ticket an agent opened: the creation instant, and whether its opening message was an
        # internal note only (then first-reply clocks wait for the requester's first message).
        self.agent_opened: int | None = None
        # metric -> a due instant pinned by a due_set event, until a due_cleared
        self.pins: dict[str, int] = {}
        self.waiting_for_requester: set[str] = set()
        self.tally = OutcomeTally()  # FCR and CSAT, fed the applied events by ``result``
        # Set on a fold resumed from a snapshot (ticketsla.fold_snapshot): the kinds of the
        # snapshot's events at its last instant, and how to rebuild the fold there with a trace.
        self.earlier: tuple[int, frozenset[str]] | None = None
        self.rebuild: Callable[[list[tuple[int, str]]], _Fold] | None = None

    # -- helpers --

    def note(self, at: int, text: str) -> None:
        """Add a line to the trace (callers build the text only when ``trace`` is kept)."""
        if self.trace is not None:
            self.trace.append((at, f"{from_us(at, self.zone()).isoformat()}  {text}"))

    def zone(self) -> Any:
        return self.policy.calendar.zone if self.policy is not None else UTC

    def definition(self, metric: str) -> MetricDefinition:
        return self.plan.current[metric][0]

    def calendar(self, metric: str) -> Calendar:
        return self.plan.current[metric][1]

    def target(self, metric: str) -> int | None:
        if self.policy is None:
            return None
        return self.policy.target_us(metric, self.fields.get("priority"))

    def is_response(self, event: TicketEvent) -> bool:
        if event.kind is not EventKind.AGENT_REPLY:
            return False
        if self.response_rule is not None:
            verdict = self.response_rule(event)
            if verdict is not None:
                return verdict
        return event.is_public_response

    # -- the walk --

    def run(self) -> TicketSLA:
        events = self.events
        ticket_id = events[0].ticket_id if events else ""
        at = self.at
        if events and events[0].at_us <= at:
            self.choose(events[0].at_us)
        applied = self.walk(events)
        return self.result(ticket_id, events if applied == len(events) else events[:applied])

    def run_on(self) -> TicketSLA:
        """Finish a fold restored from a snapshot: apply ``events`` (those after it)."""
        applied = self.walk(self.events)
        return self.result(self.ticket_id, self.events[:applied])

    def walk(self, events: Sequence[TicketEvent]) -> int:
        """Apply ``events`` (in history order) up to ``at``; return how many applied."""
        at = self.at
        count = 0
        for event in events:
            if event.at_us > at:
                break
            _APPLY[event.kind](self, event)
            count += 1
        return count

    # One method per event kind, dispatched through ``_APPLY``.

    def apply_created(self, event: TicketEvent) -> None:
        self.set_fields(event)
        at = event.at_us
        if event.status is not None:
            self.status = event.status
        if event.actor is Actor.AGENT and self.agent_opened is None:
            self.agent_opened = at
            if self.opened_with_a_note_only(at):
                self.waiting_for_requester = set(self.plan.first_reply)
                if self.trace is not None:
                    self.note(
                        at,
                        "opened by an agent with an internal note: first replies start "
                        "at the requester's first message",
                    )
        self.fire(EventKind.CREATED, at)

    def apply_fields(self, event: TicketEvent) -> None:
        self.set_fields(event)
        self.fire(event.kind, event.at_us)

    def apply_agent_reply(self, event: TicketEvent) -> None:
        at = event.at_us
        if at == self.agent_opened:
            # An agent opened the ticket with this public message: it is what ``created``
            # already told, not a reply to anyone.
            if self.trace is not None:
                self.note(at, f"{event.kind} ({event.event_id}) opens the ticket: no reply")
            return
        if not self.is_response(event):
            if self.trace is not None:
                self.note(at, f"{event.kind} ({event.event_id}) is not a response: no clock stops")
            return
        self.fire(EventKind.AGENT_REPLY, at)

    def apply_customer_message(self, event: TicketEvent) -> None:
        if event.auto:
            return  # an auto-reply from the customer's side starts and stops nothing
        at = event.at_us
        if self.waiting_for_requester:
            for metric in sorted(self.waiting_for_requester):
                if metric in self.plan.current and not self.cycles.get(metric):
                    self.start(metric, at, reason="started by the requester's first message")
            self.waiting_for_requester.clear()
        reopens = (
            self.policy.customer_reply_reopens
            if self.policy is not None
            else DEFAULT_CUSTOMER_REPLY_REOPENS
        )
        if self.status in reopens:
            # The customer's answer ends the wait: a solved ticket reopens, a pending or
            # on-hold one opens (the policy's customer_reply_reopens).
            if self.trace is not None:
                self.note(at, f"customer wrote on a {self.status} ticket: it opens")
            self.set_status(Status.OPEN, at)
        self.fire(EventKind.CUSTOMER_MESSAGE, at)

    def apply_due_set(self, event: TicketEvent) -> None:
        metric = _pinned_metric(event)
        self.pins[metric] = due_instant_us(event)
        if self.trace is not None:
            self.note(event.at_us, f"{metric}: due instant pinned by {event.event_id}")

    def apply_due_cleared(self, event: TicketEvent) -> None:
        metric = _pinned_metric(event)
        if self.pins.pop(metric, None) is not None and self.trace is not None:
            self.note(event.at_us, f"{metric}: pinned due instant cleared")

    def apply_status(self, event: TicketEvent) -> None:
        status = event.status
        if status is not None and status is not self.status:
            at = event.at_us
            self.set_status(status, at)
            self.fire(_STATUS_TRIGGER[status], at)

    def apply_other(self, event: TicketEvent) -> None:
        self.fire(event.kind, event.at_us)

    def opened_with_a_note_only(self, at: int) -> bool:
        """Whether the events at the creation instant hold an internal note and no public reply."""
        kinds: set[str] = {e.kind for e in self.events if e.at_us == at}
        if self.earlier is not None and self.earlier[0] == at:
            kinds |= self.earlier[1]
        return EventKind.INTERNAL_NOTE in kinds and EventKind.AGENT_REPLY not in kinds

    def set_fields(self, event: TicketEvent) -> None:
        changed = False
        fields = self.fields
        for name, value in event.ticket_fields().items():
            if name == "status":
                continue
            if fields.get(name) != value:
                fields[name] = value
                changed = True
        if changed:
            self.choose(event.at_us)

    def choose(self, at: int) -> None:
        policy, reason = self.policies.choose(self.fields, self.chooser)
        if policy is not self.policy:
            self.plan = _plan(self.policies, policy)
            self.policy = policy
            if self.trace is not None:
                self.note(at, reason)
        self.policy_reason = reason
        self.retarget(at)

    def retarget(self, at: int) -> None:
        for metric, cycles in self.cycles.items():
            if cycles and cycles[-1].status in _ACTIVE:
                self.retarget_cycle(metric, cycles[-1], at)

    def retarget_cycle(self, metric: str, cycle: _Cycle, at: int) -> None:
        """Apply the target and calendar now in force to an active cycle."""
        target = self.target(metric)
        calendar = self.calendar(metric)
        trace = self.trace
        if target != cycle.target:
            if cycle.target is not None and target is not None:
                self.mark_history_breach(cycle, at)
            if target is None and cycle.target is not None:
                # Shown as cancelled while no target applies, but measured on: when a target
                # applies again the cycle resumes from its original start, as one that started
                # without a target would (the order of target changes never loses a clock).
                self.mark_history_breach(cycle, at)
                cycle.suspended = cycle.snapshot_cancelled(at)
                cycle.target = None
                cycle.target_since = at
                if trace is not None:
                    self.note(at, f"{metric} #{cycle.number}: no target any more: cancelled")
                self.repause(metric, cycle, at)
                return
            if cycle.suspended is not None:
                cycle.suspended = None
                if trace is not None:
                    self.note(at, f"{metric} #{cycle.number}: a target applies again: resumed")
            if trace is not None:
                self.note(
                    at,
                    f"{metric} #{cycle.number}: re-targeted to {_td(target)} "
                    "from its original start",
                )
            cycle.target = target
            cycle.target_since = at
        if calendar != cycle.calendar:  # by value: two policies may load equal calendars
            if cycle.open_since is not None:
                cycle.close_segment(at)
                cycle.open_since = at
            cycle.calendar = calendar
            if trace is not None:
                self.note(at, f"{metric} #{cycle.number}: now measured on {calendar.name}")
        self.repause(metric, cycle, at)

    def mark_history_breach(self, cycle: _Cycle, at: int) -> None:
        if cycle.history_breached or cycle.target is None:
            return
        _, crossing = _reach(cycle.segments(), cycle.target)
        if crossing is not None and _breach_instants(crossing, cycle.target_since)[0] < at:
            cycle.history_breached = True

    def set_status(self, status: Status, at: int) -> None:
        previous = self.status
        self.status = status
        reopened = previous in _DONE and status not in _DONE
        # Only the latest cycle of a metric can be active: the next starts when it stops.
        for metric, cycles in self.cycles.items():
            if cycles:
                if reopened:
                    self.reopen(metric, cycles, at)
                latest = cycles[-1].status
                if latest is _RUNNING or latest is _PAUSED:
                    self.repause(metric, cycles[-1], at)

    def repause(self, metric: str, cycle: _Cycle, at: int) -> None:
        state = cycle.status
        if state is not _RUNNING and state is not _PAUSED:
            return
        if self.status in self.plan.pause_while[metric]:
            if state is _RUNNING:
                cycle.close_segment(at)
                cycle.status = _PAUSED
                if self.trace is not None:
                    self.note(at, f"{metric} #{cycle.number}: paused ({self.status})")
        elif state is _PAUSED:
            cycle.status = _RUNNING
            cycle.open_since = at
            if self.trace is not None:
                self.note(at, f"{metric} #{cycle.number}: resumed ({self.status})")

    def reopen(self, metric: str, cycles: list[_Cycle], at: int) -> None:
        last = cycles[-1]
        rule = self.definition(metric).on_reopen
        if rule is OnReopen.IGNORE or last.status is not ClockStatus.FULFILLED:
            return
        if not last.stopped_by_done:
            return
        if rule is OnReopen.NEW_CYCLE:
            self.start(metric, at, reason="reopened: new cycle")
            return
        if rule is OnReopen.RESTART:
            self.mark_history_breach(last, at)  # the breach stays on record after the restart
            last.reset(at)
            if self.trace is not None:
                self.note(at, f"{metric} #{last.number}: reopened: restarts from zero")
        elif self.trace is not None:
            self.note(at, f"{metric} #{last.number}: reopened: continues, elapsed time kept")
        last.status = ClockStatus.RUNNING
        last.stopped = None
        last.stopped_by_done = False
        last.open_since = at
        # a priority or policy change made while solved applies from the reopen on
        self.retarget_cycle(metric, last, at)

    def fire(self, trigger: str, at: int) -> None:
        moves = self.plan.by_trigger.get(trigger)
        if moves is None:
            return
        all_cycles = self.cycles
        trace = self.trace
        for metric, starts, stops, cancels, by_status, many_cycles, after in moves:
            cycles = all_cycles.get(metric)
            if cycles is None:
                cycles = all_cycles[metric] = []
                active = None
            else:
                active = cycles[-1] if cycles and cycles[-1].status in _ACTIVE else None
            if active is not None:
                if stops:
                    active.close_segment(at)
                    active.status = ClockStatus.FULFILLED
                    active.stopped = at
                    active.stopped_by_done = by_status
                    if trace is not None:
                        self.note(at, f"{metric} #{active.number}: fulfilled by {trigger}")
                    active = None
                elif cancels:
                    active.close_segment(at)
                    active.status = ClockStatus.CANCELLED
                    active.stopped = at
                    if trace is not None:
                        self.note(at, f"{metric} #{active.number}: cancelled by {trigger}")
                    continue
            if active is None and starts:
                if cycles and not many_cycles:
                    continue
                if metric in self.waiting_for_requester:
                    continue
                if self.status in _DONE:
                    continue
                if after is not None and after in self.plan.current:
                    gate_cycles = all_cycles.get(after)
                    if not gate_cycles or gate_cycles[0].stopped is None:
                        continue
                self.start(metric, at, reason="started by " + trigger)

    def start(self, metric: str, at: int, *, reason: str) -> None:
        cycles = self.cycles.setdefault(metric, [])
        cycle = _Cycle(len(cycles) + 1, at, self.target(metric), self.plan.current[metric][1])
        cycles.append(cycle)
        if self.trace is not None:
            self.note(
                at,
                f"{metric} #{cycle.number}: {reason}; target {_td(cycle.target)} "
                f"on {cycle.calendar.name}",
            )
        self.repause(metric, cycle, at)

    # -- the result --

    def result(self, ticket_id: str, applied: Sequence[TicketEvent]) -> TicketSLA:
        at = self.at
        states: list[ClockState] = []
        policy = self.policy
        policy_name = policy.name if policy is not None else None
        priority = self.fields.get("priority")
        all_cycles = self.cycles
        pins = self.pins
        plan = self.plan
        tracing = self.trace is not None
        for metric, cycles in all_cycles.items():
            pin = pins.get(metric) if pins else None
            latest = cycles[-1] if cycles else None
            for cycle in cycles:
                if cycle is latest or tracing:
                    pinned = pin if cycle is latest else None
                    state = self.clock_of(ticket_id, metric, cycle, pinned, policy_name, priority)
                else:
                    # A cycle before the latest never changes again, and neither does what it
                    # shows under one policy and priority, but for the instant asked about: a
                    # fold resumed from a snapshot shares it, and what it showed, with the fold
                    # that took the snapshot.
                    memo = cycle.shown
                    if memo is None or memo[0] is not plan or memo[1] != (priority, ticket_id):
                        state = self.clock_of(ticket_id, metric, cycle, None, policy_name, priority)
                        cycle.shown = (plan, (priority, ticket_id), state)
                    else:
                        state = memo[2] if memo[2] is None else _at_instant(memo[2], at)
                if state is not None:
                    states.append(state)
        states.sort(key=_metric_and_cycle)
        tally = self.tally
        for event in applied:
            tally.add(event)
        fcr = tally.fcr(policy.fcr, at) if policy is not None else None
        sla: TicketSLA = _new_object(TicketSLA)  # as its __init__ does, without keywords
        _set_slot(sla, "ticket_id", ticket_id)
        _set_slot(sla, "at_us", at)
        _set_slot(sla, "policy", policy_name)
        _set_slot(sla, "policy_reason", self.policy_reason)
        _set_slot(sla, "priority", priority)
        _set_slot(sla, "status", self.status)
        _set_slot(sla, "fields", tuple(sorted(self.fields.items())))
        _set_slot(sla, "clocks", tuple(states))
        _set_slot(sla, "fcr", fcr)
        _set_slot(sla, "csat", tally.csat())
        _set_slot(sla, "_explain", self.explain_later())
        _set_slot(sla, "escalation_trail", ())
        return sla

    def clock_of(
        self,
        ticket_id: str,
        metric: str,
        cycle: _Cycle,
        pin: int | None,
        policy_name: str | None,
        priority: Any,
    ) -> ClockState | None:
        """What one cycle shows at ``at`` (None: a cycle without a target shows nothing)."""
        if pin is not None:
            return self.pinned_state(ticket_id, metric, cycle, pin, policy_name)
        if cycle.target is None:
            if cycle.suspended is None:
                return None
            cycle = cycle.suspended
        state = self.state(ticket_id, metric, cycle, policy_name, priority)
        policy = self.policy
        if policy is not None and policy.contract.escalation:
            state = self.escalate(state, cycle, policy, priority)
        return state

    def escalate(
        self, state: ClockState, cycle: _Cycle, policy: SLAPolicy, priority: Any
    ) -> ClockState:
        """``state`` with the instants of its policy's escalation levels, kept as warnings are:
        fired by now, or scheduled while the clock runs; none at or after the clock stopped."""
        segments = cycle.segments()
        planned = escalation.schedule(
            policy.contract.escalation,
            metric=state.metric,
            priority=priority,
            target_us=state.target_us,
            breach_point_us=state.breach_point_us,
            reached_at=lambda amount: _reach(segments, amount)[0],
            calendar=cycle.calendar,
        )
        running = cycle.status is ClockStatus.RUNNING
        kept: list[tuple[str, int]] = []
        for name, when in planned:
            when = max(when, cycle.target_since)
            if cycle.stopped is not None and when >= cycle.stopped:
                continue
            if when <= self.at or running:
                kept.append((name, when))
        if not kept:
            return state
        kept.sort(key=lambda item: item[1])
        if self.trace is not None:
            for name, when in kept:
                verb = "fires" if when > self.at else "fired"
                line = f"escalation {name} {verb} for {state.metric} cycle {state.cycle}"
                self.note(when, line)
        return dataclasses.replace(state, escalations_us=tuple(kept))

    def note_holidays(
        self, metric: str, cycle: _Cycle, segments: Sequence[Segment], deadline: int | None
    ) -> None:
        """Trace the holidays a cycle's running time stepped over (up to now or its due time)."""
        for start, end, cal, _, _ in segments:
            until = end if end is not None else max(self.at, deadline or self.at)
            first = from_us(start, cal.zone).date()
            last = from_us(until, cal.zone).date()
            for day, name in cal.closed_days(first, last):
                midnight = datetime(day.year, day.month, day.day, tzinfo=cal.zone)
                self.note(
                    max(start, to_us(midnight)),
                    f"{metric} #{cycle.number}: crosses {name} ({day.isoformat()}), "
                    f"closed on {cal.name}",
                )

    def explain_later(self) -> Callable[[], list[str]]:
        events, policies, at = self.events, self.policies, self.at
        chooser, rule, rebuild = self.chooser, self.response_rule, self.rebuild

        def explain() -> list[str]:
            trace: list[tuple[int, str]] = []
            if rebuild is None:
                _Fold(events, policies, at, chooser, rule, trace).run()
            else:
                rebuild(trace).run_on()
            trace.sort(key=lambda line: line[0])  # stable: same-instant lines keep their order
            return [text for _, text in trace]

        return explain

    def pinned_state(
        self, ticket_id: str, metric: str, cycle: _Cycle, pin: int, policy_name: str | None
    ) -> ClockState:
        """A cycle whose due instant an agent pinned: due then whatever the pauses (as a Jira
        due date or a Freshdesk due-by), its target the business time from start to the pin."""
        at = self.at
        elapsed = cycle.closed_elapsed
        if cycle.open_since is not None:
            elapsed += cycle.calendar.elapsed_us(cycle.open_since, at)
        end = cycle.stopped if cycle.stopped is not None else at
        left = (
            cycle.calendar.elapsed_us(end, pin)
            if end <= pin
            else -cycle.calendar.elapsed_us(pin, end)
        )
        running = cycle.status is ClockStatus.RUNNING
        point = pin if cycle.stopped is None or pin < cycle.stopped else None
        breached = point if point is not None and point < at else None
        return ClockState(
            ticket_id=ticket_id,
            metric=metric,
            cycle=cycle.number,
            status=cycle.status,
            policy=policy_name or "",
            calendar=cycle.calendar.name,
            priority=self.fields.get("priority"),
            target_us=elapsed + left,
            elapsed_us=elapsed,
            started_us=cycle.started,
            stopped_us=cycle.stopped,
            deadline_us=pin,
            breached_us=breached,
            breach_point_us=point,
            warnings_us=(),
            at_us=at,
            ever_breached=cycle.history_breached or breached is not None,
            counting=running and cycle.calendar.is_open_us(at),
        )

    def state(
        self,
        ticket_id: str,
        metric: str,
        cycle: _Cycle,
        policy_name: str | None,
        priority: Any,
    ) -> ClockState:
        at = self.at
        target = cycle.target
        assert target is not None
        calendar = cycle.calendar
        open_since = cycle.open_since
        elapsed = cycle.closed_elapsed
        if open_since is None:
            segments: Sequence[Segment] = cycle.closed
        else:
            segments = [*cycle.closed, (open_since, None, calendar, elapsed, None)]
            elapsed += calendar.elapsed_us(open_since, at)
        status = cycle.status
        running = status is _RUNNING
        stopped = cycle.stopped
        target_since = cycle.target_since
        # running time short of an amount never reached it (the common case, and no calendar call)
        reached, crossing = (
            (None, None) if open_since is None and elapsed < target else _reach(segments, target)
        )
        # A running clock that stopped exactly on its target and resumed is due at the resume.
        deadline = crossing if running else reached
        if self.trace is not None:
            self.note_holidays(metric, cycle, segments, deadline)
        breach_point = None
        shown = None
        if crossing is not None:
            point, shown = _breach_instants(crossing, target_since)
            # A stopped clock breached only if it passed the point before it stopped; a running
            # or paused one is breached once real time passes the point (a stricter target
            # applied while paused breaches at once).
            if stopped is None or point < stopped:
                breach_point = point
        breached = shown if breach_point is not None and breach_point < at else None
        fired: list[tuple[str, int]] = []
        for label, amount in self.plan.warnings(metric, target):
            if open_since is None and elapsed < amount:
                continue
            when, _ = _reach(segments, amount)
            if when is None:
                continue
            if when < target_since:
                when = target_since
            if stopped is not None and when >= stopped:
                continue
            if when <= at or running:
                fired.append((label, when))
        if len(fired) > 1:
            fired.sort(key=_second)
        return _clock_state(
            ticket_id,
            metric,
            cycle.number,
            status,
            policy_name or "",
            calendar.name,
            priority,
            target,
            elapsed,
            cycle.started,
            stopped,
            deadline,
            breached,
            breach_point,
            tuple(fired),
            at,
            cycle.history_breached or breached is not None,
            running and calendar.is_open_us(at),
        )


def _second(item: tuple[str, int]) -> int:
    return item[1]


_new_object = object.__new__
_set_slot = object.__setattr__


def _clock_state(
    ticket_id: str,
    metric: str,
    cycle: int,
    status: ClockStatus,
    policy: str,
    calendar: str,
    priority: Priority | None,
    target_us: int,
    elapsed_us: int,
    started_us: int,
    stopped_us: int | None,
    deadline_us: int | None,
    breached_us: int | None,
    breach_point_us: int | None,
    warnings_us: tuple[tuple[str, int], ...],
    at_us: int,
    ever_breached: bool,
    counting: bool,
) -> ClockState:
    """``ClockState(...)`` without an escalation, field by field as its ``__init__`` does but
    without parsing keywords: the fold builds one per cycle (tests/test_fold_snapshot.py checks
    it against the constructor)."""
    state: ClockState = _new_object(ClockState)
    _set_slot(state, "ticket_id", ticket_id)
    _set_slot(state, "metric", metric)
    _set_slot(state, "cycle", cycle)
    _set_slot(state, "status", status)
    _set_slot(state, "policy", policy)
    _set_slot(state, "calendar", calendar)
    _set_slot(state, "priority", priority)
    _set_slot(state, "target_us", target_us)
    _set_slot(state, "elapsed_us", elapsed_us)
    _set_slot(state, "started_us", started_us)
    _set_slot(state, "stopped_us", stopped_us)
    _set_slot(state, "deadline_us", deadline_us)
    _set_slot(state, "breached_us", breached_us)
    _set_slot(state, "breach_point_us", breach_point_us)
    _set_slot(state, "warnings_us", warnings_us)
    _set_slot(state, "at_us", at_us)
    _set_slot(state, "ever_breached", ever_breached)
    _set_slot(state, "counting", counting)
    _set_slot(state, "escalations_us", ())
    return state


def _at_instant(state: ClockState, at_us: int) -> ClockState:
    """``state`` as of ``at_us``: for a settled cycle only the instant asked about differs.
    (Field by field, as a frozen dataclass's ``__init__`` does, without parsing keywords;
    tests/test_fold_snapshot.py checks it against ``dataclasses.replace``.)"""
    if state.at_us == at_us:
        return state
    twin: ClockState = _new_object(ClockState)
    _set_slot(twin, "ticket_id", state.ticket_id)
    _set_slot(twin, "metric", state.metric)
    _set_slot(twin, "cycle", state.cycle)
    _set_slot(twin, "status", state.status)
    _set_slot(twin, "policy", state.policy)
    _set_slot(twin, "calendar", state.calendar)
    _set_slot(twin, "priority", state.priority)
    _set_slot(twin, "target_us", state.target_us)
    _set_slot(twin, "elapsed_us", state.elapsed_us)
    _set_slot(twin, "started_us", state.started_us)
    _set_slot(twin, "stopped_us", state.stopped_us)
    _set_slot(twin, "deadline_us", state.deadline_us)
    _set_slot(twin, "breached_us", state.breached_us)
    _set_slot(twin, "breach_point_us", state.breach_point_us)
    _set_slot(twin, "warnings_us", state.warnings_us)
    _set_slot(twin, "ever_breached", state.ever_breached)
    _set_slot(twin, "counting", state.counting)
    _set_slot(twin, "escalations_us", state.escalations_us)
    _set_slot(twin, "at_us", at_us)
    return twin


def _metric_and_cycle(state: ClockState) -> tuple[str, int]:
    return state.metric, state.cycle


_ACTIVE = (ClockStatus.RUNNING, ClockStatus.PAUSED)
_RUNNING = ClockStatus.RUNNING
_PAUSED = ClockStatus.PAUSED
_DONE = (Status.SOLVED, Status.CLOSED)  # Status.is_done, without a property call
_STATUS_TRIGGER = {status: f"status:{status.value}" for status in Status}


class _Move(NamedTuple):
    """What one trigger does to one metric's clock under a policy (a row of the dispatch table)."""

    metric: str
    starts: bool
    stops: bool
    cancels: bool
    by_status: bool  # the trigger is a status reached (a stop by solve may reopen)
    many_cycles: bool
    after: str | None


class _Plan:
    """What the fold needs to know about the metrics under one policy of a set, worked out once
    per (set, policy) and kept in ``PolicySet.derived``."""

    __slots__ = ("by_trigger", "current", "first_reply", "pause_while", "policy", "warning_amounts")

    def __init__(self, policies: PolicySet, policy: SLAPolicy | None) -> None:
        # Every metric any policy of the set measures, so that a later switch to a policy that
        # measures it finds its clock running from the original start.
        current: dict[str, tuple[MetricDefinition, Calendar]] = {}
        for member in policies.all():
            for definition in member.metrics:
                current.setdefault(
                    definition.name, (definition, member.calendar_for(definition.name))
                )
        if policy is not None:
            for definition in policy.metrics:
                current[definition.name] = (definition, policy.calendar_for(definition.name))
        by_trigger: dict[str, list[_Move]] = {}
        for metric, (definition, _) in current.items():
            for trigger in definition.start | definition.stop | definition.cancel:
                by_trigger.setdefault(trigger, []).append(
                    _Move(
                        metric=metric,
                        starts=trigger in definition.start,
                        stops=trigger in definition.stop,
                        cancels=trigger in definition.cancel,
                        by_status=trigger.startswith("status:"),
                        many_cycles=definition.many_cycles,
                        after=definition.after,
                    )
                )
        self.policy = policy
        self.current = current
        self.by_trigger = {t: tuple(moves) for t, moves in by_trigger.items()}
        self.pause_while = {m: d.pause_while for m, (d, _) in current.items()}
        self.first_reply = tuple(m for m, (d, _) in current.items() if _is_first_reply(d))
        self.warning_amounts: dict[tuple[str, int], tuple[tuple[str, int], ...]] = {}

    def warnings(self, metric: str, target: int) -> tuple[tuple[str, int], ...]:
        """The policy's warning levels for ``metric`` as (label, elapsed time at which it fires)
        under ``target``, in the policy's order; levels that never fire are left out."""
        key = (metric, target)
        amounts = self.warning_amounts.get(key)
        if amounts is None:
            levels = self.policy.warnings_for(metric) if self.policy is not None else ()
            found = ((level.label, level.elapsed_at(target)) for level in levels)
            amounts = tuple((label, amount) for label, amount in found if amount is not None)
            self.warning_amounts[key] = amounts
        return amounts


def _plan(policies: PolicySet, policy: SLAPolicy | None) -> _Plan:
    key = ("clock-plan", None if policy is None else id(policy))
    plan = policies.derived.get(key)
    if plan is None:
        plan = policies.derived[key] = _Plan(policies, policy)
    assert isinstance(plan, _Plan)
    return plan


def _pinned_metric(event: TicketEvent) -> str:
    """The metric a due_set or due_cleared event is about (resolution unless it names one)."""
    metric = event.field("metric")
    return metric if isinstance(metric, str) and metric else "resolution"


def _is_first_reply(definition: MetricDefinition) -> bool:
    """A clock from creation to the first public reply (first_response, first_reply_time)."""
    return (
        EventKind.CREATED in definition.start
        and EventKind.AGENT_REPLY in definition.stop
        and not definition.many_cycles
    )


def _breach_instants(crossing: int, target_since: int) -> tuple[int, int]:
    """The last instant a clock is not breached, and the breach instant shown for it.

    Running time passing the target at ``crossing`` breaches just after it (reaching the target
    exactly is no breach). A target that applied at ``target_since`` to a clock already past it
    breaches at that very instant, when ``remaining`` turns negative: shown as the re-target
    instant, as Zendesk shows it, and not breached one microsecond before it.
    """
    if crossing < target_since:
        return target_since - 1, target_since
    return crossing, crossing


def _td(us: int | None) -> str:
    return "none" if us is None else format_duration(timedelta(microseconds=us))


# How each kind of event moves the fold.
_APPLY: dict[EventKind, Callable[[_Fold, TicketEvent], None]] = {
    EventKind.CREATED: _Fold.apply_created,
    EventKind.CUSTOMER_MESSAGE: _Fold.apply_customer_message,
    EventKind.AGENT_REPLY: _Fold.apply_agent_reply,
    EventKind.INTERNAL_NOTE: _Fold.apply_other,
    EventKind.STATUS_CHANGED: _Fold.apply_status,
    EventKind.PRIORITY_CHANGED: _Fold.apply_fields,
    EventKind.ASSIGNED: _Fold.apply_fields,
    EventKind.SATISFACTION_RATED: _Fold.apply_other,
    EventKind.FIELDS_CHANGED: _Fold.apply_fields,
    EventKind.DUE_SET: _Fold.apply_due_set,
    EventKind.DUE_CLEARED: _Fold.apply_due_cleared,
}


def fold(
    events: Iterable[TicketEvent],
    policies: SLAPolicy | PolicySet,
    at_us: int,
    *,
    chooser: Chooser | None = None,
    response_rule: ResponseRule | None = None,
) -> TicketSLA:
    """Fold one ticket's events (any order, duplicates allowed) into its SLA state at ``at_us``."""
    given = list(events)
    tickets = {e.ticket_id for e in given}  # before de-duplication, which would hide a mix-up
    if len(tickets) > 1:
        from .errors import EventError

        raise EventError(
            f"events of several tickets given to one fold: {', '.join(sorted(tickets)[:5])}",
            subject="ticket_id",
        )
    ordered = order_events(given)
    return _Fold(ordered, PolicySet.of(policies), at_us, chooser, response_rule, None).run()


def with_trail(sla: TicketSLA, trail: Sequence[EscalationRecord]) -> TicketSLA:
    """``sla`` carrying the escalation trail the engine recorded, also in ``explain()``."""
    if not trail:
        return sla
    base = sla._explain

    def explain() -> list[str]:
        return [*base(), *(record.describe() for record in trail)]

    return dataclasses.replace(sla, escalation_trail=tuple(trail), _explain=explain)
