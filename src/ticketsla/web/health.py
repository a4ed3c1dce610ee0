"""``GET /healthz`` (the database answers and its schema is the one this ticketsla needs) and
``GET /metrics`` (Prometheus text from the app's own registry)."""

from __future__ import annotations

import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import migrations
from ..engine import SLAEngine
from ..errors import StoreError
from .metrics import WebMetrics

__all__ = ["Health"]


class Health:
    """The handlers of ``/healthz`` and ``/metrics`` for one engine."""

    def __init__(self, engine: SLAEngine, metrics: WebMetrics) -> None:
        self._engine = engine
        self._metrics = metrics

    async def healthz(self, request: Request) -> Response:
        wanted = migrations.head()
        try:
            found = await run_in_threadpool(migrations.current, self._engine.sqlalchemy_engine)
        except sa.exc.SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or type(exc).__name__)
            return JSONResponse(
                {"status": "unavailable", "database": self._engine.url, "error": reason[:300]},
                status_code=503,
            )
        body = {"database": self._engine.url, "revision": found, "expected_revision": wanted}
        if found != wanted:
            return JSONResponse({"status": "schema not current", **body}, status_code=503)
        return JSONResponse({"status": "ok", **body})

    async def metrics(self, request: Request) -> Response:
        try:
            text = await run_in_threadpool(generate_latest, self._metrics.registry)
        except (sa.exc.SQLAlchemyError, StoreError) as exc:
            return JSONResponse({"error": f"metrics unavailable: {exc}"[:300]}, status_code=503)
        return Response(text, media_type=CONTENT_TYPE_LATEST)
