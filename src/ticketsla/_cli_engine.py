"""The engine's commands of the ``ticketsla`` CLI: ``db``, ``ingest``, ``status``, ``at-risk``, ``scan``.

::

    ticketsla db upgrade --db sqlite:///sla.db
    ticketsla ingest events.jsonl --db sqlite:///sla.db --policy policies/standard.toml
    ticketsla status T-1042 --db sqlite:///sla.db
    ticketsla at-risk --within 1h --db sqlite:///sla.db
    ticketsla scan --db sqlite:///sla.db --every 30s --jsonl notifications.jsonl

``--db`` defaults to ``$TICKETSLA_DB``, else ``sqlite:///sla.db``. Policies come from ``--policy``
files (first match wins, in the order given), else from the policies plugins register. Handlers
return the exit status (0 ok, 1 some input rejected) and raise ``TicketSLAError`` subclasses for
bad input, which the CLI's ``main`` reports with status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import IO, Any

from . import migrations
from ._instants import parse_instant
from ._terminal import plural, print_table
from .cli import show_help
from .durations import format_duration, parse_duration
from .engine import IngestResult, SLAEngine, describe_database_error, require_postgresql_driver
from .errors import ConfigurationError, EventError, StoreError, TicketSLAError
from .events import TicketEvent
from .plugins import default_plugin_manager
from .plugins import policies as registered_policies
from .policy import SLAPolicy

__all__ = ["add_commands", "ingest_into"]

DB_ENV = "TICKETSLA_DB"
_DEFAULT_DB = "sqlite:///sla.db"
_SHOWN_REJECTS = 20
_PROGRESS_BYTES = 1 << 20  # show a progress bar for files above 1 MiB on a terminal


def add_commands(commands: Any) -> None:
    """Add the engine's commands to the ``ticketsla`` sub-commands (an argparse sub-parsers)."""
    db = commands.add_parser("db", help="manage the engine's database schema")
    db.set_defaults(handler=show_help(db))
    db_commands = db.add_subparsers(title="db commands", metavar="COMMAND")
    upgrade = db_commands.add_parser(
        "upgrade", help="create or migrate the tables", description=_cmd_db_upgrade.__doc__
    )
    _db_option(upgrade)
    upgrade.add_argument("--revision", default="head", help="target revision (default: head)")
    upgrade.set_defaults(handler=_cmd_db_upgrade)
    current = db_commands.add_parser(
        "current", help="print the schema revision", description=_cmd_db_current.__doc__
    )
    _db_option(current)
    current.set_defaults(handler=_cmd_db_current)

    ingest = commands.add_parser(
        "ingest", help="store events from a JSON lines file", description=_cmd_ingest.__doc__
    )
    ingest.add_argument(
        "file", metavar="FILE.jsonl", help="events, one JSON object a line ('-': stdin)"
    )
    _db_option(ingest)
    _policy_option(ingest)
    ingest.add_argument("--rejects", help="write rejected lines here, each with its line number")
    ingest.add_argument("--batch", type=int, default=1000, help="events per transaction (1000)")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    ingest.set_defaults(handler=_cmd_ingest)

    status = commands.add_parser(
        "status", help="a ticket's stored SLA clocks", description=_cmd_status.__doc__
    )
    status.add_argument("ticket", metavar="TICKET", help="the ticket id")
    _db_option(status)
    status.add_argument("--json", action="store_true", help="print JSON instead of a table")
    status.set_defaults(handler=_cmd_status)

    at_risk = commands.add_parser(
        "at-risk", help="running clocks due soon", description=_cmd_at_risk.__doc__
    )
    _db_option(at_risk)
    at_risk.add_argument("--within", default="1h", help="how soon: 1h, 30m, PT2H (default 1h)")
    at_risk.add_argument("--at", help="ISO 8601 instant with offset (default: now)")
    at_risk.add_argument("--limit", type=int, help="at most this many clocks")
    at_risk.add_argument("--json", action="store_true", help="print JSON instead of a table")
    at_risk.set_defaults(handler=_cmd_at_risk)

    scan = commands.add_parser(
        "scan", help="record due warnings and breaches, deliver them", description=_cmd_scan.__doc__
    )
    _db_option(scan)
    scan.add_argument("--every", help="keep running, one pass per interval (30s, 1m)")
    scan.add_argument("--at", help="scan as of this ISO 8601 instant (one pass only)")
    scan.add_argument("--jsonl", help="also write each notification to this JSON lines file")
    scan.add_argument("--quiet", action="store_true", help="no line per pass")
    scan.add_argument(
        "--json", action="store_true", help="print each pass as one JSON object a line"
    )
    scan.set_defaults(handler=_cmd_scan)


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=os.environ.get(DB_ENV, _DEFAULT_DB),
        help=f"database URL (default: ${DB_ENV} or {_DEFAULT_DB})",
    )


def _policy_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="FILE",
        help="a policy .toml file; repeat for several (first match wins). Default: the policies "
        "plugins register",
    )


# ---- db ----------------------------------------------------------------------------------------


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Create the engine's tables, or migrate them to the newest revision shipped."""
    engine = _sqlalchemy_engine(args.db)
    try:
        before = migrations.current(engine)
        migrations.upgrade(engine, args.revision)
        after = migrations.current(engine)
    except Exception as exc:
        if isinstance(exc, TicketSLAError):
            raise
        raise StoreError(
            f"db upgrade: {redacted(args.db)}: {describe_database_error(exc)}", subject=args.db
        ) from exc
    finally:
        engine.dispose()
    if before == after:
        print(f"{redacted(args.db)}: already at revision {after}")
    else:
        print(f"{redacted(args.db)}: upgraded from {before or 'an empty database'} to {after}")
    return 0


def _cmd_db_current(args: argparse.Namespace) -> int:
    """Print the revision the database is at, and the newest this ticketsla ships."""
    engine = _sqlalchemy_engine(args.db)
    try:
        found = migrations.current(engine)
    except Exception as exc:
        raise StoreError(
            f"db current: {redacted(args.db)}: {describe_database_error(exc)}", subject=args.db
        ) from exc
    finally:
        engine.dispose()
    print(f"current {found or 'none'}  head {migrations.head()}")
    return 0


def _sqlalchemy_engine(url: str) -> Any:
    import sqlalchemy as sa

    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise ConfigurationError(f"--db: {url!r} is not a database URL", subject=url) from exc
    if parsed.get_backend_name() == "postgresql":
        require_postgresql_driver()
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return sa.create_engine(parsed)


def redacted(url: str) -> str:
    """A database URL fit to print: the password, if any, shown as ``***``."""
    import sqlalchemy as sa

    try:
        return str(sa.engine.make_url(url).render_as_string(hide_password=True))
    except sa.exc.ArgumentError:
        return url


# ---- ingest ------------------------------------------------------------------------------------


@dataclass
class _Tally:
    lines: int = 0
    rejected: int = 0
    result: IngestResult = field(default_factory=IngestResult)


def _cmd_ingest(args: argparse.Namespace) -> int:
    """Store events from a JSON lines file (``TicketEvent.to_dict()`` per line) idempotently.

    A line that is not JSON or not a valid event is reported with its line number, written to
    ``--rejects`` with the reason, and skipped; the rest are stored. Exit status 1 when any line
    was rejected.
    """
    if args.batch < 1:
        raise ConfigurationError(
            f"--batch: {args.batch} is not a positive number", subject="--batch"
        )
    policies = _load_policies(args.policy)
    tally = _Tally()
    with (
        SLAEngine(args.db, policies=policies, batch_size=args.batch) as engine,
        _RejectsFile(args.rejects) as rejects,
        _Source(args.file) as source,
        _Progress(source, enabled=not args.quiet) as progress,
    ):
        batch: list[tuple[int, TicketEvent]] = []
        for number, text in source.lines():
            tally.lines += 1
            progress.advance(len(text))
            if not text.strip():
                continue
            try:
                batch.append((number, _event_of(text)))
            except TicketSLAError as exc:
                _reject(tally, rejects, number, text, exc.message, quiet=args.quiet)
                continue
            if len(batch) >= args.batch:
                _flush(engine, batch, tally, rejects, quiet=args.quiet)
        _flush(engine, batch, tally, rejects, quiet=args.quiet)
    if not args.quiet:
        r = tally.result
        print(
            f"ingest: {plural(tally.lines, 'line')}, {r.stored} stored, "
            f"{plural(r.duplicates, 'duplicate')}, {tally.rejected} rejected; {r.late} late, "
            f"{plural(r.refolded, 'ticket refold')}",
            file=sys.stderr,
        )
    return 1 if tally.rejected else 0


def _event_of(text: str) -> TicketEvent:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EventError(f"not JSON: {exc.msg} at column {exc.colno}") from None
    return TicketEvent.from_dict(data)


def _flush(
    engine: SLAEngine,
    batch: list[tuple[int, TicketEvent]],
    tally: _Tally,
    rejects: IO[str] | None,
    *,
    quiet: bool,
) -> None:
    if not batch:
        return
    result = engine.ingest([event for _, event in batch])
    for index, reason in result.errors:
        number, event = batch[index]
        _reject(tally, rejects, number, json.dumps(event.to_dict()), reason, quiet=quiet)
    tally.result = tally.result + IngestResult(
        stored=result.stored,
        duplicates=result.duplicates,
        late=result.late,
        refolded=result.refolded,
    )
    batch.clear()


def _reject(
    tally: _Tally, rejects: IO[str] | None, number: int, text: str, reason: str, *, quiet: bool
) -> None:
    tally.rejected += 1
    if rejects is not None:
        record = {"line": number, "reason": reason, "text": text.rstrip("\n")}
        rejects.write(json.dumps(record, ensure_ascii=False) + "\n")
    if quiet:
        return
    if tally.rejected <= _SHOWN_REJECTS:
        print(f"ingest: line {number}: {reason}", file=sys.stderr)
    elif tally.rejected == _SHOWN_REJECTS + 1:
        print("ingest: more rejected lines: see --rejects", file=sys.stderr)


class _Source:
    """The lines of a file (or standard input), numbered from 1."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.size = 0
        self._handle: IO[str] | None = None

    def __enter__(self) -> _Source:
        if self.path == "-":
            self._handle = sys.stdin
            return self
        try:
            self._handle = open(self.path, encoding="utf-8", errors="replace")
            self.size = Path(self.path).stat().st_size
        except OSError as exc:
            raise ConfigurationError(
                f"ingest: cannot read {self.path!r}: {exc.strerror or exc}", subject=self.path
            ) from None
        return self

    def lines(self) -> Iterator[tuple[int, str]]:
        assert self._handle is not None
        yield from enumerate(self._handle, start=1)

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None and self._handle is not sys.stdin:
            self._handle.close()


class _Progress:
    """A rich progress bar over the file's bytes, on a terminal and for files over 1 MiB."""

    def __init__(self, source: _Source, *, enabled: bool) -> None:
        self._bar: Any = None
        self._task: Any = None
        self._source = source
        self._enabled = enabled and source.size > _PROGRESS_BYTES and sys.stderr.isatty()

    def __enter__(self) -> _Progress:
        if self._enabled:
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(
                f"ingesting {self._source.path}", total=self._source.size
            )
        return self

    def advance(self, size: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, size)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


class _RejectsFile:
    """The --rejects file opened for writing, or nothing."""

    def __init__(self, path: str | None) -> None:
        self._path = path
        self._handle: IO[str] | None = None

    def __enter__(self) -> IO[str] | None:
        if self._path is None:
            return None
        try:
            self._handle = open(self._path, "w", encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(
                f"--rejects: cannot write {self._path!r}: {exc.strerror or exc}",
                subject=self._path,
            ) from None
        return self._handle

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()


def _load_policies(paths: list[str]) -> list[SLAPolicy]:
    if paths:
        return [SLAPolicy.load(path) for path in paths]
    registry = registered_policies(default_plugin_manager())
    found = [registry.load(name, SLAPolicy.load) for name in registry.names()]
    policies = [p for p in found if isinstance(p, SLAPolicy)]
    if not policies:
        raise ConfigurationError(
            "no policies: pass --policy FILE (repeat for several), or install a plugin that "
            "registers policies",
            subject="--policy",
        )
    return policies


# ---- status and at-risk ------------------------------------------------------------------------


def _cmd_status(args: argparse.Namespace) -> int:
    """Show a ticket's stored clocks: status, target, elapsed, due and breach, per metric."""
    with SLAEngine(args.db, upgrade=False) as engine:
        clocks = engine.clocks(args.ticket)
    if args.json:
        print(json.dumps([c.to_dict() for c in clocks], indent=2))
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
    return 0


def _cmd_at_risk(args: argparse.Namespace) -> int:
    """List running clocks due within --within of now (or --at), soonest first."""
    within = parse_duration(args.within, field="--within")
    at = parse_instant(args.at, "--at") if args.at else datetime.now(UTC)
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
    from ._terminal import console

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
        from .notifiers import JSONLinesNotifier

        plugins.append(JSONLinesNotifier(args.jsonl))
    stop = threading.Event()
    previous = _install_stop_handlers(stop) if every is not None else {}
    try:
        with SLAEngine(args.db, plugins=plugins, upgrade=False) as engine:
            while True:
                scanned = engine.scan(at)
                drained = engine.drain()
                if args.json:
                    counts = {**dataclasses.asdict(scanned), **dataclasses.asdict(drained)}
                    print(json.dumps(counts), flush=True)
                elif not args.quiet:
                    print(
                        f"scan: {plural(scanned.tickets, 'ticket')}, "
                        f"{plural(scanned.warnings, 'warning')} and "
                        f"{plural(scanned.breaches, 'breach', 'breaches')} recorded; "
                        f"{drained.delivered} delivered, "
                        f"{drained.failed} failed",
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


# ---- for other commands ------------------------------------------------------------------------


def ingest_into(db: str, events: list[TicketEvent], policy_files: list[str]) -> IngestResult:
    """Store ``events`` in the database ``db`` (created or migrated as needed) under the policies
    of ``policy_files`` (default: the registered ones). For ``ticketsla import --db URL``."""
    with SLAEngine(db, policies=_load_policies(policy_files)) as engine:
        return engine.ingest(events)
