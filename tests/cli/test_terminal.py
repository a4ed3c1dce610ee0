"""Terminal output: tables that fit 80 and 120 columns without cutting, durations and plurals
as people write them, pasteable commands, quiet closed pipes, --json for scripts, no lock files."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from rich.table import Table

from ticketsla import SLAEngine, SLAPolicy, format_duration, parse_duration
from ticketsla.cli import main
from ticketsla.cli.terminal import console, plural, print_command, print_table
from ticketsla.testing import EventBuilder

POLICY = SLAPolicy.from_mapping(
    {"name": "standard", "calendar": "24x7", "targets": {"first_response": {"all": "4h"}}}
)

HEADINGS = [
    "customer",
    "tickets",
    "targets",
    "met",
    "breached",
    "attainment",
    "median",
    "p90",
    "FCR",
    "CSAT",
    "credits",
]
ROWS = [
    [
        "northwind",
        "415",
        "738",
        "659",
        "79",
        "89.3%",
        "1h 59m 51s",
        "48h 58m 5s",
        "60.4% of 369",
        "84% of 194",
        "HELP-234, HELP-341, HELP-362, HELP-456, HELP-486, HELP-522",
    ],
    ["all", "1654", "3003", "2730", "273", "90.9%", "2h 26m", "55h 56m", "63% of 1510", "-", ""],
]


def wide_table() -> Table:
    table = Table(title="Summary", title_justify="left")
    for heading in HEADINGS:
        table.add_column(heading, no_wrap=True)
    for row in ROWS:
        table.add_row(*row)
    return table


@pytest.mark.parametrize("width", [80, 120])
def test_tables_fit_the_width_without_cutting_anything(width: int) -> None:
    """Every cell's text is printed whole (no ellipsis), every line fits the terminal."""
    out = io.StringIO()
    print_table(console(out, width=width), wide_table())
    text = out.getvalue()
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= width
    flat = " ".join(text.split())
    for cell in (c for row in ROWS for c in row):
        for word in cell.split():
            assert word in flat, word


def test_a_table_that_fits_stays_a_table() -> None:
    """Narrow tables are drawn as tables; only one too wide switches to heading: value lines."""
    table = Table()
    table.add_column("metric")
    table.add_column("due")
    table.add_row("first_response", "2026-03-02 13:00:00")
    out = io.StringIO()
    print_table(console(out, width=80), table)
    assert "┃ metric" in out.getvalue()
    out = io.StringIO()
    print_table(console(out, width=80), wide_table())
    assert "customer    northwind" in out.getvalue()


def test_suggested_commands_are_never_wrapped() -> None:
    """A command to paste stays on one line, however narrow the terminal."""
    command = "ticketsla report --db sqlite:///a/very/long/folder/name/sla.db --period 2026-10"
    out = io.StringIO()
    print_command(console(out, width=40), command)
    assert out.getvalue() == command + "\n"


@pytest.mark.parametrize(
    ("value", "days", "text"),
    [
        (timedelta(hours=72), False, "72h"),
        (timedelta(days=3, hours=4), True, "3d 4h"),
        (timedelta(hours=1, minutes=30), False, "1h 30m"),
        (timedelta(minutes=-30), False, "-30m"),
        (timedelta(0), False, "0m"),
        (timedelta(days=275, hours=8, minutes=46, seconds=51.5), True, "275d 8h 46m 51s"),
    ],
)
def test_durations_are_written_as_people_write_them(
    value: timedelta, days: bool, text: str
) -> None:
    """One formatting function; what it writes, ``parse_duration`` reads back."""
    assert format_duration(value, days=days) == text
    if value >= timedelta(0):
        assert parse_duration(text) == timedelta(seconds=int(value.total_seconds()))


def test_plurals() -> None:
    assert [plural(n, "clock") for n in (0, 1, 2)] == ["0 clocks", "1 clock", "2 clocks"]
    assert plural(1, "breach", "breaches") == "1 breach"


def test_traces_and_fcr_definitions_use_the_same_durations() -> None:
    """The fold's trace and FCR definitions write ``4h`` and ``7d``, not ``4:00:00``."""
    from ticketsla import evaluate

    events = EventBuilder("T-1")
    events.created()
    trace = evaluate(events.events, POLICY, at=events.now + timedelta(hours=1)).explain()
    assert "target 4h on 24x7" in trace
    from ticketsla import FCRDefinition

    window = FCRDefinition.parse({"definition": "no_reopen_within", "window": "7d"}, where="fcr")
    assert str(window) == "no_reopen_within(7d)"


def test_a_closed_pipe_ends_quietly() -> None:
    """``ticketsla ... | head -1``: no ``Broken pipe`` message, exit status 141."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ticketsla", "calendar", "show", "24x7", "--days", "3000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    error = process.stderr.read()
    process.stderr.close()
    assert process.wait() == 141
    assert error == b""


def test_json_for_scripts_and_no_lock_file_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``status``, ``at-risk``, ``scan`` and ``report`` print JSON; only the database remains."""
    db = f"sqlite:///{tmp_path / 'sla.db'}"
    events = EventBuilder("4711")
    events.created(organization="acme")
    with SLAEngine(db, POLICY) as engine:
        engine.ingest(events.events)
    at = (events.now + timedelta(hours=5)).isoformat()
    events_file = tmp_path / "events.jsonl"
    events_file.write_text(json.dumps(events.events[0].to_dict()) + "\n", encoding="utf-8")
    policy_file = tmp_path / "standard.toml"
    policy_file.write_text(
        'name = "standard"\ncalendar = "24x7"\n[targets.first_response]\nall = "4h"\n',
        encoding="utf-8",
    )
    capsys.readouterr()

    assert main(["status", "4711", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["metric"] == "first_response"
    assert main(["at-risk", "--db", db, "--within", "4h", "--at", events.now.isoformat()]) == 0
    assert "4711" in capsys.readouterr().out
    assert main(["scan", "--db", db, "--at", at, "--json"]) == 0
    passed = json.loads(capsys.readouterr().out)
    assert {"tickets", "warnings", "breaches", "delivered", "failed"} <= set(passed)
    assert (
        main(
            [
                "report",
                "--events",
                str(events_file),
                "--policy",
                str(policy_file),
                "--period",
                "2026-03",
                "--now",
                at,
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["period"]["label"] == "2026-03"
    assert sorted(p.name for p in tmp_path.iterdir() if "sla.db" in p.name) == [
        "sla.db",
        "sla.db-shm",
        "sla.db-wal",
    ] or sorted(p.name for p in tmp_path.iterdir() if "sla.db" in p.name) == ["sla.db"]
    assert not list(tmp_path.glob("*.writer-lock"))


def test_the_writer_lock_file_goes_with_the_last_engine(tmp_path: Path) -> None:
    """Writers queue on a lock file beside the database; the engine closing last removes it."""
    db = f"sqlite:///{tmp_path / 'sla.db'}"
    lock = tmp_path / "sla.db.writer-lock"
    events = EventBuilder("1")
    events.created()
    events.agent_reply(after="5m")
    events.status("solved", after="5m")
    first, second = SLAEngine(db, POLICY), SLAEngine(db, POLICY)
    first.ingest(events.events[:1])
    second.ingest(events.events[1:2])
    first.close()
    assert not lock.exists()
    second.ingest(events.events[2:])
    assert lock.exists()
    second.close()
    assert not lock.exists()
