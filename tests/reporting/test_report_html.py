"""The HTML report page: self-contained, escaped, with its four titled charts and tables that
read at a glance; and opened in headless Chromium at 1400 and 400 px, where its script runs
without errors, lays out every chart, and nothing overflows sideways."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from support.browser import chromium, render
from support.report_builders import at, policy, ticket
from ticketsla import PolicySet, TicketEvent
from ticketsla._demo import DemoResult
from ticketsla.contract import Fee, FeeTable
from ticketsla.html_report import render_html
from ticketsla.html_weekly import axis_floor, weekly_panels
from ticketsla.report import Report, ReportPeriod, report_from_events

CONTRACT = {
    "slo": {"first_response": "90%", "resolution": "90%"},
    "credits": [{"goal": "first_response", "below": "90%", "credit": "10%"}],
}
EVIL = '<script>alert("x")</script> & "Co"'


def sample_report() -> Report:
    """acme: one ticket met, one breached (credited); a customer with a hostile name: met."""
    events: list[TicketEvent] = [
        *ticket(
            "T1",
            "2026-10-05T10:00Z",
            reply="2026-10-05T10:10Z",
            solved="2026-10-05T11:00Z",
            rating="good",
        ),
        *ticket(
            "T2",
            "2026-10-19T10:00Z",
            reply="2026-10-19T12:00Z",
            solved="2026-10-19T13:00Z",
            rating="bad",
            priority="urgent",
        ),
        *ticket(
            "T3",
            "2026-10-20T10:00Z",
            reply="2026-10-20T10:05Z",
            solved="2026-10-20T11:00Z",
            organization=EVIL,
        ),
    ]
    fees = FeeTable((Fee(customer="acme", fee=Decimal("1000"), currency="EUR"),))
    return report_from_events(
        events,
        policy(CONTRACT),
        ReportPeriod.parse("2026-10"),
        now=at("2026-12-01T00:00Z"),
        by=("customer",),
        fees=fees,
    )


def two_policy_report() -> Report:
    """acme on gold (first response goal 99%), initech on standard (goal 90%); acme decides
    nothing in week 42 and misses everything in week 43."""
    gold = policy({"slo": {"first_response": "99%"}}, name="gold", match={"organization": ["acme"]})
    standard = policy({"slo": {"first_response": "90%"}}, name="standard")
    events: list[TicketEvent] = [
        *ticket("A1", "2026-10-05T10:00Z", reply="2026-10-05T10:10Z"),
        *ticket("A2", "2026-10-19T10:00Z", reply="2026-10-19T13:00Z"),
        *ticket("I1", "2026-10-05T10:00Z", reply="2026-10-05T10:30Z", organization="initech"),
        *ticket("I2", "2026-10-12T10:00Z", reply="2026-10-12T10:30Z", organization="initech"),
        *ticket("I3", "2026-10-19T10:00Z", reply="2026-10-19T10:30Z", organization="initech"),
    ]
    return report_from_events(
        events,
        PolicySet([gold], default=standard),
        ReportPeriod.parse("2026-10"),
        now=at("2026-12-01T00:00Z"),
        by=("customer",),
    )


def test_the_page_has_four_titled_charts_and_the_tables() -> None:
    """Weekly attainment, time to first response, breaches by hour and credits, each under a
    visible title; the two charts placed in time name the report's zone."""
    page = render_html(sample_report())
    charts = re.findall(r'<svg class="chart" id="([a-z-]+)"', page)
    assert charts == [
        "weekly-attainment",
        "ttfr-distribution",
        "breaches-by-hour",
        "credits-by-customer",
    ]
    titles = re.findall(r'<h3 class="chart-title">([^<]*)</h3>', page)
    assert titles == [
        "Attainment per week (UTC weeks)",
        "Time to first response per priority",
        "Breaches by hour of day (UTC)",
        "Service credits per customer",
    ]
    assert page.count("<table") == 5
    assert "first response: goal 90%" in page
    assert "1,000" not in page
    assert "100.00 EUR" in page


def test_the_header_writes_dates_for_people() -> None:
    """The period and the evaluation instant read as people write them, not ISO 8601."""
    page = render_html(sample_report())
    header = page[page.index("<header>") : page.index("</header>")]
    assert "1\u201331 October 2026 (UTC)" in header
    assert "Evaluated as of\n1 November 2026, 00:00 UTC" in header
    assert "T00:00:00" not in page
    assert "+00:00" not in page


def test_verdicts_are_badges_in_colour_and_words() -> None:
    """met, missed and not assessed each get a coloured badge that also says the verdict."""
    page = render_html(sample_report())
    assert '<span class="badge met">\u2714 met</span>' in page
    assert '<span class="badge missed">\u2718 missed</span>' in page
    thin = report_from_events(
        ticket("T1", "2026-10-05T10:00Z", reply="2026-10-05T10:10Z"),
        policy({"slo": {"first_response": {"goal": "90%", "min_tickets": 5}}}),
        ReportPeriod.parse("2026-10"),
        now=at("2026-12-01T00:00Z"),
        by=("customer",),
    )
    assert '<span class="badge not-assessed">\u2013 not assessed</span>' in render_html(thin)
    css = page[page.index("<style>") : page.index("</style>")]
    for name in ("met", "missed", "not-assessed"):
        assert f".badge.{name} {{ background:" in css


def test_goals_are_drawn_only_over_their_policys_bars() -> None:
    """Each policy is its own series with its own goal; the axis starts under the lowest goal."""
    report = two_policy_report()
    weeks, panels = weekly_panels(report)
    assert [w.label for w in weeks][:3] == ["2026-W40", "2026-W41", "2026-W42"]
    first, resolution = panels
    assert first.metric == "first_response"
    assert [(s.name, s.goal) for s in resolution.series] == [("all tickets", None)]
    assert [(s.name, s.goal) for s in first.series] == [
        ("gold", Fraction(99, 100)),
        ("standard", Fraction(90, 100)),
    ]
    assert (axis_floor(first), axis_floor(resolution)) == (70, 0)
    page = render_html(report)
    chart = page[page.index('data-metric="first_response"') : page.index("</svg>")]
    chart = chart[: chart.index('data-metric="resolution"')]
    goal_titles = re.findall(r'<line class="goal"[^>]*><title>([^<]*)</title>', chart)
    # one mark per bar of each policy: gold decided in 2 weeks, standard in 3
    assert sorted(goal_titles) == ["gold goal 99%"] * 2 + ["standard goal 90%"] * 3
    ticks = re.findall(r'text-anchor="end">(\d+)%</text>', chart)
    assert ticks == ["100", "90", "80", "70"]


def test_no_data_is_not_zero_percent() -> None:
    """A week where nothing was decided says "no data"; a week at 0 % shows a bar labelled 0%."""
    page = render_html(two_policy_report())
    chart = page[page.index('id="weekly-attainment"') : page.index("</svg>")]
    assert "gold, week of 12 Oct: no clock decided" in chart
    assert chart.count(">no data<") >= 1
    assert "gold, week of 19 Oct: 0% (0 of 1 met)" in chart
    assert re.search(r'<text class="below"[^>]*>0%</text>', chart)


def test_ticket_lists_are_collapsed_and_shown_once() -> None:
    """The tickets behind a missed goal are listed once, folded, each id kept whole; the credit
    they cause points to that list."""
    page = render_html(sample_report())
    assert page.count('<span class="id">T2</span>') == 1
    assert '<details><summary>1 ticket</summary><span class="id">T2</span></details>' in page
    assert "the 1 ticket listed in the first_response verdict above" in page


def test_column_headings_are_distinct_in_every_table() -> None:
    """No table repeats a heading (the CSAT table says whose ratings each column counts)."""
    page = render_html(sample_report())
    for table in re.findall(r"<thead>(.*?)</thead>", page):
        headings = re.findall(r'<th scope="col">([^<]*)</th>', table)
        assert len(headings) == len(set(headings)), headings
    assert "ratings on breached tickets" in page


def test_the_page_has_a_print_stylesheet() -> None:
    """Printing drops the screen chrome, keeps rows and charts whole, and opens ticket lists."""
    page = render_html(sample_report())
    assert "@media print" in page
    assert "break-inside: avoid" in page
    assert 'addEventListener("beforeprint"' in page


def test_every_data_text_is_escaped() -> None:
    """A customer named with markup shows as text: no tag of it reaches the page."""
    page = render_html(sample_report())
    assert EVIL not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Co&quot;" in page
    assert page.count("<script>") == 1  # the page's own


def test_the_page_loads_nothing_from_anywhere() -> None:
    """No src, href, url() or @import: the page needs no network, and its policy forbids it."""
    page = render_html(sample_report())
    for needle in ("src=", "href=", "url(", "@import", "//cdn", "https://"):
        assert needle not in page
    assert "Content-Security-Policy\" content=\"default-src 'none'" in page


def test_an_empty_period_still_renders_its_charts() -> None:
    """With no tickets every chart says there is no data instead of failing."""
    empty = report_from_events(
        [], policy(), ReportPeriod.parse("2026-10"), now=at("2026-12-01T00:00Z")
    )
    page = render_html(empty)
    assert page.count('<svg class="chart"') == 4
    assert page.count("no data in this period") == 3
    assert "no credits in this period" in page


needs_chromium = pytest.mark.skipif(
    chromium() is None,
    reason="no chromium on PATH (Debian: apt-get install -y chromium); the page was not "
    "opened in a browser",
)


@needs_chromium
def test_chromium_renders_the_charts_and_tables_without_errors(tmp_path: Path) -> None:
    """Headless Chromium at 1400 px loads the page from a file: its script runs to the end
    (data-ready), lays out all four charts, and logs no uncaught error or blocked load."""
    shown = render(render_html(sample_report()), tmp_path, width=1400)
    assert shown.number("data-ready") == 1
    assert shown.number("data-charts-drawn") == 4
    assert shown.dom.count("<svg") == 4
    assert shown.dom.count("<table") == 5
    assert '<span class="id">T2</span>' in shown.dom  # behind the credit, in the verdicts table
    assert shown.number("data-scroll-width") <= shown.number("data-client-width")
    errors = [line for line in shown.console if "Uncaught" in line or "Refused" in line]
    assert not errors, shown.console


@needs_chromium
def test_nothing_overflows_sideways_at_400_px(tmp_path: Path) -> None:
    """In a 400 px window the page is no wider than the window: charts shrink, tables become
    one card per row, long names and ticket lists wrap between words."""
    shown = render(render_html(sample_report()), tmp_path, width=400)
    assert shown.number("data-client-width") == 400
    assert shown.number("data-scroll-width") <= 400, shown.text("data-too-wide")
    assert shown.number("data-charts-drawn") == 4


@needs_chromium
@pytest.mark.parametrize("width", [400, 1400])
def test_the_demo_report_fits_the_window(demo: DemoResult, tmp_path: Path, width: int) -> None:
    """The demo's page (five customers, three policies, long ticket lists) is no wider than a
    400 px or a 1400 px window, and every chart is laid out."""
    shown = render(demo.html.read_text(encoding="utf-8"), tmp_path, width=width)
    assert shown.number("data-client-width") == width
    assert shown.number("data-scroll-width") <= width, shown.text("data-too-wide")
    assert shown.number("data-charts-drawn") == 4
    errors = [line for line in shown.console if "Uncaught" in line or "Refused" in line]
    assert not errors, shown.console
