"""The Athena engine end to end through pyathena: queries and `mantissa athena setup` run on the
executing Athena double (tests/athena_double: real rows from Parquet in a moto S3 server on
127.0.0.1); settings errors and DDL printing need no Athena at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlglot
from typer.testing import CliRunner

from tests.engines.conftest import MakeAthena, write_rows
from workbench.catalog import TABLES
from workbench.cli import app
from workbench.config import load_settings
from workbench.engines import EngineError, get_engine
from workbench.engines.athena import AthenaEngine
from workbench.engines.dialect import MantissaAthena
from workbench.engines.window import bound_to_window
from workbench.timewindow import Window

WINDOW = Window(datetime(2026, 11, 27, 10, tzinfo=UTC), datetime(2026, 11, 28, 10, tzinfo=UTC))
NOTHING_LISTENS = "http://127.0.0.1:9"  # the discard port: a settings error must be raised before any call


@pytest.fixture()
def athena_settings(workspace: Path, aws_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Athena settings in the environment, pointing at no server: for errors raised before a call."""
    monkeypatch.setenv("MANTISSA_ATHENA__ENDPOINT_URL", NOTHING_LISTENS)
    monkeypatch.setenv("MANTISSA_ATHENA__OUTPUT_LOCATION", "s3://mantissa-results/queries/")
    monkeypatch.setenv("MANTISSA_ATHENA__REGION", "us-east-1")
    monkeypatch.setenv("MANTISSA_ATHENA__POLL_INTERVAL", "0.01")


def _event(when: str, source: str, name: str | None, n: int) -> list[dict]:
    return [{"eventid": f"{when}-{name}-{i}", "eventtime": when, "eventsource": source, "eventname": name}
            for i in range(n)]


def test_runs_window_bounded_sql_and_returns_rows(athena_double: Any, make_athena: MakeAthena,
                                                  athena_tables: Callable, tmp_path: Path) -> None:
    lake = tmp_path / "upload"
    iam = "iam.amazonaws.com"
    write_rows(lake, "cloudtrail", date(2026, 11, 27), [
        *_event("2026-11-27T09:59:59Z", iam, "AttachUserPolicy", 5),  # before the window
        *_event("2026-11-27T10:00:00Z", iam, "AttachUserPolicy", 2),
        *_event("2026-11-27T18:30:00Z", iam, None, 7),  # no event name: Athena's NULL
        *_event("2026-11-27T19:00:00Z", "s3.amazonaws.com", "GetObject", 9),  # another source
    ])
    write_rows(lake, "cloudtrail", date(2026, 11, 28), [
        *_event("2026-11-28T09:59:59Z", iam, "AttachUserPolicy", 1),
        *_event("2026-11-28T09:00:00Z", iam, "CreateAccessKey", 1),
        *_event("2026-11-28T10:00:00Z", iam, "CreateAccessKey", 4),  # the window's end: excluded
    ])
    write_rows(lake, "cloudtrail", date(2026, 11, 29), _event("2026-11-29T00:00:00Z", iam, "CreateUser", 3))
    athena_tables(lake)
    sql = ("SELECT eventname, count(*) AS n FROM cloudtrail WHERE eventsource = 'iam.amazonaws.com' "
           "GROUP BY 1 ORDER BY 2 DESC")
    athena = make_athena()

    result = athena.run(sql, WINDOW)

    execution = athena_double.client().get_query_execution(QueryExecutionId=result.query_id)
    received = execution["QueryExecution"]["Query"]
    assert received == bound_to_window(sql, WINDOW, write_dialect="athena") == result.executed_sql
    assert "year = '2026' AND month = '11' AND day IN ('27', '28')" in received
    assert list(result.frame.columns) == ["eventname", "n"]
    assert pd.isna(result.frame["eventname"].iloc[0])  # Athena's NULL
    assert result.frame["eventname"].tolist()[1:] == ["AttachUserPolicy", "CreateAccessKey"]
    assert result.frame["n"].tolist() == [7, 3, 1]  # typed from the column's bigint
    assert result.engine == "athena"
    assert result.bytes_scanned == execution["QueryExecution"]["Statistics"]["DataScannedInBytes"] > 0
    assert execution["QueryExecution"]["QueryExecutionContext"]["Database"] == "mantissa"


def test_missing_output_location_says_what_to_set(athena_settings: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MANTISSA_ATHENA__OUTPUT_LOCATION")
    with pytest.raises(EngineError, match="MANTISSA_ATHENA__OUTPUT_LOCATION=s3://"):
        get_engine("athena", load_settings()).run("SELECT 1")


def test_missing_credentials_says_what_to_set(
    athena_settings: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    with pytest.raises(EngineError, match="no AWS credentials found: set AWS_PROFILE"):
        get_engine("athena", load_settings()).run("SELECT 1")


def test_ddl_command_prints_statements_that_parse_as_athena(workspace: Path) -> None:
    result = CliRunner().invoke(app, ["athena", "ddl", "--location", "s3://lake-bucket/logs/", "-d", "sec"])
    assert result.exit_code == 0, result.output
    statements = [s for s in result.stdout.split(";\n") if s.strip()]
    assert len(statements) == 1 + len(TABLES)
    parsed = [sqlglot.parse_one(s, read=MantissaAthena) for s in statements]
    created = sorted(p.find(sqlglot.exp.Table).name for p in parsed[1:])
    assert created == sorted(TABLES)
    assert "s3://lake-bucket/logs/cloudtrail/" in result.stdout
    assert "`sec`.`cloudtrail`" in result.stdout


def test_ddl_command_without_location_is_one_line(workspace: Path) -> None:
    result = CliRunner().invoke(app, ["athena", "ddl"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: cloudtrail, vpc_flow, guardduty read the lake: give --location s3://bucket/prefix/ (or set "
        "MANTISSA_ATHENA__LAKE_LOCATION), or --source raw to read the logs where AWS delivers them")


def test_setup_command_creates_database_and_tables_on_athena(athena_double: Any, workspace: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    client = athena_double.client()
    before = set(client.list_query_executions()["QueryExecutionIds"])
    athena_double.env(monkeypatch)
    location = f"s3://{athena_double.lake_bucket}/logs/"

    result = CliRunner().invoke(app, ["athena", "setup", "--location", location, "--database", "secops"])

    assert result.exit_code == 0, result.output
    assert "4 statements ran in database secops" in result.stderr
    database = client.get_database(CatalogName="awsdatacatalog", DatabaseName="secops")["Database"]
    assert database["Name"] == "secops"
    new_ids = set(client.list_query_executions()["QueryExecutionIds"]) - before
    received = sorted(client.get_query_execution(QueryExecutionId=i)["QueryExecution"]["Query"].split("(")[0]
                      for i in new_ids)
    assert received == sorted(
        ["CREATE DATABASE IF NOT EXISTS `secops`"]
        + [f"CREATE EXTERNAL TABLE IF NOT EXISTS `secops`.`{t}` " for t in TABLES]
    )
    for query_id in new_ids:
        assert query_id in result.stdout
    for name, table in TABLES.items():  # created as the catalog says, over the given location
        metadata = client.get_table_metadata(CatalogName="awsdatacatalog", DatabaseName="secops",
                                             TableName=name)["TableMetadata"]
        assert [c["Name"] for c in metadata["Columns"]] == table.column_names
        assert [k["Name"] for k in metadata["PartitionKeys"]] == list(table.partition_keys)
        assert metadata["Parameters"]["location"].rstrip("/") == f"{location}{name}"
    # The tables answer queries: a day written under the location is read back.
    lake = workspace / "upload"
    write_rows(lake, "cloudtrail", date(2026, 11, 27), _event("2026-11-27T12:00:00Z", "sts.amazonaws.com",
                                                               "AssumeRole", 4))
    athena_double.upload(lake, location)
    answer = athena_double.query("SELECT eventname, count(*) FROM cloudtrail WHERE day = '27' GROUP BY 1",
                                 database="secops")
    assert answer.state == "SUCCEEDED", answer.reason
    assert answer.outcome.rows == [["AssumeRole", "4"]]


# -- Against the executing Athena double (tests/athena_double): real rows, bytes and failures. --------

DEMO_WINDOW = Window(datetime(2026, 11, 18, 6, tzinfo=UTC), datetime(2026, 11, 19, 18, tzinfo=UTC))


@pytest.fixture()
def double_engine(athena_double, demo_lake, demo_lake_settings) -> Iterator[AthenaEngine]:  # noqa: ANN001
    from workbench.catalog.ddl import all_ddl

    athena_double.upload(demo_lake.lake, athena_double.lake_location)
    for statement in all_ddl(athena_double.lake_location):
        assert athena_double.query(statement).state == "SUCCEEDED"
    engine = get_engine("athena", athena_double.settings(demo_lake_settings))
    assert isinstance(engine, AthenaEngine)
    yield engine
    engine.close()


def test_double_answers_a_window_as_the_local_engine_does(double_engine: AthenaEngine, demo_lake_settings) -> None:  # noqa: ANN001
    sql = ("SELECT eventsource, eventname, count(*) AS n, count(DISTINCT useridentity.arn) AS principals "
           "FROM cloudtrail WHERE errorcode IS NULL GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 40")
    local = get_engine("local", demo_lake_settings)
    try:
        expected = local.run(sql, DEMO_WINDOW).frame
    finally:
        local.close()

    result = double_engine.run(sql, DEMO_WINDOW)

    assert len(result.frame) == 40
    pd.testing.assert_frame_equal(result.frame.reset_index(drop=True), expected.reset_index(drop=True),
                                  check_dtype=False)
    assert result.bytes_scanned > 0


def test_double_failure_reaches_the_engine_error(double_engine: AthenaEngine) -> None:
    with pytest.raises(EngineError, match="COLUMN_NOT_FOUND: line 1:8: Column 'nosuch' cannot be resolved"):
        double_engine.run("SELECT nosuch FROM cloudtrail", DEMO_WINDOW)
