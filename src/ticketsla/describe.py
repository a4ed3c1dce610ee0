"""``ticketsla.describe``, kept as a public path: the code lives in :mod:`ticketsla.reporting.describe`."""

from .reporting.describe import Block, SLADocument, describe

__all__ = ["Block", "SLADocument", "describe"]
