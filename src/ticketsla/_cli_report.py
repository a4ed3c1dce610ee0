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
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ._instants import parse_instant
from ._terminal import console as terminal_console
from ._terminal import plural, print_command, print_table
from .cli import show_help
from .contract import FeeTable, VerdictStatus, format_share
from .describe import describe
from .durations import format_duration
from .errors import ConfigurationError, EventError, StoreError
from .events import TicketEvent
from .html_report import render_html
from .policy import PolicySet, SLAPolicy
from .report import (
    Dimension,
    GroupSummary,
    Report,
    ReportPeriod,
    WhatIf,
    compare_reports,
    report_from_events,
)

__all__ = ["add_commands"]

_MAX_LINE = 1_000_000  # characters in one JSON line of an event file


def add_commands(commands: Any) -> None:
    """Add ``report``, ``policy describe`` and ``whatif`` to the ``ticketsla`` sub-commands
    (an argparse sub-parsers object). A ``policy`` command added by someone else is reused."""
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

    policy_commands = _policy_subcommands(commands)
    describe_parser = policy_commands.add_parser(
        "describe",
        help="the SLA document of a policy, in Markdown or HTML",
        description=_cmd_describe.__doc__,
    )
    describe_parser.add_argument("policy", metavar="POLICY.toml", help="the policy file")
    describe_parser.add_argument(
        "--format", choices=("markdown", "html"), default="markdown", help="default markdown"
    )
    describe_parser.add_argument("--out", metavar="FILE", help="write here (default: stdout)")
    describe_parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="the date the document starts from (default: today); holidays of 12 months",
    )
    describe_parser.set_defaults(handler=_cmd_describe)

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

    demo = commands.add_parser(
        "demo",
        help="a synthetic helpdesk end to end: payloads, engine, scan, report, HTML page",
        description=_cmd_demo.__doc__,
    )
    demo.add_argument(
        "--out", default="ticketsla-demo", help="folder for its files (default ticketsla-demo)"
    )
    demo.add_argument("--seed", type=int, default=7, help="the same seed gives the same helpdesk")
    demo.add_argument("--tickets", type=int, default=3000, help="how many tickets (default 3000)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar and no tables")
    demo.set_defaults(handler=_cmd_demo)


def _policy_subcommands(commands: Any) -> Any:
    """The sub-commands of ``policy``: the existing ones if another module added ``policy``."""
    existing = commands.choices.get("policy")
    if existing is None:
        parser = commands.add_parser("policy", help="inspect and document SLA policies")
        parser.set_defaults(handler=show_help(parser))
        return parser.add_subparsers(title="policy commands", metavar="COMMAND")
    for action in existing._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return existing.add_subparsers(title="policy commands", metavar="COMMAND")


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
    return datetime.now(UTC) if text is None else parse_instant(text, "--now")


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

    from .engine import SLAEngine, describe_database_error

    with SLAEngine(url, upgrade=False) as engine:
        try:
            return engine.tickets_events(started_before=until)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(
                f"--db {engine.url}: cannot read events: {describe_database_error(exc)}"
            ) from exc


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"{path!r} cannot be written: {exc}", subject=path) from exc


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
        _write(args.json, json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
        written.append(args.json)
    if args.csv:
        _write(args.csv, report.to_csv())
        written.append(args.csv)
    if args.credits_csv:
        _write(args.credits_csv, report.credits_csv())
        written.append(args.credits_csv)
    if args.html:
        _write(args.html, render_html(report))
        written.append(args.html)
    console = terminal_console(sys.stderr if args.json == "-" else None)
    if not args.quiet and args.json != "-":
        print_report(report, console)
    for path in written:
        console.print(f"wrote {path}", markup=False, highlight=False, soft_wrap=True)
    return 0


def _pct(share: Fraction | None) -> str:
    return format_share(share, places=1)


def _dur(summary: GroupSummary, metric: str, which: str) -> str:
    found = summary.metric(metric)
    value = None if found is None else found.median_us if which == "median" else found.p90_us
    return "-" if value is None else format_duration(timedelta(microseconds=value))


def print_report(report: Report, console: Console) -> None:
    """The report as rich tables."""
    state = " (provisional: the period is not over)" if report.provisional else ""
    console.print(
        f"SLA report {report.period.label} ({report.period.timezone}), evaluated as of "
        f"{report.as_of.isoformat()}{state}",
        markup=False,
        highlight=False,
    )
    dims = [d.value for d in report.by]
    summary = Table(title="Summary", title_justify="left")
    for name in dims or ["group"]:
        summary.add_column(name)
    for name in (
        "tickets",
        "targets",
        "met",
        "breached",
        "attainment",
        "1st resp. median",
        "1st resp. p90",
        "resolution median",
        "resolution p90",
        "FCR",
        "CSAT",
    ):
        summary.add_column(name, justify="right")
    rows = [*report.groups, report.total] if report.groups else [report.total]
    for group in rows:
        key = dict(group.key)
        cells = [key.get(d, "all" if not group.key else "") for d in dims] or ["all tickets"]
        summary.add_row(
            *cells,
            str(group.tickets),
            str(group.measured),
            str(group.met),
            str(group.breached),
            _pct(group.attainment),
            _dur(group, "first_response", "median"),
            _dur(group, "first_response", "p90"),
            _dur(group, "resolution", "median"),
            _dur(group, "resolution", "p90"),
            f"{_pct(group.fcr.rate)} of {group.fcr.decided}",
            f"{_pct(group.csat.share)} of {group.csat.responses}",
        )
    print_table(console, summary)

    metrics = Table(title="Per metric", title_justify="left")
    for name in ("group", "metric"):
        metrics.add_column(name)
    for name in ("decided", "met", "breached", "open", "attainment", "median", "p90"):
        metrics.add_column(name, justify="right")
    for group in report.groups or (report.total,):
        for m in group.metrics:
            metrics.add_row(
                group.label,
                m.metric,
                str(m.measured),
                str(m.met),
                str(m.breached),
                str(m.open),
                _pct(m.attainment),
                _dur(group, m.metric, "median"),
                _dur(group, m.metric, "p90"),
            )
    print_table(console, metrics)

    total = report.total
    if total.csat.responses:
        console.print(
            f"CSAT {_pct(total.csat.share)} of {plural(total.csat.responses, 'rating')} "
            f"({', '.join(total.csat.scales)}): tickets with a breach "
            f"{_pct(total.csat_breached.share)} of {total.csat_breached.responses}, tickets "
            f"that met {_pct(total.csat_met.share)} of {total.csat_met.responses}",
            markup=False,
            highlight=False,
        )
    if total.fcr.definitions:
        console.print(f"FCR: {'; '.join(total.fcr.definitions)}", markup=False, highlight=False)

    if report.contracts:
        verdicts = Table(title="SLO verdicts", title_justify="left")
        for name in ("customer", "policy", "period", "goal", "target"):
            verdicts.add_column(name)
        for name in ("attainment", "met", "verdict", "missed by", "more needed"):
            verdicts.add_column(name, justify="right")
        for s in report.contracts:
            for v in s.verdicts:
                missed = v.status is VerdictStatus.MISSED
                verdicts.add_row(
                    s.customer,
                    s.policy,
                    s.period + (" *" if s.provisional else ""),
                    v.metric + ("" if not v.goal.priorities else f" ({v.goal.scope})"),
                    format_share(v.goal.goal),
                    _pct(v.attainment),
                    f"{v.met}/{v.measured}",
                    v.status.value.replace("_", " "),
                    format_share(v.shortfall, places=1)[:-1] + " pts" if missed else "",
                    str(v.needed) if missed else "",
                )
        print_table(console, verdicts)
        credits = Table(title="Service credits", title_justify="left")
        for name in ("customer", "period", "line", "credit", "amount", "tickets"):
            credits.add_column(name, justify="right" if name in ("credit", "amount") else "left")
        any_line = False
        for s in report.contracts:
            currency = s.fee.currency if s.fee else ""
            for c in s.credits:
                any_line = True
                credits.add_row(
                    s.customer,
                    s.period,
                    f"{c.goal} {format_share(c.attainment)} < {format_share(c.below)}",
                    format_share(c.credit),
                    "-" if c.amount is None else f"{c.amount:,.2f} {currency}".strip(),
                    _short(c.tickets),
                )
            if s.capped < s.gross:
                credits.add_row(
                    s.customer, s.period, "cap", "-" + format_share(s.gross - s.capped), "", ""
                )
            for b in s.clawbacks:
                any_line = True
                credits.add_row(
                    s.customer,
                    s.period,
                    f"clawback of {b.of_period}",
                    "-" + format_share(b.credit),
                    "-" if b.amount is None else f"{-b.amount:,.2f} {currency}".strip(),
                    "",
                )
            if s.credits or s.clawbacks:
                amount = s.net_amount
                credits.add_row(
                    s.customer,
                    s.period,
                    "net",
                    format_share(s.net),
                    "-" if amount is None else f"{amount:,.2f} {currency}".strip(),
                    "",
                )
        if any_line:
            print_table(console, credits)
        else:
            console.print("No service credits are owed.", markup=False, highlight=False)
        if any(s.provisional for s in report.contracts):
            console.print("* provisional: the SLO period is not over", markup=False)


def _short(ids: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" +{len(ids) - limit} more" if len(ids) > limit else "")


# ---- policy describe ---------------------------------------------------------------------------


def _cmd_describe(args: argparse.Namespace) -> int:
    """Write the SLA document of a policy: coverage, business hours and holidays for the
    coming twelve months, targets, what pauses a clock, SLO goals, credits, escalation."""
    policy = SLAPolicy.load(args.policy)
    if args.today:
        try:
            today = date.fromisoformat(args.today)
        except ValueError:
            raise ConfigurationError(
                f"--today: {args.today!r} is not a date like 2026-11-01", subject="--today"
            ) from None
    else:
        today = datetime.now(policy.calendar.zone).date()
    document = describe(policy, today=today)
    text = document.to_html() if args.format == "html" else document.to_markdown()
    if args.out:
        _write(args.out, text)
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
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
        _write(args.json, json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
        console.print(f"wrote {args.json}", markup=False, highlight=False, soft_wrap=True)
    return 0


def print_whatif(result: WhatIf, console: Console) -> None:
    period = result.before.period
    console.print(
        f"What if, {period.label} ({period.timezone}): current policy -> proposed policy",
        markup=False,
        highlight=False,
    )
    table = Table(title="Changes", title_justify="left")
    for name in ("group", "measure"):
        table.add_column(name)
    for name in ("current", "proposed", "change"):
        table.add_column(name, justify="right")
    for change in result.changes:
        table.add_row(
            change.group,
            change.measure,
            change.text(change.before),
            change.text(change.after),
            change.delta_text(),
        )
    print_table(console, table)
    console.print(
        f"{plural(len(result.newly_breached), 'clock')} would newly breach, "
        f"{len(result.newly_met)} would newly meet their target.",
        markup=False,
        highlight=False,
    )
    for label, items in (
        ("newly breached", result.newly_breached),
        ("newly met", result.newly_met),
    ):
        if items:
            console.print(
                f"{label}: " + _short([f"{t} {m}" for t, m, _ in items], limit=10),
                markup=False,
                highlight=False,
            )


# ---- demo ------------------------------------------------------------------------------------------


def _cmd_demo(args: argparse.Namespace) -> int:
    """Generate a synthetic helpdesk (five customers, three policies and calendars, Zendesk-,
    Jira- and e-mail-shaped payloads through the installed adapters, with waits, escalations,
    reopenings, ratings, late and duplicate deliveries), store it with an SLAEngine in a SQLite
    file, scan it, and report on October 2026 with an HTML page. Deterministic with --seed."""
    from rich.progress import Progress

    from ._demo import run_demo

    if not 1 <= args.tickets <= 100_000:
        raise ConfigurationError(
            f"--tickets: {args.tickets} is not between 1 and 100000", subject="--tickets"
        )
    console = terminal_console()
    with Progress(
        console=console, transient=True, disable=args.quiet or not console.is_terminal
    ) as bar:
        task = bar.add_task("generating tickets", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        result = run_demo(args.out, seed=args.seed, tickets=args.tickets, progress=progress)
    lines = [
        f"{plural(result.tickets, 'ticket')} of 5 customers, September and October 2026 (seed {args.seed})",
        f"{plural(result.payloads, 'delivery', 'deliveries')} ({result.late_sent} late, "
        f"{result.duplicates_sent} repeated) "
        + (
            f"through the {', '.join(result.via_adapters)} "
            f"{'adapter' if len(result.via_adapters) == 1 else 'adapters'}"
            if result.via_adapters
            else "with no adapter installed"
        )
        + (
            f"; {', '.join(result.direct)} written as events (adapter not installed)"
            if result.direct
            else ""
        ),
        f"stored {plural(result.stored, 'event')} in {result.database}; "
        f"{plural(result.duplicates_dropped, 'duplicate')} dropped, {result.late_stored} arrived "
        "after later events of their ticket",
        f"scan: {plural(result.breaches_scanned, 'new breach', 'new breaches')}, "
        f"{plural(result.warnings_scanned, 'new warning')} "
        "(the rest were recorded as the events arrived)",
    ]
    for line in lines:
        console.print(line, markup=False, highlight=False)
    if not args.quiet:
        print_report(result.report, console)
    console.print(f"HTML report: {result.html}", markup=False, highlight=False, soft_wrap=True)
    console.print("next:", markup=False, highlight=False)
    print_command(
        console,
        f"ticketsla report --db sqlite:///{result.database} --policy "
        f"{result.folder / 'policies' / 'gold.toml'} --policy {result.folder / 'policies' / 'silver.toml'} "
        f"--policy {result.folder / 'policies' / 'standard.toml'} --period 2026-10 --by customer",
    )
    return 0
