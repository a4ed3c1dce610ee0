"""The inline SVG charts of the HTML report: bars, horizontal bars, legends, and the charts of time
to first response, breaches by hour and credits per customer. Every text from data is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from ..contract_terms import format_share
from .build import Report
from .charts import TTFR_BUCKETS

PALETTE = ("#2f6fdf", "#e07b24", "#2e9e5b", "#c2417a", "#7a5cc9", "#8a8f1f", "#1f9aa8")
_BREACH = "#d2453d"


def escape_html(text: object) -> str:
    return html.escape(str(text), quote=True)


def svg_number(value: float) -> str:
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
        f'<svg class="chart" id="{escape_html(chart_id)}" data-chart="{escape_html(chart_id)}" role="img" '
        f'aria-labelledby="{escape_html(chart_id)}-title" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape_html(chart_id)}-title">{escape_html(title)}</title>',
    ]
    parts.extend(_y_grid(left, top, plot_w, plot_h, y_max, percent=percent))
    if not values:
        parts.append(
            f'<text class="empty" x="{left + plot_w / 2}" y="{top + plot_h / 2}" '
            f'text-anchor="middle">no data in this period</text>'
        )
    parts.extend(
        _bar_groups(chart_id, categories, series, tooltips, (left, top, plot_w, plot_h), y_max)
    )
    parts.extend(_goal_lines(goals, left, top, plot_w, plot_h, y_max))
    parts.append(
        f'<line class="axis" x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" '
        f'y2="{top + plot_h}"/>'
    )
    parts.append(legend)
    parts.append("</svg>")
    return "".join(parts)


def _bar_groups(
    chart_id: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    tooltips: Sequence[Sequence[str]] | None,
    plot: tuple[int, int, int, int],
    y_max: float,
) -> list[str]:
    """One group of bars a category (a bar a series), and a tick label under every few groups;
    ``plot`` is the plot area's (left, top, width, height)."""
    left, top, plot_w, plot_h = plot
    marks: list[str] = []
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
            marks.append(
                f'<rect class="bar" x="{svg_number(x0 + bar_w * j)}" y="{svg_number(top + plot_h - bar_h)}" '
                f'width="{svg_number(max(bar_w - 1, 1))}" height="{svg_number(bar_h)}" '
                f'fill="{PALETTE[j % len(PALETTE)] if len(series) > 1 else _color(chart_id)}">'
                f"<title>{escape_html(tip)}</title></rect>"
            )
        if i % every == 0:
            marks.append(
                f'<text class="tick" x="{svg_number(left + group_w * (i + 0.5))}" '
                f'y="{top + plot_h + 16}" text-anchor="middle">{escape_html(category)}</text>'
            )
    return marks


def _y_grid(
    left: int, top: int, plot_w: int, plot_h: int, y_max: float, *, percent: bool
) -> list[str]:
    """Five grid lines with their values, from the axis to ``y_max``."""
    parts = []
    for step in range(5):
        value = y_max * step / 4
        y = top + plot_h - plot_h * step / 4
        label = f"{value:g}%" if percent else f"{value:g}"
        parts.append(
            f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{svg_number(y)}" y2="{svg_number(y)}"/>'
            f'<text class="tick" x="{left - 6}" y="{svg_number(y + 4)}" text-anchor="end">'
            f"{escape_html(label)}</text>"
        )
    return parts


def _goal_lines(
    goals: Sequence[tuple[float, str, str]],
    left: int,
    top: int,
    plot_w: int,
    plot_h: int,
    y_max: float,
) -> list[str]:
    """Dashed lines across the plot at each goal (value, label, colour)."""
    parts = []
    for value, label, colour in goals:
        y = top + plot_h - plot_h * min(value, y_max) / y_max
        parts.append(
            f'<line class="goal" x1="{left}" x2="{left + plot_w}" y1="{svg_number(y)}" '
            f'y2="{svg_number(y)}" stroke="{colour}"><title>{escape_html(label)}</title></line>'
        )
    return parts


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
                f'<rect x="0" y="-9" width="10" height="10" fill="{PALETTE[j % len(PALETTE)]}"/>',
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
            f'<g transform="translate({svg_number(x)} 0)">{swatch}'
            f'<text class="legend" x="{18 if "line" in swatch else 14}" y="0">{escape_html(name)}</text></g>'
        )
        x += size
    return "".join(
        f'<g class="legend-row" transform="translate(0 {14 + 16 * i})">{"".join(row)}</g>'
        for i, row in enumerate(rows)
    )


def _color(chart_id: str) -> str:
    return _BREACH if chart_id == "breaches-by-hour" else PALETTE[0]


def _hbars(
    *, chart_id: str, title: str, rows: Sequence[tuple[str, float, str]], width: int = 520
) -> str:
    """A horizontal bar chart: (label, value, text shown at the bar's end)."""
    left, right, top, row_h = 130, 110, 12, 26
    height = top * 2 + row_h * max(len(rows), 1)
    plot_w = width - left - right
    peak = max((v for _, v, _ in rows), default=0) or 1
    parts = [
        f'<svg class="chart" id="{escape_html(chart_id)}" data-chart="{escape_html(chart_id)}" role="img" '
        f'aria-labelledby="{escape_html(chart_id)}-title" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape_html(chart_id)}-title">{escape_html(title)}</title>',
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
            f'<text class="tick" x="{left - 8}" y="{svg_number(y + row_h / 2 + 4)}" '
            f'text-anchor="end">{escape_html(label)}</text>'
            f'<rect class="bar" x="{left}" y="{svg_number(y + 4)}" width="{svg_number(max(bar, 1))}" '
            f'height="{row_h - 8}" fill="{PALETTE[1]}"><title>{escape_html(label)}: {escape_html(text)}</title>'
            f"</rect>"
            f'<text class="value" x="{svg_number(left + bar + 6)}" y="{svg_number(y + row_h / 2 + 4)}">'
            f"{escape_html(text)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _pct_value(share: Fraction | None) -> float | None:
    return None if share is None else float(share * 100)


def ttfr_chart(report: Report) -> str:
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


def hours_chart(report: Report) -> str:
    counts = report.charts.breaches_by_hour
    return _bars(
        chart_id="breaches-by-hour",
        title=f"Breaches by hour of day ({report.period.timezone})",
        categories=[f"{h:02d}" for h in range(24)],
        series=[("breaches", [float(c) for c in counts] if any(counts) else [None] * 24)],
        percent=False,
        tooltips=[[f"{h:02d}:00-{h:02d}:59: {c} breaches" for h, c in enumerate(counts)]],
    )


def credits_chart(report: Report) -> str:
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
