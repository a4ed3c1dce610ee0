"""The tables: rows convert to and from domain values; instants are stored in UTC, read aware."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from engine_helpers import START

from ticketsla import NaiveDatetimeError, SLAPolicy, StoreError, migrations
from ticketsla.clock import fold
from ticketsla.engine import SLAEngine
from ticketsla.store import ClockRow, EventRow, OutboxRow, UTCDateTime
from ticketsla.testing import EventBuilder, make_notification


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    db = sa.create_engine(db_url)
    yield db
    db.dispose()


def test_instants_round_trip_in_utc_and_come_back_aware(engine: sa.Engine) -> None:
    """Any zone in, the same instant out, aware and in UTC, to the microsecond."""
    table = sa.Table("instants", sa.MetaData(), sa.Column("at", UTCDateTime()))
    table.create(engine)
    values = [
        datetime(2026, 3, 8, 1, 59, 59, 999_999, tzinfo=ZoneInfo("America/New_York")),
        datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo("Europe/Berlin"), fold=1),
        datetime(1999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    ]
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"at": v} for v in values])
    with engine.connect() as conn:
        back = [r.at for r in conn.execute(sa.select(table))]
    assert back == values
    assert all(v.tzinfo is UTC for v in back)


def test_naive_instants_are_refused(engine: sa.Engine) -> None:
    """A naive datetime never reaches the database."""
    table = sa.Table("instants", sa.MetaData(), sa.Column("at", UTCDateTime()))
    table.create(engine)
    with pytest.raises(sa.exc.StatementError) as caught, engine.begin() as conn:
        conn.execute(table.insert(), {"at": datetime(2026, 3, 2, 9, 0)})
    assert isinstance(caught.value.orig, NaiveDatetimeError)


def test_rows_convert_to_and_from_domain_values(engine: sa.Engine, policy: SLAPolicy) -> None:
    """EventRow, ClockRow and OutboxRow keep a TicketEvent, ClockState and Notification intact
    through the database."""
    migrations.upgrade(engine)
    events = EventBuilder("T-1", start=START)
    events.created(priority="high", tags=["vip"], plan="gold")
    events.agent_reply(after="70m")
    state = fold(events.events, policy, events.events[-1].at_us + 1).clock("first_response")
    assert state is not None
    assert state.breached_us is not None
    note = make_notification()
    stored_at = START + timedelta(days=1)
    with sa.orm.Session(engine) as session:
        session.add_all([EventRow.from_domain(e, stored_at=stored_at) for e in events.events])
        session.add(
            ClockRow.from_domain(
                state, policy_version="p1", calendar_version="c1", library_version="0.1.0"
            )
        )
        session.add(OutboxRow.from_domain(note, round=1, created_at=stored_at))
        session.commit()
    with sa.orm.Session(engine) as session:
        rows = session.scalars(sa.select(EventRow).order_by(EventRow.id)).all()  # type: ignore[arg-type]
        assert [r.to_domain() for r in rows] == events.events
        assert rows[0].stored_at == stored_at
        clock_row = session.scalars(sa.select(ClockRow)).one()
        assert clock_row.to_domain() == state
        assert clock_row.breach_at == state.breached_at
        assert session.scalars(sa.select(OutboxRow)).one().to_domain() == note


def test_a_database_that_cannot_be_opened_is_a_store_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A SQLite path in a missing folder raises StoreError naming the database."""
    with pytest.raises(StoreError, match=r"sla\.db"):
        SLAEngine(f"sqlite:///{tmp_path}/missing/sla.db")
