"""ticketsla-zendesk: Zendesk Support payloads as ticketsla events.

Installed, it registers the ``zendesk`` source through the ``ticketsla`` entry point, so
``ticketsla.parse_payload("zendesk", body)`` and ``ticketsla.verify_signature("zendesk", ...)``
work without further set-up. See docs/adapters/zendesk.md.
``ticketsla_zendesk.testing.ZendeskPayloads`` writes Zendesk's payloads from ticket events, for
tests (docs/adapters/zendesk.md).
"""

from __future__ import annotations

from .adapter import SIGNATURE_HEADER, TIMESTAMP_HEADER, ZendeskAdapter
from .metrics import ZendeskMetricEvent, ZendeskVerdict, metric_events, zendesk_verdicts

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "ZendeskAdapter",
    "ZendeskMetricEvent",
    "ZendeskVerdict",
    "__version__",
    "metric_events",
    "zendesk_verdicts",
]

__version__ = "0.1.0"
