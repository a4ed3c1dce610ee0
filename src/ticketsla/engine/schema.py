"""The tables of the SLA engine, as SQLModel rows kept apart from the domain values.

Four tables, all prefixed ``ticketsla_`` so they can live beside a helpdesk's own:

- ``ticketsla_events``: the append-only event log. ``(source, event_id)`` is unique, which is
  ``TicketEvent.key``: an adapter's event ids are unique within its source (a Zendesk audit id, a
  Jira changelog id), so the same key arriving again is the same event, whatever ticket it names.
  Idempotent ingestion is ``INSERT ... ON CONFLICT DO NOTHING`` on that constraint.
- ``ticketsla_tickets``: one row per ticket, the lock a writer takes on PostgreSQL
  (``SELECT ... FOR UPDATE``) and what the ticket's stored state was folded from.
- ``ticketsla_clocks``: one row per (ticket, metric, cycle): the fold's ``ClockState`` plus the
  columns the queries read from indexes (``due_at``, ``open_breach_at``, ``next_alert_at``) and
  the versions it was computed with (policy and calendar fingerprints, library version).
- ``ticketsla_outbox``: notifications to deliver, unique per (ticket, metric, cycle, kind,
  level, round), with a delivery state. ``round`` counts announcements of the same level: a
  breach that a late event retracted and that later happens again is round 2.

Every datetime column is stored in UTC (``UTCDateTime``) and read back as an aware datetime in
UTC; a naive datetime is refused. ``Row.from_domain`` and ``row.to_domain()`` convert between rows
and ``TicketEvent`` / ``ClockState`` / ``Notification`` values.

The tables are a public read model (docs/engine.md): a backend may query them with its own
``Session``. Every column says what it holds: ``ClockRow.model_fields["due_at"].description``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ..clock import ClockState
from ..events import TicketEvent
from ..notifications import Notification
from .instants import UTCDateTime, utc_text, utc_text_us
from .rows import (
    DeliveryState,
    clock_from_values,
    clock_values,
    event_from_body,
    event_values,
    outbox_values,
)

__all__ = [
    "OPEN_CLOCK",
    "ClockRow",
    "DeliveryState",
    "EventRow",
    "OutboxRow",
    "TicketRow",
    "UTCDateTime",
    "clock_from_values",
    "clock_values",
    "clocks_table",
    "event_from_body",
    "event_values",
    "events_table",
    "metadata",
    "outbox_table",
    "outbox_values",
    "tickets_table",
    "utc_text",
    "utc_text_us",
]

metadata = SQLModel.metadata


# ---- events ------------------------------------------------------------------------------------


def _row_id(description: str) -> Any:
    """An auto-incrementing primary key: 64-bit on PostgreSQL, SQLite's rowid alias there."""
    return Field(
        default=None,
        description=description,
        sa_column=sa.Column(
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
    )


class EventRow(SQLModel, table=True):
    """One stored ticket event: the key, the ordering columns, and the event as JSON."""

    __tablename__ = "ticketsla_events"
    __table_args__ = (
        sa.UniqueConstraint("source", "event_id", name="uq_ticketsla_events_key"),
        sa.Index("ix_ticketsla_events_ticket_at", "ticket_id", "at"),
    )

    id: int | None = _row_id("Surrogate key, in order of storage.")
    ticket_id: str = Field(
        description="The helpdesk's ticket id the event belongs to.",
        sa_column=sa.Column(sa.String(256), nullable=False),
    )
    source: str = Field(
        description="Where the event came from (an adapter's name, or 'api'); with event_id the event's key.",
        sa_column=sa.Column(sa.String(256), nullable=False),
    )
    event_id: str = Field(
        description="The event's id, unique within its source.",
        sa_column=sa.Column(sa.String(256), nullable=False),
    )
    at: datetime = Field(
        description="When the event happened (UTC).",
        sa_column=sa.Column(UTCDateTime(), nullable=False),
    )
    kind: str = Field(
        description="The EventKind value (created, agent_reply, status_changed, ...).",
        sa_column=sa.Column(sa.String(32), nullable=False),
    )
    body: str = Field(
        description="The whole event as JSON (TicketEvent.to_dict()).",
        sa_column=sa.Column(sa.Text(), nullable=False),
    )
    stored_at: datetime = Field(
        description="When the engine stored the event (UTC).",
        sa_column=sa.Column(UTCDateTime(), nullable=False),
    )

    @classmethod
    def from_domain(cls, event: TicketEvent, *, stored_at: datetime) -> EventRow:
        return cls(**event_values(event, stored_at=stored_at))

    def to_domain(self) -> TicketEvent:
        return event_from_body(self.body)


# ---- tickets -----------------------------------------------------------------------------------


class TicketRow(SQLModel, table=True):
    """One ticket: the row writers lock, and what its stored clocks were folded from."""

    __tablename__ = "ticketsla_tickets"

    ticket_id: str = Field(
        description="The helpdesk's ticket id.",
        sa_column=sa.Column(sa.String(256), primary_key=True),
    )
    events: int = Field(
        description="How many events are stored for the ticket.",
        default=0,
        sa_column=sa.Column(sa.Integer(), nullable=False, server_default="0"),
    )
    first_event_at: datetime | None = Field(
        description="The instant of the ticket's earliest event (UTC).",
        default=None,
        sa_column=sa.Column(UTCDateTime(), nullable=True),
    )
    last_event_at: datetime | None = Field(
        description="The instant of the ticket's latest event (UTC).",
        default=None,
        sa_column=sa.Column(UTCDateTime(), nullable=True),
    )
    as_of: datetime | None = Field(
        description=(
            "The instant the stored clocks were folded at: just after the latest event. Every "
            "clock of the ticket is current at it (settled ones keep their own, earlier as_of)."
        ),
        default=None,
        sa_column=sa.Column(UTCDateTime(), nullable=True),
    )
    policy: str | None = Field(
        description="The name of the policy the ticket falls under.",
        default=None,
        sa_column=sa.Column(sa.String(256), nullable=True),
    )
    priority: str | None = Field(
        description="The ticket's priority after its latest event.",
        default=None,
        sa_column=sa.Column(sa.String(16), nullable=True),
    )
    status: str | None = Field(
        description="The ticket's status after its latest event.",
        default=None,
        sa_column=sa.Column(sa.String(16), nullable=True),
    )
    policy_version: str | None = Field(
        description="Fingerprint of the policy's content the clocks were computed with.",
        default=None,
        sa_column=sa.Column(sa.String(64), nullable=True),
    )
    library_version: str | None = Field(
        description="The ticketsla version that computed the clocks.",
        default=None,
        sa_column=sa.Column(sa.String(32), nullable=True),
    )
    updated_at: datetime | None = Field(
        description="When the row was last written (UTC).",
        default=None,
        sa_column=sa.Column(UTCDateTime(), nullable=True),
    )
    fold_snapshot: str | None = Field(
        description=(
            "The fold's state after all but the latest events, as JSON (FoldSnapshot.to_json()): "
            "a refold after a new or late event resumes there. NULL for short tickets."
        ),
        default=None,
        sa_column=sa.Column(sa.Text(), nullable=True),
    )


# ---- clocks ------------------------------------------------------------------------------------


OPEN_CLOCK = "status IN ('running', 'paused')"


class ClockRow(SQLModel, table=True):
    """One clock cycle of one ticket, as the fold left it at ``as_of`` (the last event).

    A settled cycle (stopped, and not its metric's latest) is not rewritten by later refolds
    while the ticket keeps its policy and priority: its values hold for any later instant, and
    its ``as_of`` stays the instant it was last written at. The ticket row's ``as_of`` is the
    instant every clock of the ticket is current at (``SLAEngine.clocks`` reads them at it).

    ``due_at`` is set only while the clock runs (as ``ClockState.due_at``). ``breach_at`` is the
    instant after which the clock is breached if nothing else happens (past or future);
    ``open_breach_at`` repeats it for running and paused clocks only, so ``breached()`` reads one
    index range. ``next_alert_at`` is the earliest instant at which a warning or breach that has
    not been recorded in the outbox comes due: the scanner's index.
    """

    __tablename__ = "ticketsla_clocks"
    __table_args__ = (
        sa.Index(
            "ix_ticketsla_clocks_due",
            "due_at",
            sqlite_where=sa.text("due_at IS NOT NULL"),
            postgresql_where=sa.text("due_at IS NOT NULL"),
        ),
        sa.Index(
            "ix_ticketsla_clocks_open_breach",
            "open_breach_at",
            sqlite_where=sa.text("open_breach_at IS NOT NULL"),
            postgresql_where=sa.text("open_breach_at IS NOT NULL"),
        ),
        sa.Index(
            "ix_ticketsla_clocks_next_alert",
            "next_alert_at",
            sqlite_where=sa.text("next_alert_at IS NOT NULL"),
            postgresql_where=sa.text("next_alert_at IS NOT NULL"),
        ),
        sa.Index(
            "ix_ticketsla_clocks_counts",
            "policy",
            "priority",
            "metric",
            "due_at",
            "open_breach_at",
            sqlite_where=sa.text(OPEN_CLOCK),
            postgresql_where=sa.text(OPEN_CLOCK),
        ),
    )

    ticket_id: str = Field(
        description="The ticket the clock belongs to.",
        sa_column=sa.Column(sa.String(256), primary_key=True),
    )
    metric: str = Field(
        description="The metric measured (first_response, resolution, ...).",
        sa_column=sa.Column(sa.String(64), primary_key=True),
    )
    cycle: int = Field(
        description="The clock's cycle, from 1 (a reopened ticket starts a new cycle).",
        sa_column=sa.Column(sa.Integer(), primary_key=True, autoincrement=False),
    )
    status: str = Field(
        description="The ClockStatus value: running, paused, fulfilled or cancelled.",
        sa_column=sa.Column(sa.String(16), nullable=False),
    )
    policy: str = Field(
        description="The name of the policy whose target applies.",
        sa_column=sa.Column(sa.String(256), nullable=False),
    )
    calendar: str = Field(
        description="The name of the business calendar the clock counts in.",
        sa_column=sa.Column(sa.String(256), nullable=False),
    )
    priority: str | None = Field(
        description="The ticket's priority the target was chosen for.",
        default=None,
        sa_column=sa.Column(sa.String(16), nullable=True),
    )
    target_us: int = Field(
        description="The target in business microseconds.",
        sa_column=sa.Column(sa.BigInteger(), nullable=False),
    )
    elapsed_us: int = Field(
        description="Business microseconds elapsed at as_of.",
        sa_column=sa.Column(sa.BigInteger(), nullable=False),
    )
    started_at: datetime = Field(
        description="When the clock started (UTC).",
        sa_column=sa.Column(UTCDateTime(), nullable=False),
    )
    stopped_at: datetime | None = Field(
        description="When the clock stopped, if it did (UTC).",
        default=None,
        sa_column=sa.Column(UTCDateTime(), nullable=True),
    )
    deadline_at: datetime | None = Field(
        description="The instant the target runs out, if known (UTC).",
        default=None,
        sa_column=sa.Column(UTCDateTime(), nullable=True),
    )
    due_at: datetime | None = Field(
        description="The deadline while the clock runs; NULL when paused or stopped.",
        default=None,
        sa_column=sa.Column(UTCDateTime(), nullable=True),
    )
    breached_at: datetime | None = Field(
        description="When the clock was breached, if it was by as_of (UTC).",
        default=None,
        sa_column=sa.Column(UTCDateTime(), nullable=True),
    )
    breach_at: datetime | None = Field(
        description="Breached strictly after this instant if nothing else happens (UTC).",
        default=None,
        sa_column=sa.Column(UTCDateTime(), nullable=True),
    )
    open_breach_at: datetime | None = Field(
        description="breach_at for running and paused clocks only (the breached() index).",
        default=None,
        sa_column=sa.Column(UTCDateTime(), nullable=True),
    )
    next_alert_at: datetime | None = Field(
        description="The next instant a warning, breach or escalation comes due (the scanner's index).",
        default=None,
        sa_column=sa.Column(UTCDateTime(), nullable=True),
    )
    ever_breached: bool = Field(
        description="Whether the clock was breached at some point.",
        default=False,
        sa_column=sa.Column(sa.Boolean(), nullable=False),
    )
    warnings: str = Field(
        description="Warning levels as JSON: [level, instant_us, due_us, elapsed_us] items.",
        default="[]",
        sa_column=sa.Column(sa.Text(), nullable=False),
    )
    # [[escalation]] levels as [name, instant] pairs, fired or scheduled (ClockState.escalations_us)
    escalations: str = Field(
        description="Escalation levels as JSON: [name, instant_us] pairs, fired or scheduled.",
        default="[]",
        sa_column=sa.Column(sa.Text(), nullable=False, server_default="[]"),
    )
    as_of: datetime = Field(
        description=(
            "The instant the clock was last folded at: just after the ticket's latest event then. "
            "A settled cycle is not rewritten, so its as_of may be earlier than the ticket's."
        ),
        sa_column=sa.Column(UTCDateTime(), nullable=False),
    )
    policy_version: str = Field(
        description="Fingerprint of the policy's content.",
        sa_column=sa.Column(sa.String(64), nullable=False),
    )
    calendar_version: str = Field(
        description="Fingerprint of the calendar's content.",
        sa_column=sa.Column(sa.String(64), nullable=False),
    )
    library_version: str = Field(
        description="The ticketsla version that computed the clock.",
        sa_column=sa.Column(sa.String(32), nullable=False),
    )

    @classmethod
    def from_domain(
        cls,
        state: ClockState,
        *,
        policy_version: str,
        calendar_version: str,
        library_version: str,
        next_alert_us: int | None = None,
        warning_details: Sequence[tuple[int, int]] | None = None,
    ) -> ClockRow:
        return cls(
            **clock_values(
                state,
                policy_version=policy_version,
                calendar_version=calendar_version,
                library_version=library_version,
                next_alert_us=next_alert_us,
                warning_details=warning_details,
            )
        )

    def to_domain(self) -> ClockState:
        return clock_from_values(self.model_dump())


# ---- outbox ------------------------------------------------------------------------------------


class OutboxRow(SQLModel, table=True):
    """One notification to deliver, exactly once per (ticket, metric, cycle, kind, level, round)."""

    __tablename__ = "ticketsla_outbox"
    __table_args__ = (
        sa.UniqueConstraint(
            "ticket_id", "metric", "cycle", "kind", "level", "round", name="uq_ticketsla_outbox_key"
        ),
        sa.Index(
            "ix_ticketsla_outbox_pending",
            "id",
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        ),
        sa.Index(
            "ix_ticketsla_outbox_pending_ticket",
            "ticket_id",
            "id",
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        ),
        sa.Index(
            "ix_ticketsla_outbox_no_listener",
            "id",
            sqlite_where=sa.text("state = 'no_listener'"),
            postgresql_where=sa.text("state = 'no_listener'"),
        ),
    )

    id: int | None = _row_id("Surrogate key: the order notifications were recorded in.")
    ticket_id: str = Field(
        description="The ticket the notification is about.",
        sa_column=sa.Column(sa.String(256), nullable=False),
    )
    metric: str = Field(
        description="The metric (or outcome: fcr, csat) it is about.",
        sa_column=sa.Column(sa.String(64), nullable=False),
    )
    cycle: int = Field(
        description="The clock cycle (0 for outcomes).",
        sa_column=sa.Column(sa.Integer(), nullable=False),
    )
    kind: str = Field(
        description="The NotificationKind value: warning, breach, fulfilled, retraction, outcome, escalation.",
        sa_column=sa.Column(sa.String(16), nullable=False),
    )
    level: str = Field(
        description="The warning level, 'breach', a verdict, or NAME/RECIPIENT of an escalation.",
        sa_column=sa.Column(sa.String(256), nullable=False),
    )
    round: int = Field(
        description="Counts announcements of the same level: a retracted one that comes back is round 2.",
        default=1,
        sa_column=sa.Column(sa.Integer(), nullable=False),
    )
    at: datetime = Field(
        description="The instant the notification is about (UTC).",
        sa_column=sa.Column(UTCDateTime(), nullable=False),
    )
    body: str = Field(
        description="The whole notification as JSON (Notification.to_dict()).",
        sa_column=sa.Column(sa.Text(), nullable=False),
    )
    state: str = Field(
        description="The DeliveryState value: pending, done, failed, no_listener or cancelled.",
        default=DeliveryState.PENDING.value,
        sa_column=sa.Column(sa.String(16), nullable=False),
    )
    created_at: datetime = Field(
        description="When it was recorded (UTC).",
        sa_column=sa.Column(UTCDateTime(), nullable=False),
    )
    delivered_at: datetime | None = Field(
        description="When a drain delivered it (UTC).",
        default=None,
        sa_column=sa.Column(UTCDateTime(), nullable=True),
    )
    attempts: int = Field(
        description="How many deliveries were tried.",
        default=0,
        sa_column=sa.Column(sa.Integer(), nullable=False, server_default="0"),
    )
    available_at: datetime | None = Field(
        description="Not handed out before this instant (a retry's backoff, quiet hours).",
        default=None,
        sa_column=sa.Column(UTCDateTime(), nullable=True),
    )
    last_error: str | None = Field(
        description="The last hook failure, or why it is not delivered.",
        default=None,
        sa_column=sa.Column(sa.Text(), nullable=True),
    )
    # Quiet hours: the instant a notification waits for because its recipient's calendar was
    # closed when it was recorded (``available_at`` holds it too; this says why it waits).
    held_until: datetime | None = Field(
        description="The end of the recipient's quiet hours it waits for, if it does (UTC).",
        default=None,
        sa_column=sa.Column(UTCDateTime(), nullable=True),
    )

    @classmethod
    def from_domain(
        cls, notification: Notification, *, round: int, created_at: datetime
    ) -> OutboxRow:
        return cls(**outbox_values(notification, round=round, created_at=created_at))

    def to_domain(self) -> Notification:
        return Notification.from_dict(json.loads(self.body))


events_table: sa.Table = metadata.tables["ticketsla_events"]
tickets_table: sa.Table = metadata.tables["ticketsla_tickets"]
clocks_table: sa.Table = metadata.tables["ticketsla_clocks"]
outbox_table: sa.Table = metadata.tables["ticketsla_outbox"]
