"""Recorded Zendesk payloads (tests/fixtures) and small helpers shared by the adapter's tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ticketsla.events import TicketEvent

FIXTURES = Path(__file__).resolve().parent / "fixtures"
AGENTS = (7001, 7002, 7003)


def raw(name: str) -> bytes:
    """A fixture's bytes, exactly as recorded."""
    return (FIXTURES / name).read_bytes()


def data(name: str) -> Any:
    """A fixture decoded."""
    return json.loads(raw(name))


def rows(events: list[TicketEvent]) -> list[tuple[Any, ...]]:
    """The parts of each event a mapping table states: id, kind, actor, auto, status, priority."""
    return [
        (
            e.event_id,
            str(e.kind),
            str(e.actor),
            e.auto,
            e.status and str(e.status),
            e.priority and str(e.priority),
        )
        for e in events
    ]
