"""Fulfilment verdicts that a late event changes are retracted; notifications no plugin hears
are never marked delivered."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from engine_cli import run
from engine_helpers import START, Clock

from ticketsla import SLAPolicy, TicketEvent
from ticketsla.engine import SLAEngine
from ticketsla.hookspecs import hookimpl
from ticketsla.notifications import Notification, NotificationKind
from ticketsla.testing import EventBuilder, RecordingNotifier


def _created(ticket_id: str = "T-1") -> list[TicketEvent]:
    events = EventBuilder(ticket_id, start=START)
    events.created()
    return events.events


def _reply(event_id: str, minutes: float) -> TicketEvent:
    return TicketEvent(
        ticket_id="T-1",
        event_id=event_id,
        source="test",
        at=START + timedelta(minutes=minutes),
        kind="agent_reply",
    )


def _live_verdicts(engine: SLAEngine, metric: str) -> set[str]:
    """Fulfilment levels announced and not retracted, read from the outbox."""
    live: set[str] = set()
    for notification, _ in engine.notifications("T-1"):
        if notification.metric != metric or notification.level not in ("met", "missed"):
            continue
        if notification.kind is NotificationKind.FULFILLED:
            live.add(notification.level)
        elif notification.kind is NotificationKind.RETRACTION:
            live.discard(notification.level)
    return live


def test_a_changed_verdict_retracts_the_earlier_one_first(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """A late reply turns 'missed' into 'met': the missed verdict is retracted (through the
    fulfilment hook) before met is sent, and the outbox's live verdict is the fold's."""
    recorder = RecordingNotifier()
    clock.at = START + timedelta(hours=3)
    with SLAEngine(db_url, policies=policy, now=clock, plugins=[recorder]) as engine:
        engine.ingest([*_created(), _reply("late-reply", 90)])
        engine.drain()
        assert _live_verdicts(engine, "first_response") == {"missed"}
        recorder.clear()
        engine.ingest([_reply("early-reply", 20)])
        engine.drain()
        verdicts = [
            (hook, str(n.kind), n.level)
            for hook, n in recorder.calls
            if n.metric == "first_response" and n.level in ("met", "missed")
        ]
        assert verdicts == [
            ("ticketsla_sla_fulfilled", "retraction", "missed"),
            ("ticketsla_sla_fulfilled", "fulfilled", "met"),
        ]
        assert _live_verdicts(engine, "first_response") == {"met"}
        (clock_state,) = [c for c in engine.clocks("T-1") if c.metric == "first_response"]
        assert clock_state.breached_at is None


class WarningsOnly:
    """A notifier that implements only the warning hook."""

    def __init__(self) -> None:
        self.heard: list[Notification] = []

    @hookimpl
    def ticketsla_sla_warning(self, notification: Notification) -> None:
        self.heard.append(notification)


def test_notifications_nobody_hears_are_not_marked_delivered(
    db_url: str, policy: SLAPolicy, clock: Clock
) -> None:
    """With a warnings-only plugin, breaches take the state no_listener (never done); a later
    drain with a plugin that hears them delivers them."""
    clock.at = START + timedelta(hours=2)
    warnings_only = WarningsOnly()
    with SLAEngine(db_url, policies=policy, now=clock, plugins=[warnings_only]) as engine:
        engine.ingest(_created())
        engine.scan()
        result = engine.drain()
        assert (result.delivered, result.unheard) == (2, 1)
        states = {(str(n.kind), n.level): state for n, state in engine.notifications("T-1")}
        assert states == {
            ("warning", "50%"): "done",
            ("warning", "75%"): "done",
            ("breach", "breach"): "no_listener",
        }
        assert [n.level for n in warnings_only.heard] == ["50%", "75%"]
    recorder = RecordingNotifier()
    with SLAEngine(db_url, policies=policy, now=clock, plugins=[recorder]) as engine:
        assert engine.drain().delivered == 1
        assert [n.level for n in recorder.notifications] == ["breach"]


def test_status_shows_notifications_without_a_listener(
    tmp_path: Path, policy: SLAPolicy, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    """``ticketsla status`` counts the ticket's notifications per state and lists the unheard."""
    url = f"sqlite:///{tmp_path / 'sla.db'}"
    clock.at = START + timedelta(hours=2)
    with SLAEngine(url, policies=policy, now=clock, plugins=[WarningsOnly()]) as engine:
        engine.ingest(_created())
        engine.scan()
        engine.drain()
    capsys.readouterr()
    assert run(["status", "T-1", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "notifications: 2 done, 1 no listener" in out
    assert "no listener: breach breach first_response cycle 1" in out
