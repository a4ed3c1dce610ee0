"""Shared helpers for the Jira adapter tests: the recorded payloads and a parse shortcut."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from ticketsla_jira import JiraAdapter

from ticketsla.events import TicketEvent
from ticketsla.sources import PayloadLimits

FIXTURES = Path(__file__).parent / "fixtures"
WEBHOOKS = (
    "issue_created.json",
    "comment_created_automation.json",
    "comment_created_public.json",
    "issue_updated_commented.json",
    "issue_updated_status.json",
    "comment_created_internal.json",
    "issue_updated_multi.json",
    "comment_created_customer.json",
)


def raw(name: str) -> bytes:
    """The bytes of a recorded payload, as they came over the wire."""
    return (FIXTURES / name).read_bytes()


def load(name: str) -> Any:
    """A fresh decoded copy of a recorded payload (safe to modify)."""
    return copy.deepcopy(json.loads(raw(name)))


def parse(payload: Any, adapter: JiraAdapter | None = None) -> list[TicketEvent]:
    """Parse a fixture name, bytes or decoded JSON with ``adapter`` (default settings)."""
    if isinstance(payload, str) and payload.endswith(".json"):
        payload = raw(payload)
    return (adapter or JiraAdapter()).parse(payload, headers={}, limits=PayloadLimits())


def by_id(events: list[TicketEvent]) -> dict[str, TicketEvent]:
    """Events keyed by event id (ids are unique within one parse)."""
    out = {e.event_id: e for e in events}
    assert len(out) == len(events)
    return out


def sign(body: bytes, secret: str = "whsec-ticketsla-jira-1") -> str:
    """The X-Hub-Signature value Jira sends, computed here with the standard library."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
