"""``ticketsla.sources``, kept as a public path: the code lives in :mod:`ticketsla.plugins.sources`."""

from .plugins.sources import *  # noqa: F403  (the names of its __all__, below)
from .plugins.sources import __all__ as __all__
