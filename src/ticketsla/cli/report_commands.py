"""``ticketsla report``, ``ticketsla policy describe`` and ``ticketsla whatif``.

::

    ticketsla report --events events.jsonl --policy gold.toml --period 2026-10 --by customer \\
        --fees fees.csv --json report.json --csv report.csv --html report.html
    ticketsla policy describe gold.toml --format html --out gold-sla.html
    ticketsla whatif --events events.jsonl --baseline gold.toml --policy gold-proposed.toml \\
        --period 2026-10

The report prints rich tables in the terminal and writes JSON, CSV and a self-contained HTML
page on request. ``--events`` reads JSON lines of events (what ``ticketsla import`` writes);
``--policy`` may be repeated: the first policy whose ``[match]`` fits a ticket measures it.
The evaluation instant is the end of the period, or now when that is earlier (``--now`` fixes it
for reproducible output). Handlers return the exit status; bad input raises a
``TicketSLAError`` that the ``ticketsla`` entry point prints.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ..errors import ConfigurationError, EventError, StoreError
from ..events import TicketEvent
from ..policy import PolicySet, SLAPolicy
from ..report import Dimension, ReportPeriod, compare_reports, report_from_events
from ..reporting.fees import FeeTable
from ..reporting.html_report import render_html
from .common import Subparsers, instant_option, write_text
from .report_tables import print_report, print_whatif
from .terminal import console as terminal_console

__all__ = ["events_from_engine", "read_events", "register"]

_MAX_LINE = 1_000_000  # characters in one JSON line of an event file


def register(commands: Subparsers) -> None:
    """Add ``report`` and ``whatif`` to the ``ticketsla`` sub-commands."""
    report = commands.add_parser(
        "report",
        help="SLA attainment, FCR, CSAT, SLO verdicts and credits for a period",
        description=_cmd_report.__doc__,
    )
    _source_arguments(report)
    report.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="POLICY.toml",
        help="policy file (repeat for several: the first whose [match] fits a ticket wins)",
    )
    _period_arguments(report)
    report.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="DIM",
        help="group by customer, policy, priority, channel, source or metric (repeat or "
        "separate with commas)",
    )
    report.add_argument("--fees", metavar="FEES", help="fee table (.csv or .toml) for credits")
    report.add_argument(
        "--json",
        metavar="FILE",
        nargs="?",
        const="-",
        help="write the whole report as JSON to FILE; alone (or '-'), print it instead of tables",
    )
    report.add_argument("--csv", metavar="FILE", help="write one row per group and measure")
    report.add_argument(
        "--credits-csv", metavar="FILE", help="write one row per credit, cap and clawback"
    )
    report.add_argument("--html", metavar="FILE", help="write one self-contained HTML page")
    report.add_argument("--quiet", action="store_true", help="print no tables")
    report.set_defaults(handler=_cmd_report)
    _register_whatif(commands)


def _register_whatif(commands: Subparsers) -> None:
    whatif = commands.add_parser(
        "whatif",
        help="the same tickets under a proposed policy: what changes",
        description=_cmd_whatif.__doc__,
    )
    _source_arguments(whatif)
    whatif.add_argument(
        "--baseline",
        action="append",
        default=[],
        required=True,
        metavar="CURRENT.toml",
        help="the policy in force (repeat for several)",
    )
    whatif.add_argument(
        "--policy",
        action="append",
        default=[],
        required=True,
        metavar="PROPOSED.toml",
        help="the proposed policy (repeat for several)",
    )
    _period_arguments(whatif)
    whatif.add_argument("--by", action="append", default=[], metavar="DIM", help="as in report")
    whatif.add_argument("--fees", metavar="FEES", help="fee table (.csv or .toml)")
    whatif.add_argument("--json", metavar="FILE", help="write the comparison as JSON")
    whatif.set_defaults(handler=_cmd_whatif)


def _source_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--events",
        metavar="FILE.jsonl",
        help="events as JSON lines, one event per line (ticketsla import writes them)",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="an SLAEngine database (sqlite:///sla.db, postgresql://...)",
    )


def _period_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--period",
        required=True,
        help="2026-10 (a month), 2026-W43 (an ISO week), 2026-10-01..2026-10-15 (dates), or "
        "two instants with offsets joined by ..",
    )
    parser.add_argument(
        "--tz", default="UTC", help="time zone of the period's boundaries (default UTC)"
    )
    parser.add_argument(
        "--now",
        metavar="INSTANT",
        help="evaluate as of this ISO 8601 instant if it is before the period's end "
        "(default: the real time)",
    )


# ---- inputs --------------------------------------------------------------------------------


def read_events(path: str | Path) -> list[TicketEvent]:
    """Events from a JSON-lines file; a bad line is an ``EventError`` naming its number."""
    file = Path(path)
    try:
        handle = file.open(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"--events: {str(file)!r} cannot be read: {exc}") from exc
    events: list[TicketEvent] = []
    with handle:
        for number, line in enumerate(handle, start=1):
            text = line.strip()
            if not text:
                continue
            where = f"{file.name}:{number}"
            if len(text) > _MAX_LINE:
                raise EventError(f"{where}: line longer than {_MAX_LINE} characters")
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise EventError(f"{where}: not JSON: {exc.msg}", subject=where) from None
            except RecursionError:
                raise EventError(
                    f"{where}: nests too deeply to be an event", subject=where
                ) from None
            try:
                events.append(TicketEvent.from_dict(data))
            except EventError as exc:
                raise EventError(f"{where}: {exc}", subject=where) from None
            except TypeError as exc:
                raise EventError(f"{where}: {exc}", subject=where) from None
    return events


def _policies(paths: Sequence[str], flag: str) -> PolicySet:
    if not paths:
        raise ConfigurationError(f"{flag}: give at least one policy file", subject=flag)
    return PolicySet([SLAPolicy.load(p) for p in paths])


def _dimensions(values: Sequence[str]) -> list[Dimension]:
    return [Dimension.parse(part) for value in values for part in value.split(",") if part.strip()]


def _now(text: str | None) -> datetime:
    return instant_option(text, "--now")


def _events(args: argparse.Namespace, until: datetime) -> list[TicketEvent]:
    if args.db and args.events:
        raise ConfigurationError("give --events or --db, not both", subject="--db")
    if args.db:
        return events_from_engine(args.db, until)
    if not args.events:
        raise ConfigurationError(
            "give the tickets with --events FILE.jsonl or --db URL", subject="--events"
        )
    return read_events(args.events)


def events_from_engine(url: str, until: datetime) -> list[TicketEvent]:
    """Every stored event of the tickets that began before ``until``, read from an SLAEngine
    database without changing it (its schema must be current: no migration is run here)."""
    import sqlalchemy as sa

    from ..engine import SLAEngine, describe_database_error

    with SLAEngine(url, upgrade=False) as engine:
        try:
            return engine.tickets_events(started_before=until)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(
                f"--db {engine.url}: cannot read events: {describe_database_error(exc)}"
            ) from exc


# ---- report ----------------------------------------------------------------------------------


def _cmd_report(args: argparse.Namespace) -> int:
    """Report SLA attainment, business-time statistics, FCR, CSAT, SLO verdicts and service
    credits for a period, in the terminal and as JSON, CSV or one HTML page."""
    period = ReportPeriod.parse(args.period, timezone=args.tz)
    policies = _policies(args.policy, "--policy")
    by = _dimensions(args.by)
    fees = FeeTable.load(args.fees) if args.fees else None
    now = _now(args.now)
    events = _events(args, min(period.end, now))
    report = report_from_events(events, policies, period, now=now, by=by, fees=fees)
    written = []
    if args.json == "-":  # for scripts: the JSON alone on stdout, the rest on stderr
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    elif args.json:
        write_text(args.json, json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
        written.append(args.json)
    if args.csv:
        write_text(args.csv, report.to_csv())
        written.append(args.csv)
    if args.credits_csv:
        write_text(args.credits_csv, report.credits_csv())
        written.append(args.credits_csv)
    if args.html:
        write_text(args.html, render_html(report))
        written.append(args.html)
    console = terminal_console(sys.stderr if args.json == "-" else None)
    if not args.quiet and args.json != "-":
        print_report(report, console)
    for path in written:
        console.print(f"wrote {path}", markup=False, highlight=False, soft_wrap=True)
    return 0


# ---- what-if -----------------------------------------------------------------------------------


def _cmd_whatif(args: argparse.Namespace) -> int:
    """Replay the same tickets under a proposed policy and show what would change: attainment,
    breaches, FCR, CSAT and credits, and which clocks would newly breach or newly meet."""
    period = ReportPeriod.parse(args.period, timezone=args.tz)
    baseline = _policies(args.baseline, "--baseline")
    proposed = _policies(args.policy, "--policy")
    by = _dimensions(args.by)
    fees = FeeTable.load(args.fees) if args.fees else None
    now = _now(args.now)
    events = _events(args, min(period.end, now))
    before = report_from_events(events, baseline, period, now=now, by=by, fees=fees)
    after = report_from_events(events, proposed, period, now=now, by=by, fees=fees)
    result = compare_reports(before, after)
    console = terminal_console()
    print_whatif(result, console)
    if args.json:
        write_text(args.json, json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
        console.print(f"wrote {args.json}", markup=False, highlight=False, soft_wrap=True)
    return 0
