"""``ticketsla.signing``, kept as a public path: the code lives in :mod:`ticketsla.plugins.signing`."""

from .plugins.signing import (
    DEFAULT_MAX_AGE,
    DEFAULT_MAX_FUTURE,
    Headers,
    Secret,
    check_freshness,
    decode_base64_signature,
    digests_match,
    hmac_sha256,
    parse_signature_timestamp,
    secret_bytes,
)

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
