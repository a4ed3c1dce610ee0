"""``ticketsla import --db``: store what was read through ``SLAEngine.backfill``, with a progress
bar on a terminal.

The bar goes to standard error, and only when standard error is a terminal: a pipe, a file or a
CI log gets the summary lines alone.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from ..engine import IngestResult, SLAEngine
from ..events import TicketEvent
from .engine_options import load_policies

__all__ = ["backfill_into"]

_SHOWN_REJECTS = 20


def backfill_into(
    db: str, events: Sequence[TicketEvent], policy_files: list[str], *, quiet: bool = False
) -> IngestResult:
    """Store ``events`` in the database ``db`` (created or migrated as needed) under the policies
    of ``policy_files`` (default: the registered ones), naming the first rejected events on
    standard error."""
    with (
        SLAEngine(db, policies=load_policies(policy_files)) as engine,
        _Bar(len(events), enabled=not quiet) as bar,
    ):
        result = engine.backfill(events, progress=bar.update)
    for rejection in result.errors[:_SHOWN_REJECTS]:
        event = events[rejection.position]
        print(
            f"import: rejected event {event.event_id!r} of ticket {event.ticket_id!r}: "
            f"{rejection.reason}",
            file=sys.stderr,
        )
    if result.rejected > _SHOWN_REJECTS:
        print(f"import: {result.rejected - _SHOWN_REJECTS} more rejected events", file=sys.stderr)
    return result


class _Bar:
    """A rich progress bar over the events stored, on standard error when it is a terminal."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self._total = total
        self._enabled = enabled and total > 0 and sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _Bar:
        if self._enabled:
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("storing events", total=self._total)
        return self

    def update(self, done: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
