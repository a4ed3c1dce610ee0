"""The installed distribution registers the email source; email has no signatures."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pluggy
import pytest
from email_messages import raw
from ticketsla_email import CONFIG_ENV, EmailAdapter, EmailSettings

import ticketsla.hookspecs
from ticketsla.errors import SignatureError
from ticketsla.events import EventKind
from ticketsla.plugins import get_plugin_manager, parse_payload, sources, verify_signature
from ticketsla.sources import PayloadLimits, SourceAdapter, SourceRegistry

DOC = Path(__file__).resolve().parents[3] / "docs" / "adapters" / "email.md"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _registry_from_entry_point() -> SourceRegistry:
    pm = pluggy.PluginManager("ticketsla")
    pm.add_hookspecs(ticketsla.hookspecs)
    pm.load_setuptools_entrypoints("ticketsla", name="email")
    registry = SourceRegistry()
    pm.hook.ticketsla_register_sources(registry=registry)
    return registry


def test_entry_point_registers_an_email_source_adapter() -> None:
    """Loading the entry point as pluggy does adds an EmailAdapter named email."""
    adapter = _registry_from_entry_point().get("email")
    assert isinstance(adapter, EmailAdapter)
    assert isinstance(adapter, SourceAdapter)


def test_config_file_named_by_the_environment_configures_the_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$TICKETSLA_EMAIL_CONFIG names the team for the registered adapter."""
    path = tmp_path / "email.toml"
    path.write_text('agent_domains = ["acme.example"]\n', encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(path))
    adapter = _registry_from_entry_point().get("email")
    (event,) = adapter.parse(raw("agent_reply.eml"), headers={}, limits=PayloadLimits())
    assert event.kind is EventKind.AGENT_REPLY


def test_parse_payload_reaches_the_adapter_through_the_plugin_manager() -> None:
    """ticketsla.plugins.parse_payload("email", bytes) returns the adapter's events."""
    pm = get_plugin_manager()
    assert "email" in sources(pm)
    (event,) = parse_payload("email", raw("customer_new.eml"), pm=pm)
    assert event.kind is EventKind.CREATED


def test_email_has_no_signature_to_verify() -> None:
    """verify_signature always refuses, saying that email is not signed."""
    with pytest.raises(SignatureError, match="does not sign its messages"):
        EmailAdapter().verify_signature(b"x", {}, "secret", now=NOW)


def test_email_signature_refusal_through_the_plugin_manager_hides_the_secret() -> None:
    """Through ticketsla.plugins the refusal stands, and the secret is not in it."""
    with pytest.raises(SignatureError, match="does not sign") as caught:
        verify_signature("email", b"x", {}, "s3cr3t-value", now=NOW, pm=get_plugin_manager())
    assert "s3cr3t-value" not in str(caught.value)


def test_documented_toml_example_loads() -> None:
    """The TOML example in docs/adapters/email.md is valid settings."""
    (block,) = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    settings = EmailSettings.from_mapping(tomllib.loads(block))
    assert settings.is_agent("ravi@eu.acme.example")
