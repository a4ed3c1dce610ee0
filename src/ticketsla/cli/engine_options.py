"""The options and policy loading the engine's commands and ``serve`` share."""

from __future__ import annotations

import argparse
import os

from ..errors import ConfigurationError
from ..plugins import default_plugin_manager
from ..plugins import policies as registered_policies
from ..policy import SLAPolicy

__all__ = ["DB_ENV", "db_option", "load_policies", "policy_option", "scan_policies"]

DB_ENV = "TICKETSLA_DB"
_DEFAULT_DB = "sqlite:///sla.db"


def db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=os.environ.get(DB_ENV, _DEFAULT_DB),
        help=f"database URL (default: ${DB_ENV} or {_DEFAULT_DB})",
    )


def policy_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="FILE",
        help="a policy .toml file; repeat for several (first match wins). Default: the policies "
        "plugins register",
    )


def load_policies(paths: list[str]) -> list[SLAPolicy]:
    """The policies of the files given, else the registered ones; none at all is an error."""
    policies = scan_policies(paths)
    if not policies:
        raise ConfigurationError(
            "no policies: pass --policy FILE (repeat for several), or install a plugin that "
            "registers policies",
            subject="--policy",
        )
    return policies


def scan_policies(paths: list[str]) -> list[SLAPolicy]:
    """The policies whose escalation levels a scan fires: the files given, else the registered
    ones; none is fine (warnings and breaches need no policy: the clocks carry them)."""
    if paths:
        return [SLAPolicy.load(path) for path in paths]
    registry = registered_policies(default_plugin_manager())
    found = [registry.load(name, SLAPolicy.load) for name in registry.names()]
    return [p for p in found if isinstance(p, SLAPolicy)]
