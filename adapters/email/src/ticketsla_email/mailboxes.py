"""Reading messages out of mbox files, Maildir folders and folders of .eml files.

Every message is read within the payload size limit: a larger one is skipped (and reported)
without being held in memory. Nothing here writes to a mailbox or takes a lock.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ticketsla.errors import PayloadError
from ticketsla.events import TicketEvent
from ticketsla.sources import PayloadLimits

from .dates import mbox_from_date
from .threads import Reject

__all__ = [
    "BatchResult",
    "is_mbox",
    "iter_maildir",
    "iter_mbox_file",
    "iter_path",
    "mbox_entries",
    "split_mbox",
]

# One message out of a mailbox: (where it came from, its bytes, why it was refused or None,
# when the mailbox says it was delivered or None).
Item = tuple[str, bytes, str | None, datetime | None]

_FROM_LINE = re.compile(rb"^From ", re.MULTILINE)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAILDIR_SECONDS = re.compile(r"^(\d{9,11})\.")
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class BatchResult:
    """The events of a batch of messages, and the messages that could not be read."""

    events: list[TicketEvent]
    rejects: list[Reject]


def is_mbox(data: bytes) -> bool:
    """Whether ``data`` is an mbox: it opens with a ``From `` separator line, not a header."""
    return data.startswith(b"From ")


def split_mbox(data: bytes) -> list[bytes]:
    """The messages of an mbox held in memory, each without its ``From `` separator line."""
    return [body for _, body in mbox_entries(data)]


def mbox_entries(data: bytes) -> list[tuple[bytes, bytes]]:
    """The ``(From line, message)`` pairs of an mbox held in memory."""
    starts = [m.start() for m in _FROM_LINE.finditer(data)]
    entries = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(data)
        line, _, body = data[start:end].partition(b"\n")
        entries.append((line, body))
    return entries


def from_line_time(line: bytes) -> datetime | None:
    """The delivery time on an mbox ``From `` line, if it has a readable one.

    The Unix epoch (``Thu Jan  1 00:00:00 1970``) is what writers put when they know no time:
    it is no delivery time.
    """
    at = mbox_from_date(line[:200].decode("ascii", "replace"))
    return None if at is None or at == _EPOCH else at


def maildir_time(path: Path, key: str) -> datetime | None:
    """A Maildir message's delivery time: the seconds its unique name starts with, else mtime."""
    seconds = _MAILDIR_SECONDS.match(key)
    if seconds is not None:
        return datetime.fromtimestamp(int(seconds.group(1)), tz=UTC)
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    except (OSError, OverflowError, ValueError):
        return None


def iter_mbox_file(path: Path, limits: PayloadLimits, source: str) -> Iterator[Item]:
    """The messages of an mbox file, streamed; one over the size limit is refused, not read."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise PayloadError(
            f"{source}: cannot read mbox {str(path)!r}: {exc.strerror or exc}", subject=str(path)
        ) from None
    with handle:
        number = 0
        parts: list[bytes] = []
        size = 0
        over = False
        at_line_start = True
        separator = b""
        while True:
            line = handle.readline(_CHUNK)
            if not line or (at_line_start and line.startswith(b"From ")):
                if number:
                    origin = f"{path}#{number}"
                    delivered = from_line_time(separator)
                    if over:
                        yield origin, b"", _too_large(source, limits), delivered
                    else:
                        yield origin, b"".join(parts), None, delivered
                if not line:
                    return
                number += 1
                parts, size, over, separator = [], 0, False, line
                at_line_start = line.endswith(b"\n")
                continue
            at_line_start = line.endswith(b"\n")
            size += len(line)
            if size > limits.max_bytes:
                over, parts = True, []
            elif not over:
                parts.append(line)


def iter_maildir(path: Path, limits: PayloadLimits, source: str) -> Iterator[Item]:
    """The messages of a Maildir folder (cur/ and new/), in key order; never tmp/."""
    if not (path / "cur").is_dir() or not (path / "new").is_dir():
        raise PayloadError(
            f"{source}: {str(path)!r} is not a Maildir folder (it needs cur/ and new/)",
            subject=str(path),
        )
    found: list[tuple[str, Path]] = []
    for sub in ("cur", "new"):
        for entry in (path / sub).iterdir():
            if not entry.name.startswith(".") and entry.is_file():
                found.append((entry.name.split(":", 1)[0].split("!", 1)[0], entry))
    for key, file in sorted(found):
        origin = f"{path}#{key}"
        try:
            with file.open("rb") as handle:
                data = handle.read(limits.max_bytes + 1)
        except OSError as exc:
            yield origin, b"", f"{source}: cannot read: {exc.strerror or exc}", None
            continue
        delivered = maildir_time(file, key)
        if len(data) > limits.max_bytes:
            yield origin, b"", _too_large(source, limits), delivered
        else:
            yield origin, data, None, delivered


def iter_path(path: Path, limits: PayloadLimits, source: str) -> Iterator[Item]:
    """A Maildir, a folder of message files (recursively), an mbox file or one message file."""
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            yield from iter_maildir(path, limits, source)
            return
        for child in sorted(path.rglob("*")):
            if child.is_file() and not any(p.startswith(".") for p in child.parts[-1:]):
                yield from iter_path(child, limits, source)
        return
    try:
        with path.open("rb") as handle:
            head = handle.read(5)
    except OSError as exc:
        yield str(path), b"", f"{source}: cannot read: {exc.strerror or exc}", None
        return
    if is_mbox(head):
        yield from iter_mbox_file(path, limits, source)
        return
    with path.open("rb") as handle:
        data = handle.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        yield str(path), b"", _too_large(source, limits), None
    else:
        yield str(path), data, None, None


def _too_large(source: str, limits: PayloadLimits) -> str:
    return f"{source}: message is over the size limit of {limits.max_bytes} bytes"
