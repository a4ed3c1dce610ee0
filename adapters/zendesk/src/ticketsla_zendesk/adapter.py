"""The Zendesk source adapter: recognises each documented payload shape and reads it.

Shapes recognised by themselves, one object or a page of them:

============================== ==================================================================
ticket audits                  ``{"audits": [...]}`` (a page, with ``users``/``tickets``
                               sideloads), ``{"audit": {...}}`` (also with ``"ticket"``), or a
                               bare audit object
incremental ticket-event export ``{"ticket_events": [...], "end_of_stream": ...}`` or one record
event webhooks                 ``{"type": "zen:event-type:ticket.*", "detail": ..., "event": ...}``
                               and ``messaging_ticket.message_added``
satisfaction ratings           ``{"satisfaction_ratings": [...]}``, ``{"satisfaction_rating": ...}``
ticket metric events           ``{"ticket_metric_events": [...]}`` or one event: recognised, and
                               never turned into ticket events (see ``metrics``)
============================== ==================================================================

A JSON array of bare objects of these kinds is read item by item.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from ticketsla.durations import format_duration, parse_duration
from ticketsla.errors import ConfigurationError, EventError, PayloadError, SignatureError
from ticketsla.events import TicketEvent, order_events
from ticketsla.signing import (
    DEFAULT_MAX_AGE,
    DEFAULT_MAX_FUTURE,
    check_freshness,
    decode_base64_signature,
    digests_match,
    hmac_sha256,
    parse_signature_timestamp,
)
from ticketsla.sources import Payload, PayloadLimits, decode_json

from ._common import SOURCE, Node, People
from ._ratings import is_rating, rating_events
from ._updates import Update, read_audit, read_export_record, requesters, update_events
from ._webhooks import is_webhook, webhook_events
from .metrics import ZendeskMetricEvent, is_metric_event, metric_events

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "ZendeskAdapter", "recognise"]

SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"

AGENT_IDS_ENV = "TICKETSLA_ZENDESK_AGENT_IDS"
CUSTOMER_IDS_ENV = "TICKETSLA_ZENDESK_CUSTOMER_IDS"
REPLAY_WINDOW_ENV = "TICKETSLA_ZENDESK_REPLAY_WINDOW"

EXPECTED = (
    "a ticket audit ({'audit': ...}, {'audits': [...]} or an audit object), an incremental "
    "ticket-event export page ({'ticket_events': [...]}), a satisfaction rating "
    "({'satisfaction_rating': ...} or {'satisfaction_ratings': [...]}), ticket metric events "
    "({'ticket_metric_events': [...]}) or a Zendesk event webhook "
    "({'type': 'zen:event-type:ticket...'})"
)

_PAGES = {
    "audits": "audit",
    "ticket_events": "export",
    "satisfaction_ratings": "rating",
    "ticket_metric_events": "metric",
}
_SINGLES = {"audit": "audit", "satisfaction_rating": "rating"}


def recognise(root: Node) -> tuple[str, list[tuple[str, Node]]]:
    """Which documented shape ``root`` is: ``(shape, [(item kind, item), ...])``.

    Item kinds are ``audit``, ``export``, ``rating``, ``metric`` and ``webhook``; the shape is
    ``metric_events`` when every item is a metric event. Anything else is a ``PayloadError``
    saying what was expected.
    """
    value = root.value
    items: list[tuple[str, Node]]
    if isinstance(value, Mapping):
        items = _mapping_items(root)
    elif isinstance(value, list):
        items = [(_bare_kind(node, strict=True), node) for node in root_items(root)]
    else:
        got = "null" if value is None else type(value).__name__
        raise PayloadError(f"{SOURCE}: expected {EXPECTED}; got a JSON {got}", subject=SOURCE)
    shape = "metric_events" if items and all(k == "metric" for k, _ in items) else "events"
    return shape, items


def root_items(root: Node) -> list[Node]:
    return [Node(v, f"[{i}]") for i, v in enumerate(root.value)]


def _mapping_items(root: Node) -> list[tuple[str, Node]]:
    value = root.mapping()
    for key, kind in _PAGES.items():
        if key in value:
            nodes = root.items(key)
            if kind == "export":
                return [(_export_kind(node), node) for node in nodes]
            return [(_checked(kind, node), node) for node in nodes]
    for key, kind in _SINGLES.items():
        if isinstance(value.get(key), Mapping):
            return [(_checked(kind, root.get(key)), root.get(key))]
    kind = _bare_kind(root, strict=False)
    if kind:
        return [(kind, root)]
    keys = ", ".join(repr(str(k)[:40]) for k in list(value)[:12]) or "none"
    raise PayloadError(
        f"{SOURCE}: unknown payload shape: expected {EXPECTED}; got an object with keys {keys}",
        subject=SOURCE,
    )


def _bare_kind(node: Node, *, strict: bool) -> str:
    value = node.value
    if isinstance(value, Mapping):
        if "events" in value and "ticket_id" in value:
            return "audit"
        if "child_events" in value and "ticket_id" in value:
            return "export"
        if is_webhook(node):
            return "webhook"
        if is_metric_event(node) and "ticket_id" in value:
            return "metric"
        if is_rating(node):
            return "rating"
    if strict:
        raise node.fail(f"one of: {EXPECTED}")
    return ""


def _export_kind(node: Node) -> str:
    """Export pages hold update records; metric-event records may appear among them."""
    value = node.value
    if isinstance(value, Mapping):
        if "child_events" in value:
            return "export"
        if "metric" in value and "instance_id" in value:
            return "metric"
    raise node.fail("an incremental export record with child_events")


def _checked(kind: str, node: Node) -> str:
    node.mapping()
    if kind == "audit" and not node.has("events"):
        raise node.get("events").fail("the audit's events array")
    if kind == "metric" and not is_metric_event(node):
        raise node.fail("a ticket metric event with metric, instance_id and type")
    if kind == "rating" and not node.has("score"):
        raise node.get("score").fail("a satisfaction score")
    return kind


def _sideloads(root: Node) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """User roles and ticket requesters sideloaded with a page (``include=users,tickets``)."""
    roles: list[tuple[str, str]] = []
    found: list[tuple[str, str]] = []
    if not isinstance(root.value, Mapping):
        return roles, found
    for user in root.items("users"):
        role = user.get("role").value
        if isinstance(role, str):
            roles.append((user.get("id").ident(), role))
    tickets = root.items("tickets")
    if isinstance(root.value.get("ticket"), Mapping):
        tickets.append(root.get("ticket"))
    for ticket in tickets:
        requester = ticket.get("requester_id").opt_ident()
        if requester is not None:
            found.append((ticket.get("id").ident(), requester))
    return roles, found


class ZendeskAdapter:
    """Zendesk Support payloads to ticket events, and webhook signature checks.

    ``agent_ids`` and ``customer_ids`` are Zendesk user ids, for payloads that do not say who
    is on which side (see ``People`` for the whole rule). ``max_age`` and ``max_future`` bound
    the signature timestamp around ``now``.
    """

    name = SOURCE
    description = (
        "Zendesk Support: ticket audits, incremental ticket-event exports, event webhooks and "
        "satisfaction ratings; X-Zendesk-Webhook-Signature checks"
    )

    def __init__(
        self,
        *,
        agent_ids: Iterable[int | str] = (),
        customer_ids: Iterable[int | str] = (),
        max_age: timedelta | str = DEFAULT_MAX_AGE,
        max_future: timedelta | str = DEFAULT_MAX_FUTURE,
    ) -> None:
        max_age = parse_duration(max_age, field="max_age")
        max_future = parse_duration(max_future, field="max_future")
        self.people = People(
            agent_ids=frozenset(_user_id(v, "agent_ids") for v in agent_ids),
            customer_ids=frozenset(_user_id(v, "customer_ids") for v in customer_ids),
        )
        if max_age <= timedelta(0) or max_future < timedelta(0):
            raise ConfigurationError(
                f"{SOURCE}: the replay window must be positive (max_age="
                f"{format_duration(max_age)}, max_future={format_duration(max_future)})",
                subject="max_age",
            )
        self.max_age = max_age
        self.max_future = max_future

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ZendeskAdapter:
        """An adapter configured by ``TICKETSLA_ZENDESK_AGENT_IDS``, ``..._CUSTOMER_IDS``
        (comma-separated user ids) and ``..._REPLAY_WINDOW`` (a duration such as ``"5m"``)."""
        env = os.environ if environ is None else environ
        window = env.get(REPLAY_WINDOW_ENV, "").strip()
        return cls(
            agent_ids=_id_list(env.get(AGENT_IDS_ENV, ""), AGENT_IDS_ENV),
            customer_ids=_id_list(env.get(CUSTOMER_IDS_ENV, ""), CUSTOMER_IDS_ENV),
            max_age=parse_duration(window, field=REPLAY_WINDOW_ENV) if window else DEFAULT_MAX_AGE,
        )

    def __repr__(self) -> str:
        return (
            f"ZendeskAdapter(agent_ids={len(self.people.agent_ids)} ids, "
            f"customer_ids={len(self.people.customer_ids)} ids, max_age={self.max_age})"
        )

    # ---- SourceAdapter ----------------------------------------------------------------------------

    def parse(
        self,
        payload: Payload,
        *,
        headers: Mapping[str, str] | None = None,
        limits: PayloadLimits | None = None,
    ) -> list[TicketEvent]:
        """The ticket events in one payload, in history order, duplicates dropped."""
        root = Node(decode_json(payload, source=SOURCE, limits=limits), "")
        _, items = recognise(root)
        roles, sideloaded = _sideloads(root)
        updates: list[Update] = []
        events: list[TicketEvent] = []
        try:
            for kind, node in items:
                if kind == "audit":
                    updates.append(read_audit(node))
                elif kind == "export":
                    updates.append(read_export_record(node))
            people = self.people.with_payload(roles, [*sideloaded, *requesters(updates)])
            for update in updates:
                events.extend(update_events(update, people))
            for kind, node in items:
                if kind == "webhook":
                    events.extend(webhook_events(node, people))
                elif kind == "rating":
                    events.extend(rating_events(node))
        except EventError as exc:
            raise PayloadError(f"{SOURCE}: {exc.message}", subject=SOURCE) from None
        return order_events(events)

    def verify_signature(
        self, body: bytes, headers: Mapping[str, str], secret: str | bytes, *, now: datetime
    ) -> None:
        """Check ``X-Zendesk-Webhook-Signature``: base64 HMAC-SHA256 of the timestamp header's
        text followed by the raw body, with the timestamp inside the replay window."""
        signature = _header(headers, SIGNATURE_HEADER)
        stamp = _header(headers, TIMESTAMP_HEADER)
        signed_at = parse_signature_timestamp(stamp, source=SOURCE, header=TIMESTAMP_HEADER)
        check_freshness(
            signed_at, now, source=SOURCE, max_age=self.max_age, max_future=self.max_future
        )
        given = decode_base64_signature(signature, source=SOURCE, header=SIGNATURE_HEADER)
        expected = hmac_sha256(secret, stamp.encode("utf-8"), bytes(body))
        if not digests_match(expected, given):
            raise SignatureError(
                f"{SOURCE}: {SIGNATURE_HEADER} does not match the body and timestamp",
                subject=SIGNATURE_HEADER,
            )

    # ---- Zendesk's own verdicts --------------------------------------------------------------------

    def metric_events(
        self, payload: Payload, *, limits: PayloadLimits | None = None
    ) -> list[ZendeskMetricEvent]:
        """The ticket metric events in ``payload`` (see ``ticketsla_zendesk.metrics``)."""
        return metric_events(payload, limits=limits)


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    if not isinstance(value, str) or not value.strip():
        raise SignatureError(f"{SOURCE}: header {name} is missing", subject=name)
    return value.strip()


def _user_id(value: Any, what: str) -> str:
    text = str(value).strip()
    if isinstance(value, bool) or not text.lstrip("-").isdigit() or len(text) > 20:
        raise ConfigurationError(
            f"{SOURCE}: {what}: {str(value)[:40]!r} is not a Zendesk user id", subject=what
        )
    return text


def _id_list(text: str, what: str) -> list[str]:
    return [_user_id(part, what) for part in text.split(",") if part.strip()]
