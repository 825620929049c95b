"""Alert routing: destinations, routes, the outbox sender, secrets and escaping.

    from workbench.routing import build_router, deliver
    run = deliver(settings, store)          # queue what changed alerts owe, then send it
    run.as_dict()                           # counts per destination, for summaries and reports

The outbox itself lives in the alert store (`store.deliveries()`, `store.delivery_stats()`).
"""

from workbench.routing.config import Match, Route, check_routing
from workbench.routing.destinations import DESTINATIONS, DeliveryError, Destination, Event, SendResult
from workbench.routing.router import REPORT_PATH, Router, RouteReport, build_router
from workbench.routing.secrets import Redactor, SecretError, SecretResolver
from workbench.routing.sender import Backoff, Sender, SendReport
from workbench.routing.service import DeliveryRun, deliver, summary_line

__all__ = [
    "DESTINATIONS", "REPORT_PATH", "Backoff", "DeliveryError", "DeliveryRun", "Destination", "Event", "Match",
    "Redactor", "Route", "RouteReport", "Router", "SecretError", "SecretResolver", "SendReport", "SendResult",
    "Sender", "build_router", "check_routing", "deliver", "summary_line",
]
