"""``ticketsla.report``: the report API, kept at its public path.

The code is in :mod:`ticketsla.reporting`: ``periods``, ``measures``, ``summaries``, ``charts``,
``build`` (the ``Report`` value, and the rule of which measurements fall in a period),
``whatif`` and ``formatting``.
"""

from .reporting.build import Report, build_report, report_from_events
from .reporting.charts import TTFR_BUCKETS
from .reporting.measures import (
    NONE,
    Dimension,
    Measurement,
    TicketRecord,
    measurements_of,
    records_from_events,
)
from .reporting.periods import PeriodKind, ReportPeriod
from .reporting.summaries import CSATSummary, FCRSummary, GroupSummary, MetricSummary, nearest_rank
from .reporting.whatif import Change, ChangeUnit, WhatIf, compare_reports

__all__ = [
    "NONE",
    "TTFR_BUCKETS",
    "CSATSummary",
    "Change",
    "Dimension",
    "FCRSummary",
    "GroupSummary",
    "Measurement",
    "MetricSummary",
    "Report",
    "ReportPeriod",
    "TicketRecord",
    "WhatIf",
    "build_report",
    "compare_reports",
    "measurements_of",
    "nearest_rank",
    "records_from_events",
    "report_from_events",
    "ChangeUnit",
    "PeriodKind",
]
