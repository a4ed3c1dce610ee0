"""Reading a database URL: the supported ones become an SQLAlchemy URL, anything else a
``ConfigurationError`` that names the supported ones and never shows a secret."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from .errors import ConfigurationError
from .redaction import readable_url, redact_url

SUPPORTED = (
    "ticketsla runs on SQLite (sqlite:///path/to/sla.db) or on PostgreSQL through psycopg 3 "
    "(postgresql://user:password@host:5432/name, or postgresql+psycopg://...)"
)
_DRIVERS = frozenset({"sqlite", "sqlite+pysqlite", "postgresql+psycopg"})


def database_url(url: Any, *, what: str = "database URL") -> sa.URL:
    """``url`` as an SQLAlchemy URL on a supported driver (``postgresql://`` means psycopg 3).

    A text that is not a URL (no scheme, a port that is not a number), an unknown dialect or
    driver (``mysql://``, ``postgresql+nodriver://``) is a ``ConfigurationError`` whose message
    shows the URL only through ``redact_url``.
    """
    if not isinstance(url, str):
        raise ConfigurationError(
            f"{what}: expected text such as sqlite:///sla.db, got {type(url).__name__}",
            subject=what,
        )
    try:
        if not readable_url(url):
            raise ValueError("unreadable")
        parsed = sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError, TypeError):
        # The parser's own message quotes the whole URL: it is not passed on.
        raise ConfigurationError(
            f"{what} {redact_url(url)} cannot be read as a database URL; {SUPPORTED}",
            subject=what,
        ) from None
    if any("@" in (part or "") for part in (parsed.username, parsed.host, parsed.database)) or (
        "#" in (parsed.database or "")
    ):
        # The parser cut the userinfo at another '@' than the last (or kept a '#fragment' as
        # part of the name): a piece of the password would be taken for a host or a database
        # name, sent to DNS and quoted in the driver's errors.
        raise ConfigurationError(
            f"{what} {redact_url(url)}: cannot tell the password from the host and database; "
            "percent-encode '@', '/', '?' and '#' in the user name and password "
            "(%40, %2F, %3F, %23)",
            subject=what,
        )
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in _DRIVERS:
        raise ConfigurationError(
            f"{what} {redact_url(url)}: {parsed.drivername!r} is not supported; {SUPPORTED}",
            subject=what,
        )
    if parsed.get_backend_name() == "sqlite" and parsed.query:
        # pysqlite would ignore them with a warning; ticketsla sets what SQLite needs itself.
        raise ConfigurationError(
            f"{what} {redact_url(url)}: a SQLite URL takes no query string; {SUPPORTED}",
            subject=what,
        )
    return parsed
