"""The hooks a ticketsla plugin can implement (documented in docs/plugins.md).

Plugins mark their functions with ``ticketsla.hookimpl``; the plugin manager is made in
``ticketsla.plugins.get_plugin_manager``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .sources import SourceRegistry

PROJECT_NAME = "ticketsla"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def ticketsla_register_sources(registry: SourceRegistry) -> None:
    """Add source adapters (``SourceAdapter`` objects) to ``registry`` with ``registry.add``."""
