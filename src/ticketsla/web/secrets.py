"""Where ``ticketsla serve`` finds its secrets: the environment or a TOML file, never the
command line (where every user of the machine can read them in the process list).

Environment: ``TICKETSLA_WEBHOOK_SECRET_<SOURCE>`` for each source that may deliver
(``TICKETSLA_WEBHOOK_SECRET_ZENDESK``), ``TICKETSLA_NOTIFY_SECRET`` for signing outbound
notifications. File::

    [webhooks]
    zendesk = "..."
    jira = "..."

    [notify]
    secret = "whsec_..."

A value in the environment wins over the file's.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError
from ..plugins.signing import Secret

__all__ = ["NOTIFY_SECRET_ENV", "WEBHOOK_SECRET_ENV_PREFIX", "ServeSecrets", "load_secrets"]

WEBHOOK_SECRET_ENV_PREFIX = "TICKETSLA_WEBHOOK_SECRET_"
NOTIFY_SECRET_ENV = "TICKETSLA_NOTIFY_SECRET"


@dataclass(frozen=True, slots=True)
class ServeSecrets:
    """The webhook secret of each source, and the outbound signing secret (if any)."""

    webhooks: dict[str, Secret] = field(default_factory=dict)
    notify: Secret | None = None


def load_secrets(
    path: str | os.PathLike[str] | None = None, *, environ: Mapping[str, str] | None = None
) -> ServeSecrets:
    """Read the secrets file at ``path`` (if given), then the environment over it."""
    env = os.environ if environ is None else environ
    webhooks: dict[str, Secret] = {}
    notify: Secret | None = None
    if path is not None:
        data = _read(Path(path))
        for source, value in _table(data, "webhooks", path).items():
            webhooks[source.lower()] = _secret(value, f"{path}: webhooks.{source}")
        notify_table = _table(data, "notify", path)
        if "secret" in notify_table:
            notify = _secret(notify_table["secret"], f"{path}: notify.secret")
    for name, value in env.items():
        if name.startswith(WEBHOOK_SECRET_ENV_PREFIX) and len(name) > len(
            WEBHOOK_SECRET_ENV_PREFIX
        ):
            source = name[len(WEBHOOK_SECRET_ENV_PREFIX) :].lower()
            webhooks[source] = _secret(value, name)
    if env.get(NOTIFY_SECRET_ENV):
        notify = _secret(env[NOTIFY_SECRET_ENV], NOTIFY_SECRET_ENV)
    return ServeSecrets(webhooks=webhooks, notify=notify)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{path}: not valid TOML: {exc}", subject=str(path)) from None


def _table(data: Mapping[str, Any], name: str, path: object) -> dict[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ConfigurationError(f"{path}: [{name}] must be a table", subject=name)
    return table


def _secret(value: Any, where: str) -> Secret:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{where}: expected a non-empty text secret", subject=where)
    return Secret(value.strip())
