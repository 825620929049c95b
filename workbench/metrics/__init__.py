"""Operational metrics for CloudWatch, where a team's dashboards and alarms live.

Off by default (`metrics.enabled`). Two publishers, one registry (the plugin habit):

- `emf` — CloudWatch Embedded Metric Format: one JSON line per event appended to a file (or
  standard output); the CloudWatch agent, or a Lambda/ECS task's log stream, turns the lines into
  metrics with no API call from the workbench and no extra IAM permission beyond logs.
- `cloudwatch` — batched `PutMetricData` (up to 1,000 values a call), for hosts without an agent.

What is published (namespace `metrics.namespace`, dimensions `metrics.dimensions` plus those shown):

    DetectionRuns (Status=ok|failed), DetectionDuration (s), RulesFailed, AlertsNew (Severity=…)
    DeliveriesSent, DeliveriesFailed, DeliveriesParked, DeliveriesParkedTotal
    QueryBytesScanned (bytes), QueryCost (USD, Source=hunting|detection)
    NLTranslations (Provider=…), NLRefusals (Provider=…)

Publishing never fails the work it describes: a publisher's error is logged and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from workbench.registry import Registry

if TYPE_CHECKING:
    from workbench.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Metric:
    name: str
    value: float
    unit: str = "Count"  # CloudWatch's unit names: Count, Seconds, Bytes, None …
    dimensions: Mapping[str, str] = field(default_factory=dict)
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


class Publisher:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.namespace = settings.metrics.namespace
        self.dimensions = dict(settings.metrics.dimensions)

    def publish(self, metrics: list[Metric]) -> None:
        raise NotImplementedError


PUBLISHERS: Registry[type[Publisher]] = Registry("metrics publisher")


def publish(settings: Settings | None, metrics: Iterable[Metric]) -> None:
    """Send `metrics` through the configured publisher; nothing when metrics are off."""
    if settings is None or not settings.metrics.enabled:
        return
    batch = list(metrics)
    if not batch:
        return
    from workbench.metrics import cloudwatch, emf  # noqa: F401 - importing registers them

    try:
        PUBLISHERS.get(settings.metrics.publisher)(settings).publish(batch)
    except Exception as exc:  # noqa: BLE001 - metrics must never fail a run or a delivery
        log.warning("metrics: %s publisher failed: %s: %s", settings.metrics.publisher, type(exc).__name__, exc)


def detection_run(record: Any) -> list[Metric]:
    """A finished `RunRecord`: run status, duration, failed rules, new alerts by severity, cost."""
    finished = record.finished or datetime.now(UTC)
    metrics = [Metric("DetectionRuns", 1, dimensions={"Status": record.status}),
               Metric("DetectionDuration", (finished - record.started).total_seconds(), "Seconds"),
               Metric("RulesFailed", len(record.failed))]
    return metrics + [m for m in _cost("detection", sum(r.bytes_scanned for r in record.rules),
                                       sum(r.cost_usd for r in record.rules))]


def alerts_new(severities: Iterable[str]) -> list[Metric]:
    counts: dict[str, int] = {}
    for severity in severities:
        counts[severity] = counts.get(severity, 0) + 1
    return [Metric("AlertsNew", n, dimensions={"Severity": s}) for s, n in sorted(counts.items())]


def delivery_run(run: Any) -> list[Metric]:
    """A `DeliveryRun`: sent, failed and parked this time, and everything parked now."""
    return [Metric("DeliveriesSent", run.sent.delivered), Metric("DeliveriesFailed", run.sent.failed),
            Metric("DeliveriesParked", run.sent.parked), Metric("DeliveriesParkedTotal", run.parked_total)]


def query(record: Any) -> list[Metric]:
    """A hunting `QueryRecord`: bytes and cost; for English questions, translated or refused."""
    metrics = _cost("hunting", record.bytes_scanned or 0, record.cost_usd or 0.0)
    if record.kind == "ask":
        provider = record.provider or "unknown"
        refused = record.status == "untranslated"  # the translator said no (a guard refusal is a query's)
        metrics.append(Metric("NLRefusals" if refused else "NLTranslations", 1, dimensions={"Provider": provider}))
    return metrics


def _cost(source: str, scanned: int, cost: float) -> list[Metric]:
    dims = {"Source": source}
    return [Metric("QueryBytesScanned", scanned, "Bytes", dims), Metric("QueryCost", cost, "None", dims)]


__all__ = ["PUBLISHERS", "Metric", "Publisher", "alerts_new", "delivery_run", "detection_run", "publish", "query"]
