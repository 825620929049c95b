"""The daily report, the runbook's morning checklist for one UTC day.

It leads with the open backlog *now* (`backlog.py`: every open alert, unacknowledged first), then the
day: alerts first seen that day and those *active* that day (as `store.count(since=, until=)` counts
them); detection health and cost count what *ran* that day (runs by `started`, queries by `at`).
Without a date it covers the last complete UTC day. Building the report also
checks the day's cost budget, so a crossing missed by detection (hunting spend late in the day) is
raised the next morning at the latest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.cost import DayCost, check_budget, cost_by_day, history_records, runs_between
from workbench.investigate.layout import plural
from workbench.reports.backlog import Backlog, open_backlog
from workbench.reports.common import (
    SEVERITIES,
    alert_rows,
    period_alerts,
    rule_outcomes,
    severity_counts,
    usd,
)
from workbench.reports.period import Period, period
from workbench.timewindow import iso_z

if TYPE_CHECKING:
    from workbench.alerts import AlertStore
    from workbench.config import Settings


@dataclass
class DailyFigures:
    period: Period
    detection: dict[str, Any]
    failed_rules: list[dict[str, Any]]
    alerts_by_severity: dict[str, int]
    alerts_by_rule: pd.DataFrame
    alerts: list[dict[str, Any]]
    deliveries: dict[str, dict[str, Any]]
    delivery_totals: dict[str, int]
    cost: DayCost
    english: dict[str, Any]
    backlog: Backlog
    new_by_severity: dict[str, int]
    budget: dict[str, Any] = field(default_factory=dict)
    settings: Settings | None = None  # for links and IP labels in the view; not a figure

    def as_dict(self) -> dict[str, Any]:
        return {"kind": "daily", "label": self.period.label, "start": self.period.start, "end": self.period.end,
                "backlog": self.backlog.as_dict(), "new_by_severity": self.new_by_severity,
                "new_total": sum(self.new_by_severity.values()),
                "detection": self.detection, "failed_rules": self.failed_rules,
                "alerts_by_severity": self.alerts_by_severity, "alerts_total": sum(self.alerts_by_severity.values()),
                "alerts_by_rule": self.alerts_by_rule.to_dict("records"), "alerts": self.alerts,
                "deliveries": self.deliveries, "delivery_totals": self.delivery_totals,
                "cost": self.cost.as_dict(), "english": self.english, "budget": self.budget}

    def summary_lines(self) -> list[str]:
        new = ", ".join(f"{n} {s}" for s, n in self.new_by_severity.items() if n) or "none"
        d, t = self.detection, self.delivery_totals
        return [self.backlog.headline(),
                f"On {self.period.label} (UTC): {plural(sum(self.new_by_severity.values()), 'new alert')} ({new}); "
                f"{plural(sum(self.alerts_by_severity.values()), 'alert')} active that day",
                (f"Detection: {d['runs']} runs, {d['failed_runs']} failed ({len(self.failed_rules)} rules), "
                 f"{d['bytes_scanned']:,} bytes scanned in {d['query_s']:.1f}s" if d["runs"] else
                 f"Detection: no run started that day (latest run: {d.get('latest_run_started') or 'never'})"),
                f"Deliveries: {t['delivered']} sent, {t['failures']} failed attempts, {t['parked_now']} parked",
                f"Query cost: {usd(self.cost.total_usd)} (detection {usd(self.cost.detection_usd)}, "
                f"hunting {usd(self.cost.hunting_usd)}; {self.cost.total_bytes:,} bytes scanned)"]


def detection_health(runs: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Totals over the day's run records, and one row per rule that failed (its latest error)."""
    failed: dict[str, dict[str, Any]] = {}
    for run in runs:  # oldest first: the last error wins
        for rule_id in run.get("rules_failed") or []:
            row = failed.setdefault(rule_id, {"rule": rule_id, "failed runs": 0, "last error": ""})
            row["failed runs"] += 1
            row["last error"] = (run.get("errors") or {}).get(rule_id) or ""
    totals = {"runs": len(runs), "failed_runs": sum(r.get("status") == "failed" for r in runs),
              "rules_run": sum(int(r.get("rules_run") or 0) for r in runs),
              "query_s": round(sum(float(r.get("query_s") or 0) for r in runs), 4),
              "bytes_scanned": sum(int(r.get("bytes_scanned") or 0) for r in runs),
              "cost_usd": sum(float(r.get("cost_usd") or 0) for r in runs),
              "alerts_new": sum(len(r.get("alerts_new") or []) for r in runs),
              "alerts_updated": sum(len(r.get("alerts_updated") or []) for r in runs),
              "last_run": runs[-1]["id"] if runs else None}
    return totals, sorted(failed.values(), key=lambda r: r["rule"])


def delivery_totals(stats: dict[str, dict[str, Any]]) -> dict[str, int]:
    keys = ("attempts", "delivered", "failures", "parked", "parked_now", "open_now")
    return {k: sum(int(row.get(k) or 0) for row in stats.values()) for k in keys}


def english_stats(records: list[Any]) -> dict[str, Any]:
    """English questions (kind 'ask'): asked, answered, refused by the guard, not translated, latency."""
    asks = [r for r in records if r.kind == "ask"]
    latency = pd.Series([r.model_s for r in asks if r.model_s is not None], dtype=float)
    providers = sorted({r.provider for r in asks if r.provider})
    return {"questions": len(asks), "answered": sum(r.status == "ok" for r in asks),
            "refused": sum(r.status == "refused" for r in asks),
            "untranslated": sum(r.status == "untranslated" for r in asks),
            "errors": sum(r.status == "error" for r in asks),
            "guard_refusals_all": sum(r.status == "refused" for r in records),
            "queries_all": len(records), "providers": providers,
            "model_s_p50": None if latency.empty else round(float(latency.quantile(0.5)), 4),
            "model_s_p95": None if latency.empty else round(float(latency.quantile(0.95)), 4)}


def build_daily(settings: Settings, store: AlertStore, day: str | date | None = None,
                check_cost_budget: bool = True, now: datetime | None = None) -> DailyFigures:
    p = period("daily", day)
    runs = runs_between(store, p.start, p.end)
    records = history_records(settings, p.start, p.end)
    budget = check_budget(settings, store, p.first, now=now).__dict__ if check_cost_budget else {}
    detection, failed = detection_health(runs)
    latest = store.list_runs(limit=1)
    detection["latest_run_started"] = iso_z(latest[0]["started"]) if latest and latest[0].get("started") else None
    alerts = period_alerts(store, p)
    new = dict.fromkeys(SEVERITIES, 0)
    for alert in alerts:
        if p.start <= alert.first_seen < p.end:
            new[alert.severity.value] += 1
    stats = store.delivery_stats(p.start, p.end)
    return DailyFigures(
        period=p, detection=detection, failed_rules=failed, alerts_by_severity=severity_counts(store, p),
        alerts_by_rule=rule_outcomes(alerts), alerts=alert_rows(settings, alerts), deliveries=stats,
        delivery_totals=delivery_totals(stats), cost=cost_by_day(runs, records, [p.first])[0],
        english=english_stats(records), backlog=open_backlog(store, now), new_by_severity=new, settings=settings,
        budget={k: (v.isoformat() if isinstance(v, date) else v) for k, v in budget.items()})
