"""``ticketsla evaluate``: events (JSON lines) folded under policies, shown per ticket and clock.

Expectations are hand-computed on us-business (Monday to Friday 09:00-17:00 New York time), with
the evaluation instant Monday 2026-11-30 11:00 EST (16:00 UTC):

- T-1, normal, created Friday 2026-11-27 16:00 EST (the day after Thanksgiving, a working day):
  1 hour on Friday and 2 on Monday morning make 3 hours elapsed. First response (4h) has 1 hour
  left and is due Monday 12:00; resolution (16h) has 13 hours left: 6 more on Monday (11-17) and
  7 on Tuesday, so it is due Tuesday 2026-12-01 16:00.
- T-2, urgent, created Monday 09:00, answered and set pending at 10:30: first response (1h) was
  fulfilled after 1h30m, breached at 10:00; resolution (8h) is paused after 1h30m, 6h30m left.
- T-3, tagged vip, created Monday 08:00 (before opening): under the vip policy (first response
  1h) it has run 09:00-11:00, 2 hours, so it is 1 hour over, due and breached at 10:00.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from ticketsla import SLAPolicy
from ticketsla.cli import main
from ticketsla.events import TicketEvent
from ticketsla.hookspecs import hookimpl
from ticketsla.plugins import DISABLED_PLUGINS_ENV, default_plugin_manager
from ticketsla.testing import registered

SCRIPT = Path(sys.executable).with_name("ticketsla")
ZENDESK_AUDITS = (
    Path(__file__).resolve().parents[2]
    / "adapters"
    / "zendesk"
    / "tests"
    / "fixtures"
    / "audits_ticket_4711.json"
)
AT = "2026-11-30T11:00-05:00"

STANDARD = """
name = "standard"
calendar = "us-business"
[targets.first_response]
urgent = "1h"
normal = "4h"
[targets.resolution]
urgent = "8h"
normal = "16h"
"""

VIP = """
name = "vip"
calendar = "us-business"
[match]
tags = ["vip"]
[targets.first_response]
all = "1h"
"""


def event(ticket: str, number: int, at: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "ticket_id": ticket,
        "event_id": f"{ticket}.{number}",
        "source": "test",
        "at": at,
        "kind": kind,
        **fields,
    }


EVENTS = [
    event("T-1", 1, "2026-11-27T16:00:00-05:00", "created", priority="normal"),
    event("T-2", 1, "2026-11-30T09:00:00-05:00", "created", priority="urgent"),
    event("T-2", 2, "2026-11-30T10:30:00-05:00", "agent_reply", actor="agent"),
    event("T-2", 3, "2026-11-30T10:30:00-05:00", "status_changed", status="pending"),
    event("T-3", 1, "2026-11-30T08:00:00-05:00", "created", tags=["vip"]),
]

HEADER = "ticket  policy    metric          cycle  status     elapsed  remaining  due                     breached"
T1_ROWS = [
    "T-1     standard  first_response  1      running    3h       1h         2026-11-30T12:00-05:00  no",
    "T-1     standard  resolution      1      running    3h       13h        2026-12-01T16:00-05:00  no",
]
T2_ROWS = [
    "T-2     standard  first_response  1      fulfilled  1h 30m   -30m       -                       2026-11-30T10:00-05:00",
    "T-2     standard  resolution      1      paused     1h 30m   6h 30m     -                       no",
]
T3_STANDARD = [
    "T-3     standard  first_response  1      running    2h       2h         2026-11-30T13:00-05:00  no",
    "T-3     standard  resolution      1      running    2h       14h        2026-12-01T17:00-05:00  no",
]
T3_ROW = "T-3     vip       first_response  1      running    2h       -1h        2026-11-30T10:00-05:00  2026-11-30T10:00-05:00"


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with standard.toml, vip.toml and events.jsonl; installed plugins only."""
    monkeypatch.delenv(DISABLED_PLUGINS_ENV, raising=False)
    (tmp_path / "standard.toml").write_text(STANDARD, encoding="utf-8")
    (tmp_path / "vip.toml").write_text(VIP, encoding="utf-8")
    write_events(tmp_path / "events.jsonl", [json.dumps(e) for e in EVENTS])
    return tmp_path


def write_events(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def cells(table: str | list[str]) -> list[list[str]]:
    """The cells of table rows (text after the two header lines, or a list of rows)."""
    rows = table.splitlines()[2:] if isinstance(table, str) else table
    return [re.split(r"\s{2,}", row.strip()) for row in rows]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["evaluate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_shows_each_clock_hand_computed(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One policy: every clock's status, elapsed, remaining, local due and breach, aligned."""
    code, out, err = run(
        capsys, str(files / "events.jsonl"), "--policy", str(files / "standard.toml"), "--at", AT
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "at 2026-11-30T16:00:00+00:00",
        HEADER,
        *T1_ROWS,
        *T2_ROWS,
        *T3_STANDARD,
    ]


def test_several_policies_form_a_set_in_order_the_last_the_default(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--policy vip --policy standard: the vip ticket gets vip, the others the default."""
    code, out, _ = run(
        capsys,
        str(files / "events.jsonl"),
        "--policy",
        str(files / "vip.toml"),
        "--policy",
        str(files / "standard.toml"),
        "--at",
        AT,
    )
    assert code == 0
    assert out.splitlines()[1:] == [HEADER, *T1_ROWS, *T2_ROWS, T3_ROW]


def test_json_gives_clock_dicts_with_the_ticket_policy_and_reason(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json: one object per ticket and line, each clock as ClockState.to_dict()."""
    code, out, _ = run(
        capsys,
        str(files / "events.jsonl"),
        "--policy",
        str(files / "vip.toml"),
        "--policy",
        str(files / "standard.toml"),
        "--at",
        "2026-11-30T16:00Z",
        "--json",
    )
    assert code == 0
    tickets = [json.loads(line) for line in out.splitlines()]
    assert [t["ticket_id"] for t in tickets] == ["T-1", "T-2", "T-3"]
    t2, t3 = tickets[1], tickets[2]
    assert t2["policy"] == "standard"
    assert (
        t2["policy_reason"] == "default policy 'standard' after skipping 'vip' (tags lacks ['vip'])"
    )
    assert (t2["timezone"], t2["priority"], t2["status"]) == (
        "America/New_York",
        "urgent",
        "pending",
    )
    first, resolution = t2["clocks"]
    assert first["metric"] == "first_response"
    assert (first["status"], first["elapsed_seconds"], first["remaining_seconds"]) == (
        "fulfilled",
        5400.0,
        -1800.0,
    )
    assert (first["due_at"], first["breached_at"]) == (None, "2026-11-30T15:00:00+00:00")
    assert (resolution["status"], resolution["remaining_seconds"], resolution["due_at"]) == (
        "paused",
        23400.0,
        None,
    )
    assert t3["policy"] == "vip"
    assert t3["policy_reason"] == "policy 'vip': matches tags in ['vip']"
    (clock,) = t3["clocks"]
    assert (clock["due_at"], clock["breached_at"]) == (
        "2026-11-30T15:00:00+00:00",
        "2026-11-30T15:00:00+00:00",
    )
    assert tickets[0]["clocks"][1]["due_at"] == "2026-12-01T21:00:00+00:00"
    assert "explain" not in t2


def test_bad_lines_are_reported_by_number_skipped_and_exit_1(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lines that are not events are named on stderr with their line number; the rest count."""
    lines = [
        json.dumps(EVENTS[0]),
        "{not json",
        "",
        json.dumps({**EVENTS[1], "at": "2026-11-30T09:00:00"}),
        json.dumps({"ticket_id": "T-9"}),
        "[1, 2]",
        json.dumps({**EVENTS[1], "kind": "teleported"}),
    ]
    path = write_events(files / "mixed.jsonl", lines)
    code, out, err = run(capsys, str(path), "--policy", str(files / "standard.toml"), "--at", AT)
    assert code == 1
    assert cells(out) == cells(T1_ROWS)
    reported = [line.split(": skipped: ")[0] for line in err.splitlines()]
    assert reported == [f"evaluate: {path}:{n}" for n in (2, 4, 5, 6, 7)]
    assert "not valid JSON" in err
    assert "has no time zone" in err
    assert "missing field 'event_id'" in err
    assert "expected an event object, got list" in err
    assert "teleported" in err


@freeze_time("2026-11-30 16:00:00")
def test_at_defaults_to_now(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --at the tickets are evaluated now (frozen at Monday 11:00 New York time)."""
    code, out, _ = run(
        capsys,
        str(files / "events.jsonl"),
        "--policy",
        str(files / "vip.toml"),
        "--policy",
        str(files / "standard.toml"),
    )
    assert code == 0
    assert out.splitlines() == ["at 2026-11-30T16:00:00+00:00", HEADER, *T1_ROWS, *T2_ROWS, T3_ROW]


def test_events_after_at_are_not_yet_known(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """At Monday 08:30 T-2 has no clocks yet and T-3's clocks have not used any open time."""
    code, out, _ = run(
        capsys,
        str(files / "events.jsonl"),
        "--policy",
        str(files / "standard.toml"),
        "--at",
        "2026-11-30T08:30-05:00",
    )
    assert code == 0
    assert cells(out) == [
        [
            "T-1",
            "standard",
            "first_response",
            "1",
            "running",
            "1h",
            "3h",
            "2026-11-30T12:00-05:00",
            "no",
        ],
        [
            "T-1",
            "standard",
            "resolution",
            "1",
            "running",
            "1h",
            "15h",
            "2026-12-01T16:00-05:00",
            "no",
        ],
        ["T-2", "-", "no clocks", "-", "-", "-", "-", "-", "-"],
        [
            "T-3",
            "standard",
            "first_response",
            "1",
            "running",
            "0m",
            "4h",
            "2026-11-30T13:00-05:00",
            "no",
        ],
        [
            "T-3",
            "standard",
            "resolution",
            "1",
            "running",
            "0m",
            "16h",
            "2026-12-01T17:00-05:00",
            "no",
        ],
    ]


def test_explain_shows_one_ticket_and_its_trace(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--explain T-2 prints only T-2's rows, then why its policy was chosen and each step."""
    code, out, _ = run(
        capsys,
        str(files / "events.jsonl"),
        "--policy",
        str(files / "standard.toml"),
        "--at",
        AT,
        "--explain",
        "T-2",
    )
    assert code == 0
    lines = out.splitlines()
    assert cells(lines[2:4]) == cells(T2_ROWS)
    assert lines[4:6] == ["", "ticket T-2: default policy 'standard'"]
    trace = "\n".join(lines[6:])
    assert "2026-11-30T09:00:00-05:00  first_response #1: started by created; target 1h" in trace
    assert "2026-11-30T10:30:00-05:00  first_response #1: fulfilled by agent_reply" in trace
    assert "2026-11-30T10:30:00-05:00  resolution #1: paused (pending)" in trace


def test_explain_with_json_adds_the_trace_lines(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--explain with --json writes the one ticket with its trace as a list of lines."""
    code, out, _ = run(
        capsys,
        str(files / "events.jsonl"),
        "--policy",
        str(files / "standard.toml"),
        "--at",
        AT,
        "--explain",
        "T-1",
        "--json",
    )
    assert code == 0
    (ticket,) = [json.loads(line) for line in out.splitlines()]
    assert ticket["ticket_id"] == "T-1"
    assert ticket["explain"][0] == "2026-11-27T16:00:00-05:00  default policy 'standard'"


GOOD = ["{dir}/events.jsonl", "--policy", "{dir}/standard.toml"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([*GOOD, "--at", "2026-11-30T11:00"], "--at: naive datetime"),
        ([*GOOD, "--at", "Monday"], "is not an ISO 8601 instant"),
        ([*GOOD, "--explain", "T-404"], "--explain: no events of ticket 'T-404'"),
        ([*GOOD, "--policy", "{dir}/nope.toml"], "cannot be read"),
        ([*GOOD, "--policy", "{dir}/standard.toml"], "policy names must be unique"),
        (["{dir}/missing.jsonl", "--policy", "{dir}/standard.toml"], "evaluate: cannot read"),
        (["{dir}", "--policy", "{dir}/standard.toml"], "evaluate: cannot read"),
    ],
    ids=[
        "naive-at",
        "bad-at",
        "unknown-ticket",
        "missing-policy",
        "same-policy-twice",
        "no-events-file",
        "events-is-a-folder",
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    files: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """A naive or unreadable --at, an unknown --explain ticket, a bad policy or file: exit 2."""
    code, out, err = run(capsys, *(arg.format(dir=files) for arg in argv))
    assert code == 2
    assert out == ""
    assert err.startswith("ticketsla: error: ")
    assert message in err


def test_policy_is_required(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --policy argparse refuses the command line with exit status 2."""
    with pytest.raises(SystemExit) as info:
        main(["evaluate", str(files / "events.jsonl")])
    assert info.value.code == 2
    assert "--policy" in capsys.readouterr().err


def test_dash_reads_events_from_standard_input(
    files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """EVENTS '-' reads the JSON lines from standard input."""
    data = (files / "events.jsonl").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run(capsys, "-", "--policy", str(files / "standard.toml"), "--at", AT)
    assert code == 0
    assert out.splitlines()[2:4] == T1_ROWS


class NoRepliesCount:
    """A plugin for which no agent reply is a response."""

    @hookimpl
    def ticketsla_counts_as_response(self, event: TicketEvent) -> bool:
        return False


def test_installed_plugins_decide_what_counts_as_a_response(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a plugin refusing every reply, T-2's first response keeps running and breaches."""
    with registered(NoRepliesCount(), pm=default_plugin_manager()):
        code, out, _ = run(
            capsys,
            str(files / "events.jsonl"),
            "--policy",
            str(files / "standard.toml"),
            "--at",
            AT,
            "--explain",
            "T-2",
        )
    assert code == 0
    first = cells(out)[0]
    # the first response preset does not pause while pending: 09:00-11:00 is 2 hours, 1 over
    assert first[2:9] == [
        "first_response",
        "1",
        "running",
        "2h",
        "-1h",
        "2026-11-30T10:00-05:00",
        "2026-11-30T10:00-05:00",
    ]


def test_installed_console_script_evaluates(files: Path) -> None:
    """The `ticketsla` script installed in the environment runs evaluate end to end."""
    result = subprocess.run(
        [
            str(SCRIPT),
            "evaluate",
            str(files / "events.jsonl"),
            "--policy",
            str(files / "vip.toml"),
            "--policy",
            str(files / "standard.toml"),
            "--at",
            AT,
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, DISABLED_PLUGINS_ENV: ""},
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[1:] == [HEADER, *T1_ROWS, *T2_ROWS, T3_ROW]


SUPPORT = """
name = "support"
calendar = "uk-business"
[targets.first_response]
all = "1h"
[targets.next_response]
all = "2h"
[targets.resolution]
all = "8h"
"""


def test_zendesk_import_piped_into_evaluate(tmp_path: Path) -> None:
    """Zendesk audits imported and piped into `evaluate -` give ticket 4711's hand-computed clocks."""
    pytest.importorskip("ticketsla_zendesk", reason="ticketsla-zendesk is not installed")
    policy = tmp_path / "support.toml"
    policy.write_text(SUPPORT, encoding="utf-8")
    env = {**os.environ, DISABLED_PLUGINS_ENV: ""}
    env.pop("TICKETSLA_ZENDESK_AGENT_IDS", None)
    with subprocess.Popen(
        [str(SCRIPT), "import", "--source", "zendesk", str(ZENDESK_AUDITS), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    ) as importer:
        evaluator = subprocess.run(
            [str(SCRIPT), "evaluate", "-", "--policy", str(policy), "--at", "2026-03-05T00:00Z"],
            stdin=importer.stdout,
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
    assert importer.returncode == 0
    assert (evaluator.returncode, evaluator.stderr) == (0, "")
    # uk-business, and London is on UTC in early March.
    # first response: created Monday 09:00, answered 10:15, 15 minutes over its hour;
    # next response: the customer wrote Tuesday 08:30 (closed), the answer came at 16:00: 7 open
    # hours from 09:00, 5 over, breached at 11:00;
    # resolution: 09:00-10:15 open, pending until Tuesday 08:30, on hold from 09:05 until
    # solved, so 1h15m + 5m.
    rows = cells(evaluator.stdout)
    assert rows == [
        [
            "4711",
            "support",
            "first_response",
            "1",
            "fulfilled",
            "1h 15m",
            "-15m",
            "-",
            "2026-03-02T10:00+00:00",
        ],
        [
            "4711",
            "support",
            "next_response",
            "1",
            "fulfilled",
            "7h",
            "-5h",
            "-",
            "2026-03-03T11:00+00:00",
        ],
        ["4711", "support", "resolution", "1", "fulfilled", "1h 20m", "6h 40m", "-", "no"],
    ]


def test_zendesk_import_straight_into_a_database(tmp_path: Path) -> None:
    """`import --db` stores the adapter's events in the engine; a second import stores nothing new."""
    pytest.importorskip("ticketsla_zendesk", reason="ticketsla-zendesk is not installed")
    from ticketsla import SLAEngine

    policy = tmp_path / "support.toml"
    policy.write_text(SUPPORT, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'sla.db'}"
    argv = ["import", "--source", "zendesk", str(ZENDESK_AUDITS), "--quiet"]
    argv += ["--db", url, "--policy", str(policy)]
    assert main(argv) == 0
    assert main(argv) == 0  # the same deliveries again: idempotent
    with SLAEngine(url, policies=[SLAPolicy.load(policy)]) as engine:
        state = engine.state("4711")
        first = state.clock("first_response")
        assert first is not None
        # created Monday 2026-03-02 09:00 London, answered 10:15: 15 minutes over its hour
        assert first.stopped_at == datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
        assert first.breached_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_import_policy_without_db_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """`--policy` only makes sense with `--db`: asking for it alone is a clear error, exit 2."""
    assert main(["import", "--source", "zendesk", str(ZENDESK_AUDITS), "--policy", "x.toml"]) == 2
    assert "--policy goes with --db" in capsys.readouterr().err
