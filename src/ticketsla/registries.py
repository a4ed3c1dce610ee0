"""``ticketsla.registries``, kept as a public path: the code lives in :mod:`ticketsla.plugins.registries`."""

from .plugins.registries import *  # noqa: F403  (the names of its __all__, below)
from .plugins.registries import __all__ as __all__
