"""ticketsla-jira: Jira Cloud and Jira Service Management as a ticketsla source.

``JiraAdapter`` reads webhook bodies (``jira:issue_created``, ``jira:issue_updated``,
``comment_created``), issue changelog pages and issues from the REST API, and verifies the
``X-Hub-Signature`` of admin webhooks. It is registered as the ``jira`` source through the
``ticketsla`` entry point; see ``docs/adapters/jira.md``.
``ticketsla_jira.testing.JiraPayloads`` writes Jira's webhook bodies from ticket events, for
tests (``docs/adapters/jira.md``).
"""

from __future__ import annotations

from .adapter import CONFIG_ENV, JiraAdapter
from .mapping import DEFAULT_PRIORITIES, DEFAULT_STATUS_CATEGORIES, DEFAULT_STATUSES
from .people import People
from .settings import JiraSettings
from .sla_names import JSM_SLA_METRICS, metric_for_sla

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_PRIORITIES",
    "DEFAULT_STATUSES",
    "DEFAULT_STATUS_CATEGORIES",
    "JSM_SLA_METRICS",
    "JiraAdapter",
    "JiraSettings",
    "People",
    "metric_for_sla",
]
