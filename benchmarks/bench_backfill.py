"""``SLAEngine.backfill`` against ``ingest()`` in calls of 100 events, side by side, same run.

Run by hand from the repository root (the PostgreSQL rows need a server: ``source
.ci/postgres.sh``, which exports ``TICKETSLA_TEST_POSTGRES_URL``)::

    .venv/bin/python benchmarks/bench_backfill.py [--events 20000] [--repeat 2]
        [--batch 20000] [--postgres URL] [--skip-postgres]

The scenario is a history import: the tests' seeded ticket histories
(``tests/engine/engine_streams.py``, about 8.6 events a ticket over 20 days) in time order, into
an empty database, with the engine's ``now`` fixed one day after the last event, as on the day of
the import. Both paths get the same events and end in the same state (``tests/engine/
test_engine_backfill.py``); ``ingest`` is called with 100 events at a time, ``backfill`` is handed
the whole stream and reads it ``--batch`` events at a time. Each path runs ``--repeat`` times on
a fresh database, the two alternating so that load that comes and goes lands on both, and keeps
its best run. The table gives events per second (wall clock, the headline) and the client
process's CPU seconds, and the ratio backfill / ingest of each; the goal is a ratio of at least 4
on each database. On a shared machine trust the ratios, not the absolute figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests" / "engine"))

from _common import table, versions  # noqa: E402
from bench_engine import _fresh_postgres  # noqa: E402
from engine_streams import policies, stream  # noqa: E402

from ticketsla import TicketEvent  # noqa: E402
from ticketsla.engine import SLAEngine  # noqa: E402

GOAL = 4.0
CALL = 100


def _timed(url: str, events: list[TicketEvent], path: str, batch: int) -> tuple[float, float]:
    """Store ``events`` into the empty database ``url`` by ``path``; (wall s, CPU s)."""
    now = events[-1].at + timedelta(days=1)
    with SLAEngine(url, policies=policies(), now=now) as engine:
        wall, cpu = time.perf_counter(), time.process_time()
        if path == "ingest":
            for start in range(0, len(events), CALL):
                engine.ingest(events[start : start + CALL])
        else:
            engine.backfill(events, batch_size=batch)
        return time.perf_counter() - wall, time.process_time() - cpu


def _best(
    fresh: Callable[[], tuple[str, Callable[[], None]]],
    events: list[TicketEvent],
    repeat: int,
    batch: int,
) -> dict[str, tuple[float, float]]:
    best: dict[str, tuple[float, float]] = {}
    for _ in range(max(repeat, 1)):
        for path in ("ingest", "backfill"):
            url, drop = fresh()
            try:
                wall, cpu = _timed(url, events, path, batch)
            finally:
                drop()
            kept = best.get(path)
            best[path] = (min(wall, kept[0]), min(cpu, kept[1])) if kept else (wall, cpu)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs per path; the best is kept")
    parser.add_argument("--batch", type=int, default=20_000, help="backfill's batch_size")
    parser.add_argument("--postgres", default=os.environ.get("TICKETSLA_TEST_POSTGRES_URL"))
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args(argv)
    print(versions("ticketsla", "SQLAlchemy", "psycopg"))
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at start")
    events = stream(args.events, seed=42)
    tickets = len({e.ticket_id for e in events})
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        count = iter(range(1_000_000))

        def fresh_sqlite() -> tuple[str, Callable[[], None]]:
            return f"sqlite:///{folder}/run{next(count)}.db", lambda: None

        targets: list[tuple[str, Callable[[], tuple[str, Callable[[], None]]]]] = [
            ("SQLite", fresh_sqlite)
        ]
        if args.postgres and not args.skip_postgres:
            base = args.postgres
            targets.append(("PostgreSQL", lambda: _fresh_postgres(base)))
        for name, fresh in targets:
            best = _best(fresh, events, args.repeat, args.batch)
            (i_wall, i_cpu), (b_wall, b_cpu) = best["ingest"], best["backfill"]
            ratio = i_wall / b_wall
            rows.append(
                [
                    name,
                    f"ingest(), calls of {CALL}",
                    f"{len(events) / i_wall:,.0f}",
                    f"{i_cpu:.1f}",
                    "",
                    "",
                    "",
                ]
            )
            rows.append(
                [
                    name,
                    f"backfill(), batches of {args.batch:,}",
                    f"{len(events) / b_wall:,.0f}",
                    f"{b_cpu:.1f}",
                    f"{ratio:.1f}x (CPU {i_cpu / b_cpu:.1f}x)",
                    f"{GOAL:.0f}x",
                    "yes" if ratio >= GOAL else "NO",
                ]
            )
    print(
        f"\n{len(events):,} events of {tickets:,} tickets into an empty database, best of "
        f"{args.repeat}; load average {os.getloadavg()[0]:.2f} at the end"
    )
    print(
        table(
            ["database", "path", "events/s", "CPU s", "ratio", "goal", "met"],
            rows,
            right=(2, 3, 4, 5),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
