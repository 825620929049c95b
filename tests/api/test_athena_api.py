"""The query API over the Athena engine, through pyathena against the moto server on 127.0.0.1:
the same guard, window and answer shape as the local engine."""

from __future__ import annotations

from collections.abc import Callable

from tests.api.server import ApiServer
from tests.api.test_query_api import DAY, QUERY
from tests.engines.test_athena import queue_result


def test_athena_answers_through_the_api(make_server: Callable[..., ApiServer], aws_env: str,
                                         moto_athena: str) -> None:
    server = make_server(config={"athena": {"endpoint_url": moto_athena, "region": "us-east-1",
                                            "output_location": "s3://mantissa-results/api/", "poll_interval": 0.01}})
    queue_result(moto_athena, [("eventname", "varchar"), ("n", "bigint"), ("first", "timestamp")],
                 [["ConsoleLogin", "42", "2026-11-19 10:00:00.000"], ["AssumeRole", "7", None]])
    response = server.client(server.tokens["query"]).post(QUERY, json={
        "sql": "SELECT eventname, count(*) AS n, min(eventtime) AS first FROM cloudtrail GROUP BY eventname",
        "engine": "athena", **DAY})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["engine"] == "athena" and answer["query_id"]
    assert "day = '19'" in answer["executed_sql"] and "LIMIT" in answer["sql"]
    assert {c["name"]: c["type"] for c in answer["columns"]} == {"eventname": "string", "n": "integer",
                                                                 "first": "timestamp"}
    assert answer["rows"] == [["ConsoleLogin", 42, "2026-11-19T10:00:00Z"], ["AssumeRole", 7, None]]
    (record,) = [r for r in server.history() if r.request_id == answer["request_id"]]
    assert (record.engine, record.user, record.http_status) == ("athena", "api:querier", 200)
