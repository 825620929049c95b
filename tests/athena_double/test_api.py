"""The double speaks Athena's API: lifecycle, pages, errors, cancellation, concurrency, results file."""

from __future__ import annotations

import csv
import io
import threading
import time

import pytest
from botocore.exceptions import ClientError

from tests.athena_double import AthenaDouble


def _start(double: AthenaDouble, sql: str, database: str = "mantissa") -> str:
    return double.client().start_query_execution(
        QueryString=sql, QueryExecutionContext={"Database": database},
        ResultConfiguration={"OutputLocation": double.output_location})["QueryExecutionId"]


def _wait(double: AthenaDouble, query_id: str, states: tuple[str, ...], timeout: float = 20.0) -> dict:
    client = double.client()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        execution = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        if execution["Status"]["State"] in states:
            return execution
        time.sleep(0.01)
    raise AssertionError(f"{query_id} never reached {states}")


def test_select_pages_of_at_most_max_results_with_the_header_first(lake_double: AthenaDouble) -> None:
    client = lake_double.client()
    query_id = _start(lake_double, "SELECT eventid, eventtime FROM cloudtrail ORDER BY eventtime, eventid LIMIT 2500")
    _wait(lake_double, query_id, ("SUCCEEDED",))

    pages = list(client.get_paginator("get_query_results").paginate(
        QueryExecutionId=query_id, PaginationConfig={"PageSize": 1000}))

    assert [len(p["ResultSet"]["Rows"]) for p in pages] == [1000, 1000, 501]
    header = pages[0]["ResultSet"]["Rows"][0]["Data"]
    assert header == [{"VarCharValue": "eventid"}, {"VarCharValue": "eventtime"}]
    info = pages[0]["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    assert [(c["Name"], c["Type"]) for c in info] == [("eventid", "varchar"), ("eventtime", "varchar")]
    times = [r["Data"][1]["VarCharValue"] for p in pages for r in p["ResultSet"]["Rows"]][1:]
    assert len(times) == 2500 and times == sorted(times)
    with pytest.raises(ClientError, match="less than or equal to 1000"):
        client.get_query_results(QueryExecutionId=query_id, MaxResults=1001)


def test_pyathena_fetches_every_page_typed(lake_double: AthenaDouble) -> None:
    cursor = lake_double.connect(schema_name="mantissa").cursor(arraysize=1000)
    cursor.execute("SELECT srcport, bytes, srcaddr FROM vpc_flow ORDER BY start, srcaddr, srcport LIMIT 2500")
    rows = cursor.fetchall()
    assert len(rows) == 2500
    assert all(isinstance(r[1], int) for r in rows if r[1] is not None)
    assert cursor.data_scanned_in_bytes > 0
    assert cursor.state == "SUCCEEDED"


def test_result_csv_is_written_to_the_output_location(lake_double: AthenaDouble) -> None:
    query_id = _start(lake_double, "SELECT 'a\"b' AS quoted, CAST(NULL AS varchar) AS missing, 7 AS n")
    execution = _wait(lake_double, query_id, ("SUCCEEDED",))
    location = execution["ResultConfiguration"]["OutputLocation"]
    assert location == f"{lake_double.output_location}{query_id}.csv"
    body = lake_double.s3.get_object(Bucket=lake_double.results_bucket, Key=f"queries/{query_id}.csv")["Body"].read()
    assert body.decode() == '"quoted","missing","n"\n"a""b",,"7"\n'
    assert list(csv.reader(io.StringIO(body.decode())))[1] == ['a"b', "", "7"]


def test_unknown_column_fails_with_athenas_message(lake_double: AthenaDouble) -> None:
    query_id = _start(lake_double, "SELECT nosuchcolumn FROM cloudtrail")
    execution = _wait(lake_double, query_id, ("FAILED", "SUCCEEDED"))
    assert execution["Status"]["State"] == "FAILED"
    assert execution["Status"]["StateChangeReason"] == (
        "COLUMN_NOT_FOUND: line 1:8: Column 'nosuchcolumn' cannot be resolved or requester is not "
        "authorized to access requested resources")
    assert execution["Status"]["AthenaError"]["ErrorCategory"] == 2
    with pytest.raises(ClientError, match="Final query state: FAILED"):
        lake_double.client().get_query_results(QueryExecutionId=query_id)


def test_unknown_table_and_syntax_errors_fail_with_position(lake_double: AthenaDouble) -> None:
    missing = lake_double.query("SELECT 1\nFROM nowhere", database="mantissa")
    assert missing.state == "FAILED"
    assert missing.reason == "TABLE_NOT_FOUND: line 2:6: Table 'awsdatacatalog.mantissa.nowhere' does not exist"
    broken = lake_double.query("SELECT FROM WHERE", database="mantissa")
    assert broken.state == "FAILED" and broken.reason.startswith("SYNTAX_ERROR: line 1:")


def test_api_errors_are_invalid_request_exceptions(athena_double: AthenaDouble) -> None:
    client = athena_double.client()
    with pytest.raises(client.exceptions.InvalidRequestException, match="QueryExecution nope was not found"):
        client.get_query_execution(QueryExecutionId="nope")
    with pytest.raises(client.exceptions.InvalidRequestException, match="No output location provided"):
        client.start_query_execution(QueryString="SELECT 1")
    with pytest.raises(client.exceptions.InvalidRequestException, match="WorkGroup nope is not found"):
        client.get_work_group(WorkGroup="nope")
    assert client.get_work_group(WorkGroup="primary")["WorkGroup"]["State"] == "ENABLED"


def test_states_go_queued_running_succeeded_with_the_latency(athena_double: AthenaDouble) -> None:
    athena_double.latency = 0.4
    client = athena_double.client()
    clock = time.monotonic()
    query_id = _start(athena_double, "SELECT 1 AS one", database="default")
    seen = []
    while not seen or seen[-1] not in ("SUCCEEDED", "FAILED"):
        state = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]["State"]
        if not seen or seen[-1] != state:
            seen.append(state)
        time.sleep(0.01)
    assert seen[-2:] == ["RUNNING", "SUCCEEDED"] and set(seen) <= {"QUEUED", "RUNNING", "SUCCEEDED"}
    assert time.monotonic() - clock >= 0.4
    stats = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Statistics"]
    assert stats["TotalExecutionTimeInMillis"] >= 400
    assert stats["EngineExecutionTimeInMillis"] <= stats["TotalExecutionTimeInMillis"]


def test_stop_cancels_a_running_query(athena_double: AthenaDouble) -> None:
    athena_double.latency = 30
    client = athena_double.client()
    query_id = _start(athena_double, "SELECT 1", database="default")
    _wait(athena_double, query_id, ("RUNNING",))
    clock = time.monotonic()
    client.stop_query_execution(QueryExecutionId=query_id)
    execution = _wait(athena_double, query_id, ("CANCELLED", "SUCCEEDED", "FAILED"), timeout=2)
    assert execution["Status"]["State"] == "CANCELLED"
    assert time.monotonic() - clock < 2
    athena_double.wait_idle(timeout=2)
    with pytest.raises(ClientError, match="Final query state: CANCELLED"):
        client.get_query_results(QueryExecutionId=query_id)


def test_stop_interrupts_duckdb_mid_statement(athena_double: AthenaDouble) -> None:
    client = athena_double.client()
    # 10^11 rows counted: minutes of work unless the interrupt lands; tiny in memory.
    query_id = _start(athena_double, "SELECT count(*) FROM UNNEST(sequence(1, 10000)) AS t(a) "
                                     "CROSS JOIN UNNEST(sequence(1, 10000)) AS u(b) "
                                     "CROSS JOIN UNNEST(sequence(1, 1000)) AS v(c)", database="default")
    execution = athena_double.service.get(query_id)
    deadline = time.monotonic() + 10
    while execution.connection is None and execution.state not in ("SUCCEEDED", "FAILED"):
        assert time.monotonic() < deadline
        time.sleep(0.005)
    time.sleep(0.2)
    client.stop_query_execution(QueryExecutionId=query_id)
    athena_double.wait_idle(timeout=5)
    assert execution.state == "CANCELLED"
    deadline = time.monotonic() + 5
    while execution.busy:  # the worker left DuckDB: the statement really stopped
        assert time.monotonic() < deadline, "DuckDB kept running after StopQueryExecution"
        time.sleep(0.01)


def test_fail_next_fails_exactly_one_statement(athena_double: AthenaDouble) -> None:
    athena_double.fail_next("HIVE_CURSOR_ERROR: injected by the test")
    first, second = athena_double.query("SELECT 1"), athena_double.query("SELECT 2")
    assert (first.state, first.reason) == ("FAILED", "HIVE_CURSOR_ERROR: injected by the test")
    assert second.state == "SUCCEEDED"
    assert athena_double.statements == ["SELECT 1", "SELECT 2"]


def test_max_concurrent_counts_statements_running_together(athena_double: AthenaDouble) -> None:
    athena_double.latency = 0.3
    ids = []
    threads = [threading.Thread(target=lambda: ids.append(_start(athena_double, "SELECT 1", "default")))
               for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    athena_double.wait_idle()
    assert athena_double.max_concurrent == 5
    for query_id in ids:
        _wait(athena_double, query_id, ("SUCCEEDED",))


def test_list_and_batch_get_query_executions(athena_double: AthenaDouble) -> None:
    client = athena_double.client()
    ids = [_start(athena_double, f"SELECT {n}", database="default") for n in range(3)]
    athena_double.wait_idle()
    listed = client.list_query_executions()["QueryExecutionIds"]
    assert listed[:3] == ids[::-1]
    batch = client.batch_get_query_execution(QueryExecutionIds=ids + ["nope"])
    assert sorted(e["QueryExecutionId"] for e in batch["QueryExecutions"]) == sorted(ids)
    assert batch["UnprocessedQueryExecutionIds"][0]["QueryExecutionId"] == "nope"


def test_execution_parameters_bind_as_literals(athena_double: AthenaDouble) -> None:
    cursor = athena_double.connect().cursor()
    cursor.execute("SELECT ? AS a, ? + 1 AS b", ["'it''s'", "41"], paramstyle="qmark")
    assert cursor.fetchall() == [("it's", 42)]
