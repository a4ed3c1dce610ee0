"""What the clock fold needs to know about the metrics under one policy of a set: which trigger
moves which clock (the dispatch table), what pauses them, their calendars and warning levels.
Worked out once per (set, policy) and kept in ``PolicySet.derived``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .calendar import Calendar
from .events import EventKind
from .metrics import MetricDefinition
from .policy import PolicySet, SLAPolicy

__all__: list[str] = []


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

    __slots__ = (
        "by_trigger",
        "current",
        "first_reply",
        "levels",
        "pause_while",
        "policy",
        "targets",
    )

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
                        # a gate on a metric no policy of the set measures holds nothing back
                        after=definition.after if definition.after in current else None,
                    )
                )
        self.policy = policy
        self.current = current
        # kept as plain tuples: the fold unpacks a row per move, and CPython unpacks a plain
        # tuple in one step but a NamedTuple (a tuple subclass) through an iterator
        self.by_trigger: dict[str, tuple[tuple[Any, ...], ...]] = {
            t: tuple(tuple(move) for move in moves) for t, moves in by_trigger.items()
        }
        self.pause_while = {m: d.pause_while for m, (d, _) in current.items()}
        self.first_reply = tuple(m for m, (d, _) in current.items() if _is_first_reply(d))
        # metric -> target -> the running time below which a cycle has reached neither its
        # target nor a warning level, and the warning levels as (label, running time at which it
        # fires). Keyed metric first, so a look-up builds no key tuple; every metric of the
        # set has its table, as cycles are only ever kept for those.
        self.levels: dict[str, dict[int, tuple[int, tuple[tuple[str, int], ...]]]] = {
            metric: {} for metric in current
        }
        # metric -> priority -> the policy's target in microseconds, looked up once
        self.targets: dict[str, dict[Any, int | None]] = {metric: {} for metric in current}

    def target(self, metric: str, priority: Any) -> int | None:
        """The policy's target of ``metric`` for ``priority`` (None: no policy or no target)."""
        targets = self.targets[metric]
        if priority in targets:
            return targets[priority]
        policy = self.policy
        value = targets[priority] = None if policy is None else policy.target_us(metric, priority)
        return value

    def levels_of(self, metric: str, target: int) -> tuple[int, tuple[tuple[str, int], ...]]:
        """The least running time at which a cycle of ``metric`` under ``target`` reaches its
        target or fires a warning level, and the policy's warning levels as (label, running
        time at which it fires), in the policy's order; levels that never fire are left out.
        Worked out once per (metric, target) and kept in ``levels``."""
        known = self.levels[metric]
        found = known.get(target)
        if found is None:
            policy = self.policy
            every = policy.warnings_for(metric) if policy is not None else ()
            fired = ((level.label, level.elapsed_at(target)) for level in every)
            warnings = tuple((label, amount) for label, amount in fired if amount is not None)
            quiet = min((amount for _, amount in warnings), default=target)
            found = known[target] = (min(quiet, target), warnings)
        return found


def _plan(policies: PolicySet, policy: SLAPolicy | None) -> _Plan:
    key = ("clock-plan", None if policy is None else id(policy))
    plan: _Plan | None = policies.derived.get(key)
    if plan is None:
        plan = policies.derived[key] = _Plan(policies, policy)
    return plan


def _is_first_reply(definition: MetricDefinition) -> bool:
    """A clock from creation to the first public reply (first_response, first_reply_time)."""
    return (
        EventKind.CREATED in definition.start
        and EventKind.AGENT_REPLY in definition.stop
        and not definition.many_cycles
    )
