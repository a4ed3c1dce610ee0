"""The event log indexed by ticket and instant.

A refold that resumes from a ticket's fold snapshot reads only the events from the snapshot's
last instant on, and counts those before it: ``(ticket_id, at)`` answers both from the index.
It replaces the index on ``ticket_id`` alone, which it covers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_ticketsla_events_ticket_at", "ticketsla_events", ["ticket_id", "at"])
    op.drop_index("ix_ticketsla_events_ticket", table_name="ticketsla_events")


def downgrade() -> None:
    op.create_index("ix_ticketsla_events_ticket", "ticketsla_events", ["ticket_id"])
    op.drop_index("ix_ticketsla_events_ticket_at", table_name="ticketsla_events")
