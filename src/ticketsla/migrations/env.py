"""Alembic's environment for ticketsla: runs on the connection ``ticketsla.migrations`` hands it."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from ticketsla.engine.backend import backend_class
from ticketsla.engine.schema import metadata

_config = context.config
_version_table = _config.get_main_option("version_table") or "ticketsla_alembic_version"


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=_version_table,
        render_as_batch=backend_class(connection.dialect.name).batch_migrations,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _online() -> None:
    connection = _config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = _config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("ticketsla migrations: no connection and no sqlalchemy.url given")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=_config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        version_table=_version_table,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    _online()
