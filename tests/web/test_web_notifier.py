"""The outbound notifier against a real HTTP receiver: Standard Webhooks signatures, retries
through the outbox with backoff, each notification accepted once; the Slack message form."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytest.importorskip("httpx", reason="the serve extra is not installed: pip install '.[serve]'")

from web_helpers import policy

from ticketsla import SLAEngine, TicketEvent
from ticketsla.errors import ConfigurationError, SignatureError
from ticketsla.notifications import Notification
from ticketsla.signing import Headers
from ticketsla.web import WebhookNotifier
from ticketsla.web import standard_webhooks as sw
from ticketsla.web.notifier import message_id, slack_text

KEY = b"outbound-key-for-the-tests-0001!"
SECRET = "whsec_" + base64.b64encode(KEY).decode()
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Receiver:
    """An HTTP endpoint that answers 500 to the first two tries of each message, then 200."""

    def __init__(self, now: list[datetime]) -> None:
        self.tries: Counter[str] = Counter()
        self.accepted: list[dict[str, object]] = []
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                headers = Headers(list(self.headers.items()))
                try:
                    sw.verify(body, headers, SECRET, now=now[0], source="receiver")
                except SignatureError:
                    receiver.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                ident = headers["webhook-id"]
                receiver.tries[ident] += 1
                status = 500 if receiver.tries[ident] <= 2 else 200
                if status == 200:
                    receiver.accepted.append({"id": ident, **json.loads(body)})
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                del format, args

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sla"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def now() -> list[datetime]:
    return [T0]


@pytest.fixture
def receiver(now: list[datetime]) -> Iterator[Receiver]:
    with Receiver(now) as running:
        yield running


def test_fails_twice_then_succeeds_delivers_each_notification_once(
    sqlite_url: str, receiver: Receiver, now: list[datetime]
) -> None:
    """A warning and a breach: each is refused twice, retried after its backoff through the
    outbox, then accepted, once, with a valid signature, and never sent again."""
    notifier = WebhookNotifier([receiver.url], secret=SECRET, now=lambda: now[0])
    with SLAEngine(sqlite_url, policies=policy(), now=lambda: now[0], plugins=[notifier]) as e:
        e.ingest(
            [TicketEvent(ticket_id="T1", event_id="c1", at=T0, kind="created", priority="high")]
        )
        now[0] = T0 + timedelta(hours=2)
        assert e.scan().warnings == 1
        for _ in range(12):
            e.drain()
            if e.pending() == 0:
                break
            retry_at = e.next_work_at()
            assert retry_at is not None
            assert retry_at > now[0]  # waiting out its backoff
            now[0] = retry_at
        assert e.pending() == 0
        now[0] += timedelta(hours=1)
        assert e.drain().delivered == 0
    notifier.close()
    assert receiver.bad_signatures == 0
    assert sorted(receiver.tries.values()) == [3, 3]
    kinds = sorted(str(a["kind"]) for a in receiver.accepted)
    assert kinds == ["breach", "warning"]
    assert len({a["id"] for a in receiver.accepted}) == 2
    breach = next(a for a in receiver.accepted if a["kind"] == "breach")
    assert breach["type"] == "sla.breach"
    assert breach["ticket_id"] == "T1"
    assert breach["hook"] == "ticketsla_sla_breached"


def notification() -> Notification:
    return Notification(
        ticket_id="4711",
        metric="first_response",
        cycle=1,
        kind="breach",
        level="breach",
        at=T0,
        due_at=T0,
        policy="gold",
    )


def test_signature_is_the_documented_hmac_and_verifies() -> None:
    """v1, base64 HMAC-SHA256 of id.timestamp.body under the decoded secret; tampering, another
    secret and an old timestamp are refused."""
    body = b'{"a":1}'
    headers = sw.signed_headers(SECRET, "msg_1", 1772442000, body)
    digest = hmac.new(KEY, b"msg_1.1772442000." + body, hashlib.sha256).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(digest).decode()
    at = datetime.fromtimestamp(1772442000 + 10, UTC)
    sw.verify(body, Headers(headers), SECRET, now=at, source="t")
    rotated = {**headers, "webhook-signature": "v1,AAAA " + headers["webhook-signature"]}
    sw.verify(body, Headers(rotated), SECRET, now=at, source="t")
    with pytest.raises(SignatureError, match="does not match"):
        sw.verify(body + b" ", Headers(headers), SECRET, now=at, source="t")
    other = "whsec_" + base64.b64encode(b"another key").decode()
    with pytest.raises(SignatureError, match="does not match"):
        sw.verify(body, Headers(headers), other, now=at, source="t")
    with pytest.raises(SignatureError, match="stale"):
        sw.verify(body, Headers(headers), SECRET, now=at + timedelta(hours=1), source="t")
    with pytest.raises(ConfigurationError, match="whsec_"):
        sw.decode_secret("no-prefix")


def test_message_id_is_stable_and_slack_form_reads_as_one_line() -> None:
    """The same notification always gets the same webhook-id; the Slack body is {"text": ...}."""
    assert message_id(notification()) == message_id(notification())
    assert message_id(notification()).startswith("msg_")
    text = slack_text(notification())
    assert "first_response breached on ticket 4711" in text
    assert "due 2026-03-02 09:00 UTC" in text
    slack = WebhookNotifier(["https://hooks.slack.example/T/B/x"], format="slack")
    assert json.loads(slack.body("ticketsla_sla_breached", notification())) == {"text": text}
    slack.close()
    with pytest.raises(ConfigurationError, match="not an http"):
        WebhookNotifier(["ftp://x"])
