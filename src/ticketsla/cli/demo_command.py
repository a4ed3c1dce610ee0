"""``ticketsla demo``: a synthetic helpdesk end to end.

The demo itself (:mod:`ticketsla._demo`) is imported only when the command runs: it imports
the report command's helpers, never the reverse.
"""

from __future__ import annotations

import argparse

from ..errors import ConfigurationError
from .common import Subparsers
from .report_tables import print_report
from .terminal import console as terminal_console
from .terminal import plural, print_command

__all__ = ["register"]


def register(commands: Subparsers) -> None:
    """Add ``demo`` to the ``ticketsla`` sub-commands."""
    demo = commands.add_parser(
        "demo",
        help="a synthetic helpdesk end to end: payloads, engine, scan, report, HTML page",
        description=_cmd_demo.__doc__,
    )
    demo.add_argument(
        "--out", default="ticketsla-demo", help="folder for its files (default ticketsla-demo)"
    )
    demo.add_argument("--seed", type=int, default=7, help="the same seed gives the same helpdesk")
    demo.add_argument("--tickets", type=int, default=3000, help="how many tickets (default 3000)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar and no tables")
    demo.set_defaults(handler=_cmd_demo)


def _cmd_demo(args: argparse.Namespace) -> int:
    """Generate a synthetic helpdesk (five customers, three policies and calendars, Zendesk-,
    Jira- and e-mail-shaped payloads through the installed adapters, with waits, escalations,
    reopenings, ratings, late and duplicate deliveries), store it with an SLAEngine in a SQLite
    file, scan it, and report on October 2026 with an HTML page. Deterministic with --seed."""
    from rich.progress import Progress

    from .._demo import run_demo  # the demo imports the report commands: only when run

    if not 1 <= args.tickets <= 100_000:
        raise ConfigurationError(
            f"--tickets: {args.tickets} is not between 1 and 100000", subject="--tickets"
        )
    console = terminal_console()
    with Progress(
        console=console, transient=True, disable=args.quiet or not console.is_terminal
    ) as bar:
        task = bar.add_task("generating tickets", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        result = run_demo(args.out, seed=args.seed, tickets=args.tickets, progress=progress)
    lines = [
        f"{plural(result.tickets, 'ticket')} of 5 customers, September and October 2026 (seed {args.seed})",
        f"{plural(result.payloads, 'delivery', 'deliveries')} ({result.late_sent} late, "
        f"{result.duplicates_sent} repeated) "
        + (
            f"through the {', '.join(result.via_adapters)} "
            f"{'adapter' if len(result.via_adapters) == 1 else 'adapters'}"
            if result.via_adapters
            else "with no adapter installed"
        )
        + (
            f"; {', '.join(result.direct)} written as events (adapter not installed)"
            if result.direct
            else ""
        ),
        f"stored {plural(result.stored, 'event')} in {result.database}; "
        f"{plural(result.duplicates_dropped, 'duplicate')} dropped, {result.late_stored} arrived "
        "after later events of their ticket",
        f"scan: {plural(result.breaches_scanned, 'new breach', 'new breaches')}, "
        f"{plural(result.warnings_scanned, 'new warning')} "
        "(the rest were recorded as the events arrived)",
    ]
    for line in lines:
        console.print(line, markup=False, highlight=False)
    if not args.quiet:
        print_report(result.report, console)
    console.print(f"HTML report: {result.html}", markup=False, highlight=False, soft_wrap=True)
    console.print("next:", markup=False, highlight=False)
    print_command(
        console,
        f"ticketsla report --db sqlite:///{result.database} --policy "
        f"{result.folder / 'policies' / 'gold.toml'} --policy {result.folder / 'policies' / 'silver.toml'} "
        f"--policy {result.folder / 'policies' / 'standard.toml'} --period 2026-10 --by customer",
    )
    return 0
