"""Notifications no plugin listens to: the ``no_listener`` delivery state gets its own index.

A drain puts ``no_listener`` rows back to pending once a plugin implements their hook; the
partial index keeps that look-up to those rows instead of the whole outbox. The state itself is
a value of the existing ``state`` column: no data changes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_NO_LISTENER = sa.text("state = 'no_listener'")


def upgrade() -> None:
    op.create_index(
        "ix_ticketsla_outbox_no_listener",
        "ticketsla_outbox",
        ["id"],
        sqlite_where=_NO_LISTENER,
        postgresql_where=_NO_LISTENER,
    )


def downgrade() -> None:
    op.drop_index("ix_ticketsla_outbox_no_listener", table_name="ticketsla_outbox")
