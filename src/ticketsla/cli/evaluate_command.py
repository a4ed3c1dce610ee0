"""``ticketsla evaluate``: fold a file of events under SLA policies and show every clock.

::

    ticketsla evaluate events.jsonl --policy vip.toml --policy standard.toml --at 2026-11-30T11:00-05:00

EVENTS is a file of events as JSON lines, one ``TicketEvent.to_dict()`` a line (what ``ticketsla
import`` writes); ``-`` reads standard input. A line that is not an event is reported on standard
error with its line number and skipped; blank lines are ignored. Events are grouped by ticket and
each ticket is folded at ``--at`` (an ISO 8601 instant with an offset; default: now) under the
policies: one ``--policy`` is used for every ticket; with several, they form a ``PolicySet`` in
the order given, the first whose ``[match]`` fits the ticket wins, and the last is the default
for tickets no other matches. Installed plugins take part as they do in the engine
(``ticketsla_choose_policy``, ``ticketsla_counts_as_response``).

For each ticket (in ticket-id order) and each clock cycle, the table shows the metric, cycle,
status, elapsed and remaining business time, the due instant and the breach instant, both in the
time zone of the ticket's policy calendar. ``--json`` writes one JSON object per ticket and line
instead: the ticket, its policy and the reason it was chosen, and each clock's
``ClockState.to_dict()``. ``--explain TICKET`` shows only that ticket, followed by its trace
(``TicketSLA.explain()``).

Exit status: 0 when every line was an event, 1 when some lines were skipped, 2 for bad arguments
(a missing file, a bad policy, an instant without an offset, a ticket ``--explain`` cannot find).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pluggy

from ..clock import TicketSLA
from ..durations import format_duration
from ..errors import ConfigurationError, EventError, TicketSLAError
from ..events import TicketEvent
from ..plugins import default_plugin_manager, policy_chooser, response_rule
from ..plugins.sources import PayloadLimits, decode_json
from ..policy import PolicySet, SLAPolicy
from ..sla import evaluate
from .common import Subparsers, instant_option

__all__ = ["register"]

ManagerFactory = Callable[[], pluggy.PluginManager]

_COLUMNS = ("ticket", "policy", "metric", "cycle", "status", "elapsed", "remaining", "due")


def register(commands: Subparsers, *, plugin_manager: ManagerFactory | None = None) -> None:
    """Add ``evaluate`` to the ``ticketsla`` sub-commands (an argparse sub-parsers object).

    ``plugin_manager`` makes the manager whose decision hooks take part (default: the installed
    plugins).
    """
    parser = commands.add_parser(
        "evaluate",
        help="fold events (JSON lines) under SLA policies and show each clock",
        description=_cmd_evaluate.__doc__,
        epilog="exit status: 0 when every line was an event, 1 when some were skipped, "
        "2 for bad arguments",
    )
    parser.add_argument("events", metavar="EVENTS", help="events as JSON lines; - for stdin")
    parser.add_argument(
        "--policy",
        dest="policies",
        action="append",
        required=True,
        metavar="POLICY",
        help="a policy .toml file; repeat for a policy set (in order, the last is the default)",
    )
    parser.add_argument(
        "--at", metavar="INSTANT", help="ISO 8601 instant with offset (default: now)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per ticket and line")
    parser.add_argument(
        "--explain", metavar="TICKET", help="only this ticket, with the trace of its clocks"
    )
    parser.set_defaults(handler=partial(_cmd_evaluate, plugin_manager=plugin_manager))


def _cmd_evaluate(args: argparse.Namespace, *, plugin_manager: ManagerFactory | None = None) -> int:
    """Fold events under SLA policies at an instant and print each ticket's clocks."""
    at = instant_option(args.at or None, "--at")
    policies = _policy_set(args.policies)
    pm = plugin_manager() if plugin_manager is not None else default_plugin_manager()
    chooser, rule = policy_chooser(pm), response_rule(pm)
    tickets, bad = _read_events(args.events)
    if args.explain is not None:
        if args.explain not in tickets:
            raise ConfigurationError(
                f"--explain: no events of ticket {args.explain!r} in {args.events!r}",
                subject=args.explain,
            )
        tickets = {args.explain: tickets[args.explain]}
    results = [
        evaluate(tickets[ticket], policies, at, chooser=chooser, response_rule=rule)
        for ticket in sorted(tickets)
    ]
    if args.json:
        for sla in results:
            print(json.dumps(_ticket_json(sla, policies, explain=args.explain is not None)))
    else:
        _print_table(results, policies, at)
        for sla in results if args.explain is not None else ():
            print()
            print(f"ticket {sla.ticket_id}: {sla.policy_reason}")
            print(sla.explain())
    return 1 if bad else 0


def _policy_set(paths: list[str]) -> PolicySet:
    loaded = [SLAPolicy.load(path) for path in paths]
    return PolicySet(loaded[:-1], default=loaded[-1])


def _read_events(name: str) -> tuple[dict[str, list[TicketEvent]], int]:
    """The events of a JSON lines file by ticket, and how many lines were skipped."""
    tickets: dict[str, list[TicketEvent]] = {}
    bad = 0
    limits = PayloadLimits()
    for number, line in _lines(name):
        if not line.strip():
            continue
        try:
            data = decode_json(line, source="event", limits=limits)
            if not isinstance(data, Mapping):
                raise EventError(f"expected an event object, got {type(data).__name__}")
            event = TicketEvent.from_dict(data)
        except (TicketSLAError, TypeError, ValueError) as exc:
            bad += 1
            reason = exc.message if isinstance(exc, TicketSLAError) else str(exc)
            print(f"evaluate: {name}:{number}: skipped: {reason}", file=sys.stderr)
            continue
        tickets.setdefault(event.ticket_id, []).append(event)
    return tickets, bad


def _lines(name: str) -> Iterator[tuple[int, bytes]]:
    if name == "-":
        yield from enumerate(sys.stdin.buffer, start=1)
        return
    try:
        with Path(name).open("rb") as handle:
            yield from enumerate(handle, start=1)
    except OSError as exc:
        raise ConfigurationError(
            f"evaluate: cannot read {name!r}: {exc.strerror or exc}", subject=name
        ) from None


# ---- plugins ------------------------------------------------------------------------------------


# ---- output -------------------------------------------------------------------------------------


def _zone(sla: TicketSLA, policies: PolicySet) -> ZoneInfo:
    """The zone of the ticket's policy calendar (UTC for a ticket no policy took)."""
    return policies.get(sla.policy).calendar.zone if sla.policy is not None else ZoneInfo("UTC")


def _local(at: datetime | None, zone: ZoneInfo) -> str:
    """An instant in ``zone``, to the minute when it has no seconds, else in full."""
    if at is None:
        return "-"
    local = at.astimezone(zone)
    exact = local.second == 0 and local.microsecond == 0
    return local.isoformat(timespec="minutes") if exact else local.isoformat()


def _rows(sla: TicketSLA, policies: PolicySet) -> list[tuple[str, ...]]:
    zone = _zone(sla, policies)
    policy = sla.policy or "-"
    if not sla.clocks:
        return [(sla.ticket_id, policy, "no clocks", "-", "-", "-", "-", "-", "-")]
    return [
        (
            sla.ticket_id,
            policy,
            clock.metric,
            str(clock.cycle),
            str(clock.status),
            format_duration(clock.elapsed),
            format_duration(clock.remaining),
            _local(clock.due_at, zone),
            _local(clock.breached_at, zone) if clock.is_breached else "no",
        )
        for clock in sla.clocks
    ]


def _print_table(results: list[TicketSLA], policies: PolicySet, at: datetime) -> None:
    rows = [(*_COLUMNS, "breached")] + [row for sla in results for row in _rows(sla, policies)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print(f"at {at.astimezone(UTC).isoformat()}")
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def _ticket_json(sla: TicketSLA, policies: PolicySet, *, explain: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ticket_id": sla.ticket_id,
        "at": sla.at.isoformat(),
        "policy": sla.policy,
        "policy_reason": sla.policy_reason,
        "timezone": str(_zone(sla, policies)),
        "priority": None if sla.priority is None else str(sla.priority),
        "status": None if sla.status is None else str(sla.status),
        "clocks": [clock.to_dict() for clock in sla.clocks],
    }
    if explain:
        out["explain"] = sla.explain().splitlines()
    return out
