"""SLA policies: which tickets, which calendar, which target per metric and priority.

A policy is plain data, loaded from TOML (docs/policies.md) or built with ``from_mapping``. A
``PolicySet`` picks the policy for a ticket: ordered, first match wins, a default last.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from ._config import named_table, read_toml
from ._instants import duration_us
from .calendar import Calendar
from .contract_terms import Contract
from .durations import parse_duration
from .errors import ConfigurationError, PolicyError
from .events import Priority, Status
from .metrics import PRESETS, MetricDefinition
from .outcomes import FCR_MEASURE, FCRDefinition
from .recipients import Recipient, parse_recipients

__all__ = [
    "DEFAULT_CUSTOMER_REPLY_REOPENS",
    "PolicySet",
    "SLAPolicy",
    "WarningLevel",
    "require_metric",
]

# The statuses a customer's message moves back to open, as Zendesk does; closed never reopens.
DEFAULT_CUSTOMER_REPLY_REOPENS = frozenset({Status.PENDING, Status.ON_HOLD, Status.SOLVED})
_REOPENABLE = (Status.NEW, Status.PENDING, Status.ON_HOLD, Status.SOLVED)

_TOP_KEYS = frozenset(
    {
        "name",
        "description",
        "calendar",
        "match",
        "targets",
        "metrics",
        "warnings",
        "outcomes",
        "default_priority",
        "customer_reply_reopens",
        # The contract side (ticketsla.contract, docs/contracts.md): SLO goals, service-credit
        # tiers, clawback and escalation; parsed by Contract.from_mapping into SLAPolicy.contract.
        "slo",
        "credits",
        "clawback",
        "escalation",
        "recipients",  # who escalation levels notify (ticketsla.recipients)
    }
)
_SET_FIELDS = frozenset({"tags"})


@dataclass(frozen=True, slots=True)
class WarningLevel:
    """A warning: at a share of the target used (``"75%"``) or with business time left (``"30m"``)."""

    label: str
    share: float | None = None  # of the target used, 0 < share < 1
    lead_us: int | None = None  # business time left before the due instant

    @classmethod
    def parse(cls, text: Any, *, where: str) -> WarningLevel:
        if not isinstance(text, str):
            raise PolicyError(f"{where}: expected '75%' or a duration like '30m', got {text!r}")
        raw = text.strip()
        if raw.endswith("%"):
            try:
                percent = float(raw[:-1])
            except ValueError:
                raise PolicyError(f"{where}: {text!r} is not a percentage") from None
            if not 0 < percent < 100:
                raise PolicyError(f"{where}: {text!r} must lie strictly between 0% and 100%")
            return cls(label=raw, share=percent / 100)
        try:
            lead = parse_duration(raw, field=where)
        except ConfigurationError as exc:
            raise PolicyError(str(exc)) from None
        if lead <= timedelta(0):
            raise PolicyError(f"{where}: a warning lead time must be positive, got {text!r}")
        return cls(label=raw, lead_us=duration_us(lead))

    def elapsed_at(self, target_us: int) -> int | None:
        """The elapsed business time at which this warning fires for a target, if it does."""
        if self.share is not None:
            return (target_us * round(self.share * 10_000)) // 10_000
        assert self.lead_us is not None
        point = target_us - self.lead_us
        return point if point > 0 else None


@dataclass(frozen=True, slots=True, kw_only=True)
class SLAPolicy:
    """One SLA policy. Build with :meth:`from_mapping` or :meth:`load`."""

    name: str
    calendar: Calendar
    targets: tuple[tuple[str, tuple[tuple[Priority, int], ...]], ...]
    metrics: tuple[MetricDefinition, ...]
    metric_calendars: tuple[tuple[str, Calendar], ...] = ()
    match: tuple[tuple[str, frozenset[str]], ...] = ()
    warnings: tuple[WarningLevel, ...] = ()
    metric_warnings: tuple[tuple[str, tuple[WarningLevel, ...]], ...] = ()
    fcr: FCRDefinition = field(default_factory=FCRDefinition)
    default_priority: Priority = Priority.NORMAL
    # the statuses a customer's (non-automatic) message moves to open
    customer_reply_reopens: frozenset[Status] = DEFAULT_CUSTOMER_REPLY_REOPENS
    description: str = ""
    source: str = field(default="", compare=False)
    # SLO goals, credits, clawback, escalation ([slo], [[credits]], [clawback], [[escalation]]);
    # empty when the file has none.
    contract: Contract = field(default_factory=Contract)
    # [recipients]: each name's channels and the calendar of its working hours, if any
    recipients: tuple[tuple[Recipient, Calendar | None], ...] = ()
    _targets: dict[str, dict[Priority, int]] = field(init=False, repr=False, compare=False)
    _calendars: dict[str, Calendar] = field(init=False, repr=False, compare=False)
    _warnings: dict[str, tuple[WarningLevel, ...]] = field(init=False, repr=False, compare=False)
    _as_set: list[Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_targets", {m: dict(t) for m, t in self.targets})
        object.__setattr__(self, "_calendars", dict(self.metric_calendars))
        object.__setattr__(self, "_warnings", dict(self.metric_warnings))
        object.__setattr__(self, "_as_set", [])

    def __repr__(self) -> str:
        return f"SLAPolicy(name={self.name!r}, calendar={self.calendar.name!r})"

    # ---- questions the fold asks -------------------------------------------------------------

    def target_us(self, metric: str, priority: Priority | None) -> int | None:
        """The target of ``metric`` for ``priority`` in microseconds, or None (no clock)."""
        table = self._targets.get(metric)
        if table is None:
            return None
        return table.get(priority if priority is not None else self.default_priority)

    def target(self, metric: str, priority: Priority | str | None) -> timedelta | None:
        """The target of ``metric`` for ``priority``, or None when it has none."""
        value = self.target_us(metric, Priority(priority) if priority is not None else None)
        return None if value is None else timedelta(microseconds=value)

    def calendar_for(self, metric: str) -> Calendar:
        """The calendar a metric is measured on (the policy's unless the metric overrides it)."""
        return self._calendars.get(metric, self.calendar)

    def recipient(self, name: str) -> tuple[Recipient, Calendar | None] | None:
        """The ``[recipients]`` entry of ``name`` and its calendar, or None when it has none."""
        for recipient, calendar in self.recipients:
            if recipient.name == name:
                return recipient, calendar
        return None

    def warnings_for(self, metric: str) -> tuple[WarningLevel, ...]:
        return self._warnings.get(metric, self.warnings)

    def definition(self, metric: str) -> MetricDefinition:
        for definition in self.metrics:
            if definition.name == metric:
                return definition
        raise PolicyError(
            f"policy {self.name!r}: no metric {metric!r} (has: "
            f"{', '.join(m.name for m in self.metrics)})",
            subject=metric,
        )

    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.metrics)

    def matches(self, fields: Mapping[str, Any]) -> tuple[bool, str]:
        """Whether a ticket with ``fields`` matches, and why (for ``explain``)."""
        for name, allowed in self.match:
            value = fields.get(name)
            if name in _SET_FIELDS or isinstance(value, frozenset):
                have = value if isinstance(value, frozenset) else frozenset()
                if not allowed <= have:
                    return False, f"{name} lacks {sorted(allowed - have)}"
            elif value is None or str(value) not in allowed:
                return False, f"{name}={value!r} not in {sorted(allowed)}"
        if not self.match:
            return True, "matches every ticket"
        return True, "matches " + ", ".join(f"{n} in {sorted(a)}" for n, a in self.match)

    # ---- construction ------------------------------------------------------------------------

    @classmethod
    def load(
        cls, path: str | Path, *, calendars: Mapping[str, Calendar] | None = None
    ) -> SLAPolicy:
        """Load a policy file; its calendar is a bundled name or a path relative to the file."""
        file = Path(path)
        data = read_toml(file, "policy", PolicyError)
        return cls.from_mapping(data, source=str(file), base_dir=file.parent, calendars=calendars)

    @classmethod
    def from_mapping(
        cls,
        data: Mapping[str, Any],
        *,
        source: str = "",
        base_dir: Path | None = None,
        calendars: Mapping[str, Calendar] | None = None,
    ) -> SLAPolicy:
        """Build a policy from the mapping form of a policy file."""
        return _from_mapping(data, source, base_dir, calendars or {})


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Ordered policies: the first whose match fits the ticket wins, else the default."""

    policies: tuple[SLAPolicy, ...]
    default: SLAPolicy | None = None
    # values derived from the set by the fold (per-policy trigger tables), computed once
    derived: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def __init__(self, policies: Iterable[SLAPolicy], default: SLAPolicy | None = None) -> None:
        items = tuple(policies)
        names = [p.name for p in items] + ([default.name] if default else [])
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise PolicyError(f"policy names must be unique; repeated: {', '.join(dupes)}")
        object.__setattr__(self, "policies", items)
        object.__setattr__(self, "default", default)
        object.__setattr__(self, "derived", {})

    @classmethod
    def of(cls, policy: SLAPolicy | PolicySet) -> PolicySet:
        """A set holding one policy as its default, or the set itself (made once per policy)."""
        if isinstance(policy, PolicySet):
            return policy
        cached = policy._as_set
        if not cached:
            cached.append(cls((), default=policy))
        result: PolicySet = cached[0]
        return result

    def choose(
        self,
        fields: Mapping[str, Any],
        chooser: Callable[[Mapping[str, Any], tuple[SLAPolicy, ...]], str | None] | None = None,
    ) -> tuple[SLAPolicy | None, str]:
        """The policy for a ticket with ``fields`` and the reason it was chosen."""
        if not self.policies and chooser is None:  # one policy for every ticket: asked per fold
            return self.default, self._default_reason()
        every = self.all()
        if chooser is not None:
            name = chooser(fields, every)
            if name is not None:
                for policy in every:
                    if policy.name == name:
                        return policy, f"policy {name!r} chosen by a plugin"
                raise PolicyError(f"a plugin chose policy {name!r}, which is not in the set")
        reasons: list[str] = []
        for policy in self.policies:
            matched, why = policy.matches(fields)
            if matched:
                return policy, f"policy {policy.name!r}: {why}"
            reasons.append(f"{policy.name!r} ({why})")
        skipped = f" after skipping {'; '.join(reasons)}" if reasons else ""
        if self.default is not None:
            return self.default, f"default policy {self.default.name!r}{skipped}"
        return None, f"no policy matches{skipped}"

    def _default_reason(self) -> str:
        reason = self.derived.get("default-reason")
        if reason is None:
            reason = self.derived["default-reason"] = (
                f"default policy {self.default.name!r}"
                if self.default is not None
                else "no policy matches"
            )
        text: str = reason
        return text

    def all(self) -> tuple[SLAPolicy, ...]:
        return self.policies + ((self.default,) if self.default else ())

    def get(self, name: str) -> SLAPolicy:
        for policy in self.all():
            if policy.name == name:
                return policy
        raise PolicyError(f"no policy named {name!r}", subject=name)

    def metric_names(self) -> tuple[str, ...]:
        """Every metric some policy of the set defines, in order of first appearance."""
        cached = self.derived.get("metric_names")
        if cached is None:
            names = [n for policy in self.all() for n in policy.metric_names]
            cached = self.derived["metric_names"] = tuple(dict.fromkeys(names))
        result: tuple[str, ...] = cached
        return result


def require_metric(policies: SLAPolicy | PolicySet, metric: str) -> None:
    """Refuse a metric name that is neither built in nor defined by a policy (a typo would
    otherwise read as "not breached"); the error lists the policies' metrics."""
    known = PolicySet.of(policies).metric_names()
    if not known or metric in known or metric in PRESETS:
        return
    raise PolicyError(
        f"metric: unknown metric {metric!r}; the policies define {', '.join(known)} "
        f"(built in: {', '.join(PRESETS)})",
        subject=metric,
    )


# ---- parsing -------------------------------------------------------------------------------


def _from_mapping(
    data: Mapping[str, Any],
    source: str,
    base_dir: Path | None,
    calendars: Mapping[str, Calendar],
) -> SLAPolicy:
    name, where = named_table(data, "policy", source, _TOP_KEYS, PolicyError)
    calendar = _calendar_resolver(where, base_dir, calendars)
    if "calendar" not in data:
        raise PolicyError(f"{where('calendar')}: missing; name a bundled calendar or a file")
    main_calendar = calendar(data["calendar"], "calendar")
    metrics = _metrics(data, where, calendar)
    levels = _warning_levels(data, where)
    match = _match(data, where)
    priority = _default_priority(data, where)
    reopens = _reopen_statuses(data, where)
    fcr = _fcr_definition(data, where)
    description = data.get("description", "")
    if not isinstance(description, str):
        raise PolicyError(f"{where('description')}: expected a text")
    contract = Contract.from_mapping(
        data, metrics=[d.name for d in metrics.definitions], where=where
    )
    recipients = parse_recipients(data.get("recipients", {}), where("recipients"), calendar)
    return SLAPolicy(
        name=name,
        calendar=main_calendar,
        targets=tuple(metrics.targets),
        metrics=tuple(metrics.definitions),
        metric_calendars=tuple(metrics.calendars),
        match=tuple(sorted(match)),
        warnings=levels,
        metric_warnings=tuple(metrics.warnings),
        fcr=fcr,
        default_priority=priority,
        customer_reply_reopens=reopens,
        description=description,
        source=source,
        contract=contract,
        recipients=recipients,
    )


CalendarResolver = Callable[[Any, str], Calendar]


def _calendar_resolver(
    where: Callable[[str], str], base_dir: Path | None, calendars: Mapping[str, Calendar]
) -> CalendarResolver:
    """How a policy file names a calendar: a ``Calendar``, a name given by the caller or
    bundled, or a path (relative to the policy file)."""

    def calendar(value: Any, key: str) -> Calendar:
        if isinstance(value, Calendar):
            return value
        if not isinstance(value, str) or not value:
            raise PolicyError(f"{where(key)}: expected a calendar name or path, got {value!r}")
        if value in calendars:
            return calendars[value]
        candidate = value
        if base_dir is not None and (value.endswith(".toml") or "/" in value):
            candidate = str(base_dir / value)
        try:
            return Calendar.load(candidate)
        except ConfigurationError as exc:
            raise PolicyError(f"{where(key)}: {exc}", subject=value) from exc

    return calendar


@dataclass
class _Metrics:
    """What ``[targets]`` and ``[metrics]`` of a policy file say, metric by metric."""

    definitions: list[MetricDefinition] = field(default_factory=list)
    targets: list[tuple[str, tuple[tuple[Priority, int], ...]]] = field(default_factory=list)
    calendars: list[tuple[str, Calendar]] = field(default_factory=list)
    warnings: list[tuple[str, tuple[WarningLevel, ...]]] = field(default_factory=list)


def _metrics(
    data: Mapping[str, Any], where: Callable[[str], str], calendar: CalendarResolver
) -> _Metrics:
    targets_table = _table(data, "targets", where)
    if not targets_table:
        raise PolicyError(f"{where('targets')}: a policy needs at least one metric with targets")
    metric_tables = _table(data, "metrics", where)
    unknown_overrides = sorted(set(metric_tables) - set(targets_table))
    if unknown_overrides:
        raise PolicyError(
            f"{where('metrics.' + unknown_overrides[0])}: metric has no [targets.{unknown_overrides[0]}]"
        )
    out = _Metrics()
    for metric, per_priority in targets_table.items():
        definition = _metric_definition(metric, metric_tables.get(metric, {}), where)
        out.definitions.append(definition)
        out.targets.append((metric, _targets(per_priority, where(f"targets.{metric}"))))
        if definition.calendar is not None:
            out.calendars.append(
                (metric, calendar(definition.calendar, f"metrics.{metric}.calendar"))
            )
        if definition.warnings is not None:
            here = where(f"metrics.{metric}.warnings")
            levels = tuple(WarningLevel.parse(w, where=here) for w in definition.warnings)
            out.warnings.append((metric, levels))
    known = set(PRESETS) | {d.name for d in out.definitions}
    for definition in out.definitions:
        if definition.after is not None and definition.after not in known:
            raise PolicyError(
                f"{where('metrics.' + definition.name + '.after')}: unknown metric "
                f"{definition.after!r}"
            )
    return out


def _metric_definition(
    metric: str, overrides: Any, where: Callable[[str], str]
) -> MetricDefinition:
    """A preset metric with the policy's overrides, or a custom one (which needs start and stop)."""
    if not isinstance(overrides, Mapping):
        raise PolicyError(f"{where('metrics.' + metric)}: expected a table")
    preset = PRESETS.get(metric)
    if preset is None:
        if "start" not in overrides or "stop" not in overrides:
            raise PolicyError(
                f"{where('targets.' + metric)}: unknown metric {metric!r}; presets are "
                f"{', '.join(PRESETS)}, and a custom metric needs [metrics.{metric}] with "
                "start and stop"
            )
        preset = MetricDefinition(name=metric, start=frozenset(), stop=frozenset())
    return preset.with_overrides(overrides, where=where(f"metrics.{metric}"))


def _warning_levels(
    data: Mapping[str, Any], where: Callable[[str], str]
) -> tuple[WarningLevel, ...]:
    warnings_table = _table(data, "warnings", where)
    for key in warnings_table:
        if key != "at":
            raise PolicyError(f"{where('warnings.' + key)}: unknown key (allowed: at)")
    raw_levels = warnings_table.get("at", [])
    if not isinstance(raw_levels, list):
        raise PolicyError(f"{where('warnings.at')}: expected a list such as ['75%', '30m']")
    return tuple(WarningLevel.parse(w, where=where("warnings.at")) for w in raw_levels)


def _match(
    data: Mapping[str, Any], where: Callable[[str], str]
) -> list[tuple[str, frozenset[str]]]:
    match = []
    for key, value in _table(data, "match", where).items():
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str | int | bool) for v in values):
            raise PolicyError(f"{where('match.' + key)}: expected a value or a list, got {value!r}")
        if key == "status":
            raise PolicyError(
                f"{where('match.status')}: {value!r}: policies are chosen by ticket fields, "
                "and status is not one; pause clocks by status with [metrics.NAME] pause_while"
            )
        if key == "priority":
            for v in values:
                if v not in Priority.__members__.values():
                    allowed = ", ".join(p.value for p in Priority)
                    raise PolicyError(
                        f"{where('match.priority')}: unknown priority {v!r} (expected {allowed})",
                        subject=v,
                    )
        match.append((key, frozenset(str(v) for v in values)))
    return match


def _default_priority(data: Mapping[str, Any], where: Callable[[str], str]) -> Priority:
    default_priority = data.get("default_priority", Priority.NORMAL.value)
    try:
        return Priority(default_priority)
    except ValueError:
        raise PolicyError(
            f"{where('default_priority')}: unknown priority {default_priority!r}"
        ) from None


def _fcr_definition(data: Mapping[str, Any], where: Callable[[str], str]) -> FCRDefinition:
    outcomes = _table(data, "outcomes", where)
    for key in outcomes:
        if key != FCR_MEASURE:
            raise PolicyError(f"{where('outcomes.' + key)}: unknown key (allowed: fcr)")
    return FCRDefinition.parse(outcomes.get(FCR_MEASURE, "one_touch"), where=where("outcomes.fcr"))


def _reopen_statuses(data: Mapping[str, Any], where: Callable[[str], str]) -> frozenset[Status]:
    """``customer_reply_reopens``: the statuses a customer's message moves back to open."""
    if "customer_reply_reopens" not in data:
        return DEFAULT_CUSTOMER_REPLY_REOPENS
    here = where("customer_reply_reopens")
    value = data["customer_reply_reopens"]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{here}: expected a list of statuses, got {value!r}")
    allowed = ", ".join(s.value for s in _REOPENABLE)
    out: set[Status] = set()
    for text in value:
        if text not in [s.value for s in _REOPENABLE]:
            why = "a closed ticket never reopens" if text == "closed" else f"expected {allowed}"
            raise PolicyError(f"{here}: {text!r} cannot be reopened ({why})", subject=text)
        out.add(Status(text))
    return frozenset(out)


def _table(data: Mapping[str, Any], key: str, where: Callable[[str], str]) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise PolicyError(f"{where(key)}: expected a table, got {value!r}")
    return value


def _targets(table: Any, where: str) -> tuple[tuple[Priority, int], ...]:
    if not isinstance(table, Mapping) or not table:
        raise PolicyError(f"{where}: expected a table of priority = duration, got {table!r}")
    out: dict[Priority, int] = {}
    for key, text in table.items():
        try:
            duration = parse_duration(text, field=f"{where}.{key}")
        except ConfigurationError as exc:
            raise PolicyError(str(exc), subject=text) from None
        if duration <= timedelta(0):
            raise PolicyError(f"{where}.{key}: a target must be positive, got {text!r}")
        if key == "all":
            for priority in Priority:
                out.setdefault(priority, duration_us(duration))
            continue
        try:
            priority = Priority(key)
        except ValueError:
            allowed = ", ".join(p.value for p in Priority)
            raise PolicyError(
                f"{where}.{key}: unknown priority {key!r} (expected {allowed} or all)",
                subject=key,
            ) from None
        out[priority] = duration_us(duration)
    return tuple(sorted(out.items()))
