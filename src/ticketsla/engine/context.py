"""What every part of the engine shares: the backend, the policies, the plugins, the clock edge.

``EngineContext`` is the state behind the ``SLAEngine`` facade. Its ``now`` is the one place the
engine reads the clock (unless a ``now`` was given); everything below it takes the instant as an
argument.
"""

from __future__ import annotations

import threading
import types
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
from ..fold_snapshot import FoldSnapshot, snapshot_key
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
    """The event logs of recently written tickets, so a refold need not read them back, and
    their latest fold snapshots, so it need not read and parse the stored one either.

    Only what a committed transaction wrote is remembered: a snapshot stands for stored events.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[str, History] = OrderedDict()
        self._snapshots: OrderedDict[str, FoldSnapshot] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, ticket_id: str) -> History | None:
        """The cached log of a ticket; hold ``lock`` while reading."""
        return self._entries.get(ticket_id)

    def snapshot(self, ticket_id: str) -> FoldSnapshot | None:
        """The latest fold snapshot of a ticket kept in memory."""
        with self.lock:
            return self._snapshots.get(ticket_id)

    def remember(
        self,
        entries: Mapping[str, History],
        snapshots: Mapping[str, FoldSnapshot | None] | None = None,
    ) -> None:
        if self._size <= 0:
            return
        with self.lock:
            for ticket_id, entry in entries.items():
                self._entries[ticket_id] = entry
                self._entries.move_to_end(ticket_id)
            for ticket_id, snapshot in (snapshots or {}).items():
                if snapshot is None:
                    self._snapshots.pop(ticket_id, None)
                else:
                    self._snapshots[ticket_id] = snapshot
                    self._snapshots.move_to_end(ticket_id)
            while len(self._entries) > self._size:
                dropped, _ = self._entries.popitem(last=False)
                self._snapshots.pop(dropped, None)
            # a ticket refolded from its snapshot leaves no log here: bound the snapshots too
            while len(self._snapshots) > self._size:
                self._snapshots.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self._entries.clear()
            self._snapshots.clear()


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
    _snapshot_key: tuple[PolicyBook, str] | None = field(default=None, init=False)

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

    def snapshot_key(self, book: PolicyBook) -> str:
        """What a fold snapshot under ``book`` and this engine's plugins depends on (computed
        once per policy book): another book, calendar or chooser makes stored snapshots stale."""
        cached = self._snapshot_key
        if cached is None or cached[0] is not book:
            cached = self._snapshot_key = (
                book,
                snapshot_key(book.policies, plugins=self._plugins()),
            )
        return cached[1]

    def _plugins(self) -> str:
        """The plugins that change the fold's answers: those implementing the policy chooser
        and response rule hooks (a module by name and version; an object also by its identity,
        as its settings are not known, so its snapshots hold in this process only)."""
        if self.chooser is None and self.response_rule is None:
            return ""
        names = []
        for hook in ("ticketsla_choose_policy", "ticketsla_counts_as_response"):
            for impl in getattr(self.pm.hook, hook).get_hookimpls():
                plugin = impl.plugin
                where = (
                    type(plugin).__qualname__ if not isinstance(plugin, types.ModuleType) else ""
                )
                identity = "" if isinstance(plugin, types.ModuleType) else f"@{id(plugin)}"
                names.append(f"{hook}:{impl.plugin_name}:{where}{identity}")
        versions = sorted(
            f"{dist.project_name}=={dist.version}" for _, dist in self.pm.list_plugin_distinfo()
        )
        return "|".join([*names, *versions])

    # ---- escalation levels (ticketsla.engine.escalation) ----------------------------------------

    @property
    def escalates(self) -> bool:
        if self._escalates is None:
            self._escalates = any(p.contract.escalation for p in self.book.policies.all())
        return self._escalates

    def set_book(self, book: PolicyBook) -> None:
        self.book = book
        self._escalates = None
        self._snapshot_key = None
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
