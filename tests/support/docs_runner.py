"""Run a Markdown page's shell and Python blocks in order, in one folder, as a reader would.

The folder looks like a fresh clone to the page: ``examples/`` is the checkout's, and ``.venv``
is the environment the tests run in (so ``.venv/bin/ticketsla`` is this ticketsla, and the
page's own ``python3 -m venv`` and ``pip install`` lines are skipped rather than repeated).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$")
SETUP_LINE = re.compile(r"^\s*(python3 -m venv|\S*pip install)\b")


@dataclass(frozen=True)
class Block:
    language: str
    words: tuple[str, ...]
    line: int
    source: str


def blocks(text: str) -> list[Block]:
    """Every fenced block of a Markdown text, in order."""
    found: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence = opening["fence"]
        words = tuple(opening["info"].split())
        start = i + 2
        body: list[str] = []
        i += 1
        while i < len(lines):
            closing = FENCE.match(lines[i])
            if closing and closing["fence"].startswith(fence) and not closing["info"].strip():
                break
            body.append(lines[i])
            i += 1
        i += 1
        found.append(Block(words[0] if words else "", words[1:], start, "\n".join(body) + "\n"))
    return found


def prepare(folder: Path) -> dict[str, str]:
    """Make ``folder`` look like a clone with its environment; return the environment to run in."""
    (folder / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    (folder / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if k != "TICKETSLA_DB"}
    env["COLUMNS"] = "160"
    return env


def run_shell(block: Block, folder: Path, env: dict[str, str], where: str) -> str:
    """Run a bash block line by line (setup lines skipped); fail unless each line succeeds."""
    output = []
    commands = re.split(r"(?<!\\)\n", block.source.strip())
    for number, command in enumerate(commands):
        if not command.strip() or SETUP_LINE.match(command):
            continue
        status, text = run_command(command, folder, env)
        assert status == 0, f"{where}:{block.line + number}: {command}: exit {status}\n{text}"
        output.append(text)
    return "".join(output)


def run_python(block: Block, module: types.ModuleType, path: Path) -> None:
    code = compile("\n" * (block.line - 1) + block.source, str(path), "exec")
    exec(code, module.__dict__)


def run_command(command: str, folder: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run one shell command line; ``ticketsla ...`` (or ``.venv/bin/ticketsla ...``) without
    pipes or redirections runs in this process, which saves starting Python for each, and
    gives the same output (standard error first, then standard output). The current directory
    must be ``folder``."""
    import contextlib
    import io
    import shlex

    from ticketsla.cli import main

    joined = command.replace("\\\n", " ")
    words = shlex.split(joined)
    if (
        words
        and words[0] in ("ticketsla", ".venv/bin/ticketsla")
        and not set(joined) & set("|>&;<$`")
    ):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(words[1:])
            except SystemExit as exc:  # argparse's --version and --help
                status = exc.code if isinstance(exc.code, int) else 0
        return status, err.getvalue() + out.getvalue()
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", joined + " 2>&1"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout
