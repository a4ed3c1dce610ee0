"""The JSON nesting check is exact and linear: hostile bodies at the size limit cost one pass.

The quadratic shape that used to take hours at 1 MiB (a quote followed by escaped quotes, an
unterminated string retried at every quote) is run at the full limit in a child process with a
generous bound, so a regression shows as a failed test rather than a hung suite. Exactness is
proven against ``json`` itself on generated documents full of quotes, backslashes and brackets.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ticketsla.errors import PayloadError
from ticketsla.plugins.sources import _json_depth, decode_json

# Characters that a naive scanner gets wrong inside strings.
_TRICKY = st.text(alphabet='"\\[]{}/:,ab\u00e9\u2028', max_size=12)

_JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | _TRICKY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TRICKY, inner, max_size=4),
    max_leaves=30,
)


def _true_depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_true_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_true_depth, value), default=0)
    return 0


@given(_JSON, st.booleans())
def test_depth_scan_agrees_with_the_decoder(value: Any, ascii_only: bool) -> None:
    """Strings holding quotes, backslashes and brackets never count as nesting."""
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert _json_depth(text) == _true_depth(value)


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("", 0),
        ('"\\\\"', 0),  # an escaped backslash closes nothing: the quote after it ends the string
        ('["\\\\", ["x"]]', 2),
        ('["\\\\\\"]"]', 1),  # escaped backslash then escaped quote: still inside the string
        ('"unterminated [[[', 0),
        ("[[[]]]", 3),
    ],
)
def test_depth_scan_of_escapes_and_broken_text(text: str, depth: int) -> None:
    """Escapes are paired left to right, as JSON reads them; broken text never crashes."""
    assert _json_depth(text) == depth


_HOSTILE_AT_THE_LIMIT = r"""
import json, sys
from ticketsla.errors import PayloadError
from ticketsla.sources import DEFAULT_MAX_PAYLOAD_BYTES as N, decode_json
shapes = {
    "escaped quotes": b'"' + b'\\"' * ((N - 1) // 2),
    "open strings": b'"a' * (N // 2),
    "backslashes": b'"' + b"\\" * (N - 1),
    "deep arrays": b"[" * (N // 2) + b"]" * (N // 2),
    "empty arrays": b"[" + b"[]," * ((N - 2) // 3 - 1) + b"[]]",
    "many keys": json.dumps({f"k{i}": i for i in range(N // 18)}).encode(),
}
for name, body in shapes.items():
    assert len(body) <= N, name
    try:
        decode_json(body, source="hostile")
    except PayloadError:
        pass
    print(name)
"""


def test_hostile_bodies_at_the_size_limit_finish() -> None:
    """Each hostile 1 MiB shape is decoded or refused; a quadratic scan would need hours.

    Linear work is a second or two even on a loaded machine; the bound is a minute, so it only
    trips on a change of complexity, never on a slow run.
    """
    done = subprocess.run(
        [sys.executable, "-c", _HOSTILE_AT_THE_LIMIT],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:6] == [
        "escaped quotes",
        "open strings",
        "backslashes",
        "deep arrays",
        "empty arrays",
        "many keys",
    ]


def test_escaped_quotes_are_refused_as_invalid_json_not_as_deep() -> None:
    """The shape from the report is a typed PayloadError about JSON, not about nesting."""
    body = b'"' + b'\\"' * 1000
    with pytest.raises(PayloadError, match="not valid JSON"):
        decode_json(body, source="hostile")
