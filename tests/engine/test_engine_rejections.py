"""Bad items cost nothing but themselves: each is rejected with its position, key and field, and
the good items of the same call are stored, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from engine_helpers import START, Clock

from ticketsla import SLAPolicy, StoreError, TicketEvent
from ticketsla.engine import Rejection, SLAEngine
from ticketsla.event_rules import plausible_window, set_plausible_window
from ticketsla.testing import EventBuilder


def _good(ticket: str) -> list[dict[str, Any]]:
    events = EventBuilder(ticket, start=START)
    events.created(priority="high")
    events.customer_message(after="5m")
    return [e.to_dict() for e in events.events]


def _bad(event_id: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "ticket_id": "T-BAD",
        "event_id": event_id,
        "source": "api",
        "at": START.isoformat(),
        "kind": "satisfaction_rated",
        "rating": 5,
    }
    base.update(changes)
    return base


# (the bad item, the field its rejection names, words of the reason)
BAD_ITEMS: list[tuple[Any, str | None, str]] = [
    (_bad("b-rating-dashes", rating="--5"), "rating", "neither good, bad nor a number"),
    (_bad("b-rating-nan", rating=float("nan")), "rating", "not a rating"),
    (_bad("b-rating-list", rating=[5]), "rating", "not a rating"),
    (_bad("b-rating-fraction", rating=4.7), "rating", "not a rating"),
    (_bad("b-rating-scale", rating=6), "rating", "outside the scale 1-5"),
    (_bad("b-tags", tags=5), "tags", "expected a list of texts"),
    (_bad("b-far-future", at="9999-12-31T23:59:59-12:00"), "at", "outside the plausible window"),
    (_bad("b-far-past", at="1026-03-02T00:00:00+00:00"), "at", "outside the plausible window"),
    (_bad("b-naive", at="2026-03-02T10:00:00"), "at", "time zone"),
    (_bad("b-surrogate", ticket_id="T-\ud800"), "ticket_id", "lone surrogate"),
    (_bad("b-subject", subject="x\ud800y"), "subject", "lone surrogate"),
    (_bad("b-nul", subject="a\x00b"), "subject", "NUL"),
    (_bad("b-nul-id", ticket_id="T\x00"), "ticket_id", "NUL"),
    (_bad("b-source", source="s" * 257), "source", "more than 256"),
    (_bad("b-long", subject="x" * 9000), "subject", "more than 8192"),
    (_bad("b-custom", widget={"a": 1}), "widget", "custom fields hold"),
    (_bad("b-custom-inf", score=float("inf")), "score", "not a finite number"),
    (_bad("b-kind", kind=["created"]), "kind", "unknown kind"),
    (_bad("b-seq", seq=2**70), "seq", "below 2**63"),
    ({**_bad("b-key"), 5: "x"}, None, "field names are texts"),
    ({**_bad("b-self"), "self": 1}, "fields", "self"),
    ("not a mapping", None, "must be a TicketEvent or a mapping"),
    (None, None, "must be a TicketEvent or a mapping"),
]


def test_every_bad_item_is_rejected_and_the_good_ones_stored(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """Good items around every kind of bad one: the good are stored, each bad one is a
    Rejection naming its position, key and field; nothing raises."""
    good = _good("T-1") + _good("T-2")
    items: list[Any] = [good[0], *[item for item, _, _ in BAD_ITEMS], *good[1:]]
    with SLAEngine(db_url, policies=policy, now=clock) as engine:
        result = engine.ingest(items)
        assert (result.stored, result.rejected) == (len(good), len(BAD_ITEMS))
        assert [r.position for r in result.errors] == list(range(1, len(BAD_ITEMS) + 1))
        for rejection, (item, wanted_field, words) in zip(result.errors, BAD_ITEMS, strict=True):
            assert isinstance(rejection, Rejection)
            assert words in rejection.reason, rejection
            assert rejection.field == wanted_field, rejection
            if isinstance(item, dict) and item["event_id"] != "b-source":
                assert rejection.key == ("api", item["event_id"])
        assert len(engine.events("T-1")) == len(engine.events("T-2")) == 2
        with pytest.raises(LookupError):
            engine.events("T-BAD")


def test_a_fractional_rating_is_refused_never_truncated() -> None:
    """4.7 is refused; 4.0 is the whole number 4."""
    with pytest.raises(ValueError, match=r"4\.7"):
        TicketEvent.from_dict(_bad("r1", rating=4.7))
    assert TicketEvent.from_dict(_bad("r2", rating=4.0)).rating == 4


def test_same_key_for_two_tickets_in_one_batch_rejects_the_second(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """Inside one call, a key given to a second ticket is rejected naming both tickets; a plain
    repeat for the same ticket is a duplicate."""
    first = _good("T-1")
    stolen = {**_good("T-2")[0], "event_id": first[0]["event_id"]}
    with SLAEngine(db_url, policies=policy, now=clock) as engine:
        result = engine.ingest([*first, stolen, first[0]])
        assert (result.stored, result.duplicates, result.rejected) == (2, 1, 1)
        (rejection,) = result.errors
        assert rejection.position == 2
        assert "'T-1'" in rejection.reason
        assert "'T-2'" in rejection.reason
        assert rejection.field == "ticket_id"
        with pytest.raises(LookupError):
            engine.events("T-2")


def test_a_closed_engine_raises_store_error(tmp_path: Any, policy: SLAPolicy) -> None:
    """Using an engine after close() is a whole-call problem: StoreError."""
    engine = SLAEngine(f"sqlite:///{tmp_path / 'sla.db'}", policies=policy, now=START)
    engine.close()
    with pytest.raises(StoreError, match="closed"):
        engine.ingest(_good("T-1"))


def test_a_narrower_window_refuses_new_events_and_keeps_stored_ones(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """The plausible window is configurable; stored history stays readable when it narrows, and
    an event built before the change is checked again by ingest."""
    built = TicketEvent.from_dict(_good("T-2")[0])
    later = _good("T-3")
    saved = plausible_window()
    with SLAEngine(db_url, policies=policy, now=clock) as engine:
        engine.ingest(_good("T-1"))
        try:
            set_plausible_window(datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
            assert len(engine.events("T-1")) == 2
            result = engine.ingest([built, *later])
            assert result.rejected == 3
            assert "2027-01-01T00:00:00+00:00 to 2028-01-01" in result.errors[0].reason
        finally:
            set_plausible_window(*saved)
