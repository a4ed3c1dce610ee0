"""Reports straight from an engine: the same figures as the pure report over the same events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine_helpers import simple_policy

from ticketsla import SLAEngine, TicketEvent
from ticketsla.report import ReportPeriod, report_from_events

OCTOBER = ReportPeriod.parse("2026-10")


def _ticket(number: int, start: datetime, reply_after: timedelta) -> list[TicketEvent]:
    ticket = f"R-{number}"
    return [
        TicketEvent(ticket_id=ticket, event_id=f"{ticket}/1", at=start, kind="created"),
        TicketEvent(
            ticket_id=ticket, event_id=f"{ticket}/2", at=start + reply_after, kind="agent_reply"
        ),
    ]


def test_engine_report_equals_the_pure_report_and_skips_later_tickets(db_url: str) -> None:
    """engine.report(period) counts what the stored tickets say, and leaves out later tickets."""
    policy = simple_policy()  # 24x7, first response 1h
    start = datetime(2026, 10, 5, 9, tzinfo=UTC)
    met = _ticket(1, start, timedelta(minutes=30))
    late = _ticket(2, start, timedelta(hours=2))
    november = _ticket(3, datetime(2026, 11, 3, 9, tzinfo=UTC), timedelta(hours=3))
    now = datetime(2026, 11, 20, tzinfo=UTC)
    with SLAEngine(db_url, policies=[policy], now=now) as engine:
        engine.ingest([*met, *late, *november])
        stored = engine.tickets_events(started_before=OCTOBER_END)
        report = engine.report(OCTOBER)
    assert sorted({e.ticket_id for e in stored}) == ["R-1", "R-2"]
    expected = report_from_events([*met, *late], policy, OCTOBER, now=now)
    assert report.total == expected.total
    first = next(m for m in report.total.metrics if m.metric == "first_response")
    assert (first.measured, first.met, first.breached) == (2, 1, 1)


OCTOBER_END = datetime(2026, 11, 1, tzinfo=UTC)
