"""The ``ticketsla`` entry point of ticketsla-zendesk: registers the Zendesk adapter and
offers its payload builder (``ticketsla_zendesk.testing``).

The adapter is configured from the environment (``TICKETSLA_ZENDESK_AGENT_IDS``,
``TICKETSLA_ZENDESK_CUSTOMER_IDS``, ``TICKETSLA_ZENDESK_REPLAY_WINDOW``). To configure it in
code instead, block this entry point (``TICKETSLA_DISABLED_PLUGINS=zendesk``) and register a
plugin of your own that adds ``ZendeskAdapter(agent_ids=...)``.
"""

from __future__ import annotations

from ticketsla.hookspecs import hookimpl
from ticketsla.sources import SourceRegistry

from .adapter import ZendeskAdapter
from .testing import ZendeskPayloads


@hookimpl
def ticketsla_register_sources(registry: SourceRegistry) -> None:
    """Add the Zendesk adapter, configured from the environment."""
    registry.add(ZendeskAdapter.from_env())


@hookimpl
def ticketsla_payload_builder(source: str) -> ZendeskPayloads | None:
    """Offer the payload builder of ``ticketsla_zendesk.testing`` for the ``zendesk`` source."""
    return ZendeskPayloads() if source == "zendesk" else None
