"""The installed distribution registers the jira source through the ticketsla entry point."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pluggy
import pytest
from jira_payloads import raw, sign
from ticketsla_jira import CONFIG_ENV, JiraAdapter

import ticketsla.hookspecs
from ticketsla.errors import SignatureError, SourceNotFoundError
from ticketsla.events import EventKind, Status
from ticketsla.plugins import get_plugin_manager, parse_payload, sources, verify_signature
from ticketsla.sources import PayloadLimits, SourceAdapter, SourceRegistry


def _registry_from_entry_point() -> SourceRegistry:
    pm = pluggy.PluginManager("ticketsla")
    pm.add_hookspecs(ticketsla.hookspecs)
    pm.load_setuptools_entrypoints("ticketsla", name="jira")
    registry = SourceRegistry()
    pm.hook.ticketsla_register_sources(registry=registry)
    return registry


def test_entry_point_registers_a_jira_source_adapter() -> None:
    """Loading the entry point as pluggy does adds a JiraAdapter named jira."""
    adapter = _registry_from_entry_point().get("jira")
    assert isinstance(adapter, JiraAdapter)
    assert isinstance(adapter, SourceAdapter)
    assert adapter.name == "jira"


def test_config_file_named_by_the_environment_configures_the_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$TICKETSLA_JIRA_CONFIG points the registered adapter at a TOML file."""
    path = tmp_path / "jira.toml"
    path.write_text('[statuses]\n"Waiting for customer" = "on_hold"\n', encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(path))
    adapter = _registry_from_entry_point().get("jira")
    (event,) = adapter.parse(raw("issue_updated_status.json"), headers={}, limits=PayloadLimits())
    assert event.status is Status.ON_HOLD


def test_parse_payload_reaches_the_adapter_through_the_plugin_manager() -> None:
    """ticketsla.plugins.parse_payload("jira", body) returns the adapter's events."""
    pm = get_plugin_manager()
    assert "jira" in sources(pm)
    (event,) = parse_payload("jira", raw("comment_created_public.json"), pm=pm)
    assert (event.event_id, event.kind) == ("comment:30101", EventKind.AGENT_REPLY)


def test_verify_signature_reaches_the_adapter_through_the_plugin_manager() -> None:
    """ticketsla.plugins.verify_signature accepts a good signature and refuses a stale one."""
    pm = get_plugin_manager()
    body = raw("issue_created.json")
    headers = {"X-Hub-Signature": sign(body)}
    sent = datetime.fromtimestamp(1772442900, UTC)
    verify_signature("jira", body, headers, "whsec-ticketsla-jira-1", now=sent, pm=pm)
    with pytest.raises(SignatureError, match="stale"):
        verify_signature(
            "jira", body, headers, "whsec-ticketsla-jira-1", now=sent + timedelta(hours=1), pm=pm
        )


def test_blocking_the_plugin_removes_the_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """TICKETSLA_DISABLED_PLUGINS=jira leaves no jira source."""
    monkeypatch.setenv("TICKETSLA_DISABLED_PLUGINS", "jira")
    with pytest.raises(SourceNotFoundError, match="no adapter for source 'jira'"):
        sources(get_plugin_manager()).get("jira")
