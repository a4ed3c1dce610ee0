"""Escalation levels fire through the outbox at the instants the SLA document states, wait for
their recipients' working hours, are retracted by late events, and leave a trail."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from escalation_example import CREATED, TIMELINE, policy
from freezegun import freeze_time

from ticketsla import Recipient, SLAPolicy, TicketEvent, next_change_at
from ticketsla.describe import describe
from ticketsla.engine import SLAEngine
from ticketsla.engine.schema import outbox_table
from ticketsla.hookspecs import hookimpl
from ticketsla.notifications import Notification, NotificationKind
from ticketsla.testing import RecordingNotifier

US = timedelta(microseconds=1)


class Now:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def created(ticket: str = "T1") -> TicketEvent:
    return TicketEvent(
        ticket_id=ticket, source="t", event_id=f"{ticket}-1", kind="created", at=CREATED
    )


def escalation_rows(engine: SLAEngine) -> list[Any]:
    o = outbox_table.c
    with engine.sqlalchemy_engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(outbox_table)
                .where(o.kind == NotificationKind.ESCALATION.value)
                .order_by(o.id)
            )
        )


def test_each_level_fires_at_the_instant_the_document_states(db_url: str) -> None:
    """The worked example: every level is recorded exactly at its instant, not a microsecond
    before, held until its recipient's calendar opens, and next_change_at wakes for each."""
    now = Now(CREATED)
    with SLAEngine(db_url, policy(), now=now) as engine:
        engine.ingest([created()])
        for level, at, _ in TIMELINE:
            now.at = at - US
            engine.scan(at - US)
            assert level not in [r.level for r in escalation_rows(engine)]
            now.at = at
            engine.scan(at)
            assert level in [r.level for r in escalation_rows(engine)]
        rows = escalation_rows(engine)
    assert [(r.level, r.at, r.held_until) for r in rows] == TIMELINE
    # the pure core agrees: each instant is a change a scheduler wakes for
    wakes = []
    at = CREATED
    while (at := next_change_at([created()], policy(), at)) is not None:  # type: ignore[assignment]
        wakes.append(at)
    assert {t for _, t, _ in TIMELINE} <= set(wakes)


def test_the_document_states_each_level_as_the_engine_reads_it() -> None:
    """policy describe prints each level's rule from the same parsed levels the engine fires."""
    text = describe(policy(), today=date(2026, 10, 1)).to_markdown()
    for phrase in (
        "| 1 | when 50% of the target has been used |",
        "| 2 | 30m of business time before the target is breached |",
        "| 3 | when the target is breached |",
        "| 4 | 1h of wall-clock time after the target was breached |",
        "| 5 (review) | 2h of business time after the target was breached |",
        "call the customer (urgent: sent at any hour)",
    ):
        assert phrase in text


def test_held_notifications_wait_survive_a_restart_and_block_nothing(db_url: str) -> None:
    """level-1 fires on Friday evening Berlin time: it waits for Monday 08:00 Berlin, while a
    later notification of the same ticket goes out; a new engine on the same database keeps it."""
    level_1 = TIMELINE[0]
    now = Now(level_1[1])
    notifier = RecordingNotifier()
    with SLAEngine(db_url, policy(), now=now, plugins=[notifier]) as engine:
        engine.ingest([created()])
        engine.scan()
        engine.drain()
        assert notifier.calls == []
        held = engine.held()
        assert (held.count, held.first_until) == (1, level_1[2])
    level_2 = TIMELINE[1]
    now.at = level_1[2] - US
    with SLAEngine(db_url, policy(), now=now, plugins=[notifier]) as engine:
        engine.drain()
        assert notifier.calls == []
        now.at = level_2[1]
        engine.scan()
        engine.drain()
    # level-1 was held until Monday; level-2 (Tuesday, New York hours) followed it
    assert [n.level for n in notifier.notifications] == ["level-1/team-lead", "level-2/ny-on-call"]
    hook, sent = notifier.calls[0]
    assert (hook, sent.level) == ("ticketsla_sla_warning", "level-1/team-lead")
    assert sent.escalation is not None
    assert sent.escalation.held_until == level_1[2]
    assert sent.escalation.recipients == (
        Recipient(name="team-lead", email="lead@example.com", calendar="de-business"),
    )
    with SLAEngine(db_url, policy(), now=now, plugins=[notifier]) as engine:
        assert engine.held().count == 0


def test_a_late_reply_retracts_and_cancels_a_level_that_no_longer_holds(db_url: str) -> None:
    """The breach level fired; a reply dated before the due instant arrives late: the level is
    retracted, and one still waiting in the outbox is cancelled so nobody hears either."""
    breach_level = TIMELINE[2]
    now = Now(breach_level[1])
    with SLAEngine(db_url, policy(), now=now) as engine:
        engine.ingest([created()])
        engine.scan()
        assert "level-3/head-of-support" in [r.level for r in escalation_rows(engine)]
        reply = TicketEvent(
            ticket_id="T1",
            source="t",
            event_id="T1-2",
            kind="agent_reply",
            at=breach_level[1] - timedelta(hours=1),
            public=True,
        )
        engine.ingest([reply])
        trail = engine.escalations("T1")
        state = engine.state("T1")
    by_level = {r.level: r for r in trail}
    assert by_level["level-3"].retracted
    assert by_level["level-3"].state == "cancelled"
    assert by_level["level-1"].state == "pending"  # held, and still true: the reply came later
    assert state.escalation_trail == trail
    assert "escalation level-3 to head-of-support" in state.explain()


def test_a_route_plugin_resolves_names_and_their_calendars(db_url: str) -> None:
    class OnCall:
        @hookimpl
        def ticketsla_route(self, name: str, notification: Notification) -> list[Recipient] | None:
            if name != "head-of-support":
                return None
            return [
                Recipient(name="dana", target="pager:dana", calendar="us-business"),
                Recipient(name="eli", email="eli@example.com"),
            ]

    breach_level = TIMELINE[2]
    now = Now(breach_level[1])
    with SLAEngine(db_url, policy(), now=now, plugins=[OnCall()]) as engine:
        engine.ingest([created()])
        engine.scan()
        rows = {r.level: r for r in escalation_rows(engine)}
    assert "level-3/dana" in rows
    assert "level-3/eli" in rows
    assert rows["level-3/dana"].held_until is None  # 10:00 New York: us-business is open
    body = Notification.from_dict(__import__("json").loads(rows["level-3/dana"].body))
    assert body.escalation is not None
    assert body.escalation.recipients[0].target == "pager:dana"


def test_policies_without_escalation_record_none(db_url: str) -> None:
    from engine_helpers import simple_policy

    now = Now(CREATED + timedelta(days=10))
    with SLAEngine(db_url, simple_policy(), now=now) as engine:
        engine.ingest([created()])
        engine.scan()
        assert escalation_rows(engine) == []
        assert engine.held().count == 0


def test_the_status_command_shows_held_notifications_and_the_trail(
    tmp_path: Any, capsys: Any
) -> None:
    from ticketsla.cli import main

    url = f"sqlite:///{tmp_path / 'sla.db'}"
    level_1 = TIMELINE[0]
    with SLAEngine(url, policy(), now=Now(level_1[1])) as engine:
        engine.ingest([created()])
        engine.scan()
    with freeze_time(level_1[1]):
        assert main(["status", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "held for their recipients' working hours: 1" in out
    assert "2026-10-12 06:00:00" in out
    assert main(["status", "T1", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "escalation level-1 to team-lead" in out
    assert "held until 2026-10-12T06:00:00+00:00" in out
    assert main(["status", "T1", "--db", url, "--json"]) == 0
    [clock] = json.loads(capsys.readouterr().out)
    # fired or scheduled, as the clock runs
    assert [e["level"] for e in clock["escalations"]] == [t[0].split("/")[0] for t in TIMELINE]
    [record] = clock["escalation_trail"]
    assert (record["recipient"], record["held_until"]) == ("team-lead", "2026-10-12T06:00:00+00:00")


def test_the_scan_command_fires_the_levels_of_the_policies_it_is_given(
    tmp_path: Any, capsys: Any
) -> None:
    from ticketsla.cli import main

    file = tmp_path / "standard.toml"
    file.write_text(
        'name = "standard"\ncalendar = "24x7"\n[targets.first_response]\nall = "1h"\n'
        '[[escalation]]\nwhen = "1h after breach"\nnotify = "head-of-support"\n',
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'sla.db'}"
    with SLAEngine(url, SLAPolicy.load(file), now=Now(CREATED)) as engine:
        engine.ingest([created()])
    at = (CREATED + timedelta(hours=2)).isoformat()
    assert main(["scan", "--db", url, "--at", at, "--policy", str(file), "--quiet"]) == 0
    assert main(["scan", "--db", url, "--at", at, "--policy", str(file)]) == 0
    assert "0 tickets" in capsys.readouterr().out  # the first pass recorded it already
    with SLAEngine(url) as engine:
        assert [r.level for r in engine.escalations("T1")] == ["level-1"]
        assert [r.recipient for r in engine.escalations("T1")] == ["head-of-support"]


def test_a_delivered_level_is_retracted_through_the_hook_that_announced_it(db_url: str) -> None:
    breach_level = TIMELINE[2]
    now = Now(breach_level[1])
    notifier = RecordingNotifier()
    with SLAEngine(db_url, policy(), now=now, plugins=[notifier]) as engine:
        engine.ingest([created()])
        engine.scan()
        engine.drain()
        assert ("ticketsla_sla_breached", "level-3/head-of-support") in [
            (hook, n.level) for hook, n in notifier.calls
        ]
        notifier.clear()
        reply = TicketEvent(
            ticket_id="T1",
            source="t",
            event_id="T1-2",
            kind="agent_reply",
            at=breach_level[1] - timedelta(minutes=5),
            public=True,
        )
        engine.ingest([reply])
        engine.drain()
    retracted = [(hook, n.level) for hook, n in notifier.calls if n.kind == "retraction"]
    assert ("ticketsla_sla_breached", "level-3/head-of-support") in retracted
    assert ("ticketsla_sla_warning", "level-2/ny-on-call") not in retracted  # 09:30 still held


def test_a_scan_without_the_policies_keeps_waking_for_their_levels(db_url: str) -> None:
    """A scanner that does not know the policies cannot fire their levels, but when it visits a
    ticket for a warning it must not lose the instant a scanner that does should look again."""
    from escalation_example import POLICY, SUPPORT_NY

    from ticketsla import Calendar

    warned = SLAPolicy.from_mapping(
        {**POLICY, "warnings": {"at": ["25%"]}},
        calendars={"support-ny": Calendar.from_mapping(SUPPORT_NY)},
    )
    first = TIMELINE[0]
    now = Now(CREATED)
    with SLAEngine(db_url, warned, now=now) as engine:
        engine.ingest([created()])
    with SLAEngine(db_url, now=now) as blind:  # the 25% warning is due at 19:00 UTC
        assert blind.scan(first[1] - timedelta(minutes=30)).warnings == 1
    now.at = first[1]
    with SLAEngine(db_url, warned, now=now) as engine:
        engine.scan()
        assert [r.level for r in escalation_rows(engine)] == [first[0]]
