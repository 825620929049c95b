"""The delivery outbox: what routing decided to send, where, and how each attempt went.

Routing never talks to a destination directly. It writes `Delivery` records into the alert store
(the outbox) and marks the alert's version as routed; a sender claims due deliveries, sends them
and records every attempt. Because the routed version moves only after the deliveries are written,
an alert stored but not yet routed (a crash, a killed run) is found again by the next routing pass,
and because a delivery's id is derived from its idempotency key, routing it twice adds nothing.

Idempotency key: alert id + destination + event kind (trigger | update | resolve) + `ref`, where
`ref` is the alert's reopen cycle for trigger/resolve (a reopened alert triggers again) and the
alert version for an update (each fresh recurrence is announced once).

Statuses: pending → sending (claimed, with a lease) → delivered | failed (retried after a backoff)
| parked (dead letter: too many attempts or an error retrying cannot fix). A `sending` delivery
whose lease ran out (its sender died mid-way) is due again.
"""

from __future__ import annotations

import hashlib
import random
import statistics
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from workbench.alerts.model import AlertStoreError, ConcurrencyError, utcnow

if TYPE_CHECKING:
    from workbench.alerts.model import Alert

EVENT_KINDS = ("trigger", "update", "resolve")
_KIND_RANK = {kind: i for i, kind in enumerate(EVENT_KINDS)}


class DeliveryStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    delivered = "delivered"
    failed = "failed"
    parked = "parked"

    @property
    def is_open(self) -> bool:
        """Still owed to its destination (the sender will try it)."""
        return self in (DeliveryStatus.pending, DeliveryStatus.sending, DeliveryStatus.failed)


class DeliveryNotFound(AlertStoreError, KeyError):
    def __str__(self) -> str:
        return f"unknown delivery '{self.args[0]}' (list them with `mantissa alerts deliveries`)"


def delivery_id(alert_id: str, destination: str, kind: str, ref: str) -> str:
    digest = hashlib.sha256(f"{alert_id}\x1f{destination}\x1f{kind}\x1f{ref}".encode()).hexdigest()
    return f"d-{digest[:20]}"


class Delivery(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: str
    alert_id: str
    destination: str
    kind: str
    ref: str
    alert_version: int = Field(ge=0, description="the alert version this event announces")
    count: int = Field(0, ge=0, description="the alert's count when enqueued (updates compare against it)")
    status: DeliveryStatus = DeliveryStatus.pending
    attempts: int = Field(0, ge=0, description="attempts since enqueued or last redelivered")
    next_attempt_at: AwareDatetime = Field(default_factory=utcnow)
    lease_until: AwareDatetime | None = None
    last_error: str | None = None
    remote_id: str | None = Field(None, description="what the destination called it (Jira key, SNS id)")
    created_at: AwareDatetime = Field(default_factory=utcnow)
    updated_at: AwareDatetime = Field(default_factory=utcnow)
    delivered_at: AwareDatetime | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in EVENT_KINDS:
            raise ValueError(f"event kind must be one of {', '.join(EVENT_KINDS)}, not '{kind}'")
        return kind

    @classmethod
    def new(cls, alert: Alert, destination: str, kind: str, ref: str, now: datetime | None = None) -> Delivery:
        now = now or utcnow()
        return cls(id=delivery_id(alert.id, destination, kind, ref), alert_id=alert.id, destination=destination,
                   kind=kind, ref=ref, alert_version=alert.version, count=alert.count, next_attempt_at=now,
                   created_at=now, updated_at=now)

    @property
    def order_key(self) -> tuple[datetime, str, int, str]:
        """Send order: as queued, then by alert; within one alert a trigger precedes its resolve."""
        return (self.created_at, self.alert_id, _KIND_RANK[self.kind], self.id)

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> Delivery:
        return cls.model_validate_json(text)


class DeliveryAttempt(BaseModel):
    """One try at one delivery; kept for the reports (latency, failures per destination)."""

    model_config = ConfigDict(extra="forbid")

    delivery_id: str
    alert_id: str
    destination: str
    kind: str
    attempt: int
    at: AwareDatetime
    ok: bool
    latency_ms: float
    status_code: int | None = None
    error: str | None = None
    outcome: str = Field(description="the delivery's status after this attempt")


def summarize_attempts(attempts: Iterable[DeliveryAttempt]) -> dict[str, dict[str, Any]]:
    """Per destination: attempts, deliveries, failures, parked, latency of successful sends."""
    stats: dict[str, dict[str, Any]] = {}
    latencies: dict[str, list[float]] = {}
    for a in attempts:
        row = stats.setdefault(a.destination, {"destination": a.destination, "attempts": 0, "delivered": 0,
                                               "failures": 0, "parked": 0})
        row["attempts"] += 1
        row["delivered"] += a.ok
        row["failures"] += not a.ok
        row["parked"] += a.outcome == DeliveryStatus.parked
        if a.ok:
            latencies.setdefault(a.destination, []).append(a.latency_ms)
    for name, row in stats.items():
        lat = sorted(latencies.get(name, []))
        row["success_rate"] = round(row["delivered"] / row["attempts"], 4) if row["attempts"] else None
        row["attempts_per_delivery"] = round(row["attempts"] / row["delivered"], 3) if row["delivered"] else None
        row["latency_ms_p50"] = round(statistics.median(lat), 2) if lat else None
        row["latency_ms_p95"] = round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 2) if lat else None
        row["latency_ms_max"] = round(lat[-1], 2) if lat else None
    return dict(sorted(stats.items()))


class Outbox(ABC):
    """The outbox half of the store interface; each backend implements the hooks."""

    # ---- hooks a backend implements ------------------------------------------------------------
    @abstractmethod
    def _enqueue(self, alert_id: str, version: int, deliveries: Sequence[Delivery]) -> list[str]:
        """Add the deliveries not already present (by id), then move the alert's routed version to
        `version` (never backwards). Returns the ids added. Safe to repeat."""

    @abstractmethod
    def routed_versions(self) -> dict[str, int]:
        """alert id → the version routing has handled."""

    @abstractmethod
    def _unrouted_ids(self) -> list[str]:
        """Ids of alerts whose version is above their routed version (or never routed)."""

    @abstractmethod
    def _cas_delivery(self, delivery: Delivery, expected_status: DeliveryStatus, expected_attempts: int) -> bool:
        """Replace the stored delivery if it still has this status and attempt count."""

    @abstractmethod
    def _put_attempt(self, attempt: DeliveryAttempt) -> None: ...

    @abstractmethod
    def get_delivery(self, delivery_id: str) -> Delivery:
        """The delivery, or DeliveryNotFound."""

    @abstractmethod
    def deliveries(self, status: str | Sequence[str] | None = None, alert_id: str | None = None,
                   destination: str | None = None, limit: int | None = 100) -> list[Delivery]:
        """Deliveries matching every filter, newest first."""

    @abstractmethod
    def delivery_attempts(self, since: datetime | str | None = None,
                          until: datetime | str | None = None) -> list[DeliveryAttempt]:
        """Attempts in [since, until), oldest first."""

    @abstractmethod
    def routed_marks(self) -> dict[str, tuple[int, datetime]]:
        """alert id → (routed version, when routing got there); what a backup keeps."""

    @abstractmethod
    def _insert_delivery(self, delivery: Delivery) -> bool:
        """Store the delivery exactly as given unless one with its id exists; True when stored."""

    @abstractmethod
    def _insert_attempt(self, attempt: DeliveryAttempt) -> bool:
        """Store the attempt unless the same one (delivery id, attempt number, time) exists."""

    @abstractmethod
    def _raise_routed(self, alert_id: str, version: int, routed_at: datetime) -> bool:
        """Set the alert's routed version (and time) if it is above the stored one; True when moved."""

    # ---- the interface routing and the sender use -----------------------------------------------
    def enqueue_deliveries(self, alert_id: str, version: int, deliveries: Sequence[Delivery]) -> list[str]:
        return self._enqueue(alert_id, version, deliveries)

    def unrouted_alerts(self) -> list[Alert]:
        """Alerts changed since routing last looked at them, oldest change first."""
        found = [a for a in (self._read(i) for i in self._unrouted_ids()) if a is not None]  # type: ignore[attr-defined]
        return sorted(found, key=lambda a: (a.updated_at, a.id))

    def open_deliveries(self) -> list[Delivery]:
        """Every delivery still owed (pending, failed, or sending), in send order."""
        found = self.deliveries(status=[s.value for s in DeliveryStatus if s.is_open], limit=None)
        return sorted(found, key=lambda d: d.order_key)

    def claim_delivery(self, delivery: Delivery, lease: timedelta, now: datetime | None = None) -> Delivery | None:
        """Take a due delivery for sending; None when another sender got it first."""
        now = now or utcnow()
        claimed = delivery.model_copy(update={"status": DeliveryStatus.sending, "lease_until": now + lease,
                                              "updated_at": now})
        return claimed if self._cas_delivery(claimed, delivery.status, delivery.attempts) else None

    def finish_delivery(self, claimed: Delivery, attempt: DeliveryAttempt, result: Delivery) -> bool:
        """Record an attempt and the delivery's new state (only if we still hold the claim)."""
        self._put_attempt(attempt)
        return self._cas_delivery(result, DeliveryStatus.sending, claimed.attempts)

    def requeue_deliveries(self, ids: Iterable[str] | None = None, parked: bool = False,
                           now: datetime | None = None) -> list[Delivery]:
        """Make deliveries due now with a fresh attempt budget: the given ids, and/or every parked one."""
        now = now or utcnow()
        chosen = [self.get_delivery(i) for i in (ids or [])]
        if parked:
            chosen += self.deliveries(status="parked", limit=None)
        requeued = []
        for d in {d.id: d for d in chosen}.values():
            if d.status == DeliveryStatus.sending:
                continue  # a sender holds it; it will finish or its lease expires
            fresh = d.model_copy(update={"status": DeliveryStatus.pending, "attempts": 0, "next_attempt_at": now,
                                         "lease_until": None, "updated_at": now})
            if self._cas_delivery(fresh, d.status, d.attempts):
                requeued.append(fresh)
        return requeued

    # ---- restore from a backup (idempotent: importing the same records again changes nothing) ----------
    def restore_delivery(self, delivery: Delivery) -> str:
        """Put a backed-up delivery back as it was (status, attempts, next attempt, lease, error):
        created when absent, replaced when the backup's copy is newer (`updated_at`), else left
        alone, so an old backup never undoes later sends. Returns created / replaced / unchanged."""
        for attempt in range(_RESTORE_TRIES):
            try:
                current = self.get_delivery(delivery.id)
            except DeliveryNotFound:
                if self._insert_delivery(delivery):
                    return "created"
            else:
                if current.updated_at >= delivery.updated_at:
                    return "unchanged"
                if self._cas_delivery(delivery, current.status, current.attempts):
                    return "replaced"
            _pause(attempt)  # a sender changed it in between: look again
        raise ConcurrencyError(f"delivery '{delivery.id}': gave up after {_RESTORE_TRIES} conflicting writes")

    def restore_attempt(self, attempt: DeliveryAttempt) -> bool:
        """Put a backed-up attempt back; False when it is already there."""
        return self._insert_attempt(attempt)

    def restore_routed(self, alert_id: str, version: int, routed_at: datetime | None = None) -> bool:
        """Move an alert's routed version up to a backed-up one (never down); False when already there.
        Without it a restored workspace would route every restored alert again."""
        if isinstance(version, bool) or not isinstance(version, int) or version < 0:
            raise ValueError(f"alert '{alert_id}': routed version must be a whole number >= 0, not {version!r}")
        return self._raise_routed(alert_id, version, routed_at or utcnow())

    def delivery_stats(self, since: datetime | str | None = None,
                       until: datetime | str | None = None) -> dict[str, dict[str, Any]]:
        """Per destination over [since, until): attempts, delivered, failures, parked, success rate,
        attempts per delivery, latency p50/p95/max (ms), plus `parked_now` and `open_now`."""
        stats = summarize_attempts(self.delivery_attempts(since, until))
        for d in self.deliveries(status=["parked", "pending", "failed", "sending"], limit=None):
            row = stats.setdefault(d.destination, {"destination": d.destination, "attempts": 0, "delivered": 0,
                                                   "failures": 0, "parked": 0, "success_rate": None,
                                                   "attempts_per_delivery": None, "latency_ms_p50": None,
                                                   "latency_ms_p95": None, "latency_ms_max": None})
            key = "parked_now" if d.status == DeliveryStatus.parked else "open_now"
            row[key] = row.get(key, 0) + 1
        for row in stats.values():
            row.setdefault("parked_now", 0)
            row.setdefault("open_now", 0)
        return dict(sorted(stats.items()))


_RESTORE_TRIES = 50


def _pause(attempt: int) -> None:
    # Jitter, as for alert writes, so a restore and a sender do not collide again in lock-step.
    time.sleep(random.uniform(0, min(0.05, 0.001 * 2 ** min(attempt, 6))))


def status_values(status: str | Sequence[str] | None) -> list[str] | None:
    if status is None:
        return None
    wanted = [status] if isinstance(status, str) else list(status)
    known = {s.value for s in DeliveryStatus}
    for s in wanted:
        if s not in known:
            from workbench.registry import unknown_name_message

            raise ValueError(unknown_name_message("delivery status", s, known))
    return wanted
