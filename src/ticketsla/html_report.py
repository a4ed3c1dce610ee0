"""``ticketsla.html_report``, kept as a public path: the code lives in :mod:`ticketsla.reporting.html_report`."""

from .reporting.html_report import render_html

__all__ = ["render_html"]
