"""The commands: ``report`` (from a JSON-lines file or an SLAEngine database), ``policy
describe`` and ``whatif``, run through argparse as the ``ticketsla`` entry point runs them."""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path

import pytest

from support.report_builders import at, cli, ticket
from ticketsla import (
    ConfigurationError,
    EventError,
    NaiveDatetimeError,
    SLAPolicy,
    StoreError,
    TicketEvent,
)
from ticketsla.cli import describe_command
from ticketsla.engine import SLAEngine

POLICY = """\
name = "gold"
calendar = "24x7"
[match]
organization = ["acme"]
[targets.first_response]
all = "1h"
[targets.resolution]
all = "8h"
[slo]
first_response = "90%"
[[credits]]
goal = "first_response"
below = "90%"
credit = "10%"
"""
PROPOSED = POLICY.replace('all = "1h"', 'all = "15m"')


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A policy, a proposal, a fee table and an event file: acme answered in 10 minutes, 20
    minutes and 2 hours in October."""
    (tmp_path / "gold.toml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "proposed.toml").write_text(PROPOSED, encoding="utf-8")
    (tmp_path / "fees.csv").write_text("customer,fee,currency\nacme,2000,EUR\n", encoding="utf-8")
    with (tmp_path / "events.jsonl").open("w", encoding="utf-8") as out:
        for event in events():
            out.write(json.dumps(event.to_dict()) + "\n")
    return tmp_path


def events() -> list[TicketEvent]:
    solved = "2026-10-05T13:00Z"
    return [
        *ticket("T1", "2026-10-05T10:00Z", reply="2026-10-05T10:10Z", solved=solved),
        *ticket("T2", "2026-10-05T10:00Z", reply="2026-10-05T10:20Z", solved=solved),
        *ticket("T3", "2026-10-05T10:00Z", reply="2026-10-05T12:00Z", solved=solved),
    ]


def report_args(files: Path, *extra: str) -> list[str]:
    return [
        "report",
        "--events",
        str(files / "events.jsonl"),
        "--policy",
        str(files / "gold.toml"),
        "--period",
        "2026-10",
        "--now",
        "2026-12-01T00:00Z",
        *extra,
    ]


def test_report_prints_tables_and_writes_every_format(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """2 of 3 first responses met (66.7% < 90%): a 10% credit of 2000 EUR, behind it T3; the
    JSON, CSV, credits CSV and HTML files are written."""
    code = cli(
        report_args(
            files,
            "--by",
            "customer",
            "--fees",
            str(files / "fees.csv"),
            "--json",
            str(files / "r.json"),
            "--csv",
            str(files / "r.csv"),
            "--credits-csv",
            str(files / "c.csv"),
            "--html",
            str(files / "r.html"),
        )
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "SLA report 2026-10 (UTC), evaluated as of 2026-11-01T00:00:00+00:00" in out
    assert "SLO verdicts" in out
    assert "missed" in out
    assert "200.00 EUR" in out
    data = json.loads((files / "r.json").read_text(encoding="utf-8"))
    [statement] = data["contracts"]
    assert statement["credits"][0]["tickets"] == ["T3"]
    assert statement["net_amount"] == "200.00"
    assert (files / "r.csv").read_text(encoding="utf-8").startswith("period,customer,measure")
    assert "acme,gold,2026-10,no,credit,first_response" in (files / "c.csv").read_text()
    assert (files / "r.html").read_text(encoding="utf-8").count('<svg class="chart"') == 4
    assert f"wrote {files / 'r.html'}" in out


def test_report_reads_an_engine_database_like_the_event_file(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Events ingested into an SLAEngine SQLite file give the same JSON report as the file."""
    url = f"sqlite:///{files / 'sla.db'}"
    with SLAEngine(
        url, policies=SLAPolicy.load(files / "gold.toml"), now=at("2026-12-01T00:00Z")
    ) as engine:
        engine.ingest(events())
    common = ["--policy", str(files / "gold.toml"), "--period", "2026-10", "--quiet"]
    common += ["--now", "2026-12-01T00:00Z"]
    assert cli(["report", "--db", url, *common, "--json", str(files / "db.json")]) == 0
    assert cli(report_args(files, "--quiet", "--json", str(files / "file.json"))) == 0
    capsys.readouterr()
    assert (files / "db.json").read_text() == (files / "file.json").read_text()


def test_report_refuses_a_database_without_ticketsla_tables(files: Path) -> None:
    """A database the engine has not set up is a StoreError; the report does not create tables."""
    empty = files / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(StoreError, match="ticketsla"):
        cli(["report", "--db", f"sqlite:///{empty}", "--policy", str(files / "gold.toml"),
             "--period", "2026-10"])  # fmt: skip
    with sqlite3.connect(empty) as conn:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert tables == []


def test_report_needs_exactly_one_source_of_tickets(files: Path) -> None:
    """Neither --events nor --db, or both, is a ConfigurationError."""
    base = ["report", "--policy", str(files / "gold.toml"), "--period", "2026-10"]
    with pytest.raises(ConfigurationError, match=r"--events FILE\.jsonl or --db URL"):
        cli(base)
    with pytest.raises(ConfigurationError, match="not both"):
        cli([*base, "--events", str(files / "events.jsonl"), "--db", "sqlite:///x.db"])


def test_a_bad_event_line_names_the_file_and_line(files: Path) -> None:
    """A line that is not JSON, or not an event, is an EventError with file:line."""
    path = files / "events.jsonl"
    path.write_text(path.read_text().splitlines()[0] + "\n{not json\n", encoding="utf-8")
    with pytest.raises(EventError, match=r"events\.jsonl:2: not JSON"):
        cli(report_args(files))
    path.write_text('{"ticket_id": "T1", "event_id": "e", "at": "2026-10-01T00:00Z"}\n')
    with pytest.raises(EventError, match=r"events\.jsonl:1: event: missing field 'kind'"):
        cli(report_args(files))


@pytest.mark.parametrize(
    ("extra", "error", "message"),
    [
        (["--by", "team"], ConfigurationError, "cannot group by 'team'"),
        (["--by", "customer,policy,customer"], ConfigurationError, "given twice"),
        (["--now", "2026-12-01T00:00"], NaiveDatetimeError, "--now"),
        (["--tz", "Nowhere/Land"], ConfigurationError, "unknown time zone"),
    ],
)
def test_report_argument_mistakes_are_ticketsla_errors(
    files: Path, extra: list[str], error: type[Exception], message: str
) -> None:
    """Bad grouping, a naive --now or an unknown zone raise errors the entry point prints."""
    with pytest.raises(error, match=message):
        cli(report_args(files, *extra))


def test_policy_describe_prints_markdown_or_writes_html(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The SLA document goes to stdout as Markdown, or to a file as HTML."""
    assert cli(["policy", "describe", str(files / "gold.toml"), "--today", "2026-11-22"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Service level agreement: gold\n")
    assert "| first_response | below 90% | 10% of the period's fee |" in out
    page = files / "gold.html"
    args = ["policy", "describe", str(files / "gold.toml"), "--format", "html", "--out", str(page)]
    assert cli([*args, "--today", "2026-11-22"]) == 0
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(ConfigurationError, match="--today"):
        cli(["policy", "describe", str(files / "gold.toml"), "--today", "22/11/2026"])


def test_describe_joins_a_policy_command_added_by_another_module() -> None:
    """When ``policy`` already has sub-commands, describe is added beside them."""
    parser = argparse.ArgumentParser(prog="ticketsla")
    commands = parser.add_subparsers()
    existing = commands.add_parser("policy").add_subparsers()
    existing.add_parser("check").set_defaults(handler="check")
    describe_command.register(commands)
    assert parser.parse_args(["policy", "check"]).handler == "check"
    assert parser.parse_args(["policy", "describe", "p.toml"]).policy == "p.toml"


def test_whatif_shows_what_a_tighter_target_would_change(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """At 15 minutes only T1's 10-minute answer meets: attainment 66.7% -> 33.3%, T2 newly
    breaches, and the credit stays 10% (both below 90%)."""
    args = ["whatif", "--events", str(files / "events.jsonl"), "--baseline"]
    args += [str(files / "gold.toml"), "--policy", str(files / "proposed.toml")]
    args += ["--period", "2026-10", "--now", "2026-12-01T00:00Z", "--json", str(files / "w.json")]
    assert cli(args) == 0
    out = capsys.readouterr().out
    assert "1 clock would newly breach, 0 would newly meet their target." in out
    assert "newly breached: T2 first_response" in out
    data = json.loads((files / "w.json").read_text(encoding="utf-8"))
    changes = {(c["group"], c["measure"]): c for c in data["changes"]}
    first = changes[("all tickets", "first_response attainment")]
    assert (first["before"], first["after"], first["delta"]) == (66.67, 33.33, -33.33)
    credit = changes[("customer acme", "credits (share of fee)")]
    assert (credit["before"], credit["after"]) == (10.0, 10.0)


def test_whatif_reads_an_engine_database_like_the_event_file(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The --db form of whatif compares the same stored tickets as the --events form."""
    url = f"sqlite:///{files / 'sla.db'}"
    with SLAEngine(url, policies=SLAPolicy.load(files / "gold.toml")) as engine:
        engine.ingest(events())
    common = ["--baseline", str(files / "gold.toml"), "--policy", str(files / "proposed.toml")]
    common += ["--period", "2026-10", "--now", "2026-12-01T00:00Z"]
    assert cli(["whatif", "--db", url, *common, "--json", str(files / "db.json")]) == 0
    events_file = str(files / "events.jsonl")
    assert cli(["whatif", "--events", events_file, *common, "--json", str(files / "f.json")]) == 0
    capsys.readouterr()
    assert (files / "db.json").read_text() == (files / "f.json").read_text()
