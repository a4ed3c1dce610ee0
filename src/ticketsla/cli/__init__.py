"""The ``ticketsla`` command line: an edge, so it is where the clock is read.

``main`` (the console entry point ``ticketsla.cli:main``) lives in :mod:`ticketsla.cli.main`,
which builds the parser and hands its sub-parsers to each command module's ``register``.
"""

from __future__ import annotations

from .main import build_parser, main

__all__ = ["build_parser", "main"]
