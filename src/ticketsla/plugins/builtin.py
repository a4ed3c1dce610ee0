"""ticketsla's own behaviour, registered as an ordinary plugin named ``builtin``.

Like pluggy's eggsample, the defaults live in a plugin so that they go through the same hooks
as everyone else's: another plugin answering a decision hook is asked first (this one is
``trylast``), and ``TICKETSLA_DISABLED_PLUGINS=builtin`` removes it.
"""

from __future__ import annotations

from functools import partial

from ..calendar import Calendar, bundled_calendar_names
from ..events import TicketEvent
from .hookspecs import hookimpl
from .registries import CalendarRegistry

NAME = "builtin"


@hookimpl
def ticketsla_register_calendars(registry: CalendarRegistry) -> None:
    """The calendars bundled with ticketsla, each loaded on first use."""
    for name in bundled_calendar_names():
        registry.add(name, partial(Calendar.load, name))


@hookimpl(trylast=True)
def ticketsla_counts_as_response(event: TicketEvent) -> bool | None:
    """A public reply by a person on the team counts; an automatic message does not (the rule
    is ``TicketEvent.is_public_response``)."""
    return event.is_public_response
