"""The PostgreSQL backend (psycopg 3): row locks instead of a database lock, bulk writes as arrays.

A writer locks the rows of the tickets it touches (``SELECT ... FOR UPDATE`` in ticket order, so
two writers never deadlock); scanners take tickets with ``FOR UPDATE SKIP LOCKED`` and drainers
claim outbox rows the same way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from .._instants import require_aware
from ..errors import ConfigurationError
from .backend import Backend
from .bulk import BULK_COPY, copy_rows
from .instants import Instant, aware_utc, require_aware_or_none, utc_datetime

__all__ = ["PostgreSQLBackend", "require_postgresql_driver"]

# serialization failure, deadlock, lock not available: run the transaction again
_RETRY_STATES = frozenset({"40001", "40P01", "55P03"})
_ADVISORY_KEY = 0x7469636B65747361  # "ticketsa": serialises migrations of one PostgreSQL database


def require_postgresql_driver() -> None:
    """Refuse a PostgreSQL URL, saying which extra to install, when psycopg is not installed."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise ConfigurationError(
            "PostgreSQL support needs the 'postgresql' extra: pip install 'ticketsla[postgresql]'",
            subject="postgresql",
        ) from None


class PostgreSQLBackend(Backend):
    name = "postgresql"

    @classmethod
    def create_engine(cls, url: sa.URL, busy_timeout: timedelta) -> sa.Engine:
        require_postgresql_driver()
        return sa.create_engine(url, pool_pre_ping=True)

    @classmethod
    def instant_column(cls, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    @staticmethod
    def write_instant(value: datetime | None) -> Any:
        return require_aware_or_none(value)

    @staticmethod
    def read_instant(value: Any) -> datetime | None:
        return aware_utc(value)

    @classmethod
    def serialize_migrations(cls, conn: sa.Connection) -> None:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})

    def writer(self) -> AbstractContextManager[None]:
        return contextlib.nullcontext()  # writers lock the rows they touch

    def retryable(self, exc: sa.exc.DBAPIError) -> bool:
        original = exc.orig
        code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
        return code in _RETRY_STATES

    def for_update(
        self,
        query: sa.Select[Any],
        *,
        skip_locked: bool = False,
        of: sa.FromClause | None = None,
    ) -> sa.Select[Any]:
        return query.with_for_update(skip_locked=skip_locked, of=of)

    def instant(self, us: int | None) -> Instant:
        return utc_datetime(us)

    def require_existing(self) -> None:
        """Nothing to check: connecting to a server never creates a database."""

    def release(self) -> None:
        """Nothing beside the pooled connections."""

    # ---- bulk writes: one array per column through unnest, in psycopg's binary format ----------
    # One short statement whatever the row count, and no text escaping of the JSON bodies.

    def insert_rows(
        self,
        conn: sa.Connection,
        table: sa.Table,
        rows: list[dict[str, Any]],
        *,
        conflict: Sequence[str] | None = None,
        returning: Sequence[str] = (),
    ) -> list[Any]:
        if not rows:
            return []
        if not returning and conn.get_execution_options().get(BULK_COPY):
            copy_rows(conn, table, rows, conflict=conflict)  # SLAEngine.backfill's connections
            return []
        names = list(rows[0])
        quote = conn.dialect.identifier_preparer.quote
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
            f"SELECT * FROM unnest({_arrays(conn, table, names)})"
        )
        if conflict is not None:
            sql += f" ON CONFLICT ({', '.join(quote(n) for n in conflict)}) DO NOTHING"
        if returning:
            sql += f" RETURNING {', '.join(quote(n) for n in returning)}"
        return _execute(conn, sql, names, rows, fetch=bool(returning))

    def update_rows(
        self, conn: sa.Connection, table: sa.Table, keys: Sequence[str], rows: list[dict[str, Any]]
    ) -> None:
        if not rows:
            return
        names = list(rows[0])
        changed = [n for n in names if n not in keys]
        quote = conn.dialect.identifier_preparer.quote
        sql = (
            f"UPDATE {quote(table.name)} AS t SET "
            + ", ".join(f"{quote(n)} = v.{quote(n)}" for n in changed)
            + f" FROM unnest({_arrays(conn, table, names)}) "
            + f"AS v({', '.join(quote(n) for n in names)}) WHERE "
            + " AND ".join(f"t.{quote(k)} = v.{quote(k)}" for k in keys)
        )
        _execute(conn, sql, names, rows, fetch=False)


def _arrays(conn: sa.Connection, table: sa.Table, names: Sequence[str]) -> str:
    # ``%(p)b``: the array goes in binary. ``%(p)s`` sends text, which escapes every element
    # through a regular expression (event bodies are JSON, full of quotes): a third of a
    # writer's CPU under its ticket locks. ``execute(binary=True)`` only asks for binary results.
    return ", ".join(
        f"CAST(%(p{i})b AS {table.c[name].type.compile(dialect=conn.dialect)}[])"
        for i, name in enumerate(names)
    )


def _execute(
    conn: sa.Connection,
    sql: str,
    names: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    fetch: bool,
) -> list[Any]:
    """Run ``sql`` on the connection's psycopg connection (same transaction), one array
    parameter per column, sent and answered in binary."""
    params = {f"p{i}": [row[name] for row in rows] for i, name in enumerate(names)}
    for values in params.values():
        for value in values:
            if isinstance(value, datetime):
                require_aware(value, "datetime column")
                break
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.execute(sql, params, binary=True)
        return list(cursor.fetchall()) if fetch else []
