"""The rule pack on Athena (the executing test double): a window costs at most 2 statements per
log table plus 1 per rule that cannot share a scan, and gives the local engine's alerts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pandas as pd

from tests.athena_double import AthenaDouble
from tests.detect.events import burst
from tests.detect.test_batch_equivalence import PACK, _alerts, _pack_lake
from workbench.alerts import get_store
from workbench.catalog.ddl import all_ddl
from workbench.config import Settings
from workbench.detect import run_detections
from workbench.detect.plan.pack import plan_window, run_pack
from workbench.detect.plan.statements import Statement
from workbench.detect.runner import DEFAULT_LOOKBACK, evaluation_window
from workbench.engines import Result
from workbench.engines.athena import AthenaEngine
from workbench.engines.local import LocalEngine
from workbench.lake import write_records
from workbench.rules import load_rules

RULES_ROOT = PACK.parent


class CountingAthena(AthenaEngine):
    """The Athena engine, recording the plan statements it is given."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.given: list[Statement] = []

    def run_plan(self, statements: Sequence[Statement]) -> list[Result | Exception]:
        self.given += statements
        return super().run_plan(statements)


def test_the_pack_runs_on_athena_in_a_few_statements_per_table_with_the_local_alerts(
        athena_double: AthenaDouble, workspace: Path, tmp_path: Path) -> None:
    ruleset = load_rules([RULES_ROOT])
    rules = [r for r in ruleset.rules if r.enabled and not r.new_terms]
    assert len(rules) >= 54  # noqa: PLR2004 - every rule of the pack but the first-seen ones
    local = Settings(workspace=tmp_path / "local", lake_path=tmp_path / "lake")
    start, end = _pack_lake(local.lake, [r for r in rules if r.tests])
    write_records("cloudtrail", burst("bob", start + timedelta(minutes=3), 12), local.lake)
    athena_double.upload(local.lake, athena_double.lake_location)
    for statement in all_ddl(athena_double.lake_location):
        assert athena_double.query(statement).state == "SUCCEEDED", statement
    remote = athena_double.settings(Settings(workspace=tmp_path / "athena", lake_path=tmp_path / "unused"))
    before = len(athena_double.statements)

    with LocalEngine(local) as engine, get_store(local) as store, \
            CountingAthena(remote) as athena, get_store(remote) as athena_store:
        on_local = run_detections(rules, start, end, engine, store)
        on_athena = run_detections(rules, start, end, athena, athena_store)
        assert [(r.rule_id, r.status, r.rows) for r in on_athena.rules] == [
            (r.rule_id, r.status, r.rows) for r in on_local.rules]
        assert not on_athena.failed, {r.rule_id: r.error for r in on_athena.failed}
        assert _alerts(athena_store) == _alerts(store) and _alerts(store)

    # What one window cost on Athena: the statements the plan gave, and nothing else ran.
    windows = [evaluation_window(r, start, end, DEFAULT_LOOKBACK)[0] for r in rules]
    alone = len(plan_window(rules, windows).solo)
    per_table = Counter(s.table for s in athena.given if s.kind != "rule")
    assert set(per_table) == {"cloudtrail", "guardduty", "vpc_flow"}
    assert all(n <= 2 for n in per_table.values()), per_table  # noqa: PLR2004
    assert len([s for s in athena.given if s.kind == "rule"]) == alone
    assert len(athena.given) <= 2 * len(per_table) + alone
    assert len(athena_double.statements) - before == len(athena.given)
    # Bytes billed are shared out per rule, and add up to what the double read.
    read = sum(e.bytes_scanned for e in athena_double.executions[before:])
    assert sum(r.bytes_scanned for r in on_athena.rules) == read > 0


def test_a_left_join_rule_is_answered_from_the_athena_scan_as_its_query_alone(
        athena_double: AthenaDouble, workspace: Path, tmp_path: Path) -> None:
    """first-seen-console-address-after-failures (successes LEFT JOIN failures) is split back from
    the CloudTrail scan, and its rows, with and without failures, are the local engine's."""
    rules = [r for r in load_rules([RULES_ROOT]).rules if r.enabled and r.tests and (r.table or "cloudtrail") == "cloudtrail"]
    index = next(i for i, r in enumerate(rules) if r.id == "first-seen-console-address-after-failures")
    local = Settings(workspace=tmp_path / "local", lake_path=tmp_path / "lake")
    start, end = _pack_lake(local.lake, rules)
    athena_double.upload(local.lake, athena_double.lake_location)
    for statement in all_ddl(athena_double.lake_location):
        assert athena_double.query(statement).state == "SUCCEEDED", statement
    remote = athena_double.settings(Settings(workspace=tmp_path / "athena", lake_path=tmp_path / "unused"))
    windows = [evaluation_window(r, start, end, DEFAULT_LOOKBACK)[0] for r in rules]
    with LocalEngine(local) as engine, CountingAthena(remote) as athena:
        answers = run_pack(rules, windows, athena)
        alone = engine.run(rules[index].query, windows[index])
    answer = answers[index]
    assert isinstance(answer, Result) and "shared_scan" in answer.extra
    assert [s.kind for s in athena.given if rules[index].id in s.rules] == ["scan"]

    def rows(frame: pd.DataFrame) -> list[tuple]:
        return sorted(map(tuple, frame.astype(str).itertuples(index=False)))

    assert list(answer.frame.columns) == list(alone.frame.columns)
    assert rows(answer.frame) == rows(alone.frame)
    failures = set(alone.frame["failures_before"].astype(int))
    assert 0 in failures and max(failures) > 0  # NULL-extended successes and matched ones
