"""Hostile payloads at the size limit: time per MiB for every adapter's ``parse_payload``.

Each shape is built to about 1 MiB (the default ``PayloadLimits.max_bytes``) and handed to
``ticketsla.parse_payload`` for every installed adapter, whether or not the shape is meant for
it: a webhook endpoint cannot choose what it is sent. A shape ends in events or in a typed
``TicketSLAError``; anything else is a bug and is printed as such. What matters is that no
shape costs much more per MiB than an ordinary payload of the same size: the work must be linear.

    .venv/bin/python benchmarks/bench_hostile.py [--repeat 3] [--mib 1.0]

``--mib`` scales every shape (0.25 gives a quick look; anything over 1 is refused by the size
limit, which is itself worth seeing). The table gives, per shape and adapter, the outcome
(``events:N`` or the error class) and the best wall and CPU milliseconds per MiB over
``--repeat`` rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from _common import table, timed, versions

from ticketsla.errors import TicketSLAError
from ticketsla.plugins import parse_payload, sources
from ticketsla.sources import DEFAULT_MAX_PAYLOAD_BYTES

ROOT = Path(__file__).resolve().parent.parent
ZENDESK_BASE = ROOT / "adapters/zendesk/tests/fixtures/webhook_comment_added_customer.json"
JIRA_BASE = ROOT / "adapters/jira/tests/fixtures/comment_created_customer.json"

MAIL_HEAD = (
    b"From: Dana <dana@customer.example>\r\nTo: support@acme.example\r\n"
    b"Date: Mon, 2 Mar 2026 12:00:00 +0100\r\nMessage-ID: <bench@customer.example>\r\n"
    b"Subject: hostile\r\n"
)


def _fill(unit: bytes, size: int, head: bytes = b"", tail: bytes = b"") -> bytes:
    """``head`` + ``unit`` repeated + ``tail``, as close to ``size`` bytes as whole units allow."""
    count = max((size - len(head) - len(tail)) // len(unit), 0)
    return head + unit * count + tail


def _json_with(base: Path, size: int, grow: Callable[[dict[str, object], int], None]) -> bytes:
    """A real fixture of a source, grown by ``grow`` until it is about ``size`` bytes."""
    data = json.loads(base.read_text(encoding="utf-8"))
    grow(data, size - len(json.dumps(data)) - 64)
    return json.dumps(data).encode()


def _many_keys(data: dict[str, object], room: int) -> None:
    keys: dict[str, int] = {}
    used = 8
    while used < room:
        used += len(f'"k{len(keys)}": {len(keys)}, ')
        keys[f"k{len(keys)}"] = len(keys)
    data["x"] = keys


def _long_string(data: dict[str, object], room: int) -> None:
    data["x"] = "a" * max(room, 0)


def shapes(size: int) -> dict[str, Callable[[], bytes]]:
    """The hostile shapes, each about ``size`` bytes, built lazily."""
    return {
        "ordinary: zendesk webhook + filler": lambda: _json_with(ZENDESK_BASE, size, _long_string),
        "escaped quotes": lambda: _fill(b'\\"', size, b'"'),
        "unterminated strings": lambda: _fill(b'"a', size),
        "backslashes": lambda: _fill(b"\\", size, b'"'),
        "deep arrays": lambda: _fill(b"[", size // 2) + _fill(b"]", size // 2),
        "empty arrays": lambda: _fill(b"[],", size, b"[", b"[]]"),
        "many keys (zendesk)": lambda: _json_with(ZENDESK_BASE, size, _many_keys),
        "many keys (jira)": lambda: _json_with(JIRA_BASE, size, _many_keys),
        "long string (jira)": lambda: _json_with(JIRA_BASE, size, _long_string),
        "huge integer": lambda: _fill(b"9", size, b'{"id": ', b"}"),
        "MIME: nested multiparts": lambda: _mime_nested(size),
        "MIME: many parts": lambda: _fill(
            b"--B\r\n\r\nx\r\n",
            size,
            MAIL_HEAD + b"Content-Type: multipart/mixed; boundary=B\r\n\r\n",
            b"--B--\r\n",
        ),
        "MIME: base64 body": lambda: _fill(
            b"QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n",
            size,
            MAIL_HEAD + b"Content-Transfer-Encoding: base64\r\n\r\n",
        ),
        "10k headers": lambda: _fill(
            b"X-Filler: " + b"v" * max(size // 10_000 - 12, 1) + b"\r\n",
            size,
            MAIL_HEAD,
            b"\r\nhello\r\n",
        ),
        "one huge folded header": lambda: _fill(
            b"\r\n x", size, MAIL_HEAD + b"X-Long: a", b"\r\n\r\n"
        ),
    }


def _mime_nested(size: int) -> bytes:
    """Multiparts inside multiparts, each with its own boundary, as deep as ``size`` allows."""
    opened: list[bytes] = []
    closed: list[bytes] = []
    depth = 0
    used = len(MAIL_HEAD) + len(b"text\r\n")
    while True:
        boundary = b"b%d" % depth
        opening = (
            b"Content-Type: multipart/mixed; boundary="
            + boundary
            + b"\r\n\r\n--"
            + boundary
            + b"\r\n"
        )
        closing = b"\r\n--" + boundary + b"--\r\n"
        if used + len(opening) + len(closing) > size:
            break
        opened.append(opening)
        closed.append(closing)
        used += len(opening) + len(closing)
        depth += 1
    return MAIL_HEAD + b"".join(opened) + b"text\r\n" + b"".join(reversed(closed))


def outcome(source: str, body: bytes) -> str:
    """What ``parse_payload`` made of ``body``: ``events:N``, a typed error, or ``BUG:...``."""
    try:
        return f"events:{len(parse_payload(source, body))}"
    except TicketSLAError as exc:
        return type(exc).__name__
    except Exception as exc:  # reported, not hidden: an untyped error is what this looks for
        return f"BUG:{type(exc).__name__}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timing rounds; the best counts")
    parser.add_argument("--mib", type=float, default=1.0, help="size of each shape in MiB")
    args = parser.parse_args(argv)
    size = int(DEFAULT_MAX_PAYLOAD_BYTES * args.mib)
    names = sources().names()
    print(versions("ticketsla", "ticketsla-zendesk", "ticketsla-jira", "ticketsla-email"))
    print(f"load average before: {os.getloadavg()[0]:.2f}; shape size {size} bytes\n")
    rows: list[list[str]] = []
    bugs = 0
    for shape, build in shapes(size).items():
        body = build()
        mib = len(body) / DEFAULT_MAX_PAYLOAD_BYTES
        for source in names:
            print(f"  {shape} -> {source}", file=sys.stderr)
            result, wall, cpu = timed(lambda s=source, b=body: outcome(s, b), args.repeat)
            bugs += result.startswith("BUG")
            rows.append(
                [
                    shape,
                    source,
                    f"{len(body):,}",
                    result,
                    f"{wall / mib * 1e3:,.0f}",
                    f"{cpu / mib * 1e3:,.0f}",
                ]
            )
    print(
        table(
            ["shape", "adapter", "bytes", "outcome", "wall ms/MiB", "CPU ms/MiB"],
            rows,
            right=(2, 4, 5),
        )
    )
    print(f"\nload average after: {os.getloadavg()[0]:.2f}; untyped errors: {bugs}")
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main())
