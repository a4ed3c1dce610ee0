"""How ``SLAEngine.backfill`` writes a batch of new events: one writer per database.

Both take the event rows (``store.event_values``) of one batch, every key distinct, and return
the keys they stored; a key already stored is left alone, as ``ingest``'s
``INSERT ... ON CONFLICT DO NOTHING`` leaves it.

- SQLite: the batch runs under ``BEGIN IMMEDIATE`` (and the writers' lock file), so no other
  writer can store a key between our look-up and our insert: the keys already stored are read
  first, and the others go in with one ``executemany`` of a prepared ``INSERT``.
- PostgreSQL: other writers run at the same time, so the check stays in the database. The rows
  are streamed into a temporary table with ``COPY`` (psycopg, binary) and moved with one
  ``INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from .instants import utc_text
from .schema import events_table

__all__ = ["BULK_COPY", "EVENT_COLUMNS", "copy_rows", "write_events"]

BULK_COPY = "ticketsla_bulk_copy"
"""Execution option a backfill sets on its connection: PostgreSQL inserts go through COPY."""

EVENT_COLUMNS = ("ticket_id", "source", "event_id", "at", "kind", "body", "stored_at")
_STAGING = "ticketsla_backfill_events"
_KEYS_PER_QUERY = 400  # two parameters a key; SQLite allows 32,766 a statement


def write_events(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> set[tuple[str, str]]:
    """Store the event ``rows`` whose key is new; return the keys stored."""
    if not rows:
        return set()
    if conn.dialect.name == "postgresql":
        return _copy_events(conn, rows)
    return _executemany_events(conn, rows)


def _executemany_events(
    conn: sa.Connection, rows: Sequence[dict[str, Any]]
) -> set[tuple[str, str]]:
    keys = [(row["source"], row["event_id"]) for row in rows]
    stored = _stored_keys(conn, keys)
    quote = conn.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(events_table.name)} ({', '.join(quote(c) for c in EVENT_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"
    )
    stored_at = utc_text(rows[0]["stored_at"])  # one instant for the whole batch
    fresh: set[tuple[str, str]] = set()
    values = []
    for row, key in zip(rows, keys, strict=True):
        if key in stored:
            continue
        fresh.add(key)
        at = utc_text(row["at"])
        values.append((row["ticket_id"], *key, at, row["kind"], row["body"], stored_at))
    if values:
        conn.exec_driver_sql(sql, values)
    return fresh


def _stored_keys(conn: sa.Connection, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """The keys among ``keys`` that the log holds already (plain SQL: one index probe each)."""
    found: set[tuple[str, str]] = set()
    table = conn.dialect.identifier_preparer.quote(events_table.name)
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        part = keys[start : start + _KEYS_PER_QUERY]
        sql = (
            f"SELECT source, event_id FROM {table} WHERE (source, event_id) IN "
            f"(VALUES {', '.join(['(?, ?)'] * len(part))})"
        )
        flat = tuple(value for key in part for value in key)
        found.update((source, event_id) for source, event_id in conn.exec_driver_sql(sql, flat))
    return found


def _copy_events(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> set[tuple[str, str]]:
    driver = conn.connection.driver_connection
    assert driver is not None
    columns = ", ".join(EVENT_COLUMNS)
    with driver.cursor() as cursor:
        # ON COMMIT DROP: the table lives for this transaction only, a retry starts afresh
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGING} (ticket_id text, source text, event_id text, "
            "at timestamptz, kind text, body text, stored_at timestamptz) ON COMMIT DROP"
        )
        with cursor.copy(f"COPY {_STAGING} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["text", "text", "text", "timestamptz", "text", "text", "timestamptz"])
            for row in rows:
                copy.write_row([row[c] for c in EVENT_COLUMNS])
        cursor.execute(
            f"INSERT INTO {events_table.name} ({columns}) SELECT {columns} FROM {_STAGING} "
            "ON CONFLICT (source, event_id) DO NOTHING RETURNING source, event_id"
        )
        stored = {(source, event_id) for source, event_id in cursor.fetchall()}
        cursor.execute(f"DROP TABLE {_STAGING}")
        return stored


def copy_rows(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    *,
    conflict: Sequence[str] | None = None,
) -> None:
    """Insert ``rows`` (all with the same keys) into ``table`` on PostgreSQL through ``COPY``
    into a temporary table of the same column types, then one ``INSERT ... SELECT`` (with
    ``ON CONFLICT (conflict) DO NOTHING`` when asked). Several times quicker than one row
    array per column for tens of thousands of rows."""
    if not rows:
        return
    names = list(rows[0])
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(quote(n) for n in names)
    staging = quote(f"ticketsla_copy_{table.name}")
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
            f"SELECT {columns} FROM {quote(table.name)} WITH NO DATA"
        )
        with cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[n] for n in names])
        sql = f"INSERT INTO {quote(table.name)} ({columns}) SELECT {columns} FROM {staging}"
        if conflict is not None:
            sql += f" ON CONFLICT ({', '.join(quote(n) for n in conflict)}) DO NOTHING"
        cursor.execute(sql)
        cursor.execute(f"DROP TABLE {staging}")
