"""``ticketsla.hookspecs``, kept as a public path: the code lives in :mod:`ticketsla.plugins.hookspecs`."""

from .plugins.hookspecs import *  # noqa: F403  (the names of its __all__, below)
from .plugins.hookspecs import __all__ as __all__
