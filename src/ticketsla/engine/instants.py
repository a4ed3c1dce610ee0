"""The one column type for instants: ``UTCDateTime``, and the conversions its backends use.

Every datetime column of the engine's tables is stored in UTC and read back as an aware datetime
in UTC; a naive datetime is refused. How it is stored is the backend's answer
(``Backend.instant_column``): SQLite keeps fixed-width UTC text, PostgreSQL a ``timestamptz``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from .._instants import from_us, require_aware

if TYPE_CHECKING:
    from .backend import Backend

__all__ = [
    "Instant",
    "UTCDateTime",
    "aware_utc",
    "read_utc_text",
    "require_aware_or_none",
    "utc_datetime",
    "utc_text",
    "utc_text_us",
]


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """An aware datetime stored in UTC; read back aware, in UTC. Naive values are refused.

    SQLite keeps the UTC instant as fixed-width text (``2026-03-02 09:00:00.000000``, the form
    SQLAlchemy uses, so text order is time order); PostgreSQL a ``timestamptz``. Both hold
    microseconds exactly. The processors are written out here because the engine writes many
    instants per event and the generic path was a tenth of ingestion time.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        return _backend(dialect).instant_column(dialect)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any]:
        return _backend(dialect).write_instant

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any]:
        return _backend(dialect).read_instant

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        return self.bind_processor(dialect)(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        result: datetime | None = self.result_processor(dialect, None)(value)
        return result


Instant = datetime | str | None  # what a bulk write takes for an instant column


def _backend(dialect: Dialect) -> type[Backend]:
    from .backend import backend_class  # the backends write instants with this module's helpers

    return backend_class(dialect.name)


def aware_utc(value: datetime | None) -> datetime | None:
    """A datetime read back from a database as an aware datetime in UTC (naive ones are UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def require_aware_or_none(value: datetime | None) -> datetime | None:
    """``value`` when it is aware (or None); a naive datetime raises, naming the column."""
    return None if value is None else require_aware(value, "datetime column")


def utc_text(value: datetime | None) -> str | None:
    """An aware instant as the fixed-width UTC text SQLite stores (``2026-03-02 09:00:00.000000``)."""
    if value is None:
        return None
    offset = value.utcoffset() if isinstance(value, datetime) else None
    if offset is None:
        require_aware(value, "datetime column")  # raises, naming the problem
        raise AssertionError("unreachable")  # pragma: no cover
    return (value - offset).replace(tzinfo=None).isoformat(" ", "microseconds")


def read_utc_text(value: str | datetime | None) -> datetime | None:
    """The UTC text SQLite stores (or a datetime) as an aware datetime in UTC."""
    if value is None or isinstance(value, datetime):
        return aware_utc(value)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


_EPOCH_NAIVE = datetime(1970, 1, 1, tzinfo=UTC).replace(tzinfo=None)  # text is UTC


def utc_text_us(us: int | None) -> str | None:
    """An epoch-microsecond instant as the UTC text SQLite stores (the fast path of ingestion)."""
    if us is None:
        return None
    return (_EPOCH_NAIVE + timedelta(microseconds=us)).isoformat(" ", "microseconds")


def utc_datetime(us: int | None) -> datetime | None:
    """An epoch-microsecond instant as an aware datetime in UTC (None stays None)."""
    return None if us is None else from_us(us, UTC)
