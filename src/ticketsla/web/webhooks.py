"""``POST /webhooks/{source}``: verify, parse, ingest, and only then answer.

The status codes follow what helpdesks retry on: 200 for a delivery stored (or already stored),
401 for a missing, wrong or stale signature, 404 for a source this app does not receive, 413
for a body over the limit, 422 for a payload that cannot be read (or whose every event was
rejected), 503 when the database cannot store it, so the sender tries again later.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import pluggy
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from ..engine import IngestResult, SLAEngine
from ..errors import SignatureError, StoreError, TicketSLAError
from ..events import TicketEvent
from ..plugins import parse_payload, verify_signature
from ..plugins.signing import Headers, Secret
from ..plugins.sources import PayloadLimits
from . import standard_webhooks
from .api import error
from .body import BodyTooLarge, read_limited
from .metrics import WebMetrics

__all__ = ["WebhookRoute"]

_SHOWN_ERRORS = 20


class WebhookRoute:
    """The webhook handler of one app: its secrets, limits, engine and metrics."""

    def __init__(
        self,
        engine: SLAEngine,
        secrets: Mapping[str, Secret],
        *,
        standard_signed: frozenset[str],
        max_body: int,
        now: Callable[[], datetime],
        metrics: WebMetrics,
        stored: Callable[[], None],
    ) -> None:
        self._engine = engine
        self._pm: pluggy.PluginManager = engine.plugin_manager
        self._secrets = dict(secrets)
        self._standard = standard_signed
        self._limits = PayloadLimits(max_bytes=max_body)
        self._now = now
        self._metrics = metrics
        self._stored = stored

    async def handle(self, request: Request) -> Response:
        source = request.path_params["source"]
        started = time.perf_counter()
        response = await self._handle(source, request)
        if source in self._secrets:  # unknown names would let a caller grow the label set
            self._metrics.deliveries.labels(source, str(response.status_code)).inc()
            self._metrics.latency.labels(source).observe(time.perf_counter() - started)
        return response

    async def _handle(self, source: str, request: Request) -> Response:
        secret = self._secrets.get(source)
        if secret is None:
            return error(404, f"no webhook is configured for source {source[:64]!r}")
        try:
            body = await read_limited(request, self._limits.max_bytes)
        except BodyTooLarge as exc:
            return error(413, f"{source}: {exc}")
        except ClientDisconnect:
            return error(400, f"{source}: the sender went away before the body was complete")
        try:
            self._verify(source, body, request.headers.raw, secret)
        except SignatureError as exc:
            return error(401, exc.message)
        try:
            events = await run_in_threadpool(self._parse, source, body, request.headers.raw)
        except TicketSLAError as exc:
            return error(422, exc.message)
        try:
            result = await run_in_threadpool(self._engine.ingest, events)
        except StoreError as exc:
            return error(503, f"{source}: the database is unavailable: {exc.message}")
        self._count(source, result)
        if result.stored or result.errors:
            self._stored()
        answer = _answer(result, len(events))
        if events and result.rejected == len(events):
            return JSONResponse({"error": f"{source}: every event was rejected", **answer}, 422)
        return JSONResponse(answer)

    def _verify(
        self, source: str, body: bytes, raw: list[tuple[bytes, bytes]], secret: Secret
    ) -> None:
        now = self._now()
        if source in self._standard:
            standard_webhooks.verify(body, Headers(raw), secret.reveal(), now=now, source=source)
            return
        verify_signature(source, body, Headers(raw), secret, now=now, pm=self._pm)

    def _parse(self, source: str, body: bytes, raw: list[tuple[bytes, bytes]]) -> list[TicketEvent]:
        return parse_payload(source, body, headers=Headers(raw), limits=self._limits, pm=self._pm)

    def _count(self, source: str, result: IngestResult) -> None:
        self._metrics.events_stored.labels(source).inc(result.stored)
        self._metrics.events_duplicated.labels(source).inc(result.duplicates)
        self._metrics.events_rejected.labels(source).inc(result.rejected)


def _answer(result: IngestResult, events: int) -> dict[str, Any]:
    return {
        "events": events,
        "stored": result.stored,
        "duplicates": result.duplicates,
        "rejected": result.rejected,
        "errors": [
            {"index": error.position, "reason": error.reason, "field": error.field}
            for error in result.errors[:_SHOWN_ERRORS]
        ],
    }
