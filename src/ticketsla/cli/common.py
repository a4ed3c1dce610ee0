"""What every command group shares: the handler type and the help of a bare command group.

The command modules import this, never the parser module (``main``), so the parser can import
them all without a circle.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

from .._instants import parse_instant
from ..errors import ConfigurationError

__all__ = [
    "Handler",
    "Subparsers",
    "group_subparsers",
    "instant_option",
    "show_help",
    "today_in",
    "write_text",
]

Handler = Callable[[argparse.Namespace], int]
# What ``ArgumentParser.add_subparsers`` returns; argparse does not export its type.
Subparsers = Any


def show_help(parser: argparse.ArgumentParser) -> Handler:
    """The handler of a command group called without a sub-command: its help, exit status 2."""

    def handler(_args: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    return handler


def group_subparsers(subparsers: Subparsers, name: str, help_text: str) -> Subparsers:
    """The sub-commands of the group ``name``: the existing ones if another module added the
    group already, so two modules can each add commands to it."""
    existing = subparsers.choices.get(name)
    if existing is None:
        parser = subparsers.add_parser(name, help=help_text)
        parser.set_defaults(handler=show_help(parser))
        return parser.add_subparsers(title=f"{name} commands", metavar="COMMAND")
    for action in existing._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return existing.add_subparsers(title=f"{name} commands", metavar="COMMAND")


def write_text(path: str, text: str) -> None:
    """Write an output file; a path that cannot be written is the user's to fix."""
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"{path!r} cannot be written: {exc}", subject=path) from exc


def instant_option(text: str | None, flag: str) -> datetime:
    """The instant an option gives, else now: the one place the command line reads the clock
    (the core takes every instant as an argument)."""
    return datetime.now(UTC) if text is None else parse_instant(text, flag)


def today_in(zone: tzinfo) -> date:
    """Today's date in ``zone``, read from the clock (a default of a date option)."""
    return instant_option(None, "").astimezone(zone).date()
