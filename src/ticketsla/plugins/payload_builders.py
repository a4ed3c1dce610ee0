"""Payload builders: a source's wire payloads written from ticket events, for tests and the demo.

A payload builder is the inverse of a source adapter: given a ``TicketEvent``, it writes the
payload that source would send for it (a Zendesk webhook body, a Jira webhook body, an RFC 5322
message), in a shape the source's own adapter reads back into that event. Adapter distributions
ship theirs in a public ``testing`` module (``ticketsla_zendesk.testing``...) and offer it to
ticketsla through the ``ticketsla_payload_builder`` hook; ``payload_builder(source)`` asks for it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import pluggy

from ..errors import PluginError
from ..events import TicketEvent
from .sources import Payload, SourceAdapter

__all__ = ["PayloadBuilder", "payload_builder"]


@runtime_checkable
class PayloadBuilder(Protocol):
    """Writes one source's payloads for ticket events.

    ``payload(event)`` is the payload the source sends for ``event``, or ``None`` when the
    source has no payload for events of that kind (mail carries no status changes). Fields the
    source does not carry are left out. ``adapter()`` is an adapter configured to read these
    payloads back (who the agents are, for instance), so that
    ``adapter().parse(payload(event), ...)`` gives ``event`` again.
    """

    def payload(self, event: TicketEvent) -> Payload | None: ...

    def adapter(self) -> SourceAdapter: ...


def payload_builder(
    source: str, *, pm: pluggy.PluginManager | None = None
) -> PayloadBuilder | None:
    """The payload builder a plugin offers for ``source``, or ``None`` when none does."""
    from .manager import default_plugin_manager

    pm = pm or default_plugin_manager()
    builder = pm.hook.ticketsla_payload_builder(source=source)
    if builder is None:
        return None
    if not isinstance(builder, PayloadBuilder):
        raise PluginError(
            f"ticketsla_payload_builder returned {type(builder).__name__} for source "
            f"{source!r}; expected an object with payload(event) and adapter()",
            subject=source,
        )
    return builder
