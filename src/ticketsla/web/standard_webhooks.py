"""Standard Webhooks signatures: what the outbound notifier signs, and what a source without a
signature of its own (mail relayed by a gateway) can sign with.

Three headers: ``webhook-id`` (stable per message, for the receiver's idempotency),
``webhook-timestamp`` (epoch seconds) and ``webhook-signature``: ``v1,`` followed by the base64
HMAC-SHA256 of ``{id}.{timestamp}.{body}``, keyed with the bytes of the secret. A secret is written
``whsec_`` + base64 of those bytes; a signature header may carry several space-separated
signatures (during a key rotation), any of which may match.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime

from ..errors import ConfigurationError, SignatureError
from ..plugins.signing import (
    check_freshness,
    decode_base64_signature,
    digests_match,
    hmac_sha256,
    parse_signature_timestamp,
)

__all__ = [
    "ID_HEADER",
    "SECRET_PREFIX",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "decode_secret",
    "sign",
    "signed_headers",
    "verify",
]

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
SECRET_PREFIX = "whsec_"
_VERSION = "v1"


def decode_secret(secret: str | bytes) -> bytes:
    """The key bytes of a ``whsec_...`` secret (other bytes are taken as they are)."""
    if isinstance(secret, bytes) and secret.startswith(SECRET_PREFIX.encode()):
        secret = secret.decode("ascii", "replace")
    if isinstance(secret, bytes):
        if not secret:
            raise ConfigurationError("webhook secret: empty", subject="secret")
        return secret
    text = secret.strip()
    if not text.startswith(SECRET_PREFIX):
        raise ConfigurationError(
            f"webhook secret: expected {SECRET_PREFIX!r} followed by base64", subject="secret"
        )
    try:
        key = base64.b64decode(text[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError(
            f"webhook secret: the part after {SECRET_PREFIX!r} is not base64", subject="secret"
        ) from None
    if not key:
        raise ConfigurationError("webhook secret: empty", subject="secret")
    return key


def sign(secret: str | bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for one message."""
    digest = hmac_sha256(decode_secret(secret), f"{message_id}.{timestamp}.".encode(), body)
    return f"{_VERSION},{base64.b64encode(digest).decode('ascii')}"


def signed_headers(
    secret: str | bytes, message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three headers of a signed message."""
    return {
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, message_id, timestamp, body),
    }


def verify(
    body: bytes, headers: Mapping[str, str], secret: str | bytes, *, now: datetime, source: str
) -> None:
    """Raise ``SignatureError`` unless one of the message's signatures holds and its timestamp
    is inside the replay window around ``now``. ``headers`` must ignore case
    (``ticketsla.signing.Headers``)."""
    message_id = _header(headers, ID_HEADER, source)
    stamp = _header(headers, TIMESTAMP_HEADER, source)
    signatures = _header(headers, SIGNATURE_HEADER, source)
    if not stamp.isdigit():
        raise SignatureError(
            f"{source}: header {TIMESTAMP_HEADER} is not epoch seconds", subject=TIMESTAMP_HEADER
        )
    signed_at = parse_signature_timestamp(stamp, source=source, header=TIMESTAMP_HEADER)
    check_freshness(signed_at, now, source=source)
    try:
        key = decode_secret(secret)
    except ConfigurationError as exc:
        raise SignatureError(f"{source}: {exc.message}", subject="secret") from None
    expected = hmac_sha256(key, f"{message_id}.{stamp}.".encode(), body)
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version != _VERSION or not value:
            continue
        given = decode_base64_signature(value, source=source, header=SIGNATURE_HEADER)
        if digests_match(expected, given):
            return
    raise SignatureError(
        f"{source}: {SIGNATURE_HEADER} does not match the body, id and timestamp",
        subject=SIGNATURE_HEADER,
    )


def _header(headers: Mapping[str, str], name: str, source: str) -> str:
    value = headers.get(name)
    if not isinstance(value, str) or not value.strip():
        raise SignatureError(f"{source}: header {name} is missing", subject=name)
    return value.strip()
