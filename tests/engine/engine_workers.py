"""Code that the concurrency tests run in child processes (forked from a fork server)."""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import datetime
from pathlib import Path

from engine_streams import policies, stream, with_duplicates

from ticketsla.engine import SLAEngine
from ticketsla.hookspecs import hookimpl
from ticketsla.notifications import Notification

BATCH = 250


def shuffled_stream(n_events: int, seed: int) -> list:  # type: ignore[type-arg]
    """The test stream: ``n_events`` events plus 10% redeliveries, shuffled."""
    return with_duplicates(stream(n_events, seed), 0.1, seed + 1)


def ingest_worker(url: str, n_events: int, seed: int, worker: int, workers: int, now: str) -> None:
    """Ingest the whole shuffled stream, starting at this worker's share of it and wrapping."""
    items = shuffled_stream(n_events, seed)
    start = len(items) * worker // workers
    rotated = items[start:] + items[:start]
    with SLAEngine(
        url, policies=policies(), now=datetime.fromisoformat(now), batch_size=BATCH
    ) as engine:
        for offset in range(0, len(rotated), BATCH):
            engine.ingest(rotated[offset : offset + BATCH])


def round_robin_stream(n_events: int, seed: int) -> list:  # type: ignore[type-arg]
    """The stream in time order with 5% redeliveries, each next to a later event."""
    events = stream(n_events, seed)
    again = with_duplicates(events, 0.05, seed + 1)[: len(events) // 20]
    step = max(1, len(events) // max(1, len(again)))
    out = list(events)
    for n, event in enumerate(again):
        out.insert(min(len(out), (n + 1) * step + n), event)
    return out


def round_robin_worker(
    url: str, n_events: int, seed: int, worker: int, workers: int, now: str
) -> None:
    """Ingest every ``workers``-th batch of the round-robin stream, starting at ``worker``:
    neighbouring batches share tickets, so writers meet on the same tickets."""
    items = round_robin_stream(n_events, seed)
    batches = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
    with SLAEngine(
        url, policies=policies(), now=datetime.fromisoformat(now), batch_size=BATCH
    ) as engine:
        for batch in batches[worker::workers]:
            engine.ingest(batch)


class FileNotifier:
    """A notifier whose effect is a line in ``effects``, made exactly once by checking its key.

    Every call is first logged to ``attempts``. With ``die_after`` the process kills itself with
    SIGKILL right after the effect of that many calls: the worst moment, after the side effect
    and before the engine commits the delivery. ``pause`` slows each call down.
    """

    def __init__(self, folder: str, die_after: int | None = None, pause: float = 0.0) -> None:
        self.attempts = Path(folder) / "attempts.jsonl"
        self.effects = Path(folder) / "effects.jsonl"
        self.die_after = die_after
        self.pause = pause
        self.calls = 0

    def _deliver(self, notification: Notification) -> None:
        line = json.dumps(list(notification.key)) + "\n"
        _append(self.attempts, line)
        done = set()
        if self.effects.exists():
            done = set(self.effects.read_text().splitlines())
        if line.rstrip("\n") not in done:
            _append(self.effects, line)
        self.calls += 1
        if self.pause:
            time.sleep(self.pause)
        if self.die_after is not None and self.calls >= self.die_after:
            os.kill(os.getpid(), signal.SIGKILL)

    @hookimpl
    def ticketsla_sla_warning(self, notification: Notification) -> None:
        self._deliver(notification)

    @hookimpl
    def ticketsla_sla_breached(self, notification: Notification) -> None:
        self._deliver(notification)

    @hookimpl
    def ticketsla_sla_fulfilled(self, notification: Notification) -> None:
        self._deliver(notification)


def _append(path: Path, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def drain_worker(url: str, folder: str, now: str, die_after: int | None, pause: float) -> None:
    """Drain the outbox into a FileNotifier."""
    notifier = FileNotifier(folder, die_after=die_after, pause=pause)
    with SLAEngine(
        url, policies=policies(), now=datetime.fromisoformat(now), plugins=[notifier]
    ) as engine:
        engine.drain()
