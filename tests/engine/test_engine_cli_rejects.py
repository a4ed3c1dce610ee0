"""``ticketsla ingest`` and ``import --db`` skip bad input, report it and keep the rest; reading
commands never create a database file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
from engine_cli import run
from engine_helpers import START

from ticketsla.cli import main
from ticketsla.engine import SLAEngine
from ticketsla.errors import SignatureError
from ticketsla.events import TicketEvent
from ticketsla.hookspecs import hookimpl
from ticketsla.plugins import default_plugin_manager
from ticketsla.sources import Payload, PayloadLimits, SourceRegistry, decode_json
from ticketsla.testing import EventBuilder, registered

POLICY = """
name = "simple"
calendar = "24x7"
[targets.first_response]
all = "1h"
"""

HOSTILE_LINES = [
    '{"ticket_id": "T-9", "event_id": "r1", "at": "2026-03-02T09:00:00+00:00", '
    '"kind": "satisfaction_rated", "rating": "--5"}',
    '{"ticket_id": "T-9", "event_id": "r2", "at": "2026-03-02T09:00:00+00:00", '
    '"kind": "satisfaction_rated", "rating": NaN}',
    '{"ticket_id": "T-9", "event_id": "t1", "at": "2026-03-02T09:00:00+00:00", '
    '"kind": "created", "tags": 5}',
    '{"ticket_id": "T-9", "event_id": "a1", "at": "9999-12-31T23:59:59-12:00", "kind": "created"}',
    '{"ticket_id": "T-\\ud800", "event_id": "s1", "at": "2026-03-02T09:00:00+00:00", '
    '"kind": "created"}',
    '{"ticket_id": "T-9", "event_id": "n1", "at": "2026-03-02T09:00:00+00:00", '
    '"kind": "created", "subject": "a\\u0000b"}',
    '{"ticket_id": "T-9", "event_id": "x1", "source": "' + "s" * 300 + '", '
    '"at": "2026-03-02T09:00:00+00:00", "kind": "created"}',
    "[" * 100_000 + "]" * 100_000,
    "[1, 2]",
    "42",
]


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "simple.toml"
    path.write_text(POLICY)
    return path


def test_ingest_skips_every_hostile_line_and_stores_the_good_ones(
    db_url: str, tmp_path: Path, policy_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each hostile line is rejected with its line number; the good lines around them are
    stored, a repeated key naming a second ticket is rejected, and the exit status is 1."""
    builder = EventBuilder("T-1", start=START)
    builder.created()
    builder.customer_message(after="5m")
    good = [json.dumps(e.to_dict()) for e in builder.events]
    stolen = json.dumps({**json.loads(good[0]), "ticket_id": "T-2"})
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([good[0], *HOSTILE_LINES, stolen, good[1]]) + "\n")
    assert run(["ingest", str(path), "--db", db_url, "--policy", str(policy_file)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    rejected_lines = {
        int(line.split(":")[1].split()[1]) for line in err.splitlines() if ": line " in line
    }
    assert rejected_lines == set(range(2, len(HOSTILE_LINES) + 3))
    assert f"2 stored, 0 duplicates, {len(HOSTILE_LINES) + 1} rejected" in err
    assert "outside the plausible window" in err
    assert "'T-1'" in err
    with SLAEngine(db_url, upgrade=False) as engine:
        assert len(engine.events("T-1")) == 2


class Pairs:
    """A one-payload-per-file source: ``{"ticket": ..., "id": ...}`` is a created event."""

    name = "pairs"
    description = "test source: one JSON object per file"

    def parse(
        self, payload: Payload, *, headers: Mapping[str, str], limits: PayloadLimits
    ) -> list[TicketEvent]:
        data = decode_json(payload, source=self.name, limits=limits)
        return [
            TicketEvent(
                ticket_id=data["ticket"],
                event_id=data["id"],
                source=self.name,
                at=datetime(2026, 3, 2, 9, tzinfo=UTC),
                kind="created",
            )
        ]

    def verify_signature(
        self, body: bytes, headers: Mapping[str, str], secret: str | bytes, *, now: datetime
    ) -> None:
        raise SignatureError("pairs: not signed")


class Plugin:
    @hookimpl
    def ticketsla_register_sources(self, registry: SourceRegistry) -> None:
        registry.add(Pairs())


def test_import_into_a_database_reports_refused_events_and_exits_1(
    tmp_path: Path, policy_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A garbage file is skipped and reported, an event id given to two tickets is refused by
    the store and reported, the rest is stored; exit status 1."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text('{"ticket": "T-1", "id": "e1"}')
    (folder / "b.json").write_text("not json")
    (folder / "c.json").write_text('{"ticket": "T-2", "id": "e1"}')
    (folder / "d.json").write_text('{"ticket": "T-3", "id": "e3"}')
    url = f"sqlite:///{tmp_path / 'sla.db'}"
    argv = ["import", "--source", "pairs", str(folder), "--db", url, "--policy", str(policy_file)]
    with registered(Plugin(), pm=default_plugin_manager()):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "b.json" in err
        assert "names ticket 'T-2', but an earlier payload gave it to ticket 'T-1'" in err
        assert "stored 2, duplicates 0, rejected 0" in err
        (folder / "a.json").unlink()  # now the store itself holds e1 for T-1
        assert main(argv) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "rejected event 'e1' of ticket 'T-2'" in err
    assert "stored 0, duplicates 1, rejected 1" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["status", "T-1"],
        ["at-risk"],
        ["scan"],
        ["db", "current"],
    ],
)
def test_reading_commands_never_create_a_database_file(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A read on a SQLite file that is not there fails (or says 'none') and leaves no file."""
    path = tmp_path / "missing.db"
    code = run([*argv, "--db", f"sqlite:///{path}"])
    assert code in (0, 2)
    assert not path.exists()
    assert not list(tmp_path.iterdir())
    assert "Traceback" not in capsys.readouterr().err
