"""`mantissa rules test`: each rule test's events go into a throwaway lake and the rule runs
through the real runner on the local engine — thresholds, windows and dedup included — and the
alerts it raises are compared with the test's expectation.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.catalog import TABLES
from workbench.config import Settings
from workbench.rules import Rule

PAD = timedelta(hours=1)


@dataclass
class RuleTestResult:
    rule_id: str
    test: str
    passed: bool
    message: str = ""
    alerts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def nodeid(self) -> str:
        return f"{self.rule_id}::{self.test}"


def _event_times(table: str, events: Iterable[dict[str, Any]]) -> pd.Series:
    if table == "vpc_flow":
        starts = [e.get("start") for e in events]
        return pd.to_datetime(pd.Series(starts, dtype="int64"), unit="s", utc=True)
    key = "updatedAt" if table == "guardduty" else "eventTime"
    return pd.to_datetime(pd.Series([e.get(key) for e in events]), utc=True, format="ISO8601")


def _matches(expected: dict[str, Any], actual: dict[str, str]) -> bool:
    return all(str(actual.get(k.lower())) == str(v) for k, v in expected.items())


def run_rule_test(rule: Rule, test_index: int) -> RuleTestResult:
    from workbench.alerts import get_store
    from workbench.detect.runner import run_detections
    from workbench.engines import get_engine
    from workbench.lake import write_records
    from workbench.rules.tuning import tuned_for_test

    test = rule.tests[test_index]
    table = rule.table or "cloudtrail"
    rule, problems = tuned_for_test(rule, test_index)
    if problems:
        return RuleTestResult(rule.id, test.name, False, "the test's tuning: " + "; ".join(
            p.format() for p in problems))
    with tempfile.TemporaryDirectory(prefix="mantissa-ruletest-") as tmp:
        settings = Settings(workspace=Path(tmp))
        # A first-seen rule's history goes into the lake before its events: the runner's first-enable
        # backfill learns it, as it would learn a workspace's real history.
        summary = write_records(table, [*test.history, *test.events], settings.lake)
        if summary.total_quarantined:
            reasons = ", ".join(f"{n}× {why}" for why, n in summary.quarantined.items())
            return RuleTestResult(rule.id, test.name, False,
                                  f"{summary.total_quarantined} test event(s) could not be ingested: {reasons}")
        times = _event_times(table, test.events)
        start, end = times.min().to_pydatetime() - PAD, times.max().to_pydatetime() + PAD
        with get_engine("local", settings) as engine, get_store(settings, backend="sqlite") as store:
            enabled = rule.model_copy(update={"enabled": True})
            if rule.new_terms:  # the test's history is the whole history: alert from the first event
                from workbench.detect.newterms import backfill
                from workbench.detect.terms import get_term_store

                with get_term_store(settings, backend="sqlite") as terms:
                    backfill(enabled, engine, terms, end=start, progress=False, complete=True)
            run = run_detections([enabled], start, end, engine, store, lookback=timedelta(0))
            if run.failed:
                return RuleTestResult(rule.id, test.name, False, f"the rule failed: {run.failed[0].error}")
            alerts = store.list(rule_id=rule.id, limit=1000)
    got = [{"count": a.count, "group_keys": a.group_keys, "title": a.title} for a in alerts]
    expect = test.expect
    problems = []
    if len(alerts) != expect.count:
        problems.append(f"expected {expect.count} alert(s), got {len(alerts)}")
    for wanted in expect.group_keys:
        if not any(_matches(wanted, a.group_keys) for a in alerts):
            problems.append(f"no alert with group keys {wanted} (got {[a.group_keys for a in alerts]})")
    for title in expect.titles:
        if title not in [a.title for a in alerts]:
            problems.append(f"no alert titled {title!r} (got {[a.title for a in alerts]})")
    return RuleTestResult(rule.id, test.name, not problems, "; ".join(problems), got)


def run_rule_tests(rules: Iterable[Rule]) -> list[RuleTestResult]:
    results = []
    for rule in rules:
        if rule.table and rule.table not in TABLES:
            continue
        for index in range(len(rule.tests)):
            try:
                results.append(run_rule_test(rule, index))
            except Exception as exc:  # noqa: BLE001 - one broken test must not hide the others
                results.append(RuleTestResult(rule.id, rule.tests[index].name, False,
                                              f"{type(exc).__name__}: {exc}"))
    return results


def format_report(results: list[RuleTestResult]) -> str:
    lines = [f"{'PASSED' if r.passed else 'FAILED'} {r.nodeid}" + ("" if r.passed else f" — {r.message}")
             for r in results]
    passed = sum(r.passed for r in results)
    lines.append(f"{passed} passed, {len(results) - passed} failed")
    return "\n".join(lines)
