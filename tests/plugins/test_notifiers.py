"""Notifications as values, the JSON lines notifier, and the documented webhook notifier."""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from ticketsla.errors import ConfigurationError, EventError, NaiveDatetimeError
from ticketsla.notifications import Notification, NotificationKind
from ticketsla.notifiers import JSONLinesNotifier
from ticketsla.plugins import notify
from ticketsla.testing import make_notification, plugin_manager

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
AT = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


def doc_example(name: str) -> str:
    """The python block that follows ``<!-- example: name -->`` in docs/plugins.md."""
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(rf"<!-- example: {re.escape(name)} -->\n```python\n(.*?)```", text, re.S)
    assert match, f"docs/plugins.md has no example named {name!r}"
    return match.group(1)


# ---- Notification ------------------------------------------------------------------------------


def test_notification_round_trips_through_json() -> None:
    """to_dict() is JSON-ready and from_dict() gives back an equal notification."""
    notification = make_notification(
        kind="warning", level="75%", target=timedelta(hours=4), elapsed=timedelta(hours=3)
    )
    data = json.loads(json.dumps(notification.to_dict()))
    assert data["target_seconds"] == 14400
    assert data["kind"] == "warning"
    assert Notification.from_dict(data) == notification


def test_notification_keeps_fractional_seconds() -> None:
    """A duration with microseconds survives the JSON round trip."""
    notification = make_notification(elapsed=timedelta(seconds=1, microseconds=500))
    assert Notification.from_dict(notification.to_dict()).elapsed == notification.elapsed


def test_notification_refuses_naive_instants() -> None:
    """A naive at or due_at is a NaiveDatetimeError naming the field."""
    with pytest.raises(NaiveDatetimeError, match=r"notification\.at"):
        make_notification(at=datetime(2026, 3, 2, 13, 0))
    with pytest.raises(NaiveDatetimeError, match=r"notification\.due_at"):
        make_notification(due_at=datetime(2026, 3, 2, 13, 0))


def test_warnings_and_breaches_need_a_due_time() -> None:
    """A warning or breach without due_at is an EventError; an outcome needs none."""
    with pytest.raises(EventError, match="a warning for ticket 'T-1' needs due_at"):
        make_notification(kind="warning", level="75%", due_at=None)
    outcome = make_notification(kind="outcome", metric="csat", level="good", due_at=None)
    assert outcome.kind is NotificationKind.OUTCOME


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "escalate", "unknown kind 'escalate'"),
        ("cycle", -1, "cycle: expected a whole number"),
        ("cycle", True, "cycle: expected a whole number"),
        ("ticket_id", "", "ticket_id: expected a text"),
        ("level", 75, "level: expected a text"),
        ("target", 60, "target: expected a timedelta"),
    ],
)
def test_notification_fields_are_validated(field: str, value: Any, message: str) -> None:
    """Each malformed field is an EventError naming the field."""
    with pytest.raises(EventError, match=message):
        make_notification(**{field: value})


def test_notification_key_identifies_a_delivery() -> None:
    """Two notifications for the same clock, kind and level share a key; another level does not."""
    first = make_notification(at=AT)
    again = make_notification(at=AT + timedelta(minutes=1))
    other = make_notification(kind="warning", level="90%")
    assert first.key == again.key == ("T-1", "first_response", 1, "breach", "breach", 1)
    assert other.key != first.key


def test_from_dict_reports_missing_and_bad_fields() -> None:
    """from_dict names a missing field, a bad instant and a bad duration."""
    data = make_notification().to_dict()
    with pytest.raises(EventError, match="missing field 'level'"):
        Notification.from_dict({k: v for k, v in data.items() if k != "level"})
    with pytest.raises(EventError, match="at: 'noon' is not an ISO 8601 instant"):
        Notification.from_dict({**data, "at": "noon"})
    with pytest.raises(EventError, match="target_seconds: expected a number of seconds"):
        Notification.from_dict({**data, "target_seconds": "4h"})


# ---- JSONLinesNotifier ------------------------------------------------------------------------


def test_json_lines_notifier_appends_one_line_per_notification(tmp_path: Path) -> None:
    """Through the hooks, each notification becomes one sorted-key JSON line with its hook."""
    path = tmp_path / "out" / "sla.jsonl"
    pm = plugin_manager(JSONLinesNotifier(path))
    notify(make_notification(kind="warning", level="75%"), pm=pm)
    notify(make_notification(), pm=pm)
    notify(make_notification(kind="outcome", metric="csat", level="bad", due_at=None), pm=pm)
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["hook"], r["kind"]) for r in records] == [
        ("ticketsla_sla_warning", "warning"),
        ("ticketsla_sla_breached", "breach"),
        ("ticketsla_outcome_recorded", "outcome"),
    ]
    assert lines[0] == json.dumps(records[0], sort_keys=True)
    assert Notification.from_dict({k: v for k, v in records[1].items() if k != "hook"}) == (
        make_notification()
    )


def test_json_lines_notifier_filters_kinds(tmp_path: Path) -> None:
    """kinds={'breach'} writes breaches and skips warnings and fulfilments."""
    path = tmp_path / "breaches.jsonl"
    pm = plugin_manager(JSONLinesNotifier(path, kinds={"breach"}))
    notify(make_notification(kind="warning", level="50%"), pm=pm)
    notify(make_notification(kind="fulfilled", level="met"), pm=pm)
    notify(make_notification(), pm=pm)
    assert [json.loads(x)["kind"] for x in path.read_text().splitlines()] == ["breach"]


def test_json_lines_notifier_writes_to_stdout_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With no target the lines go to the current standard output."""
    notify(make_notification(), pm=plugin_manager(JSONLinesNotifier()))
    assert json.loads(capsys.readouterr().out)["ticket_id"] == "T-1"


def test_json_lines_notifier_writes_to_a_stream() -> None:
    """A text stream target receives the lines."""
    stream = io.StringIO()
    notify(make_notification(ticket_id="T-42"), pm=plugin_manager(JSONLinesNotifier(stream)))
    assert json.loads(stream.getvalue())["ticket_id"] == "T-42"


def test_json_lines_notifier_refuses_bad_configuration() -> None:
    """A target that is neither path nor stream, or an unknown kind, is a ConfigurationError."""
    with pytest.raises(ConfigurationError, match="target must be a path or a text stream"):
        JSONLinesNotifier(42)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="kinds"):
        JSONLinesNotifier(kinds={"breaches"})


def test_json_lines_lines_stay_whole_under_threads(tmp_path: Path) -> None:
    """Eight threads writing 50 notifications each leave 400 whole, parseable lines."""
    path = tmp_path / "sla.jsonl"
    pm = plugin_manager(JSONLinesNotifier(path))

    def work(n: int) -> None:
        for i in range(50):
            notify(make_notification(ticket_id=f"T-{n}-{i}"), pm=pm)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = path.read_text().splitlines()
    assert len({json.loads(line)["ticket_id"] for line in lines}) == 400


# ---- the documented webhook notifier -----------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, dict[str, str], bytes]]] = []
    status = 204

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.received.append((self.path, dict(self.headers.items()), self.rfile.read(length)))
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def local_server() -> Iterator[tuple[str, type[_Recorder]]]:
    """An HTTP server on 127.0.0.1 with a random port, recording what it is sent."""
    handler = type("Handler", (_Recorder,), {"received": [], "status": 204})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sla", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _webhook_notifier_class() -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(doc_example("webhook-notifier"), str(DOCS), "exec"), namespace)
    return namespace["WebhookNotifier"]


def test_documented_webhook_notifier_posts_warnings_and_breaches(
    local_server: tuple[str, type[_Recorder]],
) -> None:
    """The docs' WebhookNotifier POSTs JSON with the token and the notification key."""
    url, handler = local_server
    notifier = _webhook_notifier_class()(url, "tok-123")
    pm = plugin_manager(notifier)
    notify(make_notification(kind="warning", level="75%"), pm=pm)
    notify(make_notification(), pm=pm)
    notify(make_notification(kind="fulfilled", level="met"), pm=pm)  # not a webhook kind
    assert len(handler.received) == 2
    path, headers, body = handler.received[1]
    assert path == "/sla"
    assert headers["Authorization"] == "Bearer tok-123"
    assert headers["Idempotency-Key"] == "T-1:first_response:1:breach:breach:1"
    assert Notification.from_dict(json.loads(body)) == make_notification()
    assert "tok-123" not in repr(notifier)
    assert "tok-123" not in repr(vars(notifier))


def test_documented_webhook_notifier_lets_http_errors_propagate(
    local_server: tuple[str, type[_Recorder]],
) -> None:
    """A 500 from the receiver raises, so the engine can keep the notification and retry."""
    url, handler = local_server
    handler.status = 500
    pm = plugin_manager(_webhook_notifier_class()(url, "tok-123"))
    with pytest.raises(OSError, match="500"):
        notify(make_notification(), pm=pm)


def test_documented_webhook_notifier_refuses_plain_http() -> None:
    """Only https URLs (or a local test server) are accepted."""
    with pytest.raises(ValueError, match="https"):
        _webhook_notifier_class()("http://hooks.example.com/sla", "tok")
