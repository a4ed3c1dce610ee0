"""Every public entry turns bad input into a ``TicketSLAError`` (API) or one line and exit 2 (CLI).

The cases are the ones that used to escape as ``UnicodeDecodeError``, ``RecursionError``,
``OverflowError``, ``ValueError``, ``TypeError`` or an SQLAlchemy import error: TOML that is not
UTF-8 or nests thousands deep, durations past what a ``timedelta`` holds, dates at the end of the
calendar, database URLs with a bad port or an unsupported dialect, and request headers that are
not headers.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ticketsla import Calendar, SLAEngine, SLAPolicy, parse_payload, verify_signature
from ticketsla.cli import main
from ticketsla.contract import FeeTable
from ticketsla.durations import MAX_DURATION, parse_duration
from ticketsla.errors import (
    CalendarError,
    ConfigurationError,
    DurationError,
    PayloadError,
    PolicyError,
    SignatureError,
    TicketSLAError,
)

DEEP_TOML = "x = " + "[" * 3000 + "]" * 3000 + "\n"
HUGE = "99999999999999999999d"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    """Bad files, by name: the path of each."""
    made = {
        "calendar-utf16.toml": 'name = "x"\ntimezone = "UTC"\n'.encode("utf-16"),
        "calendar-latin1.toml": b'name = "caf\xe9"\ntimezone = "UTC"\n',
        "calendar-deep.toml": DEEP_TOML.encode(),
        "policy-utf16.toml": 'name = "p"\ncalendar = "24x7"\n'.encode("utf-16"),
        "policy-deep.toml": DEEP_TOML.encode(),
        "policy-huge.toml": (
            f'name = "huge"\ncalendar = "24x7"\n[targets.first_response]\nall = "{HUGE}"\n'
        ).encode(),
        "policy-huge-iso.toml": (
            b'name = "huge"\ncalendar = "24x7"\n[targets.resolution]\nall = "P99999999999D"\n'
        ),
        "fees-deep.toml": DEEP_TOML.encode(),
        "policy-ok.toml": b'name = "ok"\ncalendar = "24x7"\n[targets.first_response]\nall = "4h"\n',
        "events.jsonl": (
            json.dumps(
                {
                    "event_id": "e1",
                    "ticket_id": "T1",
                    "kind": "created",
                    "at": "2026-11-02T10:00:00+00:00",
                    "source": "test",
                    "status": "new",
                }
            )
            + "\n"
        ).encode(),
        "events-deep.jsonl": b"[" * 100_000 + b"]" * 100_000 + b"\n",
    }
    paths = {}
    for name, data in made.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths[name] = str(path)
    paths["db"] = f"sqlite:///{tmp_path / 'sla.db'}"
    return paths


# (id, argv with {file} placeholders, a piece of the one-line message)
CLI_CASES = [
    ("toml-not-utf8", ["calendar", "show", "{calendar-utf16.toml}"], "not UTF-8"),
    ("toml-latin1", ["due", "--calendar", "{calendar-latin1.toml}", "--in", "4h"], "not UTF-8"),
    ("toml-deep", ["calendar", "show", "{calendar-deep.toml}"], "too deeply"),
    ("policy-not-utf8", ["policy", "describe", "{policy-utf16.toml}"], "not UTF-8"),
    ("policy-deep", ["policy", "describe", "{policy-deep.toml}"], "too deeply"),
    ("policy-huge-target", ["policy", "describe", "{policy-huge.toml}"], "longest duration"),
    ("policy-huge-iso", ["policy", "describe", "{policy-huge-iso.toml}"], "longest duration"),
    (
        "evaluate-huge-target",
        ["evaluate", "{events.jsonl}", "--policy", "{policy-huge.toml}"],
        "longest duration",
    ),
    ("due-huge", ["due", "--calendar", "us-business", "--in", HUGE], "longest duration"),
    ("due-huge-iso", ["due", "--calendar", "us-business", "--in", "PT99999999999999H"], "longest"),
    ("due-max-days", ["due", "--calendar", "us-business", "--in", "999999999d"], "longest"),
    (
        "due-year-9999",
        ["due", "--calendar", "24x7", "--in", "4h", "--start", "9999-12-31T23:59:59-12:00"],
        "supported years",
    ),
    ("show-9999", ["calendar", "show", "us-business", "--from", "9999-12-30"], "year 9999"),
    ("show-past-9996", ["calendar", "show", "us-business", "--from", "9999-12-10"], "3..9996"),
    (
        "show-9999-days",
        ["calendar", "show", "24x7", "--from", "9999-12-01", "--days", "400"],
        "9999",
    ),
    ("at-risk-huge", ["at-risk", "--within", HUGE, "--db", "{db}"], "longest duration"),
    ("scan-huge", ["scan", "--every", HUGE, "--db", "{db}"], "longest duration"),
    (
        "report-deep-line",
        [
            "report",
            "--events",
            "{events-deep.jsonl}",
            "--policy",
            "{policy-ok.toml}",
            "--period",
            "2026-11",
        ],
        "too deeply",
    ),
    ("port", ["status", "T1", "--db", "postgresql://u:pw@127.0.0.1:notaport/db"], "cannot be read"),
    ("port-db", ["db", "current", "--db", "postgresql://u:pw@h:notaport/db"], "cannot be read"),
    ("nodriver", ["status", "T1", "--db", "postgresql+nodriver://u:pw@h/db"], "postgresql://"),
    ("mysql", ["db", "upgrade", "--db", "mysql://u:pw@h/db"], "sqlite:///"),
    ("mysql-status", ["status", "T1", "--db", "mysql://u:pw@h/db"], "sqlite:///"),
    ("no-scheme", ["db", "current", "--db", "postgresql//u:pw@h"], "<unreadable URL>"),
    ("sqlite-query", ["status", "T1", "--db", "sqlite:///x.db?password=pw"], "no query string"),
]


@pytest.mark.parametrize(
    ("argv", "message"), [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES]
)
def test_bad_arguments_end_in_one_line_and_exit_2(
    files: dict[str, str], argv: list[str], message: str
) -> None:
    """Each bad argument: exit status 2, one `ticketsla: error:` line, no traceback, no output."""
    filled = [files[arg[1:-1]] if arg.startswith("{") else arg for arg in argv]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(filled)
    said = err.getvalue()
    assert status == 2, said
    assert "Traceback" not in said
    assert said.startswith("ticketsla: error: ")
    assert said.count("\n") == 1, said
    assert message in said
    assert out.getvalue() == ""


# ---- the same through the API ------------------------------------------------------------------


API_CASES: list[tuple[str, Callable[[dict[str, str]], Any], type[TicketSLAError]]] = [
    ("calendar-utf16", lambda f: Calendar.load(f["calendar-utf16.toml"]), CalendarError),
    ("calendar-deep", lambda f: Calendar.load(f["calendar-deep.toml"]), CalendarError),
    ("policy-utf16", lambda f: SLAPolicy.load(f["policy-utf16.toml"]), PolicyError),
    ("policy-deep", lambda f: SLAPolicy.load(f["policy-deep.toml"]), PolicyError),
    ("policy-huge", lambda f: SLAPolicy.load(f["policy-huge.toml"]), PolicyError),
    ("fees-deep", lambda f: FeeTable.load(f["fees-deep.toml"]), ConfigurationError),
    ("duration-huge", lambda f: parse_duration(HUGE), DurationError),
    ("duration-iso-huge", lambda f: parse_duration("P1000000000000000000000D"), DurationError),
    ("duration-timedelta", lambda f: parse_duration(timedelta.max), DurationError),
    ("engine-port", lambda f: SLAEngine("postgresql://u:pw@h:notaport/db"), ConfigurationError),
    ("engine-nodriver", lambda f: SLAEngine("postgresql+nodriver://u@h/db"), ConfigurationError),
    ("engine-mysql", lambda f: SLAEngine("mysql://u:pw@h/db"), ConfigurationError),
    ("engine-not-text", lambda f: SLAEngine(5), ConfigurationError),  # type: ignore[arg-type]
    (
        "parse-headers-int",
        lambda f: parse_payload("zendesk", b"{}", headers=5),  # type: ignore[arg-type]
        PayloadError,
    ),
    (
        "parse-headers-list",
        lambda f: parse_payload("zendesk", b"{}", headers=["a"]),  # type: ignore[arg-type]
        PayloadError,
    ),
    (
        "parse-headers-text",
        lambda f: parse_payload("jira", b"{}", headers="X-A: b"),  # type: ignore[arg-type]
        PayloadError,
    ),
    (
        "verify-headers-int",
        lambda f: verify_signature("zendesk", b"{}", 5, "s", now=datetime.now(UTC)),  # type: ignore[arg-type]
        SignatureError,
    ),
    (
        "verify-headers-list",
        lambda f: verify_signature("jira", b"{}", [("a",)], "s", now=datetime.now(UTC)),  # type: ignore[list-item]
        SignatureError,
    ),
    (
        "verify-too-many-headers",
        lambda f: verify_signature(
            "jira", b"{}", [(f"x-{i}", "v") for i in range(1001)], "s", now=datetime.now(UTC)
        ),
        SignatureError,
    ),
]


@pytest.mark.parametrize(
    ("call", "error"), [c[1:] for c in API_CASES], ids=[c[0] for c in API_CASES]
)
def test_bad_input_is_a_typed_error_from_the_api(
    files: dict[str, str], call: Callable[[dict[str, str]], Any], error: type[TicketSLAError]
) -> None:
    with pytest.raises(error):
        call(files)


def test_the_longest_duration_is_accepted() -> None:
    """100 years is the bound, and it is inclusive."""
    assert parse_duration(f"{MAX_DURATION.days}d") == MAX_DURATION
    with pytest.raises(DurationError, match="36525 days"):
        parse_duration(f"{MAX_DURATION.days + 1}d", field="--in")


def test_headers_given_as_pairs_still_work() -> None:
    """Pairs and mappings are both headers; a list of pairs reaches the adapter."""
    with pytest.raises(PayloadError, match="unknown payload shape"):
        parse_payload("zendesk", b"{}", headers=[("X-Anything", "1")])
