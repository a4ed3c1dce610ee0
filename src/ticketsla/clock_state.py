"""The clock fold's results: ``ClockState`` (one cycle of one metric) and ``TicketSLA`` (every
clock of a ticket), with the queries people ask of them. Plain frozen values, built by
``ticketsla.clock_fold`` and read everywhere else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from ._instants import from_us
from .escalation_notice import EscalationRecord
from .events import Priority, Status
from .outcomes import CSAT, FCR

__all__ = ["ClockState", "ClockStatus", "TicketSLA", "with_trail"]


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


class _ClockStateDraft(ClockState):
    """A ``ClockState`` being filled in: a subclass that adds no slots and is not frozen, so the
    fold fills it by plain attribute stores and then gives it its class (``__class__``
    assignment, which Python allows to a base of the same layout, and checks quickest when the
    subclass adds no slots). Several times quicker than ``object.__setattr__`` per field;
    tests/test_fold_snapshot.py checks the result against the constructor."""

    __slots__ = ()
    __init__ = object.__init__  # built empty (mypy then types a call as Any: declare the draft)
    # Not frozen. Both, since CPython keeps one slot for the two: stores are specialised only
    # when neither is a Python method.
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__
    # the fields, declared again as writable (for mypy)
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
    deadline_us: int | None
    breached_us: int | None
    breach_point_us: int | None
    warnings_us: tuple[tuple[str, int], ...]
    at_us: int
    ever_breached: bool
    counting: bool
    escalations_us: tuple[tuple[str, int], ...]


class _TicketSLADraft(TicketSLA):
    """A ``TicketSLA`` being filled in, as ``_ClockStateDraft`` is for ``ClockState``."""

    __slots__ = ()
    __init__ = object.__init__
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__
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
    _explain: Callable[[], list[str]]
    escalation_trail: tuple[EscalationRecord, ...]


def _at_instant(state: ClockState, at_us: int) -> ClockState:
    """``state`` as of ``at_us``: for a settled cycle only the instant asked about differs.
    (Built as ``clock_reading.cycle_state`` builds; tests/test_fold_snapshot.py checks it against
    ``dataclasses.replace``.)"""
    if state.at_us == at_us:
        return state
    twin: _ClockStateDraft = _ClockStateDraft()
    twin.ticket_id = state.ticket_id
    twin.metric = state.metric
    twin.cycle = state.cycle
    twin.status = state.status
    twin.policy = state.policy
    twin.calendar = state.calendar
    twin.priority = state.priority
    twin.target_us = state.target_us
    twin.elapsed_us = state.elapsed_us
    twin.started_us = state.started_us
    twin.stopped_us = state.stopped_us
    twin.deadline_us = state.deadline_us
    twin.breached_us = state.breached_us
    twin.breach_point_us = state.breach_point_us
    twin.warnings_us = state.warnings_us
    twin.ever_breached = state.ever_breached
    twin.counting = state.counting
    twin.escalations_us = state.escalations_us
    twin.at_us = at_us
    twin.__class__ = ClockState  # type: ignore[assignment]
    return twin


def _ticket_sla(
    ticket_id: str,
    at_us: int,
    policy: str | None,
    policy_reason: str,
    priority: Priority | None,
    status: Status | None,
    fields: tuple[tuple[str, Any], ...],
    clocks: tuple[ClockState, ...],
    fcr: FCR | None,
    csat: CSAT | None,
    explain: Callable[[], list[str]],
) -> TicketSLA:
    """``TicketSLA(...)`` without an escalation trail, built from a draft as
    ``clock_reading.cycle_state`` builds a ``ClockState``."""
    draft: _TicketSLADraft = _TicketSLADraft()
    draft.ticket_id = ticket_id
    draft.at_us = at_us
    draft.policy = policy
    draft.policy_reason = policy_reason
    draft.priority = priority
    draft.status = status
    draft.fields = fields
    draft.clocks = clocks
    draft.fcr = fcr
    draft.csat = csat
    draft._explain = explain
    draft.escalation_trail = ()
    draft.__class__ = TicketSLA  # type: ignore[assignment]
    return draft


def _metric_and_cycle(state: ClockState) -> tuple[str, int]:
    return state.metric, state.cycle


# The statuses as plain names: on Python 3.11 reading a member off its enum class costs a
# descriptor call (about ten times a global), and the fold reads them for every event.
_ACTIVE = (ClockStatus.RUNNING, ClockStatus.PAUSED)
_RUNNING = ClockStatus.RUNNING
_PAUSED = ClockStatus.PAUSED
_FULFILLED = ClockStatus.FULFILLED
_CANCELLED = ClockStatus.CANCELLED


def with_trail(sla: TicketSLA, trail: Sequence[EscalationRecord]) -> TicketSLA:
    """``sla`` carrying the escalation trail the engine recorded, also in ``explain()``."""
    if not trail:
        return sla
    base = sla._explain

    def explain() -> list[str]:
        return [*base(), *(record.describe() for record in trail)]

    return dataclasses.replace(sla, escalation_trail=tuple(trail), _explain=explain)
