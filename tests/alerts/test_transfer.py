"""Backup and restore: export → import into an empty store gives back every record, field for field,
the delivery outbox included (deliveries with their status, attempts, routed versions)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from workbench.alerts import Alert, AlertStore, get_store
from workbench.alerts.outbox import Delivery, DeliveryAttempt, DeliveryStatus

from .conftest import T0, store_settings

LEASE = timedelta(minutes=5)


def _fill(store: AlertStore, make_alert: Callable[..., Alert]) -> None:
    store.upsert_alert(make_alert("a1", fields={"sourceIPAddress": "203.0.113.7", "userAgent": "<script>x</script>"}),
                       ["e1", "e2"])
    store.upsert_alert(make_alert("a2", severity="critical"), ["e3"])
    store.upsert_alert(make_alert("a2", last_seen=T0 + timedelta(hours=2)), ["e4"])
    store.add_note("a1", "looks like a spray; ünïcode and \"quotes\"", "ana")
    store.set_status("a2", "false_positive", "bo", reason="scanner")
    store.set_checkpoint("aws.console_login_failures", T0 + timedelta(hours=3))
    store.save_run({"started": T0, "finished": T0 + timedelta(seconds=3), "window_start": T0 - timedelta(minutes=30),
                    "window_end": T0, "rules_run": 2, "rules_failed": [], "alerts_new": 2, "status": "ok"})


def _try(store: AlertStore, d: Delivery, at: datetime, ok: bool, status: DeliveryStatus, **update: object) -> None:
    """One send attempt through the store's own claim/finish path, as the sender makes it."""
    claimed = store.claim_delivery(d, LEASE, at)
    assert claimed is not None
    done = claimed.model_copy(update={"status": status, "attempts": claimed.attempts + 1, "lease_until": None,
                                      "updated_at": at, **update})
    store.finish_delivery(claimed, DeliveryAttempt(
        delivery_id=d.id, alert_id=d.alert_id, destination=d.destination, kind=d.kind, attempt=done.attempts,
        at=at, ok=ok, latency_ms=12.5 + done.attempts, status_code=200 if ok else 503,
        error=None if ok else "HTTP 503 <b>busy</b> ünï", outcome=status.value), done)


def _fill_outbox(store: AlertStore) -> dict[str, Delivery]:
    """One delivery in every state the sender leaves: delivered, failed (retry due later), parked,
    sending (claimed, lease running), pending; and a2 changed after routing (so it is unrouted)."""
    a1, a2 = store.get("a1"), store.get("a2")
    t = T0 + timedelta(hours=4)
    made = {"trail": Delivery.new(a1, "trail", "trigger", "0", now=t),
            "pager": Delivery.new(a1, "pager", "trigger", "0", now=t + timedelta(seconds=1)),
            "chat": Delivery.new(a2, "chat", "trigger", "0", now=t + timedelta(seconds=2)),
            "siem": Delivery.new(a2, "siem", "trigger", "0", now=t + timedelta(seconds=3)),
            "resolve": Delivery.new(a2, "chat", "resolve", "0", now=t + timedelta(seconds=4))}
    store.enqueue_deliveries("a1", a1.version, [made["trail"], made["pager"]])
    store.enqueue_deliveries("a2", a2.version, [made["chat"], made["siem"], made["resolve"]])
    _try(store, made["trail"], t + timedelta(seconds=10), True, DeliveryStatus.delivered,
         delivered_at=t + timedelta(seconds=10), remote_id="line-1")
    _try(store, made["pager"], t + timedelta(seconds=11), False, DeliveryStatus.failed,
         next_attempt_at=t + timedelta(seconds=41), last_error="HTTP 503")
    _try(store, store.get_delivery(made["pager"].id), t + timedelta(seconds=41), False, DeliveryStatus.parked,
         last_error="HTTP 503 (gave up after 2 attempts)")
    _try(store, made["chat"], t + timedelta(seconds=12), False, DeliveryStatus.failed,
         next_attempt_at=t + timedelta(minutes=7), last_error="HTTP 503")
    assert store.claim_delivery(made["siem"], LEASE, t + timedelta(seconds=13)) is not None  # a sender holds it
    store.add_note("a2", "changed after routing", "ana")
    return {name: store.get_delivery(d.id) for name, d in made.items()}


def _snapshot(store: AlertStore) -> dict:
    return {
        "alerts": {i: store.get(i) for i in store.all_ids()},
        "events": {i: store.event_ids(i) for i in store.all_ids()},
        "checkpoints": store.checkpoints(),
        "runs": store.list_runs(limit=None),
        "deliveries": {d.id: d for d in store.deliveries(limit=None)},
        "attempts": sorted(store.delivery_attempts(), key=lambda a: (a.at, a.delivery_id, a.attempt)),
        "routed": store.routed_marks(),
        "unrouted": [a.id for a in store.unrouted_alerts()],
    }


@pytest.mark.parametrize("target", ["sqlite", "dynamodb"])
def test_round_trip_record_by_record(store: AlertStore, make_alert: Callable[..., Alert], target: str,
                                     tmp_path: Path, request: pytest.FixtureRequest) -> None:
    _fill(store, make_alert)
    made = _fill_outbox(store)
    buffer = io.StringIO()
    counts = store.export_jsonl(buffer)
    assert counts == {"alert": 2, "checkpoint": 1, "run": 1, "delivery": 5, "attempt": 4, "routed": 2}
    endpoint = request.getfixturevalue("aws_env") if target == "dynamodb" else None
    with get_store(store_settings(tmp_path / "restored", target, endpoint)) as empty:
        buffer.seek(0)
        report = empty.import_jsonl(buffer)
        assert (report.created, report.checkpoints, report.runs, report.errors) == (2, 1, 1, [])
        assert (report.deliveries["created"], report.attempts_added, report.routed_moved) == (5, 4, 2)
        before, after = _snapshot(store), _snapshot(empty)
        for alert_id, alert in before["alerts"].items():
            assert after["alerts"][alert_id] == alert  # notes, audit, version, timestamps all equal
        for delivery_id, delivery in before["deliveries"].items():
            assert after["deliveries"][delivery_id] == delivery  # status, attempts, next attempt, lease, error
        for mine, theirs in zip(before["attempts"], after["attempts"], strict=True):
            assert theirs == mine  # time, outcome, latency, status code, error
        assert after["routed"] == before["routed"]
        versions = {alert_id: version for alert_id, (version, _) in after["routed"].items()}
        assert versions == {"a1": store.get("a1").version, "a2": store.get("a2").version - 1}
        assert after["unrouted"] == ["a2"]  # changed after routing: the next routing pass still owes it
        assert after == before
        # The states the restored sender sees are the ones the original left.
        restored = {name: empty.get_delivery(d.id) for name, d in made.items()}
        assert {n: (d.status.value, d.attempts) for n, d in restored.items()} == {
            "trail": ("delivered", 1), "pager": ("parked", 2), "chat": ("failed", 1), "siem": ("sending", 0),
            "resolve": ("pending", 0)}
        assert restored["chat"].next_attempt_at == T0 + timedelta(hours=4, minutes=7)
        assert restored["siem"].lease_until == T0 + timedelta(hours=4, seconds=13) + LEASE
        # Importing the same backup again changes nothing.
        buffer.seek(0)
        again = empty.import_jsonl(buffer)
        assert (again.created, again.replaced, again.unchanged) == (0, 0, 2)
        assert again.deliveries == {"created": 0, "replaced": 0, "unchanged": 5}
        assert (again.attempts_added, again.attempts_present, again.routed_moved, again.routed_current) == (0, 4, 0, 2)
        assert _snapshot(empty) == before


def test_import_replaces_older_versions_only_and_skips_bad_lines(store: AlertStore,
                                                                 make_alert: Callable[..., Alert]) -> None:
    store.upsert_alert(make_alert("a1"), ["e1"])
    buffer = io.StringIO()
    store.export_jsonl(buffer)
    backup_v1 = buffer.getvalue()
    store.acknowledge("a1", "ana")
    newer = io.StringIO()
    store.export_jsonl(newer)

    # An older backup never overwrites newer work.
    report = store.import_jsonl(io.StringIO(backup_v1))
    assert report.unchanged == 1 and store.get("a1").status.value == "acknowledged"

    lines = newer.getvalue().splitlines()
    broken = "\n".join([lines[0], "{not json", json.dumps({"type": "alert", "alert": {"id": "x"}}),
                        json.dumps({"type": "mystery"}), *lines[1:]]) + "\n"
    fresh = io.StringIO(broken)
    fresh.name = "backup.jsonl"
    store.set_status("a1", "investigating", "ana")
    report = store.import_jsonl(fresh)
    assert [e.split(":")[1] for e in report.errors] == ["2", "3", "4"]
    assert report.errors[0].startswith("backup.jsonl:2: ")
    assert "unknown record type 'mystery'" in report.errors[2]
    assert report.unchanged == 1  # the good lines after the bad ones still loaded
    assert "3 bad lines skipped" in report.summary()


def _empty_like(store: AlertStore, workspace: Path) -> AlertStore:
    """A new, empty store of the same backend (its own file, or its own DynamoDB table)."""
    return get_store(store_settings(workspace, store.name, store.settings.store.endpoint_url))


def test_outbox_import_keeps_the_newer_copy(store: AlertStore, make_alert: Callable[..., Alert],
                                            tmp_path: Path) -> None:
    _fill(store, make_alert)
    made = _fill_outbox(store)
    old_backup = io.StringIO()
    store.export_jsonl(old_backup)

    # After the backup: the parked delivery is redelivered, a2 routed again at its new version.
    (requeued,) = store.requeue_deliveries(parked=True)
    _try(store, requeued, requeued.updated_at + timedelta(seconds=1), True, DeliveryStatus.delivered)
    store.enqueue_deliveries("a2", store.get("a2").version, [])
    newer = _snapshot(store)
    report = store.import_jsonl(io.StringIO(old_backup.getvalue()))  # an older backup undoes nothing
    assert report.errors == [] and report.deliveries == {"created": 0, "replaced": 0, "unchanged": 5}
    assert (report.attempts_added, report.attempts_present, report.routed_moved) == (0, 4, 0)
    assert _snapshot(store) == newer
    assert store.get_delivery(made["pager"].id).status == DeliveryStatus.delivered

    # The other way round: a store holding the old state takes the newer copies from a later backup.
    later = io.StringIO()
    store.export_jsonl(later)
    with _empty_like(store, tmp_path / "stale") as stale:
        stale.import_jsonl(io.StringIO(old_backup.getvalue()))
        update = stale.import_jsonl(io.StringIO(later.getvalue()))
        assert update.errors == [] and update.deliveries == {"created": 0, "replaced": 1, "unchanged": 4}
        assert (update.attempts_added, update.attempts_present, update.routed_moved) == (1, 4, 1)
        assert _snapshot(stale) == _snapshot(store)


def test_version_1_files_still_import_and_newer_ones_are_refused(store: AlertStore,
                                                                 make_alert: Callable[..., Alert]) -> None:
    _fill(store, make_alert)
    _fill_outbox(store)
    buffer = io.StringIO()
    store.export_jsonl(buffer)
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert records[0]["version"] == 2
    # What a v1 workbench wrote: the same header and alert/checkpoint/run lines, no outbox.
    v1 = [{**records[0], "version": 1}] + [r for r in records[1:] if r["type"] in ("alert", "checkpoint", "run")]
    report = store.import_jsonl(io.StringIO("".join(json.dumps(r) + "\n" for r in v1)))
    assert report.errors == [] and report.unchanged == 2 and "deliveries" not in report.summary()

    future = io.StringIO(json.dumps({**records[0], "version": 3}) + "\n" + json.dumps(records[-1]) + "\n")
    report = store.import_jsonl(future)
    assert len(report.errors) == 1 and report.errors[0].startswith("<input>:1: not a mantissa-alerts v1–v2")
    assert "upgrade" in report.errors[0]


@pytest.mark.parametrize(("record", "message"), [
    ({"type": "delivery", "delivery": {"id": "d-x"}}, "Delivery: alert_id: Field required; destination: Field"),
    ({"type": "delivery", "delivery": {"id": "d-x", "alert_id": "a1", "destination": "chat", "kind": "page",
                                       "ref": "0", "alert_version": 1}}, "event kind must be one of"),
    ({"type": "attempt", "attempt": {"delivery_id": "d-x", "at": "soon"}}, "DeliveryAttempt: alert_id: Field"),
    ({"type": "routed", "alert_id": "a1", "version": "three"}, "routed version must be a whole number"),
    ({"type": "routed", "version": 3}, "missing field 'alert_id'"),
], ids=["delivery-incomplete", "delivery-bad-kind", "attempt-incomplete", "routed-bad-version", "routed-no-id"])
def test_bad_outbox_lines_are_reported_and_skipped(record: dict, message: str, store: AlertStore,
                                                   make_alert: Callable[..., Alert], tmp_path: Path) -> None:
    _fill(store, make_alert)
    made = _fill_outbox(store)
    buffer = io.StringIO()
    store.export_jsonl(buffer)
    lines = buffer.getvalue().splitlines()
    with _empty_like(store, tmp_path / "other") as other:
        report = other.import_jsonl(io.StringIO("\n".join([lines[0], json.dumps(record), *lines[1:]]) + "\n"))
        assert len(report.errors) == 1 and report.errors[0].startswith("<input>:2: ")
        assert message in report.errors[0]
        assert report.deliveries["created"] == 5 and report.attempts_added == 4  # the rest still loaded
        assert other.get_delivery(made["pager"].id) == made["pager"]
