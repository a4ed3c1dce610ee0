"""Outcomes through the outbox: FCR verdicts and CSAT ratings reach ``ticketsla_outcome_recorded``
once each, and a late event that changes one retracts it and records the new one."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from engine_helpers import START, Clock, simple_policy

from ticketsla import SLAPolicy
from ticketsla.engine import SLAEngine
from ticketsla.engine.schema import outbox_table
from ticketsla.testing import EventBuilder, RecordingNotifier

HOOK = "ticketsla_outcome_recorded"
Row = tuple[str, str, int, str, str, int]


def _outcome_rows(engine: SLAEngine) -> list[Row]:
    """The outbox rows of outcomes and their retractions (cycle 0), in recording order."""
    o = outbox_table.c
    query = (
        sa.select(o.ticket_id, o.metric, o.cycle, o.kind, o.level, o.round)
        .where(o.cycle == 0)
        .order_by(o.id)
    )
    with engine.sqlalchemy_engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def _heard(recorder: RecordingNotifier) -> list[tuple[str, str, str, str, int]]:
    """What the outcome hook heard: (metric, kind, level, round) with the hook's name."""
    return [
        (hook, n.metric, str(n.kind), n.level, n.round)
        for hook, n in recorder.calls
        if n.metric in ("fcr", "csat")
    ]


def test_one_touch_fcr_is_decided_at_the_solve_and_delivered_once(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    recorder = RecordingNotifier()
    with SLAEngine(db_url, policies=policy, now=clock, plugins=[recorder]) as engine:
        ticket = EventBuilder("T-1", start=START)
        ticket.created()
        engine.ingest(ticket.events)
        assert engine.drain().delivered == 0
        ticket.agent_reply(after="10m")
        solve = ticket.status("solved", after="20m")
        engine.ingest(ticket.events)
        assert engine.state("T-1").fcr is not None
        assert _outcome_rows(engine) == [("T-1", "fcr", 0, "outcome", "fcr", 1)]

        first = engine.drain()
        assert first.delivered == 3  # two fulfilments and the outcome
        assert engine.drain().delivered == 0
        assert _heard(recorder) == [(HOOK, "fcr", "outcome", "fcr", 1)]
        outcome = recorder.of_kind("outcome")[0]
        assert outcome.at == solve.at
        assert (outcome.cycle, outcome.policy, outcome.due_at) == (0, "simple", None)

        # the same events again, a later event that does not change the verdict, a scan: nothing
        clock.advance(hours=3)
        assert engine.ingest(ticket.events).duplicates == 3
        engine.ingest([ticket.internal_note(after="1h")])
        engine.scan()
        assert engine.drain().delivered == 0
        assert _heard(recorder) == [(HOOK, "fcr", "outcome", "fcr", 1)]
        assert _outcome_rows(engine) == [("T-1", "fcr", 0, "outcome", "fcr", 1)]


def test_csat_good_then_bad_retracts_the_first_rating(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """The level is the sentiment; a new rating with another sentiment retracts the old one and
    records the new level; coming back to a sentiment is that level's next round."""
    recorder = RecordingNotifier()
    with SLAEngine(db_url, policies=policy, now=clock, plugins=[recorder]) as engine:
        ticket = EventBuilder("T-1", start=START)
        ticket.created()
        ticket.agent_reply(after="10m")
        ticket.status("solved", after="5m")
        good = ticket.rated("good", after="1h")
        engine.ingest(ticket.events)
        engine.drain()
        csat = [n for n in recorder.of_kind("outcome") if n.metric == "csat"]
        assert [(n.level, n.at) for n in csat] == [("positive", good.at)]

        recorder.clear()
        bad = ticket.rated("bad", after="1h")
        engine.ingest([bad])
        engine.ingest([ticket.rated(5, scale=(1, 5), after="1h")])
        engine.ingest([ticket.rated(4, scale=(1, 5), after="1h")])  # still positive: nothing
        engine.drain()
        assert _heard(recorder) == [
            (HOOK, "csat", "retraction", "positive", 1),
            (HOOK, "csat", "outcome", "negative", 1),
            (HOOK, "csat", "retraction", "negative", 1),
            (HOOK, "csat", "outcome", "positive", 2),
        ]
        assert recorder.notifications[1].at == bad.at
        assert engine.drain().delivered == 0


def test_a_late_second_reply_turns_fcr_into_not_fcr_with_a_retraction(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    recorder = RecordingNotifier()
    with SLAEngine(db_url, policies=policy, now=clock, plugins=[recorder]) as engine:
        ticket = EventBuilder("T-1", start=START)
        ticket.created()
        ticket.agent_reply(after="10m")
        late = ticket.agent_reply(after="10m")  # 09:20, held back by the source
        solve = ticket.status("solved", after="10m")
        engine.ingest([e for e in ticket.events if e is not late])
        engine.drain()
        assert _heard(recorder) == [(HOOK, "fcr", "outcome", "fcr", 1)]

        clock.advance(hours=1)
        result = engine.ingest([late])
        assert result.late == 1
        fcr = engine.state("T-1").fcr
        assert fcr is not None
        assert fcr.achieved is False
        assert engine.drain().delivered == 2
        assert engine.drain().delivered == 0
        assert _heard(recorder) == [
            (HOOK, "fcr", "outcome", "fcr", 1),
            (HOOK, "fcr", "retraction", "fcr", 1),
            (HOOK, "fcr", "outcome", "not_fcr", 1),
        ]
        retraction, not_fcr = recorder.notifications[-2:]
        assert retraction.at == clock.at  # recorded when the late event revealed it
        assert not_fcr.at == solve.at  # decided at the solve
        assert _outcome_rows(engine) == [
            ("T-1", "fcr", 0, "outcome", "fcr", 1),
            ("T-1", "fcr", 0, "retraction", "fcr", 1),
            ("T-1", "fcr", 0, "outcome", "not_fcr", 1),
        ]


def test_no_reopen_within_is_decided_by_a_scan_at_the_end_of_the_window(
    db_url: str, clock: Clock
) -> None:
    window = simple_policy(outcomes={"fcr": {"definition": "no_reopen_within", "window": "1d"}})
    recorder = RecordingNotifier()
    with SLAEngine(db_url, policies=window, now=clock, plugins=[recorder]) as engine:
        quiet = EventBuilder("T-1", start=START)
        quiet.created()
        quiet.agent_reply(after="10m")
        solve = quiet.status("solved", after="10m")
        reopened = EventBuilder("T-2", start=START)
        reopened.created()
        reopened.agent_reply(after="10m")
        reopened.status("solved", after="10m")
        engine.ingest([*quiet.events, *reopened.events])
        engine.scan(at=solve.at + timedelta(hours=12))
        assert _outcome_rows(engine) == []

        reopen = reopened.customer_message(after="13h")
        clock.at = reopen.at
        engine.ingest([reopen])
        assert _outcome_rows(engine) == [("T-2", "fcr", 0, "outcome", "not_fcr", 1)]

        engine.scan(at=solve.at + timedelta(days=1))
        engine.scan(at=solve.at + timedelta(days=2))
        engine.drain()
        outcomes = {n.ticket_id: n for n in recorder.of_kind("outcome")}
        assert {t: (n.level, n.at) for t, n in outcomes.items()} == {
            "T-1": ("fcr", solve.at + timedelta(days=1)),
            "T-2": ("not_fcr", reopen.at),
        }
        assert _outcome_rows(engine) == [
            ("T-2", "fcr", 0, "outcome", "not_fcr", 1),
            ("T-1", "fcr", 0, "outcome", "fcr", 1),
        ]


def test_a_backfill_after_the_window_records_the_verdict_at_the_window_end(
    db_url: str, clock: Clock
) -> None:
    window = simple_policy(outcomes={"fcr": {"definition": "no_reopen_within", "window": "1d"}})
    recorder = RecordingNotifier()
    clock.at = START + timedelta(days=30)
    with SLAEngine(db_url, policies=window, now=clock, plugins=[recorder]) as engine:
        ticket = EventBuilder("T-1", start=START)
        ticket.created()
        ticket.agent_reply(after="10m")
        solve = ticket.status("solved", after="10m")
        engine.ingest(ticket.events)
        engine.drain()
        assert [(n.level, n.at) for n in recorder.of_kind("outcome")] == [
            ("fcr", solve.at + timedelta(days=1))
        ]
