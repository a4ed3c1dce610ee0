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
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .._instants import from_us, to_us
from ..errors import ConfigurationError
from ..events import TicketEvent
from ..outcomes import CSAT_MEASURE, FCR_MEASURE
from ..policy import PolicySet, SLAPolicy
from .charts import Charts, charts_of
from .escalation_report import EscalationCounts, escalations_of
from .fees import FeeTable
from .formatting import csv_percent, seconds_or_none, statement_dict
from .measures import Dimension, Measurement, TicketRecord, measurements_of, records_from_events
from .periods import ReportPeriod
from .statements import GoalOutcomes, PeriodStatement, statements
from .summaries import GroupSummary, summarize, ticket_states

__all__ = ["Report", "build_report", "report_from_events"]

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
    escalations: EscalationCounts | None = None
    """The escalation levels that fired in the period, per customer and level (None when no
    policy of the report has ``[[escalation]]`` levels)."""

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
            "contracts": [statement_dict(s) for s in self.contracts],
            "charts": self.charts.to_dict(),
            "escalations": None if self.escalations is None else self.escalations.to_dict(),
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
            writer.writerows(_csv_rows(head, group))
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
                        csv_percent(c.attainment),
                        csv_percent(c.below),
                        csv_percent(c.credit),
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
                writer.writerow([*head, "cap", "", "", "", csv_percent(-cut), amount, currency, ""])
            for b in s.clawbacks:
                writer.writerow(
                    [
                        *head,
                        f"clawback of {b.of_period}",
                        "",
                        "",
                        "",
                        csv_percent(-b.credit),
                        "" if b.amount is None else str(-b.amount),
                        currency,
                        "",
                    ]
                )
        return out.getvalue()


def _csv_rows(head: list[str], group: GroupSummary) -> list[list[Any]]:
    """The CSV rows of one group: one per clock metric, then FCR and CSAT when they have data."""
    rows: list[list[Any]] = []
    for m in group.metrics:
        rows.append(
            [
                *head,
                m.metric,
                m.measured,
                m.met,
                m.breached,
                m.open,
                csv_percent(m.attainment),
                seconds_or_none(m.median_us) or "",
                seconds_or_none(m.p90_us) or "",
            ]
        )
    fcr = group.fcr
    if fcr.decided or fcr.pending:
        rows.append(
            [
                *head,
                FCR_MEASURE,
                fcr.decided,
                fcr.achieved,
                fcr.decided - fcr.achieved,
                fcr.pending,
                csv_percent(fcr.rate),
                "",
                "",
            ]
        )
    csat = group.csat
    if csat.responses:
        rows.append(
            [
                *head,
                CSAT_MEASURE,
                csat.responses,
                csat.positive,
                csat.responses - csat.positive,
                0,
                csv_percent(csat.share),
                "",
                "",
            ]
        )
    return rows


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
    records = list(records)
    rows = tuple(m for record in records for m in measurements_of(record))
    state = ticket_states(rows)
    total = summarize((), rows, period, state)
    groups: list[GroupSummary] = []
    if dims:
        grouped: dict[tuple[str, ...], list[Measurement]] = defaultdict(list)
        for row in rows:
            grouped[tuple(row.value(d) for d in dims)].append(row)
        for values in sorted(grouped):
            summary = summarize(
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
        charts=charts_of(rows, period, policy_list, contracts),
        measurements=rows,
        escalations=escalations_of((r.sla for r in records), policy_list, period, as_of_us)
        if any(p.contract.escalation for p in policy_list)
        else None,
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
