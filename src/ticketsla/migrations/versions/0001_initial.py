"""The engine's first schema: event log, tickets, clocks and the notification outbox.

Revision ID: 0001
Revises:
Create Date: 2026-05-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _instant() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ticketsla_events",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.String(256), nullable=False),
        sa.Column("source", sa.String(256), nullable=False),
        sa.Column("event_id", sa.String(256), nullable=False),
        sa.Column("at", _instant(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("stored_at", _instant(), nullable=False),
        sa.UniqueConstraint("source", "event_id", name="uq_ticketsla_events_key"),
    )
    op.create_index("ix_ticketsla_events_ticket", "ticketsla_events", ["ticket_id"])

    op.create_table(
        "ticketsla_tickets",
        sa.Column("ticket_id", sa.String(256), primary_key=True),
        sa.Column("events", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("first_event_at", _instant(), nullable=True),
        sa.Column("last_event_at", _instant(), nullable=True),
        sa.Column("as_of", _instant(), nullable=True),
        sa.Column("policy", sa.String(256), nullable=True),
        sa.Column("priority", sa.String(16), nullable=True),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("policy_version", sa.String(64), nullable=True),
        sa.Column("library_version", sa.String(32), nullable=True),
        sa.Column("updated_at", _instant(), nullable=True),
    )

    op.create_table(
        "ticketsla_clocks",
        sa.Column("ticket_id", sa.String(256), primary_key=True),
        sa.Column("metric", sa.String(64), primary_key=True),
        sa.Column("cycle", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("policy", sa.String(256), nullable=False),
        sa.Column("calendar", sa.String(256), nullable=False),
        sa.Column("priority", sa.String(16), nullable=True),
        sa.Column("target_us", sa.BigInteger(), nullable=False),
        sa.Column("elapsed_us", sa.BigInteger(), nullable=False),
        sa.Column("started_at", _instant(), nullable=False),
        sa.Column("stopped_at", _instant(), nullable=True),
        sa.Column("deadline_at", _instant(), nullable=True),
        sa.Column("due_at", _instant(), nullable=True),
        sa.Column("breached_at", _instant(), nullable=True),
        sa.Column("breach_at", _instant(), nullable=True),
        sa.Column("open_breach_at", _instant(), nullable=True),
        sa.Column("next_alert_at", _instant(), nullable=True),
        sa.Column("ever_breached", sa.Boolean(), nullable=False),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("as_of", _instant(), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("calendar_version", sa.String(64), nullable=False),
        sa.Column("library_version", sa.String(32), nullable=False),
    )
    for name, column in (
        ("ix_ticketsla_clocks_due", "due_at"),
        ("ix_ticketsla_clocks_open_breach", "open_breach_at"),
        ("ix_ticketsla_clocks_next_alert", "next_alert_at"),
    ):
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            name, "ticketsla_clocks", [column], sqlite_where=where, postgresql_where=where
        )

    op.create_table(
        "ticketsla_outbox",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.String(256), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("level", sa.String(256), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("at", _instant(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("delivered_at", _instant(), nullable=True),
        sa.UniqueConstraint(
            "ticket_id", "metric", "cycle", "kind", "level", "round", name="uq_ticketsla_outbox_key"
        ),
    )
    pending = sa.text("state = 'pending'")
    op.create_index(
        "ix_ticketsla_outbox_pending",
        "ticketsla_outbox",
        ["id"],
        sqlite_where=pending,
        postgresql_where=pending,
    )
    op.create_index(
        "ix_ticketsla_outbox_pending_ticket",
        "ticketsla_outbox",
        ["ticket_id", "id"],
        sqlite_where=pending,
        postgresql_where=pending,
    )


def downgrade() -> None:
    op.drop_table("ticketsla_outbox")
    op.drop_table("ticketsla_clocks")
    op.drop_table("ticketsla_tickets")
    op.drop_table("ticketsla_events")
