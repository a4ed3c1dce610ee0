"""The service on a real uvicorn: the SLA API, metrics and health; 50 deliveries at once with
none lost; a shutdown in the middle of deliveries losing none that was answered 2xx."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

pytest.importorskip("uvicorn", reason="the serve extra is not installed: pip install '.[serve]'")

import httpx
from web_helpers import SECRETS, LiveServer, policy, serving, zendesk_body, zendesk_headers

from ticketsla import SLAEngine
from ticketsla.web import create_app

CREATED = datetime(2026, 3, 2, 9, 0, 0, 412345, tzinfo=UTC)  # the fixture's ticket.created


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock(CREATED + timedelta(minutes=50))


@pytest.fixture
def engine(sqlite_url: str, clock: Clock) -> Iterator[SLAEngine]:
    with SLAEngine(sqlite_url, policies=policy(), now=clock) as made:
        yield made


@pytest.fixture
def any_engine(db_url: str, clock: Clock) -> Iterator[SLAEngine]:
    """On SQLite and on PostgreSQL."""
    with SLAEngine(db_url, policies=policy(), now=clock) as made:
        yield made


def deliver(client: httpx.Client, ticket: str, at: datetime) -> httpx.Response:
    body = zendesk_body(ticket=ticket, event=f"ev-{ticket}")
    return client.post("/webhooks/zendesk", content=body, headers=zendesk_headers(body, at=at))


def test_ticket_at_risk_breached_metrics_and_health(engine: SLAEngine, clock: Clock) -> None:
    """A high ticket created at 09:00 (first response due in 1h): at risk at 09:50, breached at
    10:30; its state and trace as JSON; the counters and gauges in /metrics."""
    app = create_app(engine, secrets=SECRETS, now=clock)
    with serving(app) as live:
        client = live.client
        assert deliver(client, "4711", clock()).status_code == 200
        ticket = client.get("/tickets/4711").json()
        first = next(c for c in ticket["clocks"] if c["metric"] == "first_response")
        assert first["due_at"] == "2026-03-02T10:00:00.412345+00:00"
        assert first["breached"] is False
        assert ticket["policy"] == "standard"
        assert "explain" not in ticket
        explained = client.get("/tickets/4711", params={"explain": "1"}).json()
        assert any("first_response #1: started" in line for line in explained["explain"])
        assert client.get("/tickets/nosuch").status_code == 404

        risk = client.get("/at-risk", params={"within": "4h"}).json()
        assert [c["ticket_id"] for c in risk["clocks"]] == ["4711"]
        assert risk["clocks"][0]["seconds_left"] == pytest.approx(600, abs=1)
        assert client.get("/at-risk", params={"within": "5m"}).json()["clocks"] == []
        assert client.get("/at-risk", params={"within": "soon"}).status_code == 400
        assert client.get("/breached").json()["clocks"] == []

        clock.at = CREATED + timedelta(minutes=90)
        breached = client.get("/breached").json()["clocks"]
        assert [(c["ticket_id"], c["metric"]) for c in breached] == [("4711", "first_response")]

        metrics = client.get("/metrics")
        assert metrics.headers["content-type"].startswith("text/plain")
        text = metrics.text
        assert 'ticketsla_events_stored_total{source="zendesk"} 1.0' in text
        assert 'ticketsla_webhook_deliveries_total{source="zendesk",status="200"} 1.0' in text
        assert 'ticketsla_breached_clocks{metric="first_response"} 1.0' in text
        assert "ticketsla_scan_lag_seconds" in text
        health = client.get("/healthz").json()
        assert health["status"] == "ok"
        assert health["revision"] == health["expected_revision"]


def test_two_apps_keep_their_own_metrics(engine: SLAEngine) -> None:
    """Each app has its own registry: a second app in the process starts at zero."""
    first = create_app(engine, secrets=SECRETS)
    second = create_app(engine, secrets=SECRETS)
    assert first.state.metrics_registry is not second.state.metrics_registry


def test_fifty_concurrent_deliveries_are_all_stored(any_engine: SLAEngine, clock: Clock) -> None:
    """50 deliveries for 50 tickets sent at once: 50 answers 200, 50 tickets stored."""
    engine = any_engine
    app = create_app(engine, secrets=SECRETS, now=clock)
    tickets = [str(5000 + i) for i in range(50)]

    async def send_all(url: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:

            async def one(ticket: str) -> httpx.Response:
                body = zendesk_body(ticket=ticket, event=f"ev-{ticket}")
                headers = zendesk_headers(body, at=clock())
                return await client.post("/webhooks/zendesk", content=body, headers=headers)

            return await asyncio.gather(*(one(t) for t in tickets))

    with serving(app) as live:
        answers = asyncio.run(send_all(live.url))
    assert [a.status_code for a in answers] == [200] * 50
    assert sum(a.json()["stored"] for a in answers) == 50
    for ticket in tickets:
        assert engine.events(ticket)


def test_shutdown_during_deliveries_loses_none_answered_2xx(
    engine: SLAEngine, clock: Clock
) -> None:
    """The server is told to stop while 40 deliveries are in flight and more keep coming:
    every delivery answered 2xx is in the database; the rest failed visibly (refused,
    unanswered or 5xx), so their senders retry them."""
    app = create_app(engine, secrets=SECRETS, now=clock)
    live = LiveServer(app)
    live.start()
    first_answer = threading.Event()

    async def send_all() -> list[httpx.Response | BaseException]:
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as client:

            async def one(ticket: str) -> httpx.Response:
                body = zendesk_body(ticket=ticket, event=f"ev-{ticket}")
                headers = zendesk_headers(body, at=clock())
                answer = await client.post("/webhooks/zendesk", content=body, headers=headers)
                first_answer.set()
                return answer

            async def trickle() -> list[httpx.Response | BaseException]:
                # keeps delivering until the server refuses: some arrive during the shutdown
                out: list[httpx.Response | BaseException] = []
                for i in range(200):
                    try:
                        out.append(await one(str(8000 + i)))
                    except httpx.HTTPError as exc:
                        out.append(exc)
                        break
                    await asyncio.sleep(0.01)
                return out

            burst = [one(str(7000 + i)) for i in range(40)]
            results = await asyncio.gather(*burst, trickle(), return_exceptions=True)
            trickled = results.pop()
            assert isinstance(trickled, list)
            return [*results, *trickled]

    stopper = threading.Thread(
        target=lambda: (first_answer.wait(30), live.stop()), name="stopper", daemon=True
    )
    stopper.start()
    try:
        results = asyncio.run(send_all())
    finally:
        stopper.join(30)
        live.stop()
    assert isinstance(results[-1], httpx.HTTPError)  # deliveries went on into the shutdown
    tickets = [str(7000 + i) for i in range(40)] + [str(8000 + i) for i in range(len(results) - 40)]
    answered = [
        ticket
        for ticket, result in zip(tickets, results, strict=True)
        if isinstance(result, httpx.Response) and result.is_success
    ]
    assert answered
    for ticket in answered:
        assert engine.events(ticket)
    for result in results:
        if isinstance(result, httpx.Response) and not result.is_success:
            assert result.status_code >= 500
