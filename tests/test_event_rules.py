"""The limits every event obeys (``ticketsla.event_rules``), applied by ``TicketEvent`` itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ticketsla import ConfigurationError, EventError, NaiveDatetimeError, TicketEvent
from ticketsla.event_rules import (
    DEFAULT_EARLIEST,
    DEFAULT_LATEST,
    plausible_window,
    set_plausible_window,
    shown,
    stored_events,
)

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def make(**changes: Any) -> TicketEvent:
    values: dict[str, Any] = {"ticket_id": "T-1", "event_id": "e1", "at": AT, "kind": "created"}
    values.update(changes)
    return TicketEvent(**values)


def test_the_default_window_and_its_bounds_in_the_message() -> None:
    """1970 to 2100 by default; an instant outside is refused with both bounds named."""
    assert plausible_window() == (DEFAULT_EARLIEST, DEFAULT_LATEST)
    make(at=DEFAULT_EARLIEST)
    with pytest.raises(EventError) as info:
        make(at=DEFAULT_LATEST)
    assert info.value.subject == "at"
    assert "1970-01-01T00:00:00+00:00 to 2100-01-01T00:00:00+00:00" in info.value.message
    with pytest.raises(EventError, match="outside the plausible window"):
        make(at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC) - timedelta(hours=12))


def test_the_window_is_configurable_and_checked() -> None:
    """A wider window admits older history; a naive or reversed window is refused."""
    saved = plausible_window()
    try:
        set_plausible_window(datetime(1900, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC))
        assert make(at=datetime(1950, 1, 1, tzinfo=UTC)).at.year == 1950
    finally:
        set_plausible_window(*saved)
    with pytest.raises(NaiveDatetimeError):
        set_plausible_window(datetime(1990, 1, 1), DEFAULT_LATEST)
    with pytest.raises(ConfigurationError, match="earliest < latest"):
        set_plausible_window(DEFAULT_LATEST, DEFAULT_EARLIEST)
    assert plausible_window() == saved


def test_stored_events_skip_the_window() -> None:
    """Within ``stored_events()`` (reading a database back) the window is not checked again."""
    with stored_events():
        assert make(at=datetime(1026, 3, 2, tzinfo=UTC)).at.year == 1026
    with pytest.raises(EventError):
        make(at=datetime(1026, 3, 2, tzinfo=UTC))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ticket_id": "T\x00"}, "ticket_id"),
        ({"event_id": "e\ud800"}, "event_id"),
        ({"source": "s" * 257}, "source"),
        ({"subject": "x" * 8193}, "subject"),
        ({"subject": {"a": 1}}, "subject"),
        ({"tags": ["ok", "\ud800"]}, "tags"),
        ({"tags": 5}, "tags"),
        ({"widget": float("nan")}, "widget"),
        ({"widget": "a\x00"}, "widget"),
        ({"kind": "satisfaction_rated", "rating": 4.7}, "rating"),
        ({"kind": "satisfaction_rated", "rating": "4.7"}, "rating"),
        ({"kind": "satisfaction_rated", "rating": 3, "scale": (True, 5)}, "scale"),
        ({"seq": 2**63}, "seq"),
        ({"auto": "no"}, "auto"),
    ],
)
def test_each_rule_names_its_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(EventError) as info:
        make(**changes)
    assert info.value.subject == field
    info.value.message.encode("utf-8")  # a message never carries the lone surrogate itself


def test_integral_ratings_are_kept_exactly() -> None:
    assert make(kind="satisfaction_rated", rating="5").rating == 5
    assert make(kind="satisfaction_rated", rating=2.0).rating == 2
    assert make(kind="satisfaction_rated", rating=" Good ").rating == "good"


def test_shown_clips_and_escapes() -> None:
    assert shown("x" * 100).endswith("...")
    assert len(shown("x" * 100)) == 60
    assert "\\ud800" in shown("a\ud800")
