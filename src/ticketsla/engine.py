"""``SLAEngine``: durable, idempotent SLA state on SQLite or PostgreSQL (docs/engine.md).

The service layer over the pure core. ``ingest`` appends events to the log (a unique constraint
makes it idempotent), refolds every ticket that received a new event from its whole stored log,
and writes the resulting clocks in the same transaction, so the stored state always equals the
pure ``evaluate()`` over the ticket's events. ``scan`` records warnings and breaches that have come
due as outbox rows; ``drain`` hands them to the notification hooks and marks them delivered.

Transactions. On SQLite every write runs in ``BEGIN IMMEDIATE`` on a WAL database with a busy
timeout, so writers queue instead of failing with "database is locked". On PostgreSQL a writer
locks the rows of the tickets it touches (``SELECT ... FOR UPDATE`` in ticket order, so two writers
never deadlock), scanners take tickets with ``FOR UPDATE SKIP LOCKED`` and the drainer claims
outbox rows the same way. This is the edge that may read the clock: ``now`` (a callable or a
fixed datetime) answers every ``at=None``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import itertools
import json
import operator
import os
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from importlib import metadata as importlib_metadata
from typing import Any, TypeVar

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's busy timeout alone
    fcntl = None  # type: ignore[assignment]

import pluggy
import sqlalchemy as sa

from . import _engine_escalation as escalating
from . import migrations
from ._backfill_writers import BULK_COPY, copy_rows
from ._database_url import database_url
from ._ingest_items import Rejection, check_items, first_of_each_key
from ._instants import duration_us, from_us, require_aware, to_us
from .calendar import Calendar
from .clock import ClockState, ClockStatus, TicketSLA, fold, with_trail
from .contract import FeeTable
from .durations import parse_duration
from .errors import (
    ConfigurationError,
    PluginError,
    StoreError,
    TicketSLAError,
    UnknownTicketError,
)
from .escalation_notice import EscalationRecord
from .events import EventKind, Status, TicketEvent, order_events
from .notifications import Notification, NotificationKind
from .outcomes import FCRDefinition, FCRKind, fcr_of
from .plugins import calendars as plugin_calendars
from .plugins import (
    get_plugin_manager,
    has_listener,
    hook_for,
    notify,
    policy_chooser,
    response_rule,
)
from .policy import PolicySet, SLAPolicy, require_metric
from .recipients import Recipient
from .redaction import redact_url
from .report import Dimension, Report, ReportPeriod, report_from_events
from .store import (
    OPEN_CLOCK,
    DeliveryState,
    UTCDateTime,
    clock_from_values,
    clock_values,
    clocks_table,
    event_from_body,
    event_values,
    events_table,
    outbox_table,
    outbox_values,
    tickets_table,
    utc_text,
    utc_text_us,
)

__all__ = [
    "ClockChange",
    "ClockCount",
    "DrainResult",
    "HeldNotifications",
    "IngestResult",
    "OpenClock",
    "Recalculation",
    "Rejection",
    "SLAEngine",
    "ScanResult",
]

T = TypeVar("T")
Policies = SLAPolicy | PolicySet | Iterable[SLAPolicy]
Now = Callable[[], datetime] | datetime

_RETRACTABLE = (NotificationKind.WARNING, NotificationKind.BREACH)
_PENDING: sa.ColumnElement[str] = sa.literal_column(
    "'pending'"
)  # a literal, so SQLite matches the partial index
_MAX_ERRORS = 1000
_OUTBOX_KEY = ("ticket_id", "metric", "cycle", "kind", "level", "round")
_OUTCOME_CYCLE = 0  # outcomes are about the ticket, not a clock cycle (clock cycles start at 1)
_FCR = "fcr"
_CSAT = "csat"
_DONE_STATUSES = frozenset(s.value for s in Status if s.is_done)


# ---- results -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestResult:
    """What one ``ingest`` call did.

    ``stored`` events were new; ``duplicates`` had a key (source, event id) already stored or
    repeated in the input for the same ticket; ``rejected`` were not events (an item that fails
    validation) or give a key to a second ticket (stored before, or earlier in the input), each
    a ``Rejection`` in ``errors`` (input position, reason, key when known, field at fault; the
    first 1,000 are kept).
    ``late`` counts stored events older than the newest one their ticket already had;
    ``refolded`` counts tickets whose clocks were recomputed.
    """

    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    late: int = 0
    refolded: int = 0
    errors: tuple[Rejection, ...] = ()

    def __add__(self, other: IngestResult) -> IngestResult:
        return IngestResult(
            stored=self.stored + other.stored,
            duplicates=self.duplicates + other.duplicates,
            rejected=self.rejected + other.rejected,
            late=self.late + other.late,
            refolded=self.refolded + other.refolded,
            errors=(self.errors + other.errors)[:_MAX_ERRORS],
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenClock:
    """One clock as ``at_risk`` and ``breached`` list it (read from the index, not refolded)."""

    ticket_id: str
    metric: str
    cycle: int
    status: ClockStatus
    due_at: datetime | None  # None while paused
    breach_at: datetime | None  # breached strictly after this instant, if nothing else happens
    policy: str
    priority: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ClockCount:
    """Open clocks of one (policy, priority, metric) at an instant."""

    policy: str
    priority: str | None
    metric: str
    open: int
    running: int
    paused: int
    at_risk: int
    breached: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanResult:
    """What one ``scan`` recorded: outbox rows per kind, over how many tickets."""

    tickets: int = 0
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0  # escalation notifications recorded (one per level and recipient)
    held: int = 0  # of those, how many wait for their recipient's working hours

    def __add__(self, other: ScanResult) -> ScanResult:
        return ScanResult(
            tickets=self.tickets + other.tickets,
            warnings=self.warnings + other.warnings,
            breaches=self.breaches + other.breaches,
            escalations=self.escalations + other.escalations,
            held=self.held + other.held,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldNotifications:
    """Notifications that wait for their recipient's working hours: how many, and until when."""

    count: int = 0
    first_until: datetime | None = None
    last_until: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DrainResult:
    """What one ``drain`` did: notifications delivered, hook failures (kept for a retry), and
    notifications no installed plugin listens to (state ``no_listener``, never marked
    delivered)."""

    delivered: int = 0
    failed: int = 0
    unheard: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ClockChange:
    """How one clock's due time or breach differs between the stored state and a recalculation."""

    ticket_id: str
    metric: str
    cycle: int
    due_before: datetime | None
    due_after: datetime | None
    breached_before: bool
    breached_after: bool

    @property
    def due_changed(self) -> bool:
        return self.due_before != self.due_after

    @property
    def breach_changed(self) -> bool:
        return self.breached_before != self.breached_after


@dataclass(frozen=True, slots=True, kw_only=True)
class Recalculation:
    """The report of ``recalculate``: every clock whose due time or breach changes at ``at``."""

    dry_run: bool
    at: datetime
    tickets_checked: int
    changes: tuple[ClockChange, ...]

    @property
    def tickets(self) -> tuple[str, ...]:
        """The tickets with at least one change, sorted."""
        return tuple(sorted({c.ticket_id for c in self.changes}))


# ---- versions ----------------------------------------------------------------------------------


def fingerprint(value: Any) -> str:
    """A short, stable digest of a policy or calendar's content (not its name or file path)."""
    text = json.dumps(_canonical(value), sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _canonical(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        parts: dict[str, Any] = {"__type__": type(value).__name__}
        for item in dataclasses.fields(value):
            if item.compare:
                parts[item.name] = _canonical(getattr(value, item.name))
        if isinstance(value, Calendar) and value.holidays is not None:
            parts["__holidays__"] = _version_of("holidays")
        return parts
    if isinstance(value, Enum):
        return _canonical(value.value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return duration_us(value)
    if isinstance(value, frozenset | set):
        return sorted((_canonical(v) for v in value), key=repr)
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_canonical(v) for v in value]
    return repr(value)


def _version_of(distribution: str) -> str:
    try:
        return importlib_metadata.version(distribution)
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


LIBRARY_VERSION = _version_of("ticketsla")


@dataclass(frozen=True, slots=True)
class _PolicyBook:
    """A policy set with what the engine needs beside it: fingerprints and calendars by name."""

    policies: PolicySet
    policy_versions: dict[str, str]
    calendars: dict[str, Calendar]
    calendar_versions: dict[str, str]

    @classmethod
    def of(cls, policies: Policies | None) -> _PolicyBook:
        chosen = _policy_set(policies)
        calendars: dict[str, Calendar] = {}
        for policy in chosen.all():
            calendars.setdefault(policy.calendar.name, policy.calendar)
            for metric in policy.metric_names:
                cal = policy.calendar_for(metric)
                calendars.setdefault(cal.name, cal)
        return cls(
            policies=chosen,
            policy_versions={p.name: fingerprint(p) for p in chosen.all()},
            calendars=calendars,
            calendar_versions={name: fingerprint(cal) for name, cal in calendars.items()},
        )

    @property
    def empty(self) -> bool:
        return not self.policies.all()

    def set_version(self) -> str:
        return fingerprint(sorted(self.policy_versions.items()))


def _policy_set(policies: Policies | None) -> PolicySet:
    if policies is None:
        return PolicySet(())
    if isinstance(policies, SLAPolicy | PolicySet):
        return PolicySet.of(policies)
    items = tuple(policies)
    for item in items:
        if not isinstance(item, SLAPolicy):
            raise ConfigurationError(
                f"policies: expected SLAPolicy values, got {type(item).__name__}",
                subject="policies",
            )
    return PolicySet(items)


# ---- notifications: what is due, what is live, what to record ---------------------------------


@dataclass(frozen=True, slots=True)
class _Alert:
    """A warning or breach a clock has (or will have if nothing changes), or its fulfilment."""

    kind: NotificationKind
    level: str
    at_us: int  # the warning instant, the breach instant (breached just after), the stop
    due_us: int | None
    elapsed_us: int | None

    def is_due(self, t_us: int) -> bool:
        if self.kind is NotificationKind.BREACH:
            return self.at_us < t_us
        return self.at_us <= t_us

    @property
    def alert_us(self) -> int:
        """The first instant at which ``is_due`` holds."""
        return self.at_us + 1 if self.kind is NotificationKind.BREACH else self.at_us


@dataclass(frozen=True, slots=True)
class _ClockView:
    """What the notification logic needs of one clock, from a fold or from a stored row."""

    ticket_id: str
    metric: str
    cycle: int
    target_us: int
    policy: str
    calendar: str
    deadline_us: int | None
    alerts: tuple[_Alert, ...]

    def alert(self, kind: NotificationKind, level: str) -> _Alert | None:
        for alert in self.alerts:
            if alert.kind is kind and alert.level == level:
                return alert
        return None


@dataclass(slots=True)
class _Announced:
    """The outbox history of one (metric, cycle, kind, level): latest round, its instant, live."""

    round: int
    at: datetime | int  # as read from the outbox, or the instant in microseconds
    live: bool

    @property
    def at_us(self) -> int:
        return self.at if isinstance(self.at, int) else to_us(self.at)


_Key = tuple[str, int, str, str]  # metric, cycle, kind, level


def _announced(rows: Iterable[Any]) -> dict[_Key, _Announced]:
    """Live announcements of one ticket from its outbox rows (any order)."""
    latest: dict[_Key, _Announced] = {}
    retracted: set[tuple[str, int, str, int]] = set()
    for row in rows:
        if row.kind == NotificationKind.RETRACTION.value:
            retracted.add((row.metric, row.cycle, row.level, row.round))
            continue
        key = (row.metric, row.cycle, row.kind, row.level)
        seen = latest.get(key)
        if seen is None or row.round > seen.round:
            latest[key] = _Announced(row.round, row.at, True)
    for (metric, cycle, _kind, level), item in latest.items():
        # a retraction names the level it takes back; fulfilment levels (met, missed) are
        # never warning levels, so one retraction row speaks for one announcement
        if (metric, cycle, level, item.round) in retracted:
            item.live = False
    return latest


def _view_of(state: ClockState, details: Sequence[tuple[int, int]]) -> _ClockView:
    alerts: list[_Alert] = []
    for (level, when), (due, elapsed) in zip(state.warnings_us, details, strict=True):
        alerts.append(_Alert(NotificationKind.WARNING, level, when, due, elapsed))
    breach = state.breach_point_us
    if breach is not None:
        alerts.append(
            _Alert(
                NotificationKind.BREACH,
                "breach",
                breach,
                state.deadline_us if state.deadline_us is not None else breach,
                state.target_us,
            )
        )
    if state.status is ClockStatus.FULFILLED and state.stopped_us is not None:
        level = "missed" if state.breached_us is not None else "met"
        alerts.append(
            _Alert(
                NotificationKind.FULFILLED,
                level,
                state.stopped_us,
                state.deadline_us,
                state.elapsed_us,
            )
        )
    return _ClockView(
        ticket_id=state.ticket_id,
        metric=state.metric,
        cycle=state.cycle,
        target_us=state.target_us,
        policy=state.policy,
        calendar=state.calendar,
        deadline_us=state.deadline_us,
        alerts=tuple(alerts),
    )


def _view_of_row(row: Any) -> _ClockView:
    alerts: list[_Alert] = []
    deadline = None if row.deadline_at is None else to_us(row.deadline_at)
    for item in json.loads(row.warnings):
        level, when = str(item[0]), int(item[1])
        due = int(item[2]) if len(item) > 2 else (deadline if deadline is not None else when)
        elapsed = int(item[3]) if len(item) > 3 else None
        alerts.append(_Alert(NotificationKind.WARNING, level, when, due, elapsed))
    if row.breach_at is not None:
        breach = to_us(row.breach_at)
        alerts.append(
            _Alert(
                NotificationKind.BREACH,
                "breach",
                breach,
                deadline if deadline is not None else breach,
                row.target_us,
            )
        )
    if row.status == ClockStatus.FULFILLED.value and row.stopped_at is not None:
        level = "missed" if row.breached_at is not None else "met"
        alerts.append(
            _Alert(
                NotificationKind.FULFILLED, level, to_us(row.stopped_at), deadline, row.elapsed_us
            )
        )
    return _ClockView(
        ticket_id=row.ticket_id,
        metric=row.metric,
        cycle=row.cycle,
        target_us=row.target_us,
        policy=row.policy,
        calendar=row.calendar,
        deadline_us=deadline,
        alerts=tuple(alerts),
    )


def _notification(view: _ClockView, alert: _Alert) -> Notification:
    return Notification(
        ticket_id=view.ticket_id,
        metric=view.metric,
        cycle=view.cycle,
        kind=alert.kind,
        level=alert.level,
        at=from_us(alert.at_us, UTC),
        due_at=None if alert.due_us is None else from_us(alert.due_us, UTC),
        target=timedelta(microseconds=view.target_us),
        elapsed=None if alert.elapsed_us is None else timedelta(microseconds=alert.elapsed_us),
        policy=view.policy or None,
        calendar=view.calendar or None,
    )


@dataclass(slots=True)
class _Reconciled:
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_alert: dict[tuple[str, int], int | None] = field(default_factory=dict)
    warnings: int = 0
    breaches: int = 0


def _reconcile(
    ticket_id: str,
    views: Sequence[_ClockView],
    announced: dict[_Key, _Announced],
    t_us: int,
    created_at: datetime,
    *,
    full: bool,
) -> _Reconciled:
    """The outbox rows to add for one ticket at ``t_us``, and each clock's next alert instant.

    Every warning or breach that is due and not live is announced (a new round when an earlier
    one was retracted); a fulfilment once per verdict. With ``full`` (after a refold) a live
    warning or breach that no longer holds is retracted: its clock or level is gone, or its
    instant moved and is not due any more. An unchanged instant is never retracted, so scanners
    and writers whose clocks differ slightly do not retract each other's notifications. A live
    fulfilment is retracted when its clock is gone or the fold now gives the other verdict
    (met instead of missed, or back); the retraction is recorded before the new verdict.
    """
    out = _Reconciled()
    by_clock = {(v.metric, v.cycle): v for v in views}
    if full:
        for (metric, cycle, kind, level), item in sorted(announced.items()):
            if not item.live:
                continue
            view = by_clock.get((metric, cycle))
            if NotificationKind(kind) is NotificationKind.FULFILLED:
                if view is not None and not _verdict_changed(view, level):
                    continue
            elif NotificationKind(kind) not in _RETRACTABLE:
                continue
            else:
                alert = None if view is None else view.alert(NotificationKind(kind), level)
                if alert is not None and (alert.at_us == item.at_us or alert.is_due(t_us)):
                    continue
            retraction = Notification(
                ticket_id=ticket_id,
                metric=metric,
                cycle=cycle,
                kind=NotificationKind.RETRACTION,
                level=level,
                at=from_us(t_us, UTC),
                due_at=None
                if view is None or view.deadline_us is None
                else from_us(view.deadline_us, UTC),
                target=None if view is None else timedelta(microseconds=view.target_us),
                policy=None if view is None else view.policy or None,
                calendar=None if view is None else view.calendar or None,
            )
            out.rows.append(outbox_values(retraction, round=item.round, created_at=created_at))
            item.live = False
    for view in views:
        pending: list[int] = []
        for alert in view.alerts:
            key = (view.metric, view.cycle, str(alert.kind), alert.level)
            seen = announced.get(key)
            if seen is not None and seen.live:
                continue  # a verdict stays announced once per cycle, even if the clock reopened
            if not alert.is_due(t_us):
                pending.append(alert.alert_us)
                continue
            round_ = 1 if seen is None else seen.round + 1
            out.rows.append(
                outbox_values(_notification(view, alert), round=round_, created_at=created_at)
            )
            announced[key] = _Announced(round_, alert.at_us, True)
            if alert.kind is NotificationKind.WARNING:
                out.warnings += 1
            elif alert.kind is NotificationKind.BREACH:
                out.breaches += 1
        out.next_alert[(view.metric, view.cycle)] = min(pending) if pending else None
    return out


def _verdict_changed(view: _ClockView, level: str) -> bool:
    """Whether the clock now has a fulfilment verdict other than ``level`` (a clock running
    again after its fulfilment keeps the verdict it had)."""
    return any(
        alert.kind is NotificationKind.FULFILLED and alert.level != level for alert in view.alerts
    )


# ---- outcomes: FCR verdicts and CSAT ratings --------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Outcome:
    """A decided outcome of a ticket: its level (``fcr``/``not_fcr``, a sentiment) and when."""

    level: str
    at_us: int


def _solved_us(ordered: Sequence[TicketEvent]) -> int | None:
    """The first solve (or close) among a ticket's ordered events, as ``fcr_of`` reads it."""
    for event in ordered:
        if (
            event.kind is EventKind.STATUS_CHANGED
            and event.status is not None
            and event.status.is_done
        ):
            return event.at_us
    return None


def _fcr_window_end(ordered: Sequence[TicketEvent], definition: FCRDefinition) -> int | None:
    """When a ``no_reopen_within`` verdict is decided by time alone: the end of the window."""
    if definition.kind is not FCRKind.NO_REOPEN_WITHIN:
        return None
    solved = _solved_us(ordered)
    return None if solved is None else solved + definition.window_us


def _fcr_outcome(
    ordered: Sequence[TicketEvent],
    definition: FCRDefinition,
    t_us: int,
    announced: Mapping[_Key, _Announced],
) -> _Outcome | None:
    """The FCR verdict at ``t_us`` (None while undecided) and the instant it was decided.

    The verdict only changes at an event's instant or at the end of the reopen window, so the
    decision instant is the earliest of those candidates from which the verdict has stayed what
    it is at ``t_us``: the solve, a reopen, or the end of the window. When the verdict is live
    in the outbox already nothing will be recorded, so the instant is not looked for.
    """
    achieved = fcr_of(ordered, definition, t_us).achieved
    if achieved is None:
        return None
    level = "fcr" if achieved else "not_fcr"
    seen = announced.get((_FCR, _OUTCOME_CYCLE, NotificationKind.OUTCOME.value, level))
    if seen is not None and seen.live:
        return _Outcome(level, seen.at_us)
    candidates = {e.at_us for e in ordered if e.at_us <= t_us}
    window_end = _fcr_window_end(ordered, definition)
    if window_end is not None and window_end <= t_us:
        candidates.add(window_end)
    decided = t_us
    for candidate in sorted(candidates, reverse=True):
        if fcr_of(ordered, definition, candidate).achieved != achieved:
            break
        decided = candidate
    return _Outcome(level, decided)


def _wake_for_fcr(
    plan: _Reconciled,
    views: Sequence[_ClockView],
    ordered: Sequence[TicketEvent],
    definition: FCRDefinition | None,
    t_us: int,
) -> None:
    """An FCR verdict that time alone will decide (the end of a reopen window) needs a scanner
    to look then: put that instant into the next alert instant of the ticket's first clock."""
    if definition is None:
        return
    end = _fcr_window_end(ordered, definition)
    if end is None or end <= t_us:
        return
    key = (views[0].metric, views[0].cycle)
    current = plan.next_alert.get(key)
    plan.next_alert[key] = end if current is None else min(current, end)


def _outcomes(
    ordered: Sequence[TicketEvent],
    sla: TicketSLA,
    book: _PolicyBook,
    t_us: int,
    announced: Mapping[_Key, _Announced],
) -> dict[str, _Outcome | None]:
    """The ticket's outcomes by metric: its FCR verdict at ``t_us`` and its latest CSAT."""
    out: dict[str, _Outcome | None] = {_FCR: None, _CSAT: None}
    definition = _fcr_definition(book, sla.policy)
    if definition is not None:
        out[_FCR] = _fcr_outcome(ordered, definition, t_us, announced)
    if sla.csat is not None:
        out[_CSAT] = _Outcome(sla.csat.sentiment.value, sla.csat.rated_at_us)
    return out


def _fcr_definition(book: _PolicyBook, policy: str | None) -> FCRDefinition | None:
    if not policy:
        return None
    for candidate in book.policies.all():
        if candidate.name == policy:
            return candidate.fcr
    return None


def _reconcile_outcomes(
    ticket_id: str,
    outcomes: Mapping[str, _Outcome | None],
    announced: dict[_Key, _Announced],
    t_us: int,
    created_at: datetime,
    policy: str | None,
) -> list[dict[str, Any]]:
    """The outbox rows that bring a ticket's announced outcomes in line with ``outcomes``.

    Per metric at most one outcome is live: a live one whose level no longer holds is retracted
    (at ``t_us``, as a late event retracts a breach), then the current one is recorded unless it
    is live already; a level announced and retracted before comes back as its next round.
    """
    rows: list[dict[str, Any]] = []
    outcome_kind = NotificationKind.OUTCOME.value
    for metric in sorted(outcomes):
        current = outcomes[metric]
        for (m, cycle, kind, level), item in sorted(announced.items()):
            if m != metric or cycle != _OUTCOME_CYCLE or kind != outcome_kind or not item.live:
                continue
            if current is not None and current.level == level:
                continue
            retraction = Notification(
                ticket_id=ticket_id,
                metric=metric,
                cycle=_OUTCOME_CYCLE,
                kind=NotificationKind.RETRACTION,
                level=level,
                at=from_us(t_us, UTC),
                policy=policy or None,
            )
            rows.append(outbox_values(retraction, round=item.round, created_at=created_at))
            item.live = False
        if current is None:
            continue
        key = (metric, _OUTCOME_CYCLE, outcome_kind, current.level)
        seen = announced.get(key)
        if seen is not None and seen.live:
            continue
        round_ = 1 if seen is None else seen.round + 1
        notification = Notification(
            ticket_id=ticket_id,
            metric=metric,
            cycle=_OUTCOME_CYCLE,
            kind=NotificationKind.OUTCOME,
            level=current.level,
            at=from_us(current.at_us, UTC),
            policy=policy or None,
        )
        rows.append(outbox_values(notification, round=round_, created_at=created_at))
        announced[key] = _Announced(round_, current.at_us, True)
    return rows


def _has_live_outcome(announced: Mapping[_Key, _Announced], metric: str) -> bool:
    outcome_kind = NotificationKind.OUTCOME.value
    return any(
        item.live and m == metric and cycle == _OUTCOME_CYCLE and kind == outcome_kind
        for (m, cycle, kind, _), item in announced.items()
    )


# ---- the engine --------------------------------------------------------------------------------


class SLAEngine:
    """SLA state of every ticket in a database: ingest events, ask about tickets, scan, drain.

    ``url`` is an SQLAlchemy URL: ``sqlite:///sla.db`` (a file; WAL mode) or
    ``postgresql://user:password@host/db`` (psycopg 3). ``policies`` is an ``SLAPolicy``, a
    ``PolicySet`` or a list of policies (first match wins). ``now`` is a callable returning an
    aware datetime, or a fixed aware datetime, used wherever ``at`` is None (default: the system
    clock). ``plugins`` are registered for this engine on top of the installed ones.
    ``upgrade=True`` brings the schema to the newest revision on start; with False a database
    that is not at it raises ``StoreError``. Close the engine (or use it in ``with``) to release
    its connections.
    """

    def __init__(
        self,
        url: str = "sqlite:///sla.db",
        policies: Policies | None = None,
        now: Now | None = None,
        plugins: Iterable[object] = (),
        *,
        upgrade: bool = True,
        batch_size: int = 1000,
        busy_timeout: timedelta | str = timedelta(seconds=60),
        max_attempts: int = 8,
        cache_tickets: int = 20_000,
    ) -> None:
        if isinstance(now, datetime):
            require_aware(now, "now")
        elif now is not None and not callable(now):
            raise ConfigurationError(
                f"now: expected a callable or an aware datetime, got {type(now).__name__}",
                subject="now",
            )
        if batch_size < 1 or max_attempts < 1:
            raise ConfigurationError("batch_size and max_attempts must be at least 1")
        busy_timeout = parse_duration(busy_timeout, field="busy_timeout")
        self._now = now
        self._book = _PolicyBook.of(policies)
        self._pm: pluggy.PluginManager = get_plugin_manager(plugins=plugins)
        self._chooser = policy_chooser(self._pm)
        self._response_rule = response_rule(self._pm)
        self._batch_size = batch_size
        self._max_attempts = max_attempts
        self._cache: OrderedDict[str, tuple[int, list[TicketEvent]]] = OrderedDict()
        self._cache_size = cache_tickets
        self._cache_lock = threading.Lock()
        self._db = _create_engine(url, busy_timeout)
        self._url_shown = redact_url(url)
        self._pg = self._db.dialect.name == "postgresql"
        self._busy_timeout = busy_timeout.total_seconds()
        self._closed = False
        self._lock_path: str | None = None
        if not self._pg:
            self._lock_path = f"{self._db.url.database}.writer-lock"
        try:
            if not upgrade:
                self._require_sqlite_file()
            self._check_schema(upgrade)
        except BaseException:
            self._db.dispose()
            raise

    # ---- life cycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The database URL, its password and secret parameters hidden (``redact_url``)."""
        return self._url_shown

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return str(self._db.dialect.name)

    @property
    def policies(self) -> PolicySet:
        return self._book.policies

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        return self._pm

    @property
    def sqlalchemy_engine(self) -> sa.Engine:
        """The underlying SQLAlchemy engine (for a backend's own read-only queries)."""
        return self._db

    def close(self) -> None:
        """Release every pooled connection and remove the writers' lock file when no other
        writer holds it. The engine must not be used afterwards: a later call raises
        ``StoreError``."""
        self._closed = True
        self._db.dispose()
        self._remove_lock_file()

    def _remove_lock_file(self) -> None:
        """Unlink the lock file if it is free; a writer that opened it meanwhile sees the path
        gone or replaced once it holds the lock, and starts over on the current file."""
        if self._lock_path is None or fcntl is None:
            return
        try:
            fd = os.open(self._lock_path, os.O_RDWR)
        except OSError:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            with contextlib.suppress(OSError):
                os.unlink(self._lock_path)
        except OSError:
            pass  # another writer holds it: that engine removes it when it closes
        finally:
            os.close(fd)

    def __enter__(self) -> SLAEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SLAEngine({self.url!r}, policies={[p.name for p in self.policies.all()]!r})"

    def _require_sqlite_file(self) -> None:
        """With ``upgrade=False`` the engine only reads an existing database: connecting to a
        SQLite file that is not there would create an empty one."""
        if self._pg:
            return
        database = str(self._db.url.database or "")
        if database.startswith("file:") or os.path.exists(database):
            return
        raise StoreError(
            f"database {self.url}: no such file; create it with `ticketsla db upgrade --db URL` "
            "(or ingest into it) first",
            subject=self.url,
        )

    def _check_schema(self, upgrade: bool) -> None:
        try:
            if upgrade:
                migrations.upgrade(self._db)
                return
            found = migrations.current(self._db)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"database {self.url}: {_describe(exc)}", subject=self.url) from exc
        wanted = migrations.head()
        if found != wanted:
            state = "has no ticketsla tables" if found is None else f"is at revision {found}"
            raise StoreError(
                f"database {self.url} {state}; this ticketsla needs revision {wanted}: run "
                f"`ticketsla db upgrade --db URL` first",
                subject=self.url,
            )

    # ---- time ---------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The engine's current instant (from ``now`` given at construction, else the clock)."""
        if self._now is None:
            return datetime.now(UTC)
        if isinstance(self._now, datetime):
            return self._now
        return require_aware(self._now(), "now()")

    def _at_us(self, at: datetime | None) -> int:
        return to_us(self.now() if at is None else at, "at")

    # ---- transactions -------------------------------------------------------------------------

    def _run(self, work: Callable[[sa.Connection], T], *, write: bool) -> T:
        """Run ``work`` in one transaction; retry it when the database asks us to (lock waits
        that ran out, deadlocks, serialization failures); database errors become StoreError."""
        if self._closed:
            raise StoreError(f"SLAEngine for {self.url} is closed", subject=self.url)
        delay = 0.05
        for attempt in itertools.count(1):
            try:
                writer = self._writer() if write else contextlib.nullcontext()
                with writer, self._db.connect() as conn:
                    if write:
                        conn = conn.execution_options(ticketsla_write=True)
                    with conn.begin():
                        return work(conn)
            except sa.exc.DBAPIError as exc:
                if attempt < 6 and _retryable(exc):
                    time.sleep(delay)
                    delay *= 2
                    continue
                raise StoreError(
                    f"database {self.url}: {_describe(exc)}", subject=self.url
                ) from exc
            except sa.exc.SQLAlchemyError as exc:
                raise StoreError(
                    f"database {self.url}: {_describe(exc)}", subject=self.url
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    @contextlib.contextmanager
    def _writer(self) -> Iterator[None]:
        """On SQLite, queue for the database's writer lock file; elsewhere nothing.

        SQLite's own busy handler sleeps up to 100 ms between tries, so under steady contention
        the database often sits idle while every writer sleeps. Writers of one file take an
        advisory lock on a file beside it first (polled every few milliseconds), then ``BEGIN
        IMMEDIATE`` finds the database free; the busy timeout stays as the backstop. The lock
        file is never the database itself: closing any descriptor of the database would drop
        SQLite's own POSIX locks held by this process. ``close`` removes it when it is free.
        """
        if self._lock_path is None or fcntl is None:
            yield
            return
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + self._busy_timeout
            pause = 0.0005
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    if _same_file(fd, self._lock_path):
                        break
                    # an engine closing removed the file we locked: queue on the current one
                    fresh = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
                    os.close(fd)
                    fd = fresh
                    continue
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreError(
                            f"database {self.url}: another writer held it for more than "
                            f"{self._busy_timeout:g} s",
                            subject=self.url,
                        ) from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.004)
            yield
        finally:
            os.close(fd)  # releases the lock

    def _insert_rows(
        self,
        conn: sa.Connection,
        table: sa.Table,
        rows: list[dict[str, Any]],
        *,
        conflict: Sequence[str] | None = None,
        returning: Sequence[str] = (),
    ) -> list[Any]:
        """Insert ``rows`` (all with the same keys) in one statement; with ``conflict``, rows
        whose key exists already are skipped (``ON CONFLICT DO NOTHING``). Returns the
        ``returning`` columns of the rows inserted.

        On PostgreSQL the rows travel as one array per column through ``unnest``, in psycopg's
        binary format: one short statement whatever the row count, and no text escaping of the
        JSON bodies.
        """
        if not rows:
            return []
        names = list(rows[0])
        if self._pg and not returning and conn.get_execution_options().get(BULK_COPY):
            copy_rows(conn, table, rows, conflict=conflict)  # SLAEngine.backfill's connections
            return []
        if self._pg:
            quote = conn.dialect.identifier_preparer.quote
            sql = (
                f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
                f"SELECT * FROM unnest({_pg_arrays(conn, table, names)})"
            )
            if conflict is not None:
                sql += f" ON CONFLICT ({', '.join(quote(n) for n in conflict)}) DO NOTHING"
            if returning:
                sql += f" RETURNING {', '.join(quote(n) for n in returning)}"
            return _pg_execute(conn, sql, names, rows, fetch=bool(returning))
        # SQLite: plain DB-API parameters, no per-row SQLAlchemy processing
        quote = conn.dialect.identifier_preparer.quote
        head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES "
        tail = ""
        if conflict is not None:
            tail += f" ON CONFLICT ({', '.join(quote(n) for n in conflict)}) DO NOTHING"
        values = _sqlite_rows(table, names, rows)
        one = "(" + ", ".join("?" * len(names)) + ")"
        if not returning:
            conn.exec_driver_sql(head + one + tail, values)
            return []
        tail += f" RETURNING {', '.join(quote(n) for n in returning)}"
        out: list[Any] = []
        per_statement = max(1, 30_000 // len(names))  # SQLite allows 32,766 parameters
        for start in range(0, len(values), per_statement):
            part = values[start : start + per_statement]
            sql = head + ", ".join([one] * len(part)) + tail
            flat = tuple(v for row in part for v in row)
            out.extend(conn.exec_driver_sql(sql, flat).fetchall())
        return out

    def _update_rows(
        self, conn: sa.Connection, table: sa.Table, keys: Sequence[str], rows: list[dict[str, Any]]
    ) -> None:
        """Update each row's other columns where its ``keys`` columns match (one statement)."""
        if not rows:
            return
        names = list(rows[0])
        changed = [n for n in names if n not in keys]
        if self._pg:
            quote = conn.dialect.identifier_preparer.quote
            sql = (
                f"UPDATE {quote(table.name)} AS t SET "
                + ", ".join(f"{quote(n)} = v.{quote(n)}" for n in changed)
                + f" FROM unnest({_pg_arrays(conn, table, names)}) "
                + f"AS v({', '.join(quote(n) for n in names)}) WHERE "
                + " AND ".join(f"t.{quote(k)} = v.{quote(k)}" for k in keys)
            )
            _pg_execute(conn, sql, names, rows, fetch=False)
            return
        quote = conn.dialect.identifier_preparer.quote
        sql = (
            f"UPDATE {quote(table.name)} SET "
            + ", ".join(f"{quote(n)} = ?" for n in changed)
            + " WHERE "
            + " AND ".join(f"{quote(k)} = ?" for k in keys)
        )
        conn.exec_driver_sql(sql, _sqlite_rows(table, [*changed, *keys], rows))

    # ---- ingest -------------------------------------------------------------------------------

    def ingest(self, events: Iterable[TicketEvent | Mapping[str, Any]]) -> IngestResult:
        """Store events idempotently and refold every ticket that got a new one.

        ``events`` are ``TicketEvent`` values or their mapping form (``to_dict()``). Every item
        is checked before any transaction (``ticketsla.event_rules``); one that is not a valid
        event, or that gives an event key to a second ticket, is counted as rejected with a
        ``Rejection`` in ``errors``, and the rest are stored. Only a whole-call problem raises
        (no policies, a closed engine, a database that fails: ``StoreError``). Events are
        written in transactions of
        ``batch_size``: each stores its events, the refolded clocks and the notifications that
        follow from them (fulfilments, retractions, breaches that a late event revealed) at once.
        """
        if self._book.empty:
            raise ConfigurationError(
                "SLAEngine has no policies: pass policies=... to ingest events", subject="policies"
            )
        total = IngestResult()
        position = 0
        iterator = iter(events)
        while True:
            chunk = list(itertools.islice(iterator, self._batch_size))
            if not chunk:
                return total
            valid, errors = check_items(chunk, position)
            position += len(chunk)
            result = IngestResult(rejected=len(errors), errors=tuple(errors))
            if valid:
                result = result + self._ingest_batch(valid)
                result = dataclasses.replace(result, errors=tuple(sorted(result.errors)))
            total = total + result

    def backfill(
        self,
        events: Iterable[TicketEvent | Mapping[str, Any]],
        *,
        batch_size: int = 20_000,
        progress: Callable[[int], None] | None = None,
    ) -> IngestResult:
        """Store a long history in bulk: ``ingest``'s rules and end state, each ticket folded
        once per batch of ``batch_size`` items; ``progress(items read)`` after each batch."""
        from ._backfill import backfill

        return backfill(self, events, batch_size=batch_size, progress=progress)

    def _ingest_batch(self, batch: list[tuple[int, TicketEvent]]) -> IngestResult:
        first, duplicates, clashes = first_of_each_key(batch)
        outcome = self._run(lambda conn: self._store(conn, first), write=True)
        self._remember(outcome.cache)
        errors = sorted([*clashes, *outcome.errors])
        return IngestResult(
            stored=outcome.stored,
            duplicates=duplicates + outcome.duplicates,
            rejected=len(errors),
            late=outcome.late,
            refolded=outcome.refolded,
            errors=tuple(errors),
        )

    def _store(
        self, conn: sa.Connection, events: dict[tuple[str, str], tuple[int, TicketEvent]]
    ) -> _StoreOutcome:
        now = self.now()
        now_us = to_us(now, "now()")
        tickets = sorted({e.ticket_id for _, e in events.values()})
        locked = self._lock_tickets(conn, tickets, create=True)
        values = [event_values(e, stored_at=now) for _, e in events.values()]
        returned = self._insert_rows(
            conn,
            events_table,
            values,
            conflict=("source", "event_id"),
            returning=("source", "event_id"),
        )
        inserted = {(r[0], r[1]) for r in returned}
        outcome = _StoreOutcome()
        new_by_ticket: dict[str, list[TicketEvent]] = defaultdict(list)
        clashes: list[tuple[str, str]] = []
        for key, (_, event) in events.items():
            if key in inserted:
                new_by_ticket[event.ticket_id].append(event)
            else:
                clashes.append(key)
        outcome.stored = len(inserted)
        if clashes:
            owners = self._owners(conn, clashes)
            for key in clashes:
                index, event = events[key]
                owner = owners.get(key)
                if owner is None or owner == event.ticket_id:
                    outcome.duplicates += 1
                else:
                    outcome.errors.append(
                        Rejection(
                            index,
                            f"event {event.event_id!r} of source {event.source!r} is stored for "
                            f"ticket {owner!r}, not {event.ticket_id!r}: event ids are unique "
                            "within their source",
                            key,
                            "ticket_id",
                        )
                    )
        for ticket_id, new in new_by_ticket.items():
            previous = locked[ticket_id][1]
            if previous is not None:
                outcome.late += sum(1 for e in new if e.at_us < previous)
        if new_by_ticket:
            histories = self._histories(conn, locked, new_by_ticket)
            self._refold(conn, histories, self._book, now, now_us)
            outcome.refolded = len(histories)
            outcome.cache = {t: (len(h), h) for t, h in histories.items()}
        return outcome

    def _lock_tickets(
        self,
        conn: sa.Connection,
        tickets: Sequence[str],
        *,
        create: bool,
        skip_locked: bool = False,
    ) -> dict[str, tuple[int, int | None]]:
        """Lock the tickets' rows (PostgreSQL; SQLite holds the database write lock already) and
        return ``{ticket: (events stored, newest event instant)}``."""
        if not tickets:
            return {}
        if create:
            self._insert_rows(
                conn,
                tickets_table,
                [{"ticket_id": t, "events": 0} for t in tickets],
                conflict=("ticket_id",),
            )
        query = (
            sa.select(
                tickets_table.c.ticket_id, tickets_table.c.events, tickets_table.c.last_event_at
            )
            .where(tickets_table.c.ticket_id.in_(tickets))
            .order_by(tickets_table.c.ticket_id)
        )
        if self._pg:
            query = query.with_for_update(skip_locked=skip_locked)
        return {
            r.ticket_id: (r.events, None if r.last_event_at is None else to_us(r.last_event_at))
            for r in conn.execute(query)
        }

    def _owners(
        self, conn: sa.Connection, keys: list[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        owners: dict[tuple[str, str], str] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            query = sa.select(
                events_table.c.source, events_table.c.event_id, events_table.c.ticket_id
            ).where(sa.tuple_(events_table.c.source, events_table.c.event_id).in_(part))
            for row in conn.execute(query):
                owners[(row.source, row.event_id)] = row.ticket_id
        return owners

    def _histories(
        self,
        conn: sa.Connection,
        locked: Mapping[str, tuple[int, int | None]],
        new_by_ticket: Mapping[str, list[TicketEvent]],
    ) -> dict[str, list[TicketEvent]]:
        """Every stored event of each ticket: from the cache when it holds exactly what the
        locked ticket row counts, else from the log."""
        histories: dict[str, list[TicketEvent]] = {}
        missing: list[str] = []
        with self._cache_lock:
            for ticket_id, new in new_by_ticket.items():
                stored = locked[ticket_id][0]
                cached = self._cache.get(ticket_id)
                if stored == 0:
                    histories[ticket_id] = list(new)
                elif cached is not None and cached[0] == stored:
                    histories[ticket_id] = [*cached[1], *new]
                else:
                    missing.append(ticket_id)
        histories.update(self._load_events(conn, missing))
        return histories

    def _load_events(
        self, conn: sa.Connection, tickets: Sequence[str]
    ) -> dict[str, list[TicketEvent]]:
        out: dict[str, list[TicketEvent]] = {t: [] for t in tickets}
        for start in range(0, len(tickets), 500):
            part = tickets[start : start + 500]
            query = sa.select(events_table.c.ticket_id, events_table.c.body).where(
                events_table.c.ticket_id.in_(part)
            )
            for row in conn.execute(query):
                out[row.ticket_id].append(event_from_body(row.body))
        return out

    def _remember(self, entries: Mapping[str, tuple[int, list[TicketEvent]]]) -> None:
        if not entries or self._cache_size <= 0:
            return
        with self._cache_lock:
            for ticket_id, entry in entries.items():
                self._cache[ticket_id] = entry
                self._cache.move_to_end(ticket_id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def _fold(self, events: Sequence[TicketEvent], book: _PolicyBook, at_us: int) -> TicketSLA:
        return fold(
            events,
            book.policies,
            at_us,
            chooser=self._chooser,
            response_rule=self._response_rule,
        )

    def _refold(
        self,
        conn: sa.Connection,
        histories: Mapping[str, list[TicketEvent]],
        book: _PolicyBook,
        now: datetime,
        now_us: int,
    ) -> dict[str, tuple[ClockState, ...]]:
        """Fold each ticket from its full history and write its clocks, ticket row and the
        notifications that follow; returns the new clocks by ticket."""
        tickets = sorted(histories)
        announced = self._announced(conn, tickets)
        escalations = self._escalations_announced(conn, tickets)
        cancelled: list[int] = []
        clock_rows: list[dict[str, Any]] = []
        outbox_rows: list[dict[str, Any]] = []
        ticket_rows: list[dict[str, Any]] = []
        written: dict[str, tuple[ClockState, ...]] = {}
        instant = _utc_datetime if self._pg else utc_text_us
        for ticket_id in tickets:
            history = histories[ticket_id]
            if not history:
                continue
            last = max(e.at_us for e in history)
            first = min(e.at_us for e in history)
            as_of = last + 1  # just after the last event: every event applies
            sla = self._fold(history, book, as_of)
            views: list[_ClockView] = []
            details_by_clock: list[list[tuple[int, int]]] = []
            for state in sla.clocks:
                details = _warning_details(state, book)
                details_by_clock.append(details)
                views.append(_view_of(state, details))
            ticket_announced = announced.setdefault(ticket_id, {})
            t_us = max(now_us, as_of)
            plan = _reconcile(ticket_id, views, ticket_announced, t_us, now, full=True)
            outbox_rows.extend(plan.rows)
            if escalations is not None:
                clocks = [escalating.clock_of_state(state) for state in sla.clocks]
                escalated = self._escalate(ticket_id, clocks, escalations, t_us, now, full=True)
                outbox_rows.extend(escalated.rows)
                cancelled.extend(escalated.cancel)
                escalating.merge_next(plan.next_alert, escalated.next_alert)
            ordered = order_events(history)
            outcomes = _outcomes(ordered, sla, book, t_us, ticket_announced)
            outbox_rows.extend(
                _reconcile_outcomes(ticket_id, outcomes, ticket_announced, t_us, now, sla.policy)
            )
            if outcomes[_FCR] is None and views:
                _wake_for_fcr(plan, views, ordered, _fcr_definition(book, sla.policy), t_us)
            values = [
                clock_values(
                    state,
                    policy_version=book.policy_versions.get(state.policy, ""),
                    calendar_version=book.calendar_versions.get(state.calendar, ""),
                    library_version=LIBRARY_VERSION,
                    next_alert_us=plan.next_alert[(state.metric, state.cycle)],
                    warning_details=details,
                    instant=instant,
                )
                for state, details in zip(sla.clocks, details_by_clock, strict=True)
            ]
            written[ticket_id] = sla.clocks
            clock_rows.extend(values)
            ticket_rows.append(
                {
                    "ticket_id": ticket_id,
                    "events": len(history),
                    "first_event_at": instant(first),
                    "last_event_at": instant(last),
                    "as_of": instant(as_of),
                    "policy": sla.policy,
                    "priority": None if sla.priority is None else str(sla.priority),
                    "status": None if sla.status is None else str(sla.status),
                    "policy_version": book.policy_versions.get(sla.policy or "", None),
                    "library_version": LIBRARY_VERSION,
                    "updated_at": now,
                }
            )
        for start in range(0, len(tickets), 500):
            part = tickets[start : start + 500]
            conn.execute(clocks_table.delete().where(clocks_table.c.ticket_id.in_(part)))
        self._insert_rows(conn, clocks_table, clock_rows)
        self._insert_rows(conn, outbox_table, outbox_rows, conflict=_OUTBOX_KEY)
        escalating.cancel(conn, cancelled)
        self._update_rows(conn, tickets_table, ("ticket_id",), ticket_rows)
        return written

    # ---- escalation levels (ticketsla._engine_escalation) -------------------------------------

    @functools.cached_property
    def _escalates(self) -> bool:
        return any(p.contract.escalation for p in self._book.policies.all())

    def _escalations_announced(
        self, conn: sa.Connection, tickets: Sequence[str]
    ) -> dict[str, escalating.Announced] | None:
        """The tickets' escalation rows, or None when no policy has escalation levels."""
        if not self._escalates:
            return None
        return escalating.load_announced(conn, tickets)

    def _escalate(
        self,
        ticket_id: str,
        clocks: Sequence[escalating.EscalationClock],
        announced: dict[str, escalating.Announced],
        t_us: int,
        now: datetime,
        *,
        full: bool,
    ) -> escalating.Plan:
        return escalating.reconcile(
            ticket_id,
            clocks,
            announced.setdefault(ticket_id, escalating.Announced()),
            t_us,
            now,
            self._book.policies,
            self._route,
            self._find_calendar,
            full=full,
        )

    def _route(self, name: str, notification: Notification) -> Sequence[Recipient] | None:
        answer = self._pm.hook.ticketsla_route(name=name, notification=notification)
        if answer is None:
            return None
        routed = list(answer)
        for item in routed:
            if not isinstance(item, Recipient):
                raise PluginError(
                    f"ticketsla_route for {name!r}: expected Recipient values, got "
                    f"{type(item).__name__}",
                    subject=name,
                )
        return routed

    def _find_calendar(self, name: str) -> Calendar | None:
        found = self._book.calendars.get(name)
        if found is not None:
            return found
        try:
            return plugin_calendars(self._pm).get(name)
        except TicketSLAError:
            return None

    def _announced(
        self, conn: sa.Connection, tickets: Sequence[str]
    ) -> dict[str, dict[_Key, _Announced]]:
        out: dict[str, dict[_Key, _Announced]] = {}
        o = outbox_table.c
        for start in range(0, len(tickets), 500):
            part = tickets[start : start + 500]
            query = sa.select(o.ticket_id, o.metric, o.cycle, o.kind, o.level, o.round, o.at).where(
                o.ticket_id.in_(part)
            )
            grouped: dict[str, list[Any]] = defaultdict(list)
            for row in conn.execute(query):
                grouped[row.ticket_id].append(row)
            for ticket_id, rows in grouped.items():
                out[ticket_id] = _announced(rows)
        return out

    # ---- questions about one ticket ----------------------------------------------------------

    def _ticket(self, conn: sa.Connection, ticket_id: str) -> Any:
        row = conn.execute(
            sa.select(tickets_table).where(tickets_table.c.ticket_id == str(ticket_id))
        ).first()
        if row is None or not row.events:
            raise UnknownTicketError(
                f"no events are stored for ticket {str(ticket_id)!r} in {self.url}",
                subject=str(ticket_id),
            )
        return row

    def events(self, ticket_id: str) -> list[TicketEvent]:
        """Every stored event of a ticket, in history order."""

        def work(conn: sa.Connection) -> list[TicketEvent]:
            self._ticket(conn, ticket_id)
            return self._load_events(conn, [str(ticket_id)])[str(ticket_id)]

        events = self._run(work, write=False)
        return sorted(events, key=lambda e: e.order)

    def tickets_events(self, *, started_before: datetime | None = None) -> list[TicketEvent]:
        """Every stored event of every ticket whose first event lies before ``started_before``
        (all tickets when None): what a report or a what-if replays."""
        started = sa.select(events_table.c.ticket_id).group_by(events_table.c.ticket_id)
        if started_before is not None:
            require_aware(started_before, "started_before")
            started = started.having(sa.func.min(events_table.c.at) < started_before)
        query = sa.select(events_table.c.body).where(events_table.c.ticket_id.in_(started))

        def work(conn: sa.Connection) -> list[TicketEvent]:
            return [event_from_body(row.body) for row in conn.execute(query)]

        return self._run(work, write=False)

    def report(
        self,
        period: ReportPeriod,
        *,
        by: Sequence[Dimension | str] = (),
        fees: FeeTable | None = None,
        now: datetime | None = None,
    ) -> Report:
        """The SLA report of ``period`` over the stored tickets, under the engine's policies
        (``ticketsla.report.report_from_events`` on what the database holds)."""
        when = from_us(self._at_us(now), UTC)
        events = self.tickets_events(started_before=from_us(period.end_us, UTC))
        return report_from_events(events, self.policies, period, now=when, by=by, fees=fees)

    def state(self, ticket_id: str, at: datetime | None = None) -> TicketSLA:
        """The ticket's full SLA state at ``at`` (None: now), folded from its stored event log
        under the engine's policies: equal to ``evaluate(engine.events(ticket_id), ...)``."""
        at_us = self._at_us(at)
        events = self.events(ticket_id)
        sla = self._fold(events, self._book, at_us)
        if not self._escalates:
            return sla
        return with_trail(sla, self.escalations(ticket_id))

    def clocks(self, ticket_id: str) -> tuple[ClockState, ...]:
        """The stored clocks of a ticket, as of just after its last event, by metric and cycle."""

        def work(conn: sa.Connection) -> tuple[ClockState, ...]:
            self._ticket(conn, ticket_id)
            rows = conn.execute(
                sa.select(clocks_table)
                .where(clocks_table.c.ticket_id == str(ticket_id))
                .order_by(clocks_table.c.metric, clocks_table.c.cycle)
            )
            return tuple(_clock_state(row) for row in rows)

        return self._run(work, write=False)

    def _latest_clock(self, ticket_id: str, metric: str) -> tuple[Any, Any]:
        require_metric(self._book.policies, metric)

        def work(conn: sa.Connection) -> tuple[Any, Any]:
            ticket = self._ticket(conn, ticket_id)
            row = conn.execute(
                sa.select(clocks_table)
                .where(clocks_table.c.ticket_id == str(ticket_id), clocks_table.c.metric == metric)
                .order_by(clocks_table.c.cycle.desc())
                .limit(1)
            ).first()
            return ticket, row

        return self._run(work, write=False)

    def due_at(self, ticket_id: str, metric: str = "first_response") -> datetime | None:
        """When the latest cycle of ``metric`` falls due; None when it is not running (paused,
        stopped) or the ticket has no such clock. Unknown tickets raise UnknownTicketError."""
        _, row = self._latest_clock(ticket_id, metric)
        if row is None or row.due_at is None:
            return None
        due: datetime = row.due_at
        return due

    def is_breached(self, ticket_id: str, metric: str, at: datetime | None = None) -> bool:
        """Whether the latest cycle of ``metric`` is breached at ``at`` (None: now).

        Read from the stored clock when ``at`` is after the ticket's last event; an earlier
        ``at`` asks about the past, which the ticket's log answers (refolded at ``at``).
        """
        at_us = self._at_us(at)
        ticket, row = self._latest_clock(ticket_id, metric)
        if ticket.as_of is not None and at_us < to_us(ticket.as_of):
            state = self.state(ticket_id, from_us(at_us, UTC)).clock(metric)
            return state is not None and state.is_breached
        if row is None or row.breach_at is None:
            return False
        return bool(to_us(row.breach_at) < at_us)

    # ---- questions about every ticket ---------------------------------------------------------

    def at_risk(
        self,
        within: timedelta | str = timedelta(hours=1),
        at: datetime | None = None,
        *,
        limit: int | None = None,
    ) -> list[OpenClock]:
        """Running clocks due in ``[at, at + within]``, soonest first (one indexed range).

        ``within`` is a ``timedelta`` or a duration text as in policy files (``"4h"``, ``"PT4H"``).
        """
        within = parse_duration(within, field="within")
        start = self.now() if at is None else require_aware(at, "at")
        c = clocks_table.c
        query = (
            sa.select(*_OPEN_CLOCK_COLUMNS)
            .where(c.due_at >= start, c.due_at <= start + within)
            .order_by(c.due_at)
        )
        if limit is not None:
            query = query.limit(limit)
        rows = self._run(lambda conn: list(conn.execute(query)), write=False)
        return _open_clocks(rows, "due_at")

    def breached(self, at: datetime | None = None, *, limit: int | None = None) -> list[OpenClock]:
        """Open (running or paused) clocks breached by ``at``, longest breached first."""
        when = self.now() if at is None else require_aware(at, "at")
        c = clocks_table.c
        query = (
            sa.select(*_OPEN_CLOCK_COLUMNS)
            .where(c.open_breach_at < when)
            .order_by(c.open_breach_at)
        )
        if limit is not None:
            query = query.limit(limit)
        rows = self._run(lambda conn: list(conn.execute(query)), write=False)
        return _open_clocks(rows, "breach_at")

    def counts(
        self, at: datetime | None = None, *, within: timedelta | str = timedelta(hours=1)
    ) -> list[ClockCount]:
        """Open clocks per (policy, priority, metric): running, paused, at risk within
        ``within`` of ``at``, and breached by ``at``; one statement over one covering index."""
        within = parse_duration(within, field="within")
        when = self.now() if at is None else require_aware(at, "at")
        c = clocks_table.c
        at_risk = sa.case((sa.and_(c.due_at >= when, c.due_at <= when + within), 1), else_=0)
        breached = sa.case((c.open_breach_at < when, 1), else_=0)
        running = sa.case((c.due_at.is_not(None), 1), else_=0)
        query = (
            sa.select(
                c.policy,
                c.priority,
                c.metric,
                sa.func.count().label("open"),
                sa.func.sum(running).label("running"),
                sa.func.sum(at_risk).label("at_risk"),
                sa.func.sum(breached).label("breached"),
            )
            .where(sa.text(OPEN_CLOCK))
            .group_by(c.policy, c.priority, c.metric)
            .order_by(c.policy, c.priority, c.metric)
        )
        rows = self._run(lambda conn: list(conn.execute(query)), write=False)
        return [
            ClockCount(
                policy=r.policy,
                priority=r.priority,
                metric=r.metric,
                open=int(r.open),
                running=int(r.running or 0),
                paused=int(r.open) - int(r.running or 0),
                at_risk=int(r.at_risk or 0),
                breached=int(r.breached or 0),
            )
            for r in rows
        ]

    # ---- scanning and delivery ----------------------------------------------------------------

    def scan(self, at: datetime | None = None) -> ScanResult:
        """Record every warning and breach that has come due by ``at`` (None: now) as an outbox
        row, in the transaction that updates the clock's next alert instant.

        Scanners may run concurrently: on PostgreSQL each takes tickets with ``FOR UPDATE SKIP
        LOCKED``, and the outbox's unique key makes a second recording impossible anyway.
        """
        t_us = self._at_us(at)
        total = ScanResult()
        while True:
            result, more = self._run(lambda conn: self._scan_batch(conn, t_us), write=True)
            total = total + result
            if not more:
                return total

    def _scan_batch(self, conn: sa.Connection, t_us: int) -> tuple[ScanResult, bool]:
        c = clocks_table.c
        when = from_us(t_us, UTC)
        candidates = [
            r.ticket_id
            for r in conn.execute(
                sa.select(c.ticket_id)
                .where(c.next_alert_at <= when)
                .order_by(c.next_alert_at)
                .limit(self._batch_size)
            )
        ]
        if not candidates:
            return ScanResult(), False
        tickets = sorted(set(candidates))
        locked = sorted(self._lock_tickets(conn, tickets, create=False, skip_locked=True))
        if not locked:
            return ScanResult(), False  # every candidate is being handled by another writer
        rows = conn.execute(
            sa.select(clocks_table).where(c.ticket_id.in_(locked)).order_by(c.ticket_id)
        )
        views: dict[str, list[_ClockView]] = defaultdict(list)
        escalation_clocks: dict[str, list[escalating.EscalationClock]] = defaultdict(list)
        for row in rows:
            views[row.ticket_id].append(_view_of_row(row))
            escalation_clocks[row.ticket_id].append(escalating.clock_of_row(row))
        announced = self._announced(conn, locked)
        escalations = self._escalations_announced(conn, locked)
        now = self.now()
        outbox_rows: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        result = ScanResult(tickets=len(locked))
        plans: dict[str, _Reconciled] = {}
        for ticket_id in locked:
            plan = _reconcile(
                ticket_id,
                views[ticket_id],
                announced.setdefault(ticket_id, {}),
                t_us,
                now,
                full=False,
            )
            plans[ticket_id] = plan
            outbox_rows.extend(plan.rows)
            result = result + ScanResult(warnings=plan.warnings, breaches=plan.breaches)
            if escalations is not None:
                escalated = self._escalate(
                    ticket_id, escalation_clocks[ticket_id], escalations, t_us, now, full=False
                )
                outbox_rows.extend(escalated.rows)
                escalating.merge_next(plan.next_alert, escalated.next_alert)
                result = result + ScanResult(escalations=escalated.fired, held=escalated.held)
            else:  # a scanner without the policies still wakes for their levels later
                escalating.merge_next(
                    plan.next_alert, escalating.upcoming(escalation_clocks[ticket_id], t_us)
                )
        outbox_rows.extend(self._scan_outcomes(conn, locked, views, announced, plans, t_us, now))
        for ticket_id, plan in plans.items():
            for (metric, cycle), next_us in plan.next_alert.items():
                updates.append(
                    {
                        "ticket_id": ticket_id,
                        "metric": metric,
                        "cycle": cycle,
                        "next_alert_at": None if next_us is None else from_us(next_us, UTC),
                    }
                )
        self._insert_rows(conn, outbox_table, outbox_rows, conflict=_OUTBOX_KEY)
        self._update_rows(conn, clocks_table, ("ticket_id", "metric", "cycle"), updates)
        return result, True

    def _scan_outcomes(
        self,
        conn: sa.Connection,
        tickets: Sequence[str],
        views: Mapping[str, list[_ClockView]],
        announced: dict[str, dict[_Key, _Announced]],
        plans: Mapping[str, _Reconciled],
        t_us: int,
        now: datetime,
    ) -> list[dict[str, Any]]:
        """Record the FCR verdicts that time alone decided by ``t_us`` (the end of a
        ``no_reopen_within`` window with no reopen), and keep waking up for those still open.

        Only solved tickets without a live FCR outcome under such a policy are looked at; their
        event logs are read to decide.
        """
        book = self._book
        if not any(p.fcr.kind is FCRKind.NO_REOPEN_WITHIN for p in book.policies.all()):
            return []
        waiting = [
            ticket_id
            for ticket_id in tickets
            if views.get(ticket_id) and not _has_live_outcome(announced[ticket_id], _FCR)
        ]
        if not waiting:
            return []
        t = tickets_table.c
        definitions: dict[str, tuple[str, FCRDefinition]] = {}
        for row in conn.execute(
            sa.select(t.ticket_id, t.policy, t.status).where(t.ticket_id.in_(waiting))
        ):
            definition = _fcr_definition(book, row.policy)
            if (
                definition is not None
                and definition.kind is FCRKind.NO_REOPEN_WITHIN
                and row.status in _DONE_STATUSES
            ):
                definitions[row.ticket_id] = (row.policy, definition)
        if not definitions:
            return []
        histories = self._load_events(conn, sorted(definitions))
        rows: list[dict[str, Any]] = []
        for ticket_id, (policy, definition) in sorted(definitions.items()):
            ordered = order_events(histories[ticket_id])
            ticket_announced = announced[ticket_id]
            outcome = _fcr_outcome(ordered, definition, t_us, ticket_announced)
            rows.extend(
                _reconcile_outcomes(ticket_id, {_FCR: outcome}, ticket_announced, t_us, now, policy)
            )
            if outcome is None:
                _wake_for_fcr(plans[ticket_id], views[ticket_id], ordered, definition, t_us)
        return rows

    def notifications(self, ticket_id: str) -> list[tuple[Notification, str]]:
        """Every notification recorded for a ticket with its delivery state (``pending``,
        ``done``, ``failed`` or ``no_listener``), in the order they were recorded."""
        o = outbox_table.c
        query = sa.select(o.body, o.state).where(o.ticket_id == str(ticket_id)).order_by(o.id)

        def work(conn: sa.Connection) -> list[tuple[Notification, str]]:
            return [
                (Notification.from_dict(json.loads(row.body)), str(row.state))
                for row in conn.execute(query)
            ]

        return self._run(work, write=False)

    def held(self) -> HeldNotifications:
        """The notifications waiting for a recipient's working hours (quiet hours) now."""
        now = self.now()
        count, first, last = self._run(lambda conn: escalating.held(conn, now), write=False)
        return HeldNotifications(count=count, first_until=first, last_until=last)

    def escalations(self, ticket_id: str) -> tuple[EscalationRecord, ...]:
        """A ticket's escalation trail: every level fired or held, for whom, and when it went."""
        return self._run(lambda conn: escalating.trail(conn, str(ticket_id)), write=False)

    def pending(self) -> int:
        """How many notifications wait for delivery."""
        o = outbox_table.c
        query = sa.select(sa.func.count()).select_from(outbox_table).where(o.state == _PENDING)
        return int(self._run(lambda conn: conn.execute(query).scalar_one(), write=False))

    def next_work_at(self) -> datetime | None:
        """The earliest instant at which ``scan`` or ``drain`` has something to do: the next
        warning or breach coming due, or the next pending notification (a retry waits for its
        backoff; only counted when a notifier is installed, as ``drain`` waits for one). None
        when neither exists. Reads of partial indexes, for a scanner that sleeps until then
        instead of polling."""
        c = clocks_table.c
        alert = sa.select(sa.func.min(c.next_alert_at)).where(c.next_alert_at.is_not(None))
        # a ticket's notifications go out in order: only the head of each ticket's queue counts
        head = outbox_table.alias("o")
        earlier = outbox_table.alias("p")
        queued_behind = sa.select(sa.literal(1)).where(
            earlier.c.state == _PENDING,
            earlier.c.ticket_id == head.c.ticket_id,
            earlier.c.id < head.c.id,
        )
        retry = sa.select(sa.func.min(head.c.available_at)).where(
            head.c.state == _PENDING, ~sa.exists(queued_behind)
        )

        def work(conn: sa.Connection) -> datetime | None:
            found = [conn.execute(alert).scalar_one()]
            if self._has_notifier():
                found.append(conn.execute(retry).scalar_one())
            # min() keeps the column's type, so these come back aware, in UTC
            instants: list[datetime] = [value for value in found if value is not None]
            return min(instants, default=None)

        return self._run(work, write=False)

    def drain(self, *, limit: int | None = None) -> DrainResult:
        """Hand pending notifications to the hooks, oldest first, and mark each delivered.

        Each notification is claimed, handed to its hook and marked done in one transaction
        that holds the row (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the write lock on SQLite),
        so concurrent drainers never deliver it twice, and a ticket's notifications go out in
        the order they were recorded. If the process dies after a hook returned and before that
        commit, the row is still pending and is delivered again: delivery is at least once, and
        at most once per successful commit. docs/engine.md says how a notifier makes its effect
        exactly once with ``notification.key``. A hook that raises leaves the row pending for a
        retry with backoff; after ``max_attempts`` it is marked failed.

        With no notifier plugin installed nothing is claimed: the notifications wait in the
        outbox for one, rather than being marked delivered to nobody. With notifiers that
        implement only some hooks (say ``ticketsla_sla_warning``), a notification for a hook
        nobody implements takes the state ``no_listener`` instead of ``done``; a later drain
        that finds a plugin for it puts it back to pending and delivers it.
        """
        done: dict[str, int] = {"delivered": 0, "failed": 0, "unheard": 0}
        if not self._has_notifier():
            return DrainResult()
        self._requeue_heard()
        while limit is None or sum(done.values()) < limit:
            outcome = self._deliver_one()
            if outcome is None:
                break
            done[outcome] += 1
        return DrainResult(**done)

    def _requeue_heard(self) -> None:
        """Put notifications left without a listener back to pending once a plugin hears them."""
        o = outbox_table.c
        waiting_state: sa.ColumnElement[str] = sa.literal_column("'no_listener'")  # the index
        waiting = sa.select(o.id, o.body).where(o.state == waiting_state)

        def heard(conn: sa.Connection) -> list[int]:
            return [
                row.id
                for row in conn.execute(waiting)
                if has_listener(hook_for(Notification.from_dict(json.loads(row.body))), self._pm)
            ]

        ids = self._run(heard, write=False)  # usually none: no write lock taken for nothing

        def requeue(conn: sa.Connection) -> None:
            for start in range(0, len(ids), 500):
                conn.execute(
                    outbox_table.update()
                    .where(o.id.in_(ids[start : start + 500]), o.state == waiting_state)
                    .values(state=DeliveryState.PENDING.value)
                )

        if ids:
            self._run(requeue, write=True)

    def _has_notifier(self) -> bool:
        return any(
            getattr(self._pm.hook, hook).get_hookimpls()
            for hook in (
                "ticketsla_sla_warning",
                "ticketsla_sla_breached",
                "ticketsla_sla_fulfilled",
                "ticketsla_outcome_recorded",
            )
        )

    def _claim_query(self, now: datetime) -> Any:
        o = outbox_table.alias("o")
        p = outbox_table.alias("p")
        earlier = sa.select(sa.literal(1)).where(
            p.c.state == _PENDING,
            p.c.ticket_id == o.c.ticket_id,
            p.c.id < o.c.id,
            # a notification waiting for its recipient's hours holds back no other
            sa.or_(p.c.held_until.is_(None), p.c.held_until <= now),
        )
        query = (
            sa.select(o.c.id, o.c.body, o.c.attempts)
            .where(o.c.state == _PENDING, o.c.available_at <= now, ~sa.exists(earlier))
            .order_by(o.c.id)
            .limit(1)
        )
        if self._pg:
            query = query.with_for_update(skip_locked=True, of=o)
        return query

    def _deliver_one(self) -> str | None:
        """Deliver one notification: "delivered", "failed" (a hook raised), "unheard" (no plugin
        implements its hook), or None when nothing is pending."""
        now = self.now()
        failure: tuple[int, int, str] | None = None
        try:
            with self._writer(), self._db.connect() as conn:
                conn = conn.execution_options(ticketsla_write=True)
                with conn.begin() as tx:
                    row = conn.execute(self._claim_query(now)).first()
                    if row is None:
                        return None
                    notification = Notification.from_dict(json.loads(row.body))
                    hook = hook_for(notification)
                    if not has_listener(hook, self._pm):
                        conn.execute(
                            outbox_table.update()
                            .where(outbox_table.c.id == row.id)
                            .values(
                                state=DeliveryState.NO_LISTENER.value,
                                last_error=f"no installed plugin implements {hook}",
                            )
                        )
                        return "unheard"
                    try:
                        notify(notification, pm=self._pm)
                    except Exception as exc:
                        tx.rollback()
                        failure = (row.id, row.attempts, f"{type(exc).__name__}: {exc}"[:2000])
                    else:
                        conn.execute(
                            outbox_table.update()
                            .where(outbox_table.c.id == row.id)
                            .values(
                                state=DeliveryState.DONE.value,
                                delivered_at=now,
                                attempts=row.attempts + 1,
                                last_error=None,
                            )
                        )
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"database {self.url}: {_describe(exc)}", subject=self.url) from exc
        if failure is None:
            return "delivered"
        self._record_failure(*failure, now)
        return "failed"

    def _record_failure(self, row_id: int, attempts: int, error: str, now: datetime) -> None:
        tried = attempts + 1
        state = DeliveryState.FAILED if tried >= self._max_attempts else DeliveryState.PENDING
        retry_at = now + timedelta(seconds=min(2**tried, 3600))
        update = (
            outbox_table.update()
            .where(outbox_table.c.id == row_id)
            .values(state=state.value, attempts=tried, last_error=error, available_at=retry_at)
        )
        self._run(lambda conn: conn.execute(update), write=True)

    # ---- recalculation ------------------------------------------------------------------------

    def recalculate(
        self,
        policy: Policies | None = None,
        *,
        dry_run: bool = True,
        at: datetime | None = None,
        tickets: Iterable[str] | None = None,
    ) -> Recalculation:
        """Refold tickets under ``policy`` (None: the engine's own policies, e.g. after a
        calendar file changed) and report every clock whose due time or breach at ``at``
        (None: now) would change.

        With ``dry_run=True`` (the default) nothing is written. With ``dry_run=False`` the new
        clocks, the versions they were computed with and the notifications that follow (for a
        breach that no longer holds, a retraction) are written ticket batch by ticket batch, and
        the engine uses ``policy`` from then on.
        """
        book = self._book if policy is None else _PolicyBook.of(policy)
        if book.empty:
            raise ConfigurationError("recalculate: no policies to recalculate with")
        when = self.now() if at is None else require_aware(at, "at")
        when_us = to_us(when, "at")
        wanted = None if tickets is None else sorted({str(t) for t in tickets})
        changes: list[ClockChange] = []
        checked = 0
        for batch in self._ticket_batches(wanted):
            work = functools.partial(
                self._recalculate_batch,
                tickets=batch,
                book=book,
                when_us=when_us,
                dry_run=dry_run,
            )
            found = self._run(work, write=not dry_run)
            checked += found[0]
            changes.extend(found[1])
        if not dry_run:
            self._book = book
            with self._cache_lock:
                self._cache.clear()
        return Recalculation(
            dry_run=dry_run, at=when, tickets_checked=checked, changes=tuple(changes)
        )

    def _ticket_batches(self, wanted: list[str] | None) -> Iterator[list[str]]:
        """Ticket ids in batches: the ones asked for, else every stored ticket (keyset pages)."""
        if wanted is not None:
            for start in range(0, len(wanted), self._batch_size):
                yield wanted[start : start + self._batch_size]
            return
        t = tickets_table.c
        after: str | None = None
        while True:
            query = (
                sa.select(t.ticket_id)
                .where(t.events > 0)
                .order_by(t.ticket_id)
                .limit(self._batch_size)
            )
            if after is not None:
                query = query.where(t.ticket_id > after)
            rows = self._run(functools.partial(_fetch_all, query=query), write=False)
            page = [r.ticket_id for r in rows]
            if not page:
                return
            yield page
            after = page[-1]

    def _recalculate_batch(
        self,
        conn: sa.Connection,
        *,
        tickets: list[str],
        book: _PolicyBook,
        when_us: int,
        dry_run: bool,
    ) -> tuple[int, list[ClockChange]]:
        if not dry_run:
            self._lock_tickets(conn, tickets, create=False)
        c = clocks_table.c
        before: dict[tuple[str, str, int], tuple[datetime | None, bool]] = {}
        for row in conn.execute(sa.select(clocks_table).where(c.ticket_id.in_(tickets))):
            breached = row.breach_at is not None and to_us(row.breach_at) < when_us
            before[(row.ticket_id, row.metric, row.cycle)] = (row.due_at, breached)
        histories = self._load_events(conn, tickets)
        after: dict[tuple[str, str, int], tuple[datetime | None, bool]] = {}
        if dry_run:
            for ticket_id, history in histories.items():
                if not history:
                    continue
                as_of = max(e.at_us for e in history) + 1
                for state in self._fold(history, book, as_of).clocks:
                    breach = state.breach_point_us
                    after[(ticket_id, state.metric, state.cycle)] = (
                        state.due_at,
                        breach is not None and breach < when_us,
                    )
        else:
            written = self._refold(conn, histories, book, self.now(), to_us(self.now(), "now()"))
            for ticket_id, states in written.items():
                for state in states:
                    breach = state.breach_point_us
                    after[(ticket_id, state.metric, state.cycle)] = (
                        state.due_at,
                        breach is not None and breach < when_us,
                    )
        changes = []
        for key in sorted(set(before) | set(after)):
            due_before, breached_before = before.get(key, (None, False))
            due_after, breached_after = after.get(key, (None, False))
            if due_before != due_after or breached_before != breached_after:
                changes.append(
                    ClockChange(
                        ticket_id=key[0],
                        metric=key[1],
                        cycle=key[2],
                        due_before=due_before,
                        due_after=due_after,
                        breached_before=breached_before,
                        breached_after=breached_after,
                    )
                )
        return len(tickets), changes


# ---- helpers -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _StoreOutcome:
    stored: int = 0
    duplicates: int = 0
    late: int = 0
    refolded: int = 0
    errors: list[Rejection] = field(default_factory=list)
    cache: dict[str, tuple[int, list[TicketEvent]]] = field(default_factory=dict)


_OPEN_CLOCK_COLUMNS = (
    clocks_table.c.ticket_id,
    clocks_table.c.metric,
    clocks_table.c.cycle,
    clocks_table.c.status,
    clocks_table.c.due_at,
    clocks_table.c.breach_at,
    clocks_table.c.policy,
    clocks_table.c.priority,
)


def _open_clocks(rows: Iterable[Any], order: str) -> list[OpenClock]:
    clocks = [
        OpenClock(
            ticket_id=r.ticket_id,
            metric=r.metric,
            cycle=r.cycle,
            status=ClockStatus(r.status),
            due_at=r.due_at,
            breach_at=r.breach_at,
            policy=r.policy,
            priority=r.priority,
        )
        for r in rows
    ]
    # the database ordered by the instant; ties are put in a stable order here
    clocks.sort(key=lambda o: (getattr(o, order), o.ticket_id, o.metric, o.cycle))
    return clocks


def _sqlite_rows(
    table: sa.Table, names: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> list[tuple[Any, ...]]:
    """Rows as DB-API tuples for SQLite: instants (datetimes) as the UTC text of the column."""
    get = operator.itemgetter(*names)
    instants = [i for i, n in enumerate(names) if isinstance(table.c[n].type, UTCDateTime)]
    out = [(get(row),) for row in rows] if len(names) == 1 else [get(row) for row in rows]
    if not instants:
        return out
    fixed = []
    for values in out:
        items = list(values)
        for i in instants:
            value = items[i]
            if isinstance(value, datetime):
                items[i] = utc_text(value)
        fixed.append(tuple(items))
    return fixed


def _utc_datetime(us: int | None) -> datetime | None:
    return None if us is None else from_us(us, UTC)


def _pg_arrays(conn: sa.Connection, table: sa.Table, names: Sequence[str]) -> str:
    return ", ".join(
        f"CAST(%(p{i})s AS {table.c[name].type.compile(dialect=conn.dialect)}[])"
        for i, name in enumerate(names)
    )


def _pg_execute(
    conn: sa.Connection,
    sql: str,
    names: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    fetch: bool,
) -> list[Any]:
    """Run ``sql`` on the connection's psycopg connection (same transaction), one array
    parameter per column, sent in binary."""
    params = {f"p{i}": [row[name] for row in rows] for i, name in enumerate(names)}
    for values in params.values():
        for value in values:
            if isinstance(value, datetime):
                require_aware(value, "datetime column")
                break
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.execute(sql, params, binary=True)
        return list(cursor.fetchall()) if fetch else []


def _fetch_all(conn: sa.Connection, *, query: Any) -> list[Any]:
    return list(conn.execute(query))


def _clock_state(row: Any) -> ClockState:
    return clock_from_values(dict(row._mapping))


def _warning_details(state: ClockState, book: _PolicyBook) -> list[tuple[int, int]]:
    """For each warning of ``state``: the due instant when it fired, and the elapsed time then."""
    if not state.warnings_us:
        return []
    policy = None
    for candidate in book.policies.all():
        if candidate.name == state.policy:
            policy = candidate
    levels = {} if policy is None else {w.label: w for w in policy.warnings_for(state.metric)}
    calendar = book.calendars.get(state.calendar)
    out: list[tuple[int, int]] = []
    for label, when in state.warnings_us:
        level = levels.get(label)
        amount = None if level is None else level.elapsed_at(state.target_us)
        if amount is None:
            amount = state.target_us
        if state.deadline_us is not None:
            due = state.deadline_us
        elif calendar is not None:
            due = calendar.add_us(when, state.target_us - amount)
        else:
            due = when
        out.append((due, amount))
    return out


def _create_engine(url: str, busy_timeout: timedelta) -> sa.Engine:
    parsed = database_url(url)
    if parsed.get_backend_name() == "postgresql":
        require_postgresql_driver()
        return sa.create_engine(parsed, pool_pre_ping=True)
    if parsed.database in (None, "", ":memory:"):
        raise ConfigurationError(
            "SQLite needs a file (sqlite:///sla.db): an in-memory database is private to one "
            "connection, so ingestion and scanning could not share it",
            subject=url,
        )
    seconds = busy_timeout.total_seconds()
    engine = sa.create_engine(parsed, connect_args={"timeout": seconds})

    def on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    def on_begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get("ticketsla_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    sa.event.listen(engine, "connect", on_connect)
    sa.event.listen(engine, "begin", on_begin)
    return engine


def _same_file(fd: int, path: str) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def require_postgresql_driver() -> None:
    """Refuse a PostgreSQL URL, saying which extra to install, when psycopg is not installed."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise ConfigurationError(
            "PostgreSQL support needs the 'postgresql' extra: pip install 'ticketsla[postgresql]'",
            subject="postgresql",
        ) from None


def _retryable(exc: sa.exc.DBAPIError) -> bool:
    original = exc.orig
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if code in ("40001", "40P01", "55P03"):
        return True
    text = str(original).lower()
    return "database is locked" in text or "database is busy" in text


def describe_database_error(exc: BaseException) -> str:
    """A database error in one line: the driver's own message, without SQLAlchemy's link to
    its background page."""
    return _describe(exc)


def _describe(exc: BaseException) -> str:
    original = getattr(exc, "orig", None)
    text = str(original if original is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
