"""Explicit recalculation when a policy or calendar changes."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from engine_helpers import START, Clock, simple_policy

from ticketsla import SLAPolicy
from ticketsla.engine import SLAEngine, fingerprint
from ticketsla.engine.schema import clocks_table, outbox_table
from ticketsla.testing import EventBuilder, RecordingNotifier


def _tickets() -> list:  # type: ignore[type-arg]
    events = []
    for number, minutes in enumerate([0, 50, 100]):
        builder = EventBuilder(f"T-{number}", start=START + timedelta(minutes=minutes))
        builder.created()
        events.extend(builder.events)
    return events


def _versions(engine: SLAEngine) -> set[str]:
    with engine.sqlalchemy_engine.connect() as conn:
        return {r[0] for r in conn.execute(sa.select(clocks_table.c.policy_version))}


def test_dry_run_reports_changes_and_writes_nothing(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """recalculate(dry_run=True) lists the clocks whose due time or breach would change, and
    the stored state stays as it was."""
    clock.at = START + timedelta(hours=2)
    stricter = simple_policy(
        targets={"first_response": {"all": "90m"}, "resolution": {"all": "8h"}}
    )
    with SLAEngine(db_url, policies=policy, now=clock) as engine:
        engine.ingest(_tickets())
        before = [engine.clocks(f"T-{n}") for n in range(3)]
        report = engine.recalculate(stricter)
        assert report.dry_run
        assert report.tickets_checked == 3
        changed = {(c.ticket_id, c.metric) for c in report.changes}
        assert changed == {
            ("T-0", "first_response"),
            ("T-1", "first_response"),
            ("T-2", "first_response"),
        }
        t0 = next(c for c in report.changes if c.ticket_id == "T-0")
        assert (t0.breached_before, t0.breached_after) == (True, True)
        assert t0.due_after == START + timedelta(minutes=90)
        t1 = next(c for c in report.changes if c.ticket_id == "T-1")
        assert (t1.breached_before, t1.breached_after) == (True, False)  # due 10:50, now 11:20
        t2 = next(c for c in report.changes if c.ticket_id == "T-2")
        assert t2.due_changed
        assert not t2.breach_changed
        assert [engine.clocks(f"T-{n}") for n in range(3)] == before
        assert engine.policies.all() == (policy,)
        assert engine.recalculate().changes == ()  # nothing changed under its own policy


def test_recalculation_writes_new_clocks_versions_and_retractions(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """recalculate(dry_run=False) stores the new clocks with the new policy version, retracts a
    breach that no longer holds, and the engine uses the new policy from then on."""
    recorder = RecordingNotifier()
    clock.at = START + timedelta(minutes=70)
    looser = simple_policy(targets={"first_response": {"all": "2h"}, "resolution": {"all": "8h"}})
    with SLAEngine(db_url, policies=policy, now=clock, plugins=[recorder]) as engine:
        engine.ingest(_tickets())
        engine.scan()
        assert engine.is_breached("T-0", "first_response")
        assert _versions(engine) == {fingerprint(policy)}
        report = engine.recalculate(looser, dry_run=False)
        assert ("T-0", "first_response") in {(c.ticket_id, c.metric) for c in report.changes}
        assert not engine.is_breached("T-0", "first_response")
        assert engine.due_at("T-0", "first_response") == START + timedelta(hours=2)
        assert _versions(engine) == {fingerprint(looser)}
        assert engine.policies.all() == (looser,)
        engine.drain()
        assert ("T-0", "retraction", "breach") in {
            (n.ticket_id, str(n.kind), n.level) for n in recorder.notifications
        }
        with engine.sqlalchemy_engine.connect() as conn:
            kinds = [r[0] for r in conn.execute(sa.select(outbox_table.c.kind))]
        assert "breach" in kinds  # history is kept


def test_fingerprint_follows_content_not_identity() -> None:
    """Equal policies share a fingerprint; a changed target or calendar changes it."""
    assert fingerprint(simple_policy()) == fingerprint(simple_policy())
    assert fingerprint(simple_policy()) != fingerprint(
        simple_policy(targets={"first_response": {"all": "2h"}})
    )
    assert fingerprint(simple_policy()) != fingerprint(simple_policy(calendar="us-business"))
