"""Several processes on one database: concurrent ingestion, and a scanner killed mid-drain."""

from __future__ import annotations

import json
import multiprocessing
import signal
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from engine_helpers import START, THOROUGH
from engine_streams import policies
from engine_workers import drain_worker, ingest_worker, shuffled_stream

from ticketsla.clock import fold
from ticketsla.engine import SLAEngine
from ticketsla.engine.schema import clock_from_values, clocks_table, events_table, outbox_table
from ticketsla.testing import EventBuilder

# Workers start from a fork server that has imported the engine once (a clean process: no
# connection or thread of the test is inherited), instead of re-importing it in every child.
SPAWN = multiprocessing.get_context("forkserver")
SPAWN.set_forkserver_preload(["engine_workers"])
# 2,000 events (9 batches per worker, each starting at another quarter of the stream) already
# interleave four writers on every table; the thorough profile keeps the long run.
N_EVENTS = 20_000 if THOROUGH else 2_000


def test_four_processes_ingesting_one_stream_store_the_pure_fold(db_url: str) -> None:
    """4 processes ingest the same shuffled stream of N_EVENTS (10% redelivered) at once:
    nothing is lost or doubled, no lock error surfaces, and every ticket's clocks equal a
    single-process pure fold."""
    now = (START + timedelta(days=40)).isoformat()
    with SLAEngine(db_url, policies=policies()):
        pass  # the schema exists before the workers race
    workers = [
        SPAWN.Process(target=ingest_worker, args=(db_url, N_EVENTS, 11, n, 4, now))
        for n in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=600)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]

    events = {e.key: e for e in shuffled_stream(N_EVENTS, 11)}
    assert len(events) == N_EVENTS
    histories: dict[str, list] = {}  # type: ignore[type-arg]
    for event in events.values():
        histories.setdefault(event.ticket_id, []).append(event)
    expected = {}
    for _ticket_id, history in histories.items():
        as_of = max(e.at_us for e in history) + 1
        for state in fold(history, policies(), as_of).clocks:
            expected[(state.ticket_id, state.metric, state.cycle)] = state

    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(sa.select(sa.func.count()).select_from(events_table)).scalar_one()
            rows = [dict(r._mapping) for r in conn.execute(sa.select(clocks_table))]
            outbox = [tuple(r) for r in conn.execute(sa.select(*_OUTBOX_KEY))]
    finally:
        engine.dispose()
    assert stored == N_EVENTS
    got = {}
    for row in rows:
        state = clock_from_values(row)
        got[(state.ticket_id, state.metric, state.cycle)] = state
    assert got == expected
    assert len(outbox) == len(set(outbox))


_OUTBOX_KEY = (
    outbox_table.c.ticket_id,
    outbox_table.c.metric,
    outbox_table.c.cycle,
    outbox_table.c.kind,
    outbox_table.c.level,
    outbox_table.c.round,
)


def _fill_outbox(db_url: str, tickets: int) -> tuple[set[str], str]:
    """Tickets whose first response is overdue, scanned: returns the outbox keys and 'now'."""
    now = START + timedelta(hours=30)
    events = []
    for number in range(tickets):
        builder = EventBuilder(f"K-{number}", start=START + timedelta(minutes=number))
        builder.created(priority="urgent")
        events.extend(builder.events)
    with SLAEngine(db_url, policies=policies(), now=now) as engine:
        engine.ingest(events)
        engine.scan()
        assert engine.pending() > tickets
        with engine.sqlalchemy_engine.connect() as conn:
            o = outbox_table.c
            keys = {
                json.dumps([r.ticket_id, r.metric, r.cycle, r.kind, r.level, r.round])
                for r in conn.execute(
                    sa.select(o.ticket_id, o.metric, o.cycle, o.kind, o.level, o.round)
                )
            }
    return keys, now.isoformat()


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def _pending(db_url: str, now: str) -> int:
    with SLAEngine(db_url, policies=policies(), upgrade=False) as engine:
        return engine.pending()


def test_scanner_killed_after_a_hook_redelivers_only_that_notification(
    db_url: str, tmp_path: Path
) -> None:
    """A drainer SIGKILLed after a hook ran, before its commit: the next drainer delivers that one
    notification again and every other exactly once; the key-checking notifier's effects are
    exactly once each."""
    keys, now = _fill_outbox(db_url, 20 if THOROUGH else 8)
    killed = SPAWN.Process(target=drain_worker, args=(db_url, str(tmp_path), now, 7, 0.0))
    killed.start()
    killed.join(timeout=120)
    assert killed.exitcode == -signal.SIGKILL
    assert len(_lines(tmp_path / "attempts.jsonl")) == 7
    survivor = SPAWN.Process(target=drain_worker, args=(db_url, str(tmp_path), now, None, 0.0))
    survivor.start()
    survivor.join(timeout=120)
    assert survivor.exitcode == 0
    attempts = Counter(_lines(tmp_path / "attempts.jsonl"))
    effects = _lines(tmp_path / "effects.jsonl")
    assert sorted(effects) == sorted(keys)  # every notification's effect, exactly once
    assert sum(attempts.values()) == len(keys) + 1
    assert [n for n in attempts.values() if n > 1] == [2]  # only the in-flight one came twice
    assert _pending(db_url, now) == 0


def test_scanners_killed_from_outside_mid_drain_lose_and_double_nothing(
    db_url: str, tmp_path: Path
) -> None:
    """Two drainers race; one is SIGKILLed from outside mid-drain; a third finishes. Each
    notification's effect happens once, and at most one was handed over twice."""
    keys, now = _fill_outbox(db_url, 30 if THOROUGH else 12)
    racers = [
        SPAWN.Process(target=drain_worker, args=(db_url, str(tmp_path), now, None, 0.01))
        for _ in range(2)
    ]
    for racer in racers:
        racer.start()
    deadline = time.monotonic() + 60
    while len(_lines(tmp_path / "attempts.jsonl")) < 10 and time.monotonic() < deadline:
        time.sleep(0.01)
    racers[0].kill()
    for racer in racers:
        racer.join(timeout=120)
    assert racers[0].exitcode == -signal.SIGKILL
    assert racers[1].exitcode == 0
    finisher = SPAWN.Process(target=drain_worker, args=(db_url, str(tmp_path), now, None, 0.0))
    finisher.start()
    finisher.join(timeout=120)
    assert finisher.exitcode == 0
    attempts = Counter(_lines(tmp_path / "attempts.jsonl"))
    assert sorted(_lines(tmp_path / "effects.jsonl")) == sorted(keys)
    assert set(attempts) == keys
    assert sum(attempts.values()) <= len(keys) + 1
    assert _pending(db_url, now) == 0
