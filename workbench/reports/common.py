"""What the three reports share: the alerts of a period, audit-trail timings, entity counts, links.

Alerts belong to a period when they were *active* in it (last_seen ≥ start and first_seen < end) —
the same rule as `store.list(since=, until=)`, so a report's counts equal `store.count(...)`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.alerts.model import Alert, Severity, Status, entities
from workbench.cost import usd  # noqa: F401 - the report modules format money with it
from workbench.timewindow import iso_z

if TYPE_CHECKING:
    from workbench.alerts import AlertStore
    from workbench.config import Settings
    from workbench.reports.period import Period

SEVERITIES = [s.value for s in sorted(Severity, reverse=True)]  # critical first
REPORTS_DIR = Path("reports")
# Actors that are the system itself, not a person triaging.
SYSTEM_ACTORS = ("detector", "mantissa-")


def report_file(settings: Settings, kind: str, label: str, suffix: str = ".html") -> Path:
    return settings.workspace / REPORTS_DIR / kind / f"{label}{suffix}"


def report_link(settings: Settings, kind: str, label: str) -> str:
    """Where a summary message points: under routing.base_url when set, else the local file."""
    relative = f"{REPORTS_DIR.as_posix()}/{kind}/{label}.html"
    base = settings.routing.base_url
    return f"{base.rstrip('/')}/{relative}" if base else report_file(settings, kind, label).as_uri()


def investigation_link(settings: Settings, alert_id: str) -> str | None:
    """The relative link from a reports/<kind>/ page to the alert's investigation, if it was rendered."""
    from workbench.investigate.report import REPORTS_DIR as INVESTIGATIONS
    from workbench.investigate.report import report_stem

    stem = report_stem(alert_id)
    if (settings.workspace / INVESTIGATIONS / f"{stem}.html").is_file():
        return f"../investigations/{stem}.html"
    return None


def period_alerts(store: AlertStore, period: Period) -> list[Alert]:
    return store.list(since=period.start, until=period.end, limit=None, order_by="-severity")


def severity_counts(store: AlertStore, period: Period) -> dict[str, int]:
    return {s: store.count(severity=s, since=period.start, until=period.end) for s in SEVERITIES}


def is_system(actor: str) -> bool:
    return actor == SYSTEM_ACTORS[0] or actor.startswith(SYSTEM_ACTORS[1])


@dataclass
class Timings:
    """Time to acknowledge (first move out of `new`) and to resolve (first close) of one alert."""

    alert_id: str
    severity: str
    created: datetime
    acknowledged: datetime | None
    closed: datetime | None
    closed_as: str | None

    @property
    def to_ack_s(self) -> float | None:
        return (self.acknowledged - self.created).total_seconds() if self.acknowledged else None

    @property
    def to_resolve_s(self) -> float | None:
        return (self.closed - self.created).total_seconds() if self.closed else None


def timings(alert: Alert) -> Timings:
    created = next((e.when for e in alert.audit if e.action == "created"), alert.created_at)
    acked = closed = None
    closed_as = None
    for entry in alert.audit:
        new_status = (entry.changes.get("status") or [None, None])[1]
        if new_status is None or entry.action == "created":
            continue
        if acked is None and new_status != Status.new.value:
            acked = entry.when  # closing straight away counts as acknowledging too
        if closed is None and new_status in (Status.resolved.value, Status.false_positive.value):
            closed, closed_as = entry.when, new_status
    return Timings(alert.id, alert.severity.value, created, acked, closed, closed_as)


def timing_frame(alerts: list[Alert]) -> pd.DataFrame:
    """Per severity: alerts, acknowledged, closed, median and p90 hours to acknowledge and to resolve."""
    rows = [timings(a) for a in alerts]
    out = []
    for severity in [*SEVERITIES, "all"]:
        chosen = [t for t in rows if severity in ("all", t.severity)]
        if not chosen:
            continue
        ack = pd.Series([t.to_ack_s for t in chosen if t.to_ack_s is not None], dtype=float) / 3600
        res = pd.Series([t.to_resolve_s for t in chosen if t.to_resolve_s is not None], dtype=float) / 3600
        out.append({"severity": severity, "alerts": len(chosen), "acknowledged": len(ack), "closed": len(res),
                    "median h to ack": _q(ack, 0.5), "p90 h to ack": _q(ack, 0.9),
                    "median h to resolve": _q(res, 0.5), "p90 h to resolve": _q(res, 0.9)})
    return pd.DataFrame(out, columns=["severity", "alerts", "acknowledged", "closed", "median h to ack",
                                      "p90 h to ack", "median h to resolve", "p90 h to resolve"])


def _q(series: pd.Series, q: float) -> float | None:
    return None if series.empty else round(float(series.quantile(q)), 3)


def top_entities(alerts: list[Alert], kind: str, top: int = 10) -> pd.DataFrame:
    """The principals (kind 'principal') or source IPs ('ip') named by the most alerts."""
    counts: Counter[str] = Counter()
    worst: dict[str, Severity] = {}
    for alert in alerts:
        for k, value in entities(alert):
            if k == kind:
                counts[value] += 1
                worst[value] = max(worst.get(value, alert.severity), alert.severity)
    rows = [{kind: value, "alerts": n, "worst severity": worst[value].value} for value, n in counts.most_common(top)]
    return pd.DataFrame(rows, columns=[kind, "alerts", "worst severity"])


def rule_outcomes(alerts: list[Alert]) -> pd.DataFrame:
    """Per rule: alerts, events, open, resolved, false positives, false-positive rate among judged ones."""
    rows: dict[str, dict[str, Any]] = {}
    for a in alerts:
        row = rows.setdefault(a.rule_id, {"rule": a.rule_id, "severity": a.severity.value, "alerts": 0,
                                          "events": 0, "open": 0, "resolved": 0, "false positives": 0})
        row["alerts"] += 1
        row["events"] += a.count
        row["open"] += a.status.is_open
        row["resolved"] += a.status == Status.resolved
        row["false positives"] += a.status == Status.false_positive
    for row in rows.values():
        judged = row["resolved"] + row["false positives"]
        # Only judged alerts say anything about precision: an open alert may still be either.
        row["fp rate"] = round(row["false positives"] / judged, 3) if judged else None
    columns = ["rule", "severity", "alerts", "events", "open", "resolved", "false positives", "fp rate"]
    frame = pd.DataFrame(list(rows.values()), columns=columns)
    return frame.sort_values(["alerts", "rule"], ascending=[False, True]).reset_index(drop=True)


def alert_rows(settings: Settings, alerts: list[Alert]) -> list[dict[str, Any]]:
    """Alert rows for a table, with the investigation link where one was rendered."""
    rows = []
    for a in alerts:
        rows.append({"severity": a.severity.value, "title": a.title, "rule": a.rule_id, "status": a.status.value,
                     "count": a.count, "first_seen": iso_z(a.first_seen), "last_seen": iso_z(a.last_seen),
                     "id": a.id, "investigation": investigation_link(settings, a.id)})
    return rows
