"""``ticketsla import`` hands whole PATHs to adapters that read batches, files to the others."""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ticketsla.cli import main
from ticketsla.errors import PayloadError, SignatureError
from ticketsla.events import TicketEvent
from ticketsla.hookspecs import hookimpl
from ticketsla.plugins import default_plugin_manager
from ticketsla.sources import (
    BatchReject,
    BatchSourceAdapter,
    Payload,
    PayloadLimits,
    SourceAdapter,
    SourceBatch,
    SourceRegistry,
    decode_json,
)
from ticketsla.testing import registered

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def event(ticket: str, number: int, source: str) -> TicketEvent:
    return TicketEvent(
        ticket_id=ticket,
        event_id=f"{ticket}.{number}",
        source=source,
        at=datetime.fromisoformat(f"2026-03-02T09:{number:02d}:00+00:00"),
        kind="created" if number == 1 else "customer_message",
    )


class Ledger:
    """A batch source written as a third party would: each ``*.ledger`` file under the given
    paths lists ``ticket number`` lines; a line's ticket may be written in an earlier file."""

    description = "test source: *.ledger files, read as one batch"

    def __init__(self, name: str = "ledger", *, result: Any = None) -> None:
        self.name = name
        self.calls: list[list[Path]] = []
        self.result = result

    def parse(
        self, payload: Payload, *, headers: Mapping[str, str], limits: PayloadLimits
    ) -> list[TicketEvent]:
        raise PayloadError("ledger: read ledgers with parse_paths")

    def verify_signature(
        self, body: bytes, headers: Mapping[str, str], secret: str | bytes, *, now: datetime
    ) -> None:
        raise SignatureError("ledger: not signed")

    def parse_paths(self, paths: Sequence[Path], *, limits: PayloadLimits) -> SourceBatch:
        self.calls.append(list(paths))
        if self.result is not None:
            result: SourceBatch = self.result() if callable(self.result) else self.result
            return result
        files = sorted(f for p in paths for f in ([p] if p.is_file() else p.rglob("*.ledger")))
        events: list[TicketEvent] = []
        rejects: list[BatchReject] = []
        for file in files:
            text = file.read_text(encoding="utf-8")
            if len(text) > limits.max_bytes:
                rejects.append(BatchReject(label=str(file), reason="ledger: file too large"))
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                ticket, _, seq = line.partition(" ")
                if not seq.isdigit():
                    reason = f"ledger: line {number}: expected 'ticket number'"
                    rejects.append(BatchReject(label=f"{file}:{number}", reason=reason))
                    continue
                events.append(event(ticket, int(seq), self.name))
        return SourceBatch(events=tuple(events), rejects=tuple(rejects), payloads=len(files))


class Plugin:
    def __init__(self, adapter: object) -> None:
        self.adapter = adapter

    @hookimpl
    def ticketsla_register_sources(self, registry: SourceRegistry) -> None:
        registry.add(self.adapter)  # type: ignore[arg-type]


class Files:
    """A one-payload-at-a-time source: each file is ``{"ticket": ..., "n": ...}``."""

    name = "files"
    description = "test source: one JSON object per file"

    def __init__(self) -> None:
        self.seen = 0

    def parse(
        self, payload: Payload, *, headers: Mapping[str, str], limits: PayloadLimits
    ) -> list[TicketEvent]:
        self.seen += 1
        data = decode_json(payload, source=self.name, limits=limits)
        return [event(data["ticket"], data["n"], self.name)]

    def verify_signature(
        self, body: bytes, headers: Mapping[str, str], secret: str | bytes, *, now: datetime
    ) -> None:
        raise SignatureError("files: not signed")


def run(adapter: object, *argv: str) -> int:
    """``ticketsla.cli.main`` with ``adapter`` registered on the default plugin manager."""
    with registered(Plugin(adapter), pm=default_plugin_manager()):
        return main(["import", "--source", getattr(adapter, "name", "?"), "--quiet", *argv])


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def ledgers(root: Path) -> Path:
    (root / "2026" / "03").mkdir(parents=True)
    (root / "2026" / "03" / "a.ledger").write_text("T-1 1\nT-2 1\n", encoding="utf-8")
    (root / "2026" / "03" / "b.ledger").write_text("T-1 2\n", encoding="utf-8")
    return root


def test_batch_protocol_is_optional_and_checked_at_runtime() -> None:
    """An adapter with parse_paths is a BatchSourceAdapter; one without it is only a source."""
    assert isinstance(Ledger(), BatchSourceAdapter)
    assert isinstance(Files(), SourceAdapter)
    assert not isinstance(Files(), BatchSourceAdapter)


def test_batch_adapter_is_handed_the_paths_as_given_in_one_call(tmp_path: Path) -> None:
    """Folders are not walked for a batch adapter: it gets every PATH once, in order."""
    adapter = Ledger()
    root = ledgers(tmp_path / "books")
    extra = tmp_path / "extra.ledger"
    extra.write_text("T-2 3\n", encoding="utf-8")
    out = tmp_path / "events.jsonl"
    assert run(adapter, str(root), str(extra), "--out", str(out)) == 0
    assert adapter.calls == [[root, extra]]
    assert [e["event_id"] for e in read_jsonl(out)] == ["T-1.1", "T-2.1", "T-1.2", "T-2.3"]


def test_one_payload_adapters_still_get_one_file_at_a_time(tmp_path: Path) -> None:
    """An adapter without parse_paths is called once per file of a walked folder."""
    adapter = Files()
    (tmp_path / "in" / "deeper").mkdir(parents=True)
    (tmp_path / "in" / "a.json").write_text('{"ticket": "T-1", "n": 1}', encoding="utf-8")
    (tmp_path / "in" / "deeper" / "b.json").write_text('{"ticket": "T-1", "n": 2}')
    out = tmp_path / "events.jsonl"
    assert run(adapter, str(tmp_path / "in"), "--out", str(out)) == 0
    assert adapter.seen == 2
    assert [e["event_id"] for e in read_jsonl(out)] == ["T-1.1", "T-1.2"]


def test_batch_rejects_are_written_with_reasons_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each BatchReject becomes a rejects line (path, error, reason); good events still go out."""
    root = ledgers(tmp_path / "books")
    (root / "bad.ledger").write_text("T-3 one\n", encoding="utf-8")
    (root / "big.ledger").write_text("T-4 1\n" * 100, encoding="utf-8")
    out, rejects = tmp_path / "events.jsonl", tmp_path / "rejects.jsonl"
    argv = [str(root), "--out", str(out), "--rejects", str(rejects), "--max-bytes", "100"]
    assert run(Ledger(), *argv) == 1
    assert len(read_jsonl(out)) == 3
    assert read_jsonl(rejects) == [
        {
            "source": "ledger",
            "path": f"{root / 'bad.ledger'}:1",
            "error": "PayloadError",
            "reason": "ledger: line 1: expected 'ticket number'",
        },
        {
            "source": "ledger",
            "path": str(root / "big.ledger"),
            "error": "PayloadError",
            "reason": "ledger: file too large",
        },
    ]
    assert "ledger: 4 payloads, 2 rejected, 3 events" in capsys.readouterr().err


def test_batch_progress_reports_paths_and_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --quiet the batch is announced and its counts shown on standard error."""
    root = ledgers(tmp_path / "books")
    with registered(Plugin(Ledger()), pm=default_plugin_manager()):
        code = main(["import", "--source", "ledger", str(root), "--out", str(tmp_path / "o")])
    assert code == 0
    err = capsys.readouterr().err
    assert "import: reading 1 path as one batch" in err
    assert "import: 1 path: 2 payloads, 3 events" in err


def test_a_missing_path_exits_2_and_the_adapter_is_not_called(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A PATH that is neither file nor folder is a usage error before any reading (exit 2)."""
    adapter = Ledger()
    assert run(adapter, str(ledgers(tmp_path / "books")), str(tmp_path / "nope")) == 2
    assert adapter.calls == []
    assert "is neither a file nor a folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (lambda: 1 / 0, "adapter test_cli_import.Ledger failed on a batch: ZeroDivisionError"),
        ([event("T-1", 1, "ledger")], "returned list from parse_paths, not a SourceBatch"),
        (SourceBatch(events=(event("T-1", 1, "other"),)), "has source 'other'"),
    ],
    ids=["crash", "wrong-type", "foreign-source"],
)
def test_a_misbehaving_batch_adapter_is_an_adapter_error_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], result: Any, message: str
) -> None:
    """A crash, a result that is not a SourceBatch, or another source's events: exit 2."""
    out = tmp_path / "events.jsonl"
    assert run(Ledger(result=result), str(tmp_path), "--out", str(out)) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_plugins_doc_shows_the_exact_batch_signature() -> None:
    """docs/plugins.md shows parse_paths with the signature the protocol declares."""
    parts = ["self"]
    for param in list(inspect.signature(BatchSourceAdapter.parse_paths).parameters.values())[1:]:
        if param.kind is inspect.Parameter.KEYWORD_ONLY and "*" not in parts:
            parts.append("*")
        parts.append(f"{param.name}: {param.annotation}")
    returns = inspect.signature(BatchSourceAdapter.parse_paths).return_annotation
    expected = f"parse_paths({', '.join(parts)}) -> {returns}"
    assert expected == (
        "parse_paths(self, paths: Sequence[Path], *, limits: PayloadLimits) -> SourceBatch"
    )
    assert f"`{expected}`" in DOCS.read_text(encoding="utf-8")
