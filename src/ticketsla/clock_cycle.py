"""A clock cycle while the fold works on it: its running time as *segments* (stretches during which
it ran, each measured on the calendar in force then), and when that running time reaches an amount.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .calendar import Calendar
from .clock_state import _CANCELLED, _RUNNING, ClockState, ClockStatus

if TYPE_CHECKING:
    from .clock_plan import _Plan

__all__ = ["Segment"]


class Segment(NamedTuple):
    """A stretch of running time of one cycle."""

    start: int
    end: int | None  # None while still running
    calendar: Calendar  # the calendar it is measured on
    before: int  # the cycle's running time before it
    length: int | None  # its own length; None while still running


# A segment as the fold keeps it: a plain tuple of Segment's fields, several times cheaper to
# build than the NamedTuple, which ``segments()`` gives on request.
_Span = tuple[int, int | None, Calendar, int, int | None]
_segment = tuple.__new__  # ``Segment(...)`` without the Python-level ``__new__`` of a NamedTuple


class _Cycle:
    """Mutable working state of one cycle during the fold, begun by ``_new_cycle``."""

    __slots__ = (
        "_closed",
        "calendar",
        "closed_elapsed",
        "history_breached",
        "number",
        "open_since",
        "shown",
        "started",
        "status",
        "stopped",
        "stopped_by_done",
        "suspended",
        "target",
        "target_since",
    )

    number: int
    started: int
    status: ClockStatus
    stopped: int | None
    stopped_by_done: bool
    target: int | None
    target_since: int
    calendar: Calendar
    _closed: list[_Span]
    closed_elapsed: int
    open_since: int | None
    history_breached: bool
    suspended: _Cycle | None  # what is shown while no target applies
    # once the cycle is settled (not its metric's latest): (plan, (priority, ticket), state)
    shown: tuple[_Plan, tuple[Any, str], ClockState | None] | None

    @property
    def closed(self) -> list[_Span]:
        """The finished segments, in order, as plain tuples of ``Segment``'s fields."""
        return self._closed

    @closed.setter
    def closed(self, segments: Iterable[_Span]) -> None:
        # also takes plain 5-tuples, as a fold snapshot stores them
        self._closed = [
            (start, end, calendar, before, length)
            for start, end, calendar, before, length in segments
        ]

    def copy(self) -> _Cycle:
        """A copy to go on folding with (segments are immutable tuples; ``suspended`` is only
        ever replaced, never changed)."""
        twin = _Cycle.__new__(_Cycle)
        for name in _Cycle.__slots__:
            setattr(twin, name, getattr(self, name))
        twin._closed = list(self._closed)
        return twin

    def snapshot_cancelled(self, at: int) -> _Cycle:
        """A copy of this cycle cancelled at ``at``: how it shows while no target applies."""
        copy = _new_cycle(self.number, self.started, self.target, self.calendar)
        copy._closed = list(self._closed)
        copy.closed_elapsed = self.closed_elapsed
        copy.open_since = self.open_since
        copy.target_since = self.target_since
        copy.history_breached = self.history_breached
        copy.close_segment(at)
        copy.status = _CANCELLED
        copy.stopped = at
        return copy

    def close_segment(self, at: int) -> None:
        since = self.open_since
        if since is not None:
            if at > since:
                calendar = self.calendar
                length = calendar.elapsed_us(since, at)
                before = self.closed_elapsed
                self._closed.append((since, at, calendar, before, length))
                self.closed_elapsed = before + length
            self.open_since = None

    def reset(self, at: int) -> None:
        self._closed.clear()
        self.closed_elapsed = 0
        self.started = at
        self.target_since = at

    def reach(self, amount: int) -> tuple[int | None, int | None]:
        """``_reach`` over this cycle's segments, without building them when its closed segments
        fall short of ``amount`` (the common case): then only the open segment can reach it."""
        closed = self.closed_elapsed
        open_since = self.open_since
        if amount > closed:
            if open_since is None:
                return None, None
            point = self.calendar.add_us(open_since, amount - closed)
            return point, point
        return _reach(self._closed if open_since is None else self._spans(), amount)

    def segments(self) -> list[Segment]:
        """Every segment, in order: the closed ones, and the open one while it runs."""
        return [_segment(Segment, span) for span in self._spans()]

    def _spans(self) -> list[_Span]:
        out = list(self._closed)
        if self.open_since is not None:
            out.append((self.open_since, None, self.calendar, self.closed_elapsed, None))
        return out


def _new_cycle(number: int, at: int, target: int | None, calendar: Calendar) -> _Cycle:
    """Cycle ``number``, started and running at ``at``. ``_Cycle`` has no ``__init__``: a class
    with one goes through a C-level call into the interpreter each time a cycle starts."""
    cycle = _Cycle()
    cycle.number = number
    cycle.started = at
    cycle.status = _RUNNING
    cycle.stopped = None
    cycle.stopped_by_done = False
    cycle.target = target
    cycle.target_since = at
    cycle.calendar = calendar
    cycle._closed = []
    cycle.closed_elapsed = 0
    cycle.open_since = at
    cycle.history_breached = False
    cycle.suspended = None
    cycle.shown = None
    return cycle


def _reach(segments: Sequence[_Span], amount: int) -> tuple[int | None, int | None]:
    """When the running time reaches ``amount``, and when the clock first runs on past that.

    The two differ only when the clock stopped or paused exactly on reaching it: a reply at the
    due instant reaches the target without passing it. Either is None when it never happened.
    """
    reached: int | None = None
    for start, end, cal, before, length in segments:
        need = amount - before
        if need < 0:  # reached before this segment; running on now passes it
            return reached if reached is not None else start, start
        if end is None:
            point = cal.add_us(start, need)
            return (reached if reached is not None else point), point
        if length is not None and length >= need:
            point = cal.add_us(start, need)
            if reached is None:
                reached = point
            if point < end:
                return reached, point
    return reached, None


def _breach_instants(crossing: int, target_since: int) -> tuple[int, int]:
    """The last instant a clock is not breached, and the breach instant shown for it.

    Running time passing the target at ``crossing`` breaches just after it (reaching the target
    exactly is no breach). A target that applied at ``target_since`` to a clock already past it
    breaches at that very instant, when ``remaining`` turns negative: shown as the re-target
    instant, as Zendesk shows it, and not breached one microsecond before it.
    """
    if crossing < target_since:
        return target_since - 1, target_since
    return crossing, crossing
