"""The scanner sleeps until the next warning or breach is due; replicas on one PostgreSQL
database deliver each notification once; ``ticketsla serve`` runs, answers and stops cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the serve extra is not installed: pip install '.[serve]'")

import httpx
from web_helpers import ZENDESK_SECRET, policy, zendesk_body, zendesk_headers

from ticketsla import SLAEngine, TicketEvent
from ticketsla.hookspecs import hookimpl
from ticketsla.notifications import Notification
from ticketsla.web import Scanner

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def created(ticket: str, at: datetime = T0) -> TicketEvent:
    return TicketEvent(
        ticket_id=ticket, event_id=f"c-{ticket}", at=at, kind="created", priority="high"
    )


class Collector:
    """A notifier plugin that keeps what it hears (shared by replicas in one process)."""

    def __init__(self) -> None:
        self.heard: list[tuple[str, Notification]] = []
        self._lock = threading.Lock()

    def _keep(self, who: str, notification: Notification) -> None:
        with self._lock:
            self.heard.append((who, notification))


def collector_plugin(collector: Collector, who: str) -> object:
    class Plugin:
        @hookimpl
        def ticketsla_sla_warning(self, notification: Notification) -> None:
            collector._keep(who, notification)

        @hookimpl
        def ticketsla_sla_breached(self, notification: Notification) -> None:
            collector._keep(who, notification)

        @hookimpl
        def ticketsla_sla_fulfilled(self, notification: Notification) -> None:
            collector._keep(who, notification)

    return Plugin()


def test_scanner_sleeps_until_the_next_warning_or_breach(sqlite_url: str) -> None:
    """First response 1h with a warning at 75%: after the ticket arrives the scanner sleeps 45
    minutes, not its safety interval; after the warning, until the breach."""
    now = [T0]
    with SLAEngine(sqlite_url, policies=policy(), now=lambda: now[0]) as engine:
        scanner = Scanner(engine, safety=timedelta(hours=2))
        assert scanner.run_once() == pytest.approx(7200)  # nothing stored: the safety interval
        engine.ingest([created("T1")])
        assert engine.next_work_at() == T0 + timedelta(minutes=45)
        assert scanner.run_once() == pytest.approx(45 * 60, abs=0.1)
        now[0] = T0 + timedelta(minutes=46)
        assert scanner.run_once() == pytest.approx(14 * 60, abs=0.1)
        assert engine.pending() == 1  # the warning, waiting for a notifier
        assert Scanner(engine, safety=timedelta(minutes=5)).run_once() == pytest.approx(300)


def test_replicas_on_postgresql_deliver_each_notification_once(pg_url: str) -> None:
    """Three replicas' scanners run at once over 30 tickets whose warnings and breaches are all
    due: every notification is delivered exactly once, whichever replica took it."""
    collector = Collector()
    fixed = T0 + timedelta(hours=3)
    engines = [
        SLAEngine(
            pg_url, policies=policy(), now=fixed, plugins=[collector_plugin(collector, f"r{i}")]
        )
        for i in range(3)
    ]
    try:
        engines[0].ingest([created(f"T{i}") for i in range(30)])
        scanners = [Scanner(engine, safety=timedelta(seconds=0.2)) for engine in engines]
        for scanner in scanners:
            scanner.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if all(s.passes >= 2 for s in scanners) and engines[0].pending() == 0:
                break
            time.sleep(0.05)
        for scanner in scanners:
            scanner.stop()
    finally:
        for engine in engines:
            engine.close()
    keys = Counter(n.key for _, n in collector.heard)
    assert len(keys) == 60  # a 75% warning and a breach of first_response, per ticket
    assert set(keys.values()) == {1}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_command_receives_and_stops_cleanly(tmp_path: Path) -> None:
    """``ticketsla serve`` with the secret from the environment: healthy, a delivery stored,
    the secret nowhere in its output, exit status 0 after SIGTERM."""
    db = f"sqlite:///{tmp_path / 'sla.db'}"
    policy_file = Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "standard.toml"
    ticketsla = [sys.executable, "-m", "ticketsla.cli"]
    subprocess.run([*ticketsla, "db", "upgrade", "--db", db], check=True, capture_output=True)
    port = free_port()
    env = {**os.environ, "TICKETSLA_WEBHOOK_SECRET_ZENDESK": ZENDESK_SECRET}
    command = [*ticketsla, "serve", "--db", db, "--policy", str(policy_file)]
    command += ["--port", str(port), "--jsonl", str(tmp_path / "out.jsonl")]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None, process.communicate()[0]
                assert time.monotonic() < deadline, "ticketsla serve did not come up"
                time.sleep(0.1)
            body = zendesk_body()
            answer = client.post("/webhooks/zendesk", content=body, headers=zendesk_headers(body))
            assert answer.status_code == 200, answer.text
            assert answer.json()["stored"] == 1
            assert client.get("/tickets/4711").status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert ZENDESK_SECRET not in output


def test_serve_without_secrets_says_what_to_set(tmp_path: Path) -> None:
    """No secret anywhere: exit status 2 naming the variable to set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETSLA_WEBHOOK_SECRET_")}
    done = subprocess.run(
        [sys.executable, "-m", "ticketsla.cli", "serve", "--db", f"sqlite:///{tmp_path}/x.db"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "TICKETSLA_WEBHOOK_SECRET_ZENDESK" in done.stderr
