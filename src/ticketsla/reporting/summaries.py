"""Summaries of a group of measurements: attainment, business-time percentiles, FCR and CSAT."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..contract_terms import ticket_order
from ..metrics import PRESETS
from ..outcomes import CSAT_MEASURE, FCR_MEASURE, OUTCOME_MEASURES, Sentiment
from .formatting import duration_text, percent_of, seconds_or_none
from .measures import Measurement
from .periods import ReportPeriod

__all__ = ["CSATSummary", "FCRSummary", "GroupSummary", "MetricSummary", "nearest_rank"]

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
            "attainment_pct": percent_of(self.attainment),
            "fulfilled": self.fulfilled,
            "median_seconds": seconds_or_none(self.median_us),
            "p90_seconds": seconds_or_none(self.p90_us),
            "median": duration_text(self.median_us),
            "p90": duration_text(self.p90_us),
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
            "rate_pct": percent_of(self.rate),
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
            "csat_pct": percent_of(self.share),
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
            "attainment_pct": percent_of(self.attainment),
            "metrics": [m.to_dict() for m in self.metrics],
            FCR_MEASURE: self.fcr.to_dict(),
            CSAT_MEASURE: self.csat.to_dict(),
            "csat_breached": self.csat_breached.to_dict(),
            "csat_met": self.csat_met.to_dict(),
        }


def metric_order(name: str) -> tuple[int, str]:
    presets = list(PRESETS)
    return (presets.index(name) if name in presets else len(presets), name)


def summarize(
    key: tuple[tuple[str, str], ...],
    rows: Sequence[Measurement],
    period: ReportPeriod,
    ticket_state: Mapping[str, bool | None],
) -> GroupSummary:
    clocks = [r for r in rows if r.metric not in OUTCOME_MEASURES]
    decided = [r for r in clocks if r.ok is not None and period.contains(r.at_us)]
    by_metric: dict[str, list[Measurement]] = defaultdict(list)
    for row in clocks:
        by_metric[row.metric].append(row)
    metrics = [
        summary
        for metric in sorted(by_metric, key=metric_order)
        if (summary := _metric_summary(metric, by_metric[metric], period)) is not None
    ]
    tickets = {r.ticket_id for r in decided}
    breached_tickets = {r.ticket_id for r in decided if not r.ok}
    fcr_rows = [r for r in rows if r.metric == FCR_MEASURE and period.contains(r.at_us)]
    ratings = [r for r in rows if r.metric == CSAT_MEASURE and period.contains(r.at_us)]
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


def _metric_summary(
    metric: str, metric_rows: Sequence[Measurement], period: ReportPeriod
) -> MetricSummary | None:
    """One clock metric's figures in ``period``; None when it has nothing there."""
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
        return None
    breached = [r for r in in_period if not r.ok]
    return MetricSummary(
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


def _csat(rows: Sequence[Measurement]) -> CSATSummary:
    return CSATSummary(
        responses=len(rows),
        positive=sum(1 for r in rows if r.sentiment is Sentiment.POSITIVE),
        neutral=sum(1 for r in rows if r.sentiment is Sentiment.NEUTRAL),
        negative=sum(1 for r in rows if r.sentiment is Sentiment.NEGATIVE),
        scales=tuple(sorted({r.scale for r in rows})),
    )


def ticket_states(rows: Iterable[Measurement]) -> dict[str, bool | None]:
    """Per ticket: False when any clock breached, True when its decided clocks all met."""
    state: dict[str, bool | None] = {}
    for row in rows:
        if row.metric in OUTCOME_MEASURES or row.ok is None:
            continue
        if row.ok is False:
            state[row.ticket_id] = False
        elif state.get(row.ticket_id) is None:
            state[row.ticket_id] = True
    return state
