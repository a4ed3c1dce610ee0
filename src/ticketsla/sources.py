"""``ticketsla.sources``, kept as a public path: the code lives in :mod:`ticketsla.plugins.sources`."""

from .plugins.sources import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_PAYLOAD_BYTES,
    BatchReject,
    BatchSourceAdapter,
    Payload,
    PayloadLimits,
    SourceAdapter,
    SourceBatch,
    SourceRegistry,
    decode_json,
    payload_bytes,
)

__all__ = [
    "BatchReject",
    "BatchSourceAdapter",
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_PAYLOAD_BYTES",
    "Payload",
    "PayloadLimits",
    "SourceAdapter",
    "SourceBatch",
    "SourceRegistry",
    "decode_json",
    "payload_bytes",
]
