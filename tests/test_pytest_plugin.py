"""The pytest plugin: its fixtures work here (the suite uses the installed plugin) and the
example in docs/testing.md passes when pytest runs it as a user's test file."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from test_docs import python_blocks
from ticketsla import SignatureError, SLAEngine, verify_signature
from ticketsla.pytest_plugin import FrozenClock
from ticketsla.testing import EventBuilder

TESTING_DOC = Path(__file__).resolve().parents[1] / "docs" / "testing.md"


def test_engine_ticket_and_clock(
    sla_engine: SLAEngine, ticket: Callable[..., EventBuilder], frozen_clock: FrozenClock
) -> None:
    """An urgent ticket left unanswered breaches its 1h first response once the clock moves."""
    events = ticket("4711")
    events.created(priority="urgent")
    events.customer_message(after="5m")
    assert sla_engine.ingest(events.events).stored == 2
    assert not sla_engine.is_breached("4711", "first_response")
    assert frozen_clock.tick("61m") == events.now - timedelta(minutes=5) + timedelta(minutes=61)
    assert sla_engine.is_breached("4711", "first_response")


def test_zendesk_signature_as_zendesk_sends_it(
    zendesk_webhook: Callable[..., dict[str, str]], frozen_clock: FrozenClock
) -> None:
    """The adapter accepts the signed body; a changed body or another secret is refused."""
    body = json.dumps({"ticket": {"id": 4711}}).encode()
    headers = zendesk_webhook(body, "s3cret")
    assert headers["X-Zendesk-Webhook-Signature-Timestamp"] == "2026-03-02T09:00:00Z"
    verify_signature("zendesk", body, headers, "s3cret")
    with pytest.raises(SignatureError):
        verify_signature("zendesk", body + b" ", headers, "s3cret")
    with pytest.raises(SignatureError):
        verify_signature("zendesk", body, headers, "other")


def test_jira_signature_as_jira_sends_it(
    jira_webhook: Callable[..., dict[str, str]], frozen_clock: FrozenClock
) -> None:
    """A Jira admin webhook's ``X-Hub-Signature`` over the raw body, fresh by its timestamp."""
    stamp = int(frozen_clock.now.timestamp() * 1000)
    body = json.dumps({"timestamp": stamp, "webhookEvent": "jira:issue_created"}).encode()
    headers = jira_webhook(body, "s3cret")
    assert headers["X-Hub-Signature"].startswith("sha256=")
    verify_signature("jira", body, headers, "s3cret")
    with pytest.raises(SignatureError):
        verify_signature("jira", body, headers, "other")


def test_the_documented_user_test_passes(tmp_path: Path) -> None:
    """docs/testing.md's example, saved as a user's test file, passes under pytest."""
    [(_, source)] = [
        (line, text)
        for line, text in python_blocks(
            TESTING_DOC.read_text(encoding="utf-8").replace("```python notest", "```python")
        )
    ]
    assert len(source.strip().splitlines()) <= 20
    (tmp_path / "test_integration.py").write_text(source, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
