"""What the engine's calls answer: ingest, scan and drain counts, open clocks, recalculations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..clock import ClockStatus
from .items import Rejection

__all__ = [
    "ClockChange",
    "ClockCount",
    "DrainResult",
    "HeldNotifications",
    "IngestResult",
    "OpenClock",
    "Recalculation",
    "ScanResult",
]

MAX_ERRORS = 1000  # rejections an IngestResult keeps


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestResult:
    """What one ``ingest`` call did.

    ``stored`` events were new; ``duplicates`` had a key (source, event id) already stored or
    repeated in the input for the same ticket; ``rejected`` were not events (an item that fails
    validation) or give a key to a second ticket (stored before, or earlier in the input), each
    a ``Rejection`` in ``errors`` (input position, reason, key when known, field at fault; the
    first 1,000 are kept).
    ``late`` counts stored events older than the newest one their ticket already had;
    ``refolded`` counts tickets whose clocks were recomputed.
    """

    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    late: int = 0
    refolded: int = 0
    errors: tuple[Rejection, ...] = ()

    def __add__(self, other: IngestResult) -> IngestResult:
        return IngestResult(
            stored=self.stored + other.stored,
            duplicates=self.duplicates + other.duplicates,
            rejected=self.rejected + other.rejected,
            late=self.late + other.late,
            refolded=self.refolded + other.refolded,
            errors=(self.errors + other.errors)[:MAX_ERRORS],
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenClock:
    """One clock as ``at_risk`` and ``breached`` list it (read from the index, not refolded)."""

    ticket_id: str
    metric: str
    cycle: int
    status: ClockStatus
    due_at: datetime | None  # None while paused
    breach_at: datetime | None  # breached strictly after this instant, if nothing else happens
    policy: str
    priority: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ClockCount:
    """Open clocks of one (policy, priority, metric) at an instant."""

    policy: str
    priority: str | None
    metric: str
    open: int
    running: int
    paused: int
    at_risk: int
    breached: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanResult:
    """What one ``scan`` recorded: outbox rows per kind, over how many tickets."""

    tickets: int = 0
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0  # escalation notifications recorded (one per level and recipient)
    held: int = 0  # of those, how many wait for their recipient's working hours

    def __add__(self, other: ScanResult) -> ScanResult:
        return ScanResult(
            tickets=self.tickets + other.tickets,
            warnings=self.warnings + other.warnings,
            breaches=self.breaches + other.breaches,
            escalations=self.escalations + other.escalations,
            held=self.held + other.held,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldNotifications:
    """Notifications that wait for their recipient's working hours: how many, and until when."""

    count: int = 0
    first_until: datetime | None = None
    last_until: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DrainResult:
    """What one ``drain`` did: notifications delivered, hook failures (kept for a retry), and
    notifications no installed plugin listens to (state ``no_listener``, never marked
    delivered)."""

    delivered: int = 0
    failed: int = 0
    unheard: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ClockChange:
    """How one clock's due time or breach differs between the stored state and a recalculation."""

    ticket_id: str
    metric: str
    cycle: int
    due_before: datetime | None
    due_after: datetime | None
    breached_before: bool
    breached_after: bool

    @property
    def due_changed(self) -> bool:
        return self.due_before != self.due_after

    @property
    def breach_changed(self) -> bool:
        return self.breached_before != self.breached_after


@dataclass(frozen=True, slots=True, kw_only=True)
class Recalculation:
    """The report of ``recalculate``: every clock whose due time or breach changes at ``at``."""

    dry_run: bool
    at: datetime
    tickets_checked: int
    changes: tuple[ClockChange, ...]

    @property
    def tickets(self) -> tuple[str, ...]:
        """The tickets with at least one change, sorted."""
        return tuple(sorted({c.ticket_id for c in self.changes}))
