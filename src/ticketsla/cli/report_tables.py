"""The report and the what-if comparison as rich tables in the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from fractions import Fraction

from rich.console import Console
from rich.table import Table

from ..contract_terms import VerdictStatus, format_share
from ..durations import format_duration
from ..report import GroupSummary, Report, WhatIf
from .terminal import plural, print_table

__all__ = ["print_report", "print_whatif"]


def _pct(share: Fraction | None) -> str:
    return format_share(share, places=1)


def _dur(summary: GroupSummary, metric: str, which: str) -> str:
    found = summary.metric(metric)
    value = None if found is None else found.median_us if which == "median" else found.p90_us
    return "-" if value is None else format_duration(timedelta(microseconds=value))


def print_report(report: Report, console: Console) -> None:
    """The report as rich tables."""
    state = " (provisional: the period is not over)" if report.provisional else ""
    console.print(
        f"SLA report {report.period.label} ({report.period.timezone}), evaluated as of "
        f"{report.as_of.isoformat()}{state}",
        markup=False,
        highlight=False,
    )
    print_table(console, _summary_table(report))
    print_table(console, _metric_table(report))
    _print_outcomes(report, console)
    if report.contracts:
        print_table(console, _verdict_table(report))
        _print_credits(report, console)
        if any(s.provisional for s in report.contracts):
            console.print("* provisional: the SLO period is not over", markup=False)
    _print_escalations(report, console)


def _print_escalations(report: Report, console: Console) -> None:
    """Escalation levels that fired in the period, when the policies have any."""
    counts = report.escalations
    if counts is None:
        return
    if not counts.total:
        console.print("No escalation level fired.", markup=False, highlight=False)
        return
    table = Table(title="Escalations", title_justify="left")
    for name in ("customer", "level", "count"):
        table.add_column(name, justify="right" if name == "count" else "left")
    for customer, level, count in counts.by_customer_level:
        table.add_row(customer, level, str(count))
    print_table(console, table)
    top = counts.top_level_tickets
    console.print(
        f"reached the top level: {plural(len(top), 'ticket')}"
        + (f" ({_short(top)})" if top else ""),
        markup=False,
        highlight=False,
    )


def _summary_table(report: Report) -> Table:
    dims = [d.value for d in report.by]
    summary = Table(title="Summary", title_justify="left")
    for name in dims or ["group"]:
        summary.add_column(name)
    for name in (
        "tickets",
        "targets",
        "met",
        "breached",
        "attainment",
        "1st resp. median",
        "1st resp. p90",
        "resolution median",
        "resolution p90",
        "FCR",
        "CSAT",
    ):
        summary.add_column(name, justify="right")
    rows = [*report.groups, report.total] if report.groups else [report.total]
    for group in rows:
        key = dict(group.key)
        cells = [key.get(d, "all" if not group.key else "") for d in dims] or ["all tickets"]
        summary.add_row(
            *cells,
            str(group.tickets),
            str(group.measured),
            str(group.met),
            str(group.breached),
            _pct(group.attainment),
            _dur(group, "first_response", "median"),
            _dur(group, "first_response", "p90"),
            _dur(group, "resolution", "median"),
            _dur(group, "resolution", "p90"),
            f"{_pct(group.fcr.rate)} of {group.fcr.decided}",
            f"{_pct(group.csat.share)} of {group.csat.responses}",
        )
    return summary


def _metric_table(report: Report) -> Table:
    metrics = Table(title="Per metric", title_justify="left")
    for name in ("group", "metric"):
        metrics.add_column(name)
    for name in ("decided", "met", "breached", "open", "attainment", "median", "p90"):
        metrics.add_column(name, justify="right")
    for group in report.groups or (report.total,):
        for m in group.metrics:
            metrics.add_row(
                group.label,
                m.metric,
                str(m.measured),
                str(m.met),
                str(m.breached),
                str(m.open),
                _pct(m.attainment),
                _dur(group, m.metric, "median"),
                _dur(group, m.metric, "p90"),
            )
    return metrics


def _print_outcomes(report: Report, console: Console) -> None:
    total = report.total
    if total.csat.responses:
        console.print(
            f"CSAT {_pct(total.csat.share)} of {plural(total.csat.responses, 'rating')} "
            f"({', '.join(total.csat.scales)}): tickets with a breach "
            f"{_pct(total.csat_breached.share)} of {total.csat_breached.responses}, tickets "
            f"that met {_pct(total.csat_met.share)} of {total.csat_met.responses}",
            markup=False,
            highlight=False,
        )
    if total.fcr.definitions:
        console.print(f"FCR: {'; '.join(total.fcr.definitions)}", markup=False, highlight=False)


def _verdict_table(report: Report) -> Table:
    verdicts = Table(title="SLO verdicts", title_justify="left")
    for name in ("customer", "policy", "period", "goal", "target"):
        verdicts.add_column(name)
    for name in ("attainment", "met", "verdict", "missed by", "more needed"):
        verdicts.add_column(name, justify="right")
    for s in report.contracts:
        for v in s.verdicts:
            missed = v.status is VerdictStatus.MISSED
            verdicts.add_row(
                s.customer,
                s.policy,
                s.period + (" *" if s.provisional else ""),
                v.metric + ("" if not v.goal.priorities else f" ({v.goal.scope})"),
                format_share(v.goal.goal),
                _pct(v.attainment),
                f"{v.met}/{v.measured}",
                v.status.value.replace("_", " "),
                format_share(v.shortfall, places=1)[:-1] + " pts" if missed else "",
                str(v.needed) if missed else "",
            )
    return verdicts


def _print_credits(report: Report, console: Console) -> None:
    credits = Table(title="Service credits", title_justify="left")
    for name in ("customer", "period", "line", "credit", "amount", "tickets"):
        credits.add_column(name, justify="right" if name in ("credit", "amount") else "left")
    any_line = False
    for s in report.contracts:
        currency = s.fee.currency if s.fee else ""
        for c in s.credits:
            any_line = True
            credits.add_row(
                s.customer,
                s.period,
                f"{c.goal} {format_share(c.attainment)} < {format_share(c.below)}",
                format_share(c.credit),
                "-" if c.amount is None else f"{c.amount:,.2f} {currency}".strip(),
                _short(c.tickets),
            )
        if s.capped < s.gross:
            credits.add_row(
                s.customer, s.period, "cap", "-" + format_share(s.gross - s.capped), "", ""
            )
        for b in s.clawbacks:
            any_line = True
            credits.add_row(
                s.customer,
                s.period,
                f"clawback of {b.of_period}",
                "-" + format_share(b.credit),
                "-" if b.amount is None else f"{-b.amount:,.2f} {currency}".strip(),
                "",
            )
        if s.credits or s.clawbacks:
            amount = s.net_amount
            credits.add_row(
                s.customer,
                s.period,
                "net",
                format_share(s.net),
                "-" if amount is None else f"{amount:,.2f} {currency}".strip(),
                "",
            )
    if any_line:
        print_table(console, credits)
    else:
        console.print("No service credits are owed.", markup=False, highlight=False)


def _short(ids: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" +{len(ids) - limit} more" if len(ids) > limit else "")


def print_whatif(result: WhatIf, console: Console) -> None:
    period = result.before.period
    console.print(
        f"What if, {period.label} ({period.timezone}): current policy -> proposed policy",
        markup=False,
        highlight=False,
    )
    table = Table(title="Changes", title_justify="left")
    for name in ("group", "measure"):
        table.add_column(name)
    for name in ("current", "proposed", "change"):
        table.add_column(name, justify="right")
    for change in result.changes:
        table.add_row(
            change.group,
            change.measure,
            change.text(change.before),
            change.text(change.after),
            change.delta_text(),
        )
    print_table(console, table)
    console.print(
        f"{plural(len(result.newly_breached), 'clock')} would newly breach, "
        f"{len(result.newly_met)} would newly meet their target.",
        markup=False,
        highlight=False,
    )
    for label, items in (
        ("newly breached", result.newly_breached),
        ("newly met", result.newly_met),
    ):
        if items:
            console.print(
                f"{label}: " + _short([f"{t} {m}" for t, m, _ in items], limit=10),
                markup=False,
                highlight=False,
            )
