"""Zendesk payloads written from ticket events: test data for integrations, and the demo's.

``ZendeskPayloads().payload(event)`` is the body Zendesk sends for ``event``:

============================== ==================================================================
``created``                    a ``zen:event-type:ticket.created`` webhook (status, priority,
                               requester, subject, tags, channel, assignee, group, organization)
``customer_message``,          a ``ticket.comment_added`` webhook (``is_public: false`` for a
``agent_reply``,               note; the ``system`` actor writes as Zendesk's user -1)
``internal_note``
``status_changed``             a ``ticket.status_changed`` webhook
``priority_changed``           a ``ticket.priority_changed`` webhook
``assigned``                   a ``ticket.agent_assignment_changed`` webhook
``satisfaction_rated``         a ``{"satisfaction_rating": ...}`` from the ratings API
                               (``good`` or ``bad``)
============================== ==================================================================

Other kinds give ``None``. Zendesk ids are whole numbers: the ticket id, the requester, the
assignee, the group and the organization must be. An event id written the way the adapter
names events (``comment-<comment id>``, ``webhook-<webhook event id>``,
``rating-<rating id>-<epoch seconds>``) is taken apart, so the payload parses back to the same
event; any other event id becomes a Zendesk id derived from it (the same id always gives the
same payload), and the parsed event carries the adapter's name for it.

The builder remembers each ticket's requester from its ``created`` event, so later webhooks
name the requester as Zendesk's do; a ticket it has not seen created gets ``requester_id``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from ticketsla.errors import EventError
from ticketsla.events import Actor, EventKind, TicketEvent

from ._common import SYSTEM_USER_ID
from .adapter import ZendeskAdapter

__all__ = ["ZendeskPayloads"]

_TYPE = "zen:event-type:ticket."
_NUMBER = re.compile(r"-?\d{1,20}")
_WEBHOOK_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
_RATING_ID = re.compile(r"rating-(\d{1,20})-\d+")
_ZENDESK_STATUS = {"on_hold": "HOLD"}


class ZendeskPayloads:
    """Writes Zendesk webhook bodies and satisfaction ratings for ticket events.

    ``agent_id`` is the Zendesk user who writes an agent's comments and changes;
    ``requester_id`` the customer of a ticket whose ``created`` event was not built here.
    """

    def __init__(
        self,
        *,
        agent_id: int | str = 7001,
        requester_id: int | str = 9001,
        account_id: int = 22129848,
    ) -> None:
        self.agent_id = _number(agent_id, "agent_id")
        self.requester_id = _number(requester_id, "requester_id")
        self.account_id = account_id
        self._requesters: dict[str, str] = {}

    def adapter(self) -> ZendeskAdapter:
        """An adapter that reads these payloads (webhooks say who is staff themselves)."""
        return ZendeskAdapter()

    def payload(self, event: TicketEvent) -> dict[str, Any] | None:
        """The body Zendesk sends for ``event``, or ``None`` for a kind it has no payload for."""
        ticket = _number(event.ticket_id, "ticket_id")
        if event.kind is EventKind.CREATED and event.requester is not None:
            self._requesters[ticket] = _number(event.requester, "requester")
        if event.kind is EventKind.SATISFACTION_RATED:
            return self._rating(event, ticket)
        detail: dict[str, Any] = {
            "id": ticket,
            "requester_id": self._requesters.get(ticket, self.requester_id),
            "actor_id": self._actor_id(event, ticket),
        }
        kind = event.kind
        change: dict[str, Any]
        if kind is EventKind.CREATED:
            detail.update(self._snapshot(event))
            return self._webhook(event, "created", detail, {})
        if kind in (EventKind.CUSTOMER_MESSAGE, EventKind.AGENT_REPLY, EventKind.INTERNAL_NOTE):
            comment = {
                "id": _derived(event.event_id, "comment-"),
                "is_public": kind is not EventKind.INTERNAL_NOTE,
                "body": "...",
                "author": {
                    "id": detail["actor_id"],
                    "is_staff": event.actor is not Actor.CUSTOMER,
                },
            }
            return self._webhook(event, "comment_added", detail, {"comment": comment})
        if kind is EventKind.STATUS_CHANGED and event.status is not None:
            change = {"current": _status(event.status.value), "previous": None}
            return self._webhook(event, "status_changed", detail, change)
        if kind is EventKind.PRIORITY_CHANGED and event.priority is not None:
            change = {"current": event.priority.value.upper(), "previous": None}
            return self._webhook(event, "priority_changed", detail, change)
        if kind is EventKind.ASSIGNED:
            assignee = None if event.assignee is None else _number(event.assignee, "assignee")
            change = {"current": assignee, "previous": None}
            return self._webhook(event, "agent_assignment_changed", detail, change)
        return None

    # ---- pieces ---------------------------------------------------------------------------------

    def _actor_id(self, event: TicketEvent, ticket: str) -> str:
        if event.actor is Actor.SYSTEM:
            return SYSTEM_USER_ID
        if event.actor is Actor.CUSTOMER:
            return self._requesters.get(ticket, self.requester_id)
        return self.agent_id

    def _snapshot(self, event: TicketEvent) -> dict[str, Any]:
        """The ticket as ``ticket.created`` shows it: statuses and priorities in upper case."""
        values: dict[str, Any] = {
            "status": _status(event.status.value if event.status else "new"),
            "priority": event.priority.value.upper() if event.priority else None,
            "subject": event.subject,
            "tags": sorted(event.tags or ()),
            "via": {"channel": event.channel} if event.channel else None,
        }
        for name in ("assignee", "group", "organization"):
            value = getattr(event, name)
            values[f"{name}_id"] = None if value is None else _number(value, name)
        return values

    def _webhook(
        self, event: TicketEvent, name: str, detail: dict[str, Any], change: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "id": _webhook_id(event.event_id),
            "time": _iso(event.at),
            "type": _TYPE + name,
            "subject": f"zen:ticket:{detail['id']}",
            "account_id": self.account_id,
            "zendesk_event_version": "2022-11-06",
            "detail": detail,
            "event": change,
        }

    def _rating(self, event: TicketEvent, ticket: str) -> dict[str, Any]:
        if event.rating not in ("good", "bad"):
            raise EventError(
                f"zendesk: event {event.event_id!r}: rating: Zendesk rates good or bad, not "
                f"{event.rating!r}",
                subject="rating",
            )
        match = _RATING_ID.fullmatch(event.event_id)
        rating_id = match.group(1) if match else _derived(event.event_id, "")
        requester = event.requester or self._requesters.get(ticket, self.requester_id)
        rating: dict[str, Any] = {
            "id": int(rating_id),
            "ticket_id": int(ticket),
            "requester_id": int(_number(requester, "requester")),
            "score": event.rating,
            "created_at": _iso(event.at),
            "updated_at": _iso(event.at),
        }
        if event.assignee is not None:
            rating["assignee_id"] = int(_number(event.assignee, "assignee"))
        return {"satisfaction_rating": rating}


def _number(value: int | str, what: str) -> str:
    text = str(value).strip()
    if isinstance(value, bool) or not _NUMBER.fullmatch(text):
        raise EventError(
            f"zendesk: {what}: Zendesk ids are whole numbers, not {str(value)[:40]!r}",
            subject=what,
        )
    return text


def _derived(event_id: str, prefix: str) -> str:
    """The Zendesk id in ``<prefix><id>``, the event id itself when it is a number, else a
    number derived from it."""
    rest = event_id[len(prefix) :] if prefix and event_id.startswith(prefix) else event_id
    if _NUMBER.fullmatch(rest) and not rest.startswith("-"):
        return rest
    return str(int.from_bytes(hashlib.sha256(event_id.encode()).digest()[:6], "big"))


def _webhook_id(event_id: str) -> str:
    rest = event_id.removeprefix("webhook-")
    if _WEBHOOK_ID.fullmatch(rest):
        return rest
    return hashlib.sha256(event_id.encode()).hexdigest()[:32]


def _status(value: str) -> str:
    return _ZENDESK_STATUS.get(value, value.upper())


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
