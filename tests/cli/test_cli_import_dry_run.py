"""``ticketsla import --dry-run``: everything parsed, nothing written or stored, a report per source."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ticketsla.cli import main

ROOT = Path(__file__).resolve().parents[2]
EMAIL = ROOT / "adapters" / "email" / "tests"
JIRA = ROOT / "adapters" / "jira" / "tests"


@pytest.fixture
def export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of mail: a thread, a bounce, a read receipt and one undatable message."""
    monkeypatch.delenv("TICKETSLA_DISABLED_PLUGINS", raising=False)
    monkeypatch.delenv("TICKETSLA_EMAIL_CONFIG", raising=False)
    folder = tmp_path / "export"
    folder.mkdir()
    for name in (
        "customer_new.eml",
        "agent_reply.eml",
        "bounce_dsn.eml",
        "read_receipt.eml",
        "no_date_at_all.eml",
    ):
        shutil.copy(EMAIL / "fixtures" / name, folder / name)
    return folder


def test_dry_run_reports_events_automated_mail_and_refusals(
    export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--dry-run", "--source", "email", str(export)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "source email"
    assert "automated recognised" in out
    assert "Auto-Submitted: auto-replied" in out
    assert "has no usable Date" in out
    assert "no_date_at_all.eml" in out
    assert out.rstrip().endswith("dry run: nothing was written or stored")
    assert all(len(line) <= 80 for line in out.splitlines())
    assert sorted(p.name for p in export.parent.iterdir()) == ["export"]  # nothing written


def test_dry_run_as_json(export: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "--dry-run", "--json", "--source", "email", str(export)]) == 1
    (report,) = json.loads(capsys.readouterr().out)["sources"]
    assert report["source"] == "email"
    assert report["payloads"] == 5
    assert report["refused"] == 1
    assert report["read"] == 4
    assert report["automated"] == {
        "Auto-Submitted: auto-replied": 1,
        "read receipt (disposition notification)": 1,
    }
    assert sum(report["events_by_kind"].values()) == report["events"] > 0
    (refusal,) = report["refusals"]
    assert refusal["count"] == 1
    assert refusal["examples"] == [str(export / "no_date_at_all.eml")]


def test_dry_run_without_a_source_tries_every_installed_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jira payloads: Jira's table, one line for each source that read none of them."""
    monkeypatch.delenv("TICKETSLA_DISABLED_PLUGINS", raising=False)
    fixture = JIRA / "fixtures" / "issue_updated_status.json"
    assert main(["import", "--dry-run", str(fixture)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "source jira"
    assert any(line.startswith("source zendesk: read none of 1") for line in lines)
    assert any(line.startswith("source email: read none of 1") for line in lines)


def test_refusals_are_grouped_by_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refusals that differ only in ids and numbers are one group, with example file names."""
    monkeypatch.delenv("TICKETSLA_DISABLED_PLUGINS", raising=False)
    lines = tmp_path / "hooks.jsonl"
    lines.write_text('{"a": 1}\n{"b": 22}\nnot json\n', encoding="utf-8")
    assert main(["import", "--dry-run", "--json", "--source", "jira", str(lines)]) == 1
    (report,) = json.loads(capsys.readouterr().out)["sources"]
    assert report["payloads"] == 3
    groups = {g["reason"]: g for g in report["refusals"]}
    assert len(groups) == 2
    shape = next(g for r, g in groups.items() if "unknown payload shape" in r)
    assert shape["count"] == 2
    assert shape["examples"] == [f"{lines}:1", f"{lines}:2"]


@pytest.mark.parametrize(
    "extra",
    [["--out", "x.jsonl"], ["--db", "sqlite:///x.db"], ["--rejects", "r.jsonl"]],
)
def test_dry_run_refuses_options_that_write(
    export: Path, extra: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--dry-run", "--source", "email", str(export), *extra]) == 2
    assert "does not go with it" in capsys.readouterr().err


def test_json_without_dry_run_and_import_without_source_are_refused(
    export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--json", "--source", "email", str(export)]) == 2
    assert main(["import", str(export)]) == 2
    assert "--source is required" in capsys.readouterr().err
