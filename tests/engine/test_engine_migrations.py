"""The shipped Alembic migrations: from an empty database and from the previous revision."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from engine_helpers import START, Clock

from ticketsla import SLAPolicy, StoreError, migrations
from ticketsla.engine import SLAEngine
from ticketsla.engine.schema import metadata
from ticketsla.testing import RecordingNotifier, make_notification


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url)


def test_upgrade_from_empty_gives_exactly_the_models(db_url: str) -> None:
    """Upgrading an empty database to head yields the tables, columns and indexes of the models."""
    engine = _engine(db_url)
    try:
        assert migrations.current(engine) is None
        migrations.upgrade(engine)
        assert migrations.current(engine) == migrations.head()
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={"version_table": migrations.VERSION_TABLE, "compare_type": True},
            )
            assert compare_metadata(context, metadata) == []
            tables = set(sa.inspect(conn).get_table_names())
        assert migrations.VERSION_TABLE in tables
        assert "alembic_version" not in tables
        migrations.upgrade(engine)  # a second upgrade finds nothing to do
    finally:
        engine.dispose()


def test_upgrade_from_the_previous_revision_keeps_the_data(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """A database at revision 0001 with a pending notification upgrades to head, refuses an
    engine that may not upgrade before that, and delivers the notification after."""
    engine = _engine(db_url)
    try:
        migrations.upgrade(engine, "0001")
        with pytest.raises(StoreError, match="ticketsla db upgrade"):
            SLAEngine(db_url, policies=policy, now=clock, upgrade=False)
        note = make_notification(ticket_id="T-1")
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO ticketsla_outbox (ticket_id, metric, cycle, kind, level, round, at,"
                    " body, state, created_at) VALUES ('T-1', 'first_response', 1, 'breach',"
                    " 'breach', 1, :at, :body, 'pending', :at)"
                ),
                {
                    "at": "2026-03-02 09:00:00.000000"
                    if engine.dialect.name == "sqlite"
                    else START,
                    "body": json.dumps(note.to_dict()),
                },
            )
        migrations.upgrade(engine)
        assert migrations.current(engine) == migrations.head()
    finally:
        engine.dispose()
    recorder = RecordingNotifier()
    clock.at = START + timedelta(minutes=1)
    with SLAEngine(db_url, policies=policy, now=clock, plugins=[recorder], upgrade=False) as sla:
        assert sla.drain().delivered == 1
        assert recorder.notifications == [note]


def test_downgrade_and_upgrade_again(db_url: str) -> None:
    """The newest revision can be taken back to the previous one and applied again."""
    engine = _engine(db_url)
    try:
        migrations.upgrade(engine)
        migrations.downgrade(engine, "0001")
        assert migrations.current(engine) == "0001"
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("ticketsla_outbox")}
        assert "available_at" not in columns
        migrations.upgrade(engine)
        assert migrations.current(engine) == migrations.head()
    finally:
        engine.dispose()
