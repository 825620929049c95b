"""The incremental threshold census on Athena (the executing test double): the same decisions as
the full census window after window, for fewer bytes; and `run_detections` on Athena uses it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.athena_double import AthenaDouble
from tests.detect.events import burst, publisher
from tests.detect.test_incremental_census import LOOKBACK, STEP, T0, census_rules, run_sequence
from workbench.alerts import get_store
from workbench.catalog.ddl import all_ddl
from workbench.config import Settings
from workbench.detect import run_detections
from workbench.detect.plan.censusstate import FILE_NAME, CensusState
from workbench.engines.athena import AthenaEngine
from workbench.engines.local import LocalEngine
from workbench.lake import write_records


def _athena(athena_double: AthenaDouble, tmp_path: Path) -> tuple[Settings, Settings]:
    local = Settings(workspace=tmp_path / "local", lake_path=tmp_path / "lake")
    for statement in all_ddl(athena_double.lake_location):
        assert athena_double.query(statement).state == "SUCCEEDED", statement
    remote = athena_double.settings(Settings(workspace=tmp_path / "athena", lake_path=tmp_path / "unused"))
    return local, remote


def test_on_athena_the_incremental_census_decides_as_the_full_one_for_fewer_bytes(
        athena_double: AthenaDouble, tmp_path: Path) -> None:
    local, remote = _athena(athena_double, tmp_path)
    publish = publisher(local.lake, athena_double)

    with AthenaEngine(remote) as athena, CensusState.for_workspace(tmp_path / "state") as state:
        found = run_sequence(athena, publish, state, seed=11, windows=5)
    assert [incremental for _, incremental in found] == [False, True, True, True, True]
    assert any(hot for hot, _ in found)
    # Per window the full census, then the piece census; from the second window on the piece census
    # is bounded to [start - lookback, end), where the full one reads the reach (an hour more).
    census = [e for e in athena_double.executions if "_mantissa_rule" in e.query]
    assert len(census) == 10  # noqa: PLR2004
    for n, (full, pieces) in enumerate(zip(census[0::2], census[1::2], strict=True)):
        fresh = f"'{(T0 + n * STEP - LOOKBACK):%Y-%m-%dT%H:%M}"
        reach = f"'{(T0 + n * STEP - LOOKBACK - timedelta(minutes=30)):%Y-%m-%dT%H:%M}"
        assert reach in full.query and (fresh in pieces.query) == (n > 0) and (reach in pieces.query) == (n == 0)


def test_run_detections_on_athena_reads_the_census_incrementally_with_the_local_alerts(
        athena_double: AthenaDouble, tmp_path: Path) -> None:
    local, remote = _athena(athena_double, tmp_path)
    rules = census_rules()
    write_records("cloudtrail", burst("bob", T0 + timedelta(minutes=3), 8), local.lake)
    write_records("cloudtrail", burst("eve", T0 + STEP + timedelta(minutes=4), 8), local.lake)
    athena_double.upload(local.lake, athena_double.lake_location)
    with LocalEngine(local) as engine, get_store(local) as store, \
            AthenaEngine(remote) as athena, get_store(remote) as athena_store:
        runs = []
        for n in range(3):
            start, end = T0 + n * STEP, T0 + (n + 1) * STEP
            on_local = run_detections(rules, start, end, engine, store)
            runs.append(on_athena := run_detections(rules, start, end, athena, athena_store))
            assert [(r.rule_id, r.status, r.rows) for r in on_athena.rules] == [
                (r.rule_id, r.status, r.rows) for r in on_local.rules]
        assert _alerts(athena_store) == _alerts(store) and len(_alerts(store)) == 2  # noqa: PLR2004
    assert (remote.state / FILE_NAME).exists()
    census = [e for e in athena_double.executions if "_mantissa_rule" in e.query]
    assert len(census) == 3  # noqa: PLR2004 - one census statement per window
    assert all(e.bytes_scanned >= 0 for e in census)
    # the second and third windows' census read [start - lookback, end) only
    assert [f"'{(T0 + n * STEP - LOOKBACK):%Y-%m-%dT%H:%M}" in e.query for n, e in enumerate(census)] == [
        False, True, True]


def _alerts(store: object) -> list[tuple[str, int]]:
    return sorted((a.rule_id, a.count) for a in store.list(limit=10_000))  # type: ignore[attr-defined]
