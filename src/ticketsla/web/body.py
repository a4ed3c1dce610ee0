"""Reading a request body within a size limit, counted while it streams in.

A declared ``Content-Length`` over the limit is refused before a byte is read; a body that
streams past the limit (chunked, or lying about its length) is refused as soon as it does, so
memory never holds more than the limit plus one chunk.
"""

from __future__ import annotations

from starlette.requests import Request

__all__ = ["BodyTooLarge", "read_limited"]


class BodyTooLarge(Exception):
    """The request body is over the limit (answered 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body is over the limit of {limit} bytes")
        self.limit = limit


async def read_limited(request: Request, limit: int) -> bytes:
    """The whole body of ``request``, or ``BodyTooLarge`` once it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)
