"""Metric definitions: when an SLA clock starts, pauses, resumes, stops and what a reopen does.

A definition is plain data, so a custom metric in a policy file is as capable as a preset. A
trigger is an event kind (``"agent_reply"``) or a status reached (``"status:solved"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from .errors import PolicyError
from .events import EventKind, Status

__all__ = ["PRESETS", "PRESET_ALIASES", "MetricDefinition", "OnReopen", "parse_trigger"]


class OnReopen(StrEnum):
    """What a reopen (solved back to an open status) does to a metric stopped by the solve."""

    CONTINUE = "continue"  # the same cycle runs on, its elapsed time kept
    RESTART = "restart"  # the same cycle starts again from zero at the reopen
    NEW_CYCLE = "new_cycle"  # a new cycle starts at the reopen; the old one stays fulfilled
    IGNORE = "ignore"  # nothing happens


_DONE = frozenset({"status:solved", "status:closed"})


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricDefinition:
    """How one metric's clock behaves.

    ``start``/``stop``/``cancel`` are sets of triggers. ``many_cycles`` lets a stopped metric
    start again at its next start trigger (one cycle per wait); a trigger in both ``stop`` and
    ``start`` closes one cycle and opens the next. ``after`` names a metric whose first cycle
    must be stopped before this one may start (next response waits for the first response).
    """

    name: str
    start: frozenset[str]
    stop: frozenset[str]
    cancel: frozenset[str] = frozenset()
    pause_while: frozenset[Status] = frozenset()
    many_cycles: bool = False
    on_reopen: OnReopen = OnReopen.IGNORE
    after: str | None = None
    calendar: str | None = None
    warnings: tuple[str, ...] | None = None

    def with_overrides(self, table: Mapping[str, Any], *, where: str) -> MetricDefinition:
        """This definition with the keys of a ``[metrics.NAME]`` table applied."""
        changes: dict[str, Any] = {}
        for key, value in table.items():
            here = f"{where}.{key}"
            if key in ("start", "stop", "cancel"):
                changes[key] = frozenset(parse_trigger(t, where=here) for t in _texts(value, here))
            elif key == "pause_while":
                changes[key] = frozenset(_status(s, here) for s in _texts(value, here))
            elif key == "cycles":
                if value not in ("one", "many"):
                    raise PolicyError(f"{here}: expected 'one' or 'many', got {value!r}")
                changes["many_cycles"] = value == "many"
            elif key == "on_reopen":
                try:
                    changes[key] = OnReopen(value)
                except ValueError:
                    allowed = ", ".join(o.value for o in OnReopen)
                    raise PolicyError(f"{here}: {value!r} is not one of {allowed}") from None
            elif key == "after":
                if not isinstance(value, str):
                    raise PolicyError(f"{here}: expected a metric name, got {value!r}")
                changes[key] = value
            elif key == "calendar":
                if not isinstance(value, str):
                    raise PolicyError(f"{here}: expected a calendar name or path, got {value!r}")
                changes[key] = value
            elif key == "warnings":
                changes[key] = tuple(_texts(value, here))
            else:
                raise PolicyError(
                    f"{here}: unknown key (allowed: after, calendar, cancel, cycles, on_reopen, "
                    "pause_while, start, stop, warnings)"
                )
        defined = replace(self, **changes)
        if not defined.start or not defined.stop:
            raise PolicyError(f"{where}: a metric needs at least one start and one stop trigger")
        return defined


def parse_trigger(text: Any, *, where: str) -> str:
    """Validate a trigger: an event kind, or ``status:<status>``."""
    if isinstance(text, str):
        if text.startswith("status:"):
            _status(text[len("status:") :], where)
            return text
        if text in EventKind.__members__.values():
            return text
    kinds = ", ".join(k.value for k in EventKind)
    raise PolicyError(f"{where}: unknown trigger {text!r} (an event kind: {kinds}; or status:NAME)")


def _status(value: Any, where: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        allowed = ", ".join(s.value for s in Status)
        raise PolicyError(
            f"{where}: unknown status {value!r} (expected one of {allowed})"
        ) from None


def _texts(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where}: expected a list of texts, got {value!r}")
    return value


_FIRST_RESPONSE = MetricDefinition(
    name="first_response",
    start=frozenset({"created"}),
    stop=frozenset({"agent_reply"}) | _DONE,
)
_NEXT_RESPONSE = MetricDefinition(
    name="next_response",
    start=frozenset({"customer_message"}),
    stop=frozenset({"agent_reply"}) | _DONE,
    many_cycles=True,
    after="first_response",
)
_RESOLUTION = MetricDefinition(
    name="resolution",
    start=frozenset({"created"}),
    stop=_DONE,
    pause_while=frozenset({Status.PENDING, Status.ON_HOLD}),
    on_reopen=OnReopen.CONTINUE,
)
_UPDATE = MetricDefinition(
    name="periodic_update",
    start=frozenset({"agent_reply"}),
    stop=frozenset({"agent_reply"}),
    cancel=_DONE,
    many_cycles=True,
)

# Presets under ticketsla's names and under Zendesk's SLA metric names, with Zendesk's start,
# pause and stop rules (docs/semantics.md). Where a vendor name means exactly a ticketsla rule
# it is an alias (PRESET_ALIASES): the same definition under the vendor's name.
PRESETS: dict[str, MetricDefinition] = {
    "first_response": _FIRST_RESPONSE,
    "next_response": _NEXT_RESPONSE,
    "periodic_update": _UPDATE,  # between public replies; never pauses
    "resolution": _RESOLUTION,
    "first_reply_time": replace(_FIRST_RESPONSE, name="first_reply_time"),
    "next_reply_time": replace(_NEXT_RESPONSE, name="next_reply_time", after="first_reply_time"),
    "pausable_update": replace(
        _UPDATE, name="pausable_update", pause_while=frozenset({Status.PENDING})
    ),
    "requester_wait_time": replace(
        _RESOLUTION, name="requester_wait_time", pause_while=frozenset({Status.PENDING})
    ),
    "agent_work_time": replace(_RESOLUTION, name="agent_work_time"),
    "total_resolution_time": replace(
        _RESOLUTION, name="total_resolution_time", pause_while=frozenset()
    ),
}

# vendor preset name -> the ticketsla preset whose rules it shares exactly
PRESET_ALIASES: dict[str, str] = {
    "first_reply_time": "first_response",
    "next_reply_time": "next_response",
    "agent_work_time": "resolution",
}
