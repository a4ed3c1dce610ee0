"""Jira statuses and priorities map to ours through configurable tables with documented defaults."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from jira_payloads import load, parse
from ticketsla_jira import (
    DEFAULT_PRIORITIES,
    DEFAULT_STATUS_CATEGORIES,
    DEFAULT_STATUSES,
    JiraAdapter,
    JiraSettings,
)

from ticketsla.errors import ConfigurationError, PayloadError
from ticketsla.events import Priority, Status

DOC = Path(__file__).resolve().parents[3] / "docs" / "adapters" / "jira.md"


def _status_change(to: str, *, current: str | None = None, category: str = "indeterminate") -> Any:
    """An issue_updated body moving to status ``to``; the issue snapshot shows ``current``."""
    body = load("issue_updated_status.json")
    body["changelog"]["items"][0].update({"toString": to, "to": "99999"})
    status = body["issue"]["fields"]["status"]
    status.update({"name": current or to, "id": "99999"})
    status["statusCategory"]["key"] = category
    return body


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Waiting for support", Status.OPEN),
        ("Waiting for customer", Status.PENDING),
        ("Pending", Status.PENDING),
        ("Waiting for approval", Status.ON_HOLD),
        ("On hold", Status.ON_HOLD),
        ("In Progress", Status.OPEN),
        ("Escalated", Status.OPEN),
        ("Reopened", Status.OPEN),
        ("To Do", Status.NEW),
        ("Resolved", Status.SOLVED),
        ("Done", Status.SOLVED),
        ("Closed", Status.CLOSED),
        ("Canceled", Status.CLOSED),
        ("Declined", Status.CLOSED),
    ],
)
def test_default_status_names(name: str, expected: Status) -> None:
    """Each documented default status name maps to its documented status."""
    (event,) = parse(_status_change(name, category="indeterminate"))
    assert event.status is expected


@pytest.mark.parametrize(
    ("category", "expected"),
    [("new", Status.NEW), ("indeterminate", Status.OPEN), ("done", Status.SOLVED)],
)
def test_unmapped_name_falls_back_to_its_status_category(category: str, expected: Status) -> None:
    """A status name in no table maps by the category the issue snapshot gives it."""
    (event,) = parse(_status_change("Triage by L2", category=category))
    assert event.status is expected


def test_category_is_used_only_for_the_status_the_snapshot_describes() -> None:
    """When the snapshot shows another status, its category is not borrowed."""
    body = _status_change("Triage by L2", current="Something else", category="done")
    body["issue"]["fields"]["status"]["id"] = "1"
    (event,) = parse(body)
    assert event.status is Status.OPEN  # unknown_status, not "done" -> solved


def test_unknown_status_without_a_category_falls_back_to_the_configured_status() -> None:
    """A status in neither table becomes unknown_status (open by default, configurable)."""
    body = _status_change("Triage by L2", current="Something else")
    body["issue"]["fields"]["status"]["id"] = "1"
    assert parse(body)[0].status is Status.OPEN
    adapter = JiraAdapter(JiraSettings(unknown_status=Status.ON_HOLD))
    assert parse(body, adapter)[0].status is Status.ON_HOLD


def test_unknown_status_can_be_refused() -> None:
    """With unknown_status None an unmapped status is a PayloadError naming it."""
    body = _status_change("Triage by L2", current="Something else")
    body["issue"]["fields"]["status"]["id"] = "1"
    with pytest.raises(PayloadError, match=r"jira: status 'Triage by L2'"):
        parse(body, JiraAdapter(JiraSettings(unknown_status=None)))


def test_configured_status_names_override_the_defaults() -> None:
    """A configured entry wins over the default table, matched without regard to case."""
    adapter = JiraAdapter(JiraSettings(statuses={"WAITING FOR CUSTOMER": "on_hold"}))
    (event,) = parse("issue_updated_status.json", adapter)
    assert event.status is Status.ON_HOLD
    assert adapter.settings.statuses["resolved"] is Status.SOLVED  # defaults are kept


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Highest", Priority.URGENT),
        ("High", Priority.HIGH),
        ("Medium", Priority.NORMAL),
        ("Low", Priority.LOW),
        ("Lowest", Priority.LOW),
        ("Blocker", Priority.URGENT),
        ("Critical", Priority.HIGH),
        ("Major", Priority.NORMAL),
        ("Minor", Priority.LOW),
        ("Trivial", Priority.LOW),
        ("  highest ", Priority.URGENT),
    ],
)
def test_default_priorities(name: str, expected: Priority) -> None:
    """Both Jira priority schemes map rank for rank, ignoring case and spaces."""
    body = load("issue_updated_multi.json")
    body["changelog"]["items"] = body["changelog"]["items"][:1]
    body["changelog"]["items"][0]["toString"] = name
    (event,) = parse(body)
    assert event.priority is expected


def test_unmapped_priority_is_a_payload_error_naming_it() -> None:
    """An unmapped priority is refused by default, since it picks the SLA target."""
    body = load("issue_created.json")
    body["issue"]["fields"]["priority"]["name"] = "P0 - Outage"
    with pytest.raises(PayloadError, match=r"priority 'P0 - Outage' is not in the priority table"):
        parse(body)


def test_unmapped_priority_can_default_or_be_mapped() -> None:
    """unknown_priority gives a fallback; a priorities entry maps the name itself."""
    body = load("issue_created.json")
    body["issue"]["fields"]["priority"]["name"] = "P0 - Outage"
    fallback = JiraAdapter(JiraSettings(unknown_priority=Priority.NORMAL))
    mapped = JiraAdapter(JiraSettings(priorities={"P0 - Outage": "urgent"}))
    assert parse(body, fallback)[0].priority is Priority.NORMAL
    assert parse(body, mapped)[0].priority is Priority.URGENT


@pytest.mark.parametrize(
    "settings",
    [
        {"statuses": {"Waiting": "paused"}},
        {"priorities": {"P1": "critical"}},
        {"unknown_status": "asleep"},
        {"ticket_id": "number"},
        {"agent_accounts": "ravi@example.com"},
        {"max_age": "-5m"},
    ],
)
def test_invalid_settings_are_configuration_errors(settings: dict[str, object]) -> None:
    """A bad setting is refused when the settings are made, naming the setting."""
    with pytest.raises(ConfigurationError, match=r"jira: "):
        JiraSettings.from_mapping(settings)


def test_unknown_setting_is_refused() -> None:
    """A misspelt setting is an error listing the known ones."""
    with pytest.raises(ConfigurationError, match=r"unknown setting\(s\) \['agents'\]"):
        JiraSettings.from_mapping({"agents": ["x"]})


def test_settings_from_toml(tmp_path: Path) -> None:
    """A TOML file sets tables, accounts, the error switch and durations."""
    path = tmp_path / "jira.toml"
    path.write_text(
        'unknown_priority = "error"\nunknown_status = "error"\nmax_age = "30m"\n'
        'agent_accounts = ["ravi@acme-help.example"]\n'
        '[statuses]\n"Waiting for vendor" = "on_hold"\n',
        encoding="utf-8",
    )
    settings = JiraSettings.from_toml(path)
    assert settings.statuses["waiting for vendor"] is Status.ON_HOLD
    assert settings.unknown_status is None
    assert settings.max_age.total_seconds() == 1800
    assert "ravi@acme-help.example" in settings.people.agent_accounts


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    """A TOML syntax error is a ConfigurationError naming the file."""
    path = tmp_path / "broken.toml"
    path.write_text("statuses = [", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"broken\.toml"):
        JiraSettings.from_toml(path)


def _doc_table(heading: str) -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| ([^|]+?) \| `(\w+)` \|", section, flags=re.MULTILINE)
    return {name.strip().strip("`").casefold(): value for name, value in rows}


def test_documented_tables_match_the_defaults() -> None:
    """docs/adapters/jira.md lists exactly the default status, category and priority tables."""
    assert _doc_table("### Status names") == {k: v.value for k, v in DEFAULT_STATUSES.items()}
    assert _doc_table("### Status categories") == {
        k: v.value for k, v in DEFAULT_STATUS_CATEGORIES.items()
    }
    assert _doc_table("### Priorities") == {k: v.value for k, v in DEFAULT_PRIORITIES.items()}


def test_documented_toml_example_loads() -> None:
    """The TOML example in docs/adapters/jira.md is valid settings."""
    text = DOC.read_text(encoding="utf-8")
    (block,) = re.findall(r"```toml\n(.*?)```", text, flags=re.DOTALL)
    settings = JiraSettings.from_mapping(tomllib.loads(block))
    assert settings.people.agent_accounts
