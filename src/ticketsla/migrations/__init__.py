"""The Alembic migrations of the engine's tables, shipped in the package.

``upgrade(engine)`` brings a database to the head revision (``ticketsla db upgrade`` calls it);
``current(engine)`` says which revision a database is at. The version is kept in the table
``ticketsla_alembic_version`` so it never collides with a host application's own Alembic history.
Several processes may call ``upgrade`` at once: on SQLite the migration runs inside
``BEGIN IMMEDIATE`` (one writer at a time), on PostgreSQL under a transaction-scoped advisory lock,
and each process finds the work done by the first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:  # alembic is imported when a migration is asked for, not with the engine
    from alembic.config import Config

__all__ = ["VERSION_TABLE", "config", "current", "downgrade", "head", "upgrade"]

VERSION_TABLE = "ticketsla_alembic_version"
_HERE = Path(__file__).resolve().parent


def _serialize(conn: sa.Connection) -> None:
    """Concurrent upgrades of one database wait for each other (the backend knows how)."""
    from ..engine.backend import backend_class

    backend_class(conn.dialect.name).serialize_migrations(conn)


def config(connection: sa.Connection | None = None) -> Config:
    """An Alembic configuration for the shipped scripts, bound to ``connection`` if given."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    cfg.set_main_option("version_table", VERSION_TABLE)
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision shipped with this version of ticketsla."""
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(config()).get_current_head()
    assert revision is not None
    return revision


def current(engine: sa.Engine) -> str | None:
    """The revision a database is at, or None for a database without ticketsla's tables."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default the head), one process at a time."""
    from alembic import command

    with engine.connect() as conn:
        conn = conn.execution_options(ticketsla_write=True)
        with conn.begin():
            _serialize(conn)
            command.upgrade(config(conn), revision)


def downgrade(engine: sa.Engine, revision: str) -> None:
    """Take the database back to ``revision`` (for tests and emergencies)."""
    from alembic import command

    with engine.connect() as conn:
        conn = conn.execution_options(ticketsla_write=True)
        with conn.begin():
            _serialize(conn)
            command.downgrade(config(conn), revision)
