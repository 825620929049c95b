"""Detection failing N runs in a row raises our own alert into the store; it grows while the streak
lasts, is routed like any alert, and resolves when a run succeeds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.ops.conftest import T0
from workbench.alerts import AlertStore
from workbench.config import Settings
from workbench.doctor import FAILING_RULE_ID, check_detection_health


def run(store: AlertStore, n: int, status: str) -> str:
    return store.save_run({
        "id": f"run-{n:03d}", "started": T0 + timedelta(minutes=15 * n), "status": status,
        "window_start": T0, "window_end": T0 + timedelta(minutes=15), "rules_run": 10,
        "rules_failed": ["aws.iam.root_login"] if status == "failed" else [],
        "errors": {"aws.iam.root_login": "EngineError: lake unreadable"} if status == "failed" else {}})


def failing_alerts(store: AlertStore) -> list:
    return store.list(rule_id=FAILING_RULE_ID, limit=None)


@pytest.mark.parametrize(("history", "action", "streak"), [
    (["ok", "failed", "failed"], "none", 2),
    (["failed", "failed", "ok"], "none", 0),
    (["ok", "failed", "failed", "failed"], "raised", 3),
    ([], "none", 0),
], ids=["two-failures", "recovered-without-alert", "three-failures", "no-runs"])
def test_threshold(history: list[str], action: str, streak: int, store: AlertStore, settings: Settings) -> None:
    for n, status in enumerate(history):
        run(store, n, status)
    outcome = check_detection_health(store, settings, threshold=3)
    assert (outcome.action, outcome.streak) == (action, streak)
    assert len(failing_alerts(store)) == (1 if action == "raised" else 0)


def test_alert_grows_with_the_streak_then_resolves(store: AlertStore, settings: Settings) -> None:
    for n in range(3):
        run(store, n, "failed")
    raised = check_detection_health(store, settings)
    alert = store.get(raised.alert_id)  # type: ignore[arg-type]
    assert (alert.rule_id, alert.severity.value, alert.count, alert.status.value) == (
        FAILING_RULE_ID, "high", 3, "new")
    assert "mantissa:ops" in alert.tags and alert.fields["failed_rules"] == ["aws.iam.root_login"]
    assert [r["run_id"] for r in alert.evidence.rows] == ["run-002", "run-001", "run-000"]

    assert check_detection_health(store, settings).action == "unchanged"  # idempotent
    run(store, 3, "failed")
    grown = check_detection_health(store, settings)
    assert (grown.action, grown.alert_id, store.get(grown.alert_id).count) == ("updated", raised.alert_id, 4)  # type: ignore[arg-type]

    run(store, 4, "ok")
    resolved = check_detection_health(store, settings)
    final = store.get(raised.alert_id)  # type: ignore[arg-type]
    assert resolved.action == "resolved" and final.status.value == "resolved"
    assert "run-004 succeeded" in final.audit[-1].changes["reason"]

    for n in range(5, 8):  # a new streak raises a new alert, the old one stays resolved
        run(store, n, "failed")
    again = check_detection_health(store, settings)
    assert again.action == "raised" and again.alert_id != raised.alert_id
    assert len(failing_alerts(store)) == 2


def test_routed_like_any_alert(store: AlertStore, settings: Settings, tmp_path) -> None:  # noqa: ANN001
    from workbench.routing import deliver
    from workbench.routing.router import build_router

    routed = settings.model_copy(update={"routing": settings.routing.model_copy(update={
        "destinations": {"ops": {"type": "jsonl", "path": str(tmp_path / "ops.jsonl")}},
        "routes": [{"match": {"rule_id": "mantissa-*"}, "to": "ops"}]})})
    for n in range(3):
        run(store, n, "failed")
    outcome = check_detection_health(store, routed)
    router = build_router(routed, {})
    assert router is not None
    with router:
        deliver(routed, store, router)
    lines = (tmp_path / "ops.jsonl").read_text().splitlines()
    assert len(lines) == 1 and outcome.alert_id in lines[0] and FAILING_RULE_ID in lines[0]


def test_threshold_must_be_positive(store: AlertStore) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        check_detection_health(store, threshold=0)
