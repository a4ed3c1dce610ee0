"""Retries for failing notifiers, and the covering index behind ``counts()``.

The outbox learns how often a row was tried (``attempts``), when it may be tried again
(``available_at``) and why the last try failed (``last_error``). Rows that exist already are
available at once. ``ix_ticketsla_clocks_counts`` covers the open clocks per policy, priority and
metric so ``counts()`` reads one index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-05-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_OPEN = sa.text("status IN ('running', 'paused')")


def upgrade() -> None:
    op.add_column(
        "ticketsla_outbox",
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "ticketsla_outbox", sa.Column("available_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("ticketsla_outbox", sa.Column("last_error", sa.Text(), nullable=True))
    op.execute("UPDATE ticketsla_outbox SET available_at = created_at")
    op.create_index(
        "ix_ticketsla_clocks_counts",
        "ticketsla_clocks",
        ["policy", "priority", "metric", "due_at", "open_breach_at"],
        sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_ticketsla_clocks_counts", table_name="ticketsla_clocks")
    with op.batch_alter_table("ticketsla_outbox") as batch:
        batch.drop_column("last_error")
        batch.drop_column("available_at")
        batch.drop_column("attempts")
