"""``ticketsla import --source zendesk`` on a folder of recorded payloads."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("ticketsla_zendesk", reason="ticketsla-zendesk is not installed")

from zendesk_testdata import FIXTURES

from ticketsla.cli.import_command import register
from ticketsla.events import TicketEvent
from ticketsla.plugins import DISABLED_PLUGINS_ENV, get_plugin_manager


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ticketsla")
    register(parser.add_subparsers(), plugin_manager=get_plugin_manager)
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def test_import_of_every_fixture_writes_events_and_rejects_the_unplaceable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """All fixtures import; page 2 and the unknown author are rejected without agent ids."""
    monkeypatch.delenv(DISABLED_PLUGINS_ENV, raising=False)
    monkeypatch.delenv("TICKETSLA_ZENDESK_AGENT_IDS", raising=False)
    folder = tmp_path / "zendesk"
    shutil.copytree(FIXTURES, folder)
    out, rejects = tmp_path / "events.jsonl", tmp_path / "rejects.jsonl"
    argv = [
        "import",
        "--source",
        "zendesk",
        str(folder),
        "--out",
        str(out),
        "--rejects",
        str(rejects),
    ]
    assert run(argv) == 1
    rejected = sorted(
        Path(json.loads(line)["path"]).name for line in rejects.read_text().splitlines()
    )
    assert rejected == ["audit_single_unknown_author.json", "incremental_ticket_events_page2.json"]
    events = [TicketEvent.from_dict(json.loads(line)) for line in out.read_text().splitlines()]
    keys = [e.key for e in events]
    assert len(keys) == len(set(keys))
    assert ("zendesk", "comment-200030") in keys
    assert "zendesk: 18 payloads, 2 rejected" in capsys.readouterr().err


def test_import_with_agent_ids_reads_every_payload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With TICKETSLA_ZENDESK_AGENT_IDS set, every recorded payload is read."""
    monkeypatch.delenv(DISABLED_PLUGINS_ENV, raising=False)
    monkeypatch.setenv("TICKETSLA_ZENDESK_AGENT_IDS", "7001,7002,7003")
    out = tmp_path / "events.jsonl"
    assert run(["import", "--source", "zendesk", str(FIXTURES), "--out", str(out), "--quiet"]) == 0
    tickets = {json.loads(line)["ticket_id"] for line in out.read_text().splitlines()}
    assert tickets == {"4711", "4712", "4713", "4714"}
