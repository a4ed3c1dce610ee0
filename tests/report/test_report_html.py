"""The HTML report page: self-contained, escaped, with its four charts and tables; and opened in
headless Chromium, where its script runs without errors and lays out every chart."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from report_helpers import at, policy, ticket

from ticketsla import TicketEvent
from ticketsla.contract import Fee, FeeTable
from ticketsla.html_report import render_html
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


def test_the_page_has_four_charts_and_the_tables() -> None:
    """Weekly attainment, time to first response, breaches by hour and credits, plus tables."""
    page = render_html(sample_report())
    charts = re.findall(r'<svg class="chart" id="([a-z-]+)"', page)
    assert charts == [
        "weekly-attainment",
        "ttfr-distribution",
        "breaches-by-hour",
        "credits-by-customer",
    ]
    assert page.count("<table") == 5
    assert "first_response goal 90% (gold)" in page
    assert "1,000" not in page
    assert "100.00 EUR" in page


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


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.skipif(
    chromium() is None,
    reason="no chromium on PATH (Debian: apt-get install -y chromium); the page was not "
    "opened in a browser",
)
def test_chromium_renders_the_charts_and_tables_without_errors(tmp_path: Path) -> None:
    """Headless Chromium loads the page from a file: its script runs to the end (data-ready),
    lays out all four charts, and logs no uncaught error or blocked load."""
    page = tmp_path / "report.html"
    page.write_text(render_html(sample_report()), encoding="utf-8")
    binary = chromium()
    assert binary is not None
    done = subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1400,1000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert 'data-ready="1"' in dom
    assert 'data-charts-drawn="4"' in dom
    assert dom.count("<svg") == 4
    assert dom.count("<table") == 5
    assert "<td>T2</td>" in dom  # the ticket behind the credit, in the verdicts table
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if "Uncaught" in line or "Refused" in line], console
