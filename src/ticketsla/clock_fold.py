"""The clock fold: a ticket's events, its policies and an instant in; every SLA clock's state out.

Pure and deterministic. The fold walks the ticket's events in history order, keeping for each
metric a list of cycles (``ticketsla.clock_cycle``); each event moves the clocks its kind and the
policy's dispatch table (``ticketsla.clock_plan``) say it moves. What each cycle shows at the end
is worked out by ``ticketsla.clock_reading``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, timedelta, tzinfo
from functools import partial
from operator import attrgetter, itemgetter
from typing import Any

from ._instants import from_us
from .calendar import Calendar
from .clock_cycle import _breach_instants, _Cycle, _new_cycle
from .clock_plan import _plan
from .clock_reading import clock_of, cycle_state
from .clock_state import (
    _ACTIVE,
    _CANCELLED,
    _FULFILLED,
    _PAUSED,
    _RUNNING,
    ClockState,
    TicketSLA,
    _at_instant,
    _metric_and_cycle,
    _ticket_sla,
)
from .durations import format_duration
from .events import (
    DONE_STATUSES,
    FIELD_NAMES,
    Actor,
    EventKind,
    Status,
    TicketEvent,
    due_instant_us,
    order_events,
)
from .metrics import MetricDefinition, OnReopen
from .outcomes import OutcomeTally
from .policy import DEFAULT_CUSTOMER_REPLY_REOPENS, PolicySet, SLAPolicy

__all__ = ["Chooser", "ResponseRule", "fold"]

Chooser = Callable[[Mapping[str, Any], tuple[SLAPolicy, ...]], str | None]
ResponseRule = Callable[[TicketEvent], bool | None]


class _Fold:
    """One evaluation of one ticket. Kept as a class so ``explain`` can re-run it with a trace."""

    __slots__ = (
        "active",
        "agent_opened",
        "at",
        "chooser",
        "cycles",
        "earlier",
        "events",
        "fields",
        "fixed",
        "pins",
        "plan",
        "policies",
        "policy",
        "policy_reason",
        "rebuild",
        "response_rule",
        "shared",
        "status",
        "tally",
        "ticket_id",
        "trace",
        "waiting_for_requester",
    )

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
        # one policy for every ticket (no conditional policies, no chooser): once chosen, the
        # fields cannot change the choice
        self.fixed = not policies.policies and chooser is None
        self.trace = trace
        self.fields: dict[str, Any] = {}
        self.status: Status | None = None
        self.policy: SLAPolicy | None = None
        self.policy_reason = "no events yet"
        self.cycles: dict[str, list[_Cycle]] = {}
        # metric -> its latest cycle while that runs or is paused (the only one that can move)
        self.active: dict[str, _Cycle] = {}
        self.plan = _plan(policies, None)
        # A ticket an agent opened: the creation instant, and whether its opening message was an
        # internal note only (then first-reply clocks wait for the requester's first message).
        self.agent_opened: int | None = None
        # metric -> a due instant pinned by a due_set event, until a due_cleared
        self.pins: dict[str, int] = {}
        self.waiting_for_requester: set[str] = set()
        self.tally = OutcomeTally()  # FCR and CSAT, fed each event as it applies
        # Set on a fold resumed from a snapshot (ticketsla.fold_snapshot): the kinds of the
        # snapshot's events at its last instant, and how to rebuild the fold there with a trace.
        self.earlier: tuple[int, frozenset[str]] | None = None
        self.rebuild: Callable[[list[tuple[int, str]]], _Fold] | None = None
        # Set on a fold run by ``fold_with_snapshot`` (which may take a snapshot, or resumes
        # from one): its settled cycles may be shared, so each keeps what it showed.
        self.shared = False

    # -- helpers --

    def note(self, at: int, text: str) -> None:
        """Add a line to the trace (callers build the text only when ``trace`` is kept)."""
        if self.trace is not None:
            self.trace.append((at, f"{from_us(at, self.zone()).isoformat()}  {text}"))

    def zone(self) -> tzinfo:
        return self.policy.calendar.zone if self.policy is not None else UTC

    def definition(self, metric: str) -> MetricDefinition:
        return self.plan.current[metric][0]

    def calendar(self, metric: str) -> Calendar:
        return self.plan.current[metric][1]

    def target(self, metric: str) -> int | None:
        return self.plan.target(metric, self.fields.get("priority"))

    def find_active(self) -> None:
        """Set ``active`` from ``cycles`` (after they were restored from a snapshot)."""
        self.active = {
            metric: cycles[-1]
            for metric, cycles in self.cycles.items()
            if cycles and cycles[-1].status in _ACTIVE
        }

    # -- the walk --

    def run(self) -> TicketSLA:
        events = self.events
        if events and events[0].at_us <= self.at:
            self.choose(events[0].at_us)
        self.walk(events)
        return self.result(self.ticket_id)

    def run_on(self) -> TicketSLA:
        """Finish a fold restored from a snapshot: apply ``events`` (those after it)."""
        self.walk(self.events)
        return self.result(self.ticket_id)

    def walk(self, events: Sequence[TicketEvent]) -> int:
        """Apply ``events`` (in history order) up to ``at``; return how many applied."""
        # history order sorts by instant first: the events known by ``at`` are a prefix, mostly
        # all of them, which the last one tells without a bisect
        at = self.at
        if events and events[-1].at_us <= at:
            known = len(events)
        else:
            known = bisect_right(events, at, key=_AT_US)
        for event in events[:known]:
            _APPLY[event.kind](self, event)
        return known

    # One method per event kind, dispatched through ``_APPLY``.

    def apply_created(self, event: TicketEvent) -> None:
        self.set_fields(event)
        at = event.at_us
        if event.status is not None:
            self.status = event.status
        if event.actor is _AGENT and self.agent_opened is None:
            self.agent_opened = at
            if self.opened_with_a_note_only(at):
                self.waiting_for_requester = set(self.plan.first_reply)
                if self.trace is not None:
                    self.note(
                        at,
                        "opened by an agent with an internal note: first replies start "
                        "at the requester's first message",
                    )
        self.fire(_CREATED, at)

    def apply_fields(self, event: TicketEvent) -> None:
        self.set_fields(event)
        self.fire(event.kind, event.at_us)

    def apply_agent_reply(self, event: TicketEvent) -> None:
        self.tally.reply(event)
        at = event.at_us
        if at == self.agent_opened:
            # An agent opened the ticket with this public message: it is what ``created``
            # already told, not a reply to anyone.
            if self.trace is not None:
                self.note(at, f"{event.kind} ({event.event_id}) opens the ticket: no reply")
            return
        # a response rule's verdict, where it gives one, else a public reply by a person (as
        # ``event.is_public_response`` tells of an agent_reply: one that is not automatic)
        rule = self.response_rule
        verdict = None if rule is None else rule(event)
        responds = not event.auto if verdict is None else verdict
        if not responds:
            if self.trace is not None:
                self.note(at, f"{event.kind} ({event.event_id}) is not a response: no clock stops")
            return
        self.fire(_AGENT_REPLY, at)

    def apply_customer_message(self, event: TicketEvent) -> None:
        self.tally.customer_message(event)
        if event.auto:
            return  # an auto-reply from the customer's side starts and stops nothing
        at = event.at_us
        if self.waiting_for_requester:
            for metric in sorted(self.waiting_for_requester):
                if metric in self.plan.current:
                    cycles = self.cycles.setdefault(metric, [])
                    if not cycles:
                        reason = "started by the requester's first message"
                        self.start(metric, cycles, at, reason=reason)
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
            self.set_status(_OPEN, at)
        self.fire(_CUSTOMER_MESSAGE, at)

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
        self.tally.status_change(event)
        status = event.status
        if status is not None and status is not self.status:
            at = event.at_us
            self.set_status(status, at)
            self.fire(_STATUS_TRIGGER[status], at)

    def apply_rating(self, event: TicketEvent) -> None:
        self.tally.rating(event)
        self.fire(event.kind, event.at_us)

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
        # one value per name, by construction: zip's strict= would cost a keyword call each time
        for name, value in zip(_SET_BY_EVENTS, _set_values(event)):  # noqa: B905
            if value is not None and fields.get(name) != value:
                fields[name] = value
                changed = True
        for name, value in event.custom:
            if fields.get(name) != value:
                fields[name] = value
                changed = True
        if changed:
            self.choose(event.at_us)

    def choose(self, at: int) -> None:
        if self.fixed and self.policy is not None:
            self.retarget(at)  # the same policy, for the same reason: only a target may move
            return
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
        # by value, since two policies may load equal calendars (the same one, mostly: no
        # field-by-field comparison then)
        if calendar is not cycle.calendar and calendar != cycle.calendar:
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
        _, crossing = cycle.reach(cycle.target)
        if crossing is not None and _breach_instants(crossing, cycle.target_since)[0] < at:
            cycle.history_breached = True

    def set_status(self, status: Status, at: int) -> None:
        previous = self.status
        self.status = status
        reopened = previous in _DONE and status not in _DONE
        if reopened or self.trace is not None:
            self.reopen_and_repause(reopened, at)
            return
        # repause moves a running clock the new status pauses, or a paused one it does not
        pause_while = self.plan.pause_while
        for metric, cycle in self.active.items():
            if (cycle.status is _RUNNING) is (status in pause_while[metric]):
                self.repause(metric, cycle, at)

    def reopen_and_repause(self, reopened: bool, at: int) -> None:
        """``set_status``'s work metric by metric, in the order of the metrics, so a trace tells
        each metric's steps in turn. Only the latest cycle of a metric can be active: the next
        starts when it stops."""
        for metric, cycles in self.cycles.items():
            if cycles:
                if reopened:
                    self.reopen(metric, cycles, at)
                self.repause(metric, cycles[-1], at)  # leaves a stopped or settled clock as it is

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
        if rule is OnReopen.IGNORE or last.status is not _FULFILLED:
            return
        if not last.stopped_by_done:
            return
        if rule is OnReopen.NEW_CYCLE:
            self.start(metric, cycles, at, reason="reopened: new cycle")
            return
        if rule is OnReopen.RESTART:
            self.mark_history_breach(last, at)  # the breach stays on record after the restart
            last.reset(at)
            if self.trace is not None:
                self.note(at, f"{metric} #{last.number}: reopened: restarts from zero")
        elif self.trace is not None:
            self.note(at, f"{metric} #{last.number}: reopened: continues, elapsed time kept")
        last.status = _RUNNING
        self.active[metric] = last
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
        actives = self.active
        for metric, starts, stops, cancels, by_status, many_cycles, after in moves:
            active = actives.get(metric)
            if active is not None:
                if stops:
                    active.close_segment(at)
                    active.status = _FULFILLED
                    active.stopped = at
                    active.stopped_by_done = by_status
                    del actives[metric]
                    if self.trace is not None:
                        self.note(at, f"{metric} #{active.number}: fulfilled by {trigger}")
                elif cancels:
                    active.close_segment(at)
                    active.status = _CANCELLED
                    active.stopped = at
                    del actives[metric]
                    if self.trace is not None:
                        self.note(at, f"{metric} #{active.number}: cancelled by {trigger}")
                    continue
                else:
                    continue
                if not starts:
                    continue
            elif not starts:
                if metric not in all_cycles:
                    all_cycles[metric] = []  # the metric takes its place in the walk's order
                continue
            cycles = all_cycles.get(metric)
            if cycles is None:
                cycles = all_cycles[metric] = []
            if cycles and not many_cycles:
                continue
            if metric in self.waiting_for_requester or self.status in _DONE:
                continue
            if after is not None:
                gate_cycles = all_cycles.get(after)
                if not gate_cycles or gate_cycles[0].stopped is None:
                    continue
            self.start(metric, cycles, at, trigger)

    def start(
        self, metric: str, cycles: list[_Cycle], at: int, trigger: str = "", reason: str = ""
    ) -> None:
        """Start a cycle of ``metric`` (whose cycles are ``cycles``), moved by ``trigger`` (or
        for ``reason``). No keyword-only parameter: Python 3.11 specialises no call to a function
        that has one, and ``fire`` calls this for every start."""
        plan = self.plan
        priority = self.fields.get("priority")
        target = plan.targets[metric].get(priority, _UNKNOWN)
        if target is _UNKNOWN:
            target = plan.target(metric, priority)
        cycle = _new_cycle(len(cycles) + 1, at, target, plan.current[metric][1])
        cycles.append(cycle)
        self.active[metric] = cycle
        if self.trace is not None:
            why = reason or f"started by {trigger}"
            self.note(
                at,
                f"{metric} #{cycle.number}: {why}; target {_td(cycle.target)} "
                f"on {cycle.calendar.name}",
            )
        if self.status in plan.pause_while[metric]:  # else it runs on, as repause would leave it
            self.repause(metric, cycle, at)

    # -- the result --

    def result(self, ticket_id: str) -> TicketSLA:
        at = self.at
        states: list[ClockState] = []
        policy = self.policy
        policy_name = policy.name if policy is not None else None
        priority = self.fields.get("priority")
        all_cycles = self.cycles
        pins = self.pins
        tracing = self.trace is not None
        # every cycle is read afresh, but a settled one in a fold that shares its settled cycles
        # with a snapshot and keeps no trace: that one shows what it showed when last read
        fresh = tracing or not self.shared
        plan = self.plan
        shown_as = (priority, ticket_id)  # what a settled cycle's kept reading was read under
        # without escalation levels, a cycle with a target and no pinned due instant is read
        # by cycle_state alone (clock_of's other cases do not arise)
        plain = policy is None or not policy.contract.escalation
        state: ClockState | None
        # Cycles of a metric are kept in their order, so taking the metrics by name gives the
        # states in (metric, cycle) order; a trace keeps the walk's order for its same-instant
        # lines and sorts the states after.
        metrics = list(all_cycles) if tracing else sorted(all_cycles)
        for metric in metrics:
            cycles = all_cycles[metric]
            pin = pins.get(metric) if pins else None
            latest = cycles[-1] if cycles else None
            for cycle in cycles:
                if fresh or cycle is latest:
                    pinned = pin if cycle is latest else None
                    if plain and pinned is None and cycle.target is not None:
                        state = cycle_state(self, ticket_id, metric, cycle, policy_name, priority)
                    else:
                        state = clock_of(
                            self, ticket_id, metric, cycle, pinned, policy_name, priority
                        )
                else:
                    # a settled cycle: what it showed when last read, as of the instant asked
                    # about (a long ticket has hundreds of them; each is read once)
                    memo = cycle.shown
                    if memo is not None and memo[0] is plan and memo[1] == shown_as:
                        state = memo[2]
                        if state is not None and state.at_us != at:
                            state = _at_instant(state, at)
                    else:
                        state = self._settled_state(
                            ticket_id, metric, cycle, plain, policy_name, priority
                        )
                if state is not None:
                    states.append(state)
        if tracing:
            states.sort(key=_metric_and_cycle)
        tally = self.tally
        fcr = tally.fcr(policy.fcr, at) if policy is not None else None
        return _ticket_sla(
            ticket_id,
            at,
            policy_name,
            self.policy_reason,
            priority,
            self.status,
            tuple(sorted(self.fields.items())),
            tuple(states),
            fcr,
            tally.csat(),
            self.explain_later(),
        )

    def _settled_state(
        self,
        ticket_id: str,
        metric: str,
        cycle: _Cycle,
        plain: bool,
        policy_name: str | None,
        priority: Any,
    ) -> ClockState | None:
        """What a cycle before the latest shows, kept on it (``cycle.shown``). It never changes
        again, and neither does what it shows under one policy and priority, but for the instant
        asked about: a fold resumed from a snapshot shares it, and what it showed, with the fold
        that took the snapshot (``result`` reads it back)."""
        plan = self.plan
        state: ClockState | None
        if plain and cycle.target is not None:
            state = cycle_state(self, ticket_id, metric, cycle, policy_name, priority)
        else:
            state = clock_of(self, ticket_id, metric, cycle, None, policy_name, priority)
        cycle.shown = (plan, (priority, ticket_id), state)
        return state

    def explain_later(self) -> Callable[[], list[str]]:
        return partial(
            _explain,
            self.events,
            self.policies,
            self.at,
            self.chooser,
            self.response_rule,
            self.rebuild,
        )


def _explain(
    events: Sequence[TicketEvent],
    policies: PolicySet,
    at: int,
    chooser: Chooser | None,
    rule: ResponseRule | None,
    rebuild: Callable[[list[tuple[int, str]]], _Fold] | None,
) -> list[str]:
    """The trace of a fold, re-run with one kept (``TicketSLA.explain``)."""
    trace: list[tuple[int, str]] = []
    if rebuild is None:
        _Fold(events, policies, at, chooser, rule, trace).run()
    else:
        rebuild(trace).run_on()
    trace.sort(key=_INSTANT)  # stable: same-instant lines keep their order
    return [text for _, text in trace]


_INSTANT = itemgetter(0)  # a trace line's instant
_AT_US = attrgetter("at_us")
_DONE = DONE_STATUSES
# Enum members the walk reads for every event, as plain names (see clock_state's _RUNNING).
_AGENT = Actor.AGENT
_OPEN = Status.OPEN
# The triggers the walk fires most, as plain texts: the dispatch table is keyed by texts, which a
# dict matches to a plain text directly but to an enum member (a str subclass) only through a rich
# comparison.
_CREATED = EventKind.CREATED.value
_AGENT_REPLY = EventKind.AGENT_REPLY.value
_CUSTOMER_MESSAGE = EventKind.CUSTOMER_MESSAGE.value
_UNKNOWN: Any = object()  # a target not looked up yet (None is a target: no clock)
# The typed fields an event sets on the ticket, read in one call (the status is the walk's own)
_SET_BY_EVENTS = tuple(name for name in FIELD_NAMES if name != "status")
_set_values = attrgetter(*_SET_BY_EVENTS)
_STATUS_TRIGGER = {status: f"status:{status.value}" for status in Status}


def _pinned_metric(event: TicketEvent) -> str:
    """The metric a due_set or due_cleared event is about (resolution unless it names one)."""
    metric = event.field("metric")
    return metric if isinstance(metric, str) and metric else "resolution"


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
    EventKind.SATISFACTION_RATED: _Fold.apply_rating,
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
    given = events if isinstance(events, list) else list(events)  # only read, never changed
    # one ticket's events, checked before de-duplication, which would hide a mix-up
    ticket_id = given[0].ticket_id if given else ""
    for event in given:
        if event.ticket_id != ticket_id:
            from .errors import EventError

            tickets = sorted({e.ticket_id for e in given})
            raise EventError(
                f"events of several tickets given to one fold: {', '.join(tickets[:5])}",
                subject="ticket_id",
            )
    ordered = order_events(given)
    return _Fold(ordered, PolicySet.of(policies), at_us, chooser, response_rule, None).run()
