"""Run the engine's commands the way ``ticketsla.cli.main`` does, for tests (and subprocesses)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ticketsla.cli import engine_commands, monitor_commands
from ticketsla.errors import TicketSLAError


def run(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="ticketsla")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    engine_commands.register(commands)
    monitor_commands.register(commands)
    args = parser.parse_args(list(argv))
    try:
        code: int = args.handler(args)
    except TicketSLAError as exc:
        print(f"ticketsla: error: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
