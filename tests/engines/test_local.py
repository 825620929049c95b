"""The local engine: partition pruning and bytes scanned, empty lakes, errors, the registry."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from workbench.catalog import TABLES
from workbench.config import Settings
from workbench.engines import ENGINES, EngineError, get_engine
from workbench.engines.athena import AthenaEngine
from workbench.engines.local import LocalEngine, MissingLakeWarning
from workbench.registry import UnknownPluginError
from workbench.timewindow import Window

WriteRows = Callable[..., Path]


def _day_events(day: date, names: list[str]) -> list[dict]:
    return [{"eventtime": f"{day.isoformat()}T{9 + i:02d}:00:00Z", "eventname": name, "eventid": f"{day}-{i}"}
            for i, name in enumerate(names)]


def test_window_prunes_days_and_bytes_scanned_counts_only_selected_files(
    local: LocalEngine, lake: Path, write_rows: WriteRows
) -> None:
    first = write_rows(lake, "cloudtrail", date(2026, 11, 26), _day_events(date(2026, 11, 26), ["A", "B"]))
    second = write_rows(lake, "cloudtrail", date(2026, 11, 27), _day_events(date(2026, 11, 27), ["C"]))
    window = Window(datetime(2026, 11, 27, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC))

    result = local.run("SELECT eventname FROM cloudtrail", window)

    assert result.frame["eventname"].tolist() == ["C"]
    assert result.bytes_scanned == second.stat().st_size
    assert local.files_read(frozenset({"cloudtrail"}), window) == [second]
    # DuckDB itself must skip the excluded day's file, not just filter its rows.
    plan = local.connection.execute("EXPLAIN ANALYZE " + result.executed_sql).fetchall()
    assert "Total Files Read: 1" in str(plan)
    everything = local.run("SELECT eventname FROM cloudtrail ORDER BY eventtime")
    assert everything.frame["eventname"].tolist() == ["A", "B", "C"]
    assert everything.bytes_scanned == first.stat().st_size + second.stat().st_size
    assert result.cost_usd == pytest.approx(second.stat().st_size / 1024**4 * 5.0)


def test_event_time_bound_is_half_open(local: LocalEngine, lake: Path, write_rows: WriteRows) -> None:
    day = date(2026, 11, 27)
    write_rows(lake, "cloudtrail", day, _day_events(day, ["at9", "at10", "at11"]))
    write_rows(lake, "vpc_flow", day, [{"start": 1795773600 + s, "srcaddr": f"10.0.0.{s}"} for s in (-1, 0, 3599, 3600)])
    window = Window(datetime(2026, 11, 27, 10, tzinfo=UTC), datetime(2026, 11, 27, 11, tzinfo=UTC))

    assert local.run("SELECT eventname FROM cloudtrail", window).frame["eventname"].tolist() == ["at10"]
    flows = local.run("SELECT srcaddr FROM vpc_flow ORDER BY start", window).frame["srcaddr"].tolist()
    assert flows == ["10.0.0.0", "10.0.0.3599"]


def test_new_files_are_seen_by_the_next_query(local: LocalEngine, lake: Path, write_rows: WriteRows) -> None:
    day = date(2026, 11, 27)
    assert local.run("SELECT count(*) AS n FROM cloudtrail").frame["n"].tolist() == [0]
    write_rows(lake, "cloudtrail", day, _day_events(day, ["A"]), name="a.parquet")
    assert local.run("SELECT count(*) AS n FROM cloudtrail").frame["n"].tolist() == [1]
    write_rows(lake, "cloudtrail", day, _day_events(day, ["B", "C"]), name="b.parquet")
    assert local.run("SELECT count(*) AS n FROM cloudtrail").frame["n"].tolist() == [3]


@pytest.mark.parametrize("table", sorted(TABLES))
def test_empty_lake_returns_typed_empty_frames(local: LocalEngine, table: str) -> None:
    result = local.run(f"SELECT * FROM {table}", Window.last("24h"))
    assert result.rows == 0
    assert result.bytes_scanned == 0
    assert list(result.frame.columns) == TABLES[table].all_column_names


def test_a_missing_lake_folder_is_named_once(settings: Settings) -> None:
    engine = LocalEngine(settings)
    assert not settings.lake.exists()
    with pytest.warns(MissingLakeWarning, match=f"lake folder {settings.lake} does not exist"):
        assert engine.run("SELECT count(*) AS n FROM cloudtrail").frame["n"].tolist() == [0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        engine.run("SELECT count(*) AS n FROM cloudtrail")  # the same connection: said once
        settings.lake.mkdir(parents=True)
        LocalEngine(settings).run("SELECT count(*) AS n FROM cloudtrail")  # an empty lake is no mistake
    engine.close()


def test_a_connection_opened_ahead_serves_queries_and_closes(settings: Settings) -> None:
    engine = LocalEngine(settings)
    engine.warm_up()
    engine.warm_up()  # a second call while it opens changes nothing
    with pytest.warns(MissingLakeWarning):  # the lake is still checked, on first use
        assert engine.run("SELECT 1 AS one").frame["one"].tolist() == [1]
    engine.close()
    unused = LocalEngine(settings)
    unused.warm_up()
    unused.close()  # waits for the opening rather than leaving a connection behind
    assert unused._con is None and unused._opening is None


def test_struct_access_on_empty_lake_still_binds(local: LocalEngine) -> None:
    sql = "SELECT useridentity.sessioncontext.sessionissuer.username FROM cloudtrail"
    assert local.run(sql, Window.last("1h")).rows == 0


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT * FROM cloudtrial", "unknown table 'cloudtrial' — did you mean 'cloudtrail'?"),
        ("SELECT eventnme FROM cloudtrail", "unknown column of cloudtrail 'eventnme' — did you mean 'eventname'?"),
        ("SELECT srcadr FROM vpc_flow", "did you mean 'srcaddr'?"),
        ("SELECT url_extract_host(useragent) FROM cloudtrail", "url_extract_host has no DuckDB equivalent"),
    ],
    ids=["table", "column", "vpc_column", "function"],
)
def test_unknown_names_get_the_closest_valid_one(local: LocalEngine, sql: str, message: str) -> None:
    with pytest.raises(EngineError) as info:
        local.run(sql, Window.last("24h"))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_one_connection_is_reused(local: LocalEngine, lake: Path, write_rows: WriteRows) -> None:
    write_rows(lake, "guardduty", date(2026, 11, 27), [{"id": "f1", "updatedat": "2026-11-27T10:00:00Z"}])
    local.run("SELECT id FROM guardduty")
    connection = local.connection
    ids = {local.run("SELECT id FROM guardduty").query_id for _ in range(3)}
    assert local.connection is connection
    assert len(ids) == 3


def test_every_registered_engine_is_reachable_by_name(settings: Settings) -> None:
    get_engine("local", settings).close()  # imports register the built-ins
    assert ENGINES.names() == ["athena", "local"]
    for name in ENGINES:
        engine = get_engine(name, settings)
        assert engine.name == name
        assert isinstance(engine, {"local": LocalEngine, "athena": AthenaEngine}[name])
        engine.close()


def test_default_engine_comes_from_settings(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANTISSA_ENGINE", "athena")
    assert isinstance(get_engine(), AthenaEngine)


def test_unknown_engine_suggests_closest(settings: Settings) -> None:
    with pytest.raises(UnknownPluginError) as info:
        get_engine("lcoal", settings)
    assert "unknown engine 'lcoal' — did you mean 'local'?" in str(info.value)


def test_after_a_duckdb_internal_error_the_engine_reconnects(local: LocalEngine, lake: Path,
                                                             write_rows: WriteRows) -> None:
    """DuckDB 2.0 fails with an internal error on a struct selected while one of its fields is
    filtered, and invalidates the database: the query fails saying so, the next one runs."""
    day = date(2026, 11, 27)
    rows = [{"eventtime": f"2026-11-27T10:{i:02d}:00Z", "eventid": str(i), "eventname": "GetObject",
             "useridentity": {"type": "IAMUser", "sessioncontext": None if i % 3 == 0 else {
                 "attributes": {"mfaauthenticated": "true" if i % 2 else "false", "creationdate": None},
                 "sessionissuer": {"arn": "arn:aws:iam::1:role/r"}}}} for i in range(20)]
    write_rows(lake, "cloudtrail", day, rows)
    window = Window(datetime(2026, 11, 27, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC))
    failing = ("SELECT eventid, useridentity.sessioncontext.attributes AS a FROM cloudtrail "
               "WHERE useridentity.sessioncontext.attributes.mfaauthenticated = 'true'")
    try:
        local.run(failing, window)
    except EngineError as exc:
        assert "a DuckDB bug" in str(exc) and "reconnected" in str(exc)
    else:
        pytest.skip("this DuckDB no longer fails on the query; the recovery is untested here")
    assert local.run("SELECT count(*) AS n FROM cloudtrail", window).frame["n"].tolist() == [20]
