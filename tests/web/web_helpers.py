"""Shared parts of the service tests: a real uvicorn on a loopback port, signed deliveries for
each adapter, and a policy."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from ticketsla import SLAPolicy
from ticketsla.web.standard_webhooks import signed_headers

ADAPTERS = Path(__file__).resolve().parents[2] / "adapters"
ZENDESK_SECRET = "zendesk-signing-secret"
JIRA_SECRET = "jira-signing-secret"
EMAIL_SECRET = "whsec_" + base64.b64encode(b"email-relay-key-32-bytes-long!!!").decode()
SECRETS = {"zendesk": ZENDESK_SECRET, "jira": JIRA_SECRET, "email": EMAIL_SECRET}


def policy() -> SLAPolicy:
    return SLAPolicy.from_mapping(
        {
            "name": "standard",
            "calendar": "24x7",
            "targets": {
                "first_response": {"urgent": "1h", "high": "1h", "normal": "4h", "low": "8h"},
                "resolution": {"urgent": "8h", "high": "8h", "normal": "24h", "low": "48h"},
            },
            "warnings": {"at": ["75%"]},
        }
    )


# ---- signed deliveries, one maker per adapter ------------------------------------------------


def zendesk_body(ticket: str = "4711", event: str = "01JNPB3F2X6W1K7Y8Z9A0B1C2D") -> bytes:
    path = ADAPTERS / "zendesk" / "tests" / "fixtures" / "webhook_ticket_created.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    data["id"] = event
    data["detail"]["id"] = ticket
    data["subject"] = f"zen:ticket:{ticket}"
    return json.dumps(data).encode()


def zendesk_headers(body: bytes, *, at: datetime | None = None) -> dict[str, str]:
    """X-Zendesk-Webhook-Signature: base64 HMAC-SHA256 of the timestamp text then the body."""
    stamp = (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = hmac.new(ZENDESK_SECRET.encode(), stamp.encode() + body, hashlib.sha256).digest()
    return {
        "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        "content-type": "application/json",
    }


def jira_body(*, at: datetime | None = None) -> bytes:
    """issue_created, signed at ``at`` (Jira's freshness is the body's own timestamp)."""
    path = ADAPTERS / "jira" / "tests" / "fixtures" / "issue_created.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    data["timestamp"] = int((at or datetime.now(UTC)).timestamp() * 1000)
    return json.dumps(data).encode()


def jira_headers(body: bytes) -> dict[str, str]:
    """X-Hub-Signature: sha256= and the hex HMAC-SHA256 of the raw body."""
    digest = hmac.new(JIRA_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature": f"sha256={digest}", "content-type": "application/json"}


def email_body() -> bytes:
    return (ADAPTERS / "email" / "tests" / "fixtures" / "customer_new.eml").read_bytes()


def email_headers(body: bytes, *, at: datetime | None = None) -> dict[str, str]:
    """Standard Webhooks headers, as a mail relay signs a message it forwards."""
    stamp = int((at or datetime.now(UTC)).timestamp())
    return {
        **signed_headers(EMAIL_SECRET, "msg_relay_1", stamp, body),
        "content-type": "message/rfc822",
    }


# ---- a real server -------------------------------------------------------------------------


class LiveServer:
    """uvicorn serving ``app`` on a loopback port in a thread; ``url`` is its base URL."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            app, log_level="warning", lifespan="on", timeout_graceful_shutdown=10
        )
        self.server = uvicorn.Server(config)
        # one client per server: making an httpx client loads certificates, a tenth of a second
        self.client = httpx.Client(base_url=self.url, timeout=30)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        self.sock.close()
        self.client.close()


@contextmanager
def serving(app: Any) -> Iterator[LiveServer]:
    live = LiveServer(app)
    live.start()
    try:
        yield live
    finally:
        live.stop()
