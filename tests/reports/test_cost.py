"""Cost per day and the daily budget: crossing it raises `mantissa-cost-budget` once per day, into the
alert store, routed like any alert."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from workbench.alerts import get_store
from workbench.config import load_settings
from workbench.cost import BUDGET_RULE_ID, budget_alert_id, check_budget, day_cost
from workbench.history import QueryHistory, QueryRecord

NOW = datetime(2026, 11, 19, 15, 0, tzinfo=UTC)


def _workspace(root: Path, budget: float | None, extra: str = "") -> object:
    root.mkdir(parents=True, exist_ok=True)
    lines = ["engine: local"] + ([f"cost: {{daily_budget_usd: {budget}}}"] if budget is not None else [])
    (root / "mantissa.yaml").write_text("\n".join(lines) + "\n" + extra)
    return load_settings(root, environ={})


def _run(store: object, started: datetime, cost: float, nbytes: int) -> None:
    store.save_run({"started": started, "window_start": started - timedelta(minutes=15), "window_end": started,
                    "engine": "local", "status": "ok", "rules_run": 1, "rules_failed": [], "bytes_scanned": nbytes,
                    "cost_usd": cost, "per_rule": {"r1": {"bytes_scanned": nbytes, "cost_usd": cost}}})


@pytest.mark.parametrize(("budget", "action"), [(0.5, "under"), (0.1, "raised"), (None, "off")],
                         ids=["under", "over", "no-budget"])
def test_budget_check(tmp_path: Path, budget: float | None, action: str) -> None:
    settings = _workspace(tmp_path / "ws", budget)
    QueryHistory(settings.state / "history.sqlite").record(QueryRecord(
        kind="athena", status="ok", bytes_scanned=1000, cost_usd=0.05, at="2026-11-19T09:00:00.000000Z"))
    with get_store(settings) as store:
        _run(store, NOW - timedelta(hours=2), 0.2, 10_000)
        _run(store, NOW - timedelta(days=1), 5.0, 99)  # the day before: not today's spend
        outcome = check_budget(settings, store, now=NOW)
        assert outcome.action == action
        stored = store.count(rule_id=BUDGET_RULE_ID)
    cost = day_cost(settings, get_store(settings), NOW.date())
    assert cost.total_usd == pytest.approx(0.25) and cost.total_bytes == 11_000
    assert stored == (1 if action == "raised" else 0)


def test_budget_alert_fires_once_per_day(tmp_path: Path) -> None:
    settings = _workspace(tmp_path / "ws", 0.01)
    with get_store(settings) as store:
        _run(store, NOW - timedelta(hours=3), 0.02, 1)
        first = check_budget(settings, store, now=NOW)
        _run(store, NOW - timedelta(hours=1), 0.5, 1)  # more spend the same day
        again = check_budget(settings, store, now=NOW + timedelta(hours=1))
        assert (first.action, again.action) == ("raised", "unchanged")
        assert store.count(rule_id=BUDGET_RULE_ID) == 1
        alert = store.get(budget_alert_id(NOW.date()))
        assert alert.severity.value == "medium" and "mantissa:ops" in alert.tags
        assert alert.fields["spent_usd"] == pytest.approx(0.02)
        store.set_status(alert.id, "resolved", actor="ana", reason="expected backfill")
        assert check_budget(settings, store, now=NOW + timedelta(hours=2)).action == "unchanged"
        assert store.get(alert.id).status.value == "resolved"  # a re-check does not reopen it
        _run(store, NOW + timedelta(days=1), 0.02, 1)
        next_day = check_budget(settings, store, now=NOW + timedelta(days=1, hours=1))
        assert next_day.action == "raised" and store.count(rule_id=BUDGET_RULE_ID) == 2


def test_detection_runs_raise_and_route_the_budget_alert_once(report_site: SimpleNamespace, tmp_path: Path) -> None:
    from workbench.playbooks.detect import run_detect

    routing = ("routing:\n  destinations:\n    ops: {type: jsonl, path: state/ops.jsonl}\n"
               f"lake_path: {report_site.lake}\n")
    settings = _workspace(tmp_path / "ws", 1e-12, routing)
    for hour in (0, 1):
        start = f"2026-11-19T0{hour}:00:00Z"
        report = run_detect(start=start, end=f"2026-11-19T0{hour + 1}:00:00Z", settings=settings)
        assert not report.failed
    today = datetime.now(UTC).date()
    with get_store(settings) as store:
        assert store.count(rule_id=BUDGET_RULE_ID) == 1
        alert = store.get(budget_alert_id(today))
        spent = sum(r["cost_usd"] for r in store.list_runs(limit=None)[1:])  # the first run crossed it
    assert 0 < alert.fields["spent_usd"] == pytest.approx(spent)
    sent = [json.loads(line) for line in (settings.state / "ops.jsonl").read_text().splitlines()]
    assert [m["alert"]["id"] for m in sent if m["alert"]["rule_id"] == BUDGET_RULE_ID] == [alert.id]
