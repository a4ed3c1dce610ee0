"""Outcomes of a ticket: first contact resolution (FCR) and customer satisfaction (CSAT).

Each result carries the definition it was measured with, so a report can say what it counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from ._instants import duration_us
from .durations import format_duration, parse_duration
from .errors import ConfigurationError, PolicyError
from .events import DONE_STATUSES, EventKind, Status, TicketEvent

__all__ = [
    "CSAT",
    "CSAT_MEASURE",
    "FCR",
    "FCRDefinition",
    "FCR_MEASURE",
    "OUTCOME_MEASURES",
    "OutcomeTally",
    "Sentiment",
    "csat_of",
    "fcr_of",
    "first_solve_us",
    "is_solve",
    "sentiment_of",
]

# The names under which the outcomes are measured, reported and given goals (beside the clock
# metrics): first contact resolution and customer satisfaction.
FCR_MEASURE = "fcr"
CSAT_MEASURE = "csat"
OUTCOME_MEASURES = (FCR_MEASURE, CSAT_MEASURE)


class FCRKind(StrEnum):
    ONE_TOUCH = "one_touch"  # solved with at most one public agent reply
    NO_CUSTOMER_FOLLOWUP = "no_customer_followup"  # no customer message after the first reply
    NO_REOPEN_WITHIN = "no_reopen_within"  # solved, and not reopened within a window


@dataclass(frozen=True, slots=True, kw_only=True)
class FCRDefinition:
    """How first contact resolution is decided (``one_touch`` unless the policy says otherwise)."""

    kind: FCRKind = FCRKind.ONE_TOUCH
    window_us: int = 0

    @classmethod
    def parse(cls, value: Any, *, where: str) -> FCRDefinition:
        """From ``"one_touch"`` or ``{definition = "no_reopen_within", window = "7d"}``."""
        table = {"definition": value} if isinstance(value, str) else value
        if not isinstance(table, dict):
            raise PolicyError(f"{where}: expected a definition name or a table, got {value!r}")
        unknown = set(table) - {"definition", "window"}
        if unknown:
            raise PolicyError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        try:
            kind = FCRKind(str(table.get("definition")))
        except ValueError:
            allowed = ", ".join(k.value for k in FCRKind)
            raise PolicyError(
                f"{where}: {table.get('definition')!r} is not one of {allowed}"
            ) from None
        window = 0
        if kind is FCRKind.NO_REOPEN_WITHIN:
            if "window" not in table:
                raise PolicyError(f"{where}: no_reopen_within needs a window such as '7d'")
            try:
                window = duration_us(parse_duration(table["window"], field=f"{where}.window"))
            except ConfigurationError as exc:
                raise PolicyError(str(exc)) from None
        elif "window" in table:
            raise PolicyError(f"{where}: window applies only to no_reopen_within")
        return cls(kind=kind, window_us=window)

    def describe(self) -> str:
        if self.kind is FCRKind.ONE_TOUCH:
            return "solved with at most one public agent reply"
        if self.kind is FCRKind.NO_CUSTOMER_FOLLOWUP:
            return "solved with no customer message after the first public agent reply"
        window = format_duration(timedelta(microseconds=self.window_us), days=True)
        return f"solved and not reopened within {window}"

    def __str__(self) -> str:
        if self.kind is FCRKind.NO_REOPEN_WITHIN:
            window = format_duration(timedelta(microseconds=self.window_us), days=True)
            return f"{self.kind.value}({window})"
        return self.kind.value


@dataclass(frozen=True, slots=True, kw_only=True)
class FCR:
    """The FCR verdict of a ticket; ``achieved`` is None while it cannot be decided yet."""

    definition: FCRDefinition
    achieved: bool | None
    reason: str


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


@dataclass(frozen=True, slots=True, kw_only=True)
class CSAT:
    """The latest satisfaction rating of a ticket, normalised, with the raw value kept."""

    sentiment: Sentiment
    rating: str | int
    scale: tuple[int, int] | None
    rated_at_us: int


def sentiment_of(rating: str | int, scale: tuple[int, int] | None) -> Sentiment:
    """good/bad map directly; on a numeric scale the top quarter is positive, the bottom 40 %
    negative (1-5: 4-5 positive, 3 neutral, 1-2 negative; 1-3: 3/2/1; 1-10: 8-10 positive,
    5-7 neutral, 1-4 negative)."""
    if isinstance(rating, str):
        return Sentiment.POSITIVE if rating == "good" else Sentiment.NEGATIVE
    low, high = scale or (1, 5)
    position = (rating - low) / (high - low)
    if position >= 0.75:
        return Sentiment.POSITIVE
    if position <= 0.4:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


def csat_of(events: Sequence[TicketEvent]) -> CSAT | None:
    """The latest rating among ordered events, or None when the ticket was never rated."""
    for event in reversed(events):
        if event.kind is EventKind.SATISFACTION_RATED and event.rating is not None:
            return _csat(event)
    return None


def _csat(event: TicketEvent) -> CSAT:
    assert event.rating is not None
    return CSAT(
        sentiment=sentiment_of(event.rating, event.scale),
        rating=event.rating,
        scale=event.scale,
        rated_at_us=event.at_us,
    )


@dataclass(slots=True)
class OutcomeTally:
    """What FCR and CSAT depend on, gathered one event at a time in history order.

    ``fcr_of`` and ``csat_of`` decide from it; the clock fold keeps one beside its clocks, so a
    fold resumed from a snapshot decides them without the events before the snapshot.
    """

    replies: int = 0  # public agent replies
    replies_by_solve: int = 0  # public agent replies at or before the first solve's instant
    followup: bool = False  # a customer message after the first reply, before a solve
    solved_at: int | None = None
    reopened_at: int | None = None
    closed: bool = False  # a closed ticket is never reopened by a reply
    rated: TicketEvent | None = None  # the latest rating

    def add(self, event: TicketEvent) -> None:
        kind = event.kind
        if kind is EventKind.AGENT_REPLY:
            self.reply(event)
        elif kind is EventKind.CUSTOMER_MESSAGE:
            self.customer_message(event)
        elif kind is EventKind.STATUS_CHANGED:
            self.status_change(event)
        elif kind is EventKind.SATISFACTION_RATED:
            self.rating(event)

    # One method per kind of event that counts, so the clock fold, which dispatches on the kind
    # already, feeds each event straight to its method.

    def reply(self, event: TicketEvent) -> None:
        """An agent_reply: a public one counts."""
        if not event.auto:
            self.replies += 1
            if self.solved_at is None or event.at_us <= self.solved_at:
                self.replies_by_solve += 1

    def customer_message(self, event: TicketEvent) -> None:
        if not event.auto:
            if self.solved_at is not None:
                if self.reopened_at is None and not self.closed:
                    self.reopened_at = event.at_us  # a customer reply reopens a solved ticket
            elif self.replies:
                self.followup = True

    def status_change(self, event: TicketEvent) -> None:
        status = event.status
        if status is None:
            return
        if status in DONE_STATUSES:
            self.closed = self.closed or status is _CLOSED
            if self.solved_at is None:
                self.solved_at = event.at_us
        elif self.solved_at is not None and self.reopened_at is None and status is not _NEW:
            self.reopened_at = event.at_us

    def rating(self, event: TicketEvent) -> None:
        if event.rating is not None:
            self.rated = event

    def csat(self) -> CSAT | None:
        return None if self.rated is None else _csat(self.rated)

    def fcr(self, definition: FCRDefinition, at_us: int) -> FCR:
        """The FCR verdict at ``at_us`` of the events added (none of them after ``at_us``)."""
        solved_at, reopened_at = self.solved_at, self.reopened_at
        if solved_at is None:
            return _verdict(definition, None, "not solved yet")
        if definition.kind is _ONE_TOUCH:
            if reopened_at is not None:
                return _verdict(definition, False, "reopened after the solve")
            replies = self.replies_by_solve
            return _verdict(
                definition, replies <= 1, f"{replies} public agent replies before the solve"
            )
        if definition.kind is _NO_CUSTOMER_FOLLOWUP:
            return _verdict(
                definition,
                not self.followup and reopened_at is None,
                "customer wrote again after the first reply"
                if self.followup
                else ("reopened after the solve" if reopened_at is not None else "no follow-up"),
            )
        deadline = solved_at + definition.window_us
        if reopened_at is not None and reopened_at <= deadline:
            return _verdict(definition, False, "reopened within the window")
        if at_us < deadline:
            return _verdict(definition, None, "reopen window still open")
        return _verdict(definition, True, "not reopened within the window")


# Enum members read once a ticket, as plain names (a member read off its class costs a
# descriptor call on Python 3.11).
_CLOSED = Status.CLOSED
_NEW = Status.NEW
_ONE_TOUCH = FCRKind.ONE_TOUCH
_NO_CUSTOMER_FOLLOWUP = FCRKind.NO_CUSTOMER_FOLLOWUP

# FCR verdicts are few and immutable: each is built once and shared (building a frozen dataclass
# costs more than the rest of deciding it). Bounded, in case of many definitions.
_VERDICTS: dict[tuple[FCRKind, int, bool | None, str], FCR] = {}


def _verdict(definition: FCRDefinition, achieved: bool | None, reason: str) -> FCR:
    key = (definition.kind, definition.window_us, achieved, reason)
    found = _VERDICTS.get(key)
    if found is None:
        if len(_VERDICTS) >= 4096:
            _VERDICTS.clear()
        found = _VERDICTS[key] = FCR(definition=definition, achieved=achieved, reason=reason)
    return found


def fcr_of(events: Sequence[TicketEvent], definition: FCRDefinition, at_us: int) -> FCR:
    """Decide FCR over a ticket's ordered events as known at ``at_us``."""
    tally = OutcomeTally()
    for event in events:
        if event.at_us > at_us:
            break
        tally.add(event)
    return tally.fcr(definition, at_us)


def is_solve(event: TicketEvent) -> bool:
    """A change to a done status (solved or closed): the first one is the ticket's solve."""
    return (
        event.kind is EventKind.STATUS_CHANGED and event.status is not None and event.status.is_done
    )


def first_solve_us(events: Iterable[TicketEvent], until_us: int | None = None) -> int | None:
    """The instant of the first solve among ordered ``events`` (at or before ``until_us``)."""
    for event in events:
        if until_us is not None and event.at_us > until_us:
            return None
        if is_solve(event):
            return event.at_us
    return None
