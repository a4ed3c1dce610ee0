"""ticketsla as a service: the webhook receiver, SLA API, live board and scanner (docs/serve.md).

Needs the ``serve`` extra: ``pip install 'ticketsla[serve]'``.
"""

from __future__ import annotations

from .app import DEFAULT_STANDARD_SIGNED, create_app
from .notifier import WebhookNotifier
from .scanner import Scanner
from .secrets import ServeSecrets, load_secrets

__all__ = [
    "DEFAULT_STANDARD_SIGNED",
    "Scanner",
    "ServeSecrets",
    "WebhookNotifier",
    "create_app",
    "load_secrets",
]
