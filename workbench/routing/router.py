"""Routing: decide which deliveries an alert's current state owes, and queue them in the outbox.

Routing is derived from alert state, not from the moment an alert was stored: `route_pending`
looks at every alert whose version is above its routed version and queues what is missing. So an
alert stored by a run that died before routing is routed by the next run, an analyst's resolve is
routed by the next pass, and routing the same state twice queues nothing new.

What an alert owes each destination it is routed to (its cycle = times it was reopened):
- open, no trigger in this cycle yet            → trigger
- open, count above what this cycle announced   → update (if the destination takes updates)
- closed (resolved / false positive), triggered → resolve (once per cycle)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workbench.alerts.model import Alert, utcnow
from workbench.alerts.outbox import Delivery
from workbench.redaction import Redactor, redactor_for
from workbench.routing.config import Route, check_url, parse_destination, parse_routes
from workbench.routing.destinations import Context, Destination
from workbench.routing.destinations.base import HEADER_SECRET
from workbench.routing.secrets import SecretError, SecretResolver
from workbench.timewindow import parse_duration

if TYPE_CHECKING:
    from workbench.alerts import AlertStore
    from workbench.config import Settings

REPORT_PATH = "reports/investigations/{alert_id}.html"


def cycle_of(alert: Alert) -> int:
    return sum(1 for entry in alert.audit if entry.action == "reopened")


def _cycle_of_ref(ref: str) -> str:
    return ref.split(".", 1)[0]


@dataclass
class RouteReport:
    alerts_routed: int = 0
    skipped_old: int = 0
    queued: list[Delivery] = field(default_factory=list)

    def by_destination(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for d in self.queued:
            counts[d.destination] = counts.get(d.destination, 0) + 1
        return dict(sorted(counts.items()))


class Router:
    def __init__(self, destinations: Mapping[str, Destination], routes: list[Route], *,
                 base_url: str | None = None, max_age: str = "24h", redactor: Redactor | None = None) -> None:
        self.destinations = dict(destinations)
        self.routes = routes
        self.base_url = base_url
        self.max_age = parse_duration(max_age)
        self.redactor = redactor or Redactor()

    def report_url(self, alert_id: str) -> str | None:
        if not self.base_url:
            return None
        return self.base_url.rstrip("/") + "/" + REPORT_PATH.format(alert_id=alert_id)

    def targets(self, alert: Alert) -> list[str]:
        """Destinations the routes send this alert to (every destination when there are no routes)."""
        if not self.routes:
            return sorted(self.destinations)
        chosen: dict[str, None] = {}
        for route in self.routes:
            if route.match.matches(alert):
                chosen.update(dict.fromkeys(route.to))
        return [name for name in chosen if name in self.destinations]

    def plan(self, alert: Alert, prior: list[Delivery], now: datetime | None = None) -> list[Delivery]:
        """The deliveries `alert` owes beyond `prior` (its outbox entries so far); pure."""
        now = now or utcnow()
        cycle = str(cycle_of(alert))
        owed = []
        for name in self.targets(alert):
            dest = self.destinations[name]
            mine = [d for d in prior if d.destination == name and _cycle_of_ref(d.ref) == cycle]
            kinds = {d.kind for d in mine}
            if alert.status.is_open:
                if "trigger" not in kinds and dest.wants(alert, "trigger"):
                    owed.append(Delivery.new(alert, name, "trigger", cycle, now))
                elif dest.wants(alert, "update") and ("trigger" in kinds or "trigger" not in dest.events):
                    announced = max((d.count for d in mine), default=0)
                    if alert.count > announced:
                        owed.append(Delivery.new(alert, name, "update", f"{cycle}.v{alert.version}", now))
            elif "resolve" not in kinds and dest.wants(alert, "resolve") and (
                    "trigger" in kinds or "trigger" not in dest.events):
                owed.append(Delivery.new(alert, name, "resolve", cycle, now))
        return owed

    def route_pending(self, store: AlertStore, now: datetime | None = None) -> RouteReport:
        """Queue what every changed alert owes; marks each alert's version routed. Idempotent."""
        now = now or utcnow()
        report = RouteReport()
        for alert in store.unrouted_alerts():
            prior = store.deliveries(alert_id=alert.id, limit=None)
            if not prior and alert.updated_at < now - self.max_age:
                # Unannounced and long unchanged (routing was just switched on over an old store):
                # mark it routed rather than flood the channels with history.
                store.enqueue_deliveries(alert.id, alert.version, [])
                report.skipped_old += 1
                continue
            planned = self.plan(alert, prior, now)
            added = set(store.enqueue_deliveries(alert.id, alert.version, planned))
            report.queued += [d for d in planned if d.id in added]
            report.alerts_routed += 1
        return report

    def close(self) -> None:
        for dest in self.destinations.values():
            dest.close()

    def __enter__(self) -> Router:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build_router(settings: Settings, environ: Mapping[str, str] | None = None) -> Router | None:
    """The configured router with every secret resolved, or None when routing has no destinations.
    Raises ConfigError naming the key (e.g. a Secrets Manager reference that cannot be read)."""
    from workbench.config import ConfigError

    routing = settings.routing
    if not routing.enabled or not routing.destinations:
        return None
    environ = os.environ if environ is None else environ
    resolver = SecretResolver(environ)
    # Seeded with every secret the config reaches; each destination adds what it resolves.
    redactor = redactor_for(settings, environ)
    context = Context(workspace=settings.workspace, timeout_s=routing.timeout_s, redactor=redactor)
    destinations: dict[str, Destination] = {}
    problems: list[str] = []
    for name, raw in routing.destinations.items():
        cls, cfg, found = parse_destination(name, raw, environ)
        problems += found
        if cls is None or cfg is None or found:
            continue
        secrets: dict[str, str] = {}
        for fld in (*cls.secret_fields, *cls.url_fields):
            value: Any = getattr(cfg, fld)
            if value is None or (fld not in cls.secret_fields and not _is_ref(value)):
                if value is not None:
                    secrets[fld] = str(value)
                continue
            try:
                secrets[fld] = resolver.resolve(value, f"routing.destinations.{name}.{fld}")
            except SecretError as exc:
                problems.append(str(exc))
                continue
            if fld in cls.url_fields and (problem := check_url(secrets[fld], secret=True)):
                problems.append(f"routing.destinations.{name}.{fld}: {problem}")
        for header, value in (getattr(cfg, "headers", None) or {}).items():
            if _is_ref(value):
                try:
                    secrets[f"{HEADER_SECRET}{header}"] = resolver.resolve(
                        value, f"routing.destinations.{name}.headers.{header}")
                except SecretError as exc:
                    problems.append(str(exc))
        destinations[name] = cls(name, cfg, secrets, context)
    routes, route_problems = parse_routes(routing, set(routing.destinations))
    problems += route_problems
    if problems:
        raise ConfigError("routing: " + "; ".join(redactor(p) for p in problems))
    return Router(destinations, routes, base_url=routing.base_url, max_age=routing.max_age, redactor=redactor)


def _is_ref(value: Any) -> bool:
    from workbench.routing.secrets import is_reference

    return is_reference(value)
