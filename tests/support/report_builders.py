"""Small builders for the report tests: instants, policies and ticket histories in a line each."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ticketsla import SLAPolicy, TicketEvent
from ticketsla.cli import demo_command, describe_command, report_commands

BASE_POLICY: dict[str, Any] = {
    "name": "gold",
    "calendar": "24x7",
    "targets": {
        "first_response": {"urgent": "30m", "normal": "1h"},
        "resolution": {"all": "8h"},
    },
}


def at(text: str) -> datetime:
    """An aware instant from ISO 8601 text that carries its offset (``2026-10-05T10:00Z``)."""
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, text
    return value


def policy(extra: Mapping[str, Any] | None = None, **changes: Any) -> SLAPolicy:
    """The base policy (24x7, first response 1h normal / 30m urgent, resolution 8h) plus keys."""
    data = {**BASE_POLICY, **changes, **(extra or {})}
    return SLAPolicy.from_mapping(data)


def ticket(
    ticket_id: str,
    created: str,
    *,
    reply: str | None = None,
    replies: Sequence[str] = (),
    solved: str | None = None,
    rating: str | int | None = None,
    rated: str | None = None,
    priority: str = "normal",
    organization: str | None = "acme",
    channel: str = "email",
    source: str = "api",
) -> list[TicketEvent]:
    """One ticket's history: created, public replies, a solve and a rating, at given instants."""
    fields: dict[str, Any] = {"channel": channel}
    if organization is not None:
        fields["organization"] = organization
    events = [
        TicketEvent(
            ticket_id=ticket_id,
            event_id=f"{ticket_id}-created",
            source=source,
            at=at(created),
            kind="created",
            status="new",
            priority=priority,
            actor="customer",
            **fields,
        )
    ]
    for n, when in enumerate([*([reply] if reply else []), *replies], start=1):
        events.append(
            TicketEvent(
                ticket_id=ticket_id,
                event_id=f"{ticket_id}-reply-{n}",
                source=source,
                at=at(when),
                kind="agent_reply",
            )
        )
    if solved:
        events.append(
            TicketEvent(
                ticket_id=ticket_id,
                event_id=f"{ticket_id}-solved",
                source=source,
                at=at(solved),
                kind="status_changed",
                status="solved",
            )
        )
    if rating is not None:
        events.append(
            TicketEvent(
                ticket_id=ticket_id,
                event_id=f"{ticket_id}-rated",
                source=source,
                at=at(rated or solved or created),
                kind="satisfaction_rated",
                rating=rating,
                actor="customer",
            )
        )
    return events


def cli(argv: Sequence[str]) -> int:
    """Run one command the way ``ticketsla`` does once its modules register their commands."""
    parser = argparse.ArgumentParser(prog="ticketsla")
    commands = parser.add_subparsers()
    report_commands.register(commands)
    describe_command.register(commands)
    demo_command.register(commands)
    args = parser.parse_args(list(argv))
    result: int = args.handler(args)
    return result
