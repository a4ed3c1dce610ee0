"""``GET /``: the live board for a support lead: breached clocks, then clocks at risk, soonest
first, on one page that reloads itself, fits a phone, and loads nothing from elsewhere.

Rendered on the server from the engine's indexed queries; the page's own small script counts
the time left down between reloads. Every text from the database is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..durations import format_duration
from ..engine import OpenClock, SLAEngine
from ..errors import StoreError

__all__ = ["Board", "render_board"]

_ROWS = 200

_STYLE = """
body{font:15px/1.4 system-ui,sans-serif;margin:0;padding:12px;background:#f6f7f9;color:#1b1f24}
h1{font-size:1.2em;margin:0 0 4px}h2{font-size:1.05em;margin:18px 0 6px}
.meta{color:#5b6472;font-size:.85em}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e6ea;white-space:nowrap}
th{font-size:.8em;color:#5b6472;text-transform:uppercase}
td.left{font-variant-numeric:tabular-nums;font-weight:600}
tr.breached td.left{color:#b3261e}tr.risk td.left{color:#8a5300}
.empty{color:#5b6472;padding:8px}
@media (max-width:600px){.wide{display:none}th,td{padding:6px 4px}}
"""

# Counts each row's time left down once a second, so the page reads true between reloads.
_SCRIPT = """
(function(){
  var loaded=Date.now();
  function text(s){var a=Math.abs(s),h=Math.floor(a/3600),m=Math.floor(a%3600/60);
    var t=(h?h+"h ":"")+m+"m";return s<0?t+" ago":"in "+t;}
  function tick(){var n=(Date.now()-loaded)/1000;
    document.querySelectorAll("td[data-left]").forEach(function(td){
      td.textContent=text(parseFloat(td.getAttribute("data-left"))-n);});}
  tick();setInterval(tick,1000);document.body.setAttribute("data-ready","1");
})();
"""


def render_board(
    at_risk: list[OpenClock],
    breached: list[OpenClock],
    *,
    now: datetime,
    within: timedelta,
    refresh_seconds: int,
) -> str:
    """The board's HTML: breached clocks first (longest overdue first), then those at risk."""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f'<meta http-equiv="refresh" content="{int(refresh_seconds)}">',
        "<title>SLA board</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>SLA board</h1>",
        f'<div class="meta">as of {html.escape(now.strftime("%Y-%m-%d %H:%M:%S %Z"))}; '
        f"refreshes every {int(refresh_seconds)} s</div>",
        f'<h2 id="breached">Breached ({len(breached)})</h2>',
        _table(breached, now, "breached", "no breached clocks"),
        f'<h2 id="at-risk">Due within {html.escape(format_duration(within))} ({len(at_risk)})</h2>',
        _table(at_risk, now, "risk", "nothing due in this window"),
        f"<script>{_SCRIPT}</script>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _table(clocks: list[OpenClock], now: datetime, css: str, empty: str) -> str:
    if not clocks:
        return f'<div class="empty">{html.escape(empty)}</div>'
    rows = [
        "<table><thead><tr><th>when</th><th>ticket</th><th>metric</th>"
        '<th class="wide">priority</th><th class="wide">policy</th></tr></thead><tbody>'
    ]
    for clock in clocks:
        until = clock.due_at if clock.due_at is not None else clock.breach_at
        seconds = 0.0 if until is None else (until - now).total_seconds()
        rows.append(
            f'<tr class="{css}"><td class="left" data-left="{seconds:.0f}">'
            f"{html.escape(_left(seconds))}</td>"
            f"<td>{html.escape(clock.ticket_id)}</td><td>{html.escape(clock.metric)}</td>"
            f'<td class="wide">{html.escape(clock.priority or "")}</td>'
            f'<td class="wide">{html.escape(clock.policy)}</td></tr>'
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def _left(seconds: float) -> str:
    whole = int(abs(seconds)) // 60 * 60
    text = format_duration(timedelta(seconds=whole)) if whole else "0m"
    return f"{text} ago" if seconds < 0 else f"in {text}"


class Board:
    """The ``GET /`` handler over one engine."""

    def __init__(
        self,
        engine: SLAEngine,
        now: Callable[[], datetime],
        *,
        within: timedelta,
        refresh_seconds: int,
    ) -> None:
        self._engine = engine
        self._now = now
        self._within = within
        self._refresh = refresh_seconds

    async def handle(self, request: Request) -> Response:
        now = self._now()

        def read() -> tuple[list[OpenClock], list[OpenClock]]:
            risk = self._engine.at_risk(self._within, now, limit=_ROWS)
            return risk, self._engine.breached(now, limit=_ROWS)

        try:
            at_risk, breached = await run_in_threadpool(read)
        except StoreError as exc:
            return HTMLResponse(
                f"<!doctype html><title>SLA board</title><p>{html.escape(exc.message)}</p>",
                status_code=503,
            )
        page = render_board(
            at_risk, breached, now=now, within=self._within, refresh_seconds=self._refresh
        )
        return HTMLResponse(page, headers={"cache-control": "no-store"})
