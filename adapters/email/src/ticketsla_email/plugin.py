"""The ``ticketsla`` entry point of ``ticketsla-email``: registers the ``email`` source and
offers its payload builder (``ticketsla_email.testing``).

The adapter is configured from the TOML file named by ``$TICKETSLA_EMAIL_CONFIG`` when that is
set (see ``docs/adapters/email.md``), else it uses the defaults (no agent addresses: every
sender is a customer until you list your team).
"""

from __future__ import annotations

from ticketsla.hookspecs import hookimpl
from ticketsla.sources import SourceRegistry

from .adapter import EmailAdapter
from .testing import EmailPayloads


@hookimpl
def ticketsla_register_sources(registry: SourceRegistry) -> None:
    """Add the email adapter."""
    registry.add(EmailAdapter.from_environment())


@hookimpl
def ticketsla_payload_builder(source: str) -> EmailPayloads | None:
    """Offer the payload builder of ``ticketsla_email.testing`` for the ``email`` source."""
    return EmailPayloads() if source == "email" else None
