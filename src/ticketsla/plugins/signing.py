"""Shared pieces for webhook signature checks: headers, secrets, HMAC, timestamps.

Adapters verify their source's signature with these so that every source gets the same care:

- ``Headers``: request headers as a read-only mapping whose keys ignore case, refusing values
  with control characters (a header smuggled through a CR/LF never reaches a check);
- ``Secret``: a secret whose ``repr`` and ``str`` never show it;
- ``hmac_sha256`` and ``digests_match``: the digest and a constant-time comparison
  (``hmac.compare_digest``), never ``==``;
- ``parse_signature_timestamp`` and ``check_freshness``: the replay window, refusing both stale
  and future timestamps.

Nothing here logs, and no error message contains a secret, a digest or a signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from .._instants import require_aware
from ..durations import format_duration
from ..errors import SignatureError

__all__ = [
    "DEFAULT_MAX_AGE",
    "DEFAULT_MAX_FUTURE",
    "Headers",
    "Secret",
    "check_freshness",
    "decode_base64_signature",
    "digests_match",
    "hmac_sha256",
    "parse_signature_timestamp",
    "secret_bytes",
]

DEFAULT_MAX_AGE = timedelta(minutes=5)
DEFAULT_MAX_FUTURE = timedelta(minutes=1)

_MAX_HEADER_VALUE = 8192
_MAX_HEADERS = 1000  # web servers allow about a hundred; more is not a real request
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_EPOCH_SECONDS = re.compile(r"^\d{1,12}$")


class Headers(Mapping[str, str]):
    """Request headers; ``headers["x-zendesk-webhook-signature"]`` finds any spelling of it.

    Built from a mapping or a list of ``(name, value)`` pairs (bytes are decoded as Latin-1,
    as HTTP does). A name given twice keeps its first value. A value holding a control
    character (CR, LF, NUL...) or longer than 8 KiB, more than 1,000 headers, or ``headers``
    that are neither a mapping nor pairs are refused with ``SignatureError``.
    """

    __slots__ = ("_items",)

    def __init__(
        self, headers: Mapping[Any, Any] | Iterable[tuple[Any, Any]] | None = None
    ) -> None:
        items: dict[str, tuple[str, str]] = {}
        for number, (raw_name, raw_value) in enumerate(_header_pairs(headers)):
            if number >= _MAX_HEADERS:
                raise SignatureError(
                    f"headers: more than {_MAX_HEADERS} of them", subject="headers"
                )
            name = _header_text(raw_name, "header name")
            value = _header_text(raw_value, f"header {name!r}")
            if _CONTROL.search(name) or _CONTROL.search(value):
                raise SignatureError(
                    f"header {name!r:.80}: contains a control character", subject=name
                )
            if len(value) > _MAX_HEADER_VALUE:
                raise SignatureError(
                    f"header {name!r:.80}: value of {len(value)} characters is too long",
                    subject=name,
                )
            items.setdefault(name.strip().lower(), (name, value.strip()))
        self._items = items

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (original for original, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def get(self, name: str, default: Any = None) -> Any:
        item = self._items.get(name.lower())
        return default if item is None else item[1]

    def __repr__(self) -> str:
        # Values may be signatures or tokens: show only the names.
        return f"Headers({sorted(self._items)!r})"


def _header_pairs(headers: Any) -> Iterator[tuple[Any, Any]]:
    """The (name, value) pairs of ``headers``; anything else is a ``SignatureError``."""
    if headers is None:
        return
    if isinstance(headers, Mapping):
        yield from headers.items()
        return
    if isinstance(headers, str | bytes | bytearray) or not isinstance(headers, Iterable):
        raise SignatureError(
            f"headers: expected a mapping or (name, value) pairs, got {type(headers).__name__}",
            subject="headers",
        )
    for number, pair in enumerate(headers):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise SignatureError(
                f"headers: item {number} is a {type(pair).__name__}, not a (name, value) pair",
                subject="headers",
            )
        yield pair[0], pair[1]


def _header_text(value: Any, what: str) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")
    if isinstance(value, str):
        return value
    raise SignatureError(f"{what}: expected text, got {type(value).__name__}", subject=what)


class Secret:
    """A shared secret that never shows itself in ``repr``, ``str`` or a log line."""

    __slots__ = ("_value",)

    def __init__(self, value: str | bytes | Secret) -> None:
        self._value = secret_bytes(value)

    def reveal(self) -> bytes:
        """The secret's bytes, for the one place that signs or verifies."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash((Secret, len(self._value)))

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")


def secret_bytes(secret: str | bytes | bytearray | Secret) -> bytes:
    """The bytes of a secret given as text (UTF-8), bytes or a ``Secret``; empty is refused."""
    if isinstance(secret, Secret):
        return secret.reveal()
    if isinstance(secret, str):
        value = secret.encode("utf-8")
    elif isinstance(secret, bytes | bytearray):
        value = bytes(secret)
    else:
        raise SignatureError(
            f"secret: expected text, bytes or a Secret, got {type(secret).__name__}",
            subject="secret",
        )
    if not value:
        raise SignatureError("secret: the signing secret is empty", subject="secret")
    return value


def hmac_sha256(secret: str | bytes | Secret, *parts: bytes) -> bytes:
    """The HMAC-SHA256 digest of the concatenated ``parts`` under ``secret``."""
    mac = hmac.new(secret_bytes(secret), digestmod=hashlib.sha256)
    for part in parts:
        mac.update(part)
    return mac.digest()


def digests_match(expected: bytes, given: bytes) -> bool:
    """Constant-time equality of two digests (the time taken does not depend on the bytes)."""
    return hmac.compare_digest(expected, given)


def decode_base64_signature(text: str, *, source: str, header: str) -> bytes:
    """The digest in a base64 signature header; malformed text is a ``SignatureError``."""
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError(
            f"{source}: header {header} is not base64 text", subject=header
        ) from None


def parse_signature_timestamp(text: str, *, source: str, header: str) -> datetime:
    """A signature timestamp: an ISO 8601 instant with an offset, or whole epoch seconds."""
    value = text.strip()
    if _EPOCH_SECONDS.match(value):
        return datetime.fromtimestamp(int(value), UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or parsed.utcoffset() is None:
        raise SignatureError(
            f"{source}: header {header}: {value[:40]!r} is neither an ISO 8601 instant with an "
            "offset nor epoch seconds",
            subject=header,
        )
    return parsed


def check_freshness(
    signed_at: datetime,
    now: datetime,
    *,
    source: str,
    max_age: timedelta = DEFAULT_MAX_AGE,
    max_future: timedelta = DEFAULT_MAX_FUTURE,
) -> None:
    """Refuse a signature older than ``max_age`` or more than ``max_future`` ahead of ``now``."""
    require_aware(now, "now")
    require_aware(signed_at, "signature timestamp")
    drift = now - signed_at
    if drift > max_age:
        raise SignatureError(
            f"{source}: signature timestamp {signed_at.isoformat()} is stale: "
            f"{format_duration(drift, days=True)} old, over the replay window of "
            f"{format_duration(max_age, days=True)}",
            subject="timestamp",
        )
    if -drift > max_future:
        raise SignatureError(
            f"{source}: signature timestamp {signed_at.isoformat()} is "
            f"{format_duration(-drift, days=True)} in the future (allowed clock skew "
            f"{format_duration(max_future, days=True)})",
            subject="timestamp",
        )
