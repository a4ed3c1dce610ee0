"""Fixtures for the engine's tests: a database URL on a real SQLite file and a real PostgreSQL.

``db_url`` runs each test twice: on a fresh SQLite file in ``tmp_path`` and on PostgreSQL in a
fresh schema of the database named by ``TICKETSLA_TEST_POSTGRES_URL`` (``.ci/postgres.sh`` starts
one and exports it). Without that variable the PostgreSQL half is skipped, saying why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from engine_helpers import Clock, simple_policy
from engine_streams import policies as stream_policies

from ticketsla import PolicySet, SLAPolicy

POSTGRES_ENV = "TICKETSLA_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def libpq_url(url: str) -> str:
    """The URL as psycopg itself takes it (no SQLAlchemy driver suffix, no query)."""
    parsed = sa.engine.make_url(url).set(drivername="postgresql", query={})
    return parsed.render_as_string(hide_password=False)


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose connections live in a schema made for this test, dropped after."""
    base = postgres_url()
    if base is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (source .ci/postgres.sh to start one)")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = libpq_url(base)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sla.db'}"
    url: str = request.getfixturevalue("pg_schema_url")
    return url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def policy() -> SLAPolicy:
    return simple_policy()


@pytest.fixture
def mixed_policies() -> PolicySet:
    """Urgent/high tickets around the clock, the rest on US business hours (engine_streams)."""
    return stream_policies()
