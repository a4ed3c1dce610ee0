"""The terms of a contract, as a policy file writes them: SLO goals, service-credit tiers, the cap,
clawback, escalation levels (docs/contracts.md)::

    [slo]
    period = "month"                 # or "week": the period a verdict is given for
    min_tickets = 20                 # fewer measured: the goal is not assessed that period
    credit_cap = "25%"               # credits of one period never exceed this share of its fee
    first_response = "95%"           # share of clocks that met their target
    resolution = { goal = "90%", priority = ["urgent", "high"] }
    fcr = "70%"
    csat = "90%"

    [[credits]]                      # a tier: attainment below `below` earns `credit` of the fee
    goal = "first_response"
    below = "95%"
    credit = "5%"

    [clawback]                       # credits earned back after a good run
    after = 3
    level = "97%"
    share = "100%"

    [[escalation]]
    when = "breach"                  # "75%" of the target used, "breach", "2h after breach"
    notify = ["support-lead"]

Plain data, part of the pure core (a policy carries its contract). Shares are exact
``Fraction`` values; nothing here reads a clock. The arithmetic on them (verdicts, credits) is
in ``ticketsla.reporting.statements``, the fee tables in ``ticketsla.reporting.fees``; the
public path ``ticketsla.contract`` gathers all three.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise
from typing import Any

from ._instants import duration_us
from .durations import format_duration, parse_duration
from .errors import ConfigurationError, PolicyError
from .events import Priority
from .outcomes import OUTCOME_MEASURES

__all__ = [
    "Clawback",
    "Contract",
    "CreditTier",
    "EscalationLevel",
    "OUTCOME_GOALS",
    "SLOGoal",
    "SLOPeriod",
    "VerdictStatus",
    "format_share",
    "parse_share",
    "ticket_order",
]

OUTCOME_GOALS = OUTCOME_MEASURES
_SLO_SETTINGS = frozenset({"period", "min_tickets", "credit_cap"})
_GOAL_KEYS = frozenset({"goal", "priority", "min_tickets"})
_TIER_KEYS = frozenset({"goal", "below", "credit"})
_CLAWBACK_KEYS = frozenset({"after", "level", "share"})
_ESCALATION_KEYS = frozenset({"when", "notify", "metrics", "action", "name", "priority", "urgent"})
# Names the outbox already uses for levels of its own: an escalation level may not take them.
_RESERVED_LEVEL_NAMES = frozenset({"breach", "met", "missed"})
_LEVEL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
_PERCENT = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,4})?)\s*%\s*$")
CENT = Decimal("0.01")
_DIGITS = re.compile(r"(\d+)")


class SLOPeriod(StrEnum):
    """The stretch of time a verdict is given for."""

    MONTH = "month"
    WEEK = "week"


class VerdictStatus(StrEnum):
    MET = "met"
    MISSED = "missed"
    NOT_ASSESSED = "not_assessed"  # fewer measured than the goal's minimum


def parse_share(value: Any, *, where: str, allow_zero: bool = False) -> Fraction:
    """``"95%"`` or ``"99.5%"`` as an exact fraction of one; refuse anything else."""
    match = _PERCENT.match(value) if isinstance(value, str) else None
    if match is None:
        raise PolicyError(f"{where}: expected a percentage such as '95%', got {value!r}")
    share = Fraction(match.group(1)) / 100
    if share > 1 or (share == 0 and not allow_zero):
        low = "0%" if allow_zero else "above 0%"
        raise PolicyError(f"{where}: {value!r} must lie {low} and at most 100%")
    return share


def ticket_order(ticket_id: str) -> tuple[Any, ...]:
    """A sort key that puts ``T2`` before ``T10``: digit runs compare as numbers."""
    parts = _DIGITS.split(ticket_id)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


def format_share(share: Fraction | None, *, places: int = 2) -> str:
    """A share of one as a percentage text: ``Fraction(19, 20)`` is ``"95%"``, 2/3 ``"66.67%"``."""
    if share is None:
        return "-"
    scaled = Decimal(share.numerator) * 100 / Decimal(share.denominator)
    text = f"{scaled.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


# ---- the contract, as written in the policy file ------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SLOGoal:
    """A share of a metric's measurements that must meet, per period.

    ``metric`` is a clock metric of the policy (``first_response``...), ``fcr`` (share of decided
    tickets resolved at first contact) or ``csat`` (share of ratings that are positive).
    ``priorities`` empty means every priority.
    """

    metric: str
    goal: Fraction
    priorities: frozenset[Priority] = frozenset()
    min_tickets: int = 1

    def applies_to(self, priority: str | None) -> bool:
        """Whether a measurement of a ticket at ``priority`` counts toward this goal."""
        return not self.priorities or (priority is not None and priority in self.priorities)

    @property
    def scope(self) -> str:
        """The priorities the goal covers, in words."""
        if not self.priorities:
            return "all priorities"
        return ", ".join(p.value for p in Priority if p in self.priorities)

    def describe(self) -> str:
        """One sentence for people: what must hold each period."""
        share = format_share(self.goal)
        scope = "" if not self.priorities else f" ({self.scope} tickets)"
        if self.metric == "fcr":
            return f"at least {share} of solved tickets resolved at first contact{scope}"
        if self.metric == "csat":
            return f"at least {share} of satisfaction ratings positive{scope}"
        return f"at least {share} of {self.metric} targets met{scope}"


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditTier:
    """Attainment of ``goal`` below ``below`` earns ``credit`` (a share of the period's fee)."""

    goal: str
    below: Fraction
    credit: Fraction

    def describe(self) -> str:
        return (
            f"{self.goal} below {format_share(self.below)}: "
            f"{format_share(self.credit)} of the period's fee"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Clawback:
    """Credits earned back: after ``after`` consecutive good periods following a credited one,
    ``share`` of that period's (capped) credit is taken back. A period is good when every goal
    assessed in it reaches ``level`` (its own goal when ``level`` is None) and at least one was
    assessed."""

    after: int
    level: Fraction | None = None
    share: Fraction = Fraction(1)

    def describe(self) -> str:
        level = (
            "every goal is met"
            if self.level is None
            else f"every goal reaches {format_share(self.level)}"
        )
        return (
            f"after {self.after} consecutive periods in which {level}, "
            f"{format_share(self.share)} of the credit of the period before them is earned back"
        )


class EscalationTrigger(StrEnum):
    SHARE = "share"  # a share of the target used
    BREACH = "breach"
    BEFORE_BREACH = "before_breach"
    AFTER_BREACH = "after_breach"


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationLevel:
    """One escalation step: when it fires, whom it notifies and what is done.

    ``name`` (default ``level-N``) is the ``level`` of the notifications it sends; ``business``
    says whether an ``after breach`` lag is business time (``"1h business after breach"``) or
    wall-clock time (``"1h after breach"``); a lead before the breach is always business time.
    ``priorities`` restricts the level to tickets of those priorities (empty: every priority);
    ``urgent`` sends it at once even when a recipient's calendar is closed.
    """

    level: int
    when: str
    trigger: EscalationTrigger
    share: Fraction | None = None
    offset_us: int = 0
    metrics: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    action: str = ""
    name: str = ""
    business: bool = True
    priorities: tuple[Priority, ...] = ()
    urgent: bool = False

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", f"level-{self.level}")

    @property
    def before_breach(self) -> bool:
        """Whether the level fires while the target can still be met (a share or a lead)."""
        return self.trigger in (EscalationTrigger.SHARE, EscalationTrigger.BEFORE_BREACH)

    def describe_when(self) -> str:
        if self.trigger is EscalationTrigger.SHARE:
            return f"when {format_share(self.share)} of the target has been used"
        if self.trigger is EscalationTrigger.BREACH:
            return "when the target is breached"
        offset = format_duration(_td(self.offset_us))
        if self.trigger is EscalationTrigger.BEFORE_BREACH:
            return f"{offset} of business time before the target is breached"
        if self.business:
            return f"{offset} of business time after the target was breached"
        return f"{offset} of wall-clock time after the target was breached"

    def describe_scope(self) -> str:
        """Which clocks the level is for, in words."""
        metrics = ", ".join(self.metrics) or "every metric"
        if not self.priorities:
            return metrics
        return f"{metrics}; priority {', '.join(p.value for p in self.priorities)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Contract:
    """What a policy promises beyond its targets. Empty (no goals) when the file has no [slo]."""

    goals: tuple[SLOGoal, ...] = ()
    period: SLOPeriod = SLOPeriod.MONTH
    credits: tuple[CreditTier, ...] = ()
    credit_cap: Fraction | None = None
    clawback: Clawback | None = None
    escalation: tuple[EscalationLevel, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.goals or self.escalation)

    def goal(self, metric: str) -> SLOGoal | None:
        for goal in self.goals:
            if goal.metric == metric:
                return goal
        return None

    def tiers(self, metric: str) -> tuple[CreditTier, ...]:
        """The credit tiers of one goal, the shallowest miss first."""
        return tuple(sorted((t for t in self.credits if t.goal == metric), key=lambda t: -t.below))

    @classmethod
    def from_mapping(
        cls,
        data: Mapping[str, Any],
        *,
        metrics: Iterable[str],
        where: Callable[[str], str] = lambda key: key,
    ) -> Contract:
        """Read ``slo``, ``credits``, ``clawback`` and ``escalation`` from a policy's mapping.

        ``metrics`` are the policy's clock metrics (a goal may name one of them, fcr or csat).
        """
        return _parse_contract(data, tuple(metrics), where)


def _parse_contract(
    data: Mapping[str, Any], metrics: tuple[str, ...], where: Callable[[str], str]
) -> Contract:
    slo = data.get("slo", {})
    if not isinstance(slo, Mapping):
        raise PolicyError(f"{where('slo')}: expected a table, got {slo!r}")
    period_text = slo.get("period", SLOPeriod.MONTH.value)
    try:
        period = SLOPeriod(period_text)
    except ValueError:
        raise PolicyError(
            f"{where('slo.period')}: {period_text!r} is not one of month, week"
        ) from None
    default_min = _positive_int(slo.get("min_tickets", 1), where("slo.min_tickets"))
    cap = None
    if "credit_cap" in slo:
        cap = parse_share(slo["credit_cap"], where=where("slo.credit_cap"))
    goals = _parse_goals(slo, metrics, where, default_min)
    raw_credits = data.get("credits", [])
    if not isinstance(raw_credits, list):
        raise PolicyError(f"{where('credits')}: expected [[credits]] rows, got {raw_credits!r}")
    by_metric = {g.metric: g for g in goals}
    tiers = [
        _parse_tier(row, where(f"credits[{i}]"), by_metric) for i, row in enumerate(raw_credits)
    ]
    _check_tiers(tiers, where("credits"))
    if cap is not None and not tiers:
        raise PolicyError(f"{where('slo.credit_cap')}: a cap needs [[credits]] rows to cap")
    clawback = None
    if "clawback" in data:
        if not tiers:
            raise PolicyError(f"{where('clawback')}: clawback needs [[credits]] rows to claw back")
        clawback = _parse_clawback(data["clawback"], where("clawback"))
    return Contract(
        goals=tuple(goals),
        period=period,
        credits=tuple(tiers),
        credit_cap=cap,
        clawback=clawback,
        escalation=_parse_escalations(data, metrics, where),
    )


def _parse_goals(
    slo: Mapping[str, Any],
    metrics: tuple[str, ...],
    where: Callable[[str], str],
    default_min: int,
) -> list[SLOGoal]:
    """The goals of ``[slo]``: every key but its settings names a metric, fcr or csat."""
    allowed = (*metrics, *OUTCOME_GOALS)
    goals: list[SLOGoal] = []
    for key, value in slo.items():
        if key in _SLO_SETTINGS:
            continue
        here = where(f"slo.{key}")
        if key not in allowed:
            raise PolicyError(
                f"{here}: unknown goal {key!r} (a goal names a metric of the policy, fcr or "
                f"csat: {', '.join(allowed)}; settings: {', '.join(sorted(_SLO_SETTINGS))})",
                subject=key,
            )
        goals.append(_parse_goal(key, value, here, default_min))
    return goals


def _parse_escalations(
    data: Mapping[str, Any], metrics: tuple[str, ...], where: Callable[[str], str]
) -> tuple[EscalationLevel, ...]:
    """The ``[[escalation]]`` rows, numbered from 1; level names are unique."""
    raw_escalation = data.get("escalation", [])
    if not isinstance(raw_escalation, list):
        raise PolicyError(
            f"{where('escalation')}: expected [[escalation]] rows, got {raw_escalation!r}"
        )
    escalation = tuple(
        _parse_escalation(row, i + 1, where(f"escalation[{i}]"), metrics)
        for i, row in enumerate(raw_escalation)
    )
    names = [level.name for level in escalation]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise PolicyError(
            f"{where('escalation')}: level names must be unique; repeated: {', '.join(repeated)}"
        )
    return escalation


def _parse_goal(metric: str, value: Any, where: str, default_min: int) -> SLOGoal:
    if isinstance(value, str):
        return SLOGoal(metric=metric, goal=parse_share(value, where=where), min_tickets=default_min)
    if not isinstance(value, Mapping):
        raise PolicyError(
            f"{where}: expected '95%' or a table {{ goal = '95%', priority = ['urgent'] }}, "
            f"got {value!r}"
        )
    unknown = sorted(set(value) - _GOAL_KEYS)
    if unknown:
        raise PolicyError(
            f"{where}.{unknown[0]}: unknown key (allowed: {', '.join(sorted(_GOAL_KEYS))})"
        )
    if "goal" not in value:
        raise PolicyError(f"{where}.goal: missing; give a share such as '95%'")
    raw = value.get("priority", [])
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise PolicyError(f"{where}.priority: expected a priority or a list, got {raw!r}")
    priorities: set[Priority] = set()
    for name in names:
        try:
            priorities.add(Priority(name))
        except ValueError:
            allowed = ", ".join(p.value for p in Priority)
            raise PolicyError(
                f"{where}.priority: unknown priority {name!r} (expected {allowed})"
            ) from None
    return SLOGoal(
        metric=metric,
        goal=parse_share(value["goal"], where=f"{where}.goal"),
        priorities=frozenset(priorities),
        min_tickets=_positive_int(value.get("min_tickets", default_min), f"{where}.min_tickets"),
    )


def _parse_tier(row: Any, where: str, goals: Mapping[str, SLOGoal]) -> CreditTier:
    if not isinstance(row, Mapping):
        raise PolicyError(f"{where}: expected a table with goal, below and credit, got {row!r}")
    unknown = sorted(set(row) - _TIER_KEYS)
    if unknown:
        raise PolicyError(
            f"{where}.{unknown[0]}: unknown key (allowed: {', '.join(sorted(_TIER_KEYS))})"
        )
    for key in sorted(_TIER_KEYS):
        if key not in row:
            raise PolicyError(f"{where}.{key}: missing")
    metric = row["goal"]
    goal = goals.get(metric) if isinstance(metric, str) else None
    if goal is None:
        raise PolicyError(
            f"{where}.goal: {metric!r} has no goal in [slo] (goals: {', '.join(goals) or 'none'})",
            subject=metric,
        )
    below = parse_share(row["below"], where=f"{where}.below")
    if below > goal.goal:
        raise PolicyError(
            f"{where}.below: {row['below']!r} is above the goal {format_share(goal.goal)}; a "
            "credit is owed only when the goal is missed"
        )
    return CreditTier(
        goal=goal.metric, below=below, credit=parse_share(row["credit"], where=f"{where}.credit")
    )


def _check_tiers(tiers: Sequence[CreditTier], where: str) -> None:
    seen: dict[str, list[CreditTier]] = {}
    for tier in tiers:
        seen.setdefault(tier.goal, []).append(tier)
    for goal, rows in seen.items():
        rows.sort(key=lambda t: -t.below)
        for shallow, deep in pairwise(rows):
            if shallow.below == deep.below:
                raise PolicyError(
                    f"{where}: two tiers of {goal!r} start below {format_share(deep.below)}"
                )
            if deep.credit < shallow.credit:
                raise PolicyError(
                    f"{where}: {goal!r} below {format_share(deep.below)} credits "
                    f"{format_share(deep.credit)}, less than {format_share(shallow.credit)} "
                    f"below {format_share(shallow.below)}; a deeper miss must not credit less"
                )


def _parse_clawback(table: Any, where: str) -> Clawback:
    if not isinstance(table, Mapping):
        raise PolicyError(f"{where}: expected a table with after, level and share")
    unknown = sorted(set(table) - _CLAWBACK_KEYS)
    if unknown:
        raise PolicyError(
            f"{where}.{unknown[0]}: unknown key (allowed: {', '.join(sorted(_CLAWBACK_KEYS))})"
        )
    if "after" not in table:
        raise PolicyError(f"{where}.after: missing; how many consecutive good periods")
    level = None
    if "level" in table:
        level = parse_share(table["level"], where=f"{where}.level")
    share = parse_share(table.get("share", "100%"), where=f"{where}.share")
    return Clawback(after=_positive_int(table["after"], f"{where}.after"), level=level, share=share)


_WHEN = re.compile(r"^\s*(\S+)\s+(?:(business|wall)\s+)?(after|before)\s+breach\s*$", re.IGNORECASE)


def _parse_escalation(
    row: Any, level: int, where: str, metrics: tuple[str, ...]
) -> EscalationLevel:
    if not isinstance(row, Mapping):
        raise PolicyError(f"{where}: expected a table with when and notify, got {row!r}")
    unknown = sorted(set(row) - _ESCALATION_KEYS)
    if unknown:
        raise PolicyError(
            f"{where}.{unknown[0]}: unknown key (allowed: {', '.join(sorted(_ESCALATION_KEYS))})"
        )
    when = row.get("when")
    if not isinstance(when, str):
        raise PolicyError(
            f"{where}.when: expected '75%', 'breach', '30m before breach' or '1h after breach', "
            f"got {when!r}"
        )
    trigger, share, offset, business = _parse_when(when, where)
    name = row.get("name", f"level-{level}")
    if not isinstance(name, str) or not _LEVEL_NAME.match(name) or name in _RESERVED_LEVEL_NAMES:
        raise PolicyError(
            f"{where}.name: expected a name of letters, digits, '-', '_' or '.', starting with a "
            f"letter (not breach, met or missed), got {name!r}",
            subject=name,
        )
    urgent = row.get("urgent", False)
    if not isinstance(urgent, bool):
        raise PolicyError(f"{where}.urgent: expected true or false, got {urgent!r}")
    return EscalationLevel(
        level=level,
        when=when,
        trigger=trigger,
        share=share,
        offset_us=offset,
        metrics=tuple(_names(row.get("metrics", []), f"{where}.metrics", metrics)),
        notify=tuple(_texts(row.get("notify", []), f"{where}.notify")),
        action=_text(row.get("action", ""), f"{where}.action"),
        name=name,
        business=business,
        priorities=_priorities(row.get("priority", []), f"{where}.priority"),
        urgent=urgent,
    )


def _parse_when(when: str, where: str) -> tuple[EscalationTrigger, Fraction | None, int, bool]:
    """``when`` of an escalation level: its trigger, the share of the target or the offset from
    the breach in microseconds, and whether that offset is business time."""
    share: Fraction | None = None
    offset = 0
    business = True
    text = when.strip().lower()
    if text.endswith("%"):
        trigger = EscalationTrigger.SHARE
        share = parse_share(text, where=f"{where}.when")
    elif text == "breach":
        trigger = EscalationTrigger.BREACH
    else:
        match = _WHEN.match(text)
        if match is None:
            raise PolicyError(
                f"{where}.when: {when!r} is not '75%', 'breach', '30m before breach' or "
                "'1h after breach'"
            )
        try:
            offset = duration_us(parse_duration(match.group(1), field=f"{where}.when"))
        except ConfigurationError as exc:
            raise PolicyError(str(exc)) from None
        if offset <= 0:
            raise PolicyError(f"{where}.when: {when!r}: the time must be positive")
        if match.group(3) == "after":
            trigger = EscalationTrigger.AFTER_BREACH
            business = match.group(2) == "business"
        else:
            if match.group(2) == "wall":
                raise PolicyError(
                    f"{where}.when: {when!r}: a lead before the breach is business time; "
                    "write '30m before breach'"
                )
            trigger = EscalationTrigger.BEFORE_BREACH
    return trigger, share, offset, business


def _priorities(value: Any, where: str) -> tuple[Priority, ...]:
    out: list[Priority] = []
    for text in _texts(value, where):
        try:
            out.append(Priority(text))
        except ValueError:
            allowed = ", ".join(p.value for p in Priority)
            raise PolicyError(
                f"{where}: unknown priority {text!r} (expected {allowed})", subject=text
            ) from None
    return tuple(out)


def _names(value: Any, where: str, allowed: tuple[str, ...]) -> list[str]:
    names = _texts(value, where)
    for name in names:
        if name not in allowed:
            raise PolicyError(
                f"{where}: unknown metric {name!r} (the policy has {', '.join(allowed)})"
            )
    return names


def _texts(value: Any, where: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
        raise PolicyError(f"{where}: expected a text or a list of texts, got {value!r}")
    return items


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise PolicyError(f"{where}: expected a text, got {value!r}")
    return value


def _positive_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PolicyError(f"{where}: expected a whole number of at least 1, got {value!r}")
    return value


def _td(us: int) -> timedelta:
    return timedelta(microseconds=us)
