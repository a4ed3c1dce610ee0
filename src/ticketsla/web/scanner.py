"""The scanner of a running service: ``scan`` and ``drain`` when the engine's next warning,
breach or notification retry is due, never in a busy poll.

One thread sleeps until ``engine.next_work_at()`` (at most ``safety`` long, for the work other
replicas add to a shared database), or until ``wake()`` says that a webhook stored events
(which may start a clock due sooner, or record a fulfilment to deliver). Several replicas on
one PostgreSQL database may each run one: scans take tickets with ``SKIP LOCKED`` and
notifications are claimed the same way, so each is delivered once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from ..engine import SLAEngine
from ..errors import ConfigurationError, TicketSLAError

__all__ = ["Scanner"]

_log = logging.getLogger("ticketsla.web.scanner")
_RETRY_AFTER_ERROR = 5.0
# Wake a hair after the instant, so the instant itself is no longer in the future.
_PAST_THE_INSTANT = 0.005
_MIN_GAP = 0.5
# Work still due right after a round is held by another replica: look again shortly.
_HELD_ELSEWHERE = 0.05


class Scanner:
    """A background thread running ``scan`` and ``drain`` on ``engine`` when work comes due.

    ``safety`` bounds every sleep. ``now`` reads the clock (default: the engine's).
    ``start()`` and ``stop()`` (or ``with``) run it; ``passes`` counts completed rounds.
    """

    def __init__(
        self,
        engine: SLAEngine,
        *,
        safety: timedelta = timedelta(seconds=30),
        now: Callable[[], datetime] | None = None,
    ) -> None:
        if safety <= timedelta(0):
            raise ConfigurationError(f"safety: {safety} must be positive", subject="safety")
        self._engine = engine
        self._safety = safety.total_seconds()
        self._now = now or engine.now
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.passes = 0
        self.last_error: str | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="ticketsla-scanner", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the round under way, then stop."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """Run a round now (called after events are stored)."""
        self._wake.set()

    def __enter__(self) -> Scanner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def run_once(self) -> float:
        """One round: scan, drain, and how many seconds to sleep before the next."""
        self._engine.scan(self._now())
        self._engine.drain()
        self.passes += 1
        upcoming = self._engine.next_work_at()
        if upcoming is None:
            return self._safety
        wait = (upcoming - self._now()).total_seconds() + _PAST_THE_INSTANT
        return min(self._safety, max(_HELD_ELSEWHERE, wait))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            started = time.monotonic()
            try:
                wait = self.run_once()
                self.last_error = None
            except TicketSLAError as exc:  # the database is away: try again soon
                self.last_error = exc.message
                _log.warning("scanner: %s", exc.message)
                wait = min(self._safety, _RETRY_AFTER_ERROR)
            if wait > 0 and self._wake.wait(wait):
                # woken by stored events: rounds at most every _MIN_GAP, so a stream of
                # deliveries does not keep the scanner (and the database's writer lock) busy
                self._stop.wait(max(0.0, started + _MIN_GAP - time.monotonic()))
