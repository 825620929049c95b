"""Detection watching itself: N failed runs in a row raise an alert of our own.

The alert (rule id `mantissa-detection-failing`, severity high, tag `mantissa:ops`) goes into the
alert store like any detection alert, so routing delivers it — a route matching
`rule_id: "mantissa-*"` sends it to an ops channel. Its event ids are the failed runs' ids: while
the streak lasts each new failure raises its count (an `update`), and the first successful run
resolves it (a `resolve`). Called by the detect flow after each run; idempotent, so calling it
twice for the same runs changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workbench.alerts.model import Alert, Evidence, Severity, Status

if TYPE_CHECKING:
    from workbench.alerts import AlertStore
    from workbench.config import Settings

FAILING_RULE_ID = "mantissa-detection-failing"
DEFAULT_THRESHOLD = 3
ACTOR = "mantissa-health"
_LOOK_BACK_RUNS = 500  # a longer streak keeps its alert: the open one is found by rule id


@dataclass
class HealthOutcome:
    """What the check did: `action` is none | raised | updated | unchanged | resolved."""

    action: str
    streak: int = 0
    alert_id: str | None = None

    def format(self) -> str:
        if self.action == "none":
            return f"detection health: {self.streak} failed run(s) in a row, below the alert threshold"
        return f"detection health: {self.action} alert {self.alert_id} ({self.streak} failed run(s) in a row)"


def _open_alert(store: AlertStore) -> Alert | None:
    open_ones = store.list(status=[s.value for s in Status if s.is_open], rule_id=FAILING_RULE_ID,
                           limit=1, order_by="-last_seen")
    return open_ones[0] if open_ones else None


def _failing_streak(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    streak = []
    for run in runs:  # newest first
        if run.get("status") != "failed":
            break
        streak.append(run)
    return streak


def _alert_for(streak: list[dict[str, Any]], alert_id: str) -> Alert:
    newest, oldest = streak[0], streak[-1]
    failed_rules = sorted({r for run in streak for r in run.get("rules_failed", [])})
    errors = {rule: err for run in reversed(streak) for rule, err in (run.get("errors") or {}).items()}
    rows = [{"run_id": run.get("id"), "started": run.get("started"), "window_start": run.get("window_start"),
             "window_end": run.get("window_end"), "rules_run": run.get("rules_run"),
             "rules_failed": ", ".join(run.get("rules_failed", []))} for run in streak]
    return Alert(
        id=alert_id, rule_id=FAILING_RULE_ID, severity=Severity.high,
        title=f"Detection is failing: {len(streak)} runs in a row ({len(failed_rules)} rules)",
        first_seen=oldest["started"], last_seen=newest["started"],
        group_keys={"check": "detection"},
        fields={"failed_runs": len(streak), "last_run": newest.get("id"), "failed_rules": failed_rules,
                "errors": dict(sorted(errors.items())[:20]),
                "what_to_do": "run `mantissa doctor`, then `mantissa detect` to see each rule's error"},
        tags=["mantissa:ops", "detection-health"],
        evidence=Evidence(rows=rows),
    )


def check_detection_health(store: AlertStore, settings: Settings | None = None, *,
                           threshold: int = DEFAULT_THRESHOLD, now: datetime | None = None) -> HealthOutcome:
    """Raise (or update) the `mantissa-detection-failing` alert when the newest `threshold` runs all
    failed; resolve the open one once a run succeeds. `settings` is accepted for the detect flow's
    convenience (the threshold may move into config later); the store holds everything needed."""
    del settings, now  # the run records carry their own times
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, got {threshold}")
    runs = store.list_runs(limit=_LOOK_BACK_RUNS)
    streak = _failing_streak(runs)
    current = _open_alert(store)
    if not streak:
        if current is None or not runs:
            return HealthOutcome("none")
        store.set_status(current.id, Status.resolved, ACTOR,
                         reason=f"detection recovered: run {runs[0].get('id')} succeeded")
        return HealthOutcome("resolved", 0, current.id)
    if len(streak) < threshold:
        return HealthOutcome("none", len(streak), current.id if current else None)
    # One alert per streak: reuse the open one, else name it after the streak's first failed run.
    alert_id = current.id if current else (
        "mantissa-detection-failing-" + hashlib.sha256(str(streak[-1].get("id")).encode()).hexdigest()[:12])
    outcome = store.upsert_alert(_alert_for(streak, alert_id), [str(r.get("id")) for r in streak], actor=ACTOR)
    action = {"new": "raised", "updated": "updated"}.get(outcome.action, outcome.action)
    return HealthOutcome(action, len(streak), alert_id)
