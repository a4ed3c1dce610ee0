"""ticketsla.payload_builders: the ticketsla_payload_builder hook, asked through the registry."""

from __future__ import annotations

from typing import Any

import pytest

from ticketsla.errors import PluginError
from ticketsla.events import TicketEvent
from ticketsla.hookspecs import hookimpl
from ticketsla.payload_builders import PayloadBuilder, payload_builder
from ticketsla.testing import EventBuilder, plugin_manager


class AcmePayloads:
    """Writes every event as the JSON Acme sends; reads nothing back here."""

    def payload(self, event: TicketEvent) -> dict[str, Any]:
        return {"ticket": event.ticket_id, "what": str(event.kind)}

    def adapter(self) -> Any:
        raise NotImplementedError


class AcmePlugin:
    @hookimpl
    def ticketsla_payload_builder(self, source: str) -> AcmePayloads | None:
        return AcmePayloads() if source == "acme" else None


class BrokenPlugin:
    @hookimpl
    def ticketsla_payload_builder(self, source: str) -> object:
        return "not a builder"


def test_a_plugin_offers_a_builder_for_its_own_source_only() -> None:
    """The first plugin to answer for a source gives its builder; other sources get None."""
    pm = plugin_manager(AcmePlugin())
    builder = payload_builder("acme", pm=pm)
    assert isinstance(builder, PayloadBuilder)
    assert builder.payload(EventBuilder("A-1").created()) == {"ticket": "A-1", "what": "created"}
    assert payload_builder("elsewhere", pm=pm) is None


def test_no_plugin_means_no_builder() -> None:
    """With only the built-ins registered, no source has a builder."""
    assert payload_builder("zendesk", pm=plugin_manager()) is None


def test_an_answer_that_is_not_a_builder_is_a_plugin_error() -> None:
    """A plugin returning something without payload() and adapter() is named in a PluginError."""
    with pytest.raises(PluginError, match="ticketsla_payload_builder returned str"):
        payload_builder("acme", pm=plugin_manager(BrokenPlugin()))
