"""docs/plugins.md stays honest: every hook documented with its exact signature, examples run."""

from __future__ import annotations

import inspect
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ticketsla import hookspecs
from ticketsla.errors import PayloadError, SignatureError
from ticketsla.plugins import parse_payload, verify_signature
from ticketsla.signing import hmac_sha256
from ticketsla.testing import plugin_manager

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
HEADING = re.compile(r"^### `(ticketsla_\w+)\((.*)\)(?: -> (.+))?`$", re.M)


def hook_specs() -> dict[str, Any]:
    marker = f"{hookspecs.PROJECT_NAME}_spec"
    return {
        name: value
        for name, value in vars(hookspecs).items()
        if name.startswith("ticketsla_") and hasattr(value, marker)
    }


def signature_text(name: str, function: Any) -> str:
    """``name(param: annotation, ...) -> return`` as written in the source."""
    signature = inspect.signature(function)
    params = ", ".join(f"{p.name}: {p.annotation}" for p in signature.parameters.values())
    return f"{name}({params}) -> {signature.return_annotation}"


def documented() -> dict[str, str]:
    text = DOCS.read_text(encoding="utf-8")
    return {m.group(1): m.group(0)[5:-1] for m in HEADING.finditer(text)}


@pytest.mark.parametrize("name", sorted(hook_specs()))
def test_every_hook_is_documented_with_its_exact_signature(name: str) -> None:
    """Each hook in hookspecs.py has a '### `signature`' heading in docs/plugins.md."""
    docs = documented()
    expected = signature_text(name, hook_specs()[name])
    assert name in docs, f"docs/plugins.md does not document {name}"
    assert docs[name] == expected, f"docs/plugins.md shows {docs[name]!r}, the code {expected!r}"


def test_docs_document_no_hook_that_does_not_exist() -> None:
    """Every hook heading in docs/plugins.md names a hook that exists."""
    assert set(documented()) <= set(hook_specs())


def test_hooks_have_docstrings() -> None:
    """Each hook specification explains itself in a docstring."""
    assert all(inspect.getdoc(spec) for spec in hook_specs().values())


def test_decision_hooks_are_firstresult_and_notifications_are_not() -> None:
    """choose_policy, counts_as_response, route and payload_builder stop at the first answer;
    the rest reach everyone."""
    marker = f"{hookspecs.PROJECT_NAME}_spec"
    first = {name for name, f in hook_specs().items() if getattr(f, marker).get("firstresult")}
    assert first == {
        "ticketsla_choose_policy",
        "ticketsla_counts_as_response",
        "ticketsla_route",
        "ticketsla_payload_builder",
    }


# ---- the adapter example runs ------------------------------------------------------------------


def doc_example(name: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(rf"<!-- example: {re.escape(name)} -->\n```python\n(.*?)```", text, re.S)
    assert match, f"docs/plugins.md has no example named {name!r}"
    return match.group(1)


class _Module:
    """The example's namespace as a plugin object, as an entry point would load it."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.ticketsla_register_sources = namespace["ticketsla_register_sources"]


def acme_manager() -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(doc_example("adapter"), str(DOCS), "exec"), namespace)
    return plugin_manager(_Module(namespace))


def test_documented_adapter_parses_its_payloads() -> None:
    """The step-by-step adapter in the docs reads a page of Acme events into TicketEvents."""
    page = {
        "items": [
            {"ticket": 7, "id": 1, "at": "2026-03-02T09:00:00+00:00", "what": "opened"},
            {"ticket": 7, "id": 2, "at": "2026-03-02T09:30:00+00:00", "what": "agent", "bot": True},
        ]
    }
    events = parse_payload("acme", json.dumps(page).encode(), pm=acme_manager())
    assert [(e.event_id, str(e.kind), e.auto) for e in events] == [
        ("acme-1", "created", False),
        ("acme-2", "agent_reply", True),
    ]
    with pytest.raises(PayloadError, match="acme: expected an event with 'what'"):
        parse_payload("acme", b'{"what": "meeting"}', pm=acme_manager())


def test_documented_adapter_verifies_signatures() -> None:
    """The docs' adapter accepts its own signature and refuses a tampered body."""
    import base64

    now = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)
    body, stamp = b'{"ticket": 7}', "2026-03-02T09:00:00Z"
    signature = base64.b64encode(hmac_sha256("k", stamp.encode(), body)).decode()
    headers = {"X-Acme-Timestamp": stamp, "X-Acme-Signature": signature}
    pm = acme_manager()
    verify_signature("acme", body, headers, "k", now=now, pm=pm)
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature("acme", body + b"!", headers, "k", now=now, pm=pm)
