"""The engine's watching commands of the ``ticketsla`` CLI: ``status``, ``at-risk``, ``scan``.

::

    ticketsla status T-1042 --db sqlite:///sla.db
    ticketsla at-risk --within 1h --db sqlite:///sla.db
    ticketsla scan --db sqlite:///sla.db --every 30s --jsonl notifications.jsonl

``--db`` defaults to ``$TICKETSLA_DB``, else ``sqlite:///sla.db``. Handlers return the exit
status and raise ``TicketSLAError`` subclasses for bad input, which the CLI's ``main`` reports.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

from .._instants import parse_instant
from ..durations import format_duration, parse_duration
from ..engine import SLAEngine
from ..errors import ConfigurationError
from ..escalation_notice import EscalationRecord
from ..notifications import Notification
from ..store import DeliveryState
from .common import Subparsers, instant_option
from .engine_options import db_option, scan_policies
from .terminal import plural, print_table

__all__ = ["register"]


def register(commands: Subparsers) -> None:
    """Add ``status``, ``at-risk`` and ``scan`` to the ``ticketsla`` sub-commands."""
    _register_queries(commands)
    _register_scan(commands)


def _register_queries(commands: Subparsers) -> None:
    status = commands.add_parser(
        "status", help="a ticket's stored SLA clocks", description=_cmd_status.__doc__
    )
    status.add_argument(
        "ticket",
        metavar="TICKET",
        nargs="?",
        help="the ticket id; without one, the outbox: notifications pending and held",
    )
    db_option(status)
    status.add_argument("--json", action="store_true", help="print JSON instead of a table")
    status.set_defaults(handler=_cmd_status)

    at_risk = commands.add_parser(
        "at-risk", help="running clocks due soon", description=_cmd_at_risk.__doc__
    )
    db_option(at_risk)
    at_risk.add_argument("--within", default="1h", help="how soon: 1h, 30m, PT2H (default 1h)")
    at_risk.add_argument("--at", help="ISO 8601 instant with offset (default: now)")
    at_risk.add_argument("--limit", type=int, help="at most this many clocks")
    at_risk.add_argument("--json", action="store_true", help="print JSON instead of a table")
    at_risk.set_defaults(handler=_cmd_at_risk)


def _register_scan(commands: Subparsers) -> None:
    scan = commands.add_parser(
        "scan", help="record due warnings and breaches, deliver them", description=_cmd_scan.__doc__
    )
    db_option(scan)
    scan.add_argument("--every", help="keep running, one pass per interval (30s, 1m)")
    scan.add_argument("--at", help="scan as of this ISO 8601 instant (one pass only)")
    scan.add_argument("--jsonl", help="also write each notification to this JSON lines file")
    scan.add_argument("--quiet", action="store_true", help="no line per pass")
    scan.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="FILE",
        help="a policy .toml file whose [[escalation]] levels to fire; repeat for several. "
        "Default: the policies plugins register, if any",
    )
    scan.add_argument(
        "--json", action="store_true", help="print each pass as one JSON object a line"
    )
    scan.set_defaults(handler=_cmd_scan)


# ---- status and at-risk ------------------------------------------------------------------------


def _cmd_status(args: argparse.Namespace) -> int:
    """Show a ticket's stored clocks: status, target, elapsed, due and breach, per metric, and
    its escalation trail. Without TICKET: how many notifications wait in the outbox, and how
    many of them are held for their recipient's working hours, until when."""
    if args.ticket is None:
        return _outbox_status(args)
    with SLAEngine(args.db, upgrade=False) as engine:
        clocks = engine.clocks(args.ticket)
        notifications = engine.notifications(args.ticket)
        trail = engine.escalations(args.ticket)
    if args.json:
        items = []
        for c in clocks:
            item = c.to_dict()
            mine = [r for r in trail if (r.metric, r.cycle) == (c.metric, c.cycle)]
            if mine:
                item["escalation_trail"] = [_record_dict(r) for r in mine]
            items.append(item)
        print(json.dumps(items, indent=2))
        return 0
    from rich.table import Table

    table = Table(title=f"ticket {args.ticket}", title_justify="left")
    for header in (
        "metric",
        "cycle",
        "status",
        "target",
        "elapsed",
        "due (UTC)",
        "breached",
        "policy",
    ):
        table.add_column(header, no_wrap=True)
    for clock in clocks:
        table.add_row(
            clock.metric,
            str(clock.cycle),
            str(clock.status),
            format_duration(clock.target),
            format_duration(clock.elapsed),
            _when(clock.due_at),
            _when(clock.breached_at) if clock.breached_at else "no",
            f"{clock.policy} ({clock.calendar})",
        )
    print_table(_console(), table)
    _print_undelivered(notifications)
    for record in trail:
        print(record.describe())
    return 0


def _record_dict(record: EscalationRecord) -> dict[str, object]:
    def iso(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "level": record.level,
        "recipient": record.recipient,
        "round": record.round,
        "fired_at": iso(record.fired_at),
        "recorded_at": iso(record.recorded_at),
        "held_until": iso(record.held_until),
        "delivered_at": iso(record.delivered_at),
        "state": record.state,
        "retracted": record.retracted,
    }


def _outbox_status(args: argparse.Namespace) -> int:
    with SLAEngine(args.db, upgrade=False) as engine:
        pending = engine.pending()
        held = engine.held()
    first = None if held.first_until is None else held.first_until.isoformat()
    last = None if held.last_until is None else held.last_until.isoformat()
    if args.json:
        print(
            json.dumps(
                {"pending": pending, "held": held.count, "held_from": first, "held_to": last}
            )
        )
        return 0
    print(f"notifications pending: {pending}")
    if held.count:
        print(
            f"held for their recipients' working hours: {held.count}, "
            f"the first until {_when(held.first_until)}, the last until {_when(held.last_until)}"
        )
    else:
        print("held for their recipients' working hours: 0")
    return 0


def _print_undelivered(notifications: list[tuple[Notification, str]]) -> None:
    """A count of the ticket's notifications per delivery state, then each one not delivered."""
    if not notifications:
        return
    states = Counter(state for _, state in notifications)
    summary = ", ".join(
        f"{count} {state.replace('_', ' ')}" for state, count in sorted(states.items())
    )
    print(f"notifications: {summary}")
    for notification, state in notifications:
        if state != DeliveryState.DONE.value:
            print(
                f"  {state.replace('_', ' ')}: {notification.kind} {notification.level} "
                f"{notification.metric} cycle {notification.cycle} at {_when(notification.at)}"
            )


def _cmd_at_risk(args: argparse.Namespace) -> int:
    """List running clocks due within --within of now (or --at), soonest first."""
    within = parse_duration(args.within, field="--within")
    at = instant_option(args.at or None, "--at")
    if args.limit is not None and args.limit < 1:
        raise ConfigurationError(
            f"--limit: {args.limit} is not a positive number", subject="--limit"
        )
    with SLAEngine(args.db, upgrade=False) as engine:
        clocks = engine.at_risk(within=within, at=at, limit=args.limit)
    if args.json:
        rows = [
            {
                "ticket_id": c.ticket_id,
                "metric": c.metric,
                "cycle": c.cycle,
                "due_at": None if c.due_at is None else c.due_at.isoformat(),
                "policy": c.policy,
                "priority": c.priority,
            }
            for c in clocks
        ]
        print(json.dumps(rows, indent=2))
        return 0
    from rich.table import Table

    table = Table(
        title=f"due within {format_duration(within)} of {_when(at)}", title_justify="left"
    )
    for header in ("due (UTC)", "in", "ticket", "metric", "cycle", "policy", "priority"):
        table.add_column(header, no_wrap=True)
    for clock in clocks:
        left = (clock.due_at - at) if clock.due_at is not None else timedelta(0)
        table.add_row(
            _when(clock.due_at),
            format_duration(left),
            clock.ticket_id,
            clock.metric,
            str(clock.cycle),
            clock.policy,
            clock.priority or "",
        )
    print_table(_console(), table)
    if not clocks:
        print("nothing due in that window")
    return 0


def _console() -> Any:
    from .terminal import console

    return console()


def _when(at: datetime | None) -> str:
    return "" if at is None else at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


# ---- scan --------------------------------------------------------------------------------------


def _cmd_scan(args: argparse.Namespace) -> int:
    """Record warnings and breaches that have come due, then deliver pending notifications to
    the installed notifier plugins. With --every, repeat until SIGTERM or Ctrl-C, finishing the
    pass under way before stopping."""
    every = None
    if args.every is not None:
        every = parse_duration(args.every, field="--every")
        if every <= timedelta(0):
            raise ConfigurationError(f"--every: {args.every!r} must be positive", subject="--every")
        if args.at:
            raise ConfigurationError("--at scans one instant; it cannot be used with --every")
    at = parse_instant(args.at, "--at") if args.at else None
    plugins: list[object] = []
    if args.jsonl:
        from ..plugins.notifiers import JSONLinesNotifier

        plugins.append(JSONLinesNotifier(args.jsonl))
    stop = threading.Event()
    previous = _install_stop_handlers(stop) if every is not None else {}
    try:
        policies = scan_policies(args.policy)
        with SLAEngine(args.db, policies, plugins=plugins, upgrade=False) as engine:
            while True:
                scanned = engine.scan(at)
                drained = engine.drain()
                if args.json:
                    counts = {**dataclasses.asdict(scanned), **dataclasses.asdict(drained)}
                    print(json.dumps(counts), flush=True)
                elif not args.quiet:
                    escalated = ""
                    if scanned.escalations:
                        escalated = (
                            f", {plural(scanned.escalations, 'escalation')} "
                            f"({scanned.held} held for working hours)"
                        )
                    print(
                        f"scan: {plural(scanned.tickets, 'ticket')}, "
                        f"{plural(scanned.warnings, 'warning')} and "
                        f"{plural(scanned.breaches, 'breach', 'breaches')} recorded{escalated}; "
                        f"{drained.delivered} delivered, {drained.failed} failed"
                        + (f", {drained.unheard} without a listener" if drained.unheard else ""),
                        flush=True,
                    )
                if every is None or stop.wait(every.total_seconds()):
                    break
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if every is not None and not args.quiet and not args.json:
        print("scan: stopped", flush=True)
    return 0


def _install_stop_handlers(stop: threading.Event) -> dict[int, Any]:
    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, Any] = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous[signum] = signal.signal(signum, handle)
    return previous
