"""Outcomes: CSAT normalised from every scale with the raw value kept; FCR under each definition."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ticketsla import FCRDefinition, PolicyError, Sentiment, SLAPolicy, TicketEvent, evaluate
from ticketsla.outcomes import sentiment_of

NY = ZoneInfo("America/New_York")
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=NY)  # a Tuesday


def policy(fcr: Any = "one_touch") -> SLAPolicy:
    return SLAPolicy.from_mapping(
        {
            "name": "outcomes",
            "calendar": "us-business",
            "targets": {"resolution": {"all": "8h"}},
            "outcomes": {"fcr": fcr},
        }
    )


class Ticket:
    """Builds one ticket's events at minute offsets from T0."""

    def __init__(self) -> None:
        self.events: list[TicketEvent] = []

    def add(self, minutes: float, kind: str, **fields: Any) -> Ticket:
        self.events.append(
            TicketEvent(
                ticket_id="T-1",
                event_id=f"e{len(self.events)}",
                at=T0 + timedelta(minutes=minutes),
                kind=kind,
                **fields,
            )
        )
        return self


# ---- CSAT -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "scale", "expected"),
    [
        ("good", None, Sentiment.POSITIVE),
        ("bad", None, Sentiment.NEGATIVE),
        # 1-5: position (r-1)/4 -> 5: 1.0, 4: 0.75 positive; 3: 0.5 neutral; 2: 0.25, 1: 0 negative
        (5, (1, 5), Sentiment.POSITIVE),
        (4, (1, 5), Sentiment.POSITIVE),
        (3, (1, 5), Sentiment.NEUTRAL),
        (2, (1, 5), Sentiment.NEGATIVE),
        (1, (1, 5), Sentiment.NEGATIVE),
        # 1-3: position (r-1)/2 -> 3: 1.0 positive; 2: 0.5 neutral; 1: 0 negative
        (3, (1, 3), Sentiment.POSITIVE),
        (2, (1, 3), Sentiment.NEUTRAL),
        (1, (1, 3), Sentiment.NEGATIVE),
        # 1-10: position (r-1)/9 -> 8: 0.78 positive; 7: 0.67, 5: 0.44 neutral; 4: 0.33 negative
        (10, (1, 10), Sentiment.POSITIVE),
        (8, (1, 10), Sentiment.POSITIVE),
        (7, (1, 10), Sentiment.NEUTRAL),
        (5, (1, 10), Sentiment.NEUTRAL),
        (4, (1, 10), Sentiment.NEGATIVE),
        (1, (1, 10), Sentiment.NEGATIVE),
    ],
)
def test_sentiment_of_each_scale(
    rating: str | int, scale: tuple[int, int] | None, expected: Sentiment
) -> None:
    """good/bad map directly; 1-5, 1-3 and 1-10 split into positive, neutral and negative."""
    assert sentiment_of(rating, scale) is expected


@pytest.mark.parametrize(
    ("rating", "scale", "sentiment", "raw", "kept_scale"),
    [
        ("good", None, Sentiment.POSITIVE, "good", None),
        ("Bad", None, Sentiment.NEGATIVE, "bad", None),
        (4, (1, 5), Sentiment.POSITIVE, 4, (1, 5)),
        (2, (1, 3), Sentiment.NEUTRAL, 2, (1, 3)),
        (4, (1, 10), Sentiment.NEGATIVE, 4, (1, 10)),
        ("3", None, Sentiment.NEUTRAL, 3, (1, 5)),  # a numeric text on the default 1-5 scale
    ],
)
def test_csat_on_the_ticket_keeps_the_raw_rating_and_its_scale(
    rating: str | int,
    scale: tuple[int, int] | None,
    sentiment: Sentiment,
    raw: str | int,
    kept_scale: tuple[int, int] | None,
) -> None:
    """TicketSLA.csat carries the sentiment, the raw rating, the scale and the rating instant."""
    ticket = Ticket().add(0, "created").add(30, "satisfaction_rated", rating=rating, scale=scale)
    csat = evaluate(ticket.events, policy(), T0 + timedelta(hours=1)).csat
    assert csat is not None
    assert csat.sentiment is sentiment
    assert csat.rating == raw
    assert csat.scale == kept_scale
    assert csat.rated_at_us == ticket.events[1].at_us


def test_latest_rating_wins_and_a_rating_after_at_is_not_known() -> None:
    """The latest rating known at ``at`` decides; an unrated ticket has no CSAT."""
    ticket = (
        Ticket()
        .add(0, "created")
        .add(60, "satisfaction_rated", rating="bad")
        .add(120, "satisfaction_rated", rating="good")
    )
    assert evaluate(ticket.events, policy(), T0 + timedelta(minutes=30)).csat is None
    early = evaluate(ticket.events, policy(), T0 + timedelta(minutes=90)).csat
    assert early is not None
    assert early.sentiment is Sentiment.NEGATIVE
    late = evaluate(ticket.events, policy(), T0 + timedelta(minutes=150)).csat
    assert late is not None
    assert late.sentiment is Sentiment.POSITIVE


# ---- FCR ------------------------------------------------------------------------------------


def fcr_of(ticket: Ticket, fcr: Any, at_minutes: float) -> bool | None:
    result = evaluate(ticket.events, policy(fcr), T0 + timedelta(minutes=at_minutes)).fcr
    assert result is not None
    return result.achieved


def test_one_touch_is_one_public_reply_before_the_solve() -> None:
    """one_touch: one reply then solved is FCR; two replies are not; unsolved is undecided."""
    one = (
        Ticket().add(0, "created").add(10, "agent_reply").add(20, "status_changed", status="solved")
    )
    assert fcr_of(one, "one_touch", 30) is True
    assert fcr_of(one, "one_touch", 15) is None  # not solved yet
    two = Ticket().add(0, "created").add(10, "agent_reply").add(15, "agent_reply")
    two.add(20, "status_changed", status="solved")
    assert fcr_of(two, "one_touch", 30) is False


def test_one_touch_ignores_auto_replies_and_internal_notes() -> None:
    """An auto-reply and an internal note are not touches: one person's reply still counts one."""
    ticket = (
        Ticket()
        .add(0, "created")
        .add(1, "agent_reply", auto=True)
        .add(5, "internal_note")
        .add(10, "agent_reply")
        .add(20, "status_changed", status="solved")
    )
    assert fcr_of(ticket, "one_touch", 30) is True


def test_one_touch_fails_when_the_ticket_is_reopened() -> None:
    """A solved ticket that reopens is not resolved at first contact."""
    ticket = (
        Ticket()
        .add(0, "created")
        .add(10, "agent_reply")
        .add(20, "status_changed", status="solved")
        .add(60, "customer_message")
    )
    assert fcr_of(ticket, "one_touch", 30) is True
    assert fcr_of(ticket, "one_touch", 90) is False


def test_customer_reopening_a_ticket_solved_without_a_reply_is_not_fcr() -> None:
    """Solved with no reply, then the customer writes (which reopens it): not FCR by any definition."""
    ticket = (
        Ticket()
        .add(0, "created")
        .add(60, "status_changed", status="solved")
        .add(120, "customer_message")
    )
    assert evaluate(ticket.events, policy(), T0 + timedelta(minutes=180)).status == "open"
    assert fcr_of(ticket, "one_touch", 180) is False
    window = {"definition": "no_reopen_within", "window": "7d"}
    assert fcr_of(ticket, window, 180 + 8 * 24 * 60) is False


def test_no_customer_followup_fails_on_a_customer_message_after_the_first_reply() -> None:
    """no_customer_followup: the customer writing again before the solve is not FCR."""
    clean = Ticket().add(0, "created").add(10, "agent_reply").add(11, "agent_reply")
    clean.add(20, "status_changed", status="solved")
    assert fcr_of(clean, "no_customer_followup", 30) is True  # two replies are fine here
    followed = Ticket().add(0, "created").add(10, "agent_reply").add(12, "customer_message")
    followed.add(15, "agent_reply").add(20, "status_changed", status="solved")
    assert fcr_of(followed, "no_customer_followup", 30) is False
    auto = Ticket().add(0, "created").add(10, "agent_reply").add(12, "customer_message", auto=True)
    auto.add(20, "status_changed", status="solved")
    assert fcr_of(auto, "no_customer_followup", 30) is True  # an out-of-office is no follow-up


def test_no_reopen_within_a_window_is_undecided_until_the_window_ends() -> None:
    """no_reopen_within 7d: undecided inside the window, FCR after it, not FCR if reopened in it."""
    window = {"definition": "no_reopen_within", "window": "7d"}
    day = 24 * 60
    solved = (
        Ticket().add(0, "created").add(10, "agent_reply").add(20, "status_changed", status="solved")
    )
    assert fcr_of(solved, window, 20 + 3 * day) is None
    assert fcr_of(solved, window, 20 + 7 * day) is True  # the window [solve, solve + 7d] has passed
    reopened = Ticket().add(0, "created").add(20, "status_changed", status="solved")
    reopened.add(20 + 6 * day, "status_changed", status="open")
    assert fcr_of(reopened, window, 20 + 8 * day) is False
    late = Ticket().add(0, "created").add(20, "status_changed", status="solved")
    late.add(20 + 8 * day, "status_changed", status="open")
    assert fcr_of(late, window, 20 + 9 * day) is True  # reopened only after the window


def test_fcr_result_records_its_definition() -> None:
    """The FCR verdict names the definition it was decided by, as the policy declared it."""
    ticket = (
        Ticket().add(0, "created").add(10, "agent_reply").add(20, "status_changed", status="solved")
    )
    result = evaluate(
        ticket.events,
        policy({"definition": "no_reopen_within", "window": "2d"}),
        T0 + timedelta(days=3),
    ).fcr
    assert result is not None
    assert result.definition == FCRDefinition.parse(
        {"definition": "no_reopen_within", "window": "48h"}, where="test"
    )
    assert str(result.definition) == "no_reopen_within(2d)"
    assert "not reopened within" in result.definition.describe()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "two_touch",
            "'two_touch' is not one of one_touch, no_customer_followup, no_reopen_within",
        ),
        ({"definition": "no_reopen_within"}, "no_reopen_within needs a window"),
        ({"definition": "one_touch", "window": "7d"}, "window applies only to no_reopen_within"),
        ({"definition": "no_reopen_within", "window": "a week"}, "'a week' is not a duration"),
        ({"definition": "one_touch", "colour": "red"}, "unknown key 'colour'"),
    ],
)
def test_bad_fcr_definitions_are_policy_errors(value: Any, message: str) -> None:
    """An unknown FCR definition, a missing or misplaced window, or an extra key is refused."""
    with pytest.raises(PolicyError, match=message):
        policy(value)
