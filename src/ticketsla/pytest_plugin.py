"""Pytest fixtures for code that uses ticketsla, installed as a ``pytest11`` plugin.

With ticketsla installed, pytest finds these fixtures by itself (docs/testing.md):

- ``sla_policy``: the policy the engine fixture uses; override it in your ``conftest.py``;
- ``sla_engine``: an ``SLAEngine`` on a fresh SQLite file in ``tmp_path``, closed afterwards;
- ``ticket``: a factory of ``EventBuilder``s, ``ticket("4711")``, writing a ticket's events;
- ``frozen_clock``: the system clock frozen (freezegun) at Monday 2 March 2026 09:00 UTC,
  moved on with ``frozen_clock.tick("4h")``;
- ``zendesk_webhook`` and ``jira_webhook``: sign a body exactly as each vendor does and
  return the request headers.

Nothing is imported from freezegun or SQLAlchemy until a test asks for the fixture.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .durations import parse_duration
from .policy import SLAPolicy
from .testing import (
    DEFAULT_START,
    EventBuilder,
    jira_signature_headers,
    zendesk_signature_headers,
)

if TYPE_CHECKING:
    from .engine import SLAEngine

__all__ = [
    "FrozenClock",
    "frozen_clock",
    "jira_webhook",
    "sla_engine",
    "sla_policy",
    "ticket",
    "zendesk_webhook",
]


class FrozenClock:
    """The frozen system clock: ``now`` and ``tick(after)`` (a timedelta or ``"4h"``)."""

    def __init__(self, factory: Any) -> None:
        self._factory = factory

    @property
    def now(self) -> datetime:
        """The frozen instant, timezone-aware (UTC)."""
        frozen: datetime = self._factory()  # freezegun keeps UTC without a zone
        return frozen.replace(tzinfo=UTC)

    def tick(self, after: timedelta | str) -> datetime:
        """Move the clock on by ``after`` and return the new instant."""
        self._factory.tick(parse_duration(after, field="after"))
        return self.now

    def move_to(self, at: datetime) -> None:
        """Set the clock to ``at`` (an aware datetime)."""
        self._factory.move_to(at)


@pytest.fixture
def sla_policy() -> SLAPolicy:
    """A 24x7 policy: first response in 1h (urgent) or 4h, resolution in 8h or 24h."""
    return SLAPolicy.from_mapping(
        {
            "name": "standard",
            "calendar": "24x7",
            "targets": {
                "first_response": {"urgent": "1h", "all": "4h"},
                "resolution": {"urgent": "8h", "all": "24h"},
            },
        }
    )


@pytest.fixture
def sla_engine(tmp_path: Path, sla_policy: SLAPolicy) -> Iterator[SLAEngine]:
    """An ``SLAEngine`` on a fresh SQLite file with ``sla_policy``; closed after the test."""
    from .engine import SLAEngine

    with SLAEngine(f"sqlite:///{tmp_path / 'ticketsla-test.db'}", sla_policy) as engine:
        yield engine


@pytest.fixture
def ticket() -> Callable[..., EventBuilder]:
    """``ticket("4711")`` gives an ``EventBuilder`` starting Monday 2 March 2026 09:00 UTC."""

    def make(
        ticket_id: str = "T-1", *, start: datetime = DEFAULT_START, source: str = "test"
    ) -> EventBuilder:
        return EventBuilder(ticket_id, start=start, source=source)

    return make


@pytest.fixture
def frozen_clock() -> Iterator[FrozenClock]:
    """The system clock frozen at Monday 2 March 2026 09:00 UTC for the test (freezegun)."""
    freezegun = pytest.importorskip("freezegun", reason="frozen_clock needs freezegun installed")
    # pytest's own timing keeps the real clock, so --durations stays true for frozen tests.
    with freezegun.freeze_time(DEFAULT_START, ignore=["_pytest"]) as factory:
        yield FrozenClock(factory)


@pytest.fixture
def zendesk_webhook() -> Callable[..., dict[str, str]]:
    """``zendesk_webhook(body, secret, at=None)``: Zendesk's signature headers for ``body``."""
    return zendesk_signature_headers


@pytest.fixture
def jira_webhook() -> Callable[..., dict[str, str]]:
    """``jira_webhook(body, secret)``: a Jira admin webhook's signature header for ``body``."""
    return jira_signature_headers
