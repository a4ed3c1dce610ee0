"""Jira payloads to ticket events: webhook bodies, changelog pages, issues and search pages.

Event ids come from Jira's own ids, so a webhook delivered twice, and a change seen both in a
webhook and in a REST backfill, give the same id and are stored once:

- ``issue:<issue id>:created`` for the created event;
- ``changelog:<history id>:<field>`` for a status, priority, assignee, labels or satisfaction
  change (the history id is the same in the webhook's ``changelog.id`` and in the REST
  changelog's ``values[].id``); a field changed twice in one history gets ``:2``, ``:3``...;
- ``comment:<comment id>`` for a comment.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ticketsla.errors import EventError, PayloadError
from ticketsla.events import Actor, EventKind, TicketEvent

from ._json import array, clean_text, ident, instant, obj, opt_obj, opt_text
from .mapping import normalize_name
from .people import user_ids, user_label

if TYPE_CHECKING:
    from .adapter import JiraAdapter

_CHANGELOG_URL = re.compile(r"/issue/([^/?#]+)/changelog")
_COMMENT_URL = re.compile(r"/issue/([^/?#]+)/comment/[^/?#]+")
_ISSUE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*-\d+$")
_RATING = re.compile(r"-?\d+")
_PUBLIC_PROPERTY = "sd.public.comment"


@dataclass(frozen=True, slots=True)
class _Issue:
    """What the events of one issue share."""

    ticket: str
    issue_id: str | None
    fields: Mapping[str, Any]
    reporter: frozenset[str]
    status_name: str | None
    status_id: str | None
    status_category: str | None


class Converter:
    """Reads the documented Jira shapes for one adapter's configuration."""

    def __init__(self, adapter: JiraAdapter) -> None:
        self.settings = adapter.settings
        self.source = adapter.name

    # ---- shapes --------------------------------------------------------------------------

    def payload(self, data: Any, *, nested: bool = False) -> list[TicketEvent]:
        """Recognise the shape of ``data`` and read it."""
        if isinstance(data, list):
            if nested:
                raise PayloadError(
                    f"{self.source}: a list inside a list is not a Jira payload", subject="payload"
                )
            events: list[TicketEvent] = []
            for item in data:
                events.extend(self.payload(item, nested=True))
            return events
        body = obj(data, "payload", self.source)
        if "webhookEvent" in body:
            return self.webhook(body)
        if "values" in body and ("self" in body or "nextPage" in body):
            return self.changelog_page(body)
        if "issues" in body:
            events = []
            for index, issue in enumerate(array(body.get("issues"), "issues", self.source)):
                events.extend(self.issue(obj(issue, f"issues[{index}]", self.source)))
            return events
        if "key" in body and "fields" in body:
            return self.issue(body)
        if "transition" in body and "issue" in body:
            return self.legacy_transition(body)
        keys = ", ".join(repr(str(k)[:30]) for k in sorted(body, key=str)[:8]) or "none"
        raise PayloadError(
            f"{self.source}: unknown payload shape (top-level keys: {keys}); expected a webhook "
            "body (webhookEvent), an issue changelog page (values and self), an issue (key and "
            "fields), a search page (issues) or a workflow post-function body (transition and "
            "issue)",
            subject="payload",
        )

    def webhook(self, body: Mapping[str, Any]) -> list[TicketEvent]:
        """A webhook body; events that carry nothing for SLA clocks give no events."""
        name = opt_text(body.get("webhookEvent"), "webhookEvent", self.source)
        if name == "jira:issue_created":
            return self._issue_created(body)
        if name == "jira:issue_updated":
            return self._issue_updated(body)
        if name == "comment_created":
            comment = obj(body.get("comment"), "comment", self.source)
            if body.get("issue") is None:  # Jira sends some without the issue
                issue = self._issue_of_comment(comment)
            else:
                issue = self._issue(obj(body.get("issue"), "issue", self.source))
            return [self._comment(issue, comment, self._timestamp(body))]
        return []

    def legacy_transition(self, body: Mapping[str, Any]) -> list[TicketEvent]:
        """A workflow post-function webhook: no ``webhookEvent``, a ``transition`` and the issue.

        It is one status change, to ``transition.to_status``, at the body's ``timestamp`` (else
        the issue's ``fields.updated``); its id is ``transition:<issue id>:<transitionId>:<epoch
        ms>``, so a repeated delivery is stored once.
        """
        issue = self._issue(obj(body.get("issue"), "issue", self.source))
        transition = obj(body.get("transition"), "transition", self.source)
        to_status = opt_text(transition.get("to_status"), "transition.to_status", self.source)
        if to_status is None or not to_status.strip():
            raise PayloadError(
                f"{self.source}: issue {issue.ticket}: a transition without to_status",
                subject="transition.to_status",
            )
        at = self._timestamp(body)
        if at is None and issue.fields.get("updated") is not None:
            at = instant(issue.fields.get("updated"), "issue.fields.updated", self.source)
        if at is None:
            raise PayloadError(
                f"{self.source}: issue {issue.ticket}: a transition with neither timestamp nor "
                "issue.fields.updated",
                subject="timestamp",
            )
        if issue.issue_id is None:
            raise PayloadError(
                f"{self.source}: issue {issue.ticket}: issue.id is missing", subject="id"
            )
        step = ident(transition.get("transitionId", "0"), "transition.transitionId", self.source)
        category = issue.status_category if _same_name(to_status, issue.status_name) else None
        user = opt_obj(body.get("user"), "user", self.source)
        millis = int(at.timestamp() * 1000)
        return [
            self._event(
                ticket_id=issue.ticket,
                event_id=f"transition:{issue.issue_id}:{step}:{millis}",
                at=at,
                kind=EventKind.STATUS_CHANGED,
                actor=self.settings.people.actor(user, issue.reporter),
                status=self.settings.status_for(to_status, category, source=self.source),
            )
        ]

    def changelog_page(self, body: Mapping[str, Any]) -> list[TicketEvent]:
        """A page of ``GET /rest/api/3/issue/{key}/changelog``; the key comes from its URL."""
        url = opt_text(body.get("self"), "self", self.source) or opt_text(
            body.get("nextPage"), "nextPage", self.source
        )
        match = _CHANGELOG_URL.search(url or "")
        if match is None:
            raise PayloadError(
                f"{self.source}: a page of values whose self URL {str(url)[:80]!r} is not an "
                "issue changelog (/rest/api/3/issue/{key}/changelog)",
                subject="self",
            )
        ticket = self._ticket_from_url(unquote(match.group(1)))
        issue = _Issue(ticket, None, {}, frozenset(), None, None, None)
        events: list[TicketEvent] = []
        for index, history in enumerate(array(body.get("values"), "values", self.source)):
            events.extend(self._history(issue, obj(history, f"values[{index}]", self.source)))
        return events

    def issue(self, body: Mapping[str, Any]) -> list[TicketEvent]:
        """An issue from the REST API, with ``expand=changelog`` and its comments if present.

        The created event takes the status and priority the issue had when it was created:
        the ``fromString`` of its first status and priority changes, else the current ones.
        """
        issue = self._issue(body)
        fields = issue.fields
        if fields.get("created") is None:
            raise PayloadError(
                f"{self.source}: issue {issue.ticket}: fields.created is missing; request the "
                "issue with its created, status, priority, reporter and comment fields",
                subject="created",
            )
        changelog = opt_obj(body.get("changelog"), "changelog", self.source) or {}
        histories = [
            obj(h, f"changelog.histories[{i}]", self.source)
            for i, h in enumerate(array(changelog.get("histories"), "histories", self.source))
        ]
        histories.sort(key=self._history_order)
        status_name, status_category = issue.status_name, issue.status_category
        first_status = self._first_change(histories, "status")
        if first_status is not None:
            status_name = opt_text(first_status.get("fromString"), "fromString", self.source)
            if not _same_name(status_name, issue.status_name):
                status_category = None
        priority_name = self._name_of(fields.get("priority"), "priority")
        first_priority = self._first_change(histories, "priority")
        if first_priority is not None:
            priority_name = opt_text(first_priority.get("fromString"), "fromString", self.source)
        creator = opt_obj(fields.get("creator"), "creator", self.source) or opt_obj(
            fields.get("reporter"), "reporter", self.source
        )
        at = instant(fields.get("created"), "fields.created", self.source)
        events = [self._created(issue, at, creator, status_name, status_category, priority_name)]
        comments = opt_obj(fields.get("comment"), "fields.comment", self.source) or {}
        for index, comment in enumerate(array(comments.get("comments"), "comments", self.source)):
            events.append(self._comment(issue, obj(comment, f"comments[{index}]", self.source)))
        for history in histories:
            events.extend(self._history(issue, history))
        return events

    # ---- webhook events ------------------------------------------------------------------

    def _issue_created(self, body: Mapping[str, Any]) -> list[TicketEvent]:
        issue = self._issue(obj(body.get("issue"), "issue", self.source))
        fields = issue.fields
        created = fields.get("created")
        at = (
            instant(created, "issue.fields.created", self.source)
            if created is not None
            else self._timestamp(body)
        )
        if at is None:
            raise PayloadError(
                f"{self.source}: issue {issue.ticket}: neither issue.fields.created nor timestamp",
                subject="created",
            )
        creator = (
            opt_obj(body.get("user"), "user", self.source)
            or opt_obj(fields.get("creator"), "creator", self.source)
            or opt_obj(fields.get("reporter"), "reporter", self.source)
        )
        priority = self._name_of(fields.get("priority"), "priority")
        return [
            self._created(issue, at, creator, issue.status_name, issue.status_category, priority)
        ]

    def _issue_updated(self, body: Mapping[str, Any]) -> list[TicketEvent]:
        issue = self._issue(obj(body.get("issue"), "issue", self.source))
        at = self._timestamp(body)
        events: list[TicketEvent] = []
        changelog = opt_obj(body.get("changelog"), "changelog", self.source)
        if changelog is not None and changelog.get("items"):
            if at is None:
                raise PayloadError(
                    f"{self.source}: issue {issue.ticket}: a changelog without a timestamp",
                    subject="timestamp",
                )
            history_id = ident(changelog.get("id"), "changelog.id", self.source)
            user = opt_obj(body.get("user"), "user", self.source)
            items = array(changelog.get("items"), "changelog.items", self.source)
            events.extend(self._items(issue, history_id, items, at, user))
        comment = opt_obj(body.get("comment"), "comment", self.source)
        if comment is not None:
            events.append(self._comment(issue, comment, at))
        return events

    def _timestamp(self, body: Mapping[str, Any]) -> datetime | None:
        value = body.get("timestamp")
        return None if value is None else instant(value, "timestamp", self.source)

    # ---- pieces --------------------------------------------------------------------------

    def _issue(self, body: Mapping[str, Any]) -> _Issue:
        issue_id = body.get("id")
        key = body.get("key")
        issue_id_text = None if issue_id is None else ident(issue_id, "issue.id", self.source)
        if self.settings.ticket_id == "key":
            ticket = ident(key, "issue.key", self.source)
        else:
            ticket = ident(issue_id, "issue.id", self.source)
        fields = opt_obj(body.get("fields"), "issue.fields", self.source) or {}
        reporter = opt_obj(fields.get("reporter"), "reporter", self.source)
        status = opt_obj(fields.get("status"), "status", self.source) or {}
        category = opt_obj(status.get("statusCategory"), "statusCategory", self.source) or {}
        return _Issue(
            ticket=ticket,
            issue_id=issue_id_text,
            fields=fields,
            reporter=user_ids(reporter),
            status_name=opt_text(status.get("name"), "status.name", self.source),
            status_id=opt_text(status.get("id"), "status.id", self.source),
            status_category=opt_text(category.get("key"), "statusCategory.key", self.source),
        )

    def _issue_of_comment(self, comment: Mapping[str, Any]) -> _Issue:
        """The issue a comment belongs to, read from its ``self`` URL (``/issue/10042/comment/1``)."""
        url = opt_text(comment.get("self"), "comment.self", self.source) or ""
        match = _COMMENT_URL.search(url)
        if match is None:
            raise PayloadError(
                f"{self.source}: comment_created without an issue, and the comment's self URL "
                f"{url[:80]!r} does not name one (/rest/api/2/issue/ID/comment/ID)",
                subject="issue",
            )
        segment = unquote(match.group(1))
        if self.settings.ticket_id == "key" and not _ISSUE_KEY.match(segment):
            raise PayloadError(
                f"{self.source}: comment_created without an issue: its self URL names issue id "
                f"{segment[:40]!r}, but tickets are named by issue key; configure ticket_id = "
                "'id' to map such comments",
                subject="issue",
            )
        ticket = ident(segment, "issue in comment.self", self.source)
        issue_id = segment if segment.isdigit() else None
        return _Issue(ticket, issue_id, {}, frozenset(), None, None, None)

    def _ticket_from_url(self, segment: str) -> str:
        is_key = bool(_ISSUE_KEY.match(segment))
        if self.settings.ticket_id == "key" and not is_key:
            raise PayloadError(
                f"{self.source}: changelog page of issue {segment[:40]!r}: tickets are named by "
                "issue key, so fetch the changelog by key (/rest/api/3/issue/KEY-1/changelog) "
                "or configure ticket_id = 'id'",
                subject="self",
            )
        if self.settings.ticket_id == "id" and not segment.isdigit():
            raise PayloadError(
                f"{self.source}: changelog page of issue {segment[:40]!r}: tickets are named by "
                "issue id, so fetch the changelog by id (/rest/api/3/issue/10001/changelog)",
                subject="self",
            )
        return ident(segment, "issue in self URL", self.source)

    def _name_of(self, value: Any, what: str) -> str | None:
        found = opt_obj(value, what, self.source)
        return None if found is None else opt_text(found.get("name"), f"{what}.name", self.source)

    def _created(
        self,
        issue: _Issue,
        at: datetime,
        creator: Mapping[str, Any] | None,
        status_name: str | None,
        status_category: str | None,
        priority_name: str | None,
    ) -> TicketEvent:
        if issue.issue_id is None:
            raise PayloadError(
                f"{self.source}: issue {issue.ticket}: issue.id is missing", subject="id"
            )
        fields = issue.fields
        status = (
            self.settings.status_for(status_name, status_category, source=self.source)
            if status_name is not None or status_category is not None
            else None
        )
        priority = (
            None
            if priority_name is None
            else self.settings.priority_for(priority_name, source=self.source)
        )
        extra: dict[str, Any] = {}
        project = opt_obj(fields.get("project"), "project", self.source)
        if project is not None and isinstance(project.get("key"), str):
            extra["project"] = project["key"]
        issue_type = self._name_of(fields.get("issuetype"), "issuetype")
        if issue_type is not None:
            extra["issue_type"] = issue_type
        labels = fields.get("labels")
        return self._event(
            ticket_id=issue.ticket,
            event_id=f"issue:{issue.issue_id}:created",
            at=at,
            kind=EventKind.CREATED,
            actor=self.settings.people.actor(creator, issue.reporter),
            status=status,
            priority=priority,
            tags=None if labels is None else self._labels(labels),
            channel="jira",
            assignee=user_label(opt_obj(fields.get("assignee"), "assignee", self.source)),
            requester=user_label(opt_obj(fields.get("reporter"), "reporter", self.source)),
            subject=clean_text(opt_text(fields.get("summary"), "summary", self.source)),
            **extra,
        )

    def _comment(
        self, issue: _Issue, comment: Mapping[str, Any], fallback: datetime | None = None
    ) -> TicketEvent:
        comment_id = ident(comment.get("id"), "comment.id", self.source)
        created = comment.get("created")
        at = instant(created, "comment.created", self.source) if created is not None else fallback
        if at is None:
            raise PayloadError(
                f"{self.source}: comment {comment_id}: no created time", subject="created"
            )
        author = opt_obj(comment.get("author"), "comment.author", self.source)
        actor = self.settings.people.actor(author, issue.reporter)
        if self._is_internal(comment):
            kind = EventKind.INTERNAL_NOTE
        elif actor is Actor.CUSTOMER:
            kind = EventKind.CUSTOMER_MESSAGE
        else:
            kind = EventKind.AGENT_REPLY
        return self._event(
            ticket_id=issue.ticket,
            event_id=f"comment:{comment_id}",
            at=at,
            kind=kind,
            actor=actor,
            auto=actor is Actor.SYSTEM,
        )

    def _is_internal(self, comment: Mapping[str, Any]) -> bool:
        """Internal in Jira Service Management, or restricted to a group or role."""
        if comment.get("jsdPublic") is False:
            return True
        visibility = comment.get("visibility")
        if isinstance(visibility, Mapping) and visibility:
            return True
        for index, prop in enumerate(array(comment.get("properties"), "properties", self.source)):
            entry = obj(prop, f"properties[{index}]", self.source)
            if entry.get("key") != _PUBLIC_PROPERTY:
                continue
            value = entry.get("value")
            if isinstance(value, Mapping) and value.get("internal") in (True, "true"):
                return True
        return False

    def _history(self, issue: _Issue, history: Mapping[str, Any]) -> list[TicketEvent]:
        history_id = ident(history.get("id"), "history id", self.source)
        at = instant(history.get("created"), f"history {history_id}: created", self.source)
        author = opt_obj(history.get("author"), "author", self.source)
        items = array(history.get("items"), "items", self.source)
        return self._items(issue, history_id, items, at, author)

    def _items(
        self,
        issue: _Issue,
        history_id: str,
        items: Iterable[Any],
        at: datetime,
        user: Mapping[str, Any] | None,
    ) -> list[TicketEvent]:
        actor = self.settings.people.actor(user, issue.reporter)
        seen: Counter[str] = Counter()
        events: list[TicketEvent] = []
        for index, raw in enumerate(items):
            item = obj(raw, f"changelog {history_id} item {index}", self.source)
            label = self._field_label(item)
            if label is None:
                continue
            seen[label] += 1
            suffix = "" if seen[label] == 1 else f":{seen[label]}"
            base = {
                "ticket_id": issue.ticket,
                "event_id": f"changelog:{history_id}:{label}{suffix}",
                "at": at,
                "seq": index + 1,
            }
            event = self._item_event(issue, history_id, label, item, base, actor)
            if event is not None:
                events.append(event)
        return events

    def _item_event(
        self,
        issue: _Issue,
        history_id: str,
        label: str,
        item: Mapping[str, Any],
        base: dict[str, Any],
        actor: Actor,
    ) -> TicketEvent | None:
        """The event one changelog item of a field we follow stands for (None: it stands for
        none, as a satisfaction item without a rating)."""
        to_text = opt_text(item.get("toString"), "toString", self.source)
        to_id = opt_text(item.get("to"), "to", self.source)
        if label == "status":
            category = (
                issue.status_category
                if _same_name(to_text, issue.status_name)
                or (to_id is not None and to_id == issue.status_id)
                else None
            )
            status = self.settings.status_for(to_text, category, source=self.source)
            return self._event(**base, kind=EventKind.STATUS_CHANGED, actor=actor, status=status)
        if label == "priority":
            if to_text is None:
                raise PayloadError(
                    f"{self.source}: changelog {history_id}: priority change without a name",
                    subject="priority",
                )
            priority = self.settings.priority_for(to_text, source=self.source)
            return self._event(
                **base, kind=EventKind.PRIORITY_CHANGED, actor=actor, priority=priority
            )
        if label == "assignee":
            tmp = opt_text(item.get("tmpToAccountId"), "tmpToAccountId", self.source)
            assignee = to_id or tmp or to_text
            return self._event(**base, kind=EventKind.ASSIGNED, actor=actor, assignee=assignee)
        if label == "labels":
            tags = (to_text or "").split()
            return self._event(**base, kind=EventKind.FIELDS_CHANGED, actor=actor, tags=tags)
        if label == "duedate":
            return self._due(base, actor, to_id or to_text, history_id)
        if label == "satisfaction":
            rating = self._rating(to_id, to_text, history_id)
            if rating is not None:
                return self._event(
                    **base,
                    kind=EventKind.SATISFACTION_RATED,
                    actor=Actor.CUSTOMER,
                    rating=rating,
                    scale=(1, 5),
                )
        return None

    def _due(
        self, base: dict[str, Any], actor: Actor, value: str | None, history_id: str
    ) -> TicketEvent:
        """A due date set or removed: it pins the resolution clock's due instant at the end of
        that day (UTC), or unpins it (docs/semantics.md)."""
        if not value:
            return self._event(**base, kind=EventKind.DUE_CLEARED, actor=actor)
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            raise PayloadError(
                f"{self.source}: changelog {history_id}: due date {value[:40]!r} is not a date",
                subject="duedate",
            ) from None
        end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
        return self._event(**base, kind=EventKind.DUE_SET, actor=actor, due_at=end.isoformat())

    def _field_label(self, item: Mapping[str, Any]) -> str | None:
        names = {
            normalize_name(text)
            for text in (
                opt_text(item.get("field"), "field", self.source),
                opt_text(item.get("fieldId"), "fieldId", self.source),
            )
            if text
        }
        for label in ("status", "priority", "assignee", "labels", "duedate"):
            if label in names:
                return label
        if names.intersection(self.settings.satisfaction_fields):
            return "satisfaction"
        return None

    def _rating(self, to_id: str | None, to_text: str | None, history_id: str) -> int | None:
        for text in (to_id, to_text):
            if text is None or not text.strip():
                continue
            match = _RATING.search(text)
            number = int(match.group()) if match else None
            if number is None or not 1 <= number <= 5:
                raise PayloadError(
                    f"{self.source}: changelog {history_id}: satisfaction {text[:40]!r} is not a "
                    "rating from 1 to 5",
                    subject="satisfaction",
                )
            return number
        return None

    def _first_change(
        self, histories: list[Mapping[str, Any]], label: str
    ) -> Mapping[str, Any] | None:
        for history in histories:
            for index, raw in enumerate(array(history.get("items"), "items", self.source)):
                item = obj(raw, f"item {index}", self.source)
                if self._field_label(item) == label:
                    return item
        return None

    def _history_order(self, history: Mapping[str, Any]) -> tuple[datetime, int, str]:
        history_id = ident(history.get("id"), "history id", self.source)
        at = instant(history.get("created"), f"history {history_id}: created", self.source)
        return (at, len(history_id), history_id)

    def _labels(self, labels: Any) -> list[str]:
        out = []
        for index, label in enumerate(array(labels, "labels", self.source)):
            text = opt_text(label, f"labels[{index}]", self.source)
            if text and text.strip():
                out.append(text.strip())
        return out

    def _event(self, **values: Any) -> TicketEvent:
        try:
            return TicketEvent(source=self.source, **values)
        except EventError as exc:
            raise PayloadError(f"{self.source}: {exc.message}", subject=exc.subject) from None


def _same_name(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and normalize_name(a) == normalize_name(b)
