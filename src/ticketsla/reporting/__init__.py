"""Reports: what a period's tickets show, what a contract owes, and the pages that show it.

- ``periods``, ``measures``, ``summaries``, ``charts``, ``build``, ``whatif``, ``formatting``:
  the report value (``ticketsla.report`` is its public path);
- ``fees`` and ``statements``: fee tables, SLO verdicts, service credits and clawbacks (with the
  terms in ``ticketsla.contract_terms``, gathered at ``ticketsla.contract``);
- ``html_report`` and ``html_weekly``: the self-contained HTML page;
- ``describe``: the SLA document of a policy; ``escalation_report``: escalations per period.

Pure: nothing here reads a clock, a file or a database.
"""

from .build import Report, build_report, report_from_events
from .charts import TTFR_BUCKETS
from .measures import (
    NONE,
    Dimension,
    Measurement,
    TicketRecord,
    measurements_of,
    records_from_events,
)
from .periods import PeriodKind, ReportPeriod
from .summaries import CSATSummary, FCRSummary, GroupSummary, MetricSummary, nearest_rank
from .whatif import Change, ChangeUnit, WhatIf, compare_reports

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
