"""The sender: deliver what the outbox holds, retry what failed, park what will not go.

- Per alert and destination, deliveries go in order (a resolve never overtakes its trigger); one
  that is failing holds the ones behind it, a parked one does not.
- Each destination is served by its own thread, so a slow or dead one delays nobody else; when a
  destination fails, its other deliveries wait out the same backoff instead of hammering it
  (a circuit breaker per destination), and no attempt is charged to them.
- A failure is retried after `initial × 2^(attempt-1)` seconds (capped), with jitter so that many
  workbenches recovering at once do not retry in lock-step. After `max_attempts`, or at once for an
  error retrying cannot fix (HTTP 400/401/403/404, a refused recipient), the delivery is parked:
  `mantissa alerts deliveries --status parked` lists it and `mantissa alerts redeliver` retries it.
- A delivery is claimed with a lease before sending. Two senders never send the same claim; a
  sender killed mid-send leaves a lease that expires, and the delivery is sent again (at-least-once
  across crashes: receivers can drop repeats by `X-Mantissa-Delivery` / PagerDuty's dedup_key).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from workbench.alerts.model import AlertNotFound, utcnow
from workbench.alerts.outbox import Delivery, DeliveryAttempt, DeliveryNotFound, DeliveryStatus, delivery_id
from workbench.routing.destinations import Event

if TYPE_CHECKING:
    from workbench.alerts import AlertStore
    from workbench.routing.router import Router


@dataclass(frozen=True)
class Backoff:
    initial_s: float = 5.0
    max_s: float = 600.0
    factor: float = 2.0
    jitter: float = 0.5  # the share of each delay that is random

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds before retry number `attempt` (1 = after the first failure); never above max_s."""
        base = min(self.max_s, self.initial_s * self.factor ** max(attempt - 1, 0))
        return base * (1 - self.jitter) + (rng or random).uniform(0, base * self.jitter)


@dataclass
class SendReport:
    attempts: int = 0
    delivered: int = 0
    failed: int = 0
    parked: int = 0
    deferred: int = 0  # held back by a destination's breaker or an earlier delivery
    per_destination: dict[str, Counter] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def count(self, destination: str, outcome: str) -> None:
        self.per_destination.setdefault(destination, Counter())[outcome] += 1
        if outcome in ("delivered", "failed", "parked"):
            self.attempts += 1
        setattr(self, outcome, getattr(self, outcome) + 1)

    def merge(self, other: SendReport) -> None:
        for name in ("attempts", "delivered", "failed", "parked"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for dest, counts in other.per_destination.items():
            self.per_destination.setdefault(dest, Counter()).update(counts)
        self.errors += other.errors

    def as_dict(self) -> dict[str, Any]:
        return {"attempts": self.attempts, "delivered": self.delivered, "failed": self.failed,
                "parked": self.parked, "deferred": self.deferred, "errors": self.errors[-20:],
                "per_destination": {d: dict(c) for d, c in sorted(self.per_destination.items())}}


class Sender:
    def __init__(self, store: AlertStore, router: Router, *, max_attempts: int = 6, backoff: Backoff | None = None,
                 lease: timedelta = timedelta(minutes=5), clock: Callable[[], datetime] = utcnow,
                 sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None) -> None:
        self.store, self.router = store, router
        self.max_attempts, self.backoff, self.lease = max_attempts, backoff or Backoff(), lease
        self.clock, self.sleep, self.rng = clock, sleep, rng or random.Random()
        self._breaker: dict[str, datetime] = {}
        self._lock = threading.Lock()

    # ---- one pass ---------------------------------------------------------------------------------
    def send_due(self) -> SendReport:
        """Try every delivery that is due now, once; returns what happened."""
        now = self.clock()
        report = SendReport()
        queues: dict[str, list[list[Delivery]]] = {}
        groups: dict[tuple[str, str], list[Delivery]] = {}
        for d in self.store.open_deliveries():
            groups.setdefault((d.alert_id, d.destination), []).append(d)
        for (_, dest), group in groups.items():
            queues.setdefault(dest, []).append(group)
        for dest in [d for d in queues if d not in self.router.destinations]:
            for group in queues.pop(dest):
                for d in group:
                    self._park_unknown(d, report, now)
        if queues:
            with ThreadPoolExecutor(max_workers=min(8, len(queues)), thread_name_prefix="mantissa-send") as pool:
                for part in pool.map(lambda item: self._serve(item[0], item[1]), sorted(queues.items())):
                    report.merge(part)
                    report.deferred += part.deferred
        return report

    def _serve(self, dest: str, groups: list[list[Delivery]]) -> SendReport:
        report = SendReport()
        for group in groups:
            for d in group:
                now = self.clock()
                held = (d.status == DeliveryStatus.sending and d.lease_until and d.lease_until > now) \
                    or d.next_attempt_at > now or self._breaker.get(dest, now) > now
                if held:
                    report.deferred += 1
                    break  # the rest of this alert's deliveries here wait behind it
                if self._attempt(d, report) not in (DeliveryStatus.delivered, DeliveryStatus.parked):
                    break
        return report

    def _attempt(self, delivery: Delivery, report: SendReport) -> DeliveryStatus | None:
        dest = self.router.destinations[delivery.destination]
        claimed = self.store.claim_delivery(delivery, self.lease, self.clock())
        if claimed is None:
            return None  # another sender has it
        try:
            alert = self.store.get(claimed.alert_id)
        except AlertNotFound:
            return self._finish(claimed, report, ok=False, latency_ms=0.0, retryable=False,
                                error=f"alert '{claimed.alert_id}' no longer exists in the store")
        event = Event(claimed, alert, self.router.report_url(alert.id), self._trigger_remote_id(claimed))
        result = dest.send(event)
        return self._finish(claimed, report, ok=result.ok, latency_ms=result.latency_ms, retryable=result.retryable,
                            error=result.error, status_code=result.status_code, remote_id=result.remote_id)

    def _trigger_remote_id(self, d: Delivery) -> str | None:
        if d.kind == "trigger":
            return None
        try:
            trigger = self.store.get_delivery(delivery_id(d.alert_id, d.destination, "trigger", d.ref.split(".")[0]))
        except DeliveryNotFound:
            return None
        return trigger.remote_id

    def _finish(self, claimed: Delivery, report: SendReport, *, ok: bool, latency_ms: float, retryable: bool,
                error: str | None = None, status_code: int | None = None,
                remote_id: str | None = None) -> DeliveryStatus:
        now = self.clock()
        attempts = claimed.attempts + 1
        update: dict[str, Any] = {"attempts": attempts, "lease_until": None, "updated_at": now}
        if ok:
            update |= {"status": DeliveryStatus.delivered, "delivered_at": now, "last_error": None,
                       "remote_id": remote_id or claimed.remote_id}
        elif not retryable or attempts >= self.max_attempts:
            why = "not retryable" if not retryable else f"gave up after {attempts} attempts"
            update |= {"status": DeliveryStatus.parked, "last_error": f"{error} ({why})"}
        else:
            retry_at = now + timedelta(seconds=self.backoff.delay(attempts, self.rng))
            update |= {"status": DeliveryStatus.failed, "last_error": error, "next_attempt_at": retry_at}
            with self._lock:
                self._breaker[claimed.destination] = max(retry_at, self._breaker.get(claimed.destination, now))
        result = claimed.model_copy(update=update)
        attempt = DeliveryAttempt(delivery_id=claimed.id, alert_id=claimed.alert_id, destination=claimed.destination,
                                  kind=claimed.kind, attempt=attempts, at=now, ok=ok, latency_ms=latency_ms,
                                  status_code=status_code, error=error, outcome=result.status.value)
        self.store.finish_delivery(claimed, attempt, result)
        report.count(claimed.destination, result.status.value)
        if error:
            report.errors.append(f"{claimed.destination} {claimed.kind} {claimed.alert_id}: {error}")
        return result.status

    def _park_unknown(self, d: Delivery, report: SendReport, now: datetime) -> None:
        if d.status == DeliveryStatus.sending and d.lease_until and d.lease_until > now:
            return
        claimed = self.store.claim_delivery(d, self.lease, now)
        if claimed is not None:
            self._finish(claimed, report, ok=False, latency_ms=0.0, retryable=False,
                         error=f"destination '{d.destination}' is no longer in routing.destinations")

    # ---- until done or out of time --------------------------------------------------------------
    def drain(self, budget_s: float) -> SendReport:
        """Pass after pass until nothing is owed, or the next retry falls beyond `budget_s` seconds;
        what is left is retried by the next run (it stays in the outbox)."""
        deadline = time.monotonic() + budget_s
        total = SendReport()
        while True:
            latest = self.send_due()
            total.merge(latest)
            total.deferred = latest.deferred  # what is still held back after the latest pass
            wait = self._next_due_in()
            if wait is None or time.monotonic() + wait > deadline:
                return total
            self.sleep(max(wait, 0.005))

    def _next_due_in(self) -> float | None:
        now = self.clock()
        soonest: datetime | None = None
        for d in self.store.open_deliveries():
            if d.destination not in self.router.destinations:
                continue
            due = max(d.next_attempt_at, self._breaker.get(d.destination, d.next_attempt_at))
            if d.status == DeliveryStatus.sending and d.lease_until:
                due = max(due, d.lease_until)
            soonest = due if soonest is None else min(soonest, due)
        return None if soonest is None else (soonest - now).total_seconds()
