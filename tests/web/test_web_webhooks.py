"""POST /webhooks/{source} on a real uvicorn: good, tampered, stale and repeated deliveries for
each adapter; the size limit while streaming; unreadable payloads; a database gone away."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("uvicorn", reason="the serve extra is not installed: pip install '.[serve]'")

import httpx
import sqlalchemy as sa
from web_helpers import (
    SECRETS,
    email_body,
    email_headers,
    jira_body,
    jira_headers,
    policy,
    serving,
    zendesk_body,
    zendesk_headers,
)

from ticketsla import SLAEngine, TicketEvent, migrations
from ticketsla.errors import ConfigurationError, PayloadError, SignatureError
from ticketsla.hookspecs import hookimpl
from ticketsla.signing import Headers, digests_match, secret_bytes
from ticketsla.sources import Payload, PayloadLimits, SourceRegistry
from ticketsla.web import create_app

Delivery = Callable[[datetime | None], tuple[bytes, dict[str, str]]]


def zendesk(at: datetime | None = None) -> tuple[bytes, dict[str, str]]:
    body = zendesk_body()
    return body, zendesk_headers(body, at=at)


def jira(at: datetime | None = None) -> tuple[bytes, dict[str, str]]:
    body = jira_body(at=at)
    return body, jira_headers(body)


def email(at: datetime | None = None) -> tuple[bytes, dict[str, str]]:
    body = email_body()
    return body, email_headers(body, at=at)


DELIVERIES: dict[str, tuple[Delivery, str]] = {
    "zendesk": (zendesk, "4711"),
    "jira": (jira, "HELP-42"),
    "email": (email, "CAF1x7Qm@mail.customer.example"),
}


class RelayAdapter:
    """A source whose payload names its events outright: {"events": [[ticket, event id]...]}."""

    name = "relay"
    description = "test relay"

    def parse(
        self, payload: Payload, *, headers: Mapping[str, str], limits: PayloadLimits
    ) -> list[TicketEvent]:
        try:
            pairs = json.loads(bytes(payload) if not isinstance(payload, str) else payload)
        except ValueError:
            raise PayloadError("relay: not JSON", subject="relay") from None
        at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        return [
            TicketEvent(ticket_id=t, event_id=e, at=at, kind="created", source="relay")
            for t, e in pairs["events"]
        ]

    def verify_signature(
        self, body: bytes, headers: Mapping[str, str], secret: str | bytes, *, now: datetime
    ) -> None:
        if not digests_match(secret_bytes(secret), headers.get("x-relay-token", "").encode()):
            raise SignatureError("relay: wrong token")


class RelayPlugin:
    @hookimpl
    def ticketsla_register_sources(self, registry: SourceRegistry) -> None:
        registry.add(RelayAdapter())


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[SLAEngine]:
    with SLAEngine(sqlite_url, policies=policy(), plugins=[RelayPlugin()]) as made:
        yield made


def post(
    client: httpx.Client, source: str, body: Any, headers: Mapping[str, str]
) -> httpx.Response:
    return client.post(f"/webhooks/{source}", content=body, headers=dict(headers))


@pytest.mark.parametrize("source", sorted(DELIVERIES))
def test_each_adapter_good_tampered_stale_and_repeated(engine: SLAEngine, source: str) -> None:
    """A signed delivery is stored before the 200; the same again is a 200 duplicate; a changed
    byte or an old signature is a 401 and stores nothing."""
    make, ticket = DELIVERIES[source]
    app = create_app(engine, secrets=SECRETS)
    with serving(app) as live:
        stale_body, stale_headers = make(datetime.now(UTC) - timedelta(hours=1))
        stale = post(live.client, source, stale_body, stale_headers)
        assert stale.status_code == 401, stale.text
        assert "stale" in stale.json()["error"] or "old" in stale.json()["error"]

        body, headers = make(None)
        tampered = post(live.client, source, body.replace(b"e", b"E", 1), headers)
        assert tampered.status_code == 401, tampered.text
        assert engine.pending() == 0
        assert live.client.get(f"/tickets/{ticket}").status_code == 404

        good = post(live.client, source, body, headers)
        assert good.status_code == 200, good.text
        assert good.json()["stored"] >= 1
        assert engine.events(ticket)  # stored by the time the answer came

        again = post(live.client, source, body, headers)
        assert again.status_code == 200
        assert again.json()["stored"] == 0
        assert again.json()["duplicates"] == good.json()["stored"]


def test_unknown_and_unconfigured_sources_are_404(engine: SLAEngine) -> None:
    """Only sources given a secret receive webhooks."""
    app = create_app(engine, secrets={"zendesk": "s"})
    with serving(app) as live:
        body, headers = jira()
        assert post(live.client, "jira", body, headers).status_code == 404
        assert post(live.client, "nosuch", b"{}", {}).status_code == 404


def test_bodies_over_the_limit_are_413_declared_or_streamed(engine: SLAEngine) -> None:
    """A declared length over the limit, and a chunked body that grows past it: both 413."""
    app = create_app(engine, secrets=SECRETS, max_body=2000)
    big = b"x" * 5000
    with serving(app) as live:
        declared = post(live.client, "zendesk", big, {})
        assert declared.status_code == 413

        def chunks() -> Iterator[bytes]:
            for _ in range(50):
                yield b"y" * 100

        streamed = live.client.post("/webhooks/zendesk", content=chunks())
        assert streamed.status_code == 413
        assert "limit of 2000" in streamed.json()["error"]


def test_unreadable_payload_is_422_with_the_typed_message(engine: SLAEngine) -> None:
    """A signed payload that is not JSON: 422 naming the source and the reason."""
    app = create_app(engine, secrets=SECRETS)
    body = b'{"not json'
    with serving(app) as live:
        answer = post(live.client, "zendesk", body, zendesk_headers(body))
    assert answer.status_code == 422
    assert answer.json()["error"].startswith("zendesk: payload is not valid JSON")


def test_every_event_rejected_is_422_some_rejected_is_200(engine: SLAEngine) -> None:
    """Events whose ids belong to another ticket are rejected by the engine: all of them is a
    422, some of them a 200 with the counts and reasons."""
    app = create_app(engine, secrets={"relay": "token"})
    token = {"x-relay-token": "token"}

    def events(*pairs: tuple[str, str]) -> bytes:
        return json.dumps({"events": [list(p) for p in pairs]}).encode()

    with serving(app) as live:
        first = post(live.client, "relay", events(("A", "e1"), ("A", "e2")), token)
        assert first.status_code == 200
        assert first.json()["stored"] == 2
        stolen = post(live.client, "relay", events(("B", "e1")), token)
        assert stolen.status_code == 422
        assert stolen.json()["rejected"] == 1
        assert "ticket 'A'" in stolen.json()["errors"][0]["reason"]
        mixed = post(live.client, "relay", events(("B", "e2"), ("B", "e3")), token)
        assert mixed.status_code == 200
        assert mixed.json()["stored"] == 1
        assert mixed.json()["rejected"] == 1


def test_database_unavailable_is_503_and_health_says_so(engine: SLAEngine, tmp_path: Path) -> None:
    """With the tables gone the delivery is answered 503 (the vendor retries), and /healthz
    reports the schema as not current."""
    app = create_app(engine, secrets=SECRETS)
    with serving(app) as live:
        assert live.client.get("/healthz").json()["status"] == "ok"
        with engine.sqlalchemy_engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE ticketsla_events"))
            conn.execute(sa.text(f"DROP TABLE {migrations.VERSION_TABLE}"))
        body, headers = zendesk()
        answer = post(live.client, "zendesk", body, headers)
        assert answer.status_code == 503
        assert "database is unavailable" in answer.json()["error"]
        health = live.client.get("/healthz")
        assert health.status_code == 503


def test_headers_with_control_characters_are_refused(engine: SLAEngine) -> None:
    """A header value smuggling a control character never reaches a signature check."""
    with pytest.raises(SignatureError):
        Headers({"x": "a\x00b"})


def test_a_secret_for_a_source_without_an_adapter_is_refused_at_start(engine: SLAEngine) -> None:
    """A typo in a source name fails when the app is made, not on the first delivery."""
    with pytest.raises(ConfigurationError, match="no adapter is installed for zendsk"):
        create_app(engine, secrets={"zendsk": "s"})


def test_a_standard_signed_source_needs_a_whsec_secret(engine: SLAEngine) -> None:
    """E-mail is verified by the Standard Webhooks signature: its secret must be whsec_..."""
    with pytest.raises(ConfigurationError, match="email: webhook secret: expected 'whsec_'"):
        create_app(engine, secrets={"email": "plain"})
