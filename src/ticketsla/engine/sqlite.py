"""The SQLite backend: one file in WAL mode, writers queued on a lock file beside it.

Every write runs in ``BEGIN IMMEDIATE`` with a busy timeout, so writers queue instead of failing
with "database is locked"; SQLite's own lock covers every row, so nothing is locked row by row.
"""

from __future__ import annotations

import contextlib
import operator
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's busy timeout alone
    fcntl = None  # type: ignore[assignment]

import sqlalchemy as sa

from ..errors import ConfigurationError, StoreError
from .backend import Backend
from .instants import Instant, UTCDateTime, read_utc_text, utc_text, utc_text_us

__all__ = ["SQLiteBackend"]

_MAX_PARAMETERS = 30_000  # SQLite allows 32,766 parameters in one statement


class _SQLiteInstant(sa.types.DateTime):
    """``DATETIME`` on SQLite holding the text ``UTCDateTime`` writes; no processing of its own."""

    def bind_processor(self, dialect: sa.Dialect) -> None:
        return None

    def result_processor(self, dialect: sa.Dialect, coltype: object) -> None:
        return None


class SQLiteBackend(Backend):
    name = "sqlite"
    batch_migrations = True

    def __init__(self, db: sa.Engine, url: str, busy_timeout: timedelta) -> None:
        super().__init__(db, url, busy_timeout)
        self.lock_path = f"{db.url.database}.writer-lock"

    @classmethod
    def create_engine(cls, url: sa.URL, busy_timeout: timedelta) -> sa.Engine:
        if url.database in (None, "", ":memory:"):
            raise ConfigurationError(
                "SQLite needs a file (sqlite:///sla.db): an in-memory database is private to "
                "one connection, so ingestion and scanning could not share it",
                subject=url.render_as_string(hide_password=True),
            )
        seconds = busy_timeout.total_seconds()
        engine = sa.create_engine(url, connect_args={"timeout": seconds})

        def on_connect(dbapi_connection: Any, record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
            finally:
                cursor.close()

        def on_begin(conn: sa.Connection) -> None:
            write = conn.get_execution_options().get("ticketsla_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        sa.event.listen(engine, "connect", on_connect)
        sa.event.listen(engine, "begin", on_begin)
        return engine

    @classmethod
    def instant_column(cls, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        """Fixed-width UTC text (``2026-03-02 09:00:00.000000``): text order is time order."""
        return _SQLiteInstant()

    @staticmethod
    def write_instant(value: datetime | None) -> Any:
        return utc_text(value)

    @staticmethod
    def read_instant(value: Any) -> datetime | None:
        return read_utc_text(value)

    @classmethod
    def serialize_migrations(cls, conn: sa.Connection) -> None:
        """Nothing to add: the migration's ``BEGIN IMMEDIATE`` lets one writer in at a time."""

    def retryable(self, exc: sa.exc.DBAPIError) -> bool:
        text = str(exc.orig).lower()
        return "database is locked" in text or "database is busy" in text

    def for_update(
        self,
        query: sa.Select[Any],
        *,
        skip_locked: bool = False,
        of: sa.FromClause | None = None,
    ) -> sa.Select[Any]:
        return query  # the write transaction holds the database's lock already

    def instant(self, us: int | None) -> Instant:
        return utc_text_us(us)

    def require_existing(self) -> None:
        """Connecting to a SQLite file that is not there would create an empty one."""
        database = str(self.db.url.database or "")
        if database.startswith("file:") or os.path.exists(database):
            return
        raise StoreError(
            f"database {self.url}: no such file; create it with `ticketsla db upgrade --db URL` "
            "(or ingest into it) first",
            subject=self.url,
        )

    # ---- bulk writes: plain DB-API parameters, no per-row SQLAlchemy processing ----------------

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
        names = list(rows[0])
        quote = conn.dialect.identifier_preparer.quote
        head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES "
        tail = ""
        if conflict is not None:
            tail += f" ON CONFLICT ({', '.join(quote(n) for n in conflict)}) DO NOTHING"
        values = _sqlite_rows(table, names, rows)
        one = "(" + ", ".join("?" * len(names)) + ")"
        if not returning:
            conn.exec_driver_sql(head + one + tail, values)
            return []
        tail += f" RETURNING {', '.join(quote(n) for n in returning)}"
        out: list[Any] = []
        per_statement = max(1, _MAX_PARAMETERS // len(names))
        for start in range(0, len(values), per_statement):
            part = values[start : start + per_statement]
            sql = head + ", ".join([one] * len(part)) + tail
            flat = tuple(v for row in part for v in row)
            out.extend(conn.exec_driver_sql(sql, flat).fetchall())
        return out

    def update_rows(
        self, conn: sa.Connection, table: sa.Table, keys: Sequence[str], rows: list[dict[str, Any]]
    ) -> None:
        if not rows:
            return
        changed = [n for n in rows[0] if n not in keys]
        quote = conn.dialect.identifier_preparer.quote
        sql = (
            f"UPDATE {quote(table.name)} SET "
            + ", ".join(f"{quote(n)} = ?" for n in changed)
            + " WHERE "
            + " AND ".join(f"{quote(k)} = ?" for k in keys)
        )
        conn.exec_driver_sql(sql, _sqlite_rows(table, [*changed, *keys], rows))

    # ---- writers queue on a lock file ----------------------------------------------------------

    @contextlib.contextmanager
    def writer(self) -> Iterator[None]:
        """Queue for the database's writer lock file.

        SQLite's own busy handler sleeps up to 100 ms between tries, so under steady contention
        the database often sits idle while every writer sleeps. Writers of one file take an
        advisory lock on a file beside it first (polled every few milliseconds), then ``BEGIN
        IMMEDIATE`` finds the database free; the busy timeout stays as the backstop. The lock
        file is never the database itself: closing any descriptor of the database would drop
        SQLite's own POSIX locks held by this process. ``release`` removes it when it is free.
        """
        if fcntl is None:
            yield
            return
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fd = self._lock(fd)
            yield
        finally:
            os.close(fd)  # releases the lock

    def _lock(self, fd: int) -> int:
        """Hold the lock on the current lock file; returns the descriptor that holds it."""
        deadline = time.monotonic() + self.busy_timeout
        pause = 0.0005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"database {self.url}: another writer held it for more than "
                        f"{self.busy_timeout:g} s",
                        subject=self.url,
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.004)
                continue
            if _same_file(fd, self.lock_path):
                return fd
            # an engine closing removed the file we locked: queue on the current one
            fresh = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            os.close(fd)
            fd = fresh

    def release(self) -> None:
        """Unlink the lock file if it is free; a writer that opened it meanwhile sees the path
        gone or replaced once it holds the lock, and starts over on the current file."""
        if fcntl is None:
            return
        try:
            fd = os.open(self.lock_path, os.O_RDWR)
        except OSError:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            with contextlib.suppress(OSError):
                os.unlink(self.lock_path)
        except OSError:
            pass  # another writer holds it: that engine removes it when it closes
        finally:
            os.close(fd)


def _sqlite_rows(
    table: sa.Table, names: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> list[tuple[Any, ...]]:
    """Rows as DB-API tuples for SQLite: instants (datetimes) as the UTC text of the column."""
    get = operator.itemgetter(*names)
    instants = [i for i, n in enumerate(names) if isinstance(table.c[n].type, UTCDateTime)]
    out = [(get(row),) for row in rows] if len(names) == 1 else [get(row) for row in rows]
    if not instants:
        return out
    fixed = []
    for values in out:
        items = list(values)
        for i in instants:
            value = items[i]
            if isinstance(value, datetime):
                items[i] = utc_text(value)
        fixed.append(tuple(items))
    return fixed


def _same_file(fd: int, path: str) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)
