"""``ticketsla import --dry-run``: read an export the way ``import`` would, store nothing, report.

For each source (the one named by ``--source``, else every installed one) every PATH is parsed
exactly as ``ticketsla import`` parses it: handed whole to a batch adapter (mail), else one
payload per file or per line of a ``*.jsonl``/``*.ndjson`` file. Nothing is written or stored.
The report says, per source: payloads read and refused, events by kind, automated messages
recognised (by reason), and refusals grouped by reason with example file names, so a team can
check its export before the first import. ``--json`` prints the same as one JSON object.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pluggy

from ..errors import AdapterError, ConfigurationError, TicketSLAError
from ..events import TicketEvent, order_events
from ..plugins import default_plugin_manager, parse_payload, sources
from ..plugins.manager import _checked_events
from ..plugins.sources import (
    DEFAULT_MAX_DEPTH,
    BatchSourceAdapter,
    PayloadLimits,
    SourceAdapter,
    SourceBatch,
)

__all__ = ["DryRunReport", "dry_run", "print_reports", "run_dry"]

_LINE_SUFFIXES = (".jsonl", ".ndjson")
_EXAMPLES = 3
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|<[^<>\s]*>")
_NUMBER = re.compile(r"(?<![\w-])\d+(?![\w-])")


@dataclass
class DryRunReport:
    """What one source made of the PATHs."""

    source: str
    payloads: int = 0
    refused: int = 0
    events: int = 0
    duplicates: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    automated: Counter[str] = field(default_factory=Counter)
    refusals: dict[str, list[str]] = field(default_factory=dict)

    def refuse(self, label: str, reason: str) -> None:
        self.refused += 1
        self.refusals.setdefault(reason_group(reason), []).append(label)

    def as_data(self) -> dict[str, Any]:
        """The report as plain data (the ``--json`` form)."""
        groups = sorted(self.refusals.items(), key=lambda item: (-len(item[1]), item[0]))
        return {
            "source": self.source,
            "payloads": self.payloads,
            "read": self.payloads - self.refused,
            "refused": self.refused,
            "events": self.events,
            "duplicates_dropped": self.duplicates,
            "events_by_kind": dict(sorted(self.by_kind.items())),
            "automated": dict(sorted(self.automated.items())),
            "refusals": [
                {"reason": reason, "count": len(labels), "examples": labels[:_EXAMPLES]}
                for reason, labels in groups
            ],
        }


def reason_group(reason: str) -> str:
    """A refusal reason with what differs between payloads (quoted ids, numbers) blanked out."""
    return _NUMBER.sub("N", _QUOTED.sub("…", reason))


def dry_run(
    paths: Sequence[Path],
    pm: pluggy.PluginManager,
    *,
    source: str | None,
    limits: PayloadLimits,
) -> list[DryRunReport]:
    """One report per source: the named one, else every installed one."""
    registry = sources(pm)
    adapters = [registry.get(source)] if source else list(registry)
    if not adapters:
        raise ConfigurationError("import --dry-run: no source adapter is installed")
    return [_report(adapter, paths, pm, limits) for adapter in adapters]


def _report(
    adapter: SourceAdapter, paths: Sequence[Path], pm: pluggy.PluginManager, limits: PayloadLimits
) -> DryRunReport:
    report = DryRunReport(adapter.name)
    events: list[TicketEvent] = []
    if isinstance(adapter, BatchSourceAdapter):
        batch = _batch(adapter, paths, limits)
        events.extend(_checked_events(adapter, batch.events))
        report.payloads = batch.payloads
        for reject in batch.rejects:
            report.refuse(reject.label, reject.reason)
        report.automated.update(dict(batch.automated))
    else:
        for label, data, problem in _payloads(paths, limits, adapter.name):
            report.payloads += 1
            if problem is not None:
                report.refuse(label, problem)
                continue
            try:
                found = parse_payload(adapter.name, data, limits=limits, pm=pm)
            except TicketSLAError as exc:
                report.refuse(label, exc.message)
                continue
            events.extend(found)
            report.automated.update(f"{e.kind} (automatic)" for e in found if e.auto)
    ordered = order_events(events)
    report.events = len(ordered)
    report.duplicates = len(events) - len(ordered)
    report.by_kind.update(str(e.kind) for e in ordered)
    return report


def _batch(
    adapter: BatchSourceAdapter, paths: Sequence[Path], limits: PayloadLimits
) -> SourceBatch:
    try:
        batch = adapter.parse_paths(list(paths), limits=limits)
    except TicketSLAError:
        raise
    except Exception as exc:
        raise AdapterError(
            f"{adapter.name}: adapter failed on a batch: {type(exc).__name__}: {str(exc)[:200]}",
            subject=adapter.name,
        ) from exc
    if not isinstance(batch, SourceBatch):
        raise AdapterError(
            f"{adapter.name}: parse_paths returned {type(batch).__name__}, not a SourceBatch",
            subject=adapter.name,
        )
    return batch


def _payloads(
    paths: Sequence[Path], limits: PayloadLimits, source: str
) -> Iterator[tuple[str, bytes, str | None]]:
    """(label, bytes, why it was not read) for each file, or each line of a JSON lines file."""
    for path in _files(paths):
        try:
            if path.suffix.lower() in _LINE_SUFFIXES:
                yield from _lines(path, limits, source)
                continue
            size = path.stat().st_size
            if size > limits.max_bytes:
                problem = (
                    f"{source}: payload of {size} bytes is over the limit of {limits.max_bytes}"
                )
                yield str(path), b"", problem
                continue
            with path.open("rb") as handle:
                yield str(path), handle.read(limits.max_bytes + 1), None
        except OSError as exc:
            yield str(path), b"", f"cannot read: {exc.strerror or exc}"


def _lines(
    path: Path, limits: PayloadLimits, source: str
) -> Iterator[tuple[str, bytes, str | None]]:
    with path.open("rb") as handle:
        number = 0
        while line := handle.readline(limits.max_bytes + 2):
            number += 1
            if not line.endswith(b"\n") and len(line) > limits.max_bytes:
                while line and not line.endswith(b"\n"):
                    line = handle.readline(limits.max_bytes + 2)
                problem = f"{source}: payload line is over the limit of {limits.max_bytes} bytes"
                yield f"{path}:{number}", b"", problem
            elif line.strip():
                yield f"{path}:{number}", line, None


def _files(paths: Sequence[Path]) -> Iterator[Path]:
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        for folder, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                child = Path(folder) / name
                if not name.startswith(".") and child.is_file():
                    yield child


# ---- output ---------------------------------------------------------------------------------


def print_reports(reports: list[DryRunReport], *, as_json: bool, out: TextIO | None = None) -> None:
    """The reports as text tables (80 columns), or as one JSON object.

    In text, when several sources were tried and some read payloads, a source that read none
    takes one line (it is not the export's source).
    """
    out = out or sys.stdout
    if as_json:
        data = {"dry_run": True, "sources": [r.as_data() for r in reports]}
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    some_read = len(reports) > 1 and any(r.payloads > r.refused for r in reports)
    tables = [r for r in reports if not some_read or r.payloads > r.refused]
    for index, report in enumerate(tables):
        if index:
            out.write("\n")
        out.write("\n".join(_table(report)) + "\n")
    for report in reports:
        if report not in tables:
            out.write(_summary_line(report) + "\n")
    out.write("dry run: nothing was written or stored\n")


def _table(report: DryRunReport) -> list[str]:
    data = report.as_data()
    lines = [
        f"source {report.source}",
        _row("payloads", data["payloads"]),
        _row("read", data["read"]),
        _row("refused", data["refused"]),
        _row("events", data["events"]),
    ]
    if report.duplicates:
        lines.append(_row("duplicates dropped", report.duplicates))
    lines.extend(_row(kind, count, indent=4) for kind, count in data["events_by_kind"].items())
    lines.append(_row("automated recognised", sum(report.automated.values())))
    lines.extend(_row(reason, count, indent=4) for reason, count in data["automated"].items())
    if data["refusals"]:
        lines.append("  refusals by reason")
        for group in data["refusals"]:
            lines.append(_row(group["reason"], group["count"], indent=4))
            lines.extend("      " + _cut_left(label, 74) for label in group["examples"])
    return lines


def _summary_line(report: DryRunReport) -> str:
    first = next(iter(report.refusals), "")
    return _cut(f"source {report.source}: read none of {report.payloads} ({first})", 80)


def _row(label: str, count: int, *, indent: int = 2) -> str:
    text = " " * indent + _cut(label, 70 - indent)
    return f"{text:<70}{count:>10}"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cut_left(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1) :]


def run_dry(args: Any, pm: pluggy.PluginManager | None) -> int:
    """``ticketsla import --dry-run``: exit 0 when a source read every payload, else 1."""
    if not args.dry_run:
        raise ConfigurationError("import: --json goes with --dry-run", subject="--json")
    for option, given in (
        ("--out", args.out),
        ("--db", args.db),
        ("--rejects", args.rejects),
        ("--policy", args.policy),
    ):
        if given:
            raise ConfigurationError(
                f"import: --dry-run writes and stores nothing, so {option} does not go with it",
                subject=option,
            )
    if args.max_bytes < 1:
        raise ConfigurationError(
            f"--max-bytes: {args.max_bytes} is not a positive number of bytes",
            subject="--max-bytes",
        )
    paths = []
    for text in args.paths:
        path = Path(text)
        if not (path.is_dir() or path.is_file()):
            raise ConfigurationError(
                f"import: {text!r} is neither a file nor a folder", subject=text
            )
        paths.append(path)
    pm = pm if pm is not None else default_plugin_manager()
    limits = PayloadLimits(max_bytes=args.max_bytes, max_depth=DEFAULT_MAX_DEPTH)
    reports = dry_run(paths, pm, source=args.source, limits=limits)
    print_reports(reports, as_json=args.json)
    return 0 if any(r.refused == 0 and r.payloads for r in reports) else 1
