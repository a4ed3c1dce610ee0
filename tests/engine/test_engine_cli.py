"""The engine's commands: db, ingest, status, at-risk and scan."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from engine_cli import run
from engine_helpers import START

from ticketsla.testing import EventBuilder

POLICY = """
name = "simple"
calendar = "24x7"
[targets.first_response]
all = "1h"
[targets.resolution]
all = "8h"
[warnings]
at = ["75%"]
"""


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "simple.toml"
    path.write_text(POLICY)
    return path


def _events_file(
    path: Path, tickets: int = 3, broken: bool = False, start: datetime = START
) -> Path:
    lines = []
    for number in range(tickets):
        builder = EventBuilder(f"T-{number}", start=start + timedelta(minutes=10 * number))
        builder.created()
        builder.customer_message(after="5m")
        lines.extend(json.dumps(e.to_dict()) for e in builder.events)
    if broken:
        lines.insert(2, "{not json")
        lines.insert(
            4,
            json.dumps(
                {"ticket_id": "T-9", "event_id": "x", "at": "2026-03-02T09:00", "kind": "created"}
            ),
        )
        lines.insert(5, "")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_ingest_stores_events_and_reports_bad_lines_by_number(
    db_url: str, tmp_path: Path, policy_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad lines are reported with their line number and written to the rejects file; the other
    events are stored, and ingesting the file again stores nothing new."""
    events = _events_file(tmp_path / "events.jsonl", broken=True)
    rejects = tmp_path / "rejects.jsonl"
    args = ["ingest", str(events), "--db", db_url, "--policy", str(policy_file)]
    assert run([*args, "--rejects", str(rejects)]) == 1
    err = capsys.readouterr().err
    assert "line 3: not JSON" in err
    assert "line 5:" in err
    assert "time zone" in err
    assert "6 stored" in err
    assert [json.loads(line)["line"] for line in rejects.read_text().splitlines()] == [3, 5]
    assert run(args) == 1
    assert "0 stored, 6 duplicates" in capsys.readouterr().err
    assert run(["status", "T-1", "--db", db_url, "--json"]) == 0
    clocks = json.loads(capsys.readouterr().out)
    assert {c["metric"] for c in clocks} == {"first_response", "resolution"}


def test_db_upgrade_and_current(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """db upgrade creates the tables once; db current names the revision."""
    url = f"sqlite:///{tmp_path / 'sla.db'}"
    assert run(["db", "upgrade", "--db", url]) == 0
    assert "upgraded from an empty database" in capsys.readouterr().out
    assert run(["db", "upgrade", "--db", url]) == 0
    assert "already at revision" in capsys.readouterr().out
    assert run(["db", "current", "--db", url]) == 0
    out = capsys.readouterr().out
    assert out.split()[1] == out.split()[3]


def test_reading_commands_need_an_upgraded_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """status on a database without the tables fails with status 2 and says what to run."""
    assert run(["status", "T-1", "--db", f"sqlite:///{tmp_path / 'empty.db'}"]) == 2
    assert "ticketsla db upgrade" in capsys.readouterr().err


def test_status_and_at_risk_tables(
    tmp_path: Path, policy_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """status shows a ticket's clocks; at-risk lists clocks due soon; an unknown ticket is exit 2."""
    url = f"sqlite:///{tmp_path / 'sla.db'}"
    run(
        [
            "ingest",
            str(_events_file(tmp_path / "e.jsonl")),
            "--db",
            url,
            "--policy",
            str(policy_file),
        ]
    )
    capsys.readouterr()
    assert run(["status", "T-0", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "first_response" in out
    assert "2026-03-02 10:00:00" in out
    assert "running" in out
    at = (START + timedelta(minutes=30)).isoformat()
    assert run(["at-risk", "--within", "45m", "--at", at, "--db", url]) == 0
    out = capsys.readouterr().out
    assert "T-0" in out
    assert "T-1" in out
    assert "T-2" not in out
    assert (
        run(["at-risk", "--within", "2h", "--at", at, "--db", url, "--json", "--limit", "1"]) == 0
    )
    assert [r["ticket_id"] for r in json.loads(capsys.readouterr().out)] == ["T-0"]
    assert run(["status", "T-404", "--db", url]) == 2
    assert "T-404" in capsys.readouterr().err


def test_scan_one_pass_delivers_to_a_jsonl_notifier(
    tmp_path: Path, policy_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """scan records breaches that have come due and hands them, with the warnings ingest
    recorded, to the notifiers in the same run."""
    url = f"sqlite:///{tmp_path / 'sla.db'}"
    start = datetime.now(UTC) - timedelta(minutes=50)  # 75% warnings due, breaches not yet
    events = _events_file(tmp_path / "e.jsonl", tickets=2, start=start)
    run(["ingest", str(events), "--db", url, "--policy", str(policy_file)])
    out_file = tmp_path / "notes.jsonl"
    at = (start + timedelta(hours=3)).isoformat()
    assert run(["scan", "--db", url, "--at", at, "--jsonl", str(out_file)]) == 0
    assert "2 breaches recorded; 4 delivered" in capsys.readouterr().out
    kinds = sorted(json.loads(line)["kind"] for line in out_file.read_text().splitlines())
    assert kinds == ["breach", "breach", "warning", "warning"]
    assert run(["scan", "--db", url, "--at", at]) == 0
    assert "0 breaches recorded; 0 delivered" in capsys.readouterr().out


def test_scan_worker_stops_cleanly_on_sigterm(tmp_path: Path, policy_file: Path) -> None:
    """scan --every keeps scanning until SIGTERM, then finishes its pass and exits 0."""
    url = f"sqlite:///{tmp_path / 'sla.db'}"
    assert run(["db", "upgrade", "--db", url]) == 0
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    worker = subprocess.Popen(
        [sys.executable, "-m", "engine_cli", "scan", "--db", url, "--every", "1s"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert worker.stdout is not None
        first = worker.stdout.readline()  # the first pass is done
        assert first.startswith("scan: 0 tickets")
        time.sleep(0.2)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, err
    assert out.strip().endswith("scan: stopped")
