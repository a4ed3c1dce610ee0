"""The ``ticketsla`` parser and entry point.

The command line is an edge, so it is where the clock is read (by the commands' defaults for
``--at``/``--now``). Each command group lives in its own module with a ``register(subparsers)``
function; none of them imports this module back.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import TicketSLAError
from ..redaction import scrub_secrets
from . import (
    calendar_commands,
    demo_command,
    describe_command,
    engine_commands,
    evaluate_command,
    import_command,
    monitor_commands,
    report_commands,
    serve_command,
)
from .common import Handler

__all__ = ["COMMAND_MODULES", "build_parser", "main"]

# The order of the commands in ``ticketsla --help``.
COMMAND_MODULES = (
    calendar_commands,
    import_command,
    evaluate_command,
    engine_commands,
    monitor_commands,
    report_commands,
    describe_command,
    demo_command,
    serve_command,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        status = handler(args)
        sys.stdout.flush()  # a short output meets a closed pipe here, not at exit
        return status
    except BrokenPipeError:
        return _closed_pipe()
    except TicketSLAError as exc:
        _error(str(exc), args)
        return 2
    except OSError as exc:  # a file or folder that cannot be read or written: the user's to fix
        where = f" {exc.filename!r}" if exc.filename else ""
        _error(f"{where.strip()} {exc.strerror or exc}".strip(), args)
        return 2


def _error(message: str, args: argparse.Namespace) -> None:
    """One line on stderr, without any secret of the database URL the command was given."""
    line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    print(f"ticketsla: error: {scrub_secrets(line, getattr(args, 'db', None))}", file=sys.stderr)


def _closed_pipe() -> int:
    """The reader went away (``| head``): stop quietly, as other command-line tools do."""
    # Point stdout at /dev/null so the interpreter's final flush does not fail again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 141  # 128 + SIGPIPE, the status a shell shows for a tool stopped by a closed pipe


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree: each command module adds its commands to the sub-parsers."""
    parser = argparse.ArgumentParser(
        prog="ticketsla", description="Helpdesk SLA clocks in exact business time."
    )
    parser.add_argument("--version", action="version", version=f"ticketsla {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
