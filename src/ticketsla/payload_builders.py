"""``ticketsla.payload_builders``, kept as a public path: the code lives in :mod:`ticketsla.plugins.payload_builders`."""

from .plugins.payload_builders import *  # noqa: F403  (the names of its __all__, below)
from .plugins.payload_builders import __all__ as __all__
