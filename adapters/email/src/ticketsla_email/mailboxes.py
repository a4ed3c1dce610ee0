"""Reading messages out of mbox files, Maildir folders and folders of .eml files.

Every message is streamed: hashed whole, only its header block and the start of its body kept,
so a message of any size up to ``EmailSettings.max_message_bytes`` is read in bounded memory; a
larger one is skipped (and reported). Nothing here writes to a mailbox or takes a lock.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from ticketsla.errors import PayloadError
from ticketsla.events import TicketEvent
from ticketsla.sources import PayloadLimits

from .dates import mbox_from_date
from .message import BODY_SCAN_BYTES, MAX_HEADER_BLOCK_BYTES, message_start
from .settings import DEFAULT_MAX_MESSAGE_BYTES
from .threads import Reject

__all__ = [
    "BatchResult",
    "Item",
    "is_mbox",
    "iter_maildir",
    "iter_mbox_file",
    "iter_path",
    "mbox_entries",
    "split_mbox",
]


class Item(NamedTuple):
    """One message out of a mailbox, read within bounds.

    ``data`` is the start of the message (``message.message_start``: its header block and the
    start of its body), ``digest`` the SHA-256 of all of it; ``problem`` says why it was refused
    (then ``data`` is empty); ``delivered`` is when the mailbox says it was delivered.
    """

    origin: str
    data: bytes
    problem: str | None
    delivered: datetime | None = None
    digest: str | None = None


_FROM_LINE = re.compile(rb"^From ", re.MULTILINE)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAILDIR_SECONDS = re.compile(r"^(\d{9,11})\.")
_CHUNK = 64 * 1024
_KEEP = MAX_HEADER_BLOCK_BYTES + BODY_SCAN_BYTES + 8


class _Reading:
    """One message streamed in: its start kept, all of it hashed and counted."""

    __slots__ = ("_hash", "_kept", "_room", "size")

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self._kept: list[bytes] = []
        self._room = _KEEP
        self.size = 0

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self._hash.update(chunk)
        if self._room > 0:
            self._kept.append(chunk[: self._room])
            self._room -= len(self._kept[-1])

    def item(self, origin: str, delivered: datetime | None, source: str, max_bytes: int) -> Item:
        if self.size > max_bytes:
            return Item(origin, b"", _too_large(source, max_bytes), delivered)
        start = message_start(b"".join(self._kept))
        return Item(origin, start, None, delivered, self._hash.hexdigest())


def _read_file(
    path: Path, origin: str, delivered: datetime | None, source: str, max_bytes: int
) -> Item:
    reading = _Reading()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                reading.feed(chunk)
                if reading.size > max_bytes:
                    break
    except OSError as exc:
        return Item(origin, b"", f"{source}: cannot read: {exc.strerror or exc}", delivered)
    return reading.item(origin, delivered, source, max_bytes)


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


def iter_mbox_file(
    path: Path, limits: PayloadLimits, source: str, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
) -> Iterator[Item]:
    """The messages of an mbox file, streamed: each is hashed whole and only its start kept.

    A message over ``max_bytes`` (``EmailSettings.max_message_bytes``) is refused; ``limits``
    (the JSON payload limit) does not apply to mail.
    """
    del limits
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise PayloadError(
            f"{source}: cannot read mbox {str(path)!r}: {exc.strerror or exc}", subject=str(path)
        ) from None
    with handle:
        number = 0
        reading = _Reading()
        at_line_start = True
        separator = b""
        while True:
            line = handle.readline(_CHUNK)
            if not line or (at_line_start and line.startswith(b"From ")):
                if number:
                    origin = f"{path}#{number}"
                    yield reading.item(origin, from_line_time(separator), source, max_bytes)
                if not line:
                    return
                number += 1
                reading, separator = _Reading(), line[:_CHUNK]
                at_line_start = line.endswith(b"\n")
                continue
            at_line_start = line.endswith(b"\n")
            reading.feed(line)


def iter_maildir(
    path: Path, limits: PayloadLimits, source: str, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
) -> Iterator[Item]:
    """The messages of a Maildir folder (cur/ and new/), in key order; never tmp/."""
    del limits
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
        yield _read_file(file, f"{path}#{key}", maildir_time(file, key), source, max_bytes)


def iter_path(
    path: Path, limits: PayloadLimits, source: str, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
) -> Iterator[Item]:
    """A Maildir, a folder of message files (recursively), an mbox file or one message file."""
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            yield from iter_maildir(path, limits, source, max_bytes)
            return
        for child in sorted(path.rglob("*")):
            if child.is_file() and not any(p.startswith(".") for p in child.parts[-1:]):
                yield from iter_path(child, limits, source, max_bytes)
        return
    try:
        with path.open("rb") as handle:
            head = handle.read(5)
    except OSError as exc:
        yield Item(str(path), b"", f"{source}: cannot read: {exc.strerror or exc}")
        return
    if is_mbox(head):
        yield from iter_mbox_file(path, limits, source, max_bytes)
        return
    yield _read_file(path, str(path), None, source, max_bytes)


def _too_large(source: str, max_bytes: int) -> str:
    return f"{source}: message is over the size limit of {max_bytes} bytes (max_message_bytes)"
