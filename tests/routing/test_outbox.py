"""The outbox half of the store interface, on both backends (SQLite file, DynamoDB on moto)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from tests.routing.conftest import make_alert
from workbench.alerts import AlertStore
from workbench.alerts.model import utcnow
from workbench.alerts.outbox import Delivery, DeliveryAttempt, DeliveryNotFound, DeliveryStatus, delivery_id
from workbench.config import Settings

pytestmark = pytest.mark.timeout(60)


@pytest.fixture()
def store(routed: Callable[..., Settings], open_store: Callable[..., AlertStore],
          backend: tuple[str, str | None]) -> AlertStore:
    return open_store(routed({"destinations": {"trail": {"type": "jsonl"}}}, backend=backend[0], endpoint=backend[1]))


def test_enqueue_is_idempotent_and_moves_the_routed_version(store: AlertStore) -> None:
    alert = make_alert("a-1")
    store.upsert_alert(alert, ["e1"])
    stored = store.get("a-1")
    assert [a.id for a in store.unrouted_alerts()] == ["a-1"]
    planned = [Delivery.new(stored, "trail", "trigger", "0"), Delivery.new(stored, "pager", "trigger", "0")]
    assert sorted(store.enqueue_deliveries("a-1", stored.version, planned)) == sorted(d.id for d in planned)
    assert store.enqueue_deliveries("a-1", stored.version, planned) == []  # same keys: nothing new
    assert store.unrouted_alerts() == [] and store.routed_versions() == {"a-1": stored.version}
    assert planned[0].id == delivery_id("a-1", "trail", "trigger", "0")
    # A new version of the alert is unrouted again; an older routed version never moves it back.
    store.upsert_alert(alert, ["e2"])
    assert [a.id for a in store.unrouted_alerts()] == ["a-1"]
    store.enqueue_deliveries("a-1", stored.version - 1, [])
    assert store.routed_versions()["a-1"] == stored.version


def test_claim_is_exclusive_and_finish_records_the_attempt(store: AlertStore) -> None:
    store.upsert_alert(make_alert("a-2"), ["e1"])
    alert = store.get("a-2")
    [did] = store.enqueue_deliveries("a-2", alert.version, [Delivery.new(alert, "trail", "trigger", "0")])
    pending = store.get_delivery(did)
    claimed = store.claim_delivery(pending, timedelta(minutes=1))
    assert claimed is not None and claimed.status == DeliveryStatus.sending
    assert store.claim_delivery(pending, timedelta(minutes=1)) is None  # a second sender loses the race
    now = utcnow()
    done = claimed.model_copy(update={"status": DeliveryStatus.delivered, "attempts": 1, "delivered_at": now,
                                      "lease_until": None})
    attempt = DeliveryAttempt(delivery_id=did, alert_id="a-2", destination="trail", kind="trigger", attempt=1,
                              at=now, ok=True, latency_ms=12.5, outcome="delivered")
    assert store.finish_delivery(claimed, attempt, done)
    assert store.get_delivery(did).status == DeliveryStatus.delivered
    assert store.open_deliveries() == []
    assert [a.latency_ms for a in store.delivery_attempts(now - timedelta(seconds=1), now + timedelta(seconds=1))] \
        == [12.5]
    assert store.delivery_attempts(now + timedelta(seconds=1)) == []


def test_listing_filters_requeue_and_stats(store: AlertStore) -> None:
    store.upsert_alert(make_alert("a-3"), ["e1"])
    alert = store.get("a-3")
    ids = store.enqueue_deliveries("a-3", alert.version, [Delivery.new(alert, name, "trigger", "0")
                                                          for name in ("trail", "pager", "siem")])
    now = utcnow()
    for did, outcome in zip(sorted(ids), ["parked", "failed", "delivered"], strict=True):
        claimed = store.claim_delivery(store.get_delivery(did), timedelta(minutes=1))
        result = claimed.model_copy(update={"status": DeliveryStatus(outcome), "attempts": 1, "lease_until": None})
        store.finish_delivery(claimed, DeliveryAttempt(
            delivery_id=did, alert_id="a-3", destination=claimed.destination, kind="trigger", attempt=1, at=now,
            ok=outcome == "delivered", latency_ms=5.0, outcome=outcome), result)
    assert {d.status.value for d in store.deliveries()} == {"parked", "failed", "delivered"}
    [parked] = store.deliveries(status="parked")
    assert [d.id for d in store.deliveries(destination=parked.destination)] == [parked.id]
    assert len(store.deliveries(alert_id="a-3", status=["failed", "parked"])) == 2
    stats = store.delivery_stats(now - timedelta(minutes=1))
    assert {name: (row["attempts"], row["delivered"], row["failures"], row["parked"], row["parked_now"])
            for name, row in stats.items()} == {
        parked.destination: (1, 0, 1, 1, 1),
        **{d.destination: (1, 0, 1, 0, 0) for d in store.deliveries(status="failed")},
        **{d.destination: (1, 1, 0, 0, 0) for d in store.deliveries(status="delivered")}}
    requeued = store.requeue_deliveries([parked.id])
    assert [d.status for d in requeued] == [DeliveryStatus.pending] and requeued[0].attempts == 0
    with pytest.raises(DeliveryNotFound, match="unknown delivery 'd-nope'"):
        store.requeue_deliveries(["d-nope"])
    with pytest.raises(ValueError, match="unknown delivery status 'parkd' — did you mean 'parked'"):
        store.deliveries(status="parkd")
