"""``SLAEngine.backfill``: the bulk path ends in the state ``ingest`` gives, by the same rules."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from engine_helpers import START, Clock
from engine_streams import stream, with_duplicates

from conftest import POSTGRES_ENV, libpq_url, postgres_url
from ticketsla import ConfigurationError, PolicySet, SLAPolicy, TicketEvent
from ticketsla.clock import fold
from ticketsla.engine import SLAEngine
from ticketsla.store import clocks_table, events_table, outbox_table, tickets_table
from ticketsla.testing import EventBuilder


@pytest.fixture(params=["sqlite", "postgresql"])
def two_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two fresh, empty databases of the same kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (source .ci/postgres.sh to start one)")
    schemas = [f"t_{uuid.uuid4().hex[:16]}" for _ in range(2)]
    with psycopg.connect(libpq_url(base), autocommit=True) as conn:
        for schema in schemas:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        a, b = (
            sa.engine.make_url(base)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
            for schema in schemas
        )
        yield a, b
    finally:
        with psycopg.connect(libpq_url(base), autocommit=True) as conn:
            for schema in schemas:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _state(engine: SLAEngine) -> dict[str, Any]:
    """Everything stored but row ids, and the notifications still live (not retracted).

    The verdict of a cancelled cycle is left out of the live notifications: whether it stays
    depends on the transactions the events came in, for ``ingest`` as much as for ``backfill``
    (two ``ingest`` runs cut into different chunks differ there too)."""
    with engine.sqlalchemy_engine.connect() as conn:

        def rows(table: sa.Table) -> list[tuple[Any, ...]]:
            columns = [c for c in table.c if c.name != "id"]
            return sorted(tuple(r) for r in conn.execute(sa.select(*columns)))

        c = clocks_table.c
        cancelled = {
            tuple(r)
            for r in conn.execute(
                sa.select(c.ticket_id, c.metric, c.cycle).where(c.status == "cancelled")
            )
        }
        o = outbox_table.c
        latest: dict[tuple[Any, ...], str] = {}
        query = sa.select(o.ticket_id, o.metric, o.cycle, o.level, o.kind).order_by(o.id)
        for ticket_id, metric, cycle, level, kind in conn.execute(query):
            latest[(ticket_id, metric, cycle, level)] = kind
        live = sorted(
            (*key, kind)
            for key, kind in latest.items()
            if kind != "retraction" and not (kind == "fulfilled" and key[:3] in cancelled)
        )
        return {
            "events": rows(events_table),
            "tickets": rows(tickets_table),
            "clocks": rows(clocks_table),
            "live notifications": live,
        }


def _outbox(engine: SLAEngine) -> list[tuple[Any, ...]]:
    o = outbox_table.c
    query = sa.select(o.ticket_id, o.metric, o.cycle, o.kind, o.level, o.round, o.at, o.state)
    with engine.sqlalchemy_engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(query))


def test_backfill_ends_in_the_state_ingest_gives(
    two_urls: tuple[str, str], mixed_policies: PolicySet
) -> None:
    """The same shuffled stream with redeliveries, through ``ingest`` in random chunks and through
    ``backfill`` in batches of 90, smaller than a ticket's life: the same events, ticket rows, clocks
    (the pure fold) and live notifications."""
    events = stream(300, seed=11)
    delivered = with_duplicates(events, 0.15, seed=12)
    clock = Clock(START + timedelta(days=30))
    by_ingest, by_backfill = two_urls
    rng = random.Random(13)
    with SLAEngine(by_ingest, policies=mixed_policies, now=clock) as engine:
        position = 0
        while position < len(delivered):
            size = rng.randint(1, 100)
            engine.ingest(delivered[position : position + size])
            position += size
        expected = _state(engine)
    seen: list[int] = []
    with SLAEngine(by_backfill, policies=mixed_policies, now=clock) as engine:
        result = engine.backfill(iter(delivered), batch_size=90, progress=seen.append)
        assert (result.stored, result.duplicates, result.rejected) == (
            len(events),
            len(delivered) - len(events),
            0,
        )
        assert seen == [*range(90, len(delivered), 90), len(delivered)]
        assert _state(engine) == expected
        history = [e for e in events if e.ticket_id == events[0].ticket_id]
        as_of = max(e.at_us for e in history) + 1
        assert engine.clocks(events[0].ticket_id) == fold(history, mixed_policies, as_of).clocks
        again = engine.backfill(delivered, batch_size=1000)
        assert (again.stored, again.duplicates, again.refolded) == (0, len(delivered), 0)
        assert _state(engine) == expected


def test_cut_alike_both_paths_record_the_same_notifications(
    two_urls: tuple[str, str], mixed_policies: PolicySet
) -> None:
    """``ingest`` in calls of 170 items and ``backfill`` in batches of 170: the same
    transactions, so every outbox row is the same, verdicts of cancelled cycles included."""
    delivered = with_duplicates(stream(200, seed=21), 0.1, seed=22)
    now = START + timedelta(days=30)
    by_ingest, by_backfill = two_urls
    with SLAEngine(by_ingest, policies=mixed_policies, now=now) as engine:
        for start in range(0, len(delivered), 170):
            engine.ingest(delivered[start : start + 170])
        expected = _outbox(engine), _state(engine)
    with SLAEngine(by_backfill, policies=mixed_policies, now=now) as engine:
        engine.backfill(delivered, batch_size=170)
        assert (_outbox(engine), _state(engine)) == expected


def test_backfill_rejects_what_ingest_rejects(db_url: str, policy: SLAPolicy) -> None:
    """Invalid items, a key given to two tickets in the input, and a key stored for another
    ticket are rejected with their positions and the reasons ``ingest`` gives; the rest is
    stored."""
    one = EventBuilder("T-1", start=START)
    one.created()
    one.customer_message(after="5m")
    other = EventBuilder("T-2", start=START)
    other.created()
    stolen = TicketEvent.from_dict({**other.events[0].to_dict(), "event_id": "stored-elsewhere"})
    owned = TicketEvent.from_dict({**one.events[0].to_dict(), "event_id": "stored-elsewhere"})
    clash = TicketEvent.from_dict({**other.events[0].to_dict(), "event_id": one.events[1].event_id})
    naive = {"ticket_id": "T-3", "event_id": "x", "at": "2026-03-02T10:00:00", "kind": "created"}
    items: list[object] = [one.events[0], naive, one.events[1], clash, 42, other.events[0], stolen]
    with SLAEngine(db_url, policies=policy, now=START + timedelta(days=1)) as engine:
        assert engine.ingest([owned]).stored == 1
        result = engine.backfill(items, batch_size=4)
        assert (result.stored, result.duplicates, result.rejected) == (3, 0, 4)
        assert [e.position for e in result.errors] == [1, 3, 4, 6]
        assert "time zone" in result.errors[0].reason
        assert "'T-1'" in result.errors[1].reason
        assert "'T-2'" in result.errors[1].reason
        assert result.errors[3].reason.startswith("event 'stored-elsewhere'")
        assert "'T-1'" in result.errors[3].reason
        assert [e.event_id for e in engine.events("T-2")] == [other.events[0].event_id]


def test_backfill_refuses_a_bad_batch_size_and_no_policies(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sla.db'}"
    with SLAEngine(url, now=START) as engine, pytest.raises(ConfigurationError, match="policies"):
        engine.backfill([])
    with SLAEngine(url, policies=[_policy()], now=START) as engine:
        with pytest.raises(ConfigurationError, match="batch_size"):
            engine.backfill([], batch_size=0)
        assert engine.backfill([]).stored == 0


def _policy() -> SLAPolicy:
    return SLAPolicy.from_mapping(
        {"name": "p", "calendar": "24x7", "targets": {"first_response": {"all": "1h"}}}
    )
