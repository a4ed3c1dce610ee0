"""Helpers for testing ticketsla plugins (a public module, like httpx's ``MockTransport``).

::

    from ticketsla.hookspecs import hookimpl
    from ticketsla.plugins import counts_as_response
    from ticketsla.testing import EventBuilder, registered

    class NoBots:
        @hookimpl
        def ticketsla_counts_as_response(self, event):
            return False if event.field("bot") else None

    def test_bot_replies_do_not_count():
        events = EventBuilder("T-7")
        events.created()
        reply = events.agent_reply(after="10m", bot=True)
        with registered(NoBots()) as pm:
            assert counts_as_response(reply, pm=pm) is False

``registered`` gives a fresh plugin manager (built-ins only, no installed entry points, unless
asked) with the plugins registered for the ``with`` block; ``RecordingNotifier`` keeps every
notification it hears; ``EventBuilder`` writes a ticket's history in a few lines. Nothing here
needs pytest; wrap ``registered`` in a fixture if you like.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pluggy

from .durations import parse_duration
from .events import EventKind, TicketEvent
from .notifications import Notification, NotificationKind
from .plugins import get_plugin_manager, register_plugin
from .plugins.hookspecs import hookimpl
from .plugins.signing import hmac_sha256

__all__ = [
    "EventBuilder",
    "RecordingNotifier",
    "jira_signature_headers",
    "make_notification",
    "plugin_manager",
    "registered",
    "zendesk_signature_headers",
]

DEFAULT_START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning


def plugin_manager(*plugins: object, load_entry_points: bool = False) -> pluggy.PluginManager:
    """A fresh plugin manager: the built-ins, ``plugins``, and entry points only if asked."""
    return get_plugin_manager(plugins=plugins, load_entry_points=load_entry_points)


@contextmanager
def registered(
    *plugins: object,
    pm: pluggy.PluginManager | None = None,
    load_entry_points: bool = False,
) -> Iterator[pluggy.PluginManager]:
    """Register ``plugins`` for the ``with`` block and yield the manager.

    With ``pm`` given, the plugins are added to it and removed again on the way out, so a
    shared manager is left as it was; otherwise a fresh manager is made for the block.
    """
    if pm is None:
        yield plugin_manager(*plugins, load_entry_points=load_entry_points)
        return
    names = [register_plugin(pm, plugin) for plugin in plugins]
    try:
        yield pm
    finally:
        for name in reversed(names):
            if pm.get_plugin(name) is not None:
                pm.unregister(name=name)


class RecordingNotifier:
    """A notifier plugin that keeps what it hears, in order, as ``(hook, notification)``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Notification]] = []

    @property
    def notifications(self) -> list[Notification]:
        return [n for _, n in self.calls]

    @property
    def hooks(self) -> list[str]:
        return [hook for hook, _ in self.calls]

    def of_kind(self, kind: str) -> list[Notification]:
        """The notifications of one kind (``"warning"``, ``"breach"``...)."""
        wanted = NotificationKind(kind)
        return [n for n in self.notifications if n.kind is wanted]

    def clear(self) -> None:
        self.calls.clear()

    @hookimpl
    def ticketsla_sla_warning(self, notification: Notification) -> None:
        self.calls.append(("ticketsla_sla_warning", notification))

    @hookimpl
    def ticketsla_sla_breached(self, notification: Notification) -> None:
        self.calls.append(("ticketsla_sla_breached", notification))

    @hookimpl
    def ticketsla_sla_fulfilled(self, notification: Notification) -> None:
        self.calls.append(("ticketsla_sla_fulfilled", notification))

    @hookimpl
    def ticketsla_outcome_recorded(self, notification: Notification) -> None:
        self.calls.append(("ticketsla_outcome_recorded", notification))


def make_notification(**fields: Any) -> Notification:
    """A breach notification for ticket ``T-1``'s first response; keywords override fields."""
    values: dict[str, Any] = {
        "ticket_id": "T-1",
        "metric": "first_response",
        "cycle": 1,
        "kind": NotificationKind.BREACH,
        "level": "breach",
        "at": DEFAULT_START + timedelta(hours=4),
        "due_at": DEFAULT_START + timedelta(hours=4),
        "target": timedelta(hours=4),
        "elapsed": timedelta(hours=4),
        "policy": "standard",
        "calendar": "24x7",
    }
    values.update(fields)
    return Notification(**values)


class EventBuilder:
    """One ticket's events, written in order: each call moves the clock on by ``after``.

    ``after`` is a ``timedelta`` or a duration text (``"10m"``, ``"1h30m"``). Event ids are
    ``"<ticket>-<n>"``, so building the same history twice gives equal events. Every event
    built is also kept in ``.events``.
    """

    def __init__(
        self, ticket_id: str = "T-1", *, start: datetime = DEFAULT_START, source: str = "test"
    ) -> None:
        self.ticket_id = ticket_id
        self.source = source
        self.now = start
        self.events: list[TicketEvent] = []

    def event(
        self, kind: EventKind | str, *, after: timedelta | str = timedelta(0), **fields: Any
    ) -> TicketEvent:
        """An event of any kind; ``fields`` are ``TicketEvent`` keywords."""
        self.now = self.now + parse_duration(after, field="after")
        event = TicketEvent(
            ticket_id=self.ticket_id,
            event_id=f"{self.ticket_id}-{len(self.events) + 1}",
            source=self.source,
            at=self.now,
            kind=kind,
            **fields,
        )
        self.events.append(event)
        return event

    def created(self, *, after: timedelta | str = timedelta(0), **fields: Any) -> TicketEvent:
        fields.setdefault("status", "new")
        fields.setdefault("priority", "normal")
        fields.setdefault("actor", "customer")
        return self.event(EventKind.CREATED, after=after, **fields)

    def customer_message(
        self, *, after: timedelta | str = timedelta(0), **fields: Any
    ) -> TicketEvent:
        return self.event(EventKind.CUSTOMER_MESSAGE, after=after, **fields)

    def agent_reply(self, *, after: timedelta | str = timedelta(0), **fields: Any) -> TicketEvent:
        return self.event(EventKind.AGENT_REPLY, after=after, **fields)

    def internal_note(self, *, after: timedelta | str = timedelta(0), **fields: Any) -> TicketEvent:
        return self.event(EventKind.INTERNAL_NOTE, after=after, **fields)

    def status(
        self, status: str, *, after: timedelta | str = timedelta(0), **fields: Any
    ) -> TicketEvent:
        return self.event(EventKind.STATUS_CHANGED, after=after, status=status, **fields)

    def priority(
        self, priority: str, *, after: timedelta | str = timedelta(0), **fields: Any
    ) -> TicketEvent:
        return self.event(EventKind.PRIORITY_CHANGED, after=after, priority=priority, **fields)

    def assigned(
        self, assignee: str, *, after: timedelta | str = timedelta(0), **fields: Any
    ) -> TicketEvent:
        return self.event(EventKind.ASSIGNED, after=after, assignee=assignee, **fields)

    def rated(
        self, rating: str | int, *, after: timedelta | str = timedelta(0), **fields: Any
    ) -> TicketEvent:
        fields.setdefault("actor", "customer")
        return self.event(EventKind.SATISFACTION_RATED, after=after, rating=rating, **fields)


def zendesk_signature_headers(
    body: bytes, secret: str | bytes, *, at: datetime | None = None
) -> dict[str, str]:
    """The headers Zendesk sends with a webhook ``body`` signed with ``secret`` at ``at`` (None:
    now): ``X-Zendesk-Webhook-Signature``, the base64 HMAC-SHA256 of the timestamp text and
    the body, and ``X-Zendesk-Webhook-Signature-Timestamp``, an ISO 8601 instant in UTC."""
    when = datetime.now(UTC) if at is None else at.astimezone(UTC)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = hmac_sha256(secret, stamp.encode("utf-8"), bytes(body))
    return {
        "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode("ascii"),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }


def jira_signature_headers(body: bytes, secret: str | bytes) -> dict[str, str]:
    """The header a Jira admin webhook registered with ``secret`` sends with ``body``:
    ``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`` (the body carries its own
    ``timestamp``, which the check reads for the replay window)."""
    return {"X-Hub-Signature": "sha256=" + hmac_sha256(secret, bytes(body)).hex()}
