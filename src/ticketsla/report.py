"""``ticketsla.report``, kept as the public path of the report API (the code is in
:mod:`ticketsla.reporting`: periods, measures, summaries, charts, build, what-if).

Pure: ticket states (``TicketSLA`` values, or events folded here) and a period in, a ``Report``
value out. Nothing here reads a clock, a file or a database; ``as_of`` is a parameter.

Which measurements fall in a period (the rule, also in docs/reading-the-report.md):

- A **clock** (one cycle of one metric) counts toward attainment in the period holding its
  *decision*: the breach instant if it breached (even if it was fulfilled later), else the
  instant it was fulfilled within target. A clock still running and not breached is *open* and
  counts nowhere yet; a clock cancelled before its target passed counts nowhere. So every clock
  is counted once, in one period, and a breach is reported as soon as it happens.
- **Business-time statistics** (median and 90th percentile time to first response, to
  resolution...) are over the clocks *fulfilled* in the period, late ones included: the time to
  first response of the first responses given in the period.
- **FCR** counts in the period of the ticket's first solve; it is *pending* while its definition
  cannot decide yet (a reopen window still open).
- **CSAT** counts in the period of the rating (the latest rating of a ticket).
- Tickets are evaluated as of the end of the report period, or ``as_of`` when that is earlier.

Attainment is met clocks over decided clocks (the share of targets met, as Zendesk counts it);
the ticket counts beside it say how many distinct tickets those clocks belong to.
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
