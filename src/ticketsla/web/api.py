"""The SLA questions as JSON: one ticket's state, clocks at risk, clocks breached.

Every handler runs the engine's (blocking) call in a worker thread, so the event loop keeps
answering webhooks while a query runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._instants import from_us
from ..clock import TicketSLA
from ..durations import parse_duration
from ..engine import OpenClock, SLAEngine
from ..errors import ConfigurationError, StoreError, UnknownTicketError

__all__ = ["SLARoutes", "error", "open_clock_json", "ticket_json"]

_MAX_WITHIN = timedelta(days=366)
_DEFAULT_LIMIT = 500
_MAX_LIMIT = 10_000


def error(status: int, message: str) -> JSONResponse:
    """An error answer: ``{"error": message}`` with ``status``."""
    return JSONResponse({"error": message}, status_code=status)


def ticket_json(sla: TicketSLA, *, explain: bool) -> dict[str, Any]:
    """A ticket's SLA state as JSON: every clock cycle, the policy and why, FCR and CSAT."""
    clocks = []
    for clock in sla.clocks:
        item = clock.to_dict()
        item["breached"] = clock.is_breached
        clocks.append(item)
    body: dict[str, Any] = {
        "ticket_id": sla.ticket_id,
        "at": sla.at.isoformat(),
        "policy": sla.policy,
        "policy_reason": sla.policy_reason,
        "priority": None if sla.priority is None else str(sla.priority),
        "status": None if sla.status is None else str(sla.status),
        "clocks": clocks,
        "fcr": None
        if sla.fcr is None
        else {"achieved": sla.fcr.achieved, "reason": sla.fcr.reason},
        "csat": None
        if sla.csat is None
        else {
            "sentiment": str(sla.csat.sentiment),
            "rating": sla.csat.rating,
            "rated_at": from_us(sla.csat.rated_at_us, UTC).isoformat(),
        },
    }
    if explain:
        body["explain"] = sla.explain().splitlines()
    return body


def open_clock_json(clock: OpenClock, now: datetime) -> dict[str, Any]:
    """One clock of ``/at-risk`` or ``/breached``, with the seconds left (negative: overdue)."""
    until = clock.due_at if clock.due_at is not None else clock.breach_at
    return {
        "ticket_id": clock.ticket_id,
        "metric": clock.metric,
        "cycle": clock.cycle,
        "status": str(clock.status),
        "due_at": None if clock.due_at is None else clock.due_at.isoformat(),
        "breach_at": None if clock.breach_at is None else clock.breach_at.isoformat(),
        "seconds_left": None if until is None else round((until - now).total_seconds(), 3),
        "policy": clock.policy,
        "priority": clock.priority,
    }


class SLARoutes:
    """The handlers of ``/tickets/{id}``, ``/at-risk`` and ``/breached`` over one engine."""

    def __init__(self, engine: SLAEngine, now: Callable[[], datetime]) -> None:
        self._engine = engine
        self._now = now

    async def ticket(self, request: Request) -> Response:
        ticket_id = request.path_params["ticket_id"]
        explain = request.query_params.get("explain", "") in ("1", "true", "yes")
        at = self._now()
        try:
            sla = await run_in_threadpool(self._engine.state, ticket_id, at)
        except UnknownTicketError as exc:
            return error(404, exc.message)
        except StoreError as exc:
            return error(503, exc.message)
        return JSONResponse(ticket_json(sla, explain=explain))

    async def at_risk(self, request: Request) -> Response:
        try:
            within = parse_duration(request.query_params.get("within", "1h"), field="within")
            if within < timedelta(0) or within > _MAX_WITHIN:
                raise ConfigurationError(
                    f"within: {within} is not between 0 and {_MAX_WITHIN.days} days",
                    subject="within",
                )
            limit = query_limit(request)
        except ConfigurationError as exc:
            return error(400, exc.message)
        now = self._now()
        try:
            clocks = await run_in_threadpool(lambda: self._engine.at_risk(within, now, limit=limit))
        except StoreError as exc:
            return error(503, exc.message)
        return JSONResponse(
            {
                "at": now.isoformat(),
                "within_seconds": within.total_seconds(),
                "clocks": [open_clock_json(c, now) for c in clocks],
            }
        )

    async def breached(self, request: Request) -> Response:
        try:
            limit = query_limit(request)
        except ConfigurationError as exc:
            return error(400, exc.message)
        now = self._now()
        try:
            clocks = await run_in_threadpool(lambda: self._engine.breached(now, limit=limit))
        except StoreError as exc:
            return error(503, exc.message)
        return JSONResponse(
            {"at": now.isoformat(), "clocks": [open_clock_json(c, now) for c in clocks]}
        )


def query_limit(request: Request) -> int:
    """``?limit=N`` (default 500, at most 10,000): a listing is never unbounded."""
    text = request.query_params.get("limit")
    if text is None:
        return _DEFAULT_LIMIT
    if not text.isdigit() or not 1 <= int(text) <= _MAX_LIMIT:
        raise ConfigurationError(
            f"limit: {text[:20]!r} is not a whole number from 1 to {_MAX_LIMIT}", subject="limit"
        )
    return int(text)
