"""The local engine's DuckDB sandbox (issue 18): it reads the lake and nothing else, whatever SQL
reaches the connection — these tests go around the guard and the read boundary on purpose."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.engines.conftest import WriteRows
from workbench.config import Settings
from workbench.engines import EngineError
from workbench.engines.local import LocalEngine
from workbench.session import Session
from workbench.timewindow import Window

DAY = date(2026, 12, 5)
WINDOW = Window.between("2026-12-05T00:00:00Z", "2026-12-05T01:00:00Z")
SECRET = "hunter2-do-not-print"


@pytest.fixture()
def outside(tmp_path: Path) -> dict[str, Path]:
    """Files next to the workspace, outside the lake: what the red team read."""
    folder = tmp_path / "outside"
    folder.mkdir()
    csv = folder / "secret.csv"
    csv.write_text(f"k,v\n1,{SECRET}\n")
    kernel = folder / "kernel-1234.json"  # shaped like a Jupyter kernel connection file
    kernel.write_text(json.dumps({"shell_port": 1, "key": SECRET, "signature_scheme": "hmac-sha256"}))
    parquet = folder / "other.parquet"
    pq.write_table(pa.table({"v": [SECRET]}), parquet)
    sqlite = folder / "alerts.sqlite"
    sqlite.write_bytes(b"")
    return {"csv": csv, "kernel": kernel, "parquet": parquet, "sqlite": sqlite, "folder": folder}


@pytest.fixture()
def with_events(local: LocalEngine, lake: Path, write_rows: WriteRows) -> LocalEngine:
    write_rows(lake, "cloudtrail", DAY, [{"eventtime": "2026-12-05T00:30:00Z", "eventname": "GetObject"}])
    return local


def _hostile(outside: dict[str, Path], lake: Path) -> list[str]:
    csv, kernel, parquet, sqlite = (str(outside[k]) for k in ("csv", "kernel", "parquet", "sqlite"))
    return [
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_blob('/etc/hostname')",
        f"SELECT * FROM read_csv('{csv}')",
        f"SELECT * FROM read_json('{kernel}')",
        f"SELECT * FROM read_parquet('{parquet}')",
        f'SELECT * FROM "{csv}"',
        f'SELECT * FROM "{kernel}"',
        f"SELECT * FROM '{parquet}'",
        f"SELECT * FROM glob('{outside['folder']}/*')",
        "SELECT * FROM glob('/*')",
        f"SELECT * FROM query_table('\"{csv}\"')",
        f"SELECT * FROM read_csv('{lake}/../outside/secret.csv')",
        f"SELECT * FROM sqlite_scan('{sqlite}', 'alerts')",
        f"ATTACH '{sqlite}' AS a",
        f"COPY (SELECT 1 AS x) TO '{outside['folder']}/written.csv'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SELECT * FROM read_parquet('https://example.com/x.parquet')",
        "SET enable_external_access = true",
        "RESET enable_external_access",
        "SET lock_configuration = false",
        f"SET allowed_directories = ['{outside['folder']}/']",
        "SET autoinstall_known_extensions = true",
        "SET python_enable_replacements = true",
        "SET memory_limit = '100TB'",
        "SET threads = 64",
        "SET temp_directory = '/tmp'",
        "PRAGMA enable_profiling",
    ]


def test_every_file_statement_fails_on_the_raw_connection(with_events: LocalEngine, outside: dict[str, Path],
                                                          lake: Path) -> None:
    assert with_events.run("SELECT count(*) AS n FROM cloudtrail", WINDOW).frame["n"].tolist() == [1]
    con = with_events.connection
    for sql in _hostile(outside, lake):
        with pytest.raises(duckdb.Error) as info:
            rows = con.execute(sql).fetchall()
            pytest.fail(f"the sandbox let through {sql!r}: {rows!r}")
        assert SECRET not in str(info.value), sql
        assert isinstance(info.value, duckdb.PermissionException | duckdb.InvalidInputException
                          | duckdb.CatalogException), (sql, info.value)
    assert not (outside["folder"] / "written.csv").exists()
    # The lake itself still reads, and so does the engine's view over it.
    assert con.execute("SELECT count(*) FROM cloudtrail").fetchone() == (1,)


def test_unknown_names_are_never_python_variables(with_events: LocalEngine) -> None:
    secret_frame = pd.DataFrame({"v": [SECRET]})  # noqa: F841 - DuckDB's replacement scan would find it
    with pytest.raises(duckdb.CatalogException):
        with_events.connection.execute("SELECT * FROM secret_frame").fetchall()


def test_red_team_scoped_cte_reads_nothing_even_without_the_guard(with_events: LocalEngine,
                                                                   outside: dict[str, Path], lake: Path) -> None:
    csv = outside["csv"]
    queries = [
        f'SELECT t.* FROM (WITH "{csv}" AS (SELECT 1 AS k FROM cloudtrail) SELECT k FROM "{csv}") y '
        f'CROSS JOIN "{csv}" t',
        f'SELECT t.* FROM (WITH "{lake}/cloudtrail/*/*/*/*.parquet" AS (SELECT 1 AS k FROM cloudtrail) SELECT k '
        f'FROM "{lake}/cloudtrail/*/*/*/*.parquet") y CROSS JOIN "{lake}/cloudtrail/*/*/*/*.parquet" t',
        f"SELECT * FROM read_parquet('{lake}/cloudtrail/*/*/*/*.parquet')",
        "SELECT content FROM read_text('/etc/passwd')",
        f"COPY (SELECT * FROM cloudtrail) TO '{lake}/cloudtrail/year=2026/month=12/day=05/evil.parquet'",
    ]
    for sql in queries:
        with pytest.raises(EngineError) as info:
            with_events.run(sql, WINDOW)
        assert "\n" not in str(info.value) and SECRET not in str(info.value)
    assert sorted(p.name for p in lake.rglob("*.parquet")) == ["x.parquet"]


def test_unsafe_in_a_session_keeps_the_boundary_and_the_sandbox(settings: Settings, lake: Path,
                                                                 write_rows: WriteRows) -> None:
    write_rows(lake, "cloudtrail", DAY, [{"eventtime": "2026-12-05T00:30:00Z", "eventname": "GetObject"}])
    session = Session(settings)
    try:
        with pytest.raises(EngineError, match="table function"):
            session.run_sql("SELECT * FROM read_text('/etc/passwd')", window=WINDOW, unsafe=True)
        # What --unsafe is for: a shape the guard refuses, still bounded by the window.
        outcome = session.run_sql("SELECT eventname, x FROM cloudtrail CROSS JOIN UNNEST(sequence(1, 200000)) "
                                  "AS t(x)", window=WINDOW, unsafe=True)
        assert outcome.result is not None and outcome.result.rows == 200_000
    finally:
        session.close()


def test_memory_limit_and_threads_come_from_settings(settings: Settings) -> None:
    tuned = settings.model_copy(update={"local": settings.local.model_copy(update={"memory_limit": "300MB",
                                                                                  "threads": 1})})
    tuned.lake.mkdir(parents=True, exist_ok=True)
    engine = LocalEngine(tuned)
    try:
        memory, threads, zone = engine.connection.execute(
            "SELECT current_setting('memory_limit'), current_setting('threads'), current_setting('TimeZone')"
        ).fetchone()
        assert memory.endswith("MiB") and 270 <= float(memory.split()[0]) <= 300
        assert threads == 1 and zone == "UTC"
        # The worker cursors of shared scans inherit the UTC time zone (they cannot SET it).
        [cursor] = engine._worker_cursors(1)
        assert cursor.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)
    finally:
        engine.close()


def test_a_query_over_the_memory_limit_fails_alone_in_one_line(settings: Settings, lake: Path,
                                                               write_rows: WriteRows) -> None:
    write_rows(lake, "cloudtrail", DAY, [{"eventtime": "2026-12-05T00:30:00Z", "eventname": "GetObject"}])
    tight = settings.model_copy(update={"local": settings.local.model_copy(update={"memory_limit": "64MB",
                                                                                  "threads": 1})})
    engine = LocalEngine(tight)
    try:
        with pytest.raises(EngineError) as info:
            engine.run("SELECT list(md5(eventname || CAST(x AS varchar))) AS l FROM cloudtrail "
                       "CROSS JOIN UNNEST(sequence(1, 5000000)) AS t(x)", WINDOW)
        assert "local.memory_limit (64MB)" in str(info.value) and "\n" not in str(info.value)
        assert engine.run("SELECT count(*) AS n FROM cloudtrail", WINDOW).frame["n"].tolist() == [1]
    finally:
        engine.close()


def test_a_bad_memory_limit_is_one_line_naming_the_setting(settings: Settings) -> None:
    bad = settings.model_copy(update={"local": settings.local.model_copy(update={"memory_limit": "lots"})})
    engine = LocalEngine(bad)
    with pytest.raises(ValueError, match=r"local.memory_limit = 'lots'"):
        engine.run("SELECT count(*) FROM cloudtrail", WINDOW)
    engine.close()


def test_the_spill_folder_is_private_and_removed_on_close(settings: Settings) -> None:
    settings.lake.mkdir(parents=True, exist_ok=True)
    engine = LocalEngine(settings)
    engine.connection.execute("SELECT 1").fetchall()
    spill = engine._spill
    assert spill is not None and spill.is_dir() and not spill.is_relative_to(settings.workspace)
    engine.close()
    assert not spill.exists()


def test_a_query_the_boundary_refuses_never_reaches_a_shared_scan(with_events: LocalEngine) -> None:
    honest = ["SELECT eventname FROM cloudtrail WHERE eventname = 'GetObject'",
              "SELECT eventname FROM cloudtrail WHERE eventname = 'PutObject'"]
    hostile = "SELECT eventname FROM cloudtrail WHERE eventname = current_setting('TimeZone')"
    results = with_events.run_batch([*honest, hostile], WINDOW)
    assert isinstance(results[2], EngineError) and "current_setting() reaches outside" in str(results[2])
    shared = results[0].extra["shared_scan"]
    assert shared["queries"] == 2 and "current_setting" not in shared["sql"].lower()
    assert results[0].frame["eventname"].tolist() == ["GetObject"] and results[1].rows == 0
