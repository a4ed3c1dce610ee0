"""The examples in docs/cli.md run: every ``$ ticketsla ...`` line, in order, in one folder that
looks like a fresh clone (``examples/`` shipped, the environment in ``.venv``), and its output
is the one shown wherever that output is deterministic.

Commands on the demo's database (``ticketsla-demo/``) run against a small demo made first; their
figures depend on the demo's size, so for them only the exit status is checked, as it is for
output the page shortens with ``...`` and for commands that read the real clock.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.docs_runner import ROOT, blocks, prepare, run_command

CLI_DOC = ROOT / "docs" / "cli.md"
# Exit statuses the page's examples end with on purpose (rejected lines: 1).
EXPECTED_STATUS = {"ingest": 1}
# Lines that show files written by a command on the demo's database.
FROM_THE_DEMO = ("notifications.jsonl",)


@dataclass(frozen=True)
class Example:
    line: int
    command: str
    output: str


def examples(text: str) -> list[Example]:
    """Each ``$ command`` of the page's blocks with the lines shown after it."""
    found: list[Example] = []
    for block in blocks(text):
        if "notest" in block.words:
            continue  # shown for another machine (a deployment), not run here
        lines = block.source.splitlines()
        i = 0
        while i < len(lines):
            if not lines[i].startswith("$ "):
                i += 1
                continue
            start = i
            command = [lines[i][2:]]
            while command[-1].endswith("\\"):
                i += 1
                command.append(lines[i])
            i += 1
            output: list[str] = []
            while i < len(lines) and not lines[i].startswith("$ "):
                output.append(lines[i])
                i += 1
            found.append(Example(block.line + start, "\n".join(command), "\n".join(output)))
    return found


def deterministic(example: Example) -> bool:
    command = example.command
    return (
        "ticketsla-demo" not in command
        and not any(name in command for name in FROM_THE_DEMO)
        and "..." not in example.output
        and "--at" in command + ("--at" if _no_clock(command) else "")
    )


def _no_clock(command: str) -> bool:
    """Commands whose output does not depend on the time of running them."""
    return bool(
        re.match(r"ticketsla (import|ingest|db|calendar|due|status|policy)|cat |head ", command)
    )


def test_examples_are_found() -> None:
    found = examples(CLI_DOC.read_text(encoding="utf-8"))
    assert len(found) >= 15
    assert sum(deterministic(e) for e in found) >= 8


def test_cli_examples_run_and_show_their_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each example exits as the page says; deterministic ones print what the page shows."""
    env = prepare(tmp_path)
    env["PATH"] = f"{tmp_path / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.delenv("TICKETSLA_DB", raising=False)
    found = examples(CLI_DOC.read_text(encoding="utf-8"))
    if any("ticketsla-demo" in e.command for e in found):
        status, text = run_command("ticketsla demo --quiet --tickets 150", tmp_path, env)
        assert status == 0, text
    mismatches: list[str] = []
    for example in found:
        if example.command.startswith("ticketsla demo"):
            continue  # made above, smaller
        status, text = run_command(example.command, tmp_path, env)
        verb = example.command.split()[1] if example.command.startswith("ticketsla") else ""
        where = f"docs/cli.md:{example.line}: {example.command}"
        assert status == EXPECTED_STATUS.get(verb, 0), f"{where}\n{text}"
        if deterministic(example):
            shown = [line.rstrip() for line in example.output.strip("\n").splitlines()]
            got = [line.rstrip() for line in text.strip("\n").splitlines()]
            if shown != got:
                mismatches.append(f"{where}\n--- shown\n{example.output}\n--- got\n{text}")
    assert not mismatches, "\n\n".join(mismatches)
