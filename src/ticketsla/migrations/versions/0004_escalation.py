"""Escalation levels that fire, and quiet hours.

Clocks keep their escalation levels' instants (``escalations``, JSON, like ``warnings``) so the
scanner can fire them without refolding; outbox rows learn ``held_until``, the opening of a
recipient's calendar that a notification waits for. Existing rows have no escalations and wait
for nothing.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column(
        "ticketsla_clocks",
        sa.Column("escalations", sa.Text(), nullable=False, server_default="[]"),
    )
    op.add_column(
        "ticketsla_outbox", sa.Column("held_until", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("ticketsla_outbox") as batch:
        batch.drop_column("held_until")
    with op.batch_alter_table("ticketsla_clocks") as batch:
        batch.drop_column("escalations")
