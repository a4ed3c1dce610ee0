"""``ticketsla.html_weekly``, kept as a public path: the code lives in :mod:`ticketsla.reporting.html_weekly`."""

from .reporting.html_weekly import (
    WeeklyPanel,
    WeeklySeries,
    axis_floor,
    weekly_chart,
    weekly_panels,
)

__all__ = ["WeeklyPanel", "WeeklySeries", "axis_floor", "weekly_chart", "weekly_panels"]
