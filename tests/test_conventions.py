"""Python conventions: ``python -m ticketsla``, typed lazy names, unknown metrics, duration texts."""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import ticketsla
from ticketsla import (
    Calendar,
    ConfigurationError,
    PolicyError,
    SLAEngine,
    SLAPolicy,
    due_at,
    is_breached,
    remaining,
)
from ticketsla.testing import EventBuilder

POLICY = SLAPolicy.from_mapping(
    {
        "name": "standard",
        "calendar": "24x7",
        "targets": {"first_response": {"all": "4h"}, "resolution": {"all": "16h"}},
    }
)


def test_python_dash_m_runs_the_command_line() -> None:
    """``python -m ticketsla`` is the ``ticketsla`` command."""
    done = subprocess.run(
        [sys.executable, "-m", "ticketsla", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == f"ticketsla {ticketsla.__version__}"


def test_lazy_names_are_imported_for_type_checkers() -> None:
    """Every lazily loaded name is imported under ``TYPE_CHECKING`` so mypy sees its real type."""
    tree = ast.parse(Path(ticketsla.__file__).read_text(encoding="utf-8"))
    typed: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom):
                    typed |= {f"{statement.module}:{alias.name}" for alias in statement.names}
    assert typed == {f"{module}:{name}" for name, module in ticketsla._LAZY.items()}


def test_mypy_sees_the_engine_type(tmp_path: Path) -> None:
    """``from ticketsla import SLAEngine`` is the class under ``mypy --strict``, not ``object``."""
    api = pytest.importorskip("mypy.api")
    snippet = tmp_path / "user_code.py"
    snippet.write_text(
        "from ticketsla import IngestResult, SLAEngine\n"
        "engine = SLAEngine('sqlite:///sla.db')\n"
        "reveal_type(engine)\n"
        "result: IngestResult = engine.ingest([])\n"
        "reveal_type(result.stored)\n",
        encoding="utf-8",
    )
    # Third-party code is skipped (typed as Any), which keeps this check to a few seconds.
    config = tmp_path / "mypy.ini"
    config.write_text(
        "[mypy]\nfollow_imports = silent\nincremental = False\n"
        "[mypy-sqlalchemy.*,alembic.*,pendulum.*,holidays.*,pluggy.*,rich.*,sqlmodel.*]\n"
        "follow_imports = skip\nignore_missing_imports = True\n",
        encoding="utf-8",
    )
    stdout, _, _ = api.run(["--strict", "--config-file", str(config), str(snippet)])
    assert 'Revealed type is "ticketsla.engine.SLAEngine"' in stdout
    assert 'Revealed type is "int"' in stdout


def test_unknown_metric_lists_the_policys_metrics() -> None:
    """A misspelled metric is an error naming the ones the policy has, not a quiet False."""
    events = EventBuilder("4711")
    events.created()
    at = events.now + timedelta(hours=1)
    with pytest.raises(PolicyError, match=r"'first_responce'.*first_response, .*resolution"):
        is_breached(events.events, POLICY, "first_responce", at=at)
    with pytest.raises(PolicyError, match="first_responce"):
        due_at(events.events, POLICY, "first_responce")
    with pytest.raises(PolicyError, match="first_responce"):
        remaining(events.events, POLICY, "first_responce", at=at)
    assert not is_breached(events.events, POLICY, "first_response", at=at)


def test_engine_refuses_unknown_metrics_and_takes_duration_texts(tmp_path: Path) -> None:
    """The engine answers the same: unknown metrics raise; ``within`` takes ``"4h"``."""
    events = EventBuilder("4711")
    events.created()
    at = events.now + timedelta(hours=1)
    with SLAEngine(f"sqlite:///{tmp_path / 'sla.db'}", POLICY, busy_timeout="30s") as engine:
        engine.ingest(events.events)
        with pytest.raises(PolicyError, match=r"first_responce.*first_response"):
            engine.is_breached("4711", "first_responce", at=at)
        with pytest.raises(PolicyError, match="first_responce"):
            engine.due_at("4711", "first_responce")
        assert [c.ticket_id for c in engine.at_risk(within="4h", at=at)] == ["4711"]
        assert engine.at_risk(within="PT1H", at=at) == []
        assert engine.counts(at, within="3h")[0].at_risk == 1


def test_calendar_arithmetic_takes_duration_texts() -> None:
    """``Calendar.add`` and ``subtract`` read the same texts as policy files."""
    cal = Calendar.load("24x7")
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert cal.add(start, "1h30m") == cal.add(start, timedelta(minutes=90))
    assert cal.subtract(start, "PT2H") == start - timedelta(hours=2)


def test_postgresql_without_its_extra_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL support is the ``postgresql`` extra; without psycopg the error says so."""
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    with pytest.raises(ConfigurationError, match=r"pip install 'ticketsla\[postgresql\]'"):
        SLAEngine("postgresql://ticketsla@127.0.0.1:1/ticketsla")
