"""What every part of the engine shares: the backend, the policies, the plugins, the clock edge.

``EngineContext`` is the state behind the ``SLAEngine`` facade. Its ``now`` is the one place the
engine reads the clock (unless a ``now`` was given); everything below it takes the instant as an
argument.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pluggy
import sqlalchemy as sa

from .._instants import require_aware, to_us
from ..calendar import Calendar
from ..clock import Chooser, ResponseRule, TicketSLA, fold
from ..errors import PluginError, TicketSLAError
from ..events import TicketEvent
from ..notifications import Notification
from ..plugins import calendars as plugin_calendars
from ..recipients import Recipient
from . import escalation as escalating
from .backend import Backend
from .policybook import PolicyBook

__all__ = ["EngineContext", "Now", "TicketCache"]

Now = Callable[[], datetime] | datetime
History = tuple[int, list[TicketEvent]]  # events stored for the ticket, and those events


class TicketCache:
    """The event logs of recently written tickets, so a refold need not read them back."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[str, History] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, ticket_id: str) -> History | None:
        """The cached log of a ticket; hold ``lock`` while reading."""
        return self._entries.get(ticket_id)

    def remember(self, entries: Mapping[str, History]) -> None:
        if not entries or self._size <= 0:
            return
        with self.lock:
            for ticket_id, entry in entries.items():
                self._entries[ticket_id] = entry
                self._entries.move_to_end(ticket_id)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self._entries.clear()


@dataclass(slots=True)
class EngineContext:
    backend: Backend
    book: PolicyBook
    pm: pluggy.PluginManager
    chooser: Chooser | None
    response_rule: ResponseRule | None
    batch_size: int
    max_attempts: int
    cache: TicketCache
    clock: Now | None = None
    _escalates: bool | None = field(default=None, init=False)

    # ---- the clock edge -------------------------------------------------------------------------

    def now(self) -> datetime:
        """The engine's current instant (the ``now`` given at construction, else the clock)."""
        if self.clock is None:
            return datetime.now(UTC)
        if isinstance(self.clock, datetime):
            return self.clock
        return require_aware(self.clock(), "now()")

    def at_us(self, at: datetime | None) -> int:
        return to_us(self.now() if at is None else at, "at")

    # ---- folding --------------------------------------------------------------------------------

    def fold(self, events: Sequence[TicketEvent], book: PolicyBook, at_us: int) -> TicketSLA:
        return fold(
            events,
            book.policies,
            at_us,
            chooser=self.chooser,
            response_rule=self.response_rule,
        )

    # ---- escalation levels (ticketsla.engine.escalation) ----------------------------------------

    @property
    def escalates(self) -> bool:
        if self._escalates is None:
            self._escalates = any(p.contract.escalation for p in self.book.policies.all())
        return self._escalates

    def set_book(self, book: PolicyBook) -> None:
        self.book = book
        self._escalates = None
        self.cache.clear()

    def escalations_announced(
        self, conn: sa.Connection, tickets: Sequence[str]
    ) -> dict[str, escalating.Announced] | None:
        """The tickets' escalation rows, or None when no policy has escalation levels."""
        if not self.escalates:
            return None
        return escalating.load_announced(conn, tickets)

    def escalate(
        self,
        ticket_id: str,
        clocks: Sequence[escalating.EscalationClock],
        announced: dict[str, escalating.Announced],
        t_us: int,
        now: datetime,
        *,
        full: bool,
    ) -> escalating.Plan:
        return escalating.reconcile(
            ticket_id,
            clocks,
            announced.setdefault(ticket_id, escalating.Announced()),
            t_us,
            now,
            self.book.policies,
            self.route,
            self.find_calendar,
            full=full,
        )

    def route(self, name: str, notification: Notification) -> Sequence[Recipient] | None:
        answer = self.pm.hook.ticketsla_route(name=name, notification=notification)
        if answer is None:
            return None
        routed = list(answer)
        for item in routed:
            if not isinstance(item, Recipient):
                raise PluginError(
                    f"ticketsla_route for {name!r}: expected Recipient values, got "
                    f"{type(item).__name__}",
                    subject=name,
                )
        return routed

    def find_calendar(self, name: str) -> Calendar | None:
        found = self.book.calendars.get(name)
        if found is not None:
            return found
        try:
            return plugin_calendars(self.pm).get(name)
        except TicketSLAError:
            return None
