"""The API's deadline on the Athena engine, against the executing Athena double: past
api.query_timeout the caller gets 504 and the statement is stopped on Athena (CANCELLED), not left
running and billing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from tests.api.server import ApiServer
from tests.api.test_query_api import DAY, QUERY, assert_error, records_of
from workbench.catalog.ddl import all_ddl

SQL = "SELECT eventname, count(*) AS n FROM cloudtrail GROUP BY eventname"


@pytest.fixture()
def slow_athena(athena_double: Any, demo_lake: SimpleNamespace) -> Iterator[Any]:
    athena_double.upload(demo_lake.lake, athena_double.lake_location)
    for statement in all_ddl(athena_double.lake_location):
        assert athena_double.query(statement).state == "SUCCEEDED"
    yield athena_double
    athena_double.latency = 0.0


def test_athena_query_past_the_deadline_is_504_and_cancelled(
        make_server: Callable[..., ApiServer], slow_athena: Any) -> None:
    server = make_server(query_timeout="1s", config={"athena": slow_athena.athena_settings()})
    client = server.client(server.tokens["query"])
    fast = client.post(QUERY, json={"sql": SQL, "engine": "athena", **DAY})
    assert fast.status_code == 200, fast.text
    assert {row[0] for row in fast.json()["rows"]}, "the double answered with no rows"

    slow_athena.latency = 8.0
    started = time.monotonic()
    response = client.post(QUERY, json={"sql": SQL, "engine": "athena", **DAY})
    elapsed = time.monotonic() - started
    body = assert_error(response, 504, "timeout")
    assert "api.query_timeout" in body["message"]
    assert elapsed < 7, f"answered after {elapsed:.1f}s: the deadline did not stop the statement"
    slow_athena.wait_idle()
    last = slow_athena.executions[-1]
    assert "GROUP BY" in last.query.upper() and last.state == "CANCELLED", (last.state, last.query)
    (row,) = records_of(server, body["request_id"])
    assert (row.engine, row.status, row.http_status) == ("athena", "error", 504)
