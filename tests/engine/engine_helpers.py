"""Values the engine's tests share: a settable clock, the start instant, a simple policy, and
whether the long runs are asked for."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from ticketsla import SLAPolicy

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning
# HYPOTHESIS_PROFILE=thorough, which also runs the property tests long, sizes the stream and
# concurrency tests up to their long runs; the default sizes keep every test within seconds.
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"


class Clock:
    """A settable ``now`` for an engine: ``clock.at`` is what the engine sees."""

    def __init__(self, at: datetime = START) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at = self.at + timedelta(**delta)
        return self.at


def simple_policy(**changes: object) -> SLAPolicy:
    """Around the clock: first response 1h, resolution 8h, warnings at 50% and 75%."""
    data: dict[str, object] = {
        "name": "simple",
        "calendar": "24x7",
        "targets": {"first_response": {"all": "1h"}, "resolution": {"all": "8h"}},
        "warnings": {"at": ["50%", "75%"]},
    }
    data.update(changes)
    return SLAPolicy.from_mapping(data)
