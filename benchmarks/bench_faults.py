"""What SIGKILL at random moments costs the engine, on SQLite and PostgreSQL.

Run by hand from the repository root (PostgreSQL needs a server: ``source .ci/postgres.sh``)::

    .venv/bin/python benchmarks/bench_faults.py [--events 4000] [--kills 20] [--seed 5]
        [--postgres URL] [--skip-postgres]

For each database, three phases, each a child process killed with SIGKILL after a random delay,
restarted, killed again ``--kills`` times, then run once to the end:

- ``ingest``: the tests' seeded ticket stream (``tests/engine/engine_streams.py``, 10%
  redelivered, shuffled) in batches of 250;
- ``scan``: ``scan()`` at instants stepping through the stream's month, recording warnings and
  breaches;
- ``drain``: ``drain()`` into a notifier whose effect is a line in a file, made once per
  ``notification.key`` (how docs/engine.md says a notifier gets exactly-once effects), and
  which logs every call it receives.

Then it counts, against the stream itself and the pure ``fold``: events lost and doubled, clocks
that differ from the pure fold, notifications recorded twice, notifications never delivered,
duplicate deliveries (calls beyond the first for one key: the at-least-once cost of a kill after
a hook and before its commit) and doubled effects. Every count but duplicate deliveries should be
0. Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests" / "engine"))

import sqlalchemy as sa  # noqa: E402
from _common import table, versions  # noqa: E402
from engine_streams import START, policies, stream, with_duplicates  # noqa: E402

from ticketsla.clock import fold  # noqa: E402
from ticketsla.engine import SLAEngine  # noqa: E402
from ticketsla.hookspecs import hookimpl  # noqa: E402
from ticketsla.notifications import Notification  # noqa: E402
from ticketsla.store import (  # noqa: E402
    DeliveryState,
    clock_from_values,
    clocks_table,
    events_table,
    outbox_table,
)

SPAWN = multiprocessing.get_context("spawn")
BATCH = 250
NOW = START + timedelta(days=40)  # after the whole stream: every due alert is due


def _items(n_events: int, seed: int) -> list[Any]:
    return with_duplicates(stream(n_events, seed), 0.1, seed + 1)


# ---- the child processes -------------------------------------------------------------------------


def ingest_child(url: str, n_events: int, seed: int) -> None:
    items = _items(n_events, seed)
    with SLAEngine(url, policies=policies(), now=NOW, batch_size=BATCH) as engine:
        for offset in range(0, len(items), BATCH):
            engine.ingest(items[offset : offset + BATCH])


def scan_child(url: str) -> None:
    with SLAEngine(url, policies=policies(), now=NOW, upgrade=False) as engine:
        for day in range(0, 41, 2):
            engine.scan(at=START + timedelta(days=day))


class LoggingNotifier:
    """Logs every call; its effect (a line in ``effects``) is made once per notification key."""

    def __init__(self, folder: str) -> None:
        self.calls = Path(folder) / "calls.jsonl"
        self.effects = Path(folder) / "effects.jsonl"

    def _deliver(self, notification: Notification) -> None:
        line = json.dumps(list(notification.key))
        _append(self.calls, line)
        done = set(self.effects.read_text().splitlines()) if self.effects.exists() else set()
        if line not in done:
            _append(self.effects, line)

    @hookimpl
    def ticketsla_sla_warning(self, notification: Notification) -> None:
        self._deliver(notification)

    @hookimpl
    def ticketsla_sla_breached(self, notification: Notification) -> None:
        self._deliver(notification)

    @hookimpl
    def ticketsla_sla_fulfilled(self, notification: Notification) -> None:
        self._deliver(notification)

    @hookimpl
    def ticketsla_outcome_recorded(self, notification: Notification) -> None:
        self._deliver(notification)


def _append(path: Path, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def drain_child(url: str, folder: str) -> None:
    notifier = LoggingNotifier(folder)
    with SLAEngine(url, now=NOW, plugins=[notifier], upgrade=False) as engine:
        engine.drain()


# ---- killing and checking ------------------------------------------------------------------------


def _kill_and_finish(target: Any, args: tuple[Any, ...], kills: int, rng: random.Random) -> int:
    """Start ``target``, SIGKILL it after a random delay, ``kills`` times; then run it to the
    end. Returns how many runs were really killed (a run that ended first was not)."""
    killed = 0
    for _ in range(kills):
        child = SPAWN.Process(target=target, args=args)
        child.start()
        time.sleep(rng.uniform(0.3, 2.5))  # spawning and importing take ~0.3 s
        if child.is_alive():
            child.kill()
            killed += 1
        child.join()
    final = SPAWN.Process(target=target, args=args)
    final.start()
    final.join()
    if final.exitcode != 0:
        raise SystemExit(f"{target.__name__} failed on its last run (exit {final.exitcode})")
    return killed


def _check(url: str, n_events: int, seed: int, folder: Path) -> dict[str, int]:
    expected_events = {e.key: e for e in _items(n_events, seed)}
    histories: dict[str, list[Any]] = {}
    for event in expected_events.values():
        histories.setdefault(event.ticket_id, []).append(event)
    expected = {}
    for history in histories.values():
        as_of = max(e.at_us for e in history) + 1
        for state in fold(history, policies(), as_of).clocks:
            expected[(state.ticket_id, state.metric, state.cycle)] = state
    engine = sa.create_engine(url)
    o = outbox_table.c
    try:
        with engine.connect() as conn:
            keys = [
                (r.source, r.event_id)
                for r in conn.execute(sa.select(events_table.c.source, events_table.c.event_id))
            ]
            rows = [dict(r._mapping) for r in conn.execute(sa.select(clocks_table))]
            outbox = [
                (r.ticket_id, r.metric, r.cycle, r.kind, r.level, r.round, r.state)
                for r in conn.execute(
                    sa.select(o.ticket_id, o.metric, o.cycle, o.kind, o.level, o.round, o.state)
                )
            ]
    finally:
        engine.dispose()
    got = {}
    for row in rows:
        state = clock_from_values(row)
        got[(state.ticket_id, state.metric, state.cycle)] = state
    differing = sum(1 for k in expected.keys() | got.keys() if expected.get(k) != got.get(k))
    calls = _lines(folder / "calls.jsonl")
    effects = _lines(folder / "effects.jsonl")
    recorded = Counter(row[:6] for row in outbox)
    return {
        "events lost": len(expected_events.keys() - set(keys)),
        "events doubled": len(keys) - len(set(keys)),
        "clocks != fold": differing,
        "notifications": len(outbox),
        "recorded twice": sum(n - 1 for n in recorded.values()),
        "undelivered": sum(1 for row in outbox if row[6] != DeliveryState.DONE.value),
        "duplicate deliveries": len(calls) - len(set(calls)),
        "effects doubled": len(effects) - len(set(effects)),
    }


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def run_backend(name: str, url: str, args: argparse.Namespace, folder: Path) -> list[str]:
    rng = random.Random(args.seed)
    with SLAEngine(url, policies=policies()):
        pass  # the schema exists before the first kill
    kills = {}
    print(f"{name}: ingest", file=sys.stderr)
    kills["ingest"] = _kill_and_finish(ingest_child, (url, args.events, args.seed), args.kills, rng)
    print(f"{name}: scan", file=sys.stderr)
    kills["scan"] = _kill_and_finish(scan_child, (url,), args.kills, rng)
    print(f"{name}: drain", file=sys.stderr)
    kills["drain"] = _kill_and_finish(drain_child, (url, str(folder)), args.kills, rng)
    found = _check(url, args.events, args.seed, folder)
    killed = "/".join(str(kills[p]) for p in ("ingest", "scan", "drain"))
    return [name, killed, *(f"{value:,}" for value in found.values())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs per phase")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("TICKETSLA_TEST_POSTGRES_URL"))
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    rows = []
    work = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    try:
        (work / "sqlite").mkdir()
        rows.append(run_backend("sqlite", f"sqlite:///{work / 'sla.db'}", args, work / "sqlite"))
        if args.postgres and not args.skip_postgres:
            (work / "pg").mkdir()
            rows.append(run_backend("postgresql", _fresh_schema(args.postgres), args, work / "pg"))
        else:
            print("postgresql: skipped (no --postgres URL)", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(versions("ticketsla", "SQLAlchemy", "psycopg"))
    print(f"{args.events:,} events (+10% redelivered), {args.kills} SIGKILLs per phase")
    headers = [
        "database",
        "killed i/s/d",
        "events lost",
        "doubled",
        "clocks != fold",
        "notifications",
        "recorded twice",
        "undelivered",
        "dup. deliveries",
        "effects doubled",
    ]
    print(table(headers, rows, right=range(1, len(headers))))


def _fresh_schema(base: str) -> str:
    """The PostgreSQL URL pointed at a new, empty schema (left behind for inspection)."""
    schema = f"bench_faults_{int(time.time())}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()
    url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


if __name__ == "__main__":
    main()
