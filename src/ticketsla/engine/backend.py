"""The one interface the engine has to its database, and the transaction wrapper over it.

Everything that differs between SQLite and PostgreSQL lives behind ``Backend``: how the
SQLAlchemy engine is made, how writers queue, how rows are locked, how many rows are written in
one statement, which errors are worth a retry. ``ticketsla.engine.sqlite`` and
``ticketsla.engine.postgresql`` are the two implementations; ``open_backend`` picks one by URL.
"""

from __future__ import annotations

import itertools
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa

from .._database_url import database_url
from ..errors import StoreError
from ..redaction import redact_url
from .instants import Instant

__all__ = ["Backend", "backend_class", "describe_database_error", "open_backend"]

T = TypeVar("T")
Work = Callable[[sa.Connection], T]
_ATTEMPTS = 6  # tries of one transaction the database asked us to repeat


class Backend(ABC):
    """One database: its SQLAlchemy engine, its transactions, and its dialect's ways."""

    name: str = ""

    def __init__(self, db: sa.Engine, url: str, busy_timeout: timedelta) -> None:
        self.db = db
        self.url = redact_url(url)  # the password and secret parameters hidden
        self.busy_timeout = busy_timeout.total_seconds()
        self.closed = False

    # ---- what each dialect answers -------------------------------------------------------------

    @classmethod
    @abstractmethod
    def create_engine(cls, url: sa.URL, busy_timeout: timedelta) -> sa.Engine:
        """The SQLAlchemy engine for ``url``, set up the way the engine's transactions need."""

    @classmethod
    @abstractmethod
    def serialize_migrations(cls, conn: sa.Connection) -> None:
        """Make concurrent schema upgrades of one database wait for each other, in ``conn``'s
        transaction."""

    @classmethod
    @abstractmethod
    def instant_column(cls, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        """The column type ``UTCDateTime`` stores instants in."""

    @staticmethod
    @abstractmethod
    def write_instant(value: datetime | None) -> Any:
        """An aware datetime as ``instant_column`` takes it; a naive one is refused."""

    @staticmethod
    @abstractmethod
    def read_instant(value: Any) -> datetime | None:
        """What ``instant_column`` gives back, as an aware datetime in UTC."""

    batch_migrations: bool = False  # alter tables by copying them (SQLite's ALTER is narrow)

    @abstractmethod
    def writer(self) -> AbstractContextManager[None]:
        """Held around every write transaction: how writers of one database queue."""

    @abstractmethod
    def retryable(self, exc: sa.exc.DBAPIError) -> bool:
        """Whether the database asks for the transaction to be run again."""

    @abstractmethod
    def for_update(
        self,
        query: sa.Select[Any],
        *,
        skip_locked: bool = False,
        of: sa.FromClause | None = None,
    ) -> sa.Select[Any]:
        """``query`` locking the rows it reads until the transaction ends."""

    @abstractmethod
    def instant(self, us: int | None) -> Instant:
        """An epoch-microsecond instant as the fastest value a bulk write accepts."""

    @abstractmethod
    def insert_rows(
        self,
        conn: sa.Connection,
        table: sa.Table,
        rows: list[dict[str, Any]],
        *,
        conflict: Sequence[str] | None = None,
        returning: Sequence[str] = (),
    ) -> list[Any]:
        """Insert ``rows`` (all with the same keys) at once; with ``conflict``, rows whose key
        exists already are skipped (``ON CONFLICT DO NOTHING``). Returns the ``returning``
        columns of the rows inserted."""

    @abstractmethod
    def update_rows(
        self, conn: sa.Connection, table: sa.Table, keys: Sequence[str], rows: list[dict[str, Any]]
    ) -> None:
        """Update each row's other columns where its ``keys`` columns match (one statement)."""

    @abstractmethod
    def require_existing(self) -> None:
        """Refuse a database that connecting would create (``upgrade=False`` only reads)."""

    @abstractmethod
    def release(self) -> None:
        """Give back what the backend holds beside its connections (on ``close``)."""

    # ---- shared by both ------------------------------------------------------------------------

    @property
    def dialect(self) -> str:
        return str(self.db.dialect.name)

    def close(self) -> None:
        self.closed = True
        self.db.dispose()
        self.release()

    def error(self, exc: BaseException) -> StoreError:
        """A database error as the ``StoreError`` the engine raises."""
        return StoreError(f"database {self.url}: {describe_database_error(exc)}", subject=self.url)

    def run(self, work: Work[T], *, write: bool) -> T:
        """Run ``work`` in one transaction; retry it when the database asks us to (lock waits
        that ran out, deadlocks, serialization failures); database errors become StoreError."""
        if self.closed:
            raise StoreError(f"SLAEngine for {self.url} is closed", subject=self.url)
        delay = 0.05
        for attempt in itertools.count(1):
            try:
                return self._once(work, write)
            except sa.exc.DBAPIError as exc:
                if attempt < _ATTEMPTS and self.retryable(exc):
                    time.sleep(delay)
                    delay *= 2
                    continue
                raise self.error(exc) from exc
            except sa.exc.SQLAlchemyError as exc:
                raise self.error(exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, work: Work[T], write: bool) -> T:
        if not write:
            with self.db.connect() as conn, conn.begin():
                return work(conn)
        with self.writer(), self.db.connect() as conn:
            conn = conn.execution_options(ticketsla_write=True)
            with conn.begin():
                return work(conn)


def backend_class(dialect: str) -> type[Backend]:
    """The backend of a dialect name (``sqlite``, ``postgresql``)."""
    from .postgresql import PostgreSQLBackend
    from .sqlite import SQLiteBackend

    for kind in (SQLiteBackend, PostgreSQLBackend):
        if kind.name == dialect:
            return kind
    raise StoreError(f"ticketsla stores in SQLite or PostgreSQL, not {dialect}", subject=dialect)


def open_backend(url: str, busy_timeout: timedelta) -> Backend:
    """The backend for an SQLAlchemy URL, its engine created (no connection made yet)."""
    parsed = database_url(url)
    kind = backend_class(parsed.get_backend_name())
    return kind(kind.create_engine(parsed, busy_timeout), url, busy_timeout)


def describe_database_error(exc: BaseException) -> str:
    """A database error in one line: the driver's own message, without SQLAlchemy's link to
    its background page."""
    original = getattr(exc, "orig", None)
    text = str(original if original is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def chunks(items: Sequence[T], size: int = 500) -> Iterator[Sequence[T]]:
    """``items`` in slices of ``size``: the engine's bound on values in one ``IN (...)``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
