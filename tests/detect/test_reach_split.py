"""The shared scan split by reach: which rules go where and why (by estimated bytes), and the
answers stay those of the unsplit scan on the local engine and on the Athena double."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from tests.athena_double import AthenaDouble
from tests.detect.events import ROOT_RULE, T0, api_call, burst, rule
from tests.detect.test_pack_plan import PlanEngine
from workbench.catalog.ddl import all_ddl
from workbench.config import Settings
from workbench.detect.plan import reach
from workbench.detect.plan.pack import run_pack, window_statements
from workbench.detect.plan.reach import Member, column_weight, split_by_reach
from workbench.detect.plan.statements import Statement
from workbench.engines import Result
from workbench.engines.athena import AthenaEngine
from workbench.lake import write_records
from workbench.timewindow import Window

END = T0 + timedelta(hours=3)
BASE = Window(END - timedelta(minutes=15), END)
LONG = Window(END - timedelta(minutes=75), END)

WIDE = "eventid requestparameters responseelements useridentity.arn useragent eventname eventtime".split()
NARROW = ["eventname", "eventtime", "sourceipaddress"]


def _member(index: int, window: Window | None, columns: list[str]) -> Member:
    return Member(index, window, frozenset(columns))


def test_a_long_reach_rule_reading_few_columns_gets_its_own_narrow_scan() -> None:
    members = [_member(0, BASE, WIDE), _member(1, BASE, WIDE[:4]), _member(2, LONG, NARROW)]
    groups = split_by_reach("cloudtrail", members)
    assert [(g.window, sorted(g.members)) for g in groups] == [(LONG, [2]), (BASE, [0, 1])]
    # Why: the wide columns over 15 minutes plus the narrow ones over 75 read less than all over 75.
    unsplit = split_by_reach("cloudtrail", members, max_scans=1)
    assert len(unsplit) == 1 and unsplit[0].window == LONG
    assert sum(g.estimate for g in groups) < 0.5 * unsplit[0].estimate  # noqa: PLR2004


def test_a_long_reach_rule_reading_the_heavy_columns_keeps_one_scan() -> None:
    # Splitting would read its (wide) columns over 75 minutes anyway, and the rest twice over 15.
    members = [_member(0, BASE, NARROW), _member(1, LONG, WIDE)]
    groups = split_by_reach("cloudtrail", members)
    assert [(g.window, sorted(g.members)) for g in groups] == [(LONG, [0, 1])]


def test_a_split_saving_under_a_tenth_is_not_made() -> None:
    # A reach just past the base window: splitting saves too little for another statement.
    near = Window(END - timedelta(minutes=16), END)
    members = [_member(0, BASE, WIDE), _member(1, near, NARROW), _member(2, BASE, NARROW)]
    assert len(split_by_reach("cloudtrail", members)) == 1


def test_reaches_are_grouped_in_order_and_at_most_max_scans() -> None:
    mid = Window(END - timedelta(minutes=45), END)
    members = [_member(0, BASE, WIDE), _member(1, mid, ["eventname", "eventtime"]), _member(2, LONG, NARROW)]
    two = split_by_reach("cloudtrail", members)
    assert sorted(sorted(g.members) for g in two) == [[0], [1, 2]]  # the two long reaches together
    three = split_by_reach("cloudtrail", members, max_scans=3)
    assert sorted(sorted(g.members) for g in three) in ([[0], [1], [2]], [[0], [1, 2]])
    assert sum(g.estimate for g in three) <= sum(g.estimate for g in two)


def test_windows_apart_and_unbounded_queries_are_scanned_apart_as_before() -> None:
    earlier = Window(T0, T0 + timedelta(minutes=15))
    members = [_member(0, BASE, WIDE), _member(1, earlier, WIDE), _member(2, None, NARROW), _member(3, BASE, NARROW)]
    groups = split_by_reach("cloudtrail", members)
    assert sorted((g.window is None, sorted(g.members)) for g in groups) == [
        (False, [0, 3]), (False, [1]), (True, [2])]


def test_weights_follow_the_catalog_types() -> None:
    assert column_weight("cloudtrail", "requestparameters") > column_weight("cloudtrail", "eventname")
    assert column_weight("cloudtrail", "useridentity") > column_weight("cloudtrail", "useridentity.arn")
    assert column_weight("vpc_flow", "srcport") < column_weight("vpc_flow", "srcaddr")


# -- answers ---------------------------------------------------------------------------------------

WIDE_RULE = rule(ROOT_RULE, id="wide-create-user", query="""
    SELECT eventtime, eventid, useridentity.arn AS actor, requestparameters, useragent, responseelements
    FROM cloudtrail WHERE eventname = 'CreateUser'""")
WIDE_LOGIN = rule(ROOT_RULE, id="wide-logins", query="""
    SELECT eventtime, eventid, useridentity.arn AS actor, requestparameters, responseelements, useragent
    FROM cloudtrail WHERE eventname = 'ConsoleLogin' AND sourceipaddress LIKE '198.%'""")
NARROW_RULE = rule(ROOT_RULE, id="narrow-long-logins", query="""
    SELECT eventtime, sourceipaddress FROM cloudtrail WHERE eventname = 'ConsoleLogin'""")
RULES = [WIDE_RULE, WIDE_LOGIN, NARROW_RULE]
WINDOWS = [BASE, BASE, LONG]


def _lake(lake: Path) -> None:
    # One file per 15 minutes, so row-group statistics prune by time as on the refreshed lake.
    for n in range(12):
        at = T0 + n * timedelta(minutes=15)
        write_records("cloudtrail", [*burst(f"user{n}", at + timedelta(minutes=1), 6),
                                     api_call("CreateUser", "iam.amazonaws.com", at + timedelta(minutes=2),
                                              user=f"admin{n}", requestParameters={"userName": f"u{n}"})], lake)


def _frames(answers: Sequence[Result | Exception]) -> list[list[tuple]]:
    out = []
    for answer in answers:
        assert isinstance(answer, Result), answer
        frame = answer.frame
        out.append(sorted(map(tuple, frame.astype(str).to_numpy().tolist())))
    return out


def _kinds(batches: Sequence[Sequence[Statement]]) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((s.kind, s.rules) for batch in batches for s in batch)


def test_split_answers_equal_the_unsplit_scan_on_the_local_engine(workspace: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(workspace=tmp_path / "w", lake_path=tmp_path / "lake")
    _lake(settings.lake)
    with PlanEngine(settings) as engine:
        split = run_pack(RULES, WINDOWS, engine)
        split_batches, engine.batches = engine.batches, []
        monkeypatch.setattr(reach, "MAX_SCANS", 1)
        unsplit = run_pack(RULES, WINDOWS, engine)
    assert _frames(split) == _frames(unsplit)
    assert [len(f) for f in _frames(split)] == [1, 6, 30]  # noqa: PLR2004 - one burst in 15 minutes, five in 75
    # Split: the wide rules' scan over 15 minutes and the narrow rule alone over its 75.
    assert _kinds(split_batches) == [("rule", ("narrow-long-logins",)), ("scan", ("wide-create-user", "wide-logins"))]
    assert _kinds(engine.batches) == [("scan", ("wide-create-user", "wide-logins", "narrow-long-logins"))]
    assert {s.window for b in split_batches for s in b} == {BASE, LONG}


def test_split_on_athena_answers_as_the_local_engine_each_statement_over_its_reach(
        athena_double: AthenaDouble, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    local = Settings(workspace=tmp_path / "local", lake_path=tmp_path / "lake")
    _lake(local.lake)
    athena_double.upload(local.lake, athena_double.lake_location)
    for statement in all_ddl(athena_double.lake_location):
        assert athena_double.query(statement).state == "SUCCEEDED", statement
    remote = athena_double.settings(Settings(workspace=tmp_path / "athena", lake_path=tmp_path / "unused"))
    planned = window_statements(RULES, WINDOWS)
    with PlanEngine(local) as engine:
        on_local = run_pack(RULES, WINDOWS, engine)
    with AthenaEngine(remote) as athena:
        before = len(athena_double.executions)
        split = run_pack(RULES, WINDOWS, athena)
        split_runs = athena_double.executions[before:]
        monkeypatch.setattr(reach, "MAX_SCANS", 1)
        middle = len(athena_double.executions)
        unsplit = run_pack(RULES, WINDOWS, athena)
        unsplit_runs = athena_double.executions[middle:]
    assert _frames(split) == _frames(on_local) == _frames(unsplit)
    # Two statements instead of one, as the plan said.
    assert len(split_runs) == len(planned) == 2  # noqa: PLR2004
    assert len(unsplit_runs) == 1
    # The wide columns are read over the base window only; the 75 minutes name the narrow ones.
    # (The double bills a window-rewritten statement as its whole partitions, `SELECT *` inside,
    # so its byte counts cannot show this saving; benchmarks/athena_cost.py measures it.)
    wide, narrow = sorted(split_runs, key=lambda e: "requestparameters" in e.query, reverse=True)
    assert "eventtime >= '2026-11-20T12:45:00'" in wide.query and "requestparameters" in wide.query
    assert "eventtime >= '2026-11-20T11:45:00'" in narrow.query
    assert not any(c in narrow.query for c in ("requestparameters", "responseelements", "useragent", "eventid"))
    assert "eventtime >= '2026-11-20T11:45:00'" in unsplit_runs[0].query
    assert sum(r.bytes_scanned for r in split) == sum(e.bytes_scanned for e in split_runs) > 0  # type: ignore[union-attr]

