"""Jira Service Management webhook bodies written from ticket events: test data for integrations.

``JiraPayloads().payload(event)`` is the webhook body Jira sends for ``event``:

======================================= ==========================================================
``created``                             ``jira:issue_created`` (status, priority, reporter as the
                                        requester, summary as the subject, labels as tags)
``customer_message``, ``agent_reply``,  ``comment_created`` (``jsdPublic: false`` for a note; the
``internal_note``                       ``system`` actor writes as an ``app`` account)
``status_changed``, ``priority_changed``, ``jira:issue_updated`` with one changelog item
``assigned``, ``satisfaction_rated``
======================================= ==========================================================

Other kinds give ``None``. Statuses and priorities are written with the names of Jira's default
tables (``open`` is *Waiting for support*, ``urgent`` is *Highest*); a rating is a number from 1
to 5. Times are written to the millisecond, as Jira does.

An event id written the way the adapter names events (``issue:<issue id>:created``,
``comment:<comment id>``, ``changelog:<history id>:<field>``) is taken apart, so the payload
parses back to the same event; any other event id is used as the Jira id itself, and the parsed
event carries the adapter's name for it (``comment:<event id>``...). The builder remembers each
ticket's issue id and reporter from its ``created`` event, as Jira's bodies repeat them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from ticketsla.errors import EventError
from ticketsla.events import Actor, EventKind, Priority, Status, TicketEvent

from .adapter import JiraAdapter

__all__ = ["JIRA_PRIORITY_NAMES", "JIRA_STATUS_NAMES", "JiraPayloads"]

# The names written for each status and priority: entries of the adapter's default tables.
JIRA_STATUS_NAMES: Mapping[Status, tuple[str, str]] = MappingProxyType(
    {
        Status.NEW: ("New", "new"),
        Status.OPEN: ("Waiting for support", "new"),
        Status.PENDING: ("Waiting for customer", "indeterminate"),
        Status.ON_HOLD: ("Waiting for approval", "indeterminate"),
        Status.SOLVED: ("Resolved", "done"),
        Status.CLOSED: ("Closed", "done"),
    }
)
JIRA_PRIORITY_NAMES: Mapping[Priority, str] = MappingProxyType(
    {
        Priority.URGENT: "Highest",
        Priority.HIGH: "High",
        Priority.NORMAL: "Medium",
        Priority.LOW: "Low",
    }
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CREATED_ID = re.compile(r"issue:(.+):created")
_CHANGELOG_ID = re.compile(r"changelog:(.+):[a-z]+")
_CHANGES = {
    EventKind.STATUS_CHANGED: "status",
    EventKind.PRIORITY_CHANGED: "priority",
    EventKind.ASSIGNED: "assignee",
    EventKind.SATISFACTION_RATED: "satisfaction",
}


class JiraPayloads:
    """Writes JSM webhook bodies for ticket events whose ticket ids are issue keys.

    ``agent_account`` is the account id of the agent who writes replies and changes;
    ``app_account`` the automation's; ``reporter`` the customer of an issue whose ``created``
    event was not built here.
    """

    def __init__(
        self,
        *,
        agent_account: str = "712020:agent",
        app_account: str = "557058:automation",
        reporter: str = "qm:customer",
    ) -> None:
        self.agent = {"accountId": agent_account, "accountType": "atlassian"}
        self.app = {"accountId": app_account, "accountType": "app"}
        self.reporter = reporter
        self._issues: dict[str, tuple[str, str]] = {}  # key -> (issue id, reporter)

    def adapter(self) -> JiraAdapter:
        """An adapter that reads these payloads (the default settings)."""
        return JiraAdapter()

    def payload(self, event: TicketEvent) -> dict[str, Any] | None:
        """The webhook body Jira sends for ``event``, or ``None`` for a kind it has none for."""
        if event.kind is EventKind.CREATED:
            return self._created(event)
        issue_id, reporter = self._issues.get(event.ticket_id, (event.ticket_id, self.reporter))
        issue = {"id": issue_id, "key": event.ticket_id, "fields": {}}
        user = self._user(event, reporter)
        millis = _millis(event.at)
        if event.kind in (EventKind.CUSTOMER_MESSAGE, EventKind.AGENT_REPLY):
            comment = self._comment(event, user, public=True)
        elif event.kind is EventKind.INTERNAL_NOTE:
            comment = self._comment(event, user, public=False)
        else:
            field = _CHANGES.get(event.kind)
            item = None if field is None else self._item(event, field)
            if item is None:
                return None
            match = _CHANGELOG_ID.fullmatch(event.event_id)
            changelog = {"id": match.group(1) if match else event.event_id, "items": [item]}
            return {
                "timestamp": millis,
                "webhookEvent": "jira:issue_updated",
                "user": user,
                "issue": issue,
                "changelog": changelog,
            }
        return {
            "timestamp": millis,
            "webhookEvent": "comment_created",
            "comment": comment,
            "issue": issue,
        }

    # ---- pieces ---------------------------------------------------------------------------------

    def _created(self, event: TicketEvent) -> dict[str, Any]:
        match = _CREATED_ID.fullmatch(event.event_id)
        issue_id = match.group(1) if match else event.event_id
        reporter = event.requester or self.reporter
        self._issues[event.ticket_id] = (issue_id, reporter)
        fields: dict[str, Any] = {
            "created": _stamp(event.at),
            "reporter": _customer(reporter),
            "labels": sorted(event.tags or ()),
        }
        if event.subject is not None:
            fields["summary"] = event.subject
        if event.status is not None:
            name, category = JIRA_STATUS_NAMES[event.status]
            fields["status"] = {"name": name, "statusCategory": {"key": category}}
        if event.priority is not None:
            fields["priority"] = {"name": JIRA_PRIORITY_NAMES[event.priority]}
        if event.assignee is not None:
            fields["assignee"] = {"accountId": event.assignee, "accountType": "atlassian"}
        return {
            "timestamp": _millis(event.at),
            "webhookEvent": "jira:issue_created",
            "user": self._user(event, reporter),
            "issue": {"id": issue_id, "key": event.ticket_id, "fields": fields},
        }

    def _user(self, event: TicketEvent, reporter: str) -> dict[str, Any]:
        if event.actor is Actor.CUSTOMER or event.kind is EventKind.SATISFACTION_RATED:
            return _customer(reporter)
        return self.app if event.actor is Actor.SYSTEM else self.agent

    def _comment(
        self, event: TicketEvent, author: dict[str, Any], *, public: bool
    ) -> dict[str, Any]:
        return {
            "id": event.event_id.removeprefix("comment:"),
            "author": author,
            "body": "...",
            "created": _stamp(event.at),
            "jsdPublic": public,
        }

    def _item(self, event: TicketEvent, field: str) -> dict[str, Any] | None:
        text: str | None
        if field == "status":
            text = None if event.status is None else JIRA_STATUS_NAMES[event.status][0]
        elif field == "priority":
            text = None if event.priority is None else JIRA_PRIORITY_NAMES[event.priority]
        elif field == "assignee":
            return {"field": "assignee", "fromString": None, "to": event.assignee}
        else:
            text = _score(event)
        if text is None:
            return None
        return {"field": field, "fromString": None, "toString": text}


def _customer(account: str) -> dict[str, Any]:
    return {"accountId": account, "accountType": "customer"}


def _score(event: TicketEvent) -> str:
    rating = event.rating
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise EventError(
            f"jira: event {event.event_id!r}: rating: Jira's satisfaction is a number from 1 "
            f"to 5, not {rating!r}",
            subject="rating",
        )
    return str(rating)


def _millis(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(milliseconds=1)


def _stamp(at: datetime) -> str:
    """Jira's spelling: milliseconds and an offset without a colon."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"
