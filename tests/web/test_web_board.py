"""GET /: the live board lists breached clocks and those at risk, soonest first, escapes what
the database holds, reloads itself, fits a phone, and runs in headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the serve extra is not installed: pip install '.[serve]'")

from web_helpers import SECRETS, policy, serving

from ticketsla import SLAEngine, TicketEvent
from ticketsla.web import create_app

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=2)
EVIL = "<script>alert(1)</script>"


def created(ticket: str, at: datetime, priority: str = "high") -> TicketEvent:
    return TicketEvent(
        ticket_id=ticket, event_id=f"c-{ticket}", at=at, kind="created", priority=priority
    )


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[SLAEngine]:
    with SLAEngine(sqlite_url, policies=policy(), now=NOW) as made:
        made.ingest(
            [
                created("LATE-1", T0),  # first response due 10:00: breached an hour ago
                created(EVIL, T0 + timedelta(minutes=30)),  # due 10:30: breached
                created("SOON-1", NOW - timedelta(minutes=40)),  # due in 20 minutes
                created("SOON-2", NOW - timedelta(minutes=50)),  # due in 10 minutes
                created("LATER", NOW, priority="low"),  # due in 8 hours: not on the board
            ]
        )
        yield made


def board(engine: SLAEngine) -> str:
    app = create_app(engine, secrets=SECRETS, now=lambda: NOW)
    with serving(app) as live:
        answer = live.client.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    return answer.text


def test_board_lists_breached_then_at_risk_soonest_first(engine: SLAEngine) -> None:
    """Breached longest-overdue first, then at risk soonest first, escaped; self-refreshing,
    sized for phones, and nothing loaded from elsewhere."""
    page = board(engine)
    assert page.index("LATE-1") < page.index("&lt;script&gt;") < page.index("SOON-2")
    assert page.index("SOON-2") < page.index("SOON-1")
    assert "LATER" not in page
    assert EVIL not in page
    assert '<meta http-equiv="refresh"' in page
    assert 'name="viewport"' in page
    for external in ("http://", "https://", "src=", "@import", "url("):
        assert external not in page
    assert "1h ago" in page
    assert "in 10m" in page


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.skipif(
    chromium() is None,
    reason="no chromium on PATH (Debian: apt-get install -y chromium); the board was not "
    "opened in a browser",
)
def test_chromium_renders_the_board_on_a_phone_sized_window(
    engine: SLAEngine, tmp_path: Path
) -> None:
    """Headless Chromium at phone size loads the board from the server: its script runs
    (data-ready), both tables are laid out with their rows, and the countdowns are filled in."""
    binary = chromium()
    assert binary is not None
    app = create_app(engine, secrets=SECRETS, now=lambda: NOW)
    with serving(app) as live:
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
                "--window-size=390,844",
                "--dump-dom",
                f"{live.url}/",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert 'data-ready="1"' in dom
    assert dom.count("<table") == 2
    assert dom.count('<tr class="breached">') == 2
    assert dom.count('<tr class="risk">') == 2
    assert "SOON-2" in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom  # shown as text, never run
