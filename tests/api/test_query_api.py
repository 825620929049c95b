"""The query API against a real Jupyter server on 127.0.0.1: auth, scopes, guard, window, truncation,
hostile bodies, and the history rows every request leaves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.api.server import DEMO_END, DEMO_START, ApiServer

QUERY = "/mantissa/api/query"
DAY = {"start": "2026-11-19T00:00:00Z", "end": "2026-11-20T00:00:00Z"}
# What no error answer may carry: tracebacks, server folders, engine or parser internals.
LEAKS = ("Traceback", "/tmp", "/work", "site-packages", "duckdb", "DuckDB", "sqlglot", "Binder Error",
         "Parser Error", "Catalog Error", 'File "')


def assert_error(response: httpx.Response, status: int, error: str | None = None, sent: str = "") -> dict:
    """The one error shape, with nothing of the server's inside (the caller's own text may be quoted)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "message", "request_id"}, body
    assert body["request_id"] == response.headers["x-request-id"]
    if error is not None:
        assert body["error"] == error, body
    assert "\n" not in body["message"]
    for leak in (leak for leak in LEAKS if leak not in sent):
        assert leak not in response.text, f"{leak!r} leaked: {response.text}"
    return body


def records_of(server: ApiServer, request_id: str) -> list:
    return [r for r in server.history() if r.request_id == request_id]


# -- authentication and scopes -------------------------------------------------------------------

@pytest.mark.parametrize("method,path", [("POST", QUERY), ("GET", "/mantissa/api/alerts"),
                                         ("GET", "/mantissa/api/alerts/a-0001"), ("GET", "/mantissa/api/health")],
                         ids=["query", "alerts", "alert", "health"])
@pytest.mark.parametrize("auth", [None, "Bearer mnt_not-a-real-token", "token wrong-jupyter-token", "Basic YTpi"],
                         ids=["none", "unknown-api-token", "wrong-jupyter-token", "basic"])
def test_no_identity_is_401_and_never_a_query(server: ApiServer, method: str, path: str, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    response = httpx.request(method, server.url + path, headers=headers, timeout=30,
                             json={"sql": "SELECT eventname FROM cloudtrail", **DAY} if method == "POST" else None)
    body = assert_error(response, 401, "unauthorized")
    records = records_of(server, body["request_id"])
    assert [(r.kind, r.status, r.http_status, r.user, r.executed_sql) for r in records] == \
        [("api", "unauthorized", 401, "-", None)]


def test_revoked_and_expired_tokens_are_401(server: ApiServer) -> None:
    from workbench.api.tokens import TokenStore

    store = TokenStore.for_settings(server.settings())
    revoked = store.create("to-revoke", ["query"]).token
    ok = server.client(revoked).post(QUERY, json={"sql": "SELECT count(*) FROM cloudtrail", **DAY})
    assert ok.status_code == 200, ok.text
    store.revoke("to-revoke")
    assert_error(server.client(revoked).post(QUERY, json={"sql": "SELECT 1", **DAY}), 401, "unauthorized")
    expired = store.create("expired", ["query"], expires="1h", now=datetime.now(UTC) - timedelta(hours=2)).token
    assert_error(server.client(expired).post(QUERY, json={"sql": "SELECT 1", **DAY}), 401, "unauthorized")


@pytest.mark.parametrize("token,method,path,status", [
    ("alerts", "POST", QUERY, 403),
    ("query", "GET", "/mantissa/api/alerts", 403),
    ("query", "GET", "/mantissa/api/alerts/a-0001", 403),
    ("alerts", "GET", "/mantissa/api/alerts", 200),
    ("alerts", "GET", "/mantissa/api/alerts/a-0001", 200),
    ("query", "POST", QUERY, 200),
    ("query", "GET", "/mantissa/api/health", 200),
    ("alerts", "GET", "/mantissa/api/health", 200),
], ids=lambda v: str(v).replace("/mantissa/api/", ""))
def test_scopes_are_enforced(server: ApiServer, token: str, method: str, path: str, status: int) -> None:
    body = {"sql": "SELECT eventname FROM cloudtrail", **DAY} if method == "POST" else None
    response = server.client(server.tokens[token]).request(method, path, json=body)
    if status == 403:
        refusal = assert_error(response, 403, "forbidden")
        assert "scope" in refusal["message"]
        assert all(r.executed_sql is None for r in records_of(server, refusal["request_id"]))
    else:
        assert response.status_code == status, response.text


def test_jupyter_token_is_an_identity_with_every_scope(server: ApiServer) -> None:
    client = server.client(jupyter=True)
    answer = client.post(QUERY, json={"sql": "SELECT count(*) AS n FROM cloudtrail", **DAY})
    assert answer.status_code == 200, answer.text
    assert client.get("/mantissa/api/alerts").status_code == 200
    # ?token= works too, and is neither taken for an alert filter nor written to the history.
    listed = httpx.get(f"{server.url}/mantissa/api/alerts", params={"token": server.jupyter_token, "limit": 2})
    assert listed.status_code == 200, listed.text
    assert len(listed.json()["alerts"]) == 2
    assert all(server.jupyter_token not in (r.question or "") for r in server.history())


def test_cookie_session_post_without_xsrf_is_refused(server: ApiServer) -> None:
    # A browser session (cookie) must carry the XSRF token on POST; a page elsewhere cannot forge it.
    with httpx.Client(base_url=server.url, timeout=30) as browser:
        browser.get("/login", params={"token": server.jupyter_token}, follow_redirects=True)
        assert any(name.startswith("username-") for name in browser.cookies), "no login cookie"
        response = browser.post(QUERY, json={"sql": "SELECT 1", **DAY})
        assert_error(response, 403)
        xsrf = browser.cookies.get("_xsrf")
        allowed = browser.post(QUERY, json={"sql": "SELECT count(*) FROM cloudtrail", **DAY},
                               headers={"X-XSRFToken": xsrf or ""})
        assert allowed.status_code == 200, allowed.text


# -- answers ---------------------------------------------------------------------------------------

def test_sql_answer_is_typed_and_carries_its_provenance(server: ApiServer) -> None:
    response = server.client(server.tokens["both"]).post(QUERY, json={
        "sql": "SELECT eventtime, eventname, useridentity, readonly, count(*) OVER () AS total FROM cloudtrail "
               "ORDER BY eventtime", "limit": 5, **DAY})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["request_id"] == response.headers["x-request-id"]
    assert answer["engine"] == "local" and answer["provider"] is None and answer["dry_run"] is False
    assert answer["window"] == {"start": DAY["start"], "end": DAY["end"]}
    assert [c["name"] for c in answer["columns"]] == ["eventtime", "eventname", "useridentity", "readonly", "total"]
    types = {c["name"]: c["type"] for c in answer["columns"]}
    assert types["useridentity"] == "object" and types["total"] == "integer"
    assert answer["row_count"] == 5 == len(answer["rows"]) and answer["truncated"] is True
    assert all(isinstance(row[2], dict) and "arn" in row[2] for row in answer["rows"])
    assert answer["bytes_scanned"] > 0 and answer["cost_usd"] > 0 and answer["query_id"]
    assert "LIMIT" in answer["sql"] and "year = '2026'" in answer["executed_sql"]


def test_window_is_enforced(server: ApiServer) -> None:
    client = server.client(server.tokens["query"])
    sql = "SELECT min(eventtime) AS first, max(eventtime) AS last, count(*) AS n FROM cloudtrail"
    day = client.post(QUERY, json={"sql": sql, **DAY}).json()
    whole = client.post(QUERY, json={"sql": sql, "start": DEMO_START, "end": DEMO_END}).json()
    first, last, n = day["rows"][0]
    assert first >= DAY["start"][:19] and last < DAY["end"][:19]
    assert 0 < n < whole["rows"][0][2]
    # Asking for rows outside the window in the SQL itself does not widen it.
    widened = client.post(QUERY, json={"sql": sql + " WHERE eventtime < '2026-11-19'", **DAY}).json()
    assert widened["rows"][0][2] == 0
    # No window given: the workspace's default (24h, ending now), never the whole lake.
    default = client.post(QUERY, json={"sql": sql}).json()
    start, end = (datetime.fromisoformat(default["window"][k].replace("Z", "+00:00")) for k in ("start", "end"))
    assert end - start == timedelta(hours=24) and default["rows"][0][2] == 0
    # A window longer than guard.max_window is refused, not run.
    assert "window" in assert_error(client.post(QUERY, json={"sql": sql, "window": "400d"}), 400)["message"]


def test_question_is_translated_guarded_and_answered(server: ApiServer) -> None:
    client = server.client(server.tokens["query"])
    asked = client.post(QUERY, json={"question": "Show all activity from 192.0.2.238", "start": DEMO_START,
                                     "end": DEMO_END})
    assert asked.status_code == 200, asked.text
    answer = asked.json()
    assert answer["provider"] == "offline"
    assert "192.0.2.238" in answer["sql"] and "LIMIT" in answer["sql"]
    ip = [c["name"] for c in answer["columns"]].index("sourceipaddress")
    assert answer["rows"] and all(row[ip] == "192.0.2.238" for row in answer["rows"])
    record = records_of(server, answer["request_id"])[0]
    assert (record.kind, record.question, record.provider) == ("ask", "Show all activity from 192.0.2.238", "offline")


def test_dry_run_runs_nothing(server: ApiServer) -> None:
    response = server.client(server.tokens["query"]).post(QUERY, json={
        "sql": "SELECT eventname FROM cloudtrail", "dry_run": True, **DAY})
    answer = response.json()
    assert response.status_code == 200 and answer["dry_run"] is True
    assert answer["rows"] == [] and answer["query_id"] is None and answer["bytes_scanned"] == 0
    assert "eventtime >= '2026-11-19" in answer["executed_sql"]
    assert records_of(server, answer["request_id"])[0].status == "dry-run"


def test_big_results_are_truncated_with_a_flag(server: ApiServer) -> None:
    client = server.client(server.tokens["query"])
    # max_rows is 50 on this server: asking for more gets 50 and the flag.
    big = client.post(QUERY, json={"sql": "SELECT eventid FROM cloudtrail", "limit": 1000, **DAY}).json()
    assert big["row_count"] == 50 and big["truncated"] is True
    small = client.post(QUERY, json={"sql": "SELECT count(*) FROM cloudtrail", **DAY}).json()
    assert small["row_count"] == 1 and small["truncated"] is False
    # The guard's LIMIT is one past what fits: exactly 50 rows are not called truncated.
    exact = client.post(QUERY, json={"sql": "SELECT eventid FROM cloudtrail ORDER BY eventid LIMIT 50", **DAY}).json()
    assert exact["row_count"] == 50 and exact["truncated"] is False


# -- refusals and hostile input --------------------------------------------------------------------

GUARD_REFUSALS = {
    "drop": "DROP TABLE cloudtrail",
    "two-statements": "SELECT eventname FROM cloudtrail; DELETE FROM cloudtrail",
    "stacked-after-comment": "SELECT eventname FROM cloudtrail /* */; COPY cloudtrail TO '/tmp/x.csv'",
    "unknown-table": "SELECT * FROM users",
    "file-read": "SELECT * FROM read_csv_auto('/etc/passwd')",
    "parquet-glob": "SELECT * FROM read_parquet('/**/*.parquet')",
    "attach": "ATTACH '/tmp/evil.duckdb' AS evil",
    "pragma": "PRAGMA database_list",
    "set": "SET enable_external_access = true",
    "install": "INSTALL httpfs",
    "information-schema": "SELECT * FROM information_schema.tables",
    "duckdb-settings": "SELECT * FROM duckdb_settings()",
    "union-file": "SELECT eventname FROM cloudtrail UNION ALL SELECT column0 FROM read_csv('/etc/hosts')",
    "getenv": "SELECT getenv('HOME') FROM cloudtrail",
    "insert": "INSERT INTO cloudtrail SELECT * FROM cloudtrail",
    "cte-write": "WITH x AS (SELECT 1) DELETE FROM cloudtrail",
    "empty-ish": "   ;  ",
}


@pytest.mark.parametrize("sql", list(GUARD_REFUSALS.values()), ids=list(GUARD_REFUSALS))
def test_guard_refusals_are_400_with_the_reason(server: ApiServer, sql: str) -> None:
    response = server.client(server.tokens["query"]).post(QUERY, json={"sql": sql, **DAY})
    body = assert_error(response, 400, sent=sql)
    assert body["error"] in ("guard_refused", "bad_request"), body
    assert len(body["message"]) < 500
    for record in records_of(server, body["request_id"]):
        assert record.executed_sql is None and record.http_status == 400


def test_injection_through_the_question_stays_guarded(server: ApiServer) -> None:
    client = server.client(server.tokens["query"])
    before = client.post(QUERY, json={"sql": "SELECT count(*) FROM cloudtrail", **DAY}).json()["rows"]
    for question in ("x'; DROP TABLE cloudtrail; --", "show events'); ATTACH '/tmp/x.db' AS x; --",
                     "activity from 1.2.3.4' UNION SELECT * FROM read_csv('/etc/passwd') --"):
        response = client.post(QUERY, json={"question": question, **DAY})
        assert response.status_code in (200, 400, 422), response.text
        if response.status_code == 200:
            assert "/etc/passwd" not in response.text.split('"sql"')[0]
            assert all("read_csv" not in str(row) for row in response.json()["rows"])
        else:
            assert_error(response, response.status_code)
    assert client.post(QUERY, json={"sql": "SELECT count(*) FROM cloudtrail", **DAY}).json()["rows"] == before


def test_engine_failures_say_where_to_look_without_internals(server: ApiServer) -> None:
    response = server.client(server.tokens["query"]).post(QUERY, json={
        "sql": "SELECT no_such_column FROM cloudtrail", **DAY})
    assert response.status_code in (400, 422), response.text
    body = assert_error(response, response.status_code)
    records = records_of(server, body["request_id"])
    assert records and records[0].status in ("error", "refused") and records[0].error


@pytest.mark.parametrize("content,ctype,status,error,needle", [
    (b'{"sql": "SELECT 1"', "application/json", 400, "bad_json", "not JSON"),
    (b"\xff\xfe not utf-8", "application/json", 400, "bad_json", "UTF-8"),
    (b'["SELECT 1"]', "application/json", 400, "bad_request", "JSON object"),
    (b'{"sql": "SELECT 1", "question": "hi"}', "application/json", 400, "bad_request", "exactly one"),
    (b"{}", "application/json", 400, "bad_request", "exactly one"),
    (b'{"sql": "SELECT 1", "unsafe": true}', "application/json", 400, "bad_request", "unsafe"),
    (b'{"sql": "SELECT 1", "limit": "ten"}', "application/json", 400, "bad_request", "limit"),
    (b'{"sql": "SELECT 1", "limit": 0}', "application/json", 400, "bad_request", "limit"),
    (b'{"sql": "SELECT 1", "limit": 100000000}', "application/json", 400, "bad_request", "limit"),
    (b'{"sql": "SELECT 1", "dry_run": "yes"}', "application/json", 400, "bad_request", "dry_run"),
    (b'{"sql": "SELECT 1", "engine": "postgres"}', "application/json", 400, "bad_request", "engine"),
    (b'{"sql": "SELECT 1", "window": "forever"}', "application/json", 400, "bad_request", "duration"),
    (b'{"sql": "SELECT 1", "start": "yesterday-ish", "end": "now"}', "application/json", 400, "bad_request", ""),
    (b'{"sql": "SELECT 1"}', "text/plain", 415, "unsupported_media_type", "application/json"),
    (b'{"sql": "SELECT 1"}', "application/x-www-form-urlencoded", 415, "unsupported_media_type", ""),
    (b"sql=SELECT+1", "", 415, "unsupported_media_type", ""),
    (b'{"sql": "' + b"A" * 70_000 + b'"}', "application/json", 413, "body_too_large", "max_body_bytes"),
], ids=["truncated-json", "not-utf8", "array", "both", "neither", "unsafe-field", "limit-text", "limit-zero",
        "limit-huge", "dry-run-text", "engine-unknown", "window-words", "start-words", "text-plain", "form",
        "no-content-type", "oversized"])
def test_hostile_bodies(server: ApiServer, content: bytes, ctype: str, status: int, error: str, needle: str) -> None:
    headers = {"Content-Type": ctype} if ctype else {}
    response = server.client(server.tokens["query"]).post(QUERY, content=content, headers=headers)
    body = assert_error(response, status, error)
    assert needle in body["message"]


def test_unknown_endpoints_and_methods_answer_json(server: ApiServer) -> None:
    client = server.client(server.tokens["both"])
    assert_error(client.get("/mantissa/api/nope"), 404, "not_found")
    assert_error(client.get(QUERY), 405, "method_not_allowed")
    assert_error(client.delete("/mantissa/api/alerts/a-0001"), 405, "method_not_allowed")


# -- alerts, health, the document ------------------------------------------------------------------

def test_alerts_are_listed_paged_and_read(server: ApiServer) -> None:
    client = server.client(server.tokens["alerts"])
    seen, token = [], None
    while True:
        params = {"limit": 3, **({"page_token": token} if token else {})}
        page = client.get("/mantissa/api/alerts", params=params).json()
        seen += [a["id"] for a in page["alerts"]]
        token = page["next_token"]
        if token is None:
            break
    assert sorted(seen) == [f"a-{i:04d}" for i in range(7)] and len(seen) == len(set(seen))
    critical = client.get("/mantissa/api/alerts", params={"severity": "critical"}).json()["alerts"]
    assert critical and {a["severity"] for a in critical} == {"critical"}
    one = client.get("/mantissa/api/alerts/a-0003").json()
    assert one["id"] == "a-0003" and one["evidence"]["rows"] and one["audit"]
    missing = assert_error(client.get("/mantissa/api/alerts/a-9999"), 404, "not_found")
    assert "a-9999" in missing["message"]
    assert_error(client.get("/mantissa/api/alerts", params={"severity": "apocalyptic"}), 400)
    assert_error(client.get("/mantissa/api/alerts", params={"page_token": "garbage!"}), 400)
    assert_error(client.get("/mantissa/api/alerts", params={"limit": 0}), 400)
    assert_error(client.get("/mantissa/api/alerts", params={"order_by": "password"}), 400)
    assert_error(client.get("/mantissa/api/alerts", params={"sql": "DROP"}), 400)


def test_health_is_the_doctor_as_json_without_server_paths(server: ApiServer) -> None:
    response = server.client(server.tokens["query"]).get("/mantissa/api/health")
    assert response.status_code == 200, response.text
    report = response.json()
    names = [c["name"] for c in report["checks"]]
    assert names[:2] == ["config", "engine"] and any(n.startswith("table ") for n in names)
    assert report["ok"] == all(c["level"] != "fail" for c in report["checks"])
    assert str(server.workspace) not in response.text and "/tmp/" not in response.text


def test_openapi_document_is_served_and_matches_the_repository(server: ApiServer) -> None:
    import json

    from workbench.api.openapi import DOCUMENT

    served = httpx.get(f"{server.url}/mantissa/api/openapi.json", timeout=30).json()
    kept = json.loads(DOCUMENT.read_text())
    assert served["paths"] == kept["paths"] and served["components"] == kept["components"]
    assert set(served["paths"]) == {"/mantissa/api/query", "/mantissa/api/alerts", "/mantissa/api/alerts/{alert_id}",
                                    "/mantissa/api/health", "/mantissa/api/openapi.json"}


# -- the history -----------------------------------------------------------------------------------

def test_history_rows_carry_identity_address_and_status(server: ApiServer) -> None:
    both = server.client(server.tokens["both"])
    ok = both.post(QUERY, json={"sql": "SELECT count(*) FROM cloudtrail", **DAY}).json()
    refused = both.post(QUERY, json={"sql": "DELETE FROM cloudtrail", **DAY}).json()
    listed = both.get("/mantissa/api/alerts")
    jupyter = server.client(jupyter=True).post(QUERY, json={"sql": "SELECT 1 FROM cloudtrail", **DAY}).json()

    (row,) = records_of(server, ok["request_id"])
    assert (row.user, row.remote, row.http_status, row.status, row.kind) == ("api:both", "127.0.0.1", 200, "ok", "api")
    assert row.sql == "SELECT count(*) FROM cloudtrail" and row.bytes_scanned == ok["bytes_scanned"]
    (row,) = records_of(server, refused["request_id"])
    assert (row.user, row.http_status, row.status) == ("api:both", 400, "refused") and row.error
    (row,) = records_of(server, listed.headers["x-request-id"])
    assert (row.user, row.http_status, row.question) == ("api:both", 200, "GET /mantissa/api/alerts")
    (row,) = records_of(server, jupyter["request_id"])
    assert row.user not in ("api:both", "-") and row.http_status == 200
