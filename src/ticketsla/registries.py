"""``ticketsla.registries``, kept as a public path: the code lives in :mod:`ticketsla.plugins.registries`."""

from .plugins.registries import (
    CalendarRegistry,
    PolicyRegistry,
    Registry,
)

__all__ = ["CalendarRegistry", "PolicyRegistry", "Registry"]
