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

from datetime import datetime, timedelta

from ..contract_terms import format_share
from .build import Report
from .html_charts import credits_chart, escape_html, hours_chart, ttfr_chart
from .html_tables import (
    credit_rows,
    csat_rows,
    html_table,
    metric_table_rows,
    summary_rows,
    verdict_rows,
)
from .html_weekly import weekly_chart
from .periods import ReportPeriod

__all__ = ["render_html"]


def _tile(label: str, value: str, note: str = "") -> str:
    extra = f'<div class="note">{escape_html(note)}</div>' if note else ""
    return f'<div class="tile"><div class="label">{escape_html(label)}</div><div class="value">{escape_html(value)}</div>{extra}</div>'


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
        f'<figure><h3 class="chart-title">{escape_html(title)}</h3>{chart}'
        f"<figcaption>{escape_html(caption)}</figcaption></figure>"
    )


def render_html(report: Report, *, title: str | None = None) -> str:
    """The report as one self-contained HTML page."""
    total = report.total
    heading = title or f"SLA report {report.period.label}"
    status = " (provisional: the period is not over)" if report.provisional else ""
    by = ", ".join(d.value for d in report.by) or "nothing (all tickets together)"
    fcr_def = "; ".join(total.fcr.definitions) or "no ticket was solved in this period"
    zone, as_of = report.period.timezone, report.as_of
    body = f"""
<header>
<h1>{escape_html(heading)}</h1>
<p class="meta">{escape_html(_period_text(report.period))} ({escape_html(zone)}){escape_html(status)}. Evaluated as of
{escape_html(_day(as_of))}, {as_of:%H:%M} {escape_html(zone)}. Grouped by {escape_html(by)}.</p>
</header>
<section class="tiles">{_tiles(report)}</section>
<section class="charts">
{_figures(report)}
</section>
<h2>Summary</h2>
{_summary_table(report)}
<h2>Per metric</h2>
{_metric_table(report)}
<h2>Customer satisfaction: breached against met tickets</h2>
{_csat_table(report)}
<h2>SLO verdicts</h2>
{_verdict_table(report)}
<h2>Service credits</h2>
{_credit_table(report)}
{_escalations(report)}<h2>Definitions</h2>
<dl>
<dt>Attainment</dt><dd>Met clocks over decided clocks. A clock is decided when it breaches or
when it is fulfilled within its target; it counts in the period of that instant.</dd>
<dt>Time statistics</dt><dd>Median and 90th percentile (nearest rank) of business time, over the
clocks fulfilled in the period, late ones included.</dd>
<dt>FCR</dt><dd>{escape_html(fcr_def)}; counted in the period of the first solve.</dd>
<dt>CSAT</dt><dd>Positive ratings over all ratings given in the period; good, or the top quarter
of a number scale (4-5 on 1-5), is positive.</dd>
</dl>
"""
    return _PAGE.format(title=escape_html(heading), body=body)


def _tiles(report: Report) -> str:
    total = report.total
    return "".join(
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


def _summary_table(report: Report) -> str:
    group_header = [d.value for d in report.by] or ["group"]
    return html_table(
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
        summary_rows(report),
        css="summary",
    )


def _metric_table(report: Report) -> str:
    return html_table(
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
        metric_table_rows(report),
    )


def _csat_table(report: Report) -> str:
    return html_table(
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
        csat_rows(report),
    )


def _verdict_table(report: Report) -> str:
    return html_table(
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
        verdict_rows(report.contracts),
        css="verdicts",
    )


def _credit_table(report: Report) -> str:
    return html_table(
        ["customer", "period", "goal", "why", "credit", "amount", "tickets behind it"],
        credit_rows(report.contracts),
        css="credits",
    )


def _escalations(report: Report) -> str:
    """The escalation levels that fired, per customer and level; nothing when no policy of the
    report escalates."""
    counts = report.escalations
    if counts is None:
        return ""
    rows = [
        [(customer, None), (level, None), (str(count), f"{count:09d}")]
        for customer, level, count in counts.by_customer_level
    ]
    top = counts.top_level_tickets
    reached = f"{len(top)} ticket{'' if len(top) == 1 else 's'} reached the top level"
    if top:
        reached += (
            ": " + ", ".join(top[:20]) + (f" and {len(top) - 20} more" if len(top) > 20 else "")
        )
    return (
        "<h2>Escalations</h2>\n"
        + html_table(["customer", "level", "count"], rows, css="escalations")
        + f"\n<p>{escape_html(reached)}.</p>\n"
    )


def _figures(report: Report) -> str:
    zone = report.period.timezone
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
        ttfr_chart(report),
        "Business time to the first responses given in the period, counted per time band.",
    )
    hours = _figure(
        f"Breaches by hour of day ({zone})",
        hours_chart(report),
        f"Hour of the day, in {zone}, at which targets were breached.",
    )
    credit_chart = _figure(
        "Service credits per customer",
        credits_chart(report),
        "Net service credits per customer for the SLO periods ending in this report's period.",
    )
    return "\n".join([weekly, ttfr, hours, credit_chart])


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
