"""The ``ticketsla`` entry point of ``ticketsla-jira``: registers the ``jira`` source and
offers its payload builder (``ticketsla_jira.testing``).

The adapter is configured from the TOML file named by ``$TICKETSLA_JIRA_CONFIG`` when that is
set (see ``docs/adapters/jira.md``), else it uses the documented defaults. To register an
adapter built in code instead, block this plugin (``TICKETSLA_DISABLED_PLUGINS=jira``) and
register your own ``JiraAdapter(...)`` from a plugin of yours.
"""

from __future__ import annotations

from ticketsla.hookspecs import hookimpl
from ticketsla.sources import SourceRegistry

from .adapter import JiraAdapter
from .testing import JiraPayloads


@hookimpl
def ticketsla_register_sources(registry: SourceRegistry) -> None:
    """Add the Jira adapter."""
    registry.add(JiraAdapter.from_environment())


@hookimpl
def ticketsla_payload_builder(source: str) -> JiraPayloads | None:
    """Offer the payload builder of ``ticketsla_jira.testing`` for the ``jira`` source."""
    return JiraPayloads() if source == "jira" else None
