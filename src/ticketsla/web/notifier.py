"""``WebhookNotifier``: a notifier plugin that POSTs each notification to URLs, signed.

::

    from ticketsla.web import WebhookNotifier

    notifier = WebhookNotifier(["https://hooks.example/sla"], secret="whsec_...")
    engine = SLAEngine(url, policies=..., plugins=[notifier])

The body is ``Notification.to_dict()`` plus ``"hook"`` and ``"type"`` (``sla.breach``,
``sla.warning``...) as JSON; with ``format="slack"`` it is a Slack-compatible
``{"text": ...}`` message instead. With a secret, every request carries the Standard Webhooks
headers (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``). ``webhook-id`` is
derived from ``notification.key``, so a receiver can drop a repeat.

A URL that does not answer 2xx makes the hook raise: the engine keeps the notification in its
outbox and ``drain`` retries it with backoff. A notification is retried as a whole, so with
several URLs one that already accepted it may hear it again, under the same ``webhook-id``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from ..errors import ConfigurationError, PluginError
from ..notifications import Notification, NotificationKind
from ..plugins.hookspecs import hookimpl
from ..plugins.signing import Secret
from . import standard_webhooks

__all__ = ["NotificationDeliveryError", "WebhookNotifier", "message_id", "slack_text"]

Format = Literal["json", "slack"]


class NotificationDeliveryError(PluginError):
    """A receiver did not accept a notification (it stays in the outbox for a retry)."""


def message_id(notification: Notification) -> str:
    """The stable ``webhook-id`` of a notification: the same for every retry of it."""
    key = json.dumps(list(notification.key), separators=(",", ":"))
    return "msg_" + hashlib.sha256(key.encode()).hexdigest()[:32]


def slack_text(notification: Notification) -> str:
    """One line for a chat channel."""
    n = notification
    what = {
        NotificationKind.WARNING: f":warning: {n.metric} warning ({n.level})",
        NotificationKind.BREACH: f":rotating_light: {n.metric} breached",
        NotificationKind.FULFILLED: f":white_check_mark: {n.metric} {n.level}",
        NotificationKind.RETRACTION: f":leftwards_arrow_with_hook: {n.metric} {n.level} withdrawn",
        NotificationKind.OUTCOME: f":bar_chart: {n.metric}: {n.level}",
    }[n.kind]
    due = f", due {n.due_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if n.due_at else ""
    policy = f" (policy {n.policy})" if n.policy else ""
    return f"{what} on ticket {n.ticket_id}{due}{policy}"


class WebhookNotifier:
    """POST notifications to ``urls``; see the module's docstring."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        secret: str | bytes | Secret | None = None,
        format: Format = "json",
        kinds: Iterable[str] | None = None,
        timeout: float = 10.0,
        now: Callable[[], datetime] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not urls:
            raise ConfigurationError("WebhookNotifier: no URLs given", subject="urls")
        for url in urls:
            if not url.startswith(("https://", "http://")):
                raise ConfigurationError(
                    f"WebhookNotifier: {url[:80]!r} is not an http(s) URL", subject="urls"
                )
        if format not in ("json", "slack"):
            raise ConfigurationError(
                f"WebhookNotifier: format {format!r} is not 'json' or 'slack'", subject="format"
            )
        self._urls = tuple(urls)
        self._secret: bytes | None = None
        if secret is not None:
            raw = secret.reveal() if isinstance(secret, Secret) else secret
            self._secret = standard_webhooks.decode_secret(raw)
        self._format = format
        try:
            self._kinds = frozenset(
                NotificationKind(k) for k in (kinds if kinds is not None else NotificationKind)
            )
        except ValueError as exc:
            raise ConfigurationError(f"WebhookNotifier: kinds: {exc}", subject="kinds") from None
        self._now = now or (lambda: datetime.now(UTC))
        self._client = httpx.Client(timeout=timeout, transport=transport)

    def __repr__(self) -> str:
        hosts = [httpx.URL(u).host for u in self._urls]
        return f"WebhookNotifier({hosts!r}, format={self._format!r})"

    def close(self) -> None:
        self._client.close()

    @hookimpl
    def ticketsla_sla_warning(self, notification: Notification) -> None:
        self.send("ticketsla_sla_warning", notification)

    @hookimpl
    def ticketsla_sla_breached(self, notification: Notification) -> None:
        self.send("ticketsla_sla_breached", notification)

    @hookimpl
    def ticketsla_sla_fulfilled(self, notification: Notification) -> None:
        self.send("ticketsla_sla_fulfilled", notification)

    @hookimpl
    def ticketsla_outcome_recorded(self, notification: Notification) -> None:
        self.send("ticketsla_outcome_recorded", notification)

    def body(self, hook: str, notification: Notification) -> bytes:
        """The request body for ``notification`` in this notifier's format."""
        payload: dict[str, Any]
        if self._format == "slack":
            payload = {"text": slack_text(notification)}
        else:
            payload = {
                "type": f"sla.{notification.kind}",
                "hook": hook,
                **notification.to_dict(),
            }
        return json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")

    def send(self, hook: str, notification: Notification) -> None:
        """POST to every URL; ``NotificationDeliveryError`` unless each answered 2xx."""
        if notification.kind not in self._kinds:
            return
        body = self.body(hook, notification)
        headers = {"content-type": "application/json", "user-agent": "ticketsla-notifier"}
        if self._secret is not None:
            stamp = int(self._now().timestamp())
            ident = message_id(notification)
            headers.update(standard_webhooks.signed_headers(self._secret, ident, stamp, body))
        failures: list[str] = []
        for url in self._urls:
            where = httpx.URL(url).host
            try:
                response = self._client.post(url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                failures.append(f"{where}: {type(exc).__name__}")
                continue
            if not response.is_success:
                failures.append(f"{where}: HTTP {response.status_code}")
        if failures:
            raise NotificationDeliveryError(
                f"notification {message_id(notification)} not accepted: " + "; ".join(failures),
                subject=notification.ticket_id,
            )
