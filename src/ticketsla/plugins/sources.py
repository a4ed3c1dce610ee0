"""What a source adapter is, where adapters are registered, and how untrusted payloads are read.

An adapter turns the payloads of one ticket source (Zendesk, Jira, email...) into ``TicketEvent``
values. Adapters reach ticketsla through the ``ticketsla_register_sources(registry)`` hook; the
registry is this module's ``SourceRegistry``.

An adapter whose payloads only make sense together (mail, where a reply is threaded by the
messages around it) may also implement ``BatchSourceAdapter.parse_paths``: it is handed the
files and folders a user named, reads them itself, and returns a ``SourceBatch`` of events and
``BatchReject``s. ``ticketsla import`` prefers it when an adapter has it.

Payloads come from the network, so everything here is bounded: a size limit before anything is
decoded, a nesting limit checked by a scan of the raw text (``json.loads`` would otherwise recurse
without bound), and no parser that can execute or unpickle anything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..errors import AdapterError, PayloadError, SourceNotFoundError
from ..events import TicketEvent

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_PAYLOAD_BYTES",
    "BatchReject",
    "BatchSourceAdapter",
    "Payload",
    "PayloadLimits",
    "SourceAdapter",
    "SourceBatch",
    "SourceRegistry",
    "decode_json",
    "payload_bytes",
]

DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024
DEFAULT_MAX_DEPTH = 64

Payload = bytes | bytearray | memoryview | str | Mapping[str, Any] | list[Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class PayloadLimits:
    """Bounds for one untrusted payload."""

    max_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH


@runtime_checkable
class SourceAdapter(Protocol):
    """A ticket source: recognises its payload shapes and turns them into events.

    ``parse`` raises ``PayloadError`` (naming the source and the reason) for a payload it cannot
    read; it never returns a partial list silently. ``verify_signature`` raises
    ``SignatureError`` unless the body was signed with ``secret`` within the replay window around
    ``now``; sources that do not sign raise ``SignatureError`` saying so.

    An adapter whose raw payloads are not JSON and are read in bounded time whatever their
    size (mail: headers only) may set an int attribute ``max_raw_bytes``: ``parse_payload``
    then checks raw payloads against it instead of ``PayloadLimits.max_bytes``.
    """

    @property
    def name(self) -> str:
        """The source's name, as users pass it to ``parse_payload`` (``"zendesk"``)."""
        ...

    @property
    def description(self) -> str:
        """One line for people: what the adapter reads."""
        ...

    def parse(
        self, payload: Payload, *, headers: Mapping[str, str], limits: PayloadLimits
    ) -> list[TicketEvent]: ...

    def verify_signature(
        self, body: bytes, headers: Mapping[str, str], secret: str | bytes, *, now: datetime
    ) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchReject:
    """A payload of a batch that could not be read: where it was and why.

    ``label`` says where, as precisely as the adapter can: a file path, or a path with the
    message's place in it (``inbox#1712345678.M1P2.host`` in a Maildir, ``archive.mbox#3``).
    ``reason`` names the source and the problem, as a ``PayloadError`` message would; ``error``
    is the name of the error class it stands for.
    """

    label: str
    reason: str
    error: str = "PayloadError"


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceBatch:
    """What an adapter read from a batch of paths.

    ``events`` in history order, without duplicates; ``rejects`` in the order they were met;
    ``payloads`` counts every payload looked at (messages, records), the rejected ones too.
    ``automated`` counts the payloads recognised as automated (bounces, auto-replies, read
    receipts...) by reason, whether they gave events or not; ``ticketsla import --dry-run``
    shows it.
    """

    events: tuple[TicketEvent, ...]
    rejects: tuple[BatchReject, ...] = ()
    payloads: int = 0
    automated: tuple[tuple[str, int], ...] = ()


@runtime_checkable
class BatchSourceAdapter(SourceAdapter, Protocol):
    """A source adapter that can also read whole files and folders as one batch (optional).

    ``parse_paths`` reads every path it is given (files and folders, in the adapter's own way:
    a Maildir's ``cur/`` and ``new/`` but never ``tmp/``, say) and treats everything it found as
    one batch, so that payloads are related across files. A payload it cannot read becomes a
    ``BatchReject`` and the batch carries on; every payload is read within ``limits``. It raises
    only for a problem with the whole batch (``ConfigurationError``, ``AdapterError``).
    """

    def parse_paths(self, paths: Sequence[Path], *, limits: PayloadLimits) -> SourceBatch: ...


class SourceRegistry:
    """The adapters known to one plugin manager, by source name."""

    def __init__(self) -> None:
        self._adapters: dict[str, SourceAdapter] = {}

    def add(self, adapter: SourceAdapter) -> None:
        """Register an adapter; a second adapter for the same name is an error."""
        if not isinstance(adapter, SourceAdapter):
            raise AdapterError(
                f"{adapter!r} is not a source adapter (needs name, description, parse and "
                "verify_signature)",
                subject=adapter,
            )
        if adapter.name in self._adapters:
            raise AdapterError(
                f"source {adapter.name!r} is registered twice: by "
                f"{type(self._adapters[adapter.name]).__module__} and {type(adapter).__module__}",
                subject=adapter.name,
            )
        self._adapters[adapter.name] = adapter

    def get(self, name: str) -> SourceAdapter:
        """The adapter for ``name``; ``SourceNotFoundError`` lists the installed ones."""
        try:
            return self._adapters[name]
        except KeyError:
            installed = ", ".join(sorted(self._adapters)) or "none"
            raise SourceNotFoundError(
                f"no adapter for source {name!r} (installed: {installed}); install one such as "
                f"ticketsla-{name} or register a plugin",
                subject=name,
            ) from None

    def names(self) -> list[str]:
        return sorted(self._adapters)

    def __iter__(self) -> Iterator[SourceAdapter]:
        return iter(self._adapters[n] for n in sorted(self._adapters))

    def __contains__(self, name: object) -> bool:
        return name in self._adapters

    def __len__(self) -> int:
        return len(self._adapters)


def payload_bytes(payload: Payload, *, source: str, limits: PayloadLimits) -> bytes | None:
    """The raw bytes of a text payload, size-checked; None for an already-decoded one."""
    if isinstance(payload, Mapping | list):
        return None
    raw = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
    if len(raw) > limits.max_bytes:
        raise PayloadError(
            f"{source}: payload of {len(raw)} bytes is over the limit of {limits.max_bytes}",
            subject=source,
        )
    return raw


def decode_json(payload: Payload, *, source: str, limits: PayloadLimits | None = None) -> Any:
    """Decode a JSON payload within the limits; a decoded mapping or list is depth-checked."""
    limits = limits or PayloadLimits()
    raw = payload_bytes(payload, source=source, limits=limits)
    if raw is None:
        _check_depth_decoded(payload, source, limits.max_depth)
        return payload
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PayloadError(
            f"{source}: payload is not UTF-8: {exc.reason}", subject=source
        ) from None
    depth = _json_depth(text)
    if depth > limits.max_depth:
        raise PayloadError(
            f"{source}: payload nests deeper than {limits.max_depth} levels", subject=source
        )
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise PayloadError(f"{source}: payload is not valid JSON: {exc}", subject=source) from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_JSON_STRING = re.compile(r'"[^"]*"?')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def _json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON text, strings skipped.

    Each step is a single left-to-right pass in C, so the time is linear in the text whatever its
    shape (a regular expression for strings with escapes retried at every quote was quadratic).
    Escapes go first (backslash pairs, then escaped quotes), so each remaining quote opens or
    closes a string; the brackets left outside strings become +1 and -1 (signed bytes), whose
    running sum is the depth.
    """
    unescaped = text.replace("\\\\", "").replace('\\"', "")
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", unescaped))
    steps = memoryview(brackets.encode("ascii").translate(_BRACKET_STEP)).cast("b")
    return max(accumulate(steps), default=0)


def _check_depth_decoded(value: Any, source: str, max_depth: int) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise PayloadError(
                f"{source}: payload nests deeper than {max_depth} levels", subject=source
            )
        if isinstance(item, Mapping):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list | tuple):
            stack.extend((v, depth + 1) for v in item)
