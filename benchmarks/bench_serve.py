"""Webhook deliveries per second, and their latency, through ``ticketsla serve``.

Run by hand from the repository root, with the serve extra and the Zendesk adapter installed
(PostgreSQL rows need a server: ``source .ci/postgres.sh``)::

    .venv/bin/python benchmarks/bench_serve.py [--deliveries 2000] [--concurrency 16]
        [--postgres URL] [--skip-postgres]

For each database, ``ticketsla serve`` runs as its own process (scanner on, as in production)
on a loopback port; this process sends signed Zendesk ``ticket.created`` webhooks, each for a
new ticket, ``--concurrency`` at a time, then sends the first half again (duplicates, answered
200 without storing). Each answer arrives after its events are stored. Printed per database and
pass: deliveries per second (wall time of the pass), the p50 and p99 time from sending a
delivery to its answer, and the server's CPU time per delivery (Linux), which a busy machine
disturbs less than the wall-clock figures.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa
from _common import table, versions

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "adapters" / "zendesk" / "tests" / "fixtures" / "webhook_ticket_created.json"
POLICY = ROOT / "tests" / "fixtures" / "policies" / "standard.toml"
SECRET = "bench-zendesk-secret"


def delivery(ticket: int, template: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    data = json.loads(json.dumps(template))
    data["id"] = f"bench-{ticket}"
    data["detail"]["id"] = str(ticket)
    body = json.dumps(data).encode()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = hmac.new(SECRET.encode(), stamp.encode() + body, hashlib.sha256).digest()
    return body, {
        "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        "content-type": "application/json",
    }


async def send(
    url: str, tickets: Sequence[int], concurrency: int, template: dict[str, object]
) -> tuple[float, list[float], dict[int | str, int]]:
    """Deliver one webhook per ticket; (wall seconds, latencies, count per status)."""
    latencies: list[float] = []
    statuses: dict[int | str, int] = {}
    queue = list(tickets)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:

        async def worker() -> None:
            while queue:
                body, headers = delivery(queue.pop(), template)
                began = time.perf_counter()
                try:
                    answer = await client.post("/webhooks/zendesk", content=body, headers=headers)
                except httpx.TransportError as exc:  # counted; a helpdesk would send it again
                    statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1
                    continue
                latencies.append(time.perf_counter() - began)
                statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - began, latencies, statuses


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(db: str) -> tuple[subprocess.Popen[bytes], str]:
    cli = [sys.executable, "-m", "ticketsla.cli"]
    subprocess.run([*cli, "db", "upgrade", "--db", db], check=True, capture_output=True)
    port = free_port()
    env = {**os.environ, "TICKETSLA_WEBHOOK_SECRET_ZENDESK": SECRET}
    command = [*cli, "serve", "--db", db, "--policy", str(POLICY), "--port", str(port)]
    process = subprocess.Popen([*command, "--log-level", "warning"], env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("ticketsla serve did not come up")


def fresh_postgres(base: str) -> tuple[str, Callable[[], None]]:
    import psycopg

    schema = f"bench_serve_{os.getpid()}"
    admin = sa.engine.make_url(base).set(drivername="postgresql", query={})
    admin_url = admin.render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    return url.render_as_string(hide_password=False), drop


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process so far (Linux), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--postgres", default=os.environ.get("TICKETSLA_TEST_POSTGRES_URL"))
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args(argv)
    template = json.loads(FIXTURE.read_text(encoding="utf-8"))
    databases: list[tuple[str, str, Callable[[], None]]] = []
    folder = tempfile.TemporaryDirectory()
    databases.append(("sqlite", f"sqlite:///{folder.name}/sla.db", lambda: None))
    if args.postgres and not args.skip_postgres:
        url, drop = fresh_postgres(args.postgres)
        databases.append(("postgresql", url, drop))
    rows: list[list[str]] = []
    try:
        for name, db, drop in databases:
            process, url = serve(db)
            try:
                tickets = list(range(100_000, 100_000 + args.deliveries))
                for label, batch in (("new", tickets), ("repeated", tickets[: len(tickets) // 2])):
                    cpu_before = cpu_seconds(process.pid)
                    wall, latencies, statuses = asyncio.run(
                        send(url, batch, args.concurrency, template)
                    )
                    cpu_after = cpu_seconds(process.pid)
                    cpu = (
                        "n/a"
                        if cpu_before is None or cpu_after is None
                        else f"{(cpu_after - cpu_before) / len(batch) * 1000:.1f}"
                    )
                    print(f"{name} {label}: statuses {statuses}", file=sys.stderr)
                    rows.append(
                        [
                            name,
                            label,
                            f"{len(batch):,}",
                            f"{len(batch) / wall:,.0f}",
                            f"{statistics.median(latencies) * 1000:.1f}",
                            f"{percentile(latencies, 0.99) * 1000:.1f}",
                            cpu,
                        ]
                    )
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(60)
                drop()
    finally:
        folder.cleanup()
    print(versions("ticketsla", "starlette", "uvicorn", "httpx"))
    print(f"{args.concurrency} deliveries in flight; one ticket.created webhook each\n")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    headers = ["database", "pass", "deliveries", "per second", "p50 ms", "p99 ms", "server CPU ms"]
    print(table(headers, rows, right=(2, 3, 4, 5, 6)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
