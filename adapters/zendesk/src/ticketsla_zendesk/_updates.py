"""Ticket updates: audits (REST) and incremental ticket-event export records, to events.

Both shapes describe the same thing, one update of a ticket made of child events, and use the
same Zendesk ids for those children, so they are read into one form (``Update``) and turned into
``TicketEvent`` values by one function. That is what makes an audit fetched from the REST API and
the same update seen in an export page produce the same event ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ticketsla.errors import PayloadError
from ticketsla.events import TicketEvent

from ._common import SOURCE, Node, People, channel, custom_value, priority, status

COMMENT_TYPES = frozenset({"Comment", "VoiceComment", "FacebookComment"})
RATING_TYPE = "SatisfactionRating"
# Ticket fields the export writes as keys of a Create or Change child event.
EXPORT_FIELDS = (
    "status",
    "priority",
    "assignee_id",
    "group_id",
    "organization_id",
    "requester_id",
    "subject",
    "tags",
    "type",
)
_TEXT_FIELDS = {"group_id": "group", "organization_id": "organization", "requester_id": "requester"}


@dataclass(slots=True)
class Change:
    event_id: str
    name: str
    value: Node
    create: bool
    via: str | None


@dataclass(slots=True)
class Comment:
    event_id: str
    author_id: str | None
    public: bool
    via: str | None
    where: str


@dataclass(slots=True)
class Rating:
    event_id: str
    score: Node


@dataclass(slots=True)
class Update:
    ticket_id: str
    at: datetime
    author_id: str | None
    via: str | None
    where: str
    changes: list[Change] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)

    def requester(self) -> str | None:
        """The requester this update sets, if it sets one."""
        for change in self.changes:
            if change.name == "requester_id" and change.value.value is not None:
                return change.value.ident()
        return None


# ---- reading the two shapes ------------------------------------------------------------------------


def read_audit(node: Node) -> Update:
    """One ticket audit: ``{"id", "ticket_id", "created_at", "author_id", "via", "events"}``."""
    update = Update(
        ticket_id=node.get("ticket_id").ident(),
        at=node.get("created_at").instant(),
        author_id=node.get("author_id").opt_ident(),
        via=channel(node.get("via")),
        where=node.where,
    )
    for child in node.items("events"):
        kind = child.get("type").value
        if not isinstance(kind, str):
            raise child.get("type").fail("an audit event type")
        via = channel(child.get("via")) or update.via
        if kind in ("Create", "Change"):
            name = child.get("field_name")
            if not isinstance(name.value, str | int) or isinstance(name.value, bool):
                raise name.fail("a field name")
            update.changes.append(
                Change(
                    child.get("id").ident(),
                    str(name.value),
                    child.get("value"),
                    kind == "Create",
                    via,
                )
            )
        elif kind in COMMENT_TYPES:
            update.comments.append(
                Comment(
                    event_id=child.get("id").ident(),
                    author_id=child.get("author_id").opt_ident() or update.author_id,
                    public=child.get("public").flag(True),
                    via=via,
                    where=child.where,
                )
            )
        elif kind == RATING_TYPE:
            update.ratings.append(Rating(child.get("id").ident(), child.get("score")))
        # Notifications, CCs, macros, SLA target changes...: not ticket events; skipped.
    return update


def read_export_record(node: Node) -> Update:
    """One incremental ticket-event export record (``event_type`` ``Audit`` with children)."""
    at_node = (
        node.get("created_at")
        if node.get("created_at").value is not None
        else node.get("timestamp")
    )
    update = Update(
        ticket_id=node.get("ticket_id").ident(),
        at=at_node.instant(),
        author_id=node.get("updater_id").opt_ident(),
        via=channel(node.get("via")),
        where=node.where,
    )
    for child in node.items("child_events"):
        kind = child.get("event_type").value
        if kind is None:
            kind = child.get("type").value
        if not isinstance(kind, str):
            raise child.get("event_type").fail("a child event type")
        via = channel(child.get("via")) or update.via
        if kind in ("Create", "Change"):
            event_id = child.get("id").ident()
            names = [name for name in EXPORT_FIELDS if child.has(name)]
            for name in names:
                suffix = "" if len(names) == 1 else f"-{name}"
                update.changes.append(
                    Change(f"{event_id}{suffix}", name, child.get(name), kind == "Create", via)
                )
        elif kind in COMMENT_TYPES:
            if not child.get("comment_present").flag(True):
                continue
            public = child.get("public") if child.has("public") else child.get("comment_public")
            update.comments.append(
                Comment(
                    event_id=child.get("id").ident(),
                    author_id=child.get("author_id").opt_ident() or update.author_id,
                    public=public.flag(True),
                    via=via,
                    where=child.where,
                )
            )
        elif kind == RATING_TYPE:
            update.ratings.append(Rating(child.get("id").ident(), child.get("score")))
    return update


# ---- turning updates into events -------------------------------------------------------------------


def requesters(updates: Iterable[Update]) -> Iterator[tuple[str, str]]:
    """``(ticket id, requester id)`` for each update that sets a requester, oldest first."""
    for update in sorted(updates, key=lambda u: u.at):
        requester = update.requester()
        if requester is not None:
            yield update.ticket_id, requester


def update_events(update: Update, people: People) -> list[TicketEvent]:
    """The ticket events of one update, each with an id derived from Zendesk's ids."""
    events: list[TicketEvent] = []
    base: dict[str, Any] = {"ticket_id": update.ticket_id, "source": SOURCE, "at": update.at}
    creates = [c for c in update.changes if c.create]
    if creates:
        fields: dict[str, Any] = {}
        for change in creates:
            fields.update(_field(change.name, change.value))
        events.append(
            TicketEvent(
                **base,
                event_id=f"created-{update.ticket_id}",
                kind="created",
                actor=_loose_actor(people, update, update.author_id, update.via),
                channel=update.via,
                **fields,
            )
        )
    for change in creates:
        if change.name == "due_at" and change.value.value not in (None, ""):
            actor = _loose_actor(people, update, update.author_id, change.via)
            events.append(_due_event(base, f"event-{change.event_id}", change, actor))
    for change in update.changes:
        if not change.create:
            event = _change_event(
                base, change, _loose_actor(people, update, update.author_id, change.via)
            )
            if event is not None:
                events.append(event)
    for index, comment in enumerate(update.comments):
        if creates and index == 0 and comment.public:
            # The opening comment is the message that created the ticket: ``created`` (with its
            # author as actor) tells it, as the e-mail adapter's first message does. A private
            # opening note stays a note: it is how the fold knows an agent opened the ticket
            # without writing to the requester.
            continue
        events.append(_comment_event(base, update, comment, people))
    for rating in update.ratings:
        score = rating.score.value
        if isinstance(score, str) and score.lower() in ("good", "bad"):
            events.append(
                TicketEvent(
                    **base,
                    event_id=f"event-{rating.event_id}",
                    kind="satisfaction_rated",
                    actor="customer",
                    rating=score.lower(),
                )
            )
        elif score not in ("offered", "unoffered", None):
            raise rating.score.fail("a satisfaction score (good, bad, offered, unoffered)")
    return events


def loose_actor(
    people: People, ticket_id: str, author_id: str | None, via: str | None, where: str
) -> str:
    """The actor of a field change: where the rule cannot tell, the system made it."""
    try:
        return people.actor(ticket_id, author_id, via, where)
    except PayloadError:
        return "system"


def _loose_actor(people: People, update: Update, author_id: str | None, via: str | None) -> str:
    return loose_actor(people, update.ticket_id, author_id, via, update.where)


def _comment_event(
    base: dict[str, Any], update: Update, comment: Comment, people: People
) -> TicketEvent:
    event_id = f"comment-{comment.event_id}"
    if not comment.public:
        actor = _loose_actor(people, update, comment.author_id, comment.via)
        return TicketEvent(**base, event_id=event_id, kind="internal_note", actor=actor)
    actor = people.actor(update.ticket_id, comment.author_id, comment.via, comment.where)
    if actor == "customer":
        return TicketEvent(**base, event_id=event_id, kind="customer_message", actor=actor)
    # A public comment by a person on the team, or an automatic one (a trigger, the system
    # user): automatic comments are kept, marked auto, and fulfil no response target.
    return TicketEvent(
        **base, event_id=event_id, kind="agent_reply", actor=actor, auto=actor == "system"
    )


def _change_event(base: dict[str, Any], change: Change, actor: str) -> TicketEvent | None:
    event_id = f"event-{change.event_id}"
    if change.name == "status":
        return TicketEvent(
            **base,
            event_id=event_id,
            kind="status_changed",
            actor=actor,
            status=status(change.value),
        )
    if change.name == "priority":
        level = priority(change.value)
        if level is None:  # priority removed: nothing a clock can use
            return None
        return TicketEvent(
            **base, event_id=event_id, kind="priority_changed", actor=actor, priority=level
        )
    if change.name == "due_at":
        return _due_event(base, event_id, change, actor)
    if change.name == "assignee_id":
        return TicketEvent(
            **base,
            event_id=event_id,
            kind="assigned",
            actor=actor,
            assignee=change.value.opt_ident(),
        )
    fields = _field(change.name, change.value)
    if not fields:
        return None
    return TicketEvent(**base, event_id=event_id, kind="fields_changed", actor=actor, **fields)


def _due_event(base: dict[str, Any], event_id: str, change: Change, actor: str) -> TicketEvent:
    """A task's due date (``due_at``) pins the resolution clock's due instant; removing it
    unpins it (docs/semantics.md)."""
    if change.value.value in (None, ""):
        return TicketEvent(**base, event_id=event_id, kind="due_cleared", actor=actor)
    due = change.value.instant().isoformat()
    return TicketEvent(**base, event_id=event_id, kind="due_set", actor=actor, due_at=due)


def _field(name: str, value: Node) -> dict[str, Any]:
    """A Zendesk ticket field as ``TicketEvent`` keywords; ``{}`` for fields SLAs ignore."""
    if name == "status":
        return {"status": status(value)}
    if name == "priority":
        level = priority(value)
        return {} if level is None else {"priority": level}
    if name == "assignee_id":
        return {"assignee": value.opt_ident()}
    if name in _TEXT_FIELDS:
        return {_TEXT_FIELDS[name]: value.opt_ident()}
    if name == "subject":
        text = value.value
        return {"subject": text[:1024]} if isinstance(text, str) and text else {}
    if name == "tags":
        return {"tags": value.tags()}
    if name == "type":
        return {"ticket_type": value.opt_text()}
    if name.isdigit():
        custom = custom_value(value.value)
        return {f"field_{name}": custom} if custom is not None or value.value is None else {}
    return {}
