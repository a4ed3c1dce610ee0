"""SLA reports: attainment, business-time statistics, FCR, CSAT, SLO verdicts and credits.

Pure: ticket states (``TicketSLA`` values, or events folded here) and a period in, a ``Report``
value out. Nothing here reads a clock, a file or a database; ``as_of`` is a parameter.

Which measurements fall in a period (the rule, also in docs/reading-the-report.md):

- A **clock** (one cycle of one metric) counts toward attainment in the period holding its
  *decision*: the breach instant if it breached (even if it was fulfilled later), else the
  instant it was fulfilled within target. A clock still running and not breached is *open* and
  counts nowhere yet; a clock cancelled before its target passed counts nowhere. So every clock
  is counted once, in one period, and a breach is reported as soon as it happens.
- **Business-time statistics** (median and 90th percentile time to first response, to
  resolution...) are over the clocks *fulfilled* in the period, late ones included: the time to
  first response of the first responses given in the period.
- **FCR** counts in the period of the ticket's first solve; it is *pending* while its definition
  cannot decide yet (a reopen window still open).
- **CSAT** counts in the period of the rating (the latest rating of a ticket).
- Tickets are evaluated as of the end of the report period, or ``as_of`` when that is earlier.

Attainment is met clocks over decided clocks (the share of targets met, as Zendesk counts it);
the ticket counts beside it say how many distinct tickets those clocks belong to.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._instants import from_us, to_us
from .clock import ClockStatus, TicketSLA, fold
from .contract import (
    FeeTable,
    GoalOutcomes,
    PeriodStatement,
    SLOPeriod,
    VerdictStatus,
    format_share,
    statements,
    ticket_order,
)
from .durations import format_duration
from .errors import ConfigurationError
from .events import EventKind, TicketEvent, order_events
from .metrics import PRESETS
from .outcomes import Sentiment
from .policy import PolicySet, SLAPolicy

__all__ = [
    "NONE",
    "TTFR_BUCKETS",
    "CSATSummary",
    "Change",
    "Dimension",
    "FCRSummary",
    "GroupSummary",
    "Measurement",
    "MetricSummary",
    "Report",
    "ReportPeriod",
    "TicketRecord",
    "WhatIf",
    "build_report",
    "compare_reports",
    "measurements_of",
    "nearest_rank",
    "records_from_events",
    "report_from_events",
]

NONE = "(none)"  # the group value of a ticket without the field
_US = 1_000_000
_HOUR_US = 3600 * _US


class Dimension(StrEnum):
    """What a report can be grouped by."""

    CUSTOMER = "customer"  # the ticket's organization
    POLICY = "policy"
    PRIORITY = "priority"
    CHANNEL = "channel"
    SOURCE = "source"
    METRIC = "metric"

    @classmethod
    def parse(cls, text: str) -> Dimension:
        name = text.strip().lower()
        if name in ("organization", "organisation", "org"):
            return cls.CUSTOMER
        try:
            return cls(name)
        except ValueError:
            allowed = ", ".join(d.value for d in cls)
            raise ConfigurationError(
                f"--by: cannot group by {text!r} (choose from {allowed})", subject=text
            ) from None


# ---- periods -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportPeriod:
    """A stretch of real time ``[start, end)`` in a time zone: a month, an ISO week or a range.

    ``ReportPeriod.parse("2026-10")`` is October 2026 from local midnight to local midnight,
    ``"2026-W43"`` is an ISO week (Monday to Monday), ``"2026-10-01..2026-10-15"`` is the local
    dates 1 to 15 October inclusive, and ``"2026-10-01T08:00Z..2026-10-02T08:00Z"`` is the range
    between two instants (the end excluded).
    """

    label: str
    kind: str  # "month", "week" or "range"
    start_us: int
    end_us: int
    timezone: str = "UTC"

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.timezone)

    @property
    def start(self) -> datetime:
        return from_us(self.start_us, self.zone)

    @property
    def end(self) -> datetime:
        return from_us(self.end_us, self.zone)

    def contains(self, us: int | None) -> bool:
        return us is not None and self.start_us <= us < self.end_us

    # -- construction --

    @classmethod
    def parse(cls, text: str, *, timezone: str = "UTC") -> ReportPeriod:
        """A month (``2026-10``), an ISO week (``2026-W43``) or a range (``FROM..TO``)."""
        raw = text.strip() if isinstance(text, str) else ""
        _zone(timezone)
        if ".." in raw:
            first, _, last = raw.partition("..")
            return cls._range(first.strip(), last.strip(), raw, timezone)
        if len(raw) == 8 and raw[4:6].upper() == "-W":
            year, week = _ints(raw[:4], raw[6:], raw)
            return cls.week(year, week, timezone=timezone)
        if len(raw) == 7 and raw[4] == "-":
            year, month = _ints(raw[:4], raw[5:], raw)
            return cls.month(year, month, timezone=timezone)
        raise ConfigurationError(
            f"period {text!r}: expected a month like 2026-10, an ISO week like 2026-W43, or a "
            "range like 2026-10-01..2026-10-15",
            subject=text,
        )

    @classmethod
    def month(cls, year: int, month: int, *, timezone: str = "UTC") -> ReportPeriod:
        if not 1 <= month <= 12 or not 1900 <= year <= 9000:
            raise ConfigurationError(f"period {year}-{month:02d}: no such month", subject=month)
        after = date(year + (month == 12), month % 12 + 1, 1)
        return cls(
            label=f"{year:04d}-{month:02d}",
            kind="month",
            start_us=_midnight(date(year, month, 1), timezone),
            end_us=_midnight(after, timezone),
            timezone=timezone,
        )

    @classmethod
    def week(cls, year: int, week: int, *, timezone: str = "UTC") -> ReportPeriod:
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ConfigurationError(
                f"period {year}-W{week:02d}: no such ISO week", subject=week
            ) from None
        return cls(
            label=f"{year:04d}-W{week:02d}",
            kind="week",
            start_us=_midnight(monday, timezone),
            end_us=_midnight(monday + timedelta(days=7), timezone),
            timezone=timezone,
        )

    @classmethod
    def between(cls, start: datetime, end: datetime, *, timezone: str = "UTC") -> ReportPeriod:
        """The range ``[start, end)`` between two aware instants."""
        lo, hi = to_us(start, "start"), to_us(end, "end")
        if hi <= lo:
            raise ConfigurationError(
                f"period: {end.isoformat()} is not after {start.isoformat()}", subject="period"
            )
        zone = _zone(timezone)
        label = f"{from_us(lo, zone).isoformat()}..{from_us(hi, zone).isoformat()}"
        return cls(label=label, kind="range", start_us=lo, end_us=hi, timezone=timezone)

    @classmethod
    def _range(cls, first: str, last: str, raw: str, timezone: str) -> ReportPeriod:
        if len(first) == 10 and len(last) == 10:
            lo, hi = _date(first, raw), _date(last, raw)
            if hi < lo:
                raise ConfigurationError(f"period {raw!r}: {last} is before {first}", subject=raw)
            return cls(
                label=f"{first}..{last}",
                kind="range",
                start_us=_midnight(lo, timezone),
                end_us=_midnight(hi + timedelta(days=1), timezone),
                timezone=timezone,
            )
        try:
            start, end = datetime.fromisoformat(first), datetime.fromisoformat(last)
        except ValueError:
            raise ConfigurationError(
                f"period {raw!r}: expected two dates (2026-10-01..2026-10-15) or two instants "
                "with offsets (2026-10-01T08:00Z..2026-10-02T08:00Z)",
                subject=raw,
            ) from None
        if start.tzinfo is None or end.tzinfo is None:
            raise ConfigurationError(
                f"period {raw!r}: instants need an offset (2026-10-01T08:00+02:00 or Z)",
                subject=raw,
            )
        return cls.between(start, end, timezone=timezone)

    @classmethod
    def containing(cls, kind: SLOPeriod | str, us: int, *, timezone: str = "UTC") -> ReportPeriod:
        """The month or ISO week (in ``timezone``) that holds instant ``us``."""
        day = from_us(us, _zone(timezone)).date()
        if SLOPeriod(kind) is SLOPeriod.MONTH:
            return cls.month(day.year, day.month, timezone=timezone)
        year, week, _ = day.isocalendar()
        return cls.week(year, week, timezone=timezone)

    # -- arithmetic --

    def shift(self, steps: int) -> ReportPeriod:
        """The period ``steps`` months, weeks or range-lengths later (earlier when negative)."""
        if self.kind == "month":
            start = from_us(self.start_us, self.zone).date()
            index = start.year * 12 + start.month - 1 + steps
            return ReportPeriod.month(index // 12, index % 12 + 1, timezone=self.timezone)
        if self.kind == "week":
            monday = from_us(self.start_us, self.zone).date() + timedelta(weeks=steps)
            year, week, _ = monday.isocalendar()
            return ReportPeriod.week(year, week, timezone=self.timezone)
        length = self.end_us - self.start_us
        zone = self.zone
        lo, hi = self.start_us + steps * length, self.end_us + steps * length
        return ReportPeriod(
            label=f"{from_us(lo, zone).isoformat()}..{from_us(hi, zone).isoformat()}",
            kind="range",
            start_us=lo,
            end_us=hi,
            timezone=self.timezone,
        )

    def weeks(self) -> tuple[ReportPeriod, ...]:
        """The ISO weeks that overlap this period, clipped to it (for weekly charts)."""
        out: list[ReportPeriod] = []
        week = ReportPeriod.containing(SLOPeriod.WEEK, self.start_us, timezone=self.timezone)
        while week.start_us < self.end_us:
            out.append(
                ReportPeriod(
                    label=week.label,
                    kind="week" if self.contains_whole(week) else "range",
                    start_us=max(week.start_us, self.start_us),
                    end_us=min(week.end_us, self.end_us),
                    timezone=self.timezone,
                )
            )
            week = week.shift(1)
        return tuple(out)

    def contains_whole(self, other: ReportPeriod) -> bool:
        return self.start_us <= other.start_us and other.end_us <= self.end_us

    def slo_periods(self, kind: SLOPeriod | str) -> tuple[ReportPeriod, ...]:
        """The SLO periods (months or ISO weeks) that end within this period, ``(start, end]``:
        those a report for this period gives verdicts for."""
        last = ReportPeriod.containing(kind, self.end_us - 1, timezone=self.timezone)
        if last.end_us > self.end_us:
            last = last.shift(-1)
        out: list[ReportPeriod] = []
        while self.start_us < last.end_us:
            out.append(last)
            last = last.shift(-1)
        return tuple(reversed(out))

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "kind": self.kind,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "timezone": self.timezone,
        }


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigurationError(f"unknown time zone {name!r}", subject=name) from None


def _midnight(day: date, timezone: str) -> int:
    return to_us(datetime(day.year, day.month, day.day, tzinfo=_zone(timezone)))


def _ints(a: str, b: str, raw: str) -> tuple[int, int]:
    if not (a.isdigit() and b.isdigit()):
        raise ConfigurationError(f"period {raw!r}: expected digits", subject=raw)
    return int(a), int(b)


def _date(text: str, raw: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(f"period {raw!r}: {text!r} is not a date", subject=raw) from None


# ---- what a report is computed from --------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketRecord:
    """One ticket as a report sees it: its SLA state, the source it came from, its first solve."""

    sla: TicketSLA
    source: str = NONE
    solved_us: int | None = None

    @classmethod
    def from_events(
        cls, events: Iterable[TicketEvent], policies: SLAPolicy | PolicySet, at_us: int
    ) -> TicketRecord:
        """Fold one ticket's events as of ``at_us`` and note its source and first solve."""
        ordered = [e for e in order_events(events) if e.at_us <= at_us]
        sla = fold(ordered, policies, at_us)
        solved = next(
            (
                e.at_us
                for e in ordered
                if e.kind is EventKind.STATUS_CHANGED and e.status is not None and e.status.is_done
            ),
            None,
        )
        return cls(sla=sla, source=ordered[0].source if ordered else NONE, solved_us=solved)


def records_from_events(
    events: Iterable[TicketEvent], policies: SLAPolicy | PolicySet, at_us: int
) -> list[TicketRecord]:
    """Group events by ticket and fold each ticket as of ``at_us`` (tickets created later are
    left out)."""
    by_ticket: dict[str, list[TicketEvent]] = defaultdict(list)
    for event in events:
        by_ticket[event.ticket_id].append(event)
    out = []
    for ticket_id in sorted(by_ticket, key=ticket_order):
        ticket_events = by_ticket[ticket_id]
        if min(e.at_us for e in ticket_events) > at_us:
            continue
        out.append(TicketRecord.from_events(ticket_events, policies, at_us))
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Measurement:
    """One thing a report counts: a clock cycle, a ticket's FCR, or a ticket's rating.

    ``at_us`` places it in a period (a clock's breach or fulfilment, the first solve, the rating)
    and is None for a clock still open; ``ok`` is met / achieved / positive, None while undecided.
    """

    ticket_id: str
    metric: str  # a clock metric, "fcr" or "csat"
    cycle: int
    customer: str
    policy: str
    priority: str
    channel: str
    source: str
    at_us: int | None
    ok: bool | None
    started_us: int | None = None
    fulfilled_us: int | None = None
    elapsed_us: int | None = None
    target_us: int | None = None
    sentiment: Sentiment | None = None
    scale: str = ""
    definition: str = ""

    def value(self, dimension: Dimension) -> str:
        if dimension is Dimension.METRIC:
            return self.metric
        return str(getattr(self, dimension.value))


def measurements_of(record: TicketRecord) -> list[Measurement]:
    """Every measurement of one ticket."""
    sla = record.sla
    common: dict[str, Any] = {
        "ticket_id": sla.ticket_id,
        "customer": _text(sla.field("organization")),
        "channel": _text(sla.field("channel")),
        "source": record.source or NONE,
    }
    ticket_priority = _text(sla.priority)
    out: list[Measurement] = []
    for clock in sla.clocks:
        fulfilled = clock.status is ClockStatus.FULFILLED
        decided: int | None = None
        if clock.breached_us is not None:
            decided = clock.breached_us
        elif fulfilled:
            decided = clock.stopped_us
        if decided is None and clock.status is ClockStatus.CANCELLED:
            continue  # cancelled in time: never measured
        out.append(
            Measurement(
                **common,
                metric=clock.metric,
                cycle=clock.cycle,
                policy=clock.policy or _text(sla.policy),
                priority=_text(clock.priority) if clock.priority else ticket_priority,
                at_us=decided,
                ok=clock.met,
                started_us=clock.started_us,
                fulfilled_us=clock.stopped_us if fulfilled else None,
                elapsed_us=clock.elapsed_us if fulfilled else None,
                target_us=clock.target_us,
            )
        )
    policy = _text(sla.policy)
    if sla.fcr is not None and record.solved_us is not None:
        out.append(
            Measurement(
                **common,
                metric="fcr",
                cycle=1,
                policy=policy,
                priority=ticket_priority,
                at_us=record.solved_us,
                ok=sla.fcr.achieved,
                definition=sla.fcr.definition.describe(),
            )
        )
    if sla.csat is not None:
        scale = sla.csat.scale
        out.append(
            Measurement(
                **common,
                metric="csat",
                cycle=1,
                policy=policy,
                priority=ticket_priority,
                at_us=sla.csat.rated_at_us,
                ok=sla.csat.sentiment is Sentiment.POSITIVE,
                sentiment=sla.csat.sentiment,
                scale="good/bad" if isinstance(sla.csat.rating, str) else _scale(scale),
            )
        )
    return out


def _text(value: Any) -> str:
    return NONE if value is None or value == "" else str(value)


def _scale(scale: tuple[int, int] | None) -> str:
    low, high = scale or (1, 5)
    return f"{low}-{high}"


# ---- summaries -------------------------------------------------------------------------------


def nearest_rank(values: Sequence[int], share: Fraction) -> int | None:
    """The nearest-rank percentile: the smallest value with at least ``share`` of the values at
    or below it (the median of 1, 2, 3, 4 is 2; its 90th percentile is 4)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(share * len(ordered)), 1)
    return ordered[rank - 1]


_HALF = Fraction(1, 2)
_P90 = Fraction(9, 10)


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricSummary:
    """One clock metric in one group: decided, met, breached, open, and business-time figures."""

    metric: str
    measured: int
    met: int
    breached: int
    open: int
    fulfilled: int
    median_us: int | None
    p90_us: int | None
    breached_tickets: tuple[str, ...]

    @property
    def attainment(self) -> Fraction | None:
        return Fraction(self.met, self.measured) if self.measured else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "measured": self.measured,
            "met": self.met,
            "breached": self.breached,
            "open": self.open,
            "attainment_pct": _pct(self.attainment),
            "fulfilled": self.fulfilled,
            "median_seconds": _seconds(self.median_us),
            "p90_seconds": _seconds(self.p90_us),
            "median": _duration(self.median_us),
            "p90": _duration(self.p90_us),
            "breached_tickets": list(self.breached_tickets),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class FCRSummary:
    """First contact resolution: tickets first solved in the period, by their FCR verdict."""

    decided: int
    achieved: int
    pending: int
    definitions: tuple[str, ...]

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.achieved, self.decided) if self.decided else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "decided": self.decided,
            "achieved": self.achieved,
            "pending": self.pending,
            "rate_pct": _pct(self.rate),
            "definition": "; ".join(self.definitions),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class CSATSummary:
    """Satisfaction ratings given in the period: CSAT % is the positive share of responses."""

    responses: int
    positive: int
    neutral: int
    negative: int
    scales: tuple[str, ...]

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.positive, self.responses) if self.responses else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "responses": self.responses,
            "positive": self.positive,
            "neutral": self.neutral,
            "negative": self.negative,
            "csat_pct": _pct(self.share),
            "scales": list(self.scales),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupSummary:
    """Everything a report says about one group (or about all tickets, with an empty key)."""

    key: tuple[tuple[str, str], ...]
    tickets: int
    tickets_met: int
    tickets_breached: int
    measured: int
    met: int
    breached: int
    open: int
    metrics: tuple[MetricSummary, ...]
    fcr: FCRSummary
    csat: CSATSummary
    csat_breached: CSATSummary  # ratings of tickets with a breached clock
    csat_met: CSATSummary  # ratings of tickets whose decided clocks all met

    @property
    def attainment(self) -> Fraction | None:
        return Fraction(self.met, self.measured) if self.measured else None

    @property
    def label(self) -> str:
        return ", ".join(value for _, value in self.key) or "all tickets"

    def metric(self, name: str) -> MetricSummary | None:
        for summary in self.metrics:
            if summary.metric == name:
                return summary
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": dict(self.key),
            "tickets": self.tickets,
            "tickets_met": self.tickets_met,
            "tickets_breached": self.tickets_breached,
            "measured": self.measured,
            "met": self.met,
            "breached": self.breached,
            "open": self.open,
            "attainment_pct": _pct(self.attainment),
            "metrics": [m.to_dict() for m in self.metrics],
            "fcr": self.fcr.to_dict(),
            "csat": self.csat.to_dict(),
            "csat_breached": self.csat_breached.to_dict(),
            "csat_met": self.csat_met.to_dict(),
        }


def _metric_order(name: str) -> tuple[int, str]:
    presets = list(PRESETS)
    return (presets.index(name) if name in presets else len(presets), name)


def _summarize(
    key: tuple[tuple[str, str], ...],
    rows: Sequence[Measurement],
    period: ReportPeriod,
    ticket_state: Mapping[str, bool | None],
) -> GroupSummary:
    clocks = [r for r in rows if r.metric not in ("fcr", "csat")]
    decided = [r for r in clocks if r.ok is not None and period.contains(r.at_us)]
    by_metric: dict[str, list[Measurement]] = defaultdict(list)
    for row in clocks:
        by_metric[row.metric].append(row)
    metrics = []
    for metric in sorted(by_metric, key=_metric_order):
        metric_rows = by_metric[metric]
        in_period = [r for r in metric_rows if r.ok is not None and period.contains(r.at_us)]
        samples = [
            r.elapsed_us
            for r in metric_rows
            if r.elapsed_us is not None and period.contains(r.fulfilled_us)
        ]
        open_rows = [
            r
            for r in metric_rows
            if r.ok is None and r.started_us is not None and r.started_us < period.end_us
        ]
        if not (in_period or samples or open_rows):
            continue
        breached = [r for r in in_period if not r.ok]
        metrics.append(
            MetricSummary(
                metric=metric,
                measured=len(in_period),
                met=len(in_period) - len(breached),
                breached=len(breached),
                open=len(open_rows),
                fulfilled=len(samples),
                median_us=nearest_rank(samples, _HALF),
                p90_us=nearest_rank(samples, _P90),
                breached_tickets=tuple(sorted({r.ticket_id for r in breached}, key=ticket_order)),
            )
        )
    tickets = {r.ticket_id for r in decided}
    breached_tickets = {r.ticket_id for r in decided if not r.ok}
    fcr_rows = [r for r in rows if r.metric == "fcr" and period.contains(r.at_us)]
    ratings = [r for r in rows if r.metric == "csat" and period.contains(r.at_us)]
    return GroupSummary(
        key=key,
        tickets=len(tickets),
        tickets_met=len(tickets - breached_tickets),
        tickets_breached=len(breached_tickets),
        measured=len(decided),
        met=sum(1 for r in decided if r.ok),
        breached=sum(1 for r in decided if not r.ok),
        open=sum(m.open for m in metrics),
        metrics=tuple(metrics),
        fcr=FCRSummary(
            decided=sum(1 for r in fcr_rows if r.ok is not None),
            achieved=sum(1 for r in fcr_rows if r.ok),
            pending=sum(1 for r in fcr_rows if r.ok is None),
            definitions=tuple(sorted({r.definition for r in fcr_rows})),
        ),
        csat=_csat(ratings),
        csat_breached=_csat([r for r in ratings if ticket_state.get(r.ticket_id) is False]),
        csat_met=_csat([r for r in ratings if ticket_state.get(r.ticket_id) is True]),
    )


def _csat(rows: Sequence[Measurement]) -> CSATSummary:
    return CSATSummary(
        responses=len(rows),
        positive=sum(1 for r in rows if r.sentiment is Sentiment.POSITIVE),
        neutral=sum(1 for r in rows if r.sentiment is Sentiment.NEUTRAL),
        negative=sum(1 for r in rows if r.sentiment is Sentiment.NEGATIVE),
        scales=tuple(sorted({r.scale for r in rows})),
    )


def _ticket_states(rows: Iterable[Measurement]) -> dict[str, bool | None]:
    """Per ticket: False when any clock breached, True when its decided clocks all met."""
    state: dict[str, bool | None] = {}
    for row in rows:
        if row.metric in ("fcr", "csat") or row.ok is None:
            continue
        if row.ok is False:
            state[row.ticket_id] = False
        elif state.get(row.ticket_id) is None:
            state[row.ticket_id] = True
    return state


# ---- charts' data ------------------------------------------------------------------------------

# Time-to-first-response buckets for the distribution chart: upper edges in minutes of business
# time; the last bucket is open-ended.
TTFR_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("<15m", 15),
    ("15-30m", 30),
    ("30m-1h", 60),
    ("1-2h", 120),
    ("2-4h", 240),
    ("4-8h", 480),
    ("8-24h", 1440),
    ("24h+", None),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekAttainment:
    week: str
    start_us: int
    end_us: int
    measured: int
    met: int

    @property
    def attainment(self) -> Fraction | None:
        return Fraction(self.met, self.measured) if self.measured else None


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerCredit:
    customer: str
    credit: Fraction  # share of the period fee, summed over the statements
    amount: Any  # Decimal | None
    currency: str
    tickets: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Charts:
    """The data behind the HTML page's charts, computed here so every number is tested."""

    weekly: tuple[tuple[str, tuple[WeekAttainment, ...]], ...]  # per clock metric
    goals: tuple[tuple[str, str, Fraction], ...]  # (metric, policy, goal)
    ttfr: tuple[tuple[str, tuple[int, ...]], ...]  # per priority: counts per TTFR_BUCKETS
    breaches_by_hour: tuple[int, ...]  # 24 counts, hour of the breach in the report's zone
    credits: tuple[CustomerCredit, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "weekly_attainment": {
                metric: [
                    {
                        "week": w.week,
                        "measured": w.measured,
                        "met": w.met,
                        "attainment_pct": _pct(w.attainment),
                    }
                    for w in weeks
                ]
                for metric, weeks in self.weekly
            },
            "goals": [{"metric": m, "policy": p, "goal_pct": _pct(g)} for m, p, g in self.goals],
            "ttfr_buckets": [label for label, _ in TTFR_BUCKETS],
            "ttfr_by_priority": {priority: list(counts) for priority, counts in self.ttfr},
            "breaches_by_hour": list(self.breaches_by_hour),
            "credits_by_customer": [
                {
                    "customer": c.customer,
                    "credit_pct": _pct(c.credit),
                    "amount": None if c.amount is None else str(c.amount),
                    "currency": c.currency,
                    "tickets": list(c.tickets),
                }
                for c in self.credits
            ],
        }


def _ttfr_bucket(elapsed_us: int) -> int:
    minutes = Fraction(elapsed_us, 60 * _US)
    for index, (_, edge) in enumerate(TTFR_BUCKETS):
        if edge is not None and minutes < edge:
            return index
    return len(TTFR_BUCKETS) - 1


def _charts(
    rows: Sequence[Measurement],
    period: ReportPeriod,
    policies: Sequence[SLAPolicy],
    contracts: Sequence[PeriodStatement],
) -> Charts:
    weeks = period.weeks()
    clock_rows = [r for r in rows if r.metric not in ("fcr", "csat") and r.ok is not None]
    weekly = []
    for metric in sorted({r.metric for r in clock_rows}, key=_metric_order):
        series = []
        for week in weeks:
            hits = [r for r in clock_rows if r.metric == metric and week.contains(r.at_us)]
            series.append(
                WeekAttainment(
                    week=week.label,
                    start_us=week.start_us,
                    end_us=week.end_us,
                    measured=len(hits),
                    met=sum(1 for r in hits if r.ok),
                )
            )
        weekly.append((metric, tuple(series)))
    goals = sorted(
        {
            (goal.metric, policy.name, goal.goal)
            for policy in policies
            for goal in policy.contract.goals
        },
        key=lambda g: (_metric_order(g[0]), g[1]),
    )
    ttfr: dict[str, list[int]] = {}
    for row in rows:
        if (
            row.metric == "first_response"
            and row.elapsed_us is not None
            and period.contains(row.fulfilled_us)
        ):
            counts = ttfr.setdefault(row.priority, [0] * len(TTFR_BUCKETS))
            counts[_ttfr_bucket(row.elapsed_us)] += 1
    priority_order = ["urgent", "high", "normal", "low"]
    ttfr_sorted = sorted(
        ttfr.items(),
        key=lambda kv: (
            priority_order.index(kv[0]) if kv[0] in priority_order else len(priority_order),
            kv[0],
        ),
    )
    hours = [0] * 24
    zone = period.zone
    for row in clock_rows:
        if row.ok is False and period.contains(row.at_us):
            assert row.at_us is not None
            hours[from_us(row.at_us, zone).hour] += 1
    credits: dict[str, list[PeriodStatement]] = defaultdict(list)
    for statement in contracts:
        credits[statement.customer].append(statement)
    customer_credits = []
    for customer in sorted(credits):
        items = credits[customer]
        amounts = [s.net_amount for s in items]
        fee = items[0].fee
        customer_credits.append(
            CustomerCredit(
                customer=customer,
                credit=sum((s.net for s in items), Fraction(0)),
                amount=None
                if any(a is None for a in amounts)
                else sum(a for a in amounts if a is not None),
                currency=fee.currency if fee else "",
                tickets=tuple(
                    sorted(
                        {t for s in items for c in s.credits for t in c.tickets}, key=ticket_order
                    )
                ),
            )
        )
    return Charts(
        weekly=tuple(weekly),
        goals=tuple(goals),
        ttfr=tuple((p, tuple(c)) for p, c in ttfr_sorted),
        breaches_by_hour=tuple(hours),
        credits=tuple(customer_credits),
    )


# ---- contracts ---------------------------------------------------------------------------------


def _contracts(
    rows: Sequence[Measurement],
    period: ReportPeriod,
    policies: Sequence[SLAPolicy],
    fees: FeeTable | None,
    as_of_us: int,
) -> tuple[PeriodStatement, ...]:
    out: list[PeriodStatement] = []
    for policy in policies:
        contract = policy.contract
        if not contract.goals:
            continue
        wanted = period.slo_periods(contract.period)
        if not wanted:
            continue
        lookback = contract.clawback.after if contract.clawback else 0
        history = [wanted[0].shift(-n) for n in range(lookback, 0, -1)]
        slo_periods = [*history, *wanted]
        first_start, last_end = slo_periods[0].start_us, slo_periods[-1].end_us
        policy_rows = [r for r in rows if r.policy == policy.name and r.ok is not None]
        customers = sorted(
            {
                r.customer
                for r in policy_rows
                if r.at_us is not None and first_start <= r.at_us < last_end
            }
        )
        for customer in customers:
            mine = [r for r in policy_rows if r.customer == customer]
            inputs = []
            for slo_period in slo_periods:
                outcomes = []
                for goal in contract.goals:
                    hits = tuple(
                        (r.ticket_id, bool(r.ok))
                        for r in mine
                        if r.metric == goal.metric
                        and slo_period.contains(r.at_us)
                        and goal.applies_to(r.priority)
                    )
                    outcomes.append(GoalOutcomes(goal=goal, outcomes=hits))
                inputs.append((slo_period.label, tuple(outcomes), slo_period.end_us > as_of_us))
            result = statements(
                contract,
                customer=customer,
                policy=policy.name,
                periods=inputs,
                fee=fees.get(customer) if fees is not None else None,
            )
            out.extend(result[lookback:])
    return tuple(out)


# ---- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """An SLA report for one period: totals, groups, contract statements and chart data."""

    period: ReportPeriod
    as_of_us: int
    by: tuple[Dimension, ...]
    total: GroupSummary
    groups: tuple[GroupSummary, ...]
    contracts: tuple[PeriodStatement, ...]
    charts: Charts
    measurements: tuple[Measurement, ...]

    @property
    def as_of(self) -> datetime:
        return from_us(self.as_of_us, self.period.zone)

    @property
    def provisional(self) -> bool:
        """The period is not over as of the evaluation instant."""
        return self.as_of_us < self.period.end_us

    def group(self, **key: str) -> GroupSummary | None:
        """The group whose key has these values, e.g. ``report.group(customer="acme")``."""
        for group in self.groups:
            if dict(group.key) == key:
                return group
        return None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of everything in the report."""
        return {
            "period": self.period.to_dict(),
            "as_of": self.as_of.isoformat(),
            "provisional": self.provisional,
            "by": [d.value for d in self.by],
            "definitions": DEFINITIONS,
            "total": self.total.to_dict(),
            "groups": [g.to_dict() for g in self.groups],
            "contracts": [_statement_dict(s) for s in self.contracts],
            "charts": self.charts.to_dict(),
        }

    def to_csv(self) -> str:
        """One row per group and measure (each clock metric, fcr, csat)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        dims = [d.value for d in self.by]
        writer.writerow(
            [
                "period",
                *dims,
                "measure",
                "measured",
                "met",
                "not_met",
                "open",
                "attainment_pct",
                "median_seconds",
                "p90_seconds",
            ]
        )
        for group in self.groups or (self.total,):
            values = [v for _, v in group.key] if group.key else ["" for _ in dims]
            head = [self.period.label, *values]
            for m in group.metrics:
                writer.writerow(
                    [
                        *head,
                        m.metric,
                        m.measured,
                        m.met,
                        m.breached,
                        m.open,
                        _csv_pct(m.attainment),
                        _seconds(m.median_us) or "",
                        _seconds(m.p90_us) or "",
                    ]
                )
            fcr = group.fcr
            if fcr.decided or fcr.pending:
                writer.writerow(
                    [
                        *head,
                        "fcr",
                        fcr.decided,
                        fcr.achieved,
                        fcr.decided - fcr.achieved,
                        fcr.pending,
                        _csv_pct(fcr.rate),
                        "",
                        "",
                    ]
                )
            csat = group.csat
            if csat.responses:
                writer.writerow(
                    [
                        *head,
                        "csat",
                        csat.responses,
                        csat.positive,
                        csat.responses - csat.positive,
                        0,
                        _csv_pct(csat.share),
                        "",
                        "",
                    ]
                )
        return out.getvalue()

    def credits_csv(self) -> str:
        """One row per credit, cap and clawback line, with the tickets behind each credit."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "customer",
                "policy",
                "period",
                "provisional",
                "line",
                "goal",
                "attainment_pct",
                "below_pct",
                "credit_pct",
                "amount",
                "currency",
                "tickets",
            ]
        )
        for s in self.contracts:
            currency = s.fee.currency if s.fee else ""
            head = [s.customer, s.policy, s.period, "yes" if s.provisional else "no"]
            for c in s.credits:
                writer.writerow(
                    [
                        *head,
                        "credit",
                        c.goal,
                        _csv_pct(c.attainment),
                        _csv_pct(c.below),
                        _csv_pct(c.credit),
                        "" if c.amount is None else str(c.amount),
                        currency,
                        " ".join(c.tickets),
                    ]
                )
            if s.capped < s.gross:
                cut = s.gross - s.capped
                amount = ""
                if s.fee is not None and s.net_amount is not None:
                    total = sum((c.amount or 0 for c in s.credits), 0)
                    amount = str(s.fee.of(s.capped) - total)
                writer.writerow([*head, "cap", "", "", "", _csv_pct(-cut), amount, currency, ""])
            for b in s.clawbacks:
                writer.writerow(
                    [
                        *head,
                        f"clawback of {b.of_period}",
                        "",
                        "",
                        "",
                        _csv_pct(-b.credit),
                        "" if b.amount is None else str(-b.amount),
                        currency,
                        "",
                    ]
                )
        return out.getvalue()


DEFINITIONS = {
    "attainment": "met clocks / decided clocks; a clock is decided when it breaches or is "
    "fulfilled within target",
    "period_rule": "a clock counts in the period of its breach (if it breached) or of its "
    "fulfilment; FCR in the period of the first solve; CSAT in the period of the rating; "
    "business-time statistics over clocks fulfilled in the period",
    "percentiles": "nearest rank over business time (the smallest value with at least that "
    "share of the values at or below it)",
    "csat": "positive ratings / all ratings; good is positive; on a numeric scale the top "
    "quarter is positive (4-5 of 1-5), the bottom 40% negative, the rest neutral",
    "csat_breached_vs_met": "ratings of tickets with any breached clock vs. ratings of tickets "
    "whose decided clocks all met",
}


def build_report(
    records: Iterable[TicketRecord],
    period: ReportPeriod,
    *,
    as_of_us: int,
    by: Sequence[Dimension | str] = (),
    policies: SLAPolicy | PolicySet | Iterable[SLAPolicy] = (),
    fees: FeeTable | None = None,
) -> Report:
    """A report over ticket records (already evaluated, ideally as of the period's end).

    ``policies`` supply the SLO goals and credit tiers (``SLAPolicy.contract``); ``fees`` turn
    credit shares into amounts. ``as_of_us`` marks which SLO periods are still provisional.
    """
    dims = tuple(d if isinstance(d, Dimension) else Dimension.parse(d) for d in by)
    if len(set(dims)) != len(dims):
        raise ConfigurationError("--by: a dimension is given twice", subject="by")
    policy_list = _policy_list(policies)
    rows = tuple(m for record in records for m in measurements_of(record))
    state = _ticket_states(rows)
    total = _summarize((), rows, period, state)
    groups: list[GroupSummary] = []
    if dims:
        grouped: dict[tuple[str, ...], list[Measurement]] = defaultdict(list)
        for row in rows:
            grouped[tuple(row.value(d) for d in dims)].append(row)
        for values in sorted(grouped):
            summary = _summarize(
                tuple(zip((d.value for d in dims), values, strict=True)),
                grouped[values],
                period,
                state,
            )
            if _has_data(summary):
                groups.append(summary)
    contracts = _contracts(rows, period, policy_list, fees, as_of_us)
    return Report(
        period=period,
        as_of_us=as_of_us,
        by=dims,
        total=total,
        groups=tuple(groups),
        contracts=contracts,
        charts=_charts(rows, period, policy_list, contracts),
        measurements=rows,
    )


def report_from_events(
    events: Iterable[TicketEvent],
    policies: SLAPolicy | PolicySet,
    period: ReportPeriod,
    *,
    now: datetime,
    by: Sequence[Dimension | str] = (),
    fees: FeeTable | None = None,
) -> Report:
    """Fold every ticket's events as of the end of ``period`` (or ``now`` if earlier) and
    report on them: the pure path from a JSON-lines event file to a report."""
    as_of = min(period.end_us, to_us(now, "now"))
    records = records_from_events(events, policies, as_of)
    return build_report(
        records, period, as_of_us=as_of, by=by, policies=PolicySet.of(policies).all(), fees=fees
    )


def _policy_list(policies: SLAPolicy | PolicySet | Iterable[SLAPolicy]) -> list[SLAPolicy]:
    if isinstance(policies, SLAPolicy):
        return [policies]
    if isinstance(policies, PolicySet):
        return list(policies.all())
    return list(policies)


def _has_data(summary: GroupSummary) -> bool:
    return bool(
        summary.measured
        or summary.open
        or any(m.fulfilled for m in summary.metrics)
        or summary.fcr.decided
        or summary.fcr.pending
        or summary.csat.responses
    )


# ---- formatting helpers -------------------------------------------------------------------------


def _pct(share: Fraction | None) -> float | None:
    """A share as a percentage rounded to two decimals, for JSON."""
    if share is None:
        return None
    return round(float(share * 100), 2)


def _csv_pct(share: Fraction | None) -> str:
    return "" if share is None else format_share(share).rstrip("%")


def _seconds(us: int | None) -> float | None:
    return None if us is None else us / _US


def _duration(us: int | None) -> str | None:
    return None if us is None else format_duration(timedelta(microseconds=us))


def _statement_dict(s: PeriodStatement) -> dict[str, Any]:
    currency = s.fee.currency if s.fee else ""
    return {
        "customer": s.customer,
        "policy": s.policy,
        "period": s.period,
        "provisional": s.provisional,
        "fee": None if s.fee is None else str(s.fee.fee),
        "currency": currency,
        "verdicts": [
            {
                "goal": v.metric,
                "priorities": v.goal.scope,
                "goal_pct": _pct(v.goal.goal),
                "status": v.status.value,
                "measured": v.measured,
                "met": v.met,
                "attainment_pct": _pct(v.attainment),
                "shortfall_points": _pct(v.shortfall) if v.status is VerdictStatus.MISSED else 0,
                "needed": v.needed,
                "failing_tickets": list(v.failing),
                "text": v.describe(),
            }
            for v in s.verdicts
        ],
        "credits": [
            {
                "goal": c.goal,
                "attainment_pct": _pct(c.attainment),
                "below_pct": _pct(c.below),
                "credit_pct": _pct(c.credit),
                "amount": None if c.amount is None else str(c.amount),
                "tickets": list(c.tickets),
                "text": c.describe(),
            }
            for c in s.credits
        ],
        "gross_pct": _pct(s.gross),
        "capped_pct": _pct(s.capped),
        "clawbacks": [
            {
                "of_period": b.of_period,
                "share_pct": _pct(b.share),
                "credit_pct": _pct(b.credit),
                "amount": None if b.amount is None else str(b.amount),
                "good_periods": list(b.good_periods),
                "text": b.describe(),
            }
            for b in s.clawbacks
        ],
        "net_pct": _pct(s.net),
        "net_amount": None if s.net_amount is None else str(s.net_amount),
    }


# ---- what-if: one period under two policies ---------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One figure under the current (``before``) and the proposed (``after``) policy.

    ``unit`` is ``share`` (a Fraction of one), ``count`` or ``money`` (a Decimal).
    """

    group: str
    measure: str
    unit: str
    before: Any
    after: Any

    @property
    def delta(self) -> Any:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    def text(self, value: Any) -> str:
        if value is None:
            return "-"
        if self.unit == "share":
            return format_share(value, places=1)
        if self.unit == "money":
            return f"{value:,.2f}"
        return str(value)

    def delta_text(self) -> str:
        delta = self.delta
        if delta is None:
            return "-"
        if self.unit == "share":
            points = format_share(delta, places=1)[:-1]
            return ("+" if delta > 0 else "") + points + " pts"
        if self.unit == "money":
            return f"{delta:+,.2f}"
        return f"{delta:+d}"

    def to_dict(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            if value is None:
                return None
            if self.unit == "share":
                return _pct(value)
            return str(value) if self.unit == "money" else value

        return {
            "group": self.group,
            "measure": self.measure,
            "unit": "percent" if self.unit == "share" else self.unit,
            "before": plain(self.before),
            "after": plain(self.after),
            "delta": None if self.delta is None else plain(self.delta),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatIf:
    """The same tickets and period reported under the current and a proposed policy."""

    before: Report
    after: Report
    changes: tuple[Change, ...]
    newly_breached: tuple[tuple[str, str, int], ...]  # (ticket, metric, cycle)
    newly_met: tuple[tuple[str, str, int], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.before.period.to_dict(),
            "changes": [c.to_dict() for c in self.changes],
            "newly_breached": [
                {"ticket_id": t, "metric": m, "cycle": c} for t, m, c in self.newly_breached
            ],
            "newly_met": [{"ticket_id": t, "metric": m, "cycle": c} for t, m, c in self.newly_met],
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
        }


def compare_reports(before: Report, after: Report) -> WhatIf:
    """What changes from ``before`` to ``after``: attainment, breaches, FCR, CSAT and credits,
    in total and per group, and which clocks of the period flip between met and breached."""
    changes: list[Change] = []
    pairs: list[tuple[str, GroupSummary | None, GroupSummary | None]] = [
        ("all tickets", before.total, after.total)
    ]
    labels = sorted({g.label for g in before.groups} | {g.label for g in after.groups})
    lookup_before = {g.label: g for g in before.groups}
    lookup_after = {g.label: g for g in after.groups}
    pairs.extend((label, lookup_before.get(label), lookup_after.get(label)) for label in labels)
    for label, old, new in pairs:
        changes.append(
            Change(
                group=label,
                measure="attainment",
                unit="share",
                before=old.attainment if old else None,
                after=new.attainment if new else None,
            )
        )
        changes.append(
            Change(
                group=label,
                measure="breaches",
                unit="count",
                before=old.breached if old else 0,
                after=new.breached if new else 0,
            )
        )
        metrics = sorted({m.metric for g in (old, new) if g for m in g.metrics}, key=_metric_order)
        for metric in metrics:
            a = old.metric(metric) if old else None
            b = new.metric(metric) if new else None
            changes.append(
                Change(
                    group=label,
                    measure=f"{metric} attainment",
                    unit="share",
                    before=a.attainment if a else None,
                    after=b.attainment if b else None,
                )
            )
        changes.append(
            Change(
                group=label,
                measure="fcr",
                unit="share",
                before=old.fcr.rate if old else None,
                after=new.fcr.rate if new else None,
            )
        )
        changes.append(
            Change(
                group=label,
                measure="csat",
                unit="share",
                before=old.csat.share if old else None,
                after=new.csat.share if new else None,
            )
        )
    credit_before = {c.customer: c for c in before.charts.credits}
    credit_after = {c.customer: c for c in after.charts.credits}
    for customer in sorted(set(credit_before) | set(credit_after)):
        a_credit, b_credit = credit_before.get(customer), credit_after.get(customer)
        changes.append(
            Change(
                group=f"customer {customer}",
                measure="credits (share of fee)",
                unit="share",
                before=a_credit.credit if a_credit else Fraction(0),
                after=b_credit.credit if b_credit else Fraction(0),
            )
        )
        amounts = [c.amount for c in (a_credit, b_credit) if c is not None]
        if amounts and all(a is not None for a in amounts):
            zero = amounts[0] - amounts[0]
            changes.append(
                Change(
                    group=f"customer {customer}",
                    measure="credits (amount)",
                    unit="money",
                    before=a_credit.amount if a_credit else zero,
                    after=b_credit.amount if b_credit else zero,
                )
            )
    return WhatIf(
        before=before,
        after=after,
        changes=tuple(changes),
        newly_breached=_flips(before, after, to=False),
        newly_met=_flips(before, after, to=True),
    )


def _flips(before: Report, after: Report, *, to: bool) -> tuple[tuple[str, str, int], ...]:
    def decided(report: Report) -> dict[tuple[str, str, int], bool]:
        return {
            (m.ticket_id, m.metric, m.cycle): bool(m.ok)
            for m in report.measurements
            if m.metric not in ("fcr", "csat")
            and m.ok is not None
            and report.period.contains(m.at_us)
        }

    old, new = decided(before), decided(after)
    flipped = [k for k, ok in new.items() if ok is to and old.get(k) is (not to)]
    return tuple(sorted(flipped, key=lambda k: (ticket_order(k[0]), k[1], k[2])))
