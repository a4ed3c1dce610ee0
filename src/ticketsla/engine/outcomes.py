"""Outcomes in the outbox: a ticket's FCR verdict and its latest CSAT rating.

An outcome is about the ticket, not a clock, so it is recorded on cycle ``OUTCOME_CYCLE``. Per
metric (``fcr``, ``csat``) at most one outcome is live; a changed verdict retracts the old one.
The first solve is ``ticketsla.outcomes.first_solve_us``, the verdict ``fcr_of``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .._instants import from_us
from ..clock import TicketSLA
from ..events import TicketEvent
from ..notifications import Notification, NotificationKind
from ..outcomes import FCRDefinition, FCRKind, fcr_of, first_solve_us
from .alerts import Announced, ClockView, Key, Reconciled, retraction_of
from .policybook import PolicyBook
from .schema import outbox_values

__all__ = [
    "CSAT",
    "FCR",
    "OUTCOME_CYCLE",
    "Outcome",
    "fcr_outcome",
    "has_live_outcome",
    "outcomes_of",
    "reconcile_outcomes",
    "wake_for_fcr",
]

OUTCOME_CYCLE = 0  # outcomes are about the ticket, not a clock cycle (clock cycles start at 1)
FCR = "fcr"
CSAT = "csat"


@dataclass(frozen=True, slots=True)
class Outcome:
    """A decided outcome of a ticket: its level (``fcr``/``not_fcr``, a sentiment) and when."""

    level: str
    at_us: int


def _fcr_window_end(ordered: Sequence[TicketEvent], definition: FCRDefinition) -> int | None:
    """When a ``no_reopen_within`` verdict is decided by time alone: the end of the window."""
    if definition.kind is not FCRKind.NO_REOPEN_WITHIN:
        return None
    solved = first_solve_us(ordered)
    return None if solved is None else solved + definition.window_us


def fcr_outcome(
    ordered: Sequence[TicketEvent],
    definition: FCRDefinition,
    t_us: int,
    announced: Mapping[Key, Announced],
) -> Outcome | None:
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
    seen = announced.get((FCR, OUTCOME_CYCLE, NotificationKind.OUTCOME.value, level))
    if seen is not None and seen.live:
        return Outcome(level, seen.at_us)
    candidates = {e.at_us for e in ordered if e.at_us <= t_us}
    window_end = _fcr_window_end(ordered, definition)
    if window_end is not None and window_end <= t_us:
        candidates.add(window_end)
    decided = t_us
    for candidate in sorted(candidates, reverse=True):
        if fcr_of(ordered, definition, candidate).achieved != achieved:
            break
        decided = candidate
    return Outcome(level, decided)


def wake_for_fcr(
    plan: Reconciled,
    views: Sequence[ClockView],
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


def outcomes_of(
    ordered: Sequence[TicketEvent],
    sla: TicketSLA,
    book: PolicyBook,
    t_us: int,
    announced: Mapping[Key, Announced],
) -> dict[str, Outcome | None]:
    """The ticket's outcomes by metric: its FCR verdict at ``t_us`` and its latest CSAT."""
    out: dict[str, Outcome | None] = {FCR: None, CSAT: None}
    definition = book.fcr(sla.policy)
    if definition is not None:
        out[FCR] = fcr_outcome(ordered, definition, t_us, announced)
    if sla.csat is not None:
        out[CSAT] = Outcome(sla.csat.sentiment.value, sla.csat.rated_at_us)
    return out


def reconcile_outcomes(
    ticket_id: str,
    outcomes: Mapping[str, Outcome | None],
    announced: dict[Key, Announced],
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
            if m != metric or cycle != OUTCOME_CYCLE or kind != outcome_kind or not item.live:
                continue
            if current is not None and current.level == level:
                continue
            retraction = retraction_of(
                ticket_id, (metric, OUTCOME_CYCLE, level), t_us, clock=None, policy=policy or None
            )
            rows.append(outbox_values(retraction, round=item.round, created_at=created_at))
            item.live = False
        if current is None:
            continue
        key = (metric, OUTCOME_CYCLE, outcome_kind, current.level)
        seen = announced.get(key)
        if seen is not None and seen.live:
            continue
        round_ = 1 if seen is None else seen.round + 1
        notification = Notification(
            ticket_id=ticket_id,
            metric=metric,
            cycle=OUTCOME_CYCLE,
            kind=NotificationKind.OUTCOME,
            level=current.level,
            at=from_us(current.at_us, UTC),
            policy=policy or None,
        )
        rows.append(outbox_values(notification, round=round_, created_at=created_at))
        announced[key] = Announced(round_, current.at_us, True)
    return rows


def has_live_outcome(announced: Mapping[Key, Announced], metric: str) -> bool:
    outcome_kind = NotificationKind.OUTCOME.value
    return any(
        item.live and m == metric and cycle == OUTCOME_CYCLE and kind == outcome_kind
        for (m, cycle, kind, _), item in announced.items()
    )
