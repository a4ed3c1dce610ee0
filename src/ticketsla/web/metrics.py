"""The Prometheus figures of one app, in a registry of its own (never the process-global one,
so two apps in one process, or a host application's own metrics, do not collide).

Counters move as requests are answered; the database figures (outbox backlog per kind, breached
clocks per metric, scan lag) are read when ``/metrics`` is scraped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ..engine import SLAEngine
from ..store import clocks_table, outbox_table

__all__ = ["WebMetrics"]


class WebMetrics:
    """Counters and the scrape-time collector of one app."""

    def __init__(self, engine: SLAEngine, now: Callable[[], datetime]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.events_stored = Counter(
            "ticketsla_events_stored",
            "Events stored from webhook deliveries",
            ["source"],
            registry=self.registry,
        )
        self.events_rejected = Counter(
            "ticketsla_events_rejected",
            "Events rejected by the engine from webhook deliveries",
            ["source"],
            registry=self.registry,
        )
        self.events_duplicated = Counter(
            "ticketsla_events_duplicated",
            "Events already stored when delivered again",
            ["source"],
            registry=self.registry,
        )
        self.deliveries = Counter(
            "ticketsla_webhook_deliveries",
            "Webhook deliveries answered, by source and HTTP status",
            ["source", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "ticketsla_webhook_seconds",
            "Time from a webhook's arrival to its answer",
            ["source"],
            registry=self.registry,
        )
        self.registry.register(_DatabaseCollector(engine, now))


class _DatabaseCollector(Collector):
    def __init__(self, engine: SLAEngine, now: Callable[[], datetime]) -> None:
        self._engine = engine
        self._now = now

    def collect(self) -> Iterator[Metric]:
        backlog = GaugeMetricFamily(
            "ticketsla_outbox_backlog", "Notifications waiting for delivery", labels=["kind"]
        )
        breached = GaugeMetricFamily(
            "ticketsla_breached_clocks", "Open clocks breached now", labels=["metric"]
        )
        lag = GaugeMetricFamily(
            "ticketsla_scan_lag_seconds",
            "How long the oldest warning or breach due for recording has waited (0: none)",
        )
        now = self._now()
        o = outbox_table.c
        c = clocks_table.c
        with self._engine.sqlalchemy_engine.connect() as conn:
            for kind, count in conn.execute(
                sa.select(o.kind, sa.func.count())
                .where(o.state == sa.literal_column("'pending'"))
                .group_by(o.kind)
                .order_by(o.kind)
            ):
                backlog.add_metric([kind], count)
            for metric, count in conn.execute(
                sa.select(c.metric, sa.func.count())
                .where(c.open_breach_at < now)
                .group_by(c.metric)
                .order_by(c.metric)
            ):
                breached.add_metric([metric], count)
            oldest = conn.execute(
                sa.select(sa.func.min(c.next_alert_at)).where(c.next_alert_at.is_not(None))
            ).scalar_one()
        waited = 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())
        lag.add_metric([], waited)
        yield backlog
        yield breached
        yield lag
