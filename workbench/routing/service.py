"""Route and send in one call: what `mantissa detect`, the detect playbook and the CLI use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from workbench.routing.router import Router, RouteReport, build_router
from workbench.routing.sender import Backoff, Sender, SendReport

if TYPE_CHECKING:
    from workbench.alerts import AlertStore
    from workbench.config import Settings


@dataclass
class DeliveryRun:
    routed: RouteReport = field(default_factory=RouteReport)
    sent: SendReport = field(default_factory=SendReport)
    open_after: int = 0
    parked_total: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Counts, destination names and redacted errors only: this lands in archived notebooks."""
        return {"alerts_routed": self.routed.alerts_routed, "skipped_old": self.routed.skipped_old,
                "queued": len(self.routed.queued), "queued_by_destination": self.routed.by_destination(),
                **self.sent.as_dict(), "open_after": self.open_after, "parked_total": self.parked_total}


def sender_for(settings: Settings, store: AlertStore, router: Router) -> Sender:
    r = settings.routing
    return Sender(store, router, max_attempts=r.max_attempts,
                  backoff=Backoff(initial_s=r.backoff_initial_s, max_s=r.backoff_max_s),
                  lease=timedelta(seconds=max(60.0, 3 * r.timeout_s)))


def deliver(settings: Settings, store: AlertStore, router: Router | None = None,
            budget_s: float | None = None) -> DeliveryRun | None:
    """Queue what changed alerts owe, then send until done or `budget_s` (default
    routing.send_budget_s) runs out. None when routing has no destinations."""
    own = router is None
    router = router or build_router(settings)
    if router is None:
        return None
    try:
        run = DeliveryRun(routed=router.route_pending(store))
        run.sent = sender_for(settings, store, router).drain(
            settings.routing.send_budget_s if budget_s is None else budget_s)
        run.open_after = len(store.open_deliveries())
        run.parked_total = len(store.deliveries(status="parked", limit=None))
        from workbench import metrics

        metrics.publish(settings, metrics.delivery_run(run))
        return run
    finally:
        if own:
            router.close()


def summary_line(data: dict[str, Any] | None) -> str | None:
    """One line for a run summary, from `DeliveryRun.as_dict()` (so it reads a notebook's result)."""
    if not data:
        return None
    if "error" in data:
        return f"deliveries: not sent this run ({data['error']}); the next run retries them"
    per = ", ".join(f"{dest} {c.get('delivered', 0)}/{sum(c.get(k, 0) for k in ('delivered', 'failed', 'parked'))}"
                    for dest, c in data.get("per_destination", {}).items())
    line = (f"deliveries: {data['queued']} queued, {data['delivered']} delivered, {data['failed']} failed "
            f"attempts, {data['parked']} parked this run; {data['open_after']} still owed, "
            f"{data['parked_total']} parked in all")
    return line + (f" ({per})" if per else "")
