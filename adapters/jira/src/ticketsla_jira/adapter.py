"""``JiraAdapter``: Jira Cloud and Jira Service Management payloads as ticketsla events.

Shapes it reads (it tells them apart by itself; a list of them is read item by item):

- webhook bodies: ``jira:issue_created``, ``jira:issue_updated`` (changelog items for status,
  priority, assignee, labels and the satisfaction field; a ``comment`` when the update is a
  comment) and ``comment_created`` (one whose ``issue`` is null is placed by the comment's
  ``self`` URL); other webhook events give no events;
- legacy workflow post-function bodies (no ``webhookEvent``; a ``transition``): a status change;
- ``GET /rest/api/3/issue/{key}/changelog`` pages (``values``), for backfills;
- issues from ``GET /rest/api/3/issue/{key}?expand=changelog`` and search pages (``issues``).

Webhook signatures: an admin webhook registered with a secret carries
``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>``. The header has no timestamp, so
the replay window is checked on the signed body's own ``timestamp`` (epoch milliseconds).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime

from ticketsla.errors import ConfigurationError, PayloadError, SignatureError, TicketSLAError
from ticketsla.events import TicketEvent
from ticketsla.signing import Headers, check_freshness, digests_match, hmac_sha256
from ticketsla.sources import Payload, PayloadLimits, decode_json

from ._convert import Converter
from ._json import instant
from .settings import JiraSettings

__all__ = ["CONFIG_ENV", "JiraAdapter"]

CONFIG_ENV = "TICKETSLA_JIRA_CONFIG"
SIGNATURE_HEADER = "X-Hub-Signature"
_SHA256_HEX = 64


class JiraAdapter:
    """The ``jira`` source (a ``ticketsla.sources.SourceAdapter``).

    ``JiraAdapter()`` uses the documented defaults; ``JiraAdapter(JiraSettings(...))`` or
    ``JiraAdapter.from_toml(path)`` configures it. ``name`` is the source name its events
    carry; give a second Jira site a name of its own (``"jira-eu"``) so ids cannot collide.
    """

    __slots__ = ("description", "name", "settings")

    def __init__(self, settings: JiraSettings | None = None, *, name: str = "jira") -> None:
        if not isinstance(name, str) or not name.strip():
            raise ConfigurationError(f"jira: name: {name!r} is not a source name", subject=name)
        self.name: str = name
        self.description: str = "Jira Cloud / Service Management webhooks, changelogs and issues"
        self.settings: JiraSettings = settings if settings is not None else JiraSettings()

    def __repr__(self) -> str:
        return f"JiraAdapter(name={self.name!r})"

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str], *, name: str = "jira") -> JiraAdapter:
        """An adapter configured by a TOML file (see ``JiraSettings.from_mapping``)."""
        return cls(JiraSettings.from_toml(path), name=name)

    @classmethod
    def from_environment(cls) -> JiraAdapter:
        """The adapter the plugin registers: from ``$TICKETSLA_JIRA_CONFIG`` if set, else defaults."""
        path = os.environ.get(CONFIG_ENV, "").strip()
        return cls.from_toml(path) if path else cls()

    # ---- the SourceAdapter protocol ------------------------------------------------------

    def parse(
        self,
        payload: Payload,
        *,
        headers: Mapping[str, str] | None = None,
        limits: PayloadLimits | None = None,
    ) -> list[TicketEvent]:
        """The events in one Jira payload (bytes, text or decoded JSON); see the module doc."""
        del headers  # a Jira body says everything itself
        data = decode_json(payload, source=self.name, limits=limits or PayloadLimits())
        return Converter(self).payload(data)

    def verify_signature(
        self, body: bytes, headers: Mapping[str, str], secret: str | bytes, *, now: datetime
    ) -> None:
        """Check ``X-Hub-Signature`` over the raw ``body``, then the body's timestamp.

        Raises ``SignatureError`` when the header is missing or malformed, the digest differs
        (constant-time comparison), or the signed ``timestamp`` is older than ``max_age`` or
        more than ``max_future`` ahead of ``now``. No message contains the secret or a digest.
        """
        try:
            request = headers if isinstance(headers, Headers) else Headers(headers)
        except SignatureError as exc:
            raise SignatureError(f"{self.name}: {exc.message}", subject=exc.subject) from None
        given = request.get(SIGNATURE_HEADER)
        if not given:
            raise SignatureError(
                f"{self.name}: the request has no {SIGNATURE_HEADER} header (was the webhook "
                "registered with a secret?)",
                subject=SIGNATURE_HEADER,
            )
        method, equals, hex_digest = str(given).strip().partition("=")
        if not equals or method.strip().lower() != "sha256":
            raise SignatureError(
                f"{self.name}: {SIGNATURE_HEADER} must read sha256=<hex digest>; method "
                f"{method.strip()[:16]!r} is not accepted",
                subject=SIGNATURE_HEADER,
            )
        hex_digest = hex_digest.strip()
        try:
            digest = bytes.fromhex(hex_digest)
        except ValueError:
            digest = b""
        if len(hex_digest) != _SHA256_HEX or len(digest) * 2 != _SHA256_HEX:
            raise SignatureError(
                f"{self.name}: {SIGNATURE_HEADER} does not hold a 64-digit hexadecimal digest",
                subject=SIGNATURE_HEADER,
            )
        if not digests_match(hmac_sha256(secret, bytes(body)), digest):
            raise SignatureError(
                f"{self.name}: {SIGNATURE_HEADER} does not match the body (another secret, or "
                "the body was changed on the way)",
                subject=SIGNATURE_HEADER,
            )
        check_freshness(
            self._signed_at(body),
            now,
            source=self.name,
            max_age=self.settings.max_age,
            max_future=self.settings.max_future,
        )

    def _signed_at(self, body: bytes) -> datetime:
        limits = PayloadLimits(max_bytes=max(len(body), PayloadLimits().max_bytes))
        try:
            data = decode_json(bytes(body), source=self.name, limits=limits)
            if not isinstance(data, Mapping) or data.get("timestamp") is None:
                raise PayloadError(f"{self.name}: no timestamp", subject="timestamp")
            return instant(data["timestamp"], "timestamp", self.name)
        except TicketSLAError:
            raise SignatureError(
                f"{self.name}: the signed body has no readable timestamp, so its age cannot be "
                "checked against the replay window",
                subject="timestamp",
            ) from None
