"""The engine-neutral pack plan: a window costs a few statements per table, and splitting the
shared scan's rows back to the rules answers exactly as one query per rule does."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pandas as pd
import sqlglot
from sqlglot import exp

from tests.detect.events import BURST_RULE, ROOT_RULE, T0, burst, rule
from tests.detect.test_batch_equivalence import PACK, OneQueryPerRule, _alerts, _pack_lake
from workbench.alerts import get_store
from workbench.config import Settings
from workbench.detect import run_detections
from workbench.detect.plan.census import member, take_census
from workbench.detect.plan.onescan import one_scan_census_sql
from workbench.detect.plan.pack import plan_window, run_pack, window_statements
from workbench.detect.plan.statements import Statement
from workbench.detect.runner import evaluation_window
from workbench.engines import Result
from workbench.engines.local import LocalEngine
from workbench.lake import write_records
from workbench.rules import Rule, load_rules
from workbench.timewindow import Window


class PlanEngine(LocalEngine):
    """The local engine running the engine-neutral plan's statements, as Athena would, and
    recording each batch of statements it was given."""

    SHARES_SCANS_ITSELF = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.batches: list[list[Statement]] = []

    def run_plan(self, statements: Sequence[Statement]) -> list[Result | Exception]:
        self.batches.append(list(statements))
        return super().run_plan(statements)


class FailingScans(PlanEngine):
    """Every shared scan fails (a statement Athena rejects); the rest run."""

    def run_plan(self, statements: Sequence[Statement]) -> list[Result | Exception]:
        answers = super().run_plan(statements)
        return [RuntimeError("scan refused") if s.kind == "scan" else a
                for s, a in zip(statements, answers, strict=True)]


NESTED = rule(ROOT_RULE, id="reads-resources-whole",
              query="SELECT eventtime, eventid, useridentity.arn AS actor, resources FROM cloudtrail "
                    "WHERE eventname = 'ConsoleLogin'")
EXTRA = [
    rule(BURST_RULE, id="burst-user"),
    rule(ROOT_RULE),
    rule(ROOT_RULE, id="no-where", query="SELECT eventtime, eventid, useridentity.arn AS actor FROM cloudtrail"),
    rule(ROOT_RULE, id="broken", query="SELECT eventtime, eventid, nosuchcolumn FROM cloudtrail WHERE eventname = 'x'"),
    NESTED,
]
ALONE = {"no-where", "reads-resources-whole"}  # "broken" shares, fails over the rows, then runs alone


def _pack() -> list[Rule]:
    return [r for r in load_rules([PACK]).rules if r.tests and not r.new_terms]


def _windows(rules: list[Rule], start, end) -> list[Window]:
    return [evaluation_window(r, start, end, timedelta(minutes=15))[0] for r in rules]


def test_the_plan_alerts_as_one_query_per_rule(workspace: Path, tmp_path: Path) -> None:
    rules = [*_pack(), *EXTRA]
    planned = Settings(workspace=tmp_path / "plan", lake_path=tmp_path / "lake")
    start, end = _pack_lake(planned.lake, rules)
    write_records("cloudtrail", burst("bob", start + timedelta(minutes=3), 12), planned.lake)
    alone = Settings(workspace=tmp_path / "alone", lake_path=planned.lake)
    with PlanEngine(planned) as engine, get_store(planned) as store, \
            OneQueryPerRule(alone) as alone_engine, get_store(alone) as alone_store:
        by_plan = run_detections(rules, start, end, engine, store)
        by_rule = run_detections(rules, start, end, alone_engine, alone_store)
        assert [(r.rule_id, r.status, r.error, r.rows) for r in by_plan.rules] == [
            (r.rule_id, r.status, r.error, r.rows) for r in by_rule.rules]
        assert [r.rule_id for r in by_plan.failed] == ["broken"]
        assert {r.rule_id for r in by_plan.rules if r.alerts_new} >= {"burst-user", "no-where"}
        assert _alerts(store) == _alerts(alone_store) and _alerts(store)
        kinds = Counter((s.kind, s.table) for batch in engine.batches for s in batch)
    # Phase 1: the census and the rules alone; phase 2: a scan per table; then "broken" alone.
    assert kinds[("census", "cloudtrail")] == 1
    assert {t for (k, t) in kinds if k == "scan"} == {"cloudtrail", "guardduty", "vpc_flow"}
    assert all(n == 1 for (k, _), n in kinds.items() if k == "scan")
    ran_alone = [s.rules[0] for batch in engine.batches for s in batch if s.kind == "rule"]
    assert sorted(ran_alone) == sorted([*ALONE, "broken"])
    # The scans read each table once: far fewer bytes than one read per rule.
    assert sum(r.bytes_scanned for r in by_plan.rules) < sum(r.bytes_scanned for r in by_rule.rules) / 5


def test_a_window_costs_two_statements_per_table_plus_one_per_rule_alone() -> None:
    rules = [*_pack(), *EXTRA]
    windows = _windows(rules, T0, T0 + timedelta(minutes=15))
    plan = plan_window(rules, windows)
    assert {rules[i].id for i in plan.solo} == ALONE
    assert "no WHERE" in plan.reasons[rules.index(next(r for r in rules if r.id == "no-where"))]
    assert "resources whole" in plan.reasons[rules.index(NESTED)]
    for hot in (None, set()):  # every threshold rule hot, or none
        statements = window_statements(rules, windows, hot)
        per_table = Counter(s.table for s in statements if s.kind != "rule")
        assert per_table and all(n <= 2 for n in per_table.values()), per_table  # noqa: PLR2004
        assert len([s for s in statements if s.kind == "rule"]) == len(ALONE)
        assert len(statements) <= 2 * len(per_table) + len(ALONE)
    # Every rule is served by exactly one statement (a cold threshold rule by its census alone).
    served = Counter(r for s in window_statements(rules, windows) if s.kind != "census" for r in s.rules)
    assert sorted(served) == sorted(r.id for r in rules) and set(served.values()) == {1}


def test_the_census_reads_its_table_once_and_agrees_with_the_duckdb_census(workspace: Path, tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path / "w", lake_path=tmp_path / "lake")
    write_records("cloudtrail", burst("bob", T0 + timedelta(minutes=3), 12), settings.lake)
    write_records("cloudtrail", burst("carol", T0 + timedelta(minutes=20), 4), settings.lake)  # below the count
    denied = rule(BURST_RULE, id="denied-burst", query="""
        SELECT eventtime, eventid, useridentity.username AS username, sourceipaddress
        FROM cloudtrail WHERE errorcode = 'AccessDenied'""")
    wide = rule(BURST_RULE, id="burst-30m", threshold={"count": 14, "window": "30m", "group_by": ["username"]})
    rules = [rule(BURST_RULE), denied, wide]
    entries = [member(r) for r in rules]
    assert all(entries)
    sql = one_scan_census_sql(entries)  # type: ignore[arg-type]
    tree = sqlglot.parse_one(sql, read="athena")
    assert [t.name for t in tree.find_all(exp.Table) if t.name == "cloudtrail"] == ["cloudtrail"]
    assert not tree.find(exp.Union, exp.With)
    window = Window(T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    with PlanEngine(settings) as engine:
        plan = run_pack(rules, [window] * 3, engine)
        census = take_census(rules, [window] * 3, LocalEngine(settings))[0]
    census_batch = [s for s in engine.batches[0] if s.kind == "census"]
    assert len(census_batch) == 1 and census_batch[0].rules == ("console-login-failure-burst", "denied-burst", "burst-30m")
    # Cold rules are answered by the census alone, as by the DuckDB census; the burst rule runs.
    assert set(census.answers) == {1, 2}
    assert all("census" in plan[i].extra for i in (1, 2))  # type: ignore[union-attr]
    assert "shared_scan" in plan[0].extra or plan[0].rows  # type: ignore[union-attr]
    assert plan[0].rows >= 12 and plan[1].rows == 0 and plan[2].rows == 0  # type: ignore[union-attr]  # noqa: PLR2004


def test_a_failed_scan_runs_its_rules_alone(workspace: Path, tmp_path: Path) -> None:
    rules = [*_pack(), *EXTRA]
    settings = Settings(workspace=tmp_path / "plan", lake_path=tmp_path / "lake")
    start, end = _pack_lake(settings.lake, rules)
    alone = Settings(workspace=tmp_path / "alone", lake_path=settings.lake)
    with FailingScans(settings) as engine, OneQueryPerRule(alone) as alone_engine:
        failing = run_detections(rules, start, end, engine, None)
        by_rule = run_detections(rules, start, end, alone_engine, None)
    assert [(r.rule_id, r.status, r.rows, sorted(r.alerts_new)) for r in failing.rules] == [
        (r.rule_id, r.status, r.rows, sorted(r.alerts_new)) for r in by_rule.rules]
    assert len(engine.batches) == 3  # noqa: PLR2004 - census and solos, scans, then their rules alone


def test_a_rule_reading_files_fails_alone_and_its_scan_never_runs(workspace: Path, tmp_path: Path) -> None:
    """Hostile: a lifted condition is copied into the shared scan's SQL. The scan passes the read
    boundary like any statement, so a rule calling a file-reading function sinks the scan, and
    then fails alone; the other rules of the scan are answered by their own queries."""
    settings = Settings(workspace=tmp_path / "w", lake_path=tmp_path / "lake")
    write_records("cloudtrail", burst("bob", T0 + timedelta(minutes=3), 3), settings.lake)
    sneaky = rule(ROOT_RULE, id="sneaky", query="""
        SELECT eventtime, eventid FROM cloudtrail
        WHERE eventname = 'ConsoleLogin' AND length(read_text('/etc/passwd')) > 0""")
    plain = rule(ROOT_RULE, id="logins", query="SELECT eventtime, eventid FROM cloudtrail WHERE eventname = 'ConsoleLogin'")
    window = Window(T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    with PlanEngine(settings) as engine:
        answers = run_pack([sneaky, plain], [window, window], engine)
    assert isinstance(answers[0], Exception) and "read_text" in str(answers[0])
    assert isinstance(answers[1], Result) and answers[1].rows == 3  # noqa: PLR2004
    # The scan was refused before running; then each rule ran alone.
    assert [[s.kind for s in batch] for batch in engine.batches] == [["scan"], ["rule", "rule"]]


FIRST_SEEN_ADDRESS = "first-seen-console-address-after-failures"


def test_the_first_seen_console_address_rule_shares_the_cloudtrail_scan(workspace: Path, tmp_path: Path) -> None:
    """Its successes LEFT JOIN failures lift the successes' WHERE and the failures' own ON
    conditions, so on Athena it no longer reads its columns again in a statement of its own; over
    the split back rows it answers as its query alone (successes with and without failures)."""
    rules = [r for r in load_rules([PACK]).rules if r.enabled and r.tests]
    index = next(i for i, r in enumerate(rules) if r.id == FIRST_SEEN_ADDRESS)
    settings = Settings(workspace=tmp_path / "plan", lake_path=tmp_path / "lake")
    start, end = _pack_lake(settings.lake, rules)
    windows = _windows(rules, start, end)
    plan = plan_window(rules, windows)
    assert index not in plan.solo and index in plan.sharing["cloudtrail"], plan.reasons.get(index)
    scans = [s for s in window_statements(rules, windows) if FIRST_SEEN_ADDRESS in s.rules]
    assert [(s.kind, s.table) for s in scans] == [("scan", "cloudtrail")] and len(scans[0].rules) > 1
    with PlanEngine(settings) as engine:
        answers = run_pack(rules, windows, engine)
        alone = engine.run(plan.parts[index].query, windows[index])
    answer = answers[index]
    assert isinstance(answer, Result) and "shared_scan" in answer.extra
    columns = ["eventid", "principal", "sourceipaddress", "failures_before", "after_failures"]

    def rows(frame: pd.DataFrame) -> list[tuple]:
        return sorted(map(tuple, frame[columns].astype(str).itertuples(index=False)))

    assert rows(answer.frame) == rows(alone.frame)
    failures = sorted(answer.frame["failures_before"].astype(int))
    assert 0 in failures and max(failures) >= 2  # noqa: PLR2004 - NULL-extended successes and matched ones
