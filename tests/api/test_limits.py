"""The query API's limits on a real Jupyter server with tight settings: requests per minute, bytes
scanned per day, result bytes, and the timeout that stops a query (504)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.api.server import ApiServer
from tests.api.test_query_api import DAY, QUERY, assert_error, records_of

# A three-way self join of a day of CloudTrail on its region (a handful of values): ~1e11 row
# triples, far past a 1s deadline on any machine, yet a join the guard accepts (it has a condition).
SLOW = ("SELECT count(*) FROM cloudtrail a JOIN cloudtrail b ON a.awsregion = b.awsregion "
        "JOIN cloudtrail c ON b.awsregion = c.awsregion")


@pytest.fixture(scope="module")
def tight(make_server: Callable[..., ApiServer]) -> ApiServer:
    return make_server(requests_per_minute=5, bytes_per_day=2_000_000, max_result_bytes=2048, query_timeout="1s")


def token(server: ApiServer, name: str, scopes: tuple[str, ...] = ("query",)) -> str:
    from workbench.api.tokens import TokenStore

    return TokenStore.for_settings(server.settings()).create(name, list(scopes)).token


def test_requests_per_minute_is_429_with_retry_after_per_identity(tight: ApiServer) -> None:
    client = tight.client(token(tight, "chatty"))
    answers = [client.post(QUERY, json={"sql": "SELECT 1 FROM cloudtrail LIMIT 1", **DAY, "dry_run": True})
               for _ in range(6)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    refusal = assert_error(answers[5], 429, "rate_limited")
    assert 1 <= int(answers[5].headers["retry-after"]) <= 60
    assert "requests_per_minute" in refusal["message"]
    (row,) = records_of(tight, refusal["request_id"])
    assert (row.user, row.http_status, row.status, row.executed_sql) == ("api:chatty", 429, "rate_limited", None)
    # Another caller is not slowed by this one.
    other = tight.client(token(tight, "quiet")).post(QUERY, json={"sql": "SELECT 1 FROM cloudtrail", **DAY,
                                                                           "dry_run": True})
    assert other.status_code == 200, other.text


def test_bytes_scanned_per_day_is_429_until_midnight(tight: ApiServer) -> None:
    client = tight.client(token(tight, "scanner"))
    sql = {"sql": "SELECT count(*) FROM cloudtrail", "start": "2026-11-18T00:00:00Z", "end": "2026-11-20T00:00:00Z"}
    first = client.post(QUERY, json=sql)
    assert first.status_code == 200 and first.json()["bytes_scanned"] > 2_000_000, first.text
    refusal = assert_error(client.post(QUERY, json=sql), 429, "scan_budget_exhausted")
    assert "bytes_per_day" in refusal["message"]
    retry = int(client.post(QUERY, json=sql).headers["retry-after"])
    assert 1 <= retry <= 86_400


def test_result_bytes_cap_truncates_with_the_flag(tight: ApiServer) -> None:
    answer = tight.client(token(tight, "wide")).post(QUERY, json={
        "sql": "SELECT useridentity, requestparameters FROM cloudtrail", "limit": 100, **DAY}).json()
    assert answer["truncated"] is True and 0 < answer["row_count"] < 100
    assert len(str(answer["rows"])) < 4 * 2048


def test_timeout_is_504_and_the_query_is_stopped(tight: ApiServer) -> None:
    client = tight.client(jupyter=True)
    started = time.monotonic()
    response = client.post(QUERY, json={"sql": SLOW, **DAY})
    elapsed = time.monotonic() - started
    body = assert_error(response, 504, "timeout")
    assert "api.query_timeout" in body["message"]
    assert elapsed < 20, f"answered after {elapsed:.1f}s: the deadline did not stop the query"
    (row,) = records_of(tight, body["request_id"])
    assert (row.status, row.http_status) == ("error", 504) and "timed out" in row.error
    # The worker is free again: the next query answers at once.
    after = client.post(QUERY, json={"sql": "SELECT count(*) FROM cloudtrail", **DAY})
    assert after.status_code == 200, after.text
