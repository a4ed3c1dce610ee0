"""``ticketsla demo``: a small synthetic helpdesk goes through the adapters, the engine and the
report, the same way every time for one seed."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from support.report_builders import cli
from ticketsla import ConfigurationError
from ticketsla._demo import NOW, DemoResult, run_demo
from ticketsla.cli.report_commands import events_from_engine
from ticketsla.plugins import DISABLED_PLUGINS_ENV

SOURCES = ("email", "jira", "zendesk")


def test_the_same_seed_gives_the_same_helpdesk_and_report(tmp_path: Path) -> None:
    """Two runs with seed 3 write identical reports; seed 4 writes another."""
    first = run_demo(tmp_path / "a", seed=3, tickets=80)
    again = run_demo(tmp_path / "b", seed=3, tickets=80)
    other = run_demo(tmp_path / "c", seed=4, tickets=80)
    assert first.json.read_text() == again.json.read_text()
    assert first.json.read_text() != other.json.read_text()


def test_payloads_go_through_the_installed_adapters(demo: DemoResult) -> None:
    """Each source is read by its adapter when installed (else written as events, and said);
    the stored events carry those sources plus the helpdesk backend's."""
    result = demo
    installed = {s for s in SOURCES if importlib.util.find_spec(f"ticketsla_{s}") is not None}
    assert set(result.via_adapters) == installed
    assert set(result.direct) == set(SOURCES) - installed
    stored = events_from_engine(f"sqlite:///{result.database}", NOW)
    assert {e.source for e in stored} == {*SOURCES, "helpdesk", "survey"}


def test_a_source_without_a_builder_is_written_as_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the Jira plugin blocked no builder is offered for jira: its tickets are written as
    events directly, said so, and still reported on."""
    pytest.importorskip("ticketsla_jira", reason="ticketsla-jira is not installed")
    monkeypatch.setenv(DISABLED_PLUGINS_ENV, "jira")
    result = run_demo(tmp_path, seed=3, tickets=60)
    assert "jira" in result.direct
    assert "jira" not in result.via_adapters
    stored = events_from_engine(f"sqlite:///{result.database}", NOW)
    assert {e.kind for e in stored if e.source == "jira"} >= {"created", "agent_reply"}
    assert "globex" in [dict(g.key)["customer"] for g in result.report.groups]


def test_repeated_deliveries_are_stored_once(demo: DemoResult) -> None:
    """Every repeated payload is dropped as a duplicate, so stored = delivered - repeated."""
    result = demo
    assert result.duplicates_sent > 0
    assert result.late_sent > 0
    assert result.duplicates_dropped == result.duplicates_sent
    assert result.stored == result.payloads - result.duplicates_sent


def test_the_report_covers_every_customer_and_contract(demo: DemoResult) -> None:
    """October's report groups the five customers; each customer gets its policy's verdicts;
    the HTML page has its four charts."""
    result = demo
    folder = result.database.parent
    report = result.report
    assert [dict(g.key)["customer"] for g in report.groups] == [
        "globex",
        "hooli",
        "initech",
        "northwind",
        "umbrella",
    ]
    assert {(s.customer, s.policy) for s in report.contracts} == {
        ("globex", "gold"),
        ("northwind", "gold"),
        ("initech", "silver"),
        ("hooli", "standard"),
        ("umbrella", "standard"),
    }
    assert result.html.read_text(encoding="utf-8").count('<svg class="chart"') == 4
    data = json.loads(result.json.read_text(encoding="utf-8"))
    assert data["period"]["label"] == "2026-10"
    assert (folder / "policies" / "gold.toml").is_file()
    assert (folder / "fees.csv").is_file()


def test_demo_command_prints_the_summary_and_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command reports what was delivered and stored, the tables, and the HTML path."""
    assert cli(["demo", "--out", str(tmp_path), "--tickets", "60", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("60 tickets of 5 customers, September and October 2026 (seed 2)\n")
    assert "SLO verdicts" in out
    assert f"HTML report: {tmp_path / 'report.html'}" in out


def test_demo_refuses_an_absurd_size(tmp_path: Path) -> None:
    """Zero tickets, or more than 100000, is a ConfigurationError."""
    with pytest.raises(ConfigurationError, match="--tickets"):
        cli(["demo", "--out", str(tmp_path), "--tickets", "0"])
