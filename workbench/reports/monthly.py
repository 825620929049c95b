"""The monthly report: rule tuning review, access audit, cost trend and cost per rule, lake growth.

Access audit (the runbook's "audit user access" and "review compliance logs"): who triaged what comes
from the alerts' audit trails (entries by people, not by the detector or mantissa's own jobs); who
queried what comes from the query history. Lake growth is measured on the lake itself: bytes, files
and events of each day partition of the month, per table (Parquet footers, no scan).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.cost import DayCost, cost_by_day, cost_frame, history_records, rule_cost_frame, runs_between
from workbench.reports.common import is_system, period_alerts, rule_outcomes, usd
from workbench.reports.period import Period, period
from workbench.reports.weekly import _records
from workbench.timewindow import iso_z

if TYPE_CHECKING:
    from workbench.alerts import AlertStore
    from workbench.config import Settings

TRIAGE_COLUMNS = ["when", "who", "action", "alert", "rule", "changes"]
QUERY_COLUMNS = ["at", "user", "kind", "status", "engine", "bytes_scanned", "cost_usd", "question", "sql"]


@dataclass
class MonthlyFigures:
    period: Period
    tuning: pd.DataFrame
    triage: pd.DataFrame  # one row per audit entry by a person
    triage_by_person: pd.DataFrame
    queries: pd.DataFrame  # one row per history record
    queries_by_user: pd.DataFrame
    costs: list[DayCost]
    lake: pd.DataFrame  # day, table, bytes, files, events

    @property
    def cost_per_day(self) -> pd.DataFrame:
        return cost_frame(self.costs)

    @property
    def cost_per_rule(self) -> pd.DataFrame:
        frame = rule_cost_frame(self.costs)
        if frame.empty:
            return frame.drop(columns=["day"])
        out = frame.groupby("rule", as_index=False)[["bytes_scanned", "cost_usd"]].sum()
        return out.sort_values(["cost_usd", "rule"], ascending=[False, True]).reset_index(drop=True)

    def as_dict(self) -> dict[str, Any]:
        lake = self.lake.groupby("table")[["bytes", "files", "events"]].sum() if not self.lake.empty else None
        return {"kind": "monthly", "label": self.period.label, "start": self.period.start, "end": self.period.end,
                "tuning": _records(self.tuning), "triage_by_person": _records(self.triage_by_person),
                "triage_entries": len(self.triage), "queries_by_user": _records(self.queries_by_user),
                "queries": len(self.queries), "cost_per_day": _records(self.cost_per_day),
                "cost_per_rule": _records(self.cost_per_rule),
                "cost_total_usd": sum(c.total_usd for c in self.costs),
                "bytes_scanned_total": sum(c.total_bytes for c in self.costs),
                "lake_by_table": {} if lake is None else {t: {k: int(v) for k, v in row.items()}
                                                         for t, row in lake.iterrows()}}

    def summary_lines(self) -> list[str]:
        lake_bytes = int(self.lake["bytes"].sum()) if not self.lake.empty else 0
        return [f"Rules that alerted in {self.period.label}: {len(self.tuning)}; "
                f"{int(self.tuning['false positives'].sum()) if not self.tuning.empty else 0} false positives",
                f"Access: {self.triage['who'].nunique() if not self.triage.empty else 0} people triaged "
                f"({len(self.triage)} actions); {self.queries['user'].nunique() if not self.queries.empty else 0} "
                f"people ran {len(self.queries)} queries",
                f"Query cost: {usd(sum(c.total_usd for c in self.costs))}; lake grew by {lake_bytes:,} bytes"]


def triage_entries(alerts: list[Any], p: Period) -> pd.DataFrame:
    rows = []
    for a in alerts:
        for e in a.audit:
            if p.start <= e.when < p.end and not is_system(e.who):
                rows.append({"when": iso_z(e.when), "who": e.who, "action": e.action, "alert": a.id, "rule": a.rule_id,
                             "changes": ", ".join(f"{k}: {v}" for k, v in e.changes.items())})
    frame = pd.DataFrame(rows, columns=TRIAGE_COLUMNS)
    return frame.sort_values("when").reset_index(drop=True) if not frame.empty else frame


def triage_by_person(triage: pd.DataFrame) -> pd.DataFrame:
    if triage.empty:
        return pd.DataFrame(columns=["who", "actions", "alerts", "acknowledged", "resolved", "false_positive"])
    out = triage.groupby("who").agg(actions=("action", "size"), alerts=("alert", "nunique")).reset_index()
    for action in ("acknowledged", "resolved", "false_positive"):
        counts = triage[triage["action"] == action].groupby("who").size()
        out[action] = out["who"].map(counts).fillna(0).astype(int)
    return out


def query_frame(records: list[Any]) -> pd.DataFrame:
    rows = [{c: getattr(r, c) for c in QUERY_COLUMNS} for r in records]
    return pd.DataFrame(rows, columns=QUERY_COLUMNS)


def queries_by_user(queries: pd.DataFrame) -> pd.DataFrame:
    columns = ["user", "queries", "english", "refused", "bytes_scanned", "cost_usd"]
    if queries.empty:
        return pd.DataFrame(columns=columns)
    grouped = queries.groupby("user")
    out = pd.DataFrame({
        "queries": grouped.size(), "english": grouped["kind"].apply(lambda s: int((s == "ask").sum())),
        "refused": grouped["status"].apply(lambda s: int((s == "refused").sum())),
        "bytes_scanned": grouped["bytes_scanned"].sum(min_count=1).fillna(0).astype(int),
        "cost_usd": grouped["cost_usd"].sum(min_count=1).fillna(0.0)}).reset_index()
    return out[columns]


def lake_growth(settings: Settings, p: Period) -> pd.DataFrame:
    """Per day partition of the period and table: bytes, files, events."""
    from workbench.catalog import TABLES
    from workbench.lake.hygiene import day_partitions, partition_size

    rows = []
    for table in TABLES:
        for part in day_partitions(settings.lake, table):
            if p.first <= part.day <= p.last:
                size = partition_size(part.path)
                rows.append({"day": part.day.isoformat(), "table": table, "bytes": size.bytes, "files": size.files,
                             "events": size.events})
    return pd.DataFrame(rows, columns=["day", "table", "bytes", "files", "events"])


def build_monthly(settings: Settings, store: AlertStore, month: str | date | None = None) -> MonthlyFigures:
    p = period("monthly", month)
    alerts = period_alerts(store, p)
    # Triage happens after detection: an alert active last month may be triaged this month, and
    # vice versa, so the audit looks at every alert touched since the period started.
    touched = store.list(limit=None, order_by="-updated_at")
    triage = triage_entries([a for a in touched if a.updated_at >= p.start], p)
    records = history_records(settings, p.start, p.end)
    costs = cost_by_day(runs_between(store, p.start, p.end), records, p.days)
    queries = query_frame(records)
    return MonthlyFigures(period=p, tuning=rule_outcomes(alerts), triage=triage, triage_by_person=triage_by_person(triage),
                          queries=queries, queries_by_user=queries_by_user(queries), costs=costs,
                          lake=lake_growth(settings, p))
