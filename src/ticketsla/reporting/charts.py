"""The data behind the report's charts: weekly attainment, the time-to-first-response
distribution, credits by customer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .._instants import from_us
from ..contract_terms import ticket_order
from ..events import Priority
from ..outcomes import OUTCOME_MEASURES
from ..policy import SLAPolicy
from .formatting import percent_of
from .measures import US_PER_SECOND, Measurement
from .periods import ReportPeriod
from .statements import PeriodStatement
from .summaries import metric_order

__all__ = ["TTFR_BUCKETS"]

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
    amount: Decimal | None
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
                        "attainment_pct": percent_of(w.attainment),
                    }
                    for w in weeks
                ]
                for metric, weeks in self.weekly
            },
            "goals": [
                {"metric": m, "policy": p, "goal_pct": percent_of(g)} for m, p, g in self.goals
            ],
            "ttfr_buckets": [label for label, _ in TTFR_BUCKETS],
            "ttfr_by_priority": {priority: list(counts) for priority, counts in self.ttfr},
            "breaches_by_hour": list(self.breaches_by_hour),
            "credits_by_customer": [
                {
                    "customer": c.customer,
                    "credit_pct": percent_of(c.credit),
                    "amount": None if c.amount is None else str(c.amount),
                    "currency": c.currency,
                    "tickets": list(c.tickets),
                }
                for c in self.credits
            ],
        }


def _ttfr_bucket(elapsed_us: int) -> int:
    minutes = Fraction(elapsed_us, 60 * US_PER_SECOND)
    for index, (_, edge) in enumerate(TTFR_BUCKETS):
        if edge is not None and minutes < edge:
            return index
    return len(TTFR_BUCKETS) - 1


def charts_of(
    rows: Sequence[Measurement],
    period: ReportPeriod,
    policies: Sequence[SLAPolicy],
    contracts: Sequence[PeriodStatement],
) -> Charts:
    clock_rows = [r for r in rows if r.metric not in OUTCOME_MEASURES and r.ok is not None]
    goals = sorted(
        {
            (goal.metric, policy.name, goal.goal)
            for policy in policies
            for goal in policy.contract.goals
        },
        key=lambda g: (metric_order(g[0]), g[1]),
    )
    return Charts(
        weekly=_weekly(clock_rows, period),
        goals=tuple(goals),
        ttfr=_ttfr(rows, period),
        breaches_by_hour=_breaches_by_hour(clock_rows, period),
        credits=_customer_credits(contracts),
    )


def _weekly(
    clock_rows: Sequence[Measurement], period: ReportPeriod
) -> tuple[tuple[str, tuple[WeekAttainment, ...]], ...]:
    weeks = period.weeks()
    weekly = []
    for metric in sorted({r.metric for r in clock_rows}, key=metric_order):
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
    return tuple(weekly)


def _ttfr(
    rows: Sequence[Measurement], period: ReportPeriod
) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """First responses given in the period per priority (most urgent first), per time band."""
    ttfr: dict[str, list[int]] = {}
    for row in rows:
        if (
            row.metric == "first_response"
            and row.elapsed_us is not None
            and period.contains(row.fulfilled_us)
        ):
            counts = ttfr.setdefault(row.priority, [0] * len(TTFR_BUCKETS))
            counts[_ttfr_bucket(row.elapsed_us)] += 1
    priority_order = [p.value for p in Priority]  # most urgent first
    ttfr_sorted = sorted(
        ttfr.items(),
        key=lambda kv: (
            priority_order.index(kv[0]) if kv[0] in priority_order else len(priority_order),
            kv[0],
        ),
    )
    return tuple((p, tuple(c)) for p, c in ttfr_sorted)


def _breaches_by_hour(clock_rows: Sequence[Measurement], period: ReportPeriod) -> tuple[int, ...]:
    hours = [0] * 24
    zone = period.zone
    for row in clock_rows:
        if row.ok is False and period.contains(row.at_us):
            assert row.at_us is not None
            hours[from_us(row.at_us, zone).hour] += 1
    return tuple(hours)


def _customer_credits(contracts: Sequence[PeriodStatement]) -> tuple[CustomerCredit, ...]:
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
                else sum((a for a in amounts if a is not None), Decimal(0)),
                currency=fee.currency if fee else "",
                tickets=tuple(
                    sorted(
                        {t for s in items for c in s.credits for t in c.tickets}, key=ticket_order
                    )
                ),
            )
        )
    return tuple(customer_credits)
