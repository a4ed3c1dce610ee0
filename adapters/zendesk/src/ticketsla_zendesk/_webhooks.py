"""Zendesk event webhooks (``"type": "zen:event-type:ticket.*"``) to ticket events.

A webhook body names the ticket (``detail``, a snapshot of the ticket, with ids as text) and what
changed (``event``: ``current``/``previous`` for a field, ``comment`` for a new comment). Comments
keep Zendesk's comment id, so a comment delivered by webhook and again in an audit is one event;
other changes take the webhook event's own id, which a redelivery repeats.
"""

from __future__ import annotations

import re
from typing import Any

from ticketsla.events import TicketEvent

from ._common import SOURCE, SYSTEM_USER_ID, Node, People, channel, custom_value, priority, status
from ._updates import loose_actor

EVENT_PREFIX = "zen:event-type:"
TICKET_PREFIX = "zen:event-type:ticket."
MESSAGE_ADDED = "zen:event-type:messaging_ticket.message_added"
_WEBHOOK_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
_SUBJECT = re.compile(r"^zen:ticket:(\d{1,20})$")
_DELETIONS = frozenset({"soft_deleted", "permanently_deleted", "marked_as_spam"})
_SIMPLE_FIELDS = {
    "group_assignment_changed": "group",
    "organization_changed": "organization",
    "requester_changed": "requester",
}


def is_webhook(node: Node) -> bool:
    kind = node.mapping().get("type")
    return isinstance(kind, str) and kind.startswith(EVENT_PREFIX)


def webhook_events(node: Node, people: People) -> list[TicketEvent]:
    """The ticket events of one webhook body; events about users, articles... give none."""
    kind = node.get("type").text()
    if not kind.startswith(TICKET_PREFIX) and kind != MESSAGE_ADDED:
        return []
    webhook_id = node.get("id")
    if not isinstance(webhook_id.value, str) or not _WEBHOOK_ID.match(webhook_id.value):
        raise webhook_id.fail("a webhook event id")
    detail = node.get("detail")
    detail.mapping()
    ticket_id = _ticket_id(node, detail)
    at = node.get("time").instant()
    event = node.get("event")
    base: dict[str, Any] = {"ticket_id": ticket_id, "source": SOURCE, "at": at}
    requester = detail.get("requester_id").opt_ident()
    if requester is not None:
        people = people.with_payload((), [(ticket_id, requester)])
    if kind == MESSAGE_ADDED:
        return [_message(base, event)]
    name = kind[len(TICKET_PREFIX) :]
    actor_id = detail.get("actor_id").opt_ident()
    actor = loose_actor(people, ticket_id, actor_id, None, node.where)
    own_id = f"webhook-{webhook_id.value}"
    if name == "created":
        return [_created(base, detail, actor, ticket_id)]
    if name == "comment_added":
        return [_comment(base, event, people, ticket_id)]
    if name == "status_changed":
        return [
            TicketEvent(
                **base,
                event_id=own_id,
                kind="status_changed",
                actor=actor,
                status=status(event.get("current")),
            )
        ]
    if name == "priority_changed":
        level = priority(event.get("current"))
        if level is None:
            return []
        return [
            TicketEvent(
                **base, event_id=own_id, kind="priority_changed", actor=actor, priority=level
            )
        ]
    if name == "agent_assignment_changed":
        return [
            TicketEvent(
                **base,
                event_id=own_id,
                kind="assigned",
                actor=actor,
                assignee=event.get("current").opt_ident(),
            )
        ]
    fields = _changed_fields(name, event, detail)
    if fields is None:
        return []
    return [TicketEvent(**base, event_id=own_id, kind=_kind_of(fields), actor=actor, **fields)]


def _ticket_id(node: Node, detail: Node) -> str:
    if detail.get("id").value is not None:
        return detail.get("id").ident()
    subject = node.get("subject")
    match = _SUBJECT.match(subject.value) if isinstance(subject.value, str) else None
    if match is None:
        raise subject.fail("a ticket subject such as zen:ticket:123")
    return match.group(1)


def _created(base: dict[str, Any], detail: Node, actor: str, ticket_id: str) -> TicketEvent:
    fields: dict[str, Any] = {
        "status": status(detail.get("status")),
        "priority": priority(detail.get("priority")),
        "assignee": detail.get("assignee_id").opt_ident(),
        "group": detail.get("group_id").opt_ident(),
        "organization": detail.get("organization_id").opt_ident(),
        "requester": detail.get("requester_id").opt_ident(),
        "tags": detail.get("tags").tags(),
    }
    subject = detail.get("subject").value
    if isinstance(subject, str) and subject:
        fields["subject"] = subject[:1024]
    ticket_type = detail.get("type").value
    if isinstance(ticket_type, str) and ticket_type:
        fields["ticket_type"] = ticket_type.lower()
    return TicketEvent(
        **base,
        event_id=f"created-{ticket_id}",
        kind="created",
        actor=actor,
        channel=channel(detail.get("via")),
        **{k: v for k, v in fields.items() if v is not None},
    )


def _comment(base: dict[str, Any], event: Node, people: People, ticket_id: str) -> TicketEvent:
    comment = event.get("comment")
    comment_id = comment.get("id").ident()
    author = comment.get("author")
    author_id = author.get("id").opt_ident() if author.value is not None else None
    is_staff = author.get("is_staff").value if author.value is not None else None
    public = comment.get("is_public").flag(True)
    if author_id == SYSTEM_USER_ID:
        actor = "system"
    elif isinstance(is_staff, bool):  # Zendesk says which side the author is on
        actor = "agent" if is_staff else "customer"
    else:
        actor = people.actor(ticket_id, author_id, None, comment.where)
    event_id = f"comment-{comment_id}"
    if not public:
        return TicketEvent(**base, event_id=event_id, kind="internal_note", actor=actor)
    if actor == "customer":
        return TicketEvent(**base, event_id=event_id, kind="customer_message", actor=actor)
    return TicketEvent(
        **base, event_id=event_id, kind="agent_reply", actor=actor, auto=actor == "system"
    )


def _message(base: dict[str, Any], event: Node) -> TicketEvent:
    """A messaging message: the actor's type says who wrote it (``end_user``, ``agent``...)."""
    message = event.get("message")
    message_id = message.get("id")
    if not isinstance(message_id.value, str | int) or not _WEBHOOK_ID.match(str(message_id.value)):
        raise message_id.fail("a message id")
    actor_type = event.get("actor").get("type").value
    event_id = f"message-{message_id.value}"
    if actor_type == "end_user":
        return TicketEvent(**base, event_id=event_id, kind="customer_message", actor="customer")
    if actor_type == "agent":
        return TicketEvent(**base, event_id=event_id, kind="agent_reply", actor="agent")
    if actor_type in ("trigger", "system"):
        return TicketEvent(**base, event_id=event_id, kind="agent_reply", actor="system", auto=True)
    raise (
        event.get("actor")
        .get("type")
        .fail("a message actor type (end_user, agent, trigger, system)")
    )


def _changed_fields(name: str, event: Node, detail: Node) -> dict[str, Any] | None:
    if name in _SIMPLE_FIELDS:
        return {_SIMPLE_FIELDS[name]: event.get("current").opt_ident()}
    if name == "subject_changed":
        current = event.get("current").value
        return {"subject": current[:1024]} if isinstance(current, str) and current else None
    if name == "tags_changed":
        if detail.get("tags").value is None:
            return None
        return {"tags": detail.get("tags").tags()}
    if name == "custom_field_changed":
        custom = event.get("custom_field")
        if custom.value is None:
            return None
        value = custom_value(event.get("current").value)
        return {f"field_{custom.get('id').ident()}": value}
    if name in _DELETIONS:
        return {"status": "closed", "zendesk_deleted": True}
    if name == "undeleted" and detail.get("status").value is not None:
        return {"status": status(detail.get("status")), "zendesk_deleted": False}
    return None


def _kind_of(fields: dict[str, Any]) -> str:
    return "status_changed" if "status" in fields else "fields_changed"
