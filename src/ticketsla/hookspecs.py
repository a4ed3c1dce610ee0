"""``ticketsla.hookspecs``, kept as a public path: the code lives in :mod:`ticketsla.plugins.hookspecs`."""

from .plugins.hookspecs import (
    PROJECT_NAME,
    hookimpl,
    hookspec,
    ticketsla_choose_policy,
    ticketsla_counts_as_response,
    ticketsla_outcome_recorded,
    ticketsla_register_calendars,
    ticketsla_register_policies,
    ticketsla_register_sources,
    ticketsla_route,
    ticketsla_sla_breached,
    ticketsla_sla_fulfilled,
    ticketsla_sla_warning,
)

__all__ = [
    "PROJECT_NAME",
    "hookimpl",
    "hookspec",
    "ticketsla_choose_policy",
    "ticketsla_counts_as_response",
    "ticketsla_outcome_recorded",
    "ticketsla_register_calendars",
    "ticketsla_register_policies",
    "ticketsla_register_sources",
    "ticketsla_route",
    "ticketsla_sla_breached",
    "ticketsla_sla_fulfilled",
    "ticketsla_sla_warning",
]
