"""``ticketsla policy describe``: the SLA document of a policy, in Markdown or HTML."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from ..errors import ConfigurationError
from ..policy import SLAPolicy
from ..reporting.describe import describe
from .common import Subparsers, group_subparsers, today_in, write_text

__all__ = ["register"]


def register(commands: Subparsers) -> None:
    """Add ``policy describe`` to the ``ticketsla`` sub-commands (a ``policy`` group added by
    another module is reused)."""
    policy_commands = group_subparsers(commands, "policy", "inspect and document SLA policies")
    describe_parser = policy_commands.add_parser(
        "describe",
        help="the SLA document of a policy, in Markdown or HTML",
        description=_cmd_describe.__doc__,
    )
    describe_parser.add_argument("policy", metavar="POLICY.toml", help="the policy file")
    describe_parser.add_argument(
        "--format", choices=("markdown", "html"), default="markdown", help="default markdown"
    )
    describe_parser.add_argument("--out", metavar="FILE", help="write here (default: stdout)")
    describe_parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="the date the document starts from (default: today); holidays of 12 months",
    )
    describe_parser.set_defaults(handler=_cmd_describe)


def _cmd_describe(args: argparse.Namespace) -> int:
    """Write the SLA document of a policy: coverage, business hours and holidays for the
    coming twelve months, targets, what pauses a clock, SLO goals, credits, escalation."""
    policy = SLAPolicy.load(args.policy)
    if args.today:
        try:
            today = date.fromisoformat(args.today)
        except ValueError:
            raise ConfigurationError(
                f"--today: {args.today!r} is not a date like 2026-11-01", subject="--today"
            ) from None
    else:
        today = today_in(policy.calendar.zone)
    document = describe(policy, today=today)
    text = document.to_html() if args.format == "html" else document.to_markdown()
    if args.out:
        write_text(args.out, text)
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0
