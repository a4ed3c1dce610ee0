"""The hooks a ticketsla plugin can implement (documented in docs/plugins.md).

Plugins mark their functions with ``ticketsla.hookimpl``; the plugin manager is made in
``ticketsla.plugins.get_plugin_manager``. Three groups of hooks:

- registration: ``ticketsla_register_sources``, ``ticketsla_register_calendars``,
  ``ticketsla_register_policies`` add to a registry they are handed;
- decisions (first non-None answer wins): ``ticketsla_choose_policy``,
  ``ticketsla_counts_as_response``, ``ticketsla_route``, ``ticketsla_payload_builder``;
- notifications (every plugin hears them): ``ticketsla_sla_warning``, ``ticketsla_sla_breached``,
  ``ticketsla_sla_fulfilled``, ``ticketsla_outcome_recorded``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from ..events import TicketEvent
    from ..notifications import Notification
    from ..recipients import Recipient
    from .payload_builders import PayloadBuilder
    from .registries import CalendarRegistry, PolicyRegistry
    from .sources import SourceRegistry

__all__ = [
    "PROJECT_NAME",
    "hookimpl",
    "hookspec",
    "ticketsla_choose_policy",
    "ticketsla_counts_as_response",
    "ticketsla_outcome_recorded",
    "ticketsla_payload_builder",
    "ticketsla_register_calendars",
    "ticketsla_register_policies",
    "ticketsla_register_sources",
    "ticketsla_route",
    "ticketsla_sla_breached",
    "ticketsla_sla_fulfilled",
    "ticketsla_sla_warning",
]

PROJECT_NAME = "ticketsla"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# ---- registration ------------------------------------------------------------------------------


@hookspec
def ticketsla_register_sources(registry: SourceRegistry) -> None:
    """Add source adapters (``SourceAdapter`` objects) to ``registry`` with ``registry.add``."""


@hookspec
def ticketsla_register_calendars(registry: CalendarRegistry) -> None:
    """Add calendars to ``registry`` with ``registry.add(name, entry)``.

    ``entry`` is a ``Calendar``, a path to a calendar ``.toml`` file, or a function of no
    arguments returning a ``Calendar`` (called once, on first use). The built-in plugin
    registers the bundled calendars this way.
    """


@hookspec
def ticketsla_register_policies(registry: PolicyRegistry) -> None:
    """Add SLA policies to ``registry`` with ``registry.add(name, entry)``.

    ``entry`` is a path to a policy ``.toml`` file, a policy object, or a function of no
    arguments returning one.
    """


# ---- decisions ---------------------------------------------------------------------------------


@hookspec(firstresult=True)
def ticketsla_choose_policy(ticket: Mapping[str, Any], candidates: Sequence[str]) -> str | None:
    """Name the policy for a ticket, overriding the default first-match choice.

    ``ticket`` is a read-only mapping of the ticket's current fields (``priority``, ``status``,
    ``tags``, ``channel``, ``organization``, custom fields...). ``candidates`` are the names of
    the policies whose match accepts the ticket, in policy order; the default is the first.
    Return one of ``candidates``, or ``None`` to leave the choice to the next plugin or the
    default. Returning a name that is not a candidate is a ``PluginError``.
    """


@hookspec(firstresult=True)
def ticketsla_counts_as_response(event: TicketEvent) -> bool | None:
    """Decide whether an ``agent_reply`` event fulfils a response target.

    Return ``True`` or ``False`` to decide, ``None`` to leave it to the next plugin. The
    built-in answer is ``event.is_public_response``: a public reply that is not automatic.
    """


@hookspec(firstresult=True)
def ticketsla_route(name: str, notification: Notification) -> Sequence[Recipient] | None:
    """Resolve a name from an escalation level's ``notify`` to the recipients it means now.

    ``notification`` is the escalation about to be recorded (``kind == "escalation"``, with
    ``notification.escalation`` saying which level). Return a list of ``Recipient`` values
    (an on-call rotation's current member, a team's members; an empty list notifies nobody
    under that name), or ``None`` to leave the name to the next plugin and then to the
    policy's ``[recipients]`` table. A recipient's ``calendar`` names a calendar of the
    policy's, of a plugin's or a bundled one; its closed hours hold the notification.
    """


@hookspec(firstresult=True)
def ticketsla_payload_builder(source: str) -> PayloadBuilder | None:
    """Offer a ``PayloadBuilder`` that writes ``source``'s wire payloads from ticket events.

    Return ``None`` for a source that is not yours. The demo writes its synthetic helpdesk
    through these builders, and tests of an integration use them for realistic payloads.
    """


# ---- notifications -----------------------------------------------------------------------------


@hookspec
def ticketsla_sla_warning(notification: Notification) -> None:
    """A clock crossed a warning level (``notification.level`` such as ``"75%"`` or ``"30m"``).

    Also called with ``notification.kind == "retraction"`` when a late event shows that a
    warning already sent no longer holds.
    """


@hookspec
def ticketsla_sla_breached(notification: Notification) -> None:
    """A clock passed its due time (``notification.kind == "breach"``).

    Also called with ``notification.kind == "retraction"`` when a late event shows that a
    breach already sent did not happen.
    """


@hookspec
def ticketsla_sla_fulfilled(notification: Notification) -> None:
    """A clock's target was met or missed and the clock stopped (``kind == "fulfilled"``). A late
    event that changes the verdict first sends a retraction of the old one (``kind ==
    "retraction"``, ``level`` ``"met"`` or ``"missed"``) to this hook."""


@hookspec
def ticketsla_outcome_recorded(notification: Notification) -> None:
    """An outcome was recorded for a ticket (``kind == "outcome"``, ``cycle == 0``): ``metric``
    names it and ``level`` holds its value: ``"fcr"`` or ``"not_fcr"`` for ``"fcr"``;
    ``"positive"``, ``"neutral"`` or ``"negative"`` for ``"csat"``. A late event that changes the
    verdict first sends a retraction of the old level (``kind == "retraction"``) to this hook."""
