"""``ticketsla.signing``, kept as a public path: the code lives in :mod:`ticketsla.plugins.signing`."""

from .plugins.signing import *  # noqa: F403  (the names of its __all__, below)
from .plugins.signing import __all__ as __all__
