"""The engine's tables, kept importable here: ``ticketsla.engine.schema`` holds them now."""

from __future__ import annotations

from .engine.schema import (
    OPEN_CLOCK,
    ClockRow,
    DeliveryState,
    EventRow,
    OutboxRow,
    TicketRow,
    UTCDateTime,
    clock_from_values,
    clock_values,
    clocks_table,
    event_from_body,
    event_values,
    events_table,
    metadata,
    outbox_table,
    outbox_values,
    tickets_table,
    utc_text,
    utc_text_us,
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
