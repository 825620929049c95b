"""Kept scan rows on Athena (the executing test double): the long-reach scan reads only the fresh
window once its rows are kept, every rule answers as reading the whole reach does, and
`run_detections` on Athena keeps them and alerts as the local engine does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from tests.athena_double import AthenaDouble
from tests.detect.events import T0, api_call, publisher
from tests.detect.test_incremental_census_athena import _alerts, _athena
from tests.detect.test_kept_rows import STEP, _grant, pack, run_sequence
from workbench.alerts import get_store
from workbench.detect import run_detections
from workbench.detect.plan.keptrows import FOLDER_NAME, KeptRows
from workbench.detect.plan.statements import Statement
from workbench.engines import Result
from workbench.engines.athena import AthenaEngine
from workbench.engines.local import LocalEngine
from workbench.lake import write_records

LOOKBACK = timedelta(minutes=15)


class RecordingAthena(AthenaEngine):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.batches: list[list[Statement]] = []

    def run_plan(self, statements: Sequence[Statement]) -> list[Result | Exception]:
        self.batches.append(list(statements))
        return super().run_plan(statements)


def test_on_athena_kept_rows_answer_as_the_whole_reach_for_the_fresh_window_only(
        athena_double: AthenaDouble, tmp_path: Path) -> None:
    local, remote = _athena(athena_double, tmp_path)
    publish = publisher(local.lake, athena_double)

    with RecordingAthena(remote) as athena:
        found = run_sequence(athena, publish, KeptRows.for_workspace(tmp_path / "state"), 21, 4, LOOKBACK)
    assert [fresh for fresh, _ in found] == [False, True, True, True]
    assert sum(n for _, n in found) > 0
    scans = [e for e in athena_double.executions if "_match_0" in e.query]
    assert len(scans) == 8  # noqa: PLR2004 - per window: with kept rows, then the whole reach
    for n, (keeping, whole) in enumerate(zip(scans[0::2], scans[1::2], strict=True)):
        reach = f"'{(T0 + n * STEP - LOOKBACK - timedelta(hours=1)):%Y-%m-%dT%H:%M}"
        assert reach in whole.query and (reach in keeping.query) == (n == 0)
        if n:  # each delivery is its own file: the fresh read skips the older ones' row groups
            assert keeping.bytes_scanned < whole.bytes_scanned


def test_run_detections_on_athena_keeps_scan_rows_and_alerts_as_the_local_engine(
        athena_double: AthenaDouble, tmp_path: Path) -> None:
    local, remote = _athena(athena_double, tmp_path)
    rules = pack()
    # A user created in the first window is made an administrator in the third: the alert needs
    # the CreateUser that only the kept rows hold by then.
    created = api_call("CreateUser", "iam.amazonaws.com", T0 + timedelta(minutes=5), user="mallory",
                       eventID="cu-x", requestParameters={"userName": "backdoor"})
    write_records("cloudtrail", [created, _grant("backdoor", T0 + 2 * STEP + timedelta(minutes=2), "mallory")],
                  local.lake)
    athena_double.upload(local.lake, athena_double.lake_location)
    with LocalEngine(local) as engine, get_store(local) as store, \
            AthenaEngine(remote) as athena, get_store(remote) as athena_store:
        for n in range(3):
            start, end = T0 + n * STEP, T0 + (n + 1) * STEP
            on_local = run_detections(rules, start, end, engine, store)
            on_athena = run_detections(rules, start, end, athena, athena_store)
            assert [(r.rule_id, r.status, r.rows) for r in on_athena.rules] == [
                (r.rule_id, r.status, r.rows) for r in on_local.rules]
        assert _alerts(athena_store) == _alerts(store)
        assert ("iam-new-user-given-admin", 1) in _alerts(athena_store)
    assert list((remote.state / FOLDER_NAME).rglob("*.parquet"))
    scans = [e for e in athena_double.executions if "_match_0" in e.query]
    assert len(scans) == 3  # noqa: PLR2004 - one shared scan per window
    fresh = [f"'{(T0 + n * STEP - LOOKBACK):%Y-%m-%dT%H:%M}" in e.query for n, e in enumerate(scans)]
    assert fresh == [False, True, True]
