"""Fold snapshots kept with the ticket.

Tickets learn ``fold_snapshot``: the clock fold's working state after all but the latest events
of the ticket, as JSON, so a refold after a new or late event resumes there instead of folding
the whole history. Existing rows have none: their next refold folds the whole history and
stores one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("ticketsla_tickets", sa.Column("fold_snapshot", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticketsla_tickets") as batch:
        batch.drop_column("fold_snapshot")
