"""The tables of the HTML report: summary, per metric, CSAT, SLO verdicts and service credits,
as escaped HTML with sortable columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

from ..contract_terms import VerdictStatus, format_share
from ..durations import format_duration
from .build import Report
from .html_charts import escape_html
from .measures import NONE
from .statements import PeriodStatement
from .summaries import GroupSummary

_MAX_TICKETS_SHOWN = 50


class _Markup(str):
    """A cell's content that is already HTML (built here from escaped parts)."""

    __slots__ = ()


def html_table(
    header: Sequence[str], rows: Sequence[Sequence[tuple[str, str | None]]], *, css: str = ""
) -> str:
    """A sortable table; each cell is (text, sort key or None). Every cell carries its column's
    heading (``data-label``) so that narrow screens can show each row as a card."""
    head = "".join(f'<th scope="col">{escape_html(h)}</th>' for h in header)
    body = []
    for row in rows:
        cells = []
        for (text, key), label in zip(row, header, strict=True):
            sort = "" if key is None else f' data-sort="{escape_html(key)}"'
            content = text if isinstance(text, _Markup) else escape_html(text)
            cells.append(f'<td data-label="{escape_html(label)}"{sort}>{content}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not rows:
        body.append(f'<tr><td colspan="{len(header)}">nothing in this period</td></tr>')
    return (
        f'<div class="table"><table class="sortable {css}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _pct_cell(share: Fraction | None) -> tuple[str, str | None]:
    return format_share(share, places=1), None if share is None else f"{float(share):.6f}"


def _int_cell(value: int) -> tuple[str, str | None]:
    return str(value), str(value)


def _dur_cell(us: int | None) -> tuple[str, str | None]:
    if us is None:
        return "-", None
    return format_duration(timedelta(microseconds=us)), str(us)


def summary_rows(report: Report) -> list[list[tuple[str, str | None]]]:
    groups = report.groups or (report.total,)
    rows = []
    for group in groups:
        rows.append(_summary_row(report, group))
    if report.groups:
        rows.append(_summary_row(report, report.total))
    return rows


def _summary_row(report: Report, group: GroupSummary) -> list[tuple[str, str | None]]:
    key = dict(group.key)
    cells: list[tuple[str, str | None]] = [
        (key.get(d.value, "all" if not group.key else NONE), None) for d in report.by
    ] or [("all tickets", None)]
    first, resolution = group.metric("first_response"), group.metric("resolution")
    return [
        *cells,
        _int_cell(group.tickets),
        _int_cell(group.measured),
        _int_cell(group.met),
        _int_cell(group.breached),
        _pct_cell(group.attainment),
        _dur_cell(first.median_us if first else None),
        _dur_cell(first.p90_us if first else None),
        _dur_cell(resolution.median_us if resolution else None),
        _dur_cell(resolution.p90_us if resolution else None),
        _pct_cell(group.fcr.rate),
        _pct_cell(group.csat.share),
        _int_cell(group.csat.responses),
    ]


def metric_table_rows(report: Report) -> list[list[tuple[str, str | None]]]:
    rows = []
    for group in report.groups or (report.total,):
        for m in group.metrics:
            rows.append(
                [
                    (group.label, None),
                    (m.metric, None),
                    _int_cell(m.measured),
                    _int_cell(m.met),
                    _int_cell(m.breached),
                    _int_cell(m.open),
                    _pct_cell(m.attainment),
                    _dur_cell(m.median_us),
                    _dur_cell(m.p90_us),
                ]
            )
    return rows


def csat_rows(report: Report) -> list[list[tuple[str, str | None]]]:
    rows = []
    for group in report.groups or (report.total,):
        c, b, m = group.csat, group.csat_breached, group.csat_met
        if not c.responses:
            continue
        rows.append(
            [
                (group.label, None),
                _pct_cell(c.share),
                _int_cell(c.responses),
                (", ".join(c.scales), None),
                _pct_cell(b.share),
                _int_cell(b.responses),
                _pct_cell(m.share),
                _int_cell(m.responses),
            ]
        )
    return rows


def _tickets(ids: Sequence[str]) -> _Markup:
    """A collapsed list of ticket ids; an id never wraps inside itself."""
    if not ids:
        return _Markup("")
    shown = ", ".join(f'<span class="id">{escape_html(i)}</span>' for i in ids[:_MAX_TICKETS_SHOWN])
    more = len(ids) - _MAX_TICKETS_SHOWN
    rest = f" and {more} more (see the JSON or CSV output)" if more > 0 else ""
    count = f"{len(ids)} ticket" + ("" if len(ids) == 1 else "s")
    return _Markup(f"<details><summary>{count}</summary>{shown}{rest}</details>")


_BADGES = {
    VerdictStatus.MET: ("met", "\u2714 met"),
    VerdictStatus.MISSED: ("missed", "\u2718 missed"),
    VerdictStatus.NOT_ASSESSED: ("not-assessed", "\u2013 not assessed"),
}


def _badge(status: VerdictStatus, provisional: bool) -> tuple[str, str | None]:
    """The verdict in colour and in words (the words alone still read in black and white)."""
    css, words = _BADGES[status]
    note = ' <span class="note">provisional</span>' if provisional else ""
    return _Markup(f'<span class="badge {css}">{words}</span>{note}'), None


def verdict_rows(statements: Sequence[PeriodStatement]) -> list[list[tuple[str, str | None]]]:
    rows = []
    for s in statements:
        for v in s.verdicts:
            by = format_share(v.shortfall)[:-1] + " pts" if v.status is VerdictStatus.MISSED else ""
            rows.append(
                [
                    (s.customer, None),
                    (s.policy, None),
                    (s.period, None),
                    (v.metric, None),
                    (format_share(v.goal.goal), None),
                    _pct_cell(v.attainment),
                    (f"{v.met} of {v.measured}", str(v.measured)),
                    _badge(v.status, s.provisional),
                    (by, None),
                    _int_cell(v.needed),
                    (_tickets(v.failing) if v.status is VerdictStatus.MISSED else "", None),
                ]
            )
    return rows


def _money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return "-"
    return f"{amount:,.2f} {currency}".strip()


def _credit_tickets(statement: PeriodStatement, goal: str, tickets: Sequence[str]) -> _Markup:
    """The tickets behind a credit: a pointer to the verdict that already lists them, or the
    list itself when no verdict does."""
    for v in statement.verdicts:
        if v.metric == goal and v.status is VerdictStatus.MISSED and set(v.failing) == set(tickets):
            n = len(tickets)
            return _Markup(
                f"the {n} ticket{'' if n == 1 else 's'} listed in the {escape_html(goal)} verdict above"
            )
    return _tickets(tickets)


def credit_rows(statements: Sequence[PeriodStatement]) -> list[list[tuple[str, str | None]]]:
    rows = []
    for s in statements:
        currency = s.fee.currency if s.fee else ""
        for c in s.credits:
            rows.append(
                [
                    (s.customer, None),
                    (s.period, None),
                    (c.goal, None),
                    (f"{format_share(c.attainment)} < {format_share(c.below)}", None),
                    (format_share(c.credit), None),
                    (_money(c.amount, currency), None if c.amount is None else str(c.amount)),
                    (_credit_tickets(s, c.goal, c.tickets), None),
                ]
            )
        if s.capped < s.gross:
            rows.append(
                [
                    (s.customer, None),
                    (s.period, None),
                    ("cap", None),
                    (f"credits {format_share(s.gross)} > cap {format_share(s.capped)}", None),
                    ("-" + format_share(s.gross - s.capped), None),
                    ("", None),
                    ("", None),
                ]
            )
        for b in s.clawbacks:
            rows.append(
                [
                    (s.customer, None),
                    (s.period, None),
                    (f"clawback of {b.of_period}", None),
                    (f"good periods: {', '.join(b.good_periods)}", None),
                    ("-" + format_share(b.credit), None),
                    (_money(None if b.amount is None else -b.amount, currency), None),
                    ("", None),
                ]
            )
        if s.credits or s.clawbacks:
            rows.append(
                [
                    (s.customer, None),
                    (s.period, None),
                    ("net", None),
                    ("", None),
                    (format_share(s.net), None),
                    (_money(s.net_amount, currency), None),
                    ("", None),
                ]
            )
    return rows


# ---- the page ------------------------------------------------------------------------------
