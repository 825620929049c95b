"""The weekly report: alert trends, new and changed rules, false positives with threshold suggestions
(the runbook's "check for false positives, update rule thresholds"), time to acknowledge and resolve,
top principals and IPs.

Threshold suggestions: every rule whose false-positive rate among judged alerts (resolved or false
positive) is at least `reports.false_positive_rate` is backtested over the week; the suggestion is the
smallest threshold that would have raised no more alerts per day than analysts kept (resolved or still
open) — at least one per week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.alerts.model import Alert
from workbench.reports.common import (
    SEVERITIES,
    period_alerts,
    rule_outcomes,
    severity_counts,
    timing_frame,
    top_entities,
)
from workbench.reports.period import Period, period

if TYPE_CHECKING:
    from workbench.alerts import AlertStore
    from workbench.config import Settings


@dataclass
class WeeklyFigures:
    period: Period
    alerts: list[Alert]
    by_severity: dict[str, int]
    previous_by_severity: dict[str, int]
    per_day: pd.DataFrame  # day × severity, alerts first seen that day
    rule_changes: pd.DataFrame
    rules: pd.DataFrame  # per-rule outcomes with fp rate and suggestions
    timings: pd.DataFrame
    principals: pd.DataFrame
    ips: pd.DataFrame
    problems: list[str]
    rule_scope: str = ""  # which rule folders rule_changes read (the team's, not the bundled pack)
    settings: Settings | None = None  # for IP labels in the view; not a figure

    def as_dict(self) -> dict[str, Any]:
        return {"kind": "weekly", "label": self.period.label, "start": self.period.start, "end": self.period.end,
                "alerts_total": len(self.alerts), "alerts_by_severity": self.by_severity,
                "previous_by_severity": self.previous_by_severity,
                "rule_changes": _records(self.rule_changes), "rules": _records(self.rules),
                "timings": _records(self.timings), "top_principals": _records(self.principals),
                "top_ips": _records(self.ips), "problems": self.problems}

    def summary_lines(self) -> list[str]:
        total, before = len(self.alerts), sum(self.previous_by_severity.values())
        sev = ", ".join(f"{n} {s}" for s, n in self.by_severity.items() if n) or "none"
        suggested = self.rules.dropna(subset=["suggested threshold"]) if not self.rules.empty else self.rules
        overall = self.timings[self.timings["severity"] == "all"]
        ack = overall["median h to ack"].iloc[0] if not overall.empty else None
        acked = int(overall["acknowledged"].iloc[0]) if not overall.empty else 0
        # A median of one is not a median: say how many alerts it stands on.
        basis = ("" if not total else f" (none of {total} alerts acknowledged)" if not acked
                 else f" (from {acked} of {total} alerts acknowledged)")
        changes = (f"{len(self.rule_changes)} new or changed in {self.rule_scope}" if self.rule_scope
                   else "none of the workspace's own (it has no rules/ folder; the bundled pack is in use)")
        return [f"Alerts active in {self.period.label}: {total} ({sev}); previous week {before}",
                f"Rules: {changes}; {len(suggested)} threshold suggestions",
                f"Median time to acknowledge: {'—' if ack is None or ack != ack else f'{ack:.1f} h'}{basis}"]


def per_day(alerts: list[Alert], p: Period) -> pd.DataFrame:
    """Alerts first seen each day of the period, by severity (days with none are zero)."""
    frame = pd.DataFrame(0, index=[d.isoformat() for d in p.days], columns=SEVERITIES)
    for a in alerts:
        day = a.first_seen.date()
        if p.first <= day <= p.last:
            frame.loc[day.isoformat(), a.severity.value] += 1
    frame.index.name = "day"
    return frame


def suggest_thresholds(settings: Settings, rules_by_id: dict[str, Any], outcomes: pd.DataFrame, p: Period,
                       problems: list[str]) -> pd.DataFrame:
    """Add `suggested threshold` / `current threshold` / `backtest alerts` to noisy rules' rows."""
    from workbench.detect.backtest import backtest
    from workbench.engines import get_engine

    outcomes = outcomes.assign(**{"current threshold": None, "suggested threshold": None, "backtest alerts": None})
    limit = settings.reports.false_positive_rate
    noisy = [i for i, row in outcomes.iterrows() if row["fp rate"] is not None and row["fp rate"] == row["fp rate"]
             and row["fp rate"] >= limit]
    if not noisy:
        return outcomes
    with get_engine(settings.engine, settings) as engine:
        for i in noisy:
            row = outcomes.loc[i]
            rule = rules_by_id.get(row["rule"])
            if rule is None:
                problems.append(f"rule {row['rule']}: not in the loaded rule pack; no backtest")
                continue
            try:
                bt = backtest(rule, p.start, p.end, engine)
            except Exception as exc:  # noqa: BLE001 - one rule's failure leaves the others' suggestions
                problems.append(f"rule {rule.id}: backtest failed: {type(exc).__name__}: {exc}")
                continue
            kept = int(row["alerts"] - row["false positives"])
            target = max(kept, 1) / len(p.days)
            outcomes.at[i, "current threshold"] = rule.threshold.count if rule.threshold else 1
            outcomes.at[i, "suggested threshold"] = bt.suggest_threshold(max_alerts_per_day=target)
            outcomes.at[i, "backtest alerts"] = bt.total_alerts
    return outcomes


def build_weekly(settings: Settings, store: AlertStore, week: str | date | None = None,
                 rules: list[Any] | None = None) -> WeeklyFigures:
    from workbench.reports.rulechanges import rule_changes
    from workbench.resources import search_paths
    from workbench.rules import load_rules

    p = period("weekly", week)
    problems: list[str] = []
    roots = search_paths("rules", settings)
    team = team_rule_roots(settings, roots)
    if rules is None:
        ruleset = load_rules(roots)
        rules = ruleset.rules
        problems += [issue.format() for issue in ruleset.errors]
    alerts = period_alerts(store, p)
    outcomes = suggest_thresholds(settings, {r.id: r for r in rules}, rule_outcomes(alerts), p, problems)
    return WeeklyFigures(
        period=p, alerts=alerts, by_severity=severity_counts(store, p),
        previous_by_severity=severity_counts(store, p.previous()), per_day=per_day(alerts, p),
        rule_changes=rule_changes(rules, team, p.start, p.end, only_roots=True), rules=outcomes,
        timings=timing_frame(alerts), principals=top_entities(alerts, "principal"), ips=top_entities(alerts, "ip"),
        problems=problems, rule_scope=", ".join(_shown(settings, r) for r in team), settings=settings)


def team_rule_roots(settings: Settings, roots: list[Any]) -> list[Any]:
    """The rule folders the team edits: the workspace's and configured ones, not the bundled pack
    (whose history is the product's, not the team's) — unless the workspace *is* the checkout."""
    from pathlib import Path

    from workbench.resources import bundled_dir

    bundled = bundled_dir("rules")
    own = (settings.workspace / "rules").resolve()
    return [r for r in roots if bundled is None or Path(r).resolve() != bundled.resolve()
            or Path(r).resolve() == own]


def _shown(settings: Settings, root: Any) -> str:
    from pathlib import Path

    path = Path(root).resolve()
    try:
        return path.relative_to(settings.workspace.resolve()).as_posix() + "/"
    except ValueError:
        return str(path)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")
