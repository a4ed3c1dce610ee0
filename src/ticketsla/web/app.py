"""``create_app``: the webhook receiver, SLA API, metrics and live board as one Starlette app.

::

    from ticketsla import SLAEngine
    from ticketsla.web import Scanner, create_app

    engine = SLAEngine("sqlite:///sla.db", policies=...)
    scanner = Scanner(engine)
    app = create_app(engine, secrets={"zendesk": "...", "jira": "..."}, scanner=scanner)

The app is plain ASGI: run it under uvicorn (``ticketsla serve`` does), or mount it in a
FastAPI, Starlette or Django-ASGI backend. docs/serve.md has the details.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta

from starlette.applications import Starlette
from starlette.routing import Route

from ..engine import SLAEngine
from ..errors import ConfigurationError
from ..plugins import sources as plugin_sources
from ..plugins.signing import Secret
from ..plugins.sources import DEFAULT_MAX_PAYLOAD_BYTES
from . import standard_webhooks
from .api import SLARoutes
from .board import Board
from .health import Health
from .metrics import WebMetrics
from .scanner import Scanner
from .webhooks import WebhookRoute

__all__ = ["DEFAULT_STANDARD_SIGNED", "create_app"]

# Sources without a webhook signature of their own: a relay signs them in the Standard
# Webhooks format instead (docs/serve.md).
DEFAULT_STANDARD_SIGNED = frozenset({"email"})


def create_app(
    engine: SLAEngine,
    *,
    secrets: Mapping[str, str | bytes | Secret],
    standard_signed: Iterable[str] = DEFAULT_STANDARD_SIGNED,
    scanner: Scanner | None = None,
    max_body: int = DEFAULT_MAX_PAYLOAD_BYTES,
    board_within: timedelta = timedelta(hours=4),
    board_refresh: timedelta = timedelta(seconds=30),
    now: Callable[[], datetime] | None = None,
) -> Starlette:
    """The ASGI application over ``engine``.

    ``secrets`` maps each source that may deliver (``"zendesk"``, ``"jira"``...) to its signing
    secret; ``POST /webhooks/{source}`` answers 404 for any other. Sources named in
    ``standard_signed`` are verified by the Standard Webhooks signature instead of their
    adapter's (their secret is then ``whsec_...``). ``scanner`` is started and stopped with the
    app (a mounted app does not get those events: start it in the host's lifespan) and woken
    whenever events are stored. ``max_body`` bounds a request body in bytes. ``now`` reads the
    clock for signature windows and queries (default: the system's, in UTC).
    """
    if not isinstance(max_body, int) or max_body < 1:
        raise ConfigurationError(f"max_body: {max_body!r} is not a positive number of bytes")
    signed_by_us = frozenset(standard_signed)
    kept = _checked_secrets(engine, secrets, signed_by_us)
    clock = now or (lambda: datetime.now(UTC))
    metrics = WebMetrics(engine, clock)
    webhooks = WebhookRoute(
        engine,
        kept,
        standard_signed=signed_by_us,
        max_body=max_body,
        now=clock,
        metrics=metrics,
        stored=scanner.wake if scanner is not None else _nothing,
    )
    api = SLARoutes(engine, clock)
    health = Health(engine, metrics)
    board = Board(
        engine,
        clock,
        within=board_within,
        refresh_seconds=max(1, int(board_refresh.total_seconds())),
    )
    routes = [
        Route("/", board.handle, methods=["GET"]),
        Route("/webhooks/{source}", webhooks.handle, methods=["POST"]),
        Route("/tickets/{ticket_id:path}", api.ticket, methods=["GET"]),
        Route("/at-risk", api.at_risk, methods=["GET"]),
        Route("/breached", api.breached, methods=["GET"]),
        Route("/healthz", health.healthz, methods=["GET"]),
        Route("/metrics", health.metrics, methods=["GET"]),
    ]

    app = Starlette(routes=routes, lifespan=_lifespan(scanner))
    app.state.engine = engine
    app.state.metrics_registry = metrics.registry
    return app


def _checked_secrets(
    engine: SLAEngine, secrets: Mapping[str, str | bytes | Secret], signed_by_us: frozenset[str]
) -> dict[str, Secret]:
    """The secrets kept as ``Secret`` values, each for an installed adapter; a Standard Webhooks
    secret must decode."""
    kept = {str(source): Secret(value) for source, value in secrets.items()}
    installed = plugin_sources(engine.plugin_manager)
    missing = sorted(source for source in kept if source not in installed)
    if missing:
        raise ConfigurationError(
            f"secrets: no adapter is installed for {', '.join(missing)} (installed: "
            f"{', '.join(installed.names()) or 'none'})",
            subject="secrets",
        )
    for source in sorted(signed_by_us & kept.keys()):
        try:
            standard_webhooks.decode_secret(kept[source].reveal().decode("utf-8", "replace"))
        except ConfigurationError as exc:
            raise ConfigurationError(f"secrets: {source}: {exc.message}", subject=source) from None
    return kept


def _lifespan(
    scanner: Scanner | None,
) -> Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]:
    """Start the scanner with the app and stop it with the app."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if scanner is not None:
            scanner.start()
        try:
            yield
        finally:
            if scanner is not None:
                scanner.stop()

    return lifespan


def _nothing() -> None:
    return None
