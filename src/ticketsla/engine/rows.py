"""Rows as plain column values, for the engine's bulk writes that skip the ORM, and back.

``event_values``, ``clock_values`` and ``outbox_values`` give the columns of one row of
``ticketsla_events``, ``ticketsla_clocks`` and ``ticketsla_outbox``; ``event_from_body`` and
``clock_from_values`` read the domain values back.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from .._instants import to_us
from ..clock import ClockState, ClockStatus
from ..event_rules import stored_events
from ..events import Priority, TicketEvent
from ..notifications import Notification
from .instants import Instant, utc_datetime

__all__ = [
    "DeliveryState",
    "clock_from_values",
    "clock_values",
    "event_from_body",
    "event_values",
    "outbox_values",
]


class DeliveryState(StrEnum):
    PENDING = "pending"  # recorded, not yet handed to the hooks successfully
    DONE = "done"  # every hook returned; marked in the transaction that held the row
    FAILED = "failed"  # a hook kept raising; given up after the engine's max_attempts
    NO_LISTENER = "no_listener"  # no installed plugin implements its hook; a drain that finds
    # one again (a notifier installed since) puts it back to pending
    CANCELLED = "cancelled"  # an escalation retracted before it went out: it never will


_OPEN = (ClockStatus.RUNNING.value, ClockStatus.PAUSED.value)


def _us(value: datetime | None) -> int | None:
    return None if value is None else to_us(value, "datetime column")


def event_values(event: TicketEvent, *, stored_at: datetime) -> dict[str, Any]:
    """The column values of an event row (for bulk inserts that skip the ORM)."""
    return {
        "ticket_id": event.ticket_id,
        "source": event.source,
        "event_id": event.event_id,
        "at": event.at,
        "kind": str(event.kind),
        "body": json.dumps(event.to_dict(), sort_keys=True, ensure_ascii=False),
        "stored_at": stored_at,
    }


def event_from_body(body: str) -> TicketEvent:
    # stored events were inside the plausible window when they came; a narrower window since
    # must not make them unreadable
    with stored_events():
        return TicketEvent.from_dict(json.loads(body))


def clock_values(
    state: ClockState,
    *,
    policy_version: str,
    calendar_version: str,
    library_version: str,
    next_alert_us: int | None = None,
    warning_details: Sequence[tuple[int, int]] | None = None,
    instant: Callable[[int | None], Instant] = utc_datetime,
) -> dict[str, Any]:
    """The column values of a clock row (for bulk writes that skip the ORM).

    ``instant`` turns an epoch-microsecond instant into the column value: an aware datetime by
    default, ``utc_text_us`` for the SQLite fast path.

    ``warning_details`` gives, for each of ``state.warnings_us`` in order, the instant the clock
    was due when the warning fired and the business time elapsed then; they are kept beside the
    warning so the scanner can notify without refolding.
    """
    running = state.status is ClockStatus.RUNNING
    breach = state.breach_point_us
    warnings: list[list[Any]] = []
    for index, (level, us) in enumerate(state.warnings_us):
        item: list[Any] = [level, us]
        if warning_details is not None:
            item.extend(warning_details[index])
        warnings.append(item)
    return {
        "ticket_id": state.ticket_id,
        "metric": state.metric,
        "cycle": state.cycle,
        "status": str(state.status),
        "policy": state.policy,
        "calendar": state.calendar,
        "priority": None if state.priority is None else str(state.priority),
        "target_us": state.target_us,
        "elapsed_us": state.elapsed_us,
        "started_at": instant(state.started_us),
        "stopped_at": instant(state.stopped_us),
        "deadline_at": instant(state.deadline_us),
        "due_at": instant(state.deadline_us) if running else None,
        "breached_at": instant(state.breached_us),
        "breach_at": instant(breach),
        "open_breach_at": instant(breach) if str(state.status) in _OPEN else None,
        "next_alert_at": instant(next_alert_us),
        "ever_breached": state.ever_breached,
        "warnings": json.dumps(warnings) if warnings else "[]",  # most cycles have none
        "escalations": (
            json.dumps([list(item) for item in state.escalations_us])
            if state.escalations_us
            else "[]"
        ),
        "as_of": instant(state.at_us),
        "policy_version": policy_version,
        "calendar_version": calendar_version,
        "library_version": library_version,
    }


def clock_from_values(values: dict[str, Any]) -> ClockState:
    """The ``ClockState`` a clock row holds (as of the row's ``as_of``; give the ticket row's
    ``as_of`` instead to read a settled row as of the ticket's other clocks)."""
    priority = values["priority"]
    return ClockState(
        ticket_id=values["ticket_id"],
        metric=values["metric"],
        cycle=values["cycle"],
        status=ClockStatus(values["status"]),
        policy=values["policy"],
        calendar=values["calendar"],
        priority=None if priority is None else Priority(priority),
        target_us=values["target_us"],
        elapsed_us=values["elapsed_us"],
        started_us=cast(int, _us(values["started_at"])),
        stopped_us=_us(values["stopped_at"]),
        deadline_us=_us(values["deadline_at"]),
        breached_us=_us(values["breached_at"]),
        breach_point_us=_us(values["breach_at"]),
        warnings_us=tuple((str(item[0]), int(item[1])) for item in json.loads(values["warnings"])),
        escalations_us=tuple(
            (str(item[0]), int(item[1])) for item in json.loads(values.get("escalations") or "[]")
        ),
        at_us=cast(int, _us(values["as_of"])),
        ever_breached=bool(values["ever_breached"]),
    )


def outbox_values(
    notification: Notification, *, round: int, created_at: datetime
) -> dict[str, Any]:
    """The column values of an outbox row (for bulk inserts that skip the ORM)."""
    return {
        "ticket_id": notification.ticket_id,
        "metric": notification.metric,
        "cycle": notification.cycle,
        "kind": str(notification.kind),
        "level": notification.level,
        "round": round,
        "at": notification.at,
        "body": json.dumps(
            dataclasses.replace(notification, round=round).to_dict(),
            sort_keys=True,
            ensure_ascii=False,
        ),
        "state": DeliveryState.PENDING.value,
        "created_at": created_at,
        "delivered_at": None,
        "attempts": 0,
        "available_at": created_at,
        "last_error": None,
        "held_until": None,
    }
