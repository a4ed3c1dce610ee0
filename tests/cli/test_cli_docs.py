"""docs/cli.md keeps up with the command line: a section per command, every long option named in it.

The commands are read from the argparse tree of ``ticketsla.cli.build_parser()``. A command with
sub-commands (``calendar``, ``db``, ``policy``) is documented through its sub-commands: each leaf
needs a ``## `ticketsla NAME...``` section, as docs/cli.md's closing comment asks.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ticketsla.cli import build_parser

CLI_DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
HEADING = re.compile(r"^## `ticketsla (?P<command>[^`]+)`\s*$")
FENCE = re.compile(r"^ *(`{3,}|~{3,})")


def commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every leaf command of the tree as ("db upgrade", its parser), in definition order."""
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subparsers:
        yield " ".join(path), parser
        return
    for action in subparsers:
        for name, child in action.choices.items():
            yield from commands(child, (*path, name))


def sections(text: str) -> dict[str, str]:
    """The body of each "## `ticketsla NAME`" section, keyed by NAME (headings in fences ignored)."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    fence: str | None = None
    for line in text.splitlines():
        marker = FENCE.match(line)
        if fence is None and marker:
            fence = marker.group(1)
        elif fence is not None and marker and marker.group(1).startswith(fence[0] * len(fence)):
            fence = None
        elif fence is None and line.startswith("## "):
            heading = HEADING.match(line)
            current = found.setdefault(heading["command"], []) if heading else None
            continue
        elif fence is None and line.startswith("<!--"):
            current = None
        if current is not None:
            current.append(line)
    return {name: "\n".join(lines) for name, lines in found.items()}


def long_options(parser: argparse.ArgumentParser) -> list[str]:
    """The long options of a command, without --help."""
    return [
        option
        for action in parser._actions
        if not isinstance(action, argparse._HelpAction)
        for option in action.option_strings
        if option.startswith("--")
    ]


COMMANDS = list(commands(build_parser()))
SECTIONS = sections(CLI_DOC.read_text(encoding="utf-8"))


def test_sections_are_found_outside_fences_only() -> None:
    """The section finder splits at command headings and ignores headings inside code fences."""
    text = (
        "## `ticketsla a b`\nabout a\n```bash\n## `ticketsla fake`\n```\n"
        "## Other\nnot a command\n## `ticketsla c`\nabout c\n<!--\ncomment\n-->\n"
    )
    assert sections(text) == {
        "a b": "about a\n```bash\n## `ticketsla fake`\n```",
        "c": "about c",
    }


def test_the_tree_has_the_known_commands() -> None:
    """The argparse walk finds leaf commands, sub-commands included, and not their groups."""
    names = [name for name, _ in COMMANDS]
    assert {"due", "calendar show", "db upgrade", "scan", "policy describe"} <= set(names)
    assert not {"calendar", "db", "policy"} & set(names)


@pytest.mark.parametrize("command", [name for name, _ in COMMANDS])
def test_every_command_has_a_section(command: str) -> None:
    """Each command and sub-command of the CLI has a "## `ticketsla NAME`" section in docs/cli.md."""
    assert command in SECTIONS, f"docs/cli.md has no section '## `ticketsla {command}`'"


@pytest.mark.parametrize(
    ("command", "option"),
    [(name, option) for name, parser in COMMANDS for option in long_options(parser)],
)
def test_every_long_option_is_in_its_section(command: str, option: str) -> None:
    """Each long option of a command is named in that command's section of docs/cli.md."""
    body = SECTIONS.get(command, "")
    assert re.search(rf"{re.escape(option)}(?![\w-])", body), (
        f"docs/cli.md, section `ticketsla {command}`, does not mention {option}"
    )
