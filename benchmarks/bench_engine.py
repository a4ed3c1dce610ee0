"""SLAEngine throughput and latency on SQLite and PostgreSQL.

Run by hand from the repository root (PostgreSQL parts need a server: ``source .ci/postgres.sh``)::

    .venv/bin/python benchmarks/bench_engine.py [--events 50000] [--open-clocks 1000000]
        [--postgres URL] [--skip-postgres] [--only ingest,at_risk,refold,late]

What it measures, with the goals of issue 5:

- ``ingest``: events/s stored into SQLite by one process, and into PostgreSQL by 4 writer
  processes (goals 5,000 and 15,000 events/s). The stream is the tests' seeded ticket histories
  (``tests/engine/engine_streams.py``) in time order, in batches of 1000, with the engine's
  ``now`` following the stream as a live helpdesk's would. Writers get the tickets split by a
  hash of the ticket id (how a deployment should route them: one ticket, one writer) and, for
  comparison, round-robin batches that make writers contend for the same tickets' row locks.
  One event per ``ingest`` call (a webhook handler's pattern) is measured too.
- ``at_risk``: latency of ``at_risk(within=1h)`` over 1,000,000 open clocks (goal < 50 ms),
  ``breached(limit=100)`` and ``counts()``. The clock rows are written straight into
  ``ticketsla_clocks`` (same schema and indexes), due times spread evenly over 30 days, so a
  one-hour window holds about 1,400 clocks; folding a million tickets first would only measure
  ingestion again.
- ``refold``: latency of ingesting one late event into a ticket that already has N events
  (the ticket is refolded from its stored log), with the engine's event cache warm and cold.
- ``scaling``: PostgreSQL events/s with 1, 2 and 4 writer processes (tickets split by hash, the
  stream as in ``ingest``) and the scaling factor against one writer, with the writers' CPU
  seconds (counted from when every writer is connected and ready), the events per writer CPU
  second, and what their server sessions were seen doing: ``pg_stat_activity`` sampled every
  10 ms for the writers' ``application_name`` (on the server's CPU, waiting on a lock or on I/O,
  idle in a transaction while the client works under its ticket locks, idle outside one while
  the client folds its next batch before locking). A lock wait that grows with the writers is
  what serialises them; events per CPU second that hold steady while events/s does not mean the
  writers are short of cores, not of locks. ``--scaling-split round-robin`` gives writers
  alternate batches of the time-ordered stream instead, which share many tickets.
- ``late``: the same for a late event landing among the ticket's last events (after its fold
  snapshot), on a 50-event and a 1,000-event ticket side by side (held to: the 1,000-event
  ticket at most 3x the 50-event one). Warm: the snapshot and log are in memory; cold: both are
  read from the database.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests" / "engine"))

import sqlalchemy as sa  # noqa: E402
from _common import table, versions  # noqa: E402
from engine_streams import START, policies, stream  # noqa: E402

from ticketsla import TicketEvent  # noqa: E402
from ticketsla.engine import SLAEngine  # noqa: E402
from ticketsla.store import clocks_table  # noqa: E402

GOALS = {"sqlite": 5_000.0, "postgresql": 15_000.0, "at_risk_ms": 50.0, "late_ratio": 3.0}
BATCH = 1000
SPAWN = multiprocessing.get_context("spawn")


# ---- ingestion ---------------------------------------------------------------------------------


def _ingest_batches(url: str, events: list[TicketEvent], batch: int = BATCH) -> float:
    """Ingest ``events`` in order, ``now`` following the stream; returns seconds."""
    clock = [events[0].at]
    with SLAEngine(url, policies=policies(), now=lambda: clock[0], batch_size=batch) as engine:
        began = time.perf_counter()
        for start in range(0, len(events), batch):
            chunk = events[start : start + batch]
            clock[0] = chunk[-1].at
            engine.ingest(chunk)
        return time.perf_counter() - began


def _writer(
    url: str,
    n_events: int,
    seed: int,
    worker: int,
    workers: int,
    split: str,
    ready: Any,
    cpu: Any,
) -> None:
    events = stream(n_events, seed)
    if split == "ticket":
        mine = [e for e in events if zlib.crc32(e.ticket_id.encode()) % workers == worker]
        batches = [mine[i : i + BATCH] for i in range(0, len(mine), BATCH)]
    else:
        every = [events[i : i + BATCH] for i in range(0, len(events), BATCH)]
        batches = every[worker::workers]
    clock = [events[0].at]
    with SLAEngine(url, policies=policies(), now=lambda: clock[0], batch_size=BATCH) as engine:
        ready.wait()
        began = time.process_time()
        for chunk in batches:
            clock[0] = chunk[-1].at
            engine.ingest(chunk)
        cpu.put(time.process_time() - began)


def _ingest_parallel(
    url: str, n_events: int, seed: int, workers: int, split: str
) -> tuple[float, float]:
    """Seconds for ``workers`` writer processes to ingest the stream, and their CPU seconds
    in that time (each starts the clock once every writer has built its stream and
    connected)."""
    with SLAEngine(url, policies=policies()):
        pass  # schema first
    ready, cpu = SPAWN.Barrier(workers + 1), SPAWN.Queue()
    procs = [
        SPAWN.Process(target=_writer, args=(url, n_events, seed, n, workers, split, ready, cpu))
        for n in range(workers)
    ]
    for proc in procs:
        proc.start()
    ready.wait(timeout=300)
    began = time.perf_counter()
    for proc in procs:
        proc.join()
    took = time.perf_counter() - began
    if any(p.exitcode != 0 for p in procs):
        raise SystemExit(f"a writer failed: exit codes {[p.exitcode for p in procs]}")
    return took, sum(cpu.get(timeout=30) for _ in procs)


def _sample_waits(url: str, stop: Any, out: Any) -> None:
    """Count what the writers' sessions (their ``application_name``, set in ``url``) are
    doing, every 10 ms, until ``stop``. Other clients of the database are left out."""
    import psycopg

    seen: dict[str, int] = {}
    parsed = sa.engine.make_url(url)
    name = parsed.query["application_name"]
    admin = parsed.set(drivername="postgresql", query={})
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        while not stop.is_set():
            for state, kind, event in conn.execute(
                "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                "WHERE application_name = %s",
                (name,),
            ):
                if state == "idle":
                    label = "idle (client working)"
                elif state == "idle in transaction":
                    label = "idle in transaction (client working)"
                elif kind is None:
                    label = "running (server CPU)"
                else:
                    label = f"{kind}: {event}"
                seen[label] = seen.get(label, 0) + 1
            time.sleep(0.01)
    out.put(seen)


def _scaling(
    base: str, n_events: int, counts: Sequence[int], split: str = "ticket"
) -> list[list[str]]:
    """PostgreSQL events/s for each writer count, the factor against one writer, and where
    the writers' sessions spent their time."""
    rows: list[list[str]] = []
    single = 0.0
    for workers in counts:
        url, drop = _fresh_postgres(base)
        url = (
            sa.engine.make_url(url)
            .update_query_dict({"application_name": f"ticketsla-bench-{os.getpid()}"})
            .render_as_string(hide_password=False)
        )
        stop, found = SPAWN.Event(), SPAWN.Queue()
        sampler = SPAWN.Process(target=_sample_waits, args=(url, stop, found))
        try:
            sampler.start()
            took, cpu = _ingest_parallel(url, n_events, 42, workers, split)
            stop.set()
            seen: dict[str, int] = found.get(timeout=30)
            sampler.join()
        finally:
            stop.set()
            drop()
        rate = n_events / took
        single = single or rate
        total = sum(seen.values()) or 1
        top = sorted(seen.items(), key=lambda kv: -kv[1])[:4]
        rows.append(
            [
                str(workers),
                f"{rate:,.0f}",
                f"{rate / single:.2f}x",
                f"{cpu:.1f}",
                f"{n_events / cpu:,.0f}",
                ", ".join(f"{label} {count / total:.0%}" for label, count in top),
            ]
        )
    return rows


def _one_by_one(url: str, events: list[TicketEvent]) -> float:
    with SLAEngine(url, policies=policies(), now=lambda: events[-1].at) as engine:
        began = time.perf_counter()
        for event in events:
            engine.ingest([event])
        return time.perf_counter() - began


# ---- at_risk over a million open clocks --------------------------------------------------------


def _fill_clocks(url: str, count: int) -> datetime:
    """``count`` running clocks due evenly over 30 days from START; returns a mid instant."""
    rng = random.Random(5)
    span_us = 30 * 86_400 * 1_000_000
    started = START - timedelta(hours=1)

    def rows(offset: int, size: int) -> list[dict[str, Any]]:
        out = []
        for n in range(offset, offset + size):
            due = START + timedelta(microseconds=rng.randrange(span_us))
            priority = ("urgent", "high", "normal", "low")[n % 4]
            out.append(
                {
                    "ticket_id": f"B-{n // 2}",
                    "metric": ("first_response", "resolution")[n % 2],
                    "cycle": 1,
                    "status": "running",
                    "policy": "standard" if n % 3 else "urgent-24x7",
                    "calendar": "us-business",
                    "priority": priority,
                    "target_us": 4 * 3_600_000_000,
                    "elapsed_us": 0,
                    "started_at": started,
                    "stopped_at": None,
                    "deadline_at": due,
                    "due_at": due,
                    "breached_at": None,
                    "breach_at": due,
                    "open_breach_at": due,
                    "next_alert_at": due,
                    "ever_breached": False,
                    "warnings": "[]",
                    "as_of": started,
                    "policy_version": "bench",
                    "calendar_version": "bench",
                    "library_version": "bench",
                }
            )
        return out

    with SLAEngine(url, policies=policies()) as engine:
        db = engine.sqlalchemy_engine
        step = 20_000
        for offset in range(0, count, step):
            # the engine's own bulk path (one unnest statement on PostgreSQL)
            with db.connect() as conn, conn.begin():
                engine._ctx.backend.insert_rows(
                    conn, clocks_table, rows(offset, min(step, count - offset))
                )
        with db.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return START + timedelta(days=15)


def _latency(call: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    call()  # warm the pool and the caches
    times = []
    result = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], result


def _queries(url: str, at: datetime, repeat: int) -> list[tuple[str, float, float, str]]:
    out = []
    with SLAEngine(url, policies=policies(), upgrade=False) as engine:
        rng = random.Random(1)

        def at_risk() -> Any:
            when = at + timedelta(minutes=rng.randrange(0, 24 * 60))
            return engine.at_risk(within=timedelta(hours=1), at=when)

        med, p95, found = _latency(at_risk, repeat)
        out.append(("at_risk(within=1h)", med, p95, f"{len(found)} clocks"))
        med, p95, found = _latency(
            lambda: engine.at_risk(timedelta(hours=1), at, limit=100), repeat
        )
        out.append(("at_risk(1h, limit=100)", med, p95, f"{len(found)} clocks"))
        med, p95, found = _latency(lambda: engine.breached(at=at, limit=100), repeat)
        out.append(("breached(limit=100)", med, p95, f"{len(found)} clocks"))
        med, p95, found = _latency(lambda: engine.counts(at=at), max(3, repeat // 10))
        out.append(("counts()", med, p95, f"{sum(c.open for c in found)} open clocks"))
    return out


# ---- refold latency ----------------------------------------------------------------------------


def _ticket_events(ticket: str, size: int) -> list[TicketEvent]:
    """A ticket of ``size`` events: created, then customer messages and agent replies by turns,
    ten minutes apart."""
    events = [
        TicketEvent(
            ticket_id=ticket,
            event_id=f"{ticket}-0",
            source="bench",
            at=START,
            kind="created",
            priority="normal",
            status="new",
        )
    ]
    for n in range(1, size):
        kind = "customer_message" if n % 2 else "agent_reply"
        events.append(
            TicketEvent(
                ticket_id=ticket,
                event_id=f"{ticket}-{n}",
                source="bench",
                at=START + timedelta(minutes=10 * n),
                kind=kind,
            )
        )
    return events


def _field_changes(ticket: str, size: int) -> list[TicketEvent]:
    """A ticket of ``size`` events that keeps few clocks: a short conversation, then internal
    notes and reassignments ten minutes apart (a long-lived ticket worked on in the background)."""
    events = _ticket_events(ticket, 4)
    for n in range(4, size):
        note = n % 3 != 0
        events.append(
            TicketEvent(
                ticket_id=ticket,
                event_id=f"{ticket}-{n}",
                source="bench",
                at=START + timedelta(minutes=10 * n),
                kind="internal_note" if note else "assigned",
                assignee=None if note else f"agent-{n % 5}",
            )
        )
    return events


def _late_events(engine: SLAEngine, ticket: str, minute: int, repeat: int) -> list[float]:
    """Milliseconds of each of ``repeat`` ingests of one late event at ``minute`` (+ r s)."""
    times = []
    for r in range(repeat):
        late = TicketEvent(
            ticket_id=ticket,
            event_id=f"{ticket}-late-{r}",
            source="bench",
            at=START + timedelta(minutes=minute, seconds=r + 1),
            kind="internal_note",
        )
        began = time.perf_counter()
        engine.ingest([late])
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return times


def _refold(url: str, sizes: Sequence[int], repeat: int) -> list[tuple[str, float, float]]:
    out = []
    for cache in (True, False):
        with SLAEngine(
            url, policies=policies(), now=START, cache_tickets=20_000 if cache else 0
        ) as engine:
            for size in sizes:
                ticket = f"R-{size}-{cache}"
                engine.ingest(_ticket_events(ticket, size))
                times = _late_events(engine, ticket, 10 * (size // 2), repeat)
                label = f"{size} events, cache {'warm' if cache else 'cold'}"
                out.append((label, statistics.median(times), times[int(len(times) * 0.95) - 1]))
    return out


def _late(url: str, sizes: Sequence[int], repeat: int) -> list[tuple[str, str, float, float]]:
    """One late event landing among a ticket's last events (after its fold snapshot), on
    tickets of each size and shape; the cache warm (snapshot and log in memory) and cold (read
    from the database)."""
    shapes: dict[str, Callable[[str, int], list[TicketEvent]]] = {
        "conversation": _ticket_events,  # every customer message starts a next_response cycle
        "field changes": _field_changes,  # four clocks whatever the length
    }
    out = []
    for shape, build in shapes.items():
        for cache in (True, False):
            with SLAEngine(
                url, policies=policies(), now=START, cache_tickets=20_000 if cache else 0
            ) as engine:
                for size in sizes:
                    ticket = f"L-{shape[0]}-{size}-{cache}"
                    engine.ingest(build(ticket, size))
                    times = _late_events(engine, ticket, 10 * (size - 3), repeat)
                    label = f"{size} events, cache {'warm' if cache else 'cold'}"
                    med, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
                    out.append((shape, label, med, p95))
    return out


# ---- main --------------------------------------------------------------------------------------


def _fresh_postgres(base: str) -> tuple[str, Callable[[], None]]:
    """A schema of its own in the PostgreSQL database ``base``, and how to drop it."""
    import psycopg

    schema = f"bench_{os.getpid()}_{int(time.time())}"
    admin = sa.engine.make_url(base).set(drivername="postgresql", query={})
    admin_url = admin.render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    return url.render_as_string(hide_password=False), drop


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50_000, help="events per ingest run")
    parser.add_argument("--open-clocks", type=int, default=1_000_000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=50, help="timed calls per latency figure")
    parser.add_argument("--postgres", default=os.environ.get("TICKETSLA_TEST_POSTGRES_URL"))
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--only", default="ingest,at_risk,refold,late,scaling")
    parser.add_argument(
        "--scaling-writers", default="1,2,4", help="writer counts of the scaling part"
    )
    parser.add_argument(
        "--scaling-split",
        default="ticket",
        choices=("ticket", "round-robin"),
        help="how the scaling part gives writers their events",
    )
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))
    use_pg = bool(args.postgres) and not args.skip_postgres
    print(versions("ticketsla", "SQLAlchemy", "psycopg"))
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at start")
    events = stream(args.events, seed=42)
    tickets = len({e.ticket_id for e in events})
    with tempfile.TemporaryDirectory() as folder:
        sqlite_url = f"sqlite:///{folder}/bench.db"

        def fresh_sqlite(name: str) -> str:
            return f"sqlite:///{folder}/{name}.db"

        if "ingest" in parts:
            rows = []
            took = _ingest_batches(fresh_sqlite("ingest"), events)
            rate = len(events) / took
            rows.append(
                [
                    "SQLite, 1 process, batches of 1000",
                    f"{rate:,.0f}",
                    f"{GOALS['sqlite']:,.0f}",
                    "yes" if rate >= GOALS["sqlite"] else "NO",
                ]
            )
            sample = events[:2000]
            took = _one_by_one(fresh_sqlite("single"), sample)
            rows.append(
                ["SQLite, 1 process, one event per call", f"{len(sample) / took:,.0f}", "", ""]
            )
            if use_pg:
                for split in ("ticket", "round-robin"):
                    url, drop = _fresh_postgres(args.postgres)
                    try:
                        took, _ = _ingest_parallel(url, args.events, 42, args.writers, split)
                    finally:
                        drop()
                    rate = len(events) / took
                    goal = GOALS["postgresql"]
                    rows.append(
                        [
                            f"PostgreSQL, {args.writers} writers, split by {split}",
                            f"{rate:,.0f}",
                            f"{goal:,.0f}",
                            "yes" if rate >= goal else "NO",
                        ]
                    )
                url, drop = _fresh_postgres(args.postgres)
                try:
                    took = _ingest_batches(url, events)
                finally:
                    drop()
                rows.append(
                    ["PostgreSQL, 1 process, batches of 1000", f"{len(events) / took:,.0f}", "", ""]
                )
            print(f"\ningest: {len(events):,} events of {tickets:,} tickets")
            print(table(["run", "events/s", "goal", "met"], rows, right=(1, 2)))

        if "scaling" in parts and use_pg:
            counts = [int(n) for n in args.scaling_writers.split(",")]
            rows = _scaling(args.postgres, args.events, counts, args.scaling_split)
            how = "split by ticket hash" if args.scaling_split == "ticket" else "round-robin"
            print(
                f"\nscaling: PostgreSQL writers, {len(events):,} events {how} "
                f"({os.cpu_count()} CPUs for the writers and the server)"
            )
            print(
                table(
                    [
                        "writers",
                        "events/s",
                        "factor",
                        "writers' CPU s",
                        "events per CPU s",
                        "server sessions seen",
                    ],
                    rows,
                    right=(1, 2, 3, 4),
                )
            )

        if "at_risk" in parts:
            rows = []
            targets = [("SQLite", sqlite_url, None)]
            if use_pg:
                url, drop = _fresh_postgres(args.postgres)
                targets.append(("PostgreSQL", url, drop))
            for name, url, drop in targets:
                try:
                    began = time.perf_counter()
                    at = _fill_clocks(url, args.open_clocks)
                    filled = time.perf_counter() - began
                    for label, med, p95, note in _queries(url, at, args.repeat):
                        met = ""
                        if label == "at_risk(within=1h)":
                            met = "yes" if med < GOALS["at_risk_ms"] else "NO"
                        rows.append([name, label, f"{med:.1f}", f"{p95:.1f}", note, met])
                    print(f"({name}: {args.open_clocks:,} clocks written in {filled:.0f} s)")
                finally:
                    if drop is not None:
                        drop()
            print(
                f"\nqueries over {args.open_clocks:,} open clocks (goal: at_risk under {GOALS['at_risk_ms']:.0f} ms)"
            )
            print(
                table(
                    ["database", "query", "median ms", "p95 ms", "result", "met"],
                    rows,
                    right=(2, 3),
                )
            )

        if "refold" in parts:
            rows = []
            targets = [("SQLite", fresh_sqlite("refold"), None)]
            if use_pg:
                url, drop = _fresh_postgres(args.postgres)
                targets.append(("PostgreSQL", url, drop))
            for name, url, drop in targets:
                try:
                    for label, med, p95 in _refold(url, (10, 50, 200), max(10, args.repeat // 2)):
                        rows.append([name, label, f"{med:.2f}", f"{p95:.2f}"])
                finally:
                    if drop is not None:
                        drop()
            print("\nrefold: one late event into a ticket with N stored events")
            print(table(["database", "ticket", "median ms", "p95 ms"], rows, right=(2, 3)))

        if "late" in parts:
            rows = []
            targets = [("SQLite", fresh_sqlite("late"), None)]
            if use_pg:
                url, drop = _fresh_postgres(args.postgres)
                targets.append(("PostgreSQL", url, drop))
            sizes = (50, 1000)
            for name, url, drop in targets:
                try:
                    found = _late(url, sizes, max(10, args.repeat // 2))
                finally:
                    if drop is not None:
                        drop()
                base: dict[tuple[str, str], float] = {}
                for shape, label, med, p95 in found:
                    cache = label.split("cache ")[1]
                    ratio = met = ""
                    if label.startswith(f"{sizes[0]} "):
                        base[(shape, cache)] = med
                    else:
                        times = med / base[(shape, cache)]
                        ratio = f"{times:.2f}x"
                        met = "yes" if times <= GOALS["late_ratio"] else "NO"
                    rows.append([name, shape, label, f"{med:.2f}", f"{p95:.2f}", ratio, met])
            print(
                "\nlate: one late event among the last events of a ticket with N stored events "
                f"(goal: {sizes[1]} events at most {GOALS['late_ratio']:.0f}x {sizes[0]} events)"
            )
            print(
                table(
                    ["database", "shape", "ticket", "median ms", "p95 ms", "ratio", "met"],
                    rows,
                    right=(3, 4, 5),
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
