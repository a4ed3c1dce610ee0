"""``ticketsla.notifiers``, kept as a public path: the code lives in :mod:`ticketsla.plugins.notifiers`."""

from .plugins.notifiers import *  # noqa: F403  (the names of its __all__, below)
from .plugins.notifiers import __all__ as __all__
