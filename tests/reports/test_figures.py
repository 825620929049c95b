"""The reports' figures computed by the plain functions, checked against the store, the history and
the lake read independently (not against constants)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from workbench.alerts import Status, get_store
from workbench.engines.base import BYTES_PER_TB
from workbench.history import QueryHistory
from workbench.reports import build_daily, build_monthly, build_weekly, period
from workbench.reports.common import SEVERITIES, timings


def _run_day(site: SimpleNamespace) -> str:
    with get_store(site.settings) as store:
        return store.list_runs(limit=1)[0]["started"].date().isoformat()


def test_daily_alerts_equal_store_counts(report_site: SimpleNamespace) -> None:
    with get_store(report_site.settings) as store:
        figures = build_daily(report_site.settings, store, "2026-11-19", check_cost_budget=False)
        p = period("daily", "2026-11-19")
        for severity in SEVERITIES:
            assert figures.alerts_by_severity[severity] == store.count(severity=severity, since=p.start, until=p.end)
        active = store.list(since=p.start, until=p.end, limit=None)
    assert sum(figures.alerts_by_severity.values()) == len(active) > 0
    assert {a["id"] for a in figures.alerts} == {a.id for a in active}
    assert int(figures.alerts_by_rule["alerts"].sum()) == len(active)


def test_daily_links_the_rendered_investigation(report_site: SimpleNamespace) -> None:
    investigated = report_site.demo["investigation"].html
    alert_id = investigated.stem
    with get_store(report_site.settings) as store:
        day = store.get(alert_id).last_seen.date().isoformat()
        figures = build_daily(report_site.settings, store, day, check_cost_budget=False)
    row = next(a for a in figures.alerts if a["id"] == alert_id)
    assert row["investigation"] == f"../investigations/{investigated.name}"
    assert (report_site.workspace / "reports" / "daily" / row["investigation"]).resolve() == investigated.resolve()
    assert sum(a["investigation"] is not None for a in figures.alerts) == 1


def test_daily_detection_cost_and_english_from_runs_and_history(report_site: SimpleNamespace) -> None:
    settings = report_site.settings
    day = _run_day(report_site)
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    with get_store(settings) as store:
        runs = [r for r in store.list_runs(limit=None) if start <= r["started"] < start + timedelta(days=1)]
        figures = build_daily(settings, store, day, check_cost_budget=False)
    history = [r for r in QueryHistory(settings.state / "history.sqlite").recent(limit=1000) if r.at.startswith(day)]
    assert figures.detection["runs"] == len(runs) > 0
    assert figures.detection["bytes_scanned"] == sum(r["bytes_scanned"] for r in runs) > 0
    assert figures.detection["failed_runs"] == sum(r["status"] == "failed" for r in runs)
    hunted = sum(r.bytes_scanned or 0 for r in history)
    assert figures.cost.hunting_bytes == hunted > 0
    assert figures.cost.total_bytes == figures.detection["bytes_scanned"] + hunted
    # Cost is bytes × price (per TiB), whichever way it was recorded.
    expected = figures.cost.total_bytes / BYTES_PER_TB * settings.price_per_tb_usd
    assert abs(figures.cost.total_usd - expected) < 1e-12
    asks = [r for r in history if r.kind == "ask"]
    assert figures.english["questions"] == len(asks) and figures.english["answered"] == 1
    assert figures.english["guard_refusals_all"] == sum(r.status == "refused" for r in history) == 1
    assert figures.english["model_s_p50"] == asks[0].model_s is not None
    delivered = figures.delivery_totals["delivered"]
    with get_store(settings) as store:
        assert delivered == len(store.deliveries(status="delivered", limit=None)) > 0


def test_weekly_false_positives_timings_and_suggestions(report_site: SimpleNamespace) -> None:
    settings = report_site.settings
    with get_store(settings) as store:
        figures = build_weekly(settings, store, "2026-W47")
        p = period("weekly", "2026-W47")
        active = store.list(since=p.start, until=p.end, limit=None)
        fps = store.count(status="false_positive", rule_id=report_site.noisy_rule, since=p.start, until=p.end)
    assert len(figures.alerts) == len(active) == sum(figures.by_severity.values())
    assert int(figures.per_day.to_numpy().sum()) == sum(p.first <= a.first_seen.date() <= p.last for a in active)
    noisy = figures.rules.set_index("rule").loc[report_site.noisy_rule]
    assert noisy["false positives"] == fps == 3
    assert noisy["fp rate"] == 1.0  # all judged alerts of that rule were false positives
    assert noisy["suggested threshold"] is not None and noisy["backtest alerts"] is not None
    overall = figures.timings.set_index("severity").loc["all"]
    acked = [t for t in (timings(a) for a in active) if t.acknowledged]
    assert overall["acknowledged"] == len(acked) == 6
    assert overall["closed"] == sum(a.status in (Status.resolved, Status.false_positive) for a in active) == 4
    lines = figures.summary_lines()
    # The median says how many alerts it stands on; the rules line speaks of the team's rules only
    # (the demo workspace has no rules/ folder: the bundled pack's history is not the team's).
    assert lines[2].endswith(f"(from 6 of {len(active)} alerts acknowledged)"), lines
    assert lines[1].startswith("Rules: none of the workspace's own") and figures.rule_changes.empty, lines
    top_ip = figures.ips.iloc[0]
    assert top_ip["alerts"] == sum(any(k == "ip" and v == top_ip["ip"] for k, v in _entities(a)) for a in active)


def _entities(alert):  # noqa: ANN001, ANN202
    from workbench.alerts import entities

    return entities(alert)


def test_monthly_access_audit_cost_and_lake_growth(report_site: SimpleNamespace) -> None:
    settings = report_site.settings
    with get_store(settings) as store:
        figures = build_monthly(settings, store, "2026-11")
        runs = [r for r in store.list_runs(limit=None) if r["started"].strftime("%Y-%m") == "2026-11"]
    history = [r for r in QueryHistory(settings.state / "history.sqlite").recent(limit=1000) if r.at.startswith("2026-11")]
    # Who queried what: every history record of the month, per user.
    assert len(figures.queries) == len(history)
    assert int(figures.queries_by_user["queries"].sum()) == len(history)
    # Who triaged what: the fixture's analysts, with what they did (only if triage happened this month).
    if datetime.now(UTC).strftime("%Y-%m") == "2026-11":
        people = figures.triage_by_person.set_index("who")
        assert people.loc["bea", "false_positive"] == 3 and people.loc["ana", "acknowledged"] == 3
        assert "detector" not in people.index
    assert sum(c.detection_bytes for c in figures.costs) == sum(r["bytes_scanned"] for r in runs)
    per_rule = figures.cost_per_rule
    assert int(per_rule["bytes_scanned"].sum()) == sum(r["bytes_scanned"] for r in runs)
    # Lake growth equals the file sizes on disk for the month's partitions.
    for table in ("cloudtrail", "vpc_flow", "guardduty"):
        folder = report_site.lake / table / "year=2026" / "month=11"
        on_disk = sum(f.stat().st_size for f in Path(folder).rglob("*.parquet")) if folder.is_dir() else 0
        grown = int(figures.lake[figures.lake["table"] == table]["bytes"].sum())
        assert grown == on_disk
    assert figures.lake["bytes"].sum() > 0
    assert set(figures.lake["day"]) <= {d.isoformat() for d in period("monthly", "2026-11").days}
    assert os.path.isdir(report_site.lake)
