"""The query API over the Athena engine, through pyathena against the executing Athena double
(tests/athena_double) on 127.0.0.1: the same guard, window and answer shape as the local engine,
and the same rows, read from the demo lake uploaded to the double's S3."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from tests.api.server import ApiServer
from tests.api.test_query_api import DAY, QUERY
from workbench.catalog.ddl import all_ddl

SQL = ("SELECT eventname, count(*) AS n, min(from_iso8601_timestamp(eventtime)) AS first, max(errorcode) AS error "
       "FROM cloudtrail WHERE eventsource = 'sts.amazonaws.com' GROUP BY eventname ORDER BY n DESC, eventname")


def test_athena_answers_through_the_api_as_the_local_engine(make_server: Callable[..., ApiServer], athena_double: Any,
                                                            demo_lake: SimpleNamespace) -> None:
    athena_double.upload(demo_lake.lake, athena_double.lake_location)
    for statement in all_ddl(athena_double.lake_location):
        assert athena_double.query(statement).state == "SUCCEEDED"
    server = make_server(config={"athena": athena_double.athena_settings()})
    client = server.client(server.tokens["query"])

    response = client.post(QUERY, json={"sql": SQL, "engine": "athena", **DAY})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["engine"] == "athena" and answer["query_id"]
    assert answer["query_id"] in [e.id for e in athena_double.executions]
    assert "day = '19'" in answer["executed_sql"] and "LIMIT" in answer["sql"]
    local = client.post(QUERY, json={"sql": SQL, "engine": "local", **DAY}).json()
    assert answer["columns"] == local["columns"]
    assert {c["name"]: c["type"] for c in answer["columns"]} == {"eventname": "string", "n": "integer",
                                                                 "first": "timestamp", "error": "string"}
    assert answer["rows"] == local["rows"] and len(answer["rows"]) >= 2
    assert any(row[3] is None for row in answer["rows"])  # NULL stays null
    (record,) = [r for r in server.history() if r.request_id == answer["request_id"]]
    assert (record.engine, record.user, record.http_status) == ("athena", "api:querier", 200)
