"""``ticketsla.html_weekly``, kept as a public path: the code lives in :mod:`ticketsla.reporting.html_weekly`."""

from .reporting.html_weekly import *  # noqa: F403  (the names of its __all__, below)
from .reporting.html_weekly import __all__ as __all__
