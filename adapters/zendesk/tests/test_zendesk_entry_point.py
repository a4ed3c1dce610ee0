"""ticketsla-zendesk arrives through the ticketsla entry point, exactly as a user installs it."""

from __future__ import annotations

from importlib.metadata import distribution, entry_points

import pytest

pytest.importorskip("ticketsla_zendesk", reason="ticketsla-zendesk is not installed")

from ticketsla_zendesk import ZendeskAdapter
from ticketsla_zendesk import plugin as zendesk_plugin
from zendesk_testdata import raw

from ticketsla.plugins import DISABLED_PLUGINS_ENV, get_plugin_manager, parse_payload, sources


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        DISABLED_PLUGINS_ENV,
        "TICKETSLA_ZENDESK_AGENT_IDS",
        "TICKETSLA_ZENDESK_CUSTOMER_IDS",
    ):
        monkeypatch.delenv(name, raising=False)


def test_the_distribution_declares_the_ticketsla_entry_point() -> None:
    """The installed ticketsla-zendesk declares entry point zendesk = ticketsla_zendesk.plugin."""
    found = [ep for ep in entry_points(group="ticketsla") if ep.name == "zendesk"]
    assert [ep.value for ep in found] == ["ticketsla_zendesk.plugin"]
    assert distribution("ticketsla-zendesk").metadata["Name"] == "ticketsla-zendesk"


def test_the_plugin_manager_loads_the_adapter_from_the_entry_point() -> None:
    """get_plugin_manager() registers the module under 'zendesk' and the source is available."""
    pm = get_plugin_manager()
    assert pm.get_plugin("zendesk") is zendesk_plugin
    assert isinstance(sources(pm).get("zendesk"), ZendeskAdapter)


def test_parse_payload_finds_zendesk_without_any_set_up() -> None:
    """The public call reads a Zendesk audit page with only the distribution installed."""
    events = parse_payload("zendesk", raw("audits_ticket_4711.json"), pm=get_plugin_manager())
    assert events[0].event_id == "created-4711"


def test_the_entry_point_can_be_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    """TICKETSLA_DISABLED_PLUGINS=zendesk removes the source."""
    monkeypatch.setenv(DISABLED_PLUGINS_ENV, "zendesk")
    pm = get_plugin_manager()
    assert pm.get_plugin("zendesk") is None
    assert "zendesk" not in sources(pm)


def test_the_registered_adapter_reads_its_configuration_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """TICKETSLA_ZENDESK_AGENT_IDS configures the adapter the entry point registers."""
    monkeypatch.setenv("TICKETSLA_ZENDESK_AGENT_IDS", "7001, 7002")
    adapter = sources(get_plugin_manager()).get("zendesk")
    assert isinstance(adapter, ZendeskAdapter)
    assert adapter.people.agent_ids == frozenset({"7001", "7002"})
