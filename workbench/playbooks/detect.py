"""The detect playbook's steps, shared by `playbooks/detect.ipynb` and `mantissa detect --no-notebook`.

Two modes. With a start (and optionally an end) the rules run over exactly that window, which is
how an analyst re-runs history. Without one, each rule catches up from its checkpoint in
scheduled windows (`detection.interval`, at most `detection.max_catchup_windows`), which is what
the schedule does every 15 minutes. `lookback` is the overlap re-read before each window for
CloudTrail's delivery delay. A dry run writes nothing: it evaluates the window given, or the last
full scheduled window, and lists the alerts it would raise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.timewindow import Window, iso_z, parse_duration

if TYPE_CHECKING:
    import pandas as pd

    from workbench.config import Settings
    from workbench.detect import RunRecord
    from workbench.rules import LintIssue

MAX_RUN_LINES = 4  # beyond this many windows, the command line prints totals and notable windows
SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}


@dataclass
class DetectReport:
    mode: str  # "window" | "catch-up" | "dry-run"
    engine: str
    dry_run: bool
    interval: str
    rules_loaded: int
    runs: list[RunRecord] = field(default_factory=list)
    rule_errors: list[LintIssue] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    deliveries: dict[str, Any] | None = None  # workbench.routing: counts per destination, no secrets
    # detection.behind_refresh: where the refresh's published hours end ("" when none is published).
    refreshed_until: str | None = None

    @property
    def failed(self) -> bool:
        return bool(self.rule_errors) or any(run.failed for run in self.runs)

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "engine": self.engine, "dry_run": self.dry_run,
                "interval": self.interval, "rules_loaded": self.rules_loaded,
                "rule_errors": [issue.format() for issue in self.rule_errors],
                "runs": [run.as_dict() for run in self.runs], "alerts": self.alerts,
                "deliveries": self.deliveries, "refreshed_until": self.refreshed_until,
                "status": "failed" if self.failed else "ok"}


def _time(value: str | datetime | None) -> datetime | None:
    from workbench.timewindow import parse_time

    return None if value is None or value == "" else parse_time(value)


def run_detect(
    start: str | datetime | None = None,
    end: str | datetime | None = None,
    lookback: str | None = None,
    rules_path: str | Path | None = None,
    engine: str | None = None,
    dry_run: bool = False,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> DetectReport:
    """Load the rules (collecting load errors), run them, and gather the new alerts."""
    from workbench.alerts import get_store
    from workbench.config import load_settings
    from workbench.detect import due_windows, run_detections, run_due
    from workbench.engines import get_engine
    from workbench.resources import search_paths
    from workbench.routing import build_router
    from workbench.rules import load_rules

    settings = settings or load_settings()
    det = settings.detection
    lookback = lookback or det.lookback
    parse_duration(lookback)  # a bad value fails here, before any rule runs
    start_t, end_t, now = _time(start), _time(end), now or datetime.now(UTC)
    if end_t is not None and start_t is None:
        raise ValueError("end needs start: give both, or neither to catch up from the checkpoints")
    paths = [settings.resolve(Path(rules_path))] if rules_path else search_paths("rules", settings)
    ruleset = load_rules(paths)
    engine_name = engine or settings.engine
    report = DetectReport(mode="window" if start_t else ("dry-run" if dry_run else "catch-up"),
                          engine=engine_name, dry_run=dry_run, interval=det.interval,
                          rules_loaded=len(ruleset.rules), rule_errors=list(ruleset.errors))
    # Routing is built first: a destination whose secret cannot be read fails the run before any rule.
    router = None if dry_run else build_router(settings)
    with get_engine(engine_name, settings) as eng, get_store(settings) as store:
        due_until: datetime | None = None
        if start_t is not None:
            window = Window(start_t, end_t or now)
            # A window chosen by hand (history, a re-run) must not move the schedule's checkpoints.
            report.runs = [run_detections(ruleset.rules, window.start, window.end, eng, store,
                                          lookback=lookback, dry_run=dry_run, checkpoint=False)]
        elif (due_until := _behind_refresh(settings, store, ruleset.rules, now)) is None:
            report.runs = []  # behind the lake refresh, which has published nothing yet
            report.refreshed_until = ""
        elif dry_run:
            windows = due_windows(None, due_until, parse_duration(det.interval), 1)
            report.runs = [run_detections(ruleset.rules, s, e, eng, store, lookback=lookback, dry_run=True)
                           for s, e in windows]
        else:
            report.runs = run_due(ruleset.rules, eng, store, now=due_until, interval=det.interval,
                                  lookback=lookback, max_windows=det.max_catchup_windows)
        if settings.detection.behind_refresh and start_t is None and due_until is not None:
            report.refreshed_until = due_until.strftime("%Y-%m-%dT%H:%M:%SZ")
        report.alerts = _new_alerts(report, store, {r.id: r for r in ruleset.rules})
        if not dry_run:
            from workbench.doctor import check_detection_health

            # Detection failing run after run raises an alert of our own, routed with the others below.
            check_detection_health(store, settings)
            from workbench.cost import check_budget_after_run

            # Today's query spend over cost.daily_budget_usd raises mantissa-cost-budget (once a day).
            check_budget_after_run(settings, store)
        if router is not None:
            report.deliveries = _deliver(settings, store, router)
    return report


def _behind_refresh(settings: Settings, store: Any, rules: list[Any], now: datetime) -> datetime | None:
    """Where the scheduled catch-up stops: `now`, or with `detection.behind_refresh` no later than
    the end of the hours the lake refresh has published (`workbench.lake.refresh.watermark`);
    None when it has published none."""
    if not settings.detection.behind_refresh:
        return now
    from workbench.lake.refresh.watermark import refreshed_until

    marks = [m for r in rules if r.enabled and (m := store.get_checkpoint(r.id)) is not None]
    until = refreshed_until(settings, min(marks) if marks else None)
    return min(now, until) if until is not None else None


def _deliver(settings: Settings, store: Any, router: Any) -> dict[str, Any]:
    """Queue and send what the stored alerts owe. A failure here loses nothing: the alerts are
    stored and unrouted, so the next run routes them."""
    from workbench.routing import deliver

    try:
        with router:
            run = deliver(settings, store, router)
        return run.as_dict() if run else {}
    except Exception as exc:  # noqa: BLE001 - delivery trouble must not fail detection
        return {"error": router.redactor(f"{type(exc).__name__}: {exc}")}


def _new_alerts(report: DetectReport, store: Any, rules: dict[str, Any]) -> list[dict[str, Any]]:
    rows, seen = [], set()
    for run in report.runs:
        for outcome in run.rules:
            for alert_id in outcome.alerts_new:
                if alert_id in seen:
                    continue
                seen.add(alert_id)
                rule = rules.get(outcome.rule_id)
                if run.dry_run:
                    # Nothing was stored: say what would have been, from the rule itself.
                    rows.append({"severity": getattr(rule, "severity", "?"),
                                 "title": f"{getattr(rule, 'title', outcome.rule_id)} (dry run, not stored)",
                                 "count": None, "first_seen": None, "last_seen": None,
                                 "rule": outcome.rule_id, "id": alert_id})
                    continue
                alert = store.get(alert_id)
                rows.append({"severity": str(getattr(alert.severity, "value", alert.severity)),
                             "title": alert.title, "count": alert.count,
                             "first_seen": iso_z(alert.first_seen), "last_seen": iso_z(alert.last_seen),
                             "rule": alert.rule_id, "id": alert.id})
    return sorted(rows, key=lambda r: (-SEVERITY_RANK.get(r["severity"], -1), r["rule"], r["id"]))


# ---- what the playbook shows --------------------------------------------------------------------
def runs_frame(report: DetectReport) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([{
        "run": run.id, "window": str(Window(run.window_start, run.window_end)), "engine": run.engine,
        "rules run": len(run.rules), "rules failed": len(run.failed), "new alerts": len(run.alerts_new),
        "updated alerts": len(run.alerts_updated), "query s": round(sum(r.query_s for r in run.rules), 3),
        "bytes scanned": sum(r.bytes_scanned for r in run.rules),
        "cost usd": round(sum(r.cost_usd for r in run.rules), 6),
    } for run in report.runs])


def rules_frame(report: DetectReport) -> pd.DataFrame:
    """One row per rule, summed over the windows of the report (a catch-up run has many)."""
    import pandas as pd

    rows: dict[str, dict[str, Any]] = {}
    for run in report.runs:
        for r in run.rules:
            row = rows.setdefault(r.rule_id, {"rule": r.rule_id, "windows": 0, "failed": 0, "rows": 0,
                                              "query s": 0.0, "bytes scanned": 0, "new": 0, "updated": 0,
                                              "error": ""})
            row["windows"] += 1
            row["failed"] += r.status == "failed"
            row["rows"] += r.rows
            row["query s"] = round(row["query s"] + r.query_s, 3)
            row["bytes scanned"] += r.bytes_scanned
            row["new"] += len(r.alerts_new)
            row["updated"] += len(r.alerts_updated)
            row["error"] = row["error"] or (r.error or "")
    return pd.DataFrame(list(rows.values()))


def errors_frame(report: DetectReport) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([{"where": i.location, "rule": i.rule_id or "-", "field": i.field or "-",
                          "problem": i.message} for i in report.rule_errors])


def alerts_frame(report: DetectReport) -> pd.DataFrame:
    import pandas as pd

    columns = ["severity", "title", "count", "first_seen", "last_seen", "rule", "id"]
    return pd.DataFrame(report.alerts, columns=columns)


# ---- the text a command line prints (from the dict, so it reads a notebook's result too) --------
def summary_lines(data: dict[str, Any]) -> list[str]:
    lines = []
    for issue in data.get("rule_errors", []):
        lines.append(f"rule load error: {issue}")
    refreshed = data.get("refreshed_until")
    if not data.get("runs") and refreshed == "":
        lines.append("nothing due: detection.behind_refresh is on and the lake refresh has not yet published an hour "
                     "of each table in refresh.tables (run `mantissa lake refresh`, or set "
                     f"detection.behind_refresh: false) ({data.get('rules_loaded', 0)} rules loaded)")
    elif not data.get("runs") and refreshed:
        lines.append(f"nothing due: every rule is checkpointed up to the last full {data.get('interval')} "
                     f"window before {refreshed} (detection.behind_refresh: no later than the hours the lake "
                     f"refresh has published) ({data.get('rules_loaded', 0)} rules loaded)")
    elif not data.get("runs"):
        lines.append(f"nothing due: every rule is checkpointed up to the last full {data.get('interval')} "
                     f"window ({data.get('rules_loaded', 0)} rules loaded)")
    runs = data.get("runs", [])
    if len(runs) > MAX_RUN_LINES:
        # A long catch-up: totals, then only the windows worth reading (failures, alerts).
        lines.append(f"{len(runs)} windows [{_z(runs[0]['window_start'])}, {_z(runs[-1]['window_end'])}) "
                     f"on {runs[0]['engine']}: {sum(len(r['rules_failed']) for r in runs)} rule failures, "
                     f"{sum(len(r['alerts_new']) for r in runs)} new alerts, "
                     f"{sum(len(r['alerts_updated']) for r in runs)} updated, "
                     f"{sum(r['query_s'] for r in runs):.2f}s query time, "
                     f"{sum(r['bytes_scanned'] for r in runs):,} bytes scanned")
        runs = [r for r in runs if r["rules_failed"] or r["alerts_new"] or r["alerts_updated"]]
    for run in runs:
        prefix = "dry run " if run.get("dry_run") else "run "
        lines.append(
            f"{prefix}{run['id']} [{_z(run['window_start'])}, {_z(run['window_end'])}) on {run['engine']}: "
            f"{run['rules_run']} rules, {len(run['rules_failed'])} failed, {len(run['alerts_new'])} new "
            f"alerts, {len(run['alerts_updated'])} updated, {run['query_s']:.2f}s query time, "
            f"{run['bytes_scanned']:,} bytes scanned")
        for rule_id, error in run.get("errors", {}).items():
            lines.append(f"  FAILED {rule_id}: {error}")
    for alert in data.get("alerts", []):
        count = "" if alert.get("count") is None else f" ×{alert['count']}"
        lines.append(f"  new [{alert['severity']}] {alert['title']}{count}  ({alert['id']})")
    if data.get("deliveries"):
        from workbench.routing import summary_line

        lines.append(summary_line(data["deliveries"]) or "")
    return lines


def failed_rules(data: dict[str, Any]) -> list[str]:
    return sorted({rule for run in data.get("runs", []) for rule in run.get("rules_failed", [])})


def _z(value: Any) -> str:
    return iso_z(value) if isinstance(value, datetime) else str(value)
