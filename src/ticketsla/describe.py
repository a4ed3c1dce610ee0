"""``ticketsla.describe``, kept as a public path: the code lives in :mod:`ticketsla.reporting.describe`."""

from .reporting.describe import *  # noqa: F403  (the names of its __all__, below)
from .reporting.describe import __all__ as __all__
