"""Refolding tickets: fold each from its log, write its clocks, ticket row and outbox rows.

The stored state always equals the pure ``evaluate()`` over the ticket's events: ``refold`` runs in
the transaction that stored the new events (or that recalculates), so both are written at once.

A ticket's fold resumes from its fold snapshot (``ticketsla.fold_snapshot``) when every event the
snapshot does not hold sorts after the snapshot's last one and the snapshot was taken under the
same policies, calendars and plugins (its key); otherwise the whole history is folded. The
snapshot comes from memory (the engine's ticket cache) or from the ticket row, where each refold
stores the one it takes. A ticket whose log is not in memory comes with only its events after
the snapshot (``ticketsla.engine.tails``) when the snapshot holds.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..clock import ClockState, TicketSLA
from ..errors import ClockStateError
from ..events import TicketEvent, order_events
from ..fold_snapshot import SNAPSHOT_LAG, FoldSnapshot, fold_with_snapshot
from ..notifications import NotificationKind
from ..outcomes import FCRKind
from . import escalation as escalating
from .alerts import Announced, Key, reconcile, view_of, warning_details
from .backend import chunks
from .context import EngineContext
from .outcomes import (
    CSAT,
    FCR,
    OUTCOME_CYCLE,
    Outcome,
    outcomes_of,
    reconcile_outcomes,
    wake_for_fcr,
)
from .policybook import LIBRARY_VERSION, PolicyBook
from .schema import clock_values, clocks_table, outbox_table, tickets_table
from .settled import Hidden, Stored, hidden_of, shown_rows, stored_marks
from .tails import Tail
from .tickets import announced as load_announced
from .tickets import load_events

__all__ = ["OUTBOX_KEY", "fold_ticket", "refold", "snapshot_holds"]

OUTBOX_KEY = ("ticket_id", "metric", "cycle", "kind", "level", "round")


@dataclass(slots=True)
class _Writes:
    """Everything one refold writes, gathered over its tickets."""

    clocks: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    kept_snapshot: list[dict[str, Any]] = field(default_factory=list)  # ticket rows, same snapshot
    cancelled: list[int] = field(default_factory=list)
    states: dict[str, tuple[ClockState, ...]] = field(default_factory=dict)
    hidden: dict[str, Hidden] = field(default_factory=dict)  # tickets whose settled rows stay


def refold(
    ctx: EngineContext,
    conn: sa.Connection,
    histories: Mapping[str, list[TicketEvent]],
    book: PolicyBook,
    now: datetime,
    now_us: int,
    snapshots: dict[str, FoldSnapshot | None] | None = None,
    tails: Mapping[str, Tail] | None = None,
    prefolded: Mapping[str, tuple[TicketSLA, FoldSnapshot | None]] | None = None,
    *,
    keep_settled: bool = True,
) -> dict[str, tuple[ClockState, ...]]:
    """Fold each ticket (from its snapshot when one holds) and write its clocks, ticket row and
    the notifications that follow; returns the clocks written, by ticket. The snapshots taken
    go into ``snapshots``, for the caller to keep in memory once the transaction commits.

    A ticket in ``tails`` comes with only its events after its fold snapshot; it is folded from
    there, and its whole log is read only when its FCR verdict needs the events before. A ticket
    in ``prefolded`` comes with the fold of exactly its ``histories`` entry, made earlier (used
    unless its settled cycles are to be left alone, which a fold of its own does).

    With ``keep_settled``, a ticket refolded from its snapshot leaves its settled cycles alone
    (``ticketsla.engine.settled``): they are neither re-planned nor rewritten, nor returned."""
    tails = tails or {}
    tickets = sorted({*histories, *tails})
    key = ctx.snapshot_key(book)
    ordered = {t: order_events(h) for t, h in histories.items() if h}
    resume = _resumable(ctx, conn, ordered, key)
    marks: dict[str, Stored] = {}
    hidden = _hidden(conn, ordered, resume, tails, key, now_us, marks) if keep_settled else {}
    run = _Refold(
        ctx=ctx,
        conn=conn,
        book=book,
        key=key,
        now=now,
        now_us=now_us,
        histories=histories,
        ordered=ordered,
        resume=resume,
        tails=tails,
        prefolded=prefolded or {},
        announced=load_announced(conn, tickets, hidden),
        escalations=escalating.load_announced(conn, tickets, hidden) if ctx.escalates else None,
    )
    for ticket_id in tickets:
        taken = run.ticket(ticket_id, hidden.get(ticket_id), marks.get(ticket_id))
        if taken is _RETRY:  # its policy or priority changed: every row shows it
            run.announced[ticket_id] = load_announced(conn, [ticket_id]).get(ticket_id, {})
            if run.escalations is not None:
                found = escalating.load_announced(conn, [ticket_id]).get(ticket_id)
                run.escalations[ticket_id] = found or escalating.Announced()
            taken = run.ticket(ticket_id, None, None)
        if snapshots is not None and not isinstance(taken, _Skipped):
            snapshots[ticket_id] = taken
    _write(ctx, conn, tickets, run.writes)
    return run.writes.states


class _Skipped:
    """What a ticket's refold answers when it took no snapshot to keep (``_NONE``), or when
    the ticket must be refolded with its settled cycles after all (``_RETRY``)."""


_NONE = _Skipped()
_RETRY = _Skipped()


class _Whole:
    """What a refold from the log's tail answers when the ticket's whole log is needed."""


_WHOLE = _Whole()

_Taken = FoldSnapshot | _Skipped | None  # what one ticket's refold answers


@dataclass(slots=True, kw_only=True)
class _Refold:
    """One ``refold`` call: what it was given and worked out once, and the rows it gathers
    ticket by ticket (``writes``)."""

    ctx: EngineContext
    conn: sa.Connection
    book: PolicyBook
    key: str  # the fold snapshot key of the policies, calendars and plugins in force
    now: datetime
    now_us: int
    histories: Mapping[str, list[TicketEvent]]
    ordered: dict[str, list[TicketEvent]]  # the histories in history order
    resume: Mapping[str, FoldSnapshot]  # the snapshot each history resumes from
    tails: Mapping[str, Tail]
    prefolded: Mapping[str, tuple[TicketSLA, FoldSnapshot | None]]
    announced: dict[str, dict[Key, Announced]]
    escalations: dict[str, escalating.Announced] | None
    writes: _Writes = field(default_factory=_Writes)

    def ticket(self, ticket_id: str, hide: Hidden | None, mark: Stored | None) -> _Taken:
        """Refold one ticket, from its log's tail when it came with one, and gather what it
        writes; the snapshot taken."""
        self.announced.setdefault(ticket_id, {})
        tail = self.tails.get(ticket_id)
        if tail is not None:
            resumed = self.from_tail(ticket_id, tail, hide, mark)
            if not isinstance(resumed, _Whole):
                return resumed
            history = load_events(self.conn, [ticket_id])[ticket_id]
            self.ordered[ticket_id] = order_events(history)
            snapshot: FoldSnapshot | None = tail.snapshot
        else:
            history = self.histories[ticket_id]
            snapshot = self.resume.get(ticket_id)
        if not history:
            return _NONE
        return self.from_history(ticket_id, len(history), snapshot, hide, mark)

    def from_history(
        self,
        ticket_id: str,
        count: int,
        snapshot: FoldSnapshot | None,
        hide: Hidden | None,
        mark: Stored | None,
    ) -> _Taken:
        """Fold one ticket's history (``count`` events) just after its last event, or take
        the fold made earlier unless settled cycles are to be hidden; gather what it writes.
        ``_RETRY``, nothing gathered, when it was to hide settled cycles but cannot."""
        ordered = self.ordered[ticket_id]
        as_of = ordered[-1].at_us + 1  # just after the last event: every event applies
        folded = self.prefolded.get(ticket_id)
        if folded is not None and not hide:
            sla, taken = folded
            hid = False
        else:
            sla, taken, hid = fold_ticket(
                self.ctx, ordered, snapshot, self.key, self.book, as_of, hide
            )
        if hide and (not hid or not _shows_alike(sla, mark)):
            return _RETRY  # folded whole after all (its outbox was read in part), or shown anew
        announced = self.announced[ticket_id]
        outcomes = _outcomes_from_fold(sla, self.book, announced)
        if outcomes is None:  # the verdict's instant is looked for in the history
            outcomes = outcomes_of(ordered, sla, self.book, max(self.now_us, as_of), announced)
        first_us = ordered[0].at_us
        return self.finish(
            ticket_id, sla, outcomes, ordered, count, first_us, hide, taken, snapshot
        )

    def from_tail(
        self, ticket_id: str, tail: Tail, hide: Hidden | None, mark: Stored | None
    ) -> _Taken | _Whole:
        """Fold one ticket from its snapshot over ``tail.events`` and gather what it writes;
        ``_WHOLE`` (nothing gathered) when the FCR verdict needs the events before the
        snapshot."""
        ordered = tail.events
        try:
            sla, taken = fold_with_snapshot(
                ordered,
                self.book.policies,
                ordered[-1].at_us + 1,
                key=self.key,
                snapshot=tail.snapshot,
                chooser=self.ctx.chooser,
                response_rule=self.ctx.response_rule,
                hide=hide,
            )
        except ClockStateError:
            return _WHOLE  # a policy it names is gone, or its state is unreadable
        if hide and not _shows_alike(sla, mark):
            return _RETRY
        outcomes = _outcomes_from_fold(sla, self.book, self.announced[ticket_id])
        if outcomes is None:
            return _WHOLE
        count, first_us, given = tail.count, tail.first_us, tail.snapshot
        return self.finish(ticket_id, sla, outcomes, ordered, count, first_us, hide, taken, given)

    def finish(
        self,
        ticket_id: str,
        sla: TicketSLA,
        outcomes: dict[str, Outcome | None],
        ordered: Sequence[TicketEvent],
        count: int,
        first_us: int,
        hide: Hidden | None,
        taken: FoldSnapshot | None,
        given: FoldSnapshot | None,
    ) -> FoldSnapshot | None:
        """Gather what one folded ticket writes (its notifications, clock rows, ticket row and
        the snapshot taken) and answer that snapshot. ``ordered`` are the events folded, the
        last ones of the ticket's ``count``, the first of which happened at ``first_us``."""
        if hide:
            self.writes.hidden[ticket_id] = hide
        details = [warning_details(state, self.book) for state in sla.clocks]
        next_alert = self.notify(ticket_id, sla, outcomes, ordered, details)
        self.rows(ticket_id, count, first_us, ordered[-1].at_us, sla, details, next_alert)
        _store_snapshot(self.writes, taken, given)
        return taken

    def notify(
        self,
        ticket_id: str,
        sla: TicketSLA,
        outcomes: dict[str, Outcome | None],
        ordered: Sequence[TicketEvent],
        details: Sequence[Sequence[tuple[int, int]]],
    ) -> dict[tuple[str, int], int | None]:
        """Put into the outbox what one folded ticket's clocks and outcomes announce or
        retract; answer the instant each clock is next to be looked at by the scanner."""
        ctx, book, now, writes = self.ctx, self.book, self.now, self.writes
        announced = self.announced[ticket_id]
        views = [view_of(state, d) for state, d in zip(sla.clocks, details, strict=True)]
        t_us = max(self.now_us, ordered[-1].at_us + 1)
        plan = reconcile(ticket_id, views, announced, t_us, now, full=True)
        writes.outbox.extend(plan.rows)
        if self.escalations is not None:
            clocks = [escalating.clock_of_state(state) for state in sla.clocks]
            escalated = ctx.escalate(ticket_id, clocks, self.escalations, t_us, now, full=True)
            writes.outbox.extend(escalated.rows)
            writes.cancelled.extend(escalated.cancel)
            escalating.merge_next(plan.next_alert, escalated.next_alert)
        writes.outbox.extend(
            reconcile_outcomes(ticket_id, outcomes, announced, t_us, now, sla.policy)
        )
        if outcomes[FCR] is None and views:
            # only a reopen window needs the history here, and a tail never gets this far
            wake_for_fcr(plan, views, ordered, book.fcr(sla.policy), t_us)
        return plan.next_alert

    def rows(
        self,
        ticket_id: str,
        count: int,
        first_us: int,
        last: int,
        sla: TicketSLA,
        details: Sequence[Sequence[tuple[int, int]]],
        next_alert: Mapping[tuple[str, int], int | None],
    ) -> None:
        """The clock rows and the ticket row of one refolded ticket."""
        book, writes = self.book, self.writes
        instant = self.ctx.backend.instant
        for state, warned in zip(sla.clocks, details, strict=True):
            writes.clocks.append(
                clock_values(
                    state,
                    policy_version=book.policy_versions.get(state.policy, ""),
                    calendar_version=book.calendar_versions.get(state.calendar, ""),
                    library_version=LIBRARY_VERSION,
                    next_alert_us=next_alert[(state.metric, state.cycle)],
                    warning_details=warned,
                    instant=instant,
                )
            )
        writes.states[ticket_id] = sla.clocks
        writes.tickets.append(
            {
                "ticket_id": ticket_id,
                "events": count,
                "first_event_at": instant(first_us),
                "last_event_at": instant(last),
                "as_of": instant(last + 1),
                "policy": sla.policy,
                "priority": None if sla.priority is None else str(sla.priority),
                "status": None if sla.status is None else str(sla.status),
                "policy_version": book.policy_versions.get(sla.policy or "", None),
                "library_version": LIBRARY_VERSION,
                "updated_at": self.now,
            }
        )


def _hidden(
    conn: sa.Connection,
    ordered: Mapping[str, list[TicketEvent]],
    resume: Mapping[str, FoldSnapshot],
    tails: Mapping[str, Tail],
    key: str,
    now_us: int,
    marks: dict[str, Stored],
) -> dict[str, Hidden]:
    """The settled cycles each ticket resuming from a snapshot may leave alone; ``marks``
    gets what their stored rows were written under."""
    resuming: dict[str, tuple[FoldSnapshot, int]] = {}
    for ticket_id, snapshot in resume.items():
        resuming[ticket_id] = (snapshot, ordered[ticket_id][-1].at_us)
    for ticket_id, tail in tails.items():
        if tail.events:
            resuming[ticket_id] = (tail.snapshot, tail.events[-1].at_us)
    if not resuming:
        return {}
    marks.update(stored_marks(conn, sorted(resuming)))
    found: dict[str, Hidden] = {}
    for ticket_id, (snapshot, last_us) in resuming.items():
        t_us = max(now_us, last_us + 1)
        hide = hidden_of(snapshot, marks.get(ticket_id), key, t_us)
        if hide:
            found[ticket_id] = hide
    return found


def _write(ctx: EngineContext, conn: sa.Connection, tickets: list[str], writes: _Writes) -> None:
    """Replace the tickets' clock rows (all but the settled ones left alone) and record what
    the refold gathered, in bulk."""
    backend = ctx.backend
    c = clocks_table.c
    for part in chunks([t for t in tickets if t not in writes.hidden]):
        conn.execute(clocks_table.delete().where(c.ticket_id.in_(part)))
    for shown in shown_rows(clocks_table, writes.hidden):
        conn.execute(clocks_table.delete().where(shown))
    backend.insert_rows(conn, clocks_table, writes.clocks)
    backend.insert_rows(conn, outbox_table, writes.outbox, conflict=OUTBOX_KEY)
    escalating.cancel(conn, writes.cancelled)
    backend.update_rows(conn, tickets_table, ("ticket_id",), writes.tickets)
    backend.update_rows(conn, tickets_table, ("ticket_id",), writes.kept_snapshot)


def _resumable(
    ctx: EngineContext, conn: sa.Connection, ordered: Mapping[str, list[TicketEvent]], key: str
) -> dict[str, FoldSnapshot]:
    """The snapshot each ticket can resume from: the one in memory, else the stored one."""
    found: dict[str, FoldSnapshot] = {}
    unread: list[str] = []
    for ticket_id, events in ordered.items():
        kept = ctx.cache.snapshot(ticket_id)
        if kept is not None and snapshot_holds(kept, events, key):
            found[ticket_id] = kept
        elif len(events) > SNAPSHOT_LAG:
            unread.append(ticket_id)
    t = tickets_table.c
    for part in chunks(sorted(unread)):
        query = sa.select(t.ticket_id, t.fold_snapshot).where(
            t.ticket_id.in_(part), t.fold_snapshot.is_not(None)
        )
        for row in conn.execute(query):
            try:
                stored = FoldSnapshot.from_json(row.fold_snapshot)
            except ClockStateError:
                continue  # damaged: fold the whole history, which stores a new one
            if snapshot_holds(stored, ordered[row.ticket_id], key):
                found[row.ticket_id] = stored
    return found


def snapshot_holds(snapshot: FoldSnapshot, ordered: Sequence[TicketEvent], key: str) -> bool:
    """Whether ``snapshot`` holds exactly the events of ``ordered`` up to its last one (so the
    rest all sort after it), under ``key``. Stored events are never removed, so the count of
    events up to its last one is enough: a late event before it makes that count larger."""
    if snapshot.key != key:
        return False
    return bisect.bisect_right(ordered, snapshot.last, key=_order) == snapshot.count


def _order(event: TicketEvent) -> tuple[int, int, int, str, str]:
    return event.order


def _shows_alike(sla: TicketSLA, mark: Stored | None) -> bool:
    """Whether the ticket keeps the policy and priority its stored rows show: a settled
    cycle's row is only left alone then."""
    if mark is None:
        return False
    priority = None if sla.priority is None else str(sla.priority)
    return (sla.policy, priority) == (mark.policy, mark.priority)


def _store_snapshot(
    writes: _Writes, taken: FoldSnapshot | None, given: FoldSnapshot | None
) -> None:
    """Put the snapshot taken into the ticket row just gathered, unless it is the one given."""
    row = writes.tickets[-1]
    if taken is not None and taken is given:
        writes.kept_snapshot.append(writes.tickets.pop())  # stored already: not written again
    else:
        row["fold_snapshot"] = None if taken is None else taken.to_json()


def _outcomes_from_fold(
    sla: TicketSLA, book: PolicyBook, announced: Mapping[Key, Announced]
) -> dict[str, Outcome | None] | None:
    """The outcomes ``outcomes_of`` gives, read from the fold alone where they can be: the FCR
    verdict of a one-touch or no-follow-up definition does not depend on the instant once every
    event applies, so the fold's own verdict is it; a verdict already live in the outbox keeps
    its instant. None when the verdict's instant must be looked for in the whole history, or
    the definition has a reopen window (decided by time from the first solve)."""
    out: dict[str, Outcome | None] = {FCR: None, CSAT: None}
    definition = book.fcr(sla.policy)
    if definition is not None:
        if definition.kind is FCRKind.NO_REOPEN_WITHIN or sla.fcr is None:
            return None
        achieved = sla.fcr.achieved
        if achieved is not None:
            level = "fcr" if achieved else "not_fcr"
            seen = announced.get((FCR, OUTCOME_CYCLE, NotificationKind.OUTCOME.value, level))
            if seen is None or not seen.live:
                return None
            out[FCR] = Outcome(level, seen.at_us)
    if sla.csat is not None:
        out[CSAT] = Outcome(sla.csat.sentiment.value, sla.csat.rated_at_us)
    return out


def fold_ticket(
    ctx: EngineContext,
    ordered: list[TicketEvent],
    snapshot: FoldSnapshot | None,
    key: str,
    book: PolicyBook,
    as_of: int,
    hide: Hidden | None = None,
) -> tuple[TicketSLA, FoldSnapshot | None, bool]:
    """The ticket's state at ``as_of``, resumed from ``snapshot`` when it holds, the next
    snapshot, and whether the cycles ``hide`` names were left out (resumed from it)."""
    if snapshot is not None:
        try:
            sla, taken = fold_with_snapshot(
                ordered[snapshot.count :],
                book.policies,
                as_of,
                key=key,
                snapshot=snapshot,
                chooser=ctx.chooser,
                response_rule=ctx.response_rule,
                hide=hide,
            )
            return sla, taken, bool(hide)
        except ClockStateError:
            pass  # a policy it names is gone, or its state is unreadable: fold from the start
    sla, taken = fold_with_snapshot(
        ordered,
        book.policies,
        as_of,
        key=key,
        chooser=ctx.chooser,
        response_rule=ctx.response_rule,
    )
    return sla, taken, False
