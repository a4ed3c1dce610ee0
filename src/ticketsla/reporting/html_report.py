"""One self-contained HTML page for a report: inline CSS, inline SVG charts, tables, no network.

``render_html(report)`` returns the page as text. Every text that comes from data (customer
names, ticket ids, policy names) is escaped. The page loads nothing: a Content-Security-Policy
forbids every fetch, and the only script (sortable tables) is inline. After it runs, the script
marks the page ``data-ready="1"`` and counts the charts the browser laid out in
``data-charts-drawn`` (the Chromium test reads both).

Charts: attainment per week against the goal line(s), time to first response per priority,
breaches by hour of day, credits per customer. Their numbers come from ``Report.charts``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from ..contract_terms import VerdictStatus, format_share
from ..durations import format_duration
from .build import Report
from .charts import TTFR_BUCKETS
from .html_weekly import weekly_chart
from .measures import NONE
from .periods import ReportPeriod
from .statements import PeriodStatement
from .summaries import GroupSummary

__all__ = ["render_html"]

_PALETTE = ("#2f6fdf", "#e07b24", "#2e9e5b", "#c2417a", "#7a5cc9", "#8a8f1f", "#1f9aa8")
_BREACH = "#d2453d"
_MAX_TICKETS_SHOWN = 50


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(value: float) -> str:
    """A coordinate with at most one decimal (keeps the SVG small and stable)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten that is at least ``value`` (at least 1)."""
    if value <= 1:
        return 1
    power = 1.0
    while power * 10 <= value:
        power *= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


# ---- charts ------------------------------------------------------------------------------


def _bars(
    *,
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    percent: bool,
    goals: Sequence[tuple[float, str, str]] = (),
    tooltips: Sequence[Sequence[str]] | None = None,
    width: int = 520,
    height: int = 280,
) -> str:
    """A grouped vertical bar chart; ``goals`` are dashed lines (value, label, colour)."""
    legend = _legend(series, goals, width)
    left, right, bottom = 48, 16, 44
    top = 16 + 16 * legend.count('<g class="legend-row"')
    height += top - 34
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, vs in series for v in vs if v is not None]
    # counts get whole-number ticks: four steps of a 1-2-5 size
    y_max = 100.0 if percent else 4 * _nice_max(max(values, default=0) / 4)
    parts = [
        f'<svg class="chart" id="{_h(chart_id)}" data-chart="{_h(chart_id)}" role="img" '
        f'aria-labelledby="{_h(chart_id)}-title" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{_h(chart_id)}-title">{_h(title)}</title>',
    ]
    for step in range(5):
        value = y_max * step / 4
        y = top + plot_h - plot_h * step / 4
        label = f"{value:g}%" if percent else f"{value:g}"
        parts.append(
            f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{_num(y)}" y2="{_num(y)}"/>'
            f'<text class="tick" x="{left - 6}" y="{_num(y + 4)}" text-anchor="end">'
            f"{_h(label)}</text>"
        )
    if not values:
        parts.append(
            f'<text class="empty" x="{left + plot_w / 2}" y="{top + plot_h / 2}" '
            f'text-anchor="middle">no data in this period</text>'
        )
    group_w = plot_w / max(len(categories), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    every = max(1, len(categories) // 12)
    for i, category in enumerate(categories):
        x0 = left + group_w * i + group_w * 0.1
        for j, (name, vs) in enumerate(series):
            point = vs[i]
            if point is None:
                continue
            bar_h = plot_h * min(point, y_max) / y_max
            tip = tooltips[j][i] if tooltips else f"{name} {category}: {point:g}"
            parts.append(
                f'<rect class="bar" x="{_num(x0 + bar_w * j)}" y="{_num(top + plot_h - bar_h)}" '
                f'width="{_num(max(bar_w - 1, 1))}" height="{_num(bar_h)}" '
                f'fill="{_PALETTE[j % len(_PALETTE)] if len(series) > 1 else _color(chart_id)}">'
                f"<title>{_h(tip)}</title></rect>"
            )
        if i % every == 0:
            parts.append(
                f'<text class="tick" x="{_num(left + group_w * (i + 0.5))}" '
                f'y="{top + plot_h + 16}" text-anchor="middle">{_h(category)}</text>'
            )
    for value, label, colour in goals:
        y = top + plot_h - plot_h * min(value, y_max) / y_max
        parts.append(
            f'<line class="goal" x1="{left}" x2="{left + plot_w}" y1="{_num(y)}" '
            f'y2="{_num(y)}" stroke="{colour}"><title>{_h(label)}</title></line>'
        )
    parts.append(
        f'<line class="axis" x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" '
        f'y2="{top + plot_h}"/>'
    )
    parts.append(legend)
    parts.append("</svg>")
    return "".join(parts)


def _legend(
    series: Sequence[tuple[str, Sequence[float | None]]],
    goals: Sequence[tuple[float, str, str]],
    width: int,
) -> str:
    """Legend rows above the plot: a swatch per series (when there are several), then a dashed
    line per goal, wrapping at the chart's width."""
    items = []
    if len(series) > 1:
        items = [
            (
                name,
                f'<rect x="0" y="-9" width="10" height="10" fill="{_PALETTE[j % len(_PALETTE)]}"/>',
            )
            for j, (name, _) in enumerate(series)
        ]
    items += [
        (label, f'<line class="goal" x1="0" x2="14" y1="-4" y2="-4" stroke="{colour}"/>')
        for _, label, colour in goals
    ]
    rows: list[list[str]] = []
    x: float = width  # start a new row at once
    for name, swatch in items:
        size = 24 + 6.5 * len(name)
        if x + size > width - 16:
            rows.append([])
            x = 48
        rows[-1].append(
            f'<g transform="translate({_num(x)} 0)">{swatch}'
            f'<text class="legend" x="{18 if "line" in swatch else 14}" y="0">{_h(name)}</text></g>'
        )
        x += size
    return "".join(
        f'<g class="legend-row" transform="translate(0 {14 + 16 * i})">{"".join(row)}</g>'
        for i, row in enumerate(rows)
    )


def _color(chart_id: str) -> str:
    return _BREACH if chart_id == "breaches-by-hour" else _PALETTE[0]


def _hbars(
    *, chart_id: str, title: str, rows: Sequence[tuple[str, float, str]], width: int = 520
) -> str:
    """A horizontal bar chart: (label, value, text shown at the bar's end)."""
    left, right, top, row_h = 130, 110, 12, 26
    height = top * 2 + row_h * max(len(rows), 1)
    plot_w = width - left - right
    peak = max((v for _, v, _ in rows), default=0) or 1
    parts = [
        f'<svg class="chart" id="{_h(chart_id)}" data-chart="{_h(chart_id)}" role="img" '
        f'aria-labelledby="{_h(chart_id)}-title" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{_h(chart_id)}-title">{_h(title)}</title>',
    ]
    if not rows:
        parts.append(
            f'<text class="empty" x="{width / 2}" y="{top + row_h / 2 + 4}" '
            f'text-anchor="middle">no credits in this period</text>'
        )
    for i, (label, value, text) in enumerate(rows):
        y = top + row_h * i
        bar = plot_w * max(value, 0) / peak
        parts.append(
            f'<text class="tick" x="{left - 8}" y="{_num(y + row_h / 2 + 4)}" '
            f'text-anchor="end">{_h(label)}</text>'
            f'<rect class="bar" x="{left}" y="{_num(y + 4)}" width="{_num(max(bar, 1))}" '
            f'height="{row_h - 8}" fill="{_PALETTE[1]}"><title>{_h(label)}: {_h(text)}</title>'
            f"</rect>"
            f'<text class="value" x="{_num(left + bar + 6)}" y="{_num(y + row_h / 2 + 4)}">'
            f"{_h(text)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _pct_value(share: Fraction | None) -> float | None:
    return None if share is None else float(share * 100)


def _ttfr_chart(report: Report) -> str:
    ttfr = report.charts.ttfr
    return _bars(
        chart_id="ttfr-distribution",
        title="Time to first response (business time) per priority",
        categories=[label for label, _ in TTFR_BUCKETS],
        series=[(priority, [float(c) for c in counts]) for priority, counts in ttfr],
        percent=False,
        tooltips=[
            [
                f"{priority}, {label}: {count} tickets"
                for (label, _), count in zip(TTFR_BUCKETS, counts, strict=True)
            ]
            for priority, counts in ttfr
        ],
    )


def _hours_chart(report: Report) -> str:
    counts = report.charts.breaches_by_hour
    return _bars(
        chart_id="breaches-by-hour",
        title=f"Breaches by hour of day ({report.period.timezone})",
        categories=[f"{h:02d}" for h in range(24)],
        series=[("breaches", [float(c) for c in counts] if any(counts) else [None] * 24)],
        percent=False,
        tooltips=[[f"{h:02d}:00-{h:02d}:59: {c} breaches" for h, c in enumerate(counts)]],
    )


def _credits_chart(report: Report) -> str:
    credits = report.charts.credits
    use_amounts = bool(credits) and all(c.amount is not None for c in credits)
    rows = []
    for c in credits:
        if use_amounts:
            amount = c.amount if c.amount is not None else Decimal(0)  # all known here
            text = f"{amount:,.2f} {c.currency}".strip() + f" ({format_share(c.credit)})"
            rows.append((c.customer, float(amount), text))
        else:
            rows.append((c.customer, float(c.credit * 100), f"{format_share(c.credit)} of fee"))
    return _hbars(chart_id="credits-by-customer", title="Service credits per customer", rows=rows)


# ---- tables --------------------------------------------------------------------------------


class _Markup(str):
    """A cell's content that is already HTML (built here from escaped parts)."""

    __slots__ = ()


def _table(
    header: Sequence[str], rows: Sequence[Sequence[tuple[str, str | None]]], *, css: str = ""
) -> str:
    """A sortable table; each cell is (text, sort key or None). Every cell carries its column's
    heading (``data-label``) so that narrow screens can show each row as a card."""
    head = "".join(f'<th scope="col">{_h(h)}</th>' for h in header)
    body = []
    for row in rows:
        cells = []
        for (text, key), label in zip(row, header, strict=True):
            sort = "" if key is None else f' data-sort="{_h(key)}"'
            content = text if isinstance(text, _Markup) else _h(text)
            cells.append(f'<td data-label="{_h(label)}"{sort}>{content}</td>')
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


def _summary_rows(report: Report) -> list[list[tuple[str, str | None]]]:
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


def _metric_rows(report: Report) -> list[list[tuple[str, str | None]]]:
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


def _csat_rows(report: Report) -> list[list[tuple[str, str | None]]]:
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
    shown = ", ".join(f'<span class="id">{_h(i)}</span>' for i in ids[:_MAX_TICKETS_SHOWN])
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


def _verdict_rows(statements: Sequence[PeriodStatement]) -> list[list[tuple[str, str | None]]]:
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
                f"the {n} ticket{'' if n == 1 else 's'} listed in the {_h(goal)} verdict above"
            )
    return _tickets(tickets)


def _credit_rows(statements: Sequence[PeriodStatement]) -> list[list[tuple[str, str | None]]]:
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


def _tile(label: str, value: str, note: str = "") -> str:
    extra = f'<div class="note">{_h(note)}</div>' if note else ""
    return f'<div class="tile"><div class="label">{_h(label)}</div><div class="value">{_h(value)}</div>{extra}</div>'


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _period_text(period: ReportPeriod) -> str:
    """``1-31 October 2026``: the first and the last day the period covers."""
    first, last = period.start, period.end - timedelta(microseconds=1)
    if first.date() == last.date():
        return _day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}\u2013{_day(last)}"
    if first.year == last.year:
        return f"{first.day} {first:%B} \u2013 {_day(last)}"
    return f"{_day(first)} \u2013 {_day(last)}"


def _figure(title: str, chart: str, caption: str) -> str:
    return (
        f'<figure><h3 class="chart-title">{_h(title)}</h3>{chart}'
        f"<figcaption>{_h(caption)}</figcaption></figure>"
    )


def render_html(report: Report, *, title: str | None = None) -> str:
    """The report as one self-contained HTML page."""
    total = report.total
    heading = title or f"SLA report {report.period.label}"
    status = " (provisional: the period is not over)" if report.provisional else ""
    by = ", ".join(d.value for d in report.by) or "nothing (all tickets together)"
    tiles = "".join(
        [
            _tile(
                "Attainment",
                format_share(total.attainment, places=1),
                f"{total.met} of {total.measured} targets met",
            ),
            _tile(
                "Tickets measured", str(total.tickets), f"{total.tickets_breached} with a breach"
            ),
            _tile("Breaches", str(total.breached), f"{total.open} clocks still open"),
            _tile(
                "FCR",
                format_share(total.fcr.rate, places=1),
                f"{total.fcr.achieved} of {total.fcr.decided} solved",
            ),
            _tile(
                "CSAT",
                format_share(total.csat.share, places=1),
                f"{total.csat.responses} rating" + ("" if total.csat.responses == 1 else "s"),
            ),
        ]
    )
    group_header = [d.value for d in report.by] or ["group"]
    summary = _table(
        [
            *group_header,
            "tickets",
            "targets",
            "met",
            "breached",
            "attainment",
            "first response median",
            "first response p90",
            "resolution median",
            "resolution p90",
            "FCR",
            "CSAT",
            "CSAT ratings",
        ],
        _summary_rows(report),
        css="summary",
    )
    metrics = _table(
        [
            "group",
            "metric",
            "decided",
            "met",
            "breached",
            "open",
            "attainment",
            "time median",
            "time p90",
        ],
        _metric_rows(report),
    )
    csat = _table(
        [
            "group",
            "CSAT",
            "ratings",
            "scale",
            "CSAT on breached tickets",
            "ratings on breached tickets",
            "CSAT on met tickets",
            "ratings on met tickets",
        ],
        _csat_rows(report),
    )
    verdicts = _table(
        [
            "customer",
            "policy",
            "period",
            "goal",
            "target",
            "attainment",
            "targets met",
            "verdict",
            "missed by",
            "more needed",
            "tickets that fell short",
        ],
        _verdict_rows(report.contracts),
        css="verdicts",
    )
    credits = _table(
        ["customer", "period", "goal", "why", "credit", "amount", "tickets behind it"],
        _credit_rows(report.contracts),
        css="credits",
    )
    fcr_def = "; ".join(total.fcr.definitions) or "no ticket was solved in this period"
    zone, as_of = report.period.timezone, report.as_of
    weekly = _figure(
        f"Attainment per week ({zone} weeks)",
        weekly_chart(report),
        "Share of the targets decided each week that were met, per metric and policy. The dashed "
        "marks are the SLO goals, drawn over the bars of the policy they belong to; the axis "
        "starts below the lowest goal and a week under it is labelled with its value. "
        '"no data": no target was decided that week.',
    )
    ttfr = _figure(
        "Time to first response per priority",
        _ttfr_chart(report),
        "Business time to the first responses given in the period, counted per time band.",
    )
    hours = _figure(
        f"Breaches by hour of day ({zone})",
        _hours_chart(report),
        f"Hour of the day, in {zone}, at which targets were breached.",
    )
    credit_chart = _figure(
        "Service credits per customer",
        _credits_chart(report),
        "Net service credits per customer for the SLO periods ending in this report's period.",
    )
    body = f"""
<header>
<h1>{_h(heading)}</h1>
<p class="meta">{_h(_period_text(report.period))} ({_h(zone)}){_h(status)}. Evaluated as of
{_h(_day(as_of))}, {as_of:%H:%M} {_h(zone)}. Grouped by {_h(by)}.</p>
</header>
<section class="tiles">{tiles}</section>
<section class="charts">
{weekly}
{ttfr}
{hours}
{credit_chart}
</section>
<h2>Summary</h2>
{summary}
<h2>Per metric</h2>
{metrics}
<h2>Customer satisfaction: breached against met tickets</h2>
{csat}
<h2>SLO verdicts</h2>
{verdicts}
<h2>Service credits</h2>
{credits}
<h2>Definitions</h2>
<dl>
<dt>Attainment</dt><dd>Met clocks over decided clocks. A clock is decided when it breaches or
when it is fulfilled within its target; it counts in the period of that instant.</dd>
<dt>Time statistics</dt><dd>Median and 90th percentile (nearest rank) of business time, over the
clocks fulfilled in the period, late ones included.</dd>
<dt>FCR</dt><dd>{_h(fcr_def)}; counted in the period of the first solve.</dd>
<dt>CSAT</dt><dd>Positive ratings over all ratings given in the period; good, or the top quarter
of a number scale (4-5 on 1-5), is positive.</dd>
</dl>
"""
    return _PAGE.format(title=_h(heading), body=body)


_SCRIPT = """
(function () {
  "use strict";
  function key(cell) {
    var raw = cell.getAttribute("data-sort");
    if (raw !== null && raw !== "" && !isNaN(Number(raw))) { return Number(raw); }
    return cell.textContent.trim().toLowerCase();
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var up = th.getAttribute("aria-sort") !== "ascending";
        rows.sort(function (a, b) {
          var x = key(a.cells[index] || a.cells[0]), y = key(b.cells[index] || b.cells[0]);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return up ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
      });
    });
  });
  var drawn = 0;
  Array.prototype.forEach.call(document.querySelectorAll("svg.chart"), function (svg) {
    var box = svg.getBoundingClientRect();
    if (box.width > 0 && box.height > 0 && svg.querySelectorAll("line, rect, text").length > 0) {
      drawn += 1;
    }
  });
  // a printed page shows every ticket list
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
  document.documentElement.setAttribute("data-charts-drawn", String(drawn));
  document.documentElement.setAttribute("data-ready", "1");
})();
"""

_PAGE = (
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{title}</title>
<style>
body {{ font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330;
       margin: 1.5rem auto; max-width: 84rem; padding: 0 1rem; overflow-wrap: break-word; }}
h1 {{ font-size: 1.6rem; margin: 0 0 .2rem; overflow-wrap: normal; }}
h2 {{ font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d5dae3; }}
h3.chart-title {{ font-size: 1rem; margin: .1rem 0 .4rem; }}
.meta {{ color: #566074; margin-top: 0; }}
.tiles {{ display: flex; flex-wrap: wrap; gap: .8rem; margin: 1rem 0; }}
.tile {{ border: 1px solid #d5dae3; border-radius: 6px; padding: .6rem 1rem; min-width: 8rem; }}
.tile .label {{ color: #566074; font-size: .85rem; }}
.tile .value {{ font-size: 1.6rem; font-weight: 600; }}
.tile .note {{ color: #566074; font-size: .8rem; }}
.charts {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 38rem), 1fr));
           gap: 1rem; }}
figure {{ margin: 0; border: 1px solid #e3e7ee; border-radius: 6px; padding: .5rem; min-width: 0; }}
figcaption {{ color: #566074; font-size: .85rem; }}
svg.chart {{ display: block; max-width: 100%; height: auto; }}
svg .grid {{ stroke: #e6e9ef; }}
svg .axis {{ stroke: #8a93a6; }}
svg .goal {{ stroke-width: 2; stroke-dasharray: 5 3; }}
svg text {{ font-size: 12px; fill: #3b4456; }}
svg .panel-title {{ font-size: 13px; font-weight: 600; fill: #1d2330; }}
svg .nodata {{ fill: #8a93a6; font-style: italic; font-size: 10px; }}
svg .below {{ fill: #1d2330; font-size: 10px; font-weight: 600; }}
svg .empty {{ fill: #8a93a6; font-size: 13px; }}
.table {{ max-width: 100%; overflow-x: auto; }}
table {{ border-collapse: collapse; margin: .5rem 0 1rem; width: 100%; }}
th, td {{ border: 1px solid #d5dae3; padding: .25rem .5rem; text-align: left; vertical-align: top; }}
th {{ background: #f1f4f9; cursor: pointer; }}
td[data-sort] {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
.id {{ white-space: nowrap; }}
details summary {{ cursor: pointer; color: #2f5fb3; }}
.badge {{ display: inline-block; padding: 0 .45rem; border-radius: 999px; font-weight: 600;
          white-space: nowrap; border: 1px solid; }}
.badge.met {{ background: #e3f4e8; color: #1c6b3a; border-color: #8fcca4; }}
.badge.missed {{ background: #fbe4e2; color: #a3231b; border-color: #e59a94; }}
.badge.not-assessed {{ background: #eef0f4; color: #4a5366; border-color: #c3c9d4; }}
.note {{ color: #566074; font-size: .85em; }}
dt {{ font-weight: 600; }}
@media (max-width: 40rem) {{
  body {{ padding: 0 .5rem; margin: .8rem auto; }}
  .tile {{ flex: 1 1 8rem; min-width: 0; }}
  table, thead, tbody, tr, td {{ display: block; width: auto; }}
  thead {{ position: absolute; left: -9999px; }}
  tr {{ border: 1px solid #d5dae3; border-radius: 6px; margin-bottom: .6rem; padding: .3rem 0; }}
  td, td[data-sort] {{ border: none; padding: .1rem .6rem; text-align: left; white-space: normal; }}
  td[data-label]::before {{ content: attr(data-label) ": "; color: #566074; }}
}}
@media print {{
  @page {{ margin: 1.5cm; }}
  body {{ max-width: none; margin: 0; padding: 0; font-size: 10pt; color: #000; }}
  th {{ cursor: auto; background: none; }}
  .charts {{ display: block; }}
  figure {{ border: none; padding: 0; margin: 0 0 1rem; break-inside: avoid; }}
  svg.chart {{ max-height: 9cm; width: auto; }}
  tr, .tile, dl {{ break-inside: avoid; }}
  h2 {{ break-after: avoid; }}
  details summary {{ color: #000; }}
  .table {{ overflow: visible; }}
  .badge {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
}}
</style>
</head>
<body>
{body}
<script>"""
    + _SCRIPT.replace("{", "{{").replace("}", "}}")
    + """</script>
</body>
</html>
"""
)
