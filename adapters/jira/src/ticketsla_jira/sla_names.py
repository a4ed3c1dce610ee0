"""Jira Service Management's default SLAs by name, and the ticketsla preset with their rules.

A new JSM service project comes with "Time to first response" (from the request's creation to
the first comment shared with the customer) and "Time to resolution" (from creation to a
resolution, paused while waiting for the customer). docs/semantics.md compares the rules.
"""

from __future__ import annotations

__all__ = ["JSM_SLA_METRICS", "metric_for_sla"]

JSM_SLA_METRICS: dict[str, str] = {
    "Time to first response": "first_response",
    "Time to resolution": "resolution",
}

_BY_FOLDED = {name.casefold(): metric for name, metric in JSM_SLA_METRICS.items()}


def metric_for_sla(name: str) -> str | None:
    """The ticketsla preset for a JSM SLA name (any letter case), or None for a custom SLA."""
    return _BY_FOLDED.get(" ".join(name.split()).casefold())
