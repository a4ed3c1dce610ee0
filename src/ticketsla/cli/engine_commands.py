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
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import IO, Any

from .. import migrations
from .._instants import parse_instant
from ..durations import format_duration, parse_duration
from ..engine import IngestResult, SLAEngine, require_postgresql_driver
from ..errors import ConfigurationError, EventError, StoreError, TicketSLAError
from ..escalation_notice import EscalationRecord
from ..events import TicketEvent
from ..notifications import Notification
from ..plugins import default_plugin_manager
from ..plugins import policies as registered_policies
from ..policy import SLAPolicy
from ..redaction import redact_url, scrub_secrets
from ..store import DeliveryState
from .common import Subparsers, show_help
from .terminal import plural, print_table

__all__ = ["register", "ingest_into"]

DB_ENV = "TICKETSLA_DB"
_DEFAULT_DB = "sqlite:///sla.db"
_SHOWN_REJECTS = 20
_PROGRESS_BYTES = 1 << 20  # show a progress bar for files above 1 MiB on a terminal


def register(commands: Subparsers) -> None:
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
    _register_ingest(commands)
    _register_queries(commands)
    _register_scan(commands)


def _register_ingest(commands: Subparsers) -> None:
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


def _register_scan(commands: Subparsers) -> None:
    scan = commands.add_parser(
        "scan", help="record due warnings and breaches, deliver them", description=_cmd_scan.__doc__
    )
    _db_option(scan)
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
            f"db upgrade: {redacted(args.db)}: {_failure(exc, args.db)}", subject=redacted(args.db)
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
    if _no_sqlite_file(engine):  # connecting would create an empty file: a read must not
        engine.dispose()
        print(f"current none (no database file)  head {migrations.head()}")
        return 0
    try:
        found = migrations.current(engine)
    except Exception as exc:
        raise StoreError(
            f"db current: {redacted(args.db)}: {_failure(exc, args.db)}", subject=redacted(args.db)
        ) from exc
    finally:
        engine.dispose()
    print(f"current {found or 'none'}  head {migrations.head()}")
    return 0


def _no_sqlite_file(engine: Any) -> bool:
    database = str(engine.url.database or "")
    return bool(
        engine.dialect.name == "sqlite"
        and database not in ("", ":memory:")
        and not database.startswith("file:")
        and not os.path.exists(database)
    )


def _sqlalchemy_engine(url: str) -> Any:
    import sqlalchemy as sa

    from .._database_url import database_url

    parsed = database_url(url, what="--db")
    if parsed.get_backend_name() == "postgresql":
        require_postgresql_driver()
    return sa.create_engine(parsed)


def _failure(exc: BaseException, url: str) -> str:
    """The first line of a database failure, without anything secret from ``url``."""
    original = getattr(exc, "orig", None)
    lines = str(original if original is not None else exc).strip().splitlines()
    return scrub_secrets(lines[0] if lines else type(exc).__name__, url)


def redacted(url: str) -> str:
    """A database URL fit to print (``ticketsla.redaction.redact_url``)."""
    return redact_url(url)


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
    except RecursionError:
        raise EventError("not an event: JSON nested too deep") from None
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
    for rejection in result.errors:
        number, event = batch[rejection.position]
        text = json.dumps(event.to_dict(), ensure_ascii=False)
        _reject(tally, rejects, number, text, rejection.reason, quiet=quiet)
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


def _scan_policies(paths: list[str]) -> list[SLAPolicy]:
    """The policies whose escalation levels a scan fires: the files given, else the registered
    ones; none is fine (warnings and breaches need no policy: the clocks carry them)."""
    if paths:
        return [SLAPolicy.load(path) for path in paths]
    registry = registered_policies(default_plugin_manager())
    found = [registry.load(name, SLAPolicy.load) for name in registry.names()]
    return [p for p in found if isinstance(p, SLAPolicy)]


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
        from ..notifiers import JSONLinesNotifier

        plugins.append(JSONLinesNotifier(args.jsonl))
    stop = threading.Event()
    previous = _install_stop_handlers(stop) if every is not None else {}
    try:
        policies = _scan_policies(args.policy)
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


# ---- for other commands ------------------------------------------------------------------------


def ingest_into(db: str, events: list[TicketEvent], policy_files: list[str]) -> IngestResult:
    """Store ``events`` in the database ``db`` (created or migrated as needed) under the policies
    of ``policy_files`` (default: the registered ones). For ``ticketsla import --db URL``."""
    with SLAEngine(db, policies=_load_policies(policy_files)) as engine:
        result = engine.ingest(events)
    for rejection in result.errors[:_SHOWN_REJECTS]:
        event = events[rejection.position]
        print(
            f"import: rejected event {event.event_id!r} of ticket {event.ticket_id!r}: "
            f"{rejection.reason}",
            file=sys.stderr,
        )
    if result.rejected > _SHOWN_REJECTS:
        print(f"import: {result.rejected - _SHOWN_REJECTS} more rejected events", file=sys.stderr)
    return result
