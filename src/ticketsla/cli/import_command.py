"""``ticketsla import``: turn a pile of source payloads into normalized events (JSON lines).

::

    ticketsla import --source zendesk exports/ webhooks.jsonl --out events.jsonl --rejects bad.jsonl

Each PATH is a file or a folder (walked recursively, in name order, hidden files skipped). A file
is one payload as it came (a webhook body, an export page, an .eml message, an mbox); a file
named ``*.jsonl`` or ``*.ndjson`` holds one payload per line (captured webhook bodies). An
adapter that implements ``ticketsla.sources.BatchSourceAdapter`` (the email source does) is
handed the PATHs themselves instead and reads them as one batch, its own way (a Maildir's
``cur/`` and ``new/``, never ``tmp/``; messages threaded across every file). A payload the
adapter refuses goes to the rejects file with the reason and the batch carries on. Events are
written in history order with duplicates (the same source and event id, as when export pages
overlap) dropped. Progress and a per-source summary go to standard error.

Exit status: 0 when every payload was read, 1 when some were rejected, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TextIO

import pluggy

from ..errors import AdapterError, ConfigurationError, TicketSLAError
from ..events import TicketEvent, order_events
from ..plugins import default_plugin_manager, parse_payload, sources
from ..plugins.manager import _checked_events
from ..plugins.sources import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_PAYLOAD_BYTES,
    BatchSourceAdapter,
    PayloadLimits,
    SourceBatch,
)
from .common import Subparsers
from .terminal import plural

__all__ = ["register"]

_LINE_SUFFIXES = (".jsonl", ".ndjson")

ManagerFactory = Callable[[], pluggy.PluginManager]


def register(commands: Subparsers, *, plugin_manager: ManagerFactory | None = None) -> None:
    """Add ``import`` to the ``ticketsla`` sub-commands (an argparse sub-parsers object).

    ``plugin_manager`` makes the manager the command uses (default: the installed plugins).
    """
    parser = commands.add_parser(
        "import",
        help="normalize source payloads (files or folders) into events as JSON lines",
        description=_cmd_import.__doc__,
        epilog="exit status: 0 when every payload was read, 1 when some were rejected, "
        "2 for bad arguments",
    )
    parser.add_argument(
        "--source",
        help="the adapter to read with: zendesk, jira, email... (required, except with "
        "--dry-run, which then tries every installed one)",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="payload files or folders")
    parser.add_argument("--out", help="where to write the events (default: standard output)")
    parser.add_argument("--rejects", help="where to write rejected payloads with the reason")
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_PAYLOAD_BYTES,
        help=f"largest payload read, in bytes (default {DEFAULT_MAX_PAYLOAD_BYTES})",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument(
        "--db",
        help="store the events in this database (sqlite:///sla.db or a PostgreSQL URL) "
        "instead of writing them out",
    )
    parser.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="FILE",
        help="with --db: an SLA policy file (repeat; first match wins, last is the default)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="parse everything, store and write nothing; print per source what was read, "
        "recognised and refused",
    )
    parser.add_argument("--json", action="store_true", help="with --dry-run: the report as JSON")
    parser.set_defaults(handler=partial(_cmd_import, plugin_manager=plugin_manager))


@dataclass
class _Run:
    source: str
    limits: PayloadLimits
    pm: pluggy.PluginManager
    rejects: TextIO | None
    progress: bool
    payloads: int = 0
    rejected: int = 0
    events: list[TicketEvent] = field(default_factory=list)


def _cmd_import(args: argparse.Namespace, *, plugin_manager: ManagerFactory | None = None) -> int:
    """Read source payloads from files or folders and write the normalized events as JSON lines."""
    if args.dry_run or args.json:
        from .dry_run import run_dry

        return run_dry(args, plugin_manager() if plugin_manager is not None else None)
    if not args.source:
        raise ConfigurationError("import: --source is required (except with --dry-run)")
    if args.policy and not args.db:
        raise ConfigurationError("--policy goes with --db", subject="--policy")
    if args.db and args.out:
        raise ConfigurationError("--out and --db exclude each other", subject="--out")
    if args.max_bytes < 1:
        raise ConfigurationError(
            f"--max-bytes: {args.max_bytes} is not a positive number of bytes",
            subject="--max-bytes",
        )
    pm = plugin_manager() if plugin_manager is not None else default_plugin_manager()
    adapter = sources(pm).get(args.source)  # an unknown source fails before any file is read
    read: Callable[[_Run], None]
    if isinstance(adapter, BatchSourceAdapter):  # it reads the PATHs itself, as one batch
        read = partial(_read_batch, adapter=adapter, paths=[_existing(p) for p in args.paths])
    else:
        read = partial(_read_files, files=_files(args.paths))
    limits = PayloadLimits(max_bytes=args.max_bytes, max_depth=DEFAULT_MAX_DEPTH)
    with _Output(args.rejects) as rejects:
        run = _Run(args.source, limits, pm, rejects, progress=not args.quiet)
        read(run)
    _reject_clashes(run)
    events = order_events(run.events)
    refused = 0
    if args.db:
        from .backfill_store import backfill_into  # loads SQLAlchemy: only when asked
        from .engine_commands import redacted

        result = backfill_into(args.db, events, args.policy, quiet=args.quiet)
        refused = result.rejected  # events the store refused (an event id given to two tickets)
        _err(
            f"stored {result.stored}, duplicates {result.duplicates}, "
            f"rejected {result.rejected} in {redacted(args.db)}"
        )
    else:
        with _Output(args.out, default=sys.stdout) as out:
            for event in events:
                out.write(json.dumps(event.to_dict(), sort_keys=True, ensure_ascii=False) + "\n")
    _summary(run, events)
    return 1 if run.rejected or refused else 0


def _existing(text: str) -> Path:
    path = Path(text)
    if not (path.is_dir() or path.is_file()):
        raise ConfigurationError(f"import: {text!r} is neither a file nor a folder", subject=text)
    return path


def _files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for text in paths:
        path = _existing(text)
        if path.is_dir():
            for folder, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files = (Path(folder) / n for n in sorted(names) if not n.startswith("."))
                found.extend(f for f in files if f.is_file())  # no FIFOs or devices
        else:
            found.append(path)
    return found


def _read_files(run: _Run, *, files: list[Path]) -> None:
    """Hand the adapter one payload at a time: each file, or each line of a JSON lines file."""
    for number, path in enumerate(files, start=1):
        found = len(run.events)
        rejected = run.rejected
        for label, line, data in _payloads(path, run):
            _parse_one(run, label, line, data)
        if run.progress:
            note = f", {run.rejected - rejected} rejected" if run.rejected > rejected else ""
            _err(
                f"[{number}/{len(files)}] {path}: {plural(len(run.events) - found, 'event')}{note}"
            )


def _read_batch(run: _Run, *, adapter: BatchSourceAdapter, paths: list[Path]) -> None:
    """Hand every PATH to an adapter that reads them as one batch."""
    if run.progress:
        _err(f"reading {plural(len(paths), 'path')} as one batch")
    where = f"{type(adapter).__module__}.{type(adapter).__qualname__}"
    try:
        batch = adapter.parse_paths(paths, limits=run.limits)
    except TicketSLAError:
        raise
    except Exception as exc:
        raise AdapterError(
            f"{run.source}: adapter {where} failed on a batch: {type(exc).__name__}: "
            f"{str(exc)[:200]}",
            subject=run.source,
        ) from exc
    if not isinstance(batch, SourceBatch):
        raise AdapterError(
            f"{run.source}: adapter {where} returned {type(batch).__name__} from parse_paths, "
            "not a SourceBatch",
            subject=run.source,
        )
    events = _checked_events(adapter, batch.events)
    run.payloads += batch.payloads
    for reject in batch.rejects:
        _reject(run, reject.label, None, reject.error, reject.reason, counted=True)
    run.events.extend(events)
    if run.progress:
        note = f", {len(batch.rejects)} rejected" if batch.rejects else ""
        _err(
            f"{plural(len(paths), 'path')}: {plural(batch.payloads, 'payload')}, "
            f"{plural(len(events), 'event')}{note}"
        )


def _payloads(path: Path, run: _Run) -> Iterator[tuple[str, int | None, bytes]]:
    """The payloads of one file: the whole file, or one per line of a JSON lines file."""
    try:
        if path.suffix.lower() in _LINE_SUFFIXES:
            yield from _lines(path, run)
            return
        size = path.stat().st_size
        if size > run.limits.max_bytes:
            _reject(
                run,
                str(path),
                None,
                "PayloadError",
                f"{run.source}: payload of {size} bytes is over the limit of "
                f"{run.limits.max_bytes}",
            )
            return
        with path.open("rb") as handle:
            data = handle.read(run.limits.max_bytes + 1)
        yield str(path), None, data
    except OSError as exc:
        _reject(run, str(path), None, "OSError", f"cannot read: {exc.strerror or exc}")


def _lines(path: Path, run: _Run) -> Iterator[tuple[str, int | None, bytes]]:
    limit = run.limits.max_bytes
    with path.open("rb") as handle:
        number = 0
        while True:
            line = handle.readline(limit + 2)
            if not line:
                return
            number += 1
            if not line.endswith(b"\n") and len(line) > limit:
                while line and not line.endswith(b"\n"):  # skip the rest of the long line
                    line = handle.readline(limit + 2)
                _reject(
                    run,
                    str(path),
                    number,
                    "PayloadError",
                    f"{run.source}: payload line is over the limit of {limit} bytes",
                )
                continue
            if line.strip():
                yield str(path), number, line


def _parse_one(run: _Run, label: str, line: int | None, data: bytes) -> None:
    run.payloads += 1
    try:
        events = parse_payload(run.source, data, limits=run.limits, pm=run.pm)
    except TicketSLAError as exc:
        _reject(run, label, line, type(exc).__name__, exc.message, counted=True)
        return
    run.events.extend(events)


def _reject(
    run: _Run,
    path: str,
    line: int | None,
    error: str,
    reason: str,
    *,
    counted: bool = False,
) -> None:
    if not counted:
        run.payloads += 1
    run.rejected += 1
    record: dict[str, Any] = {"source": run.source, "path": path, "error": error, "reason": reason}
    if line is not None:
        record["line"] = line
    if run.rejects is not None:
        run.rejects.write(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
        run.rejects.flush()
    if run.progress:
        where = f"{path}:{line}" if line is not None else path
        _err(f"rejected {where}: {reason}")


def _reject_clashes(run: _Run) -> None:
    """Reject an event whose key (source, event id) an earlier payload gave to another ticket:
    dropping it as a duplicate would lose that ticket's event without a word."""
    owners: dict[tuple[str, str], str] = {}
    kept: list[TicketEvent] = []
    for event in run.events:
        owner = owners.setdefault(event.key, event.ticket_id)
        if owner == event.ticket_id:
            kept.append(event)
            continue
        reason = (
            f"event {event.event_id!r} of source {event.source!r} names ticket "
            f"{event.ticket_id!r}, but an earlier payload gave it to ticket {owner!r}: event ids "
            "are unique within their source"
        )
        _reject(run, f"{event.source}:{event.event_id}", None, "EventError", reason, counted=True)
    run.events = kept


def _summary(run: _Run, events: list[TicketEvent]) -> None:
    kinds = Counter(str(e.kind) for e in events)
    duplicates = len(run.events) - len(events)
    by_kind = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())) or "none"
    _err(
        f"{run.source}: {plural(run.payloads, 'payload')}, {run.rejected} rejected, "
        f"{plural(len(events), 'event')} ({plural(duplicates, 'duplicate')} dropped): {by_kind}"
    )


class _Output:
    """A file opened for writing, a default stream, or nothing."""

    def __init__(self, path: str | None, *, default: TextIO | None = None) -> None:
        self._path = path
        self._default = default
        self._handle: TextIO | None = None

    def __enter__(self) -> Any:
        if self._path is None or self._path == "-":
            return self._default
        try:
            self._handle = open(self._path, "w", encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(
                f"import: cannot write {self._path!r}: {exc.strerror or exc}", subject=self._path
            ) from None
        return self._handle

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()


def _err(text: str) -> None:
    print(f"import: {text}", file=sys.stderr)
