"""ticketsla's plugins: the hook specifications, the one plugin manager, the built-in plugin,
the registries the hooks fill, source adapters and their payload limits, webhook signing and the
notifiers that ship with ticketsla.

``ticketsla.plugins`` itself keeps the manager's functions (``get_plugin_manager``,
``parse_payload``, ``verify_signature``, ``notify``...), as it always has; they live in
:mod:`ticketsla.plugins.manager`.
"""

from __future__ import annotations

from .manager import *  # noqa: F403  (the names of its __all__, below)
from .manager import __all__ as __all__

# Used by the engine and the CLI, not part of ``__all__``.
from .manager import policy_chooser as policy_chooser
from .manager import response_rule as response_rule
