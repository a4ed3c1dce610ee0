"""``ticketsla.notifiers``, kept as a public path: the code lives in :mod:`ticketsla.plugins.notifiers`."""

from .plugins.notifiers import (
    JSONLinesNotifier,
)

__all__ = ["JSONLinesNotifier"]
