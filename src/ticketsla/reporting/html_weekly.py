"""The HTML report's weekly attainment chart: one panel per clock metric, one bar series per
policy, and each policy's SLO goal marked only over that policy's own bars.

The vertical axis starts below the lowest goal (not at 0 %) so that goals of 90-99 % are told
apart; a week below the axis shows a short bar with its value written on it. A week in which
nothing was decided reads "no data", which is distinct from a week at 0 %.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from .._instants import from_us
from ..contract_terms import format_share
from .build import Report
from .html_charts import PALETTE, escape_html, svg_number
from .periods import ReportPeriod

__all__ = ["WeeklyPanel", "WeeklySeries", "axis_floor", "weekly_chart", "weekly_panels"]

_GOAL = "#1d2330"
_ALL_TICKETS = "all tickets"


@dataclass(frozen=True, slots=True)
class WeeklySeries:
    """Decided and met clocks per week for one policy (or for all tickets)."""

    name: str
    measured: tuple[int, ...]
    met: tuple[int, ...]
    goal: Fraction | None

    def share(self, week: int) -> Fraction | None:
        return Fraction(self.met[week], self.measured[week]) if self.measured[week] else None


@dataclass(frozen=True, slots=True)
class WeeklyPanel:
    metric: str
    series: tuple[WeeklySeries, ...]


def weekly_panels(report: Report) -> tuple[tuple[ReportPeriod, ...], tuple[WeeklyPanel, ...]]:
    """The weeks of the period and, per clock metric, the series to draw.

    A metric with SLO goals gets one series per policy that decided a clock of it, so that each
    goal sits over the tickets it applies to; a metric without goals gets one series of all
    tickets (the report's own weekly figures).
    """
    weeks = report.period.weeks()
    goals: dict[str, dict[str, Fraction]] = {}
    for metric, policy, goal in report.charts.goals:
        goals.setdefault(metric, {})[policy] = goal
    panels = []
    for metric, overall in report.charts.weekly:
        if metric not in goals:
            series = WeeklySeries(
                _ALL_TICKETS,
                tuple(w.measured for w in overall),
                tuple(w.met for w in overall),
                None,
            )
            panels.append(WeeklyPanel(metric, (series,)))
            continue
        decided = [
            m
            for m in report.measurements
            if m.metric == metric and m.ok is not None and m.at_us is not None
        ]
        names = sorted({m.policy for m in decided} | set(goals[metric]))
        per_policy = []
        for name in names:
            rows = [m for m in decided if m.policy == name]
            measured = tuple(sum(1 for m in rows if week.contains(m.at_us)) for week in weeks)
            met = tuple(sum(1 for m in rows if m.ok and week.contains(m.at_us)) for week in weeks)
            per_policy.append(WeeklySeries(name, measured, met, goals[metric].get(name)))
        panels.append(WeeklyPanel(metric, tuple(per_policy)))
    return weeks, tuple(panels)


def axis_floor(panel: WeeklyPanel) -> int:
    """Where a panel's percentage axis starts: 15 points under its lowest goal, rounded down to
    ten (0 without goals, at most 80)."""
    lowest = [float(s.goal * 100) for s in panel.series if s.goal is not None]
    if not lowest:
        return 0
    return int(max(0, min(80, (min(lowest) - 15) // 10 * 10)))


def _week_label(week: ReportPeriod) -> str:
    start = from_us(week.start_us, week.zone)
    return f"{start.day} {start:%b}"


def weekly_chart(report: Report, *, width: int = 520) -> str:
    """The chart as an inline SVG (id ``weekly-attainment``)."""
    weeks, panels = weekly_panels(report)
    names = sorted({s.name for p in panels for s in p.series})
    colour = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    left, right, panel_gap, plot_h = 48, 12, 58, 120
    legend_h = 26
    plot_w = width - left - right
    height = legend_h + max(len(panels), 1) * (plot_h + panel_gap) + 4
    parts = [
        f'<svg class="chart" id="weekly-attainment" data-chart="weekly-attainment" role="img" '
        f'aria-labelledby="weekly-attainment-title" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        '<title id="weekly-attainment-title">Attainment per week against the goal</title>',
        _legend(
            names if len(names) > 1 else [],
            colour,
            left,
            has_goal=any(s.goal is not None for p in panels for s in p.series),
        ),
    ]
    if not panels:
        parts.append(
            f'<text class="empty" x="{left + plot_w / 2}" y="{legend_h + plot_h / 2}" '
            f'text-anchor="middle">no data in this period</text>'
        )
    for index, panel in enumerate(panels):
        top = legend_h + index * (plot_h + panel_gap) + 18
        parts.append(_panel(panel, weeks, top, left, plot_w, plot_h, colour, names=len(names) > 1))
    parts.append("</svg>")
    return "".join(parts)


def _legend(names: Sequence[str], colour: dict[str, str], left: int, *, has_goal: bool) -> str:
    items = []
    x = float(left)
    for name in names:
        items.append(
            f'<g transform="translate({svg_number(x)} 0)"><rect x="0" y="-9" width="10" height="10" '
            f'fill="{colour[name]}"/><text class="legend" x="14" y="0">{escape_html(name)}</text></g>'
        )
        x += 28 + 7 * len(name)
    if has_goal:
        items.append(
            f'<g transform="translate({svg_number(x)} 0)"><line class="goal" x1="0" x2="16" y1="-4" '
            f'y2="-4" stroke="{_GOAL}"/><text class="legend" x="20" y="0">SLO goal</text></g>'
        )
    return f'<g class="legend-row" transform="translate(0 14)">{"".join(items)}</g>'


def _panel(
    panel: WeeklyPanel,
    weeks: Sequence[ReportPeriod],
    top: float,
    left: int,
    plot_w: int,
    plot_h: int,
    colour: dict[str, str],
    *,
    names: bool,
) -> str:
    several = len(panel.series) > 1
    floor = axis_floor(panel)
    span = 100 - floor
    step = 10 if span <= 60 else 25 if span == 100 else 20
    goals = ", ".join(
        f"{format_share(s.goal)}" + (f" ({s.name})" if names else "")
        for s in panel.series
        if s.goal is not None
    )
    heading = panel.metric.replace("_", " ") + (f": goal {goals}" if goals else ": no SLO goal")
    parts = [
        f'<text class="panel-title" x="{left}" y="{svg_number(top - 6)}">{escape_html(heading)}</text>'
    ]

    def y_of(pct: float) -> float:
        return top + plot_h - plot_h * (max(pct, floor) - floor) / (100 - floor)

    for value in range(100, floor - 1, -step):  # from the top, so 100 % is always marked
        y = y_of(value)
        parts.append(
            f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{svg_number(y)}" y2="{svg_number(y)}"/>'
            f'<text class="tick" x="{left - 6}" y="{svg_number(y + 4)}" text-anchor="end">{value}%</text>'
        )
    group_w = plot_w / max(len(weeks), 1)
    bar_w = group_w * 0.8 / max(len(panel.series), 1)
    base = top + plot_h
    for i, week in enumerate(weeks):
        x0 = left + group_w * i + group_w * 0.1
        parts.extend(_week_bars(panel, i, week, x0, bar_w, base, y_of, floor, colour))
        parts.append(
            f'<text class="tick" x="{svg_number(left + group_w * (i + 0.5))}" y="{svg_number(base + 16)}" '
            f'text-anchor="middle">{escape_html(_week_label(week))}</text>'
        )
    if not several:
        for series in panel.series:
            if series.goal is not None:
                gy = y_of(float(series.goal * 100))
                parts.append(
                    f'<line class="goal" x1="{left}" x2="{left + plot_w}" y1="{svg_number(gy)}" '
                    f'y2="{svg_number(gy)}" stroke="{_GOAL}"><title>{escape_html(series.name)} goal '
                    f"{escape_html(format_share(series.goal))}</title></line>"
                )
    parts.append(
        f'<line class="axis" x1="{left}" x2="{left + plot_w}" y1="{svg_number(base)}" y2="{svg_number(base)}"/>'
    )
    return f'<g class="panel" data-metric="{escape_html(panel.metric)}">{"".join(parts)}</g>'


def _week_bars(
    panel: WeeklyPanel,
    i: int,
    week: ReportPeriod,
    x0: float,
    bar_w: float,
    base: float,
    y_of: Callable[[float], float],
    floor: int,
    colour: dict[str, str],
) -> list[str]:
    """The bars of week ``i``: one per series, a "no data" mark, the value of a bar below the
    axis floor, and each series' goal mark when the panel has several."""
    several = len(panel.series) > 1
    parts: list[str] = []
    for j, series in enumerate(panel.series):
        x = x0 + bar_w * j
        share = series.share(i)
        label = f"{series.name}, week of {_week_label(week)}"
        if share is None:
            parts.append(
                f'<text class="nodata" transform="translate({svg_number(x + bar_w / 2 + 3)} '
                f'{svg_number(base - 4)}) rotate(-90)">no data<title>{escape_html(label)}: no clock '
                f"decided</title></text>"
            )
            continue
        pct = float(share * 100)
        y = min(y_of(pct), base - 3)
        tip = f"{label}: {format_share(share)} ({series.met[i]} of {series.measured[i]} met)"
        parts.append(
            f'<rect class="bar" x="{svg_number(x)}" y="{svg_number(y)}" width="{svg_number(max(bar_w - 1, 1))}" '
            f'height="{svg_number(base - y)}" fill="{colour[series.name]}"><title>{escape_html(tip)}</title>'
            f"</rect>"
        )
        if pct < floor:
            parts.append(
                f'<text class="below" transform="translate({svg_number(x + bar_w / 2 + 3)} '
                f'{svg_number(base - 6)}) rotate(-90)">{escape_html(format_share(share))}</text>'
            )
        if series.goal is not None and several:
            gy = y_of(float(series.goal * 100))
            parts.append(
                f'<line class="goal" x1="{svg_number(x - 1)}" x2="{svg_number(x + bar_w)}" '
                f'y1="{svg_number(gy)}" y2="{svg_number(gy)}" stroke="{_GOAL}"><title>'
                f"{escape_html(series.name)} goal {escape_html(format_share(series.goal))}</title></line>"
            )
    return parts
