"""The engine's write commands of the ``ticketsla`` CLI: ``db`` and ``ingest``.

::

    ticketsla db upgrade --db sqlite:///sla.db
    ticketsla ingest events.jsonl --db sqlite:///sla.db --policy policies/standard.toml

``--db`` defaults to ``$TICKETSLA_DB``, else ``sqlite:///sla.db``. Policies come from ``--policy``
files (first match wins, in the order given), else from the policies plugins register. Handlers
return the exit status (0 ok, 1 some input rejected) and raise ``TicketSLAError`` subclasses for
bad input, which the CLI's ``main`` reports with status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .. import migrations
from ..engine import IngestResult, SLAEngine, require_postgresql_driver
from ..errors import ConfigurationError, EventError, StoreError, TicketSLAError
from ..events import TicketEvent
from ..redaction import redact_url, scrub_secrets
from .common import Subparsers, show_help
from .engine_options import db_option, load_policies, policy_option
from .terminal import plural

__all__ = ["register"]

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
    db_option(upgrade)
    upgrade.add_argument("--revision", default="head", help="target revision (default: head)")
    upgrade.set_defaults(handler=_cmd_db_upgrade)
    current = db_commands.add_parser(
        "current", help="print the schema revision", description=_cmd_db_current.__doc__
    )
    db_option(current)
    current.set_defaults(handler=_cmd_db_current)
    _register_ingest(commands)


def _register_ingest(commands: Subparsers) -> None:
    ingest = commands.add_parser(
        "ingest", help="store events from a JSON lines file", description=_cmd_ingest.__doc__
    )
    ingest.add_argument(
        "file", metavar="FILE.jsonl", help="events, one JSON object a line ('-': stdin)"
    )
    db_option(ingest)
    policy_option(ingest)
    ingest.add_argument("--rejects", help="write rejected lines here, each with its line number")
    ingest.add_argument("--batch", type=int, default=1000, help="events per transaction (1000)")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    ingest.set_defaults(handler=_cmd_ingest)


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
    policies = load_policies(args.policy)
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
