"""``SLAEngine``: durable, idempotent SLA state on SQLite or PostgreSQL (docs/engine.md).

The service layer over the pure core. ``ingest`` appends events to the log (a unique constraint
makes it idempotent), refolds every ticket that received a new event from its whole stored log,
and writes the resulting clocks in the same transaction, so the stored state always equals the
pure ``evaluate()`` over the ticket's events. ``scan`` records warnings and breaches that have come
due as outbox rows; ``drain`` hands them to the notification hooks and marks them delivered.

The class below is a facade; the work is done by the modules of this package:

- ``ingest``, ``refold``: storing events and refolding their tickets;
- ``queries``: what one ticket or every ticket looks like now;
- ``scanning``, ``delivery``: the outbox, filled and drained;
- ``recalculation``: refolding under other policies;
- ``alerts``, ``outcomes``, ``escalation``: what the outbox must hold for a ticket;
- ``schema``: the SQLModel tables, a documented read model;
- ``backend`` with ``sqlite`` and ``postgresql``: everything that differs between the two.

This is the edge that may read the clock: ``now`` (a callable or a fixed datetime) answers every
``at=None``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pluggy
import sqlalchemy as sa

from .. import migrations
from .._instants import require_aware
from ..clock import ClockState, TicketSLA
from ..contract import FeeTable
from ..durations import parse_duration
from ..errors import ConfigurationError, StoreError
from ..escalation_notice import EscalationRecord
from ..events import TicketEvent
from ..notifications import Notification
from ..plugins import get_plugin_manager, policy_chooser, response_rule
from ..policy import PolicySet
from ..report import Dimension, Report, ReportPeriod
from . import backfill as backfilling
from . import delivery, queries, scanning
from . import ingest as ingesting
from .backend import describe_database_error as describe_database_error
from .backend import open_backend
from .backfill import DEFAULT_BACKFILL_BATCH, Progress
from .context import EngineContext, TicketCache
from .context import Now as Now
from .items import Rejection
from .policybook import LIBRARY_VERSION as LIBRARY_VERSION
from .policybook import Policies as Policies
from .policybook import PolicyBook
from .policybook import fingerprint as fingerprint
from .postgresql import require_postgresql_driver as require_postgresql_driver
from .recalculation import recalculate
from .results import (
    ClockChange,
    ClockCount,
    DrainResult,
    HeldNotifications,
    IngestResult,
    OpenClock,
    Recalculation,
    ScanResult,
)

__all__ = [
    "ClockChange",
    "ClockCount",
    "DrainResult",
    "HeldNotifications",
    "IngestResult",
    "OpenClock",
    "Recalculation",
    "Rejection",
    "SLAEngine",
    "ScanResult",
]


class SLAEngine:
    """SLA state of every ticket in a database: ingest events, ask about tickets, scan, drain.

    ``url`` is an SQLAlchemy URL: ``sqlite:///sla.db`` (a file; WAL mode) or
    ``postgresql://user:password@host/db`` (psycopg 3). ``policies`` is an ``SLAPolicy``, a
    ``PolicySet`` or a list of policies (first match wins). ``now`` is a callable returning an
    aware datetime, or a fixed aware datetime, used wherever ``at`` is None (default: the system
    clock). ``plugins`` are registered for this engine on top of the installed ones.
    ``upgrade=True`` brings the schema to the newest revision on start; with False a database
    that is not at it raises ``StoreError``. Close the engine (or use it in ``with``) to release
    its connections.
    """

    def __init__(
        self,
        url: str = "sqlite:///sla.db",
        policies: Policies | None = None,
        now: Now | None = None,
        plugins: Iterable[object] = (),
        *,
        upgrade: bool = True,
        batch_size: int = 1000,
        busy_timeout: timedelta | str = timedelta(seconds=60),
        max_attempts: int = 8,
        cache_tickets: int = 20_000,
    ) -> None:
        if isinstance(now, datetime):
            require_aware(now, "now")
        elif now is not None and not callable(now):
            raise ConfigurationError(
                f"now: expected a callable or an aware datetime, got {type(now).__name__}",
                subject="now",
            )
        if batch_size < 1 or max_attempts < 1:
            raise ConfigurationError("batch_size and max_attempts must be at least 1")
        timeout = parse_duration(busy_timeout, field="busy_timeout")
        book = PolicyBook.of(policies)
        pm = get_plugin_manager(plugins=plugins)
        backend = open_backend(url, timeout)
        self._ctx = EngineContext(
            backend=backend,
            book=book,
            pm=pm,
            chooser=policy_chooser(pm),
            response_rule=response_rule(pm),
            batch_size=batch_size,
            max_attempts=max_attempts,
            cache=TicketCache(cache_tickets),
            clock=now,
        )
        try:
            if not upgrade:
                backend.require_existing()
            self._check_schema(upgrade)
        except BaseException:
            backend.db.dispose()
            raise

    # ---- life cycle -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The database URL, its password and secret parameters hidden (``redact_url``)."""
        return self._ctx.backend.url

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._ctx.backend.dialect

    @property
    def policies(self) -> PolicySet:
        return self._ctx.book.policies

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        return self._ctx.pm

    @property
    def sqlalchemy_engine(self) -> sa.Engine:
        """The underlying SQLAlchemy engine (for a backend's own read-only queries)."""
        return self._ctx.backend.db

    def close(self) -> None:
        """Release every pooled connection and remove the writers' lock file when no other
        writer holds it. The engine must not be used afterwards: a later call raises
        ``StoreError``."""
        self._ctx.backend.close()

    def __enter__(self) -> SLAEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SLAEngine({self.url!r}, policies={[p.name for p in self.policies.all()]!r})"

    def _check_schema(self, upgrade: bool) -> None:
        backend = self._ctx.backend
        try:
            if upgrade:
                migrations.upgrade(backend.db)
                return
            found = migrations.current(backend.db)
        except sa.exc.SQLAlchemyError as exc:
            raise backend.error(exc) from exc
        wanted = migrations.head()
        if found != wanted:
            state = "has no ticketsla tables" if found is None else f"is at revision {found}"
            raise StoreError(
                f"database {self.url} {state}; this ticketsla needs revision {wanted}: run "
                f"`ticketsla db upgrade --db URL` first",
                subject=self.url,
            )

    # ---- time -----------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The engine's current instant (from ``now`` given at construction, else the clock)."""
        return self._ctx.now()

    # ---- ingest ---------------------------------------------------------------------------------

    def ingest(self, events: Iterable[TicketEvent | Mapping[str, Any]]) -> IngestResult:
        """Store events idempotently and refold every ticket that got a new one.

        ``events`` are ``TicketEvent`` values or their mapping form (``to_dict()``). Every item
        is checked before any transaction (``ticketsla.event_rules``); one that is not a valid
        event, or that gives an event key to a second ticket, is counted as rejected with a
        ``Rejection`` in ``errors``, and the rest are stored. Only a whole-call problem raises
        (no policies, a closed engine, a database that fails: ``StoreError``). Events are
        written in transactions of
        ``batch_size``: each stores its events, the refolded clocks and the notifications that
        follow from them (fulfilments, retractions, breaches that a late event revealed) at once.
        """
        return ingesting.ingest(self._ctx, events)

    def backfill(
        self,
        events: Iterable[TicketEvent | Mapping[str, Any]],
        *,
        batch_size: int = DEFAULT_BACKFILL_BATCH,
        progress: Progress | None = None,
    ) -> IngestResult:
        """Store a long history in bulk: ``ingest``'s rules and end state, each ticket folded
        once per batch of ``batch_size`` items; ``progress(items read)`` after each batch."""
        return backfilling.backfill(self._ctx, events, batch_size=batch_size, progress=progress)

    # ---- questions about one ticket -------------------------------------------------------------

    def events(self, ticket_id: str) -> list[TicketEvent]:
        """Every stored event of a ticket, in history order."""
        return queries.events(self._ctx, ticket_id)

    def tickets_events(self, *, started_before: datetime | None = None) -> list[TicketEvent]:
        """Every stored event of every ticket whose first event lies before ``started_before``
        (all tickets when None): what a report or a what-if replays."""
        return queries.tickets_events(self._ctx, started_before)

    def report(
        self,
        period: ReportPeriod,
        *,
        by: Sequence[Dimension | str] = (),
        fees: FeeTable | None = None,
        now: datetime | None = None,
    ) -> Report:
        """The SLA report of ``period`` over the stored tickets, under the engine's policies
        (``ticketsla.report.report_from_events`` on what the database holds)."""
        return queries.report(self._ctx, period, by, fees, now)

    def state(self, ticket_id: str, at: datetime | None = None) -> TicketSLA:
        """The ticket's full SLA state at ``at`` (None: now), folded from its stored event log
        under the engine's policies: equal to ``evaluate(engine.events(ticket_id), ...)``."""
        return queries.state(self._ctx, ticket_id, at)

    def clocks(self, ticket_id: str) -> tuple[ClockState, ...]:
        """The stored clocks of a ticket, as of just after its last event, by metric and cycle."""
        return queries.clocks(self._ctx, ticket_id)

    def due_at(self, ticket_id: str, metric: str = "first_response") -> datetime | None:
        """When the latest cycle of ``metric`` falls due; None when it is not running (paused,
        stopped) or the ticket has no such clock. Unknown tickets raise UnknownTicketError."""
        _, row = queries.latest_clock(self._ctx, ticket_id, metric)
        if row is None or row.due_at is None:
            return None
        due: datetime = row.due_at
        return due

    def is_breached(self, ticket_id: str, metric: str, at: datetime | None = None) -> bool:
        """Whether the latest cycle of ``metric`` is breached at ``at`` (None: now).

        Read from the stored clock when ``at`` is after the ticket's last event; an earlier
        ``at`` asks about the past, which the ticket's log answers (refolded at ``at``).
        """
        return queries.is_breached(self._ctx, ticket_id, metric, at)

    def notifications(self, ticket_id: str) -> list[tuple[Notification, str]]:
        """Every notification recorded for a ticket with its delivery state (``pending``,
        ``done``, ``failed`` or ``no_listener``), in the order they were recorded."""
        return queries.notifications(self._ctx, ticket_id)

    def escalations(self, ticket_id: str) -> tuple[EscalationRecord, ...]:
        """A ticket's escalation trail: every level fired or held, for whom, and when it went."""
        return queries.escalations(self._ctx, ticket_id)

    # ---- questions about every ticket -----------------------------------------------------------

    def at_risk(
        self,
        within: timedelta | str = timedelta(hours=1),
        at: datetime | None = None,
        *,
        limit: int | None = None,
    ) -> list[OpenClock]:
        """Running clocks due in ``[at, at + within]``, soonest first (one indexed range).

        ``within`` is a ``timedelta`` or a duration text as in policy files (``"4h"``, ``"PT4H"``).
        """
        span = parse_duration(within, field="within")
        return queries.at_risk(self._ctx, span, at, limit)

    def breached(self, at: datetime | None = None, *, limit: int | None = None) -> list[OpenClock]:
        """Open (running or paused) clocks breached by ``at``, longest breached first."""
        return queries.breached(self._ctx, at, limit)

    def counts(
        self, at: datetime | None = None, *, within: timedelta | str = timedelta(hours=1)
    ) -> list[ClockCount]:
        """Open clocks per (policy, priority, metric): running, paused, at risk within
        ``within`` of ``at``, and breached by ``at``; one statement over one covering index."""
        span = parse_duration(within, field="within")
        return queries.counts(self._ctx, at, span)

    # ---- scanning and delivery ------------------------------------------------------------------

    def scan(self, at: datetime | None = None) -> ScanResult:
        """Record every warning and breach that has come due by ``at`` (None: now) as an outbox
        row, in the transaction that updates the clock's next alert instant.

        Scanners may run concurrently: on PostgreSQL each takes tickets with ``FOR UPDATE SKIP
        LOCKED``, and the outbox's unique key makes a second recording impossible anyway.
        """
        return scanning.scan(self._ctx, at)

    def held(self) -> HeldNotifications:
        """The notifications waiting for a recipient's working hours (quiet hours) now."""
        return queries.held(self._ctx)

    def pending(self) -> int:
        """How many notifications wait for delivery."""
        return queries.pending(self._ctx)

    def next_work_at(self) -> datetime | None:
        """The earliest instant at which ``scan`` or ``drain`` has something to do: the next
        warning or breach coming due, or the next pending notification (a retry waits for its
        backoff; only counted when a notifier is installed, as ``drain`` waits for one). None
        when neither exists. Reads of partial indexes, for a scanner that sleeps until then
        instead of polling."""
        return delivery.next_work_at(self._ctx)

    def drain(self, *, limit: int | None = None) -> DrainResult:
        """Hand pending notifications to the hooks, oldest first, and mark each delivered.

        Each notification is claimed, handed to its hook and marked done in one transaction
        that holds the row (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the write lock on SQLite),
        so concurrent drainers never deliver it twice, and a ticket's notifications go out in
        the order they were recorded. If the process dies after a hook returned and before that
        commit, the row is still pending and is delivered again: delivery is at least once, and
        at most once per successful commit. docs/engine.md says how a notifier makes its effect
        exactly once with ``notification.key``. A hook that raises leaves the row pending for a
        retry with backoff; after ``max_attempts`` it is marked failed.

        With no notifier plugin installed nothing is claimed: the notifications wait in the
        outbox for one, rather than being marked delivered to nobody. With notifiers that
        implement only some hooks (say ``ticketsla_sla_warning``), a notification for a hook
        nobody implements takes the state ``no_listener`` instead of ``done``; a later drain
        that finds a plugin for it puts it back to pending and delivers it.
        """
        return delivery.drain(self._ctx, limit)

    # ---- recalculation --------------------------------------------------------------------------

    def recalculate(
        self,
        policy: Policies | None = None,
        *,
        dry_run: bool = True,
        at: datetime | None = None,
        tickets: Iterable[str] | None = None,
    ) -> Recalculation:
        """Refold tickets under ``policy`` (None: the engine's own policies, e.g. after a
        calendar file changed) and report every clock whose due time or breach at ``at``
        (None: now) would change.

        With ``dry_run=True`` (the default) nothing is written. With ``dry_run=False`` the new
        clocks, the versions they were computed with and the notifications that follow (for a
        breach that no longer holds, a retraction) are written ticket batch by ticket batch, and
        the engine uses ``policy`` from then on.
        """
        return recalculate(self._ctx, policy, dry_run=dry_run, at=at, tickets=tickets)
