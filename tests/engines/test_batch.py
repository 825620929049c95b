"""Shared scans: a batch answers exactly as each query alone does, reading each table once."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from workbench.detect.plan.shareable import (
    Shareable,
    Solo,
    _empty_for_no_rows,
    analyse,
    overlapping,
    split_evenly,
)
from workbench.engines import Engine, EngineError, Result
from workbench.engines.local import LocalEngine
from workbench.engines.window import parse_athena
from workbench.timewindow import Window

WriteRows = Callable[..., Path]
DAY1, DAY2 = date(2026, 11, 26), date(2026, 11, 27)
WEEK = Window(datetime(2026, 11, 25, tzinfo=UTC), datetime(2026, 11, 29, tzinfo=UTC))


def _event(day: date, i: int) -> dict:
    """A varied CloudTrail row: some NULLs, struct identities, JSON request documents."""
    kinds = [("iam.amazonaws.com", "AttachUserPolicy"), ("s3.amazonaws.com", "GetObject"),
             ("signin.amazonaws.com", "ConsoleLogin"), ("ec2.amazonaws.com", "DescribeInstances"),
             ("iam.amazonaws.com", "CreateAccessKey")]
    source, name = kinds[i % len(kinds)]
    identity = None if i % 11 == 0 else {
        "type": "Root" if i % 7 == 0 else "IAMUser",
        "arn": f"arn:aws:iam::111122223333:user/u{i % 4}",
        "username": None if i % 5 == 0 else f"u{i % 4}",
        "invokedby": "s3.amazonaws.com" if i % 14 == 0 else None,
        "sessioncontext": None if i % 3 == 0 else {
            "sessionissuer": {"arn": f"arn:aws:iam::111122223333:role/r{i % 3}", "username": f"r{i % 3}"},
            "attributes": {"mfaauthenticated": "true" if i % 2 else "false", "creationdate": None},
        },
    }
    params = None if i % 6 == 0 else json.dumps({
        "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess" if i % 3 == 0 else "arn:aws:iam::aws:policy/ReadOnly",
        "userName": f"u{(i + 1) % 4}", "nested": {"list": [i, i + 1]},
    })
    return {
        "eventtime": f"{day.isoformat()}T{i % 24:02d}:{(i * 7) % 60:02d}:00Z",
        "eventid": f"{day}-{i:03d}", "eventsource": source, "eventname": name,
        "useridentity": identity, "requestparameters": params,
        "errorcode": "AccessDenied" if i % 4 == 0 else None,
        "sourceipaddress": f"198.51.100.{i % 9}", "recipientaccountid": "111122223333" if i % 2 else "444455556666",
        "awsregion": ["us-east-1", "eu-west-1", None][i % 3], "eventtype": "AwsApiCall",
        "responseelements": json.dumps({"ConsoleLogin": "Failure" if i % 3 else "Success"}),
    }


@pytest.fixture()
def trail(lake: Path, write_rows: WriteRows) -> list[Path]:
    return [write_rows(lake, "cloudtrail", day, [_event(day, i) for i in range(60)]) for day in (DAY1, DAY2)]


# (id, query, whether its rows are ordered by the query itself)
QUERIES = [
    ("struct-access", "SELECT eventid, useridentity.arn AS arn FROM cloudtrail WHERE useridentity.type = 'Root'", False),
    ("json-extract", "SELECT eventid, json_extract_scalar(requestparameters, '$.policyArn') AS policy FROM cloudtrail "
                     "WHERE eventsource = 'iam.amazonaws.com' AND json_extract_scalar(requestparameters, "
                     "'$.policyArn') LIKE '%AdministratorAccess'", False),
    ("json-object-path", "SELECT eventid, json_extract_scalar(requestparameters, '$.nested') AS obj FROM cloudtrail "
                         "WHERE eventname = 'AttachUserPolicy'", False),
    ("in-list", "SELECT eventid, eventname FROM cloudtrail WHERE eventname IN ('GetObject', 'ConsoleLogin') "
                "AND errorcode IS NULL", False),
    ("like-and-or", "SELECT eventid FROM cloudtrail WHERE (useridentity.arn LIKE '%u1' OR awsregion = 'eu-west-1') "
                    "AND eventsource <> 's3.amazonaws.com'", False),
    ("group-having-order", "SELECT useridentity.username AS who, count(*) AS n FROM cloudtrail "
                           "WHERE errorcode = 'AccessDenied' GROUP BY 1 HAVING count(*) > 1 ORDER BY n DESC, who", True),
    ("order-limit", "SELECT eventid, eventtime FROM cloudtrail WHERE eventsource = 'signin.amazonaws.com' "
                    "ORDER BY eventtime DESC, eventid LIMIT 5", True),
    ("aggregate-no-where", "SELECT count(*) AS n, count(useridentity.username) AS named FROM cloudtrail", True),
    ("null-handling", "SELECT eventid, coalesce(useridentity.username, 'none') AS who FROM cloudtrail "
                      "WHERE useridentity.invokedby IS NULL AND awsregion IS NULL", False),
    ("aliased-qualified", "SELECT c.eventid FROM mantissa.cloudtrail c WHERE c.useridentity.type = 'IAMUser' "
                          "AND c.recipientaccountid = '444455556666'", False),
    ("unnest-predicate-not-lifted",
     "SELECT eventid, n FROM cloudtrail CROSS JOIN UNNEST(CAST(json_extract(requestparameters, '$.nested.list') "
     "AS ARRAY(INTEGER))) AS t(n) WHERE eventname = 'AttachUserPolicy' AND n % 2 = 0", False),
    ("cte-window-fn", "WITH x AS (SELECT eventid, eventtime, row_number() OVER (PARTITION BY eventname "
                      "ORDER BY eventtime, eventid) AS rn FROM cloudtrail WHERE eventname = 'GetObject') "
                      "SELECT eventid, rn FROM x WHERE rn <= 3 ORDER BY eventid", True),
    ("union-branch", "SELECT eventid FROM cloudtrail WHERE eventname = 'CreateAccessKey' UNION ALL "
                     "SELECT 'literal-row'", False),
    ("no-rows", "SELECT eventid FROM cloudtrail WHERE eventname = 'NoSuchCall'", False),
    ("two-log-tables", "SELECT c.eventid FROM cloudtrail c JOIN vpc_flow v ON c.sourceipaddress = v.srcaddr "
                       "WHERE c.eventname = 'GetObject'", False),
    ("nested-struct-path", "SELECT eventid, useridentity.sessioncontext.sessionissuer.arn AS issuer, "
                           "c.useridentity.sessioncontext.sessionissuer.username AS who FROM cloudtrail c "
                           "WHERE c.useridentity.sessioncontext.attributes.mfaauthenticated = 'true'", False),
    ("nested-struct-null", "SELECT eventid FROM cloudtrail WHERE eventname = 'GetObject' "
                           "AND useridentity.sessioncontext IS NULL", False),
    ("self-join", "SELECT k.eventid AS key_id, a.eventid AS attach_id FROM cloudtrail k JOIN cloudtrail a "
                  "ON a.useridentity.arn = k.useridentity.arn AND a.eventtime >= k.eventtime "
                  "WHERE k.eventname = 'CreateAccessKey' AND a.eventname = 'AttachUserPolicy' "
                  "AND json_extract_scalar(a.requestparameters, '$.policyArn') LIKE '%Admin%'", False),
    ("in-subquery-self", "SELECT eventid FROM cloudtrail WHERE eventname = 'GetObject' AND sourceipaddress IN "
                         "(SELECT sourceipaddress FROM cloudtrail WHERE errorcode = 'AccessDenied' "
                         "AND eventsource = 'iam.amazonaws.com')", False),
    ("self-left-join", "SELECT k.eventid, a.eventid AS other FROM cloudtrail k LEFT JOIN cloudtrail a "
                       "ON a.sourceipaddress = k.sourceipaddress AND a.eventname = 'GetObject' AND a.errorcode IS NULL "
                       "WHERE k.eventname = 'CreateAccessKey' AND a.eventid IS NULL", False),
    # Conditions on values a subquery names (NULL for some rows), bare and by the subquery's alias.
    ("outer-where-derived", "SELECT eventid, policy, who FROM (SELECT eventid, json_extract_scalar(requestparameters, "
                            "'$.policyArn') AS policy, useridentity.username AS who FROM cloudtrail "
                            "WHERE eventsource = 'iam.amazonaws.com') AS p "
                            "WHERE policy LIKE '%Admin%' AND (p.who IS NULL OR p.who <> 'u1')", False),
    ("outer-where-two-levels", "SELECT eventid, n FROM (SELECT eventid, cardinality(ids) AS n, region FROM "
                               "(SELECT eventid, split(coalesce(awsregion, ''), '-') AS ids, awsregion AS region "
                               "FROM cloudtrail WHERE eventname IN ('GetObject', 'ConsoleLogin'))) "
                               "WHERE n = 3 AND region LIKE 'us-%'", False),
    # A window in between: its value depends on rows the outer condition drops, so nothing is
    # lifted past it (lifting `eventname = 'GetObject'` would change what `rn` counts).
    ("outer-where-over-window", "SELECT eventid, rn FROM (SELECT eventid, eventname, row_number() OVER (PARTITION BY "
                                "sourceipaddress ORDER BY eventtime, eventid) AS rn FROM cloudtrail "
                                "WHERE eventsource IN ('s3.amazonaws.com', 'iam.amazonaws.com')) "
                                "WHERE eventname = 'GetObject' AND rn > 1", False),
]


def _same(batched: pd.DataFrame, alone: pd.DataFrame, ordered: bool) -> None:
    if not ordered:  # SQL promises no order without ORDER BY; compare as multisets
        batched = batched.sort_values(list(batched.columns)).reset_index(drop=True)
        alone = alone.sort_values(list(alone.columns)).reset_index(drop=True)
    pd.testing.assert_frame_equal(batched, alone)


@pytest.mark.parametrize("threads", [1, 3], ids=["one-cursor", "three-cursors"])
def test_a_batch_answers_every_query_as_it_runs_alone(local: LocalEngine, trail: list[Path], threads: int,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LocalEngine, "MEMBER_THREADS", threads)
    queries = [q for _, q, _ in QUERIES]
    batched = local.run_batch(queries, WEEK)
    for (name, sql, ordered), answer in zip(QUERIES, batched, strict=True):
        assert isinstance(answer, Result), f"{name}: {answer}"
        _same(answer.frame, local.run(sql, WEEK).frame, ordered)
    shared = {name for (name, _, _), a in zip(QUERIES, batched, strict=True) if "shared_scan" in a.extra}
    # Everything with a liftable WHERE over one table shared the scan (the windowed query too:
    # LocalEngine.SHARE_WINDOWED); the rest ran alone.
    assert shared == {name for name, _, _ in QUERIES} - {"aggregate-no-where", "two-log-tables"}
    assert sum(a.rows for a in batched) > 0
    rows = {name: a.rows for (name, _, _), a in zip(QUERIES, batched, strict=True)}
    assert rows["self-join"] and rows["in-subquery-self"] and rows["self-left-join"]  # each reads both sides


def test_windowed_queries_run_alone_when_the_engine_says_so(local: LocalEngine, trail: list[Path],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    queries = [q for _, q, _ in QUERIES]
    windowed = [i for i, (name, _, _) in enumerate(QUERIES) if name == "cte-window-fn"]
    monkeypatch.setattr(LocalEngine, "SHARE_WINDOWED", False)
    batched = local.run_batch(queries, WEEK)
    for i in windowed:
        assert "shared_scan" not in batched[i].extra  # type: ignore[union-attr]
        _same(batched[i].frame, local.run(queries[i], WEEK).frame, ordered=True)  # type: ignore[union-attr]
    assert sum(a.rows for a in batched) > 0


def test_a_query_with_too_many_candidates_runs_alone(local: LocalEngine, trail: list[Path],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A caller that knows a query's candidate count (the detection census) keeps a query with
    more than `SHARED_CANDIDATES_MAX` out of the in-memory shared table."""
    monkeypatch.setattr(LocalEngine, "SHARED_CANDIDATES_MAX", 10)
    queries = [q for _, q, _ in QUERIES[:4]]
    batched = local.run_batch(queries, WEEK, candidates=[11, 10, None, 0])
    assert ["shared_scan" in a.extra for a in batched] == [False, True, True, True]  # type: ignore[union-attr]
    for (_, sql, ordered), answer in zip(QUERIES[:4], batched, strict=True):
        _same(answer.frame, local.run(sql, WEEK).frame, ordered)  # type: ignore[union-attr]


def test_the_base_batch_runs_each_query_alone_with_the_same_answers(local: LocalEngine, trail: list[Path]) -> None:
    queries = [q for _, q, _ in QUERIES]
    one_by_one = Engine.run_batch(local, queries, WEEK)
    for (_, _, ordered), shared, alone in zip(QUERIES, local.run_batch(queries, WEEK), one_by_one, strict=True):
        assert isinstance(alone, Result) and "shared_scan" not in alone.extra
        _same(shared.frame, alone.frame, ordered)  # type: ignore[union-attr]


def test_one_scan_reads_the_window_once_and_its_bytes_are_split(local: LocalEngine, trail: list[Path]) -> None:
    queries = [q for _, q, _ in QUERIES[:5]]
    answers = local.run_batch(queries, WEEK)
    scans = {a.extra["shared_scan"]["id"] for a in answers}  # type: ignore[union-attr]
    assert len(scans) == 1
    scan = answers[0].extra["shared_scan"]  # type: ignore[union-attr]
    files = sum(p.stat().st_size for p in trail)
    assert scan["bytes_scanned"] == files
    assert sum(a.bytes_scanned for a in answers) == files  # type: ignore[union-attr]
    assert max(a.bytes_scanned for a in answers) - min(a.bytes_scanned for a in answers) <= 1  # type: ignore[union-attr]
    # Only candidate rows were copied: fewer than the window holds.
    assert 0 < scan["rows"] < 120
    assert scan["queries"] == len(queries)


def test_a_failing_query_fails_alone_with_its_own_error(local: LocalEngine, trail: list[Path]) -> None:
    bad = "SELECT eventid FROM cloudtrail WHERE eventnme = 'GetObject'"
    runtime_bad = ("SELECT eventid FROM cloudtrail WHERE eventname = 'AttachUserPolicy' "
                   "AND CAST(json_extract_scalar(requestparameters, '$.userName') AS INTEGER) > 1")
    good = [q for _, q, _ in QUERIES[:3]]
    answers = local.run_batch([good[0], bad, good[1], runtime_bad, good[2], "SELEC nonsense"], WEEK)
    for index, sql in ((1, bad), (3, runtime_bad), (5, "SELEC nonsense")):
        assert isinstance(answers[index], EngineError)
        with pytest.raises(EngineError) as alone:
            local.run(sql, WEEK)
        assert str(answers[index]) == str(alone.value)
    assert "eventname" in str(answers[1])  # "did you mean" survives batching
    for index, sql in ((0, good[0]), (2, good[1]), (4, good[2])):
        _same(answers[index].frame, local.run(sql, WEEK).frame, ordered=False)  # type: ignore[union-attr]


def test_each_query_keeps_its_own_window_inside_one_scan(local: LocalEngine, trail: list[Path]) -> None:
    sql = "SELECT eventid FROM cloudtrail WHERE eventsource IN ('s3.amazonaws.com', 'iam.amazonaws.com')"
    end = datetime(2026, 11, 28, tzinfo=UTC)
    windows = [Window(end - timedelta(hours=h), end) for h in (6, 30, 48)]
    answers = local.run_batch([sql] * 3, windows=windows)
    assert len({a.extra["shared_scan"]["id"] for a in answers}) == 1  # type: ignore[union-attr]
    for answer, window in zip(answers, windows, strict=True):
        assert answer.window == window  # type: ignore[union-attr]
        _same(answer.frame, local.run(sql, window).frame, ordered=False)  # type: ignore[union-attr]
        # What an analyst re-runs is the query over the files, not over the shared rows.
        assert answer.executed_sql == local.bind(sql, window).sql  # type: ignore[union-attr]
    assert answers[0].rows < answers[1].rows < answers[2].rows  # type: ignore[union-attr]


def test_members_and_windows_past_one_column_of_flags_keep_their_own_rows(local: LocalEngine,
                                                                        trail: list[Path]) -> None:
    # 70 members and 3 narrower windows: the flags fill one packed column and spill into a second,
    # and a member's tag and its window's flag may sit in different columns.
    end = datetime(2026, 11, 28, tzinfo=UTC)
    windows = [Window(end - timedelta(hours=h), end) for h in (72, 40, 30, 20)]
    kinds = ["eventname = 'GetObject'", "eventsource = 'iam.amazonaws.com'", "errorcode IS NULL",
             "useridentity.type = 'Root'", "awsregion = 'eu-west-1'"]
    queries = [f"SELECT eventid, {i} AS member FROM cloudtrail WHERE {kinds[i % len(kinds)]}" for i in range(70)]
    per_query = [windows[0] if i < 60 else windows[1 + i % 3] for i in range(70)]
    answers = local.run_batch(queries, windows=per_query)
    assert len({a.extra["shared_scan"]["id"] for a in answers}) == 1  # type: ignore[union-attr]
    for sql, window, answer in zip(queries, per_query, answers, strict=True):
        _same(answer.frame, local.run(sql, window).frame, ordered=False)  # type: ignore[union-attr]
    assert {answers[i].rows for i in range(60, 70)} != {0}  # type: ignore[union-attr]


def test_a_member_whose_candidates_are_all_outside_its_own_window_is_not_run(local: LocalEngine,
                                                                             trail: list[Path]) -> None:
    end = datetime(2026, 11, 28, tzinfo=UTC)
    wide, narrow = Window(end - timedelta(days=3), end), Window(end - timedelta(minutes=1), end)
    queries = ["SELECT eventtime, eventid FROM cloudtrail WHERE eventname = 'GetObject'"] * 2
    local.run_batch(queries, windows=[wide, narrow])  # both have run once: known to run
    answers = local.run_batch(queries, windows=[wide, narrow])
    assert answers[0].rows > 0 and answers[1].rows == 0  # type: ignore[union-attr]
    # The scan tagged GetObject rows, but none inside the last minute: the narrow one never ran.
    assert answers[1].executed_sql.startswith("SELECT") and "_match_" in answers[1].executed_sql  # type: ignore[union-attr]


def test_windows_with_a_gap_are_scanned_apart(local: LocalEngine, trail: list[Path]) -> None:
    sql = "SELECT eventid FROM cloudtrail WHERE eventname = 'GetObject'"
    day1 = Window(datetime(2026, 11, 26, tzinfo=UTC), datetime(2026, 11, 26, 12, tzinfo=UTC))
    day2 = Window(datetime(2026, 11, 27, tzinfo=UTC), datetime(2026, 11, 27, 12, tzinfo=UTC))
    answers = local.run_batch([sql, sql, sql, sql], windows=[day1, day2, day1, day2])
    scans = [a.extra["shared_scan"] for a in answers]  # type: ignore[union-attr]
    assert scans[0]["id"] == scans[2]["id"] != scans[1]["id"] == scans[3]["id"]
    assert scans[0]["bytes_scanned"] == trail[0].stat().st_size
    for answer, window in zip(answers, [day1, day2, day1, day2], strict=True):
        _same(answer.frame, local.run(sql, window).frame, ordered=False)  # type: ignore[union-attr]


def test_the_view_reads_the_lake_again_after_a_batch(local: LocalEngine, trail: list[Path]) -> None:
    local.run_batch([q for _, q, _ in QUERIES[:4]], WEEK)
    assert local.run("SELECT count(*) AS n FROM cloudtrail", WEEK).frame["n"].iloc[0] == 120
    tables = {r[0] for r in local.connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert not any(t.startswith("_shared_") for t in tables)


def test_one_window_per_query_is_required(local: LocalEngine) -> None:
    with pytest.raises(ValueError, match="2 queries but 1 windows"):
        local.run_batch(["SELECT 1", "SELECT 2"], windows=[WEEK])


@pytest.mark.parametrize(("sql", "expected"), [
    ("SELECT eventid FROM cloudtrail WHERE eventname = 'x' AND useridentity.arn LIKE '%a'",
     "eventname = 'x' AND useridentity.arn LIKE '%a'"),
    ("SELECT c.eventid FROM mantissa.cloudtrail AS c WHERE c.useridentity.sessioncontext.attributes.mfaauthenticated "
     "= 'false'", "useridentity.sessioncontext.attributes.mfaauthenticated = 'false'"),
    ("SELECT eventid FROM mantissa.cloudtrail WHERE mantissa.cloudtrail.eventname = 'x'", "eventname = 'x'"),
    ("SELECT eventid FROM cloudtrail WHERE eventname = 'x' AND eventtime > (SELECT '1')", "eventname = 'x'"),
    ("SELECT eventid FROM cloudtrail WHERE eventname = 'x' AND rand() < 0.5", "eventname = 'x'"),
    ("SELECT r.arn FROM cloudtrail CROSS JOIN UNNEST(resources) AS r(arn, accountid, type) "
     "WHERE type = 'x' AND r.arn = 'y' AND errorcode IS NULL", "errorcode IS NULL"),
    ("SELECT eventname, count(*) FROM cloudtrail WHERE errorcode IS NOT NULL GROUP BY 1 HAVING count(*) > 2",
     "NOT errorcode IS NULL"),
    ("SELECT eventid FROM cloudtrail WHERE eventname = 'x' UNION ALL SELECT 'y'", "eventname = 'x'"),
    ("SELECT a.eventid FROM cloudtrail a JOIN cloudtrail b ON a.eventid = b.eventid "
     "WHERE a.eventname = 'x' AND b.eventname = 'y' AND a.eventtime < b.eventtime", "(eventname = 'x') OR (eventname = 'y')"),
    ("SELECT eventid FROM cloudtrail WHERE eventsource = 's' AND eventname IN "
     "(SELECT eventname FROM cloudtrail WHERE errorcode = 'x')", "(eventsource = 's') OR (errorcode = 'x')"),
    ("SELECT v.a FROM (SELECT 1 AS a) AS v JOIN cloudtrail AS c ON TRUE WHERE c.eventname = 'x' AND errorcode = 'y'",
     "eventname = 'x'"),
    ("SELECT eventid FROM cloudtrail WHERE eventname = 'x' AND NOT contains(CAST(ARRAY[] AS ARRAY(VARCHAR)), "
     "coalesce(useridentity.arn, ''))", "eventname = 'x'"),
    ("SELECT eventid FROM cloudtrail WHERE eventname = 'x' AND NOT contains(CAST(ARRAY['a'] AS ARRAY(VARCHAR)), "
     "coalesce(useridentity.arn, ''))", "eventname = 'x' AND NOT CONTAINS(CAST(ARRAY['a'] AS ARRAY(VARCHAR)), "
     "COALESCE(useridentity.arn, ''))"),
    ("SELECT eventid FROM cloudtrail WHERE eventname = 'x' AND NOT contains(CAST(ARRAY[] AS ARRAY(VARCHAR)), "
     "useridentity.arn)", "eventname = 'x' AND NOT CONTAINS(CAST(ARRAY[] AS ARRAY(VARCHAR)), useridentity.arn)"),
], ids=["struct", "alias-deep-struct", "db-qualified", "subquery-conjunct-dropped", "volatile-conjunct-dropped",
        "unnest-names-dropped", "group-having", "union-branch", "self-join-either-side", "in-subquery-either-read",
        "joined-in-qualified-only", "empty-allowlist-dropped", "allowlist-kept", "allowlist-on-nullable-kept"])
def test_what_a_shareable_query_lifts(sql: str, expected: str) -> None:
    plan = analyse(sql)
    assert isinstance(plan, Shareable)
    assert plan.predicate.sql(dialect="athena") == expected


@pytest.mark.parametrize(("sql", "reason"), [
    ("SELECT count(*) FROM cloudtrail", "no WHERE"),
    ("SELECT eventid FROM cloudtrail WHERE rand() < 0.5", "no WHERE condition"),
    ("SELECT * FROM cloudtrail WHERE eventname = 'x'", "selects *"),
    ("SELECT a.eventid FROM cloudtrail a JOIN cloudtrail b ON a.eventid = b.eventid WHERE a.eventname = 'x'",
     "reference 2 of 2 to cloudtrail: no WHERE condition"),
    ("SELECT a.eventid FROM cloudtrail a LEFT JOIN cloudtrail b ON a.eventid = b.eventid "
     "WHERE a.eventname = 'x' AND b.eventname = 'y'", "reference 2 of 2 to cloudtrail: is the right side of a LEFT JOIN"),
    ("SELECT c.eventid FROM cloudtrail c JOIN vpc_flow v ON c.sourceipaddress = v.srcaddr WHERE c.eventname = 'x' "
     "AND v.action = 'REJECT'", "reads 2 log tables"),
    ("SELECT eventid FROM cloudtrail WHERE eventname = 'x' UNION ALL SELECT eventid FROM cloudtrail",
     "reference 2 of 2 to cloudtrail: has no WHERE"),
    ("SELECT 1", "reads 0 log tables"),
    ("SELECT FROM WHERE (((", "does not parse"),
], ids=["aggregate-no-where", "nothing-liftable", "star", "self-join-one-side-unbounded",
        "left-join-right-side-only-in-where", "two-tables", "union-branch-unbounded", "no-table", "parse-error"])
def test_what_runs_alone_and_why(sql: str, reason: str) -> None:
    plan = analyse(sql)
    assert isinstance(plan, Solo) and reason in plan.reason


def test_a_struct_is_copied_down_to_the_field_paths_the_batch_reads() -> None:
    from workbench.detect.plan.sharedscan import shared_table_sql

    deep = analyse("SELECT eventid, useridentity.sessioncontext.sessionissuer.arn AS issuer FROM cloudtrail c "
                   "WHERE c.useridentity.sessioncontext.attributes.mfaauthenticated = 'true'")
    assert isinstance(deep, Shareable)
    assert deep.fields == {"useridentity": frozenset({("sessioncontext", "sessionissuer", "arn"),
                                                      ("sessioncontext", "attributes", "mfaauthenticated")})}
    sql = shared_table_sql("SELECT 1", [deep])
    assert ("{'sessioncontext': {'attributes': {'mfaauthenticated': \"s\".\"useridentity\".\"sessioncontext\"."
            "\"attributes\".\"mfaauthenticated\"}, 'sessionissuer': {'arn': ") in sql
    # A member reading the struct above those paths gets it whole, so `IS NULL` keeps its meaning.
    whole = analyse("SELECT eventid FROM cloudtrail WHERE useridentity.sessioncontext IS NULL AND eventname = 'x'")
    assert isinstance(whole, Shareable) and whole.fields == {"useridentity": frozenset({("sessioncontext",)})}
    assert "'sessioncontext': \"s\".\"useridentity\".\"sessioncontext\"}" in shared_table_sql("SELECT 1", [deep, whole])
    # A field the table lacks: the column whole, and the query reports its own error.
    odd = analyse("SELECT eventid FROM cloudtrail WHERE useridentity.nosuchfield = 'x'")
    assert isinstance(odd, Shareable) and odd.fields == {"useridentity": None}


def test_overlapping_windows_merge_and_gaps_split() -> None:
    t = datetime(2026, 11, 27, tzinfo=UTC)
    a, b, c = Window(t, t + timedelta(hours=2)), Window(t + timedelta(hours=1), t + timedelta(hours=3)), \
        Window(t + timedelta(hours=5), t + timedelta(hours=6))
    assert overlapping([(0, a), (1, c), (2, b), (3, None)]) == [
        (None, [3]), (Window(t, t + timedelta(hours=3)), [0, 2]), (c, [1])]
    assert split_evenly(10, 3) == [4, 3, 3] and sum(split_evenly(10**12 + 7, 6)) == 10**12 + 7
    assert split_evenly(1.5, 3) == [0.5, 0.5, 0.5] and split_evenly(5, 0) == []


def test_queries_with_nothing_to_read_are_answered_empty_once_known_to_run(local: LocalEngine,
                                                                          trail: list[Path]) -> None:
    # vpc_flow has no file in the window: no shared scan is planned for it.
    flows = ["SELECT srcaddr, dstport FROM vpc_flow WHERE dstport = 22",
             "SELECT srcaddr, bytes FROM vpc_flow WHERE action = 'REJECT'",
             "SELECT srcaddr, nosuchcolumn FROM vpc_flow WHERE action = 'REJECT'"]
    first = local.run_batch(flows, WEEK)
    assert isinstance(first[0], Result) and "shared_scan" not in first[0].extra  # ran alone, once
    assert isinstance(first[2], EngineError)
    again = local.run_batch(flows, WEEK)
    assert isinstance(again[0], Result) and again[0].extra["shared_scan"] == {"table": "vpc_flow", "files": 0}
    assert list(again[0].frame.columns) == ["srcaddr", "dstport"] and again[0].rows == 0
    assert list(again[1].frame.columns) == ["srcaddr", "bytes"]  # type: ignore[union-attr]
    assert isinstance(again[2], EngineError)  # a query that never ran is never assumed to run
    # A query alone over its table is answered the same way once it is known to run.
    alone = local.run_batch([flows[0], "SELECT eventid FROM cloudtrail WHERE eventname = 'GetObject'"], WEEK)
    assert alone[0].extra["shared_scan"] == {"table": "vpc_flow", "files": 0}  # type: ignore[union-attr]
    assert list(alone[0].frame.columns) == ["srcaddr", "dstport"] and alone[0].rows == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(("sql", "known"), [
    ("SELECT eventid FROM cloudtrail WHERE eventname = 'X'", True),
    ("SELECT count(*) AS n FROM cloudtrail", False),  # a global aggregate: one row over nothing
    ("SELECT eventname, count(*) AS n FROM cloudtrail GROUP BY eventname", True),
    ("SELECT eventname, count(*) AS n FROM cloudtrail GROUP BY ROLLUP (eventname)", False),
    ("SELECT 1 AS one", False),
    ("SELECT r.eventid FROM cloudtrail AS r CROSS JOIN (VALUES 0, 1) AS s(step)", True),
    ("SELECT r.eventid FROM (VALUES 'a') AS s(eventid) LEFT JOIN cloudtrail AS r ON r.eventid = s.eventid", False),
    ("SELECT r.eventid FROM cloudtrail AS r LEFT JOIN (VALUES 'a') AS s(eventid) ON r.eventid = s.eventid", True),
    ("SELECT r.eventid FROM cloudtrail AS r RIGHT JOIN (VALUES 'a') AS s(eventid) ON r.eventid = s.eventid", False),
    ("SELECT eventid FROM cloudtrail WHERE eventname = 'X' UNION ALL SELECT 'constant' AS eventid", False),
    ("WITH c AS (SELECT eventid FROM cloudtrail WHERE eventname = 'X') SELECT eventid FROM c", True),
    ("WITH c AS (SELECT 'constant' AS eventid) SELECT c.eventid FROM c JOIN cloudtrail AS t ON t.eventid = c.eventid",
     True),
])
def test_which_queries_yield_nothing_from_nothing(sql: str, known: bool) -> None:
    # Known: the engine may answer it with no rows, without running it, when its table has none.
    assert (_empty_for_no_rows(parse_athena(sql)) is not None) is known


def test_members_with_no_candidates_are_answered_without_running(local: LocalEngine, trail: list[Path]) -> None:
    queries = ["SELECT eventtime, eventid FROM cloudtrail WHERE eventname = 'NoSuchCall'",
               "SELECT eventtime, eventname FROM cloudtrail WHERE eventname IS NOT NULL",
               "SELECT count(*) AS n FROM cloudtrail WHERE eventname = 'NoSuchCall'"]
    local.run_batch(queries, WEEK)
    answers = local.run_batch(queries, WEEK)
    assert answers[0].rows == 0 and list(answers[0].frame.columns) == ["eventtime", "eventid"]  # type: ignore[union-attr]
    # Its answer is the shared scan's (it tagged no row for it), not a query of its own.
    assert answers[0].executed_sql.startswith("SELECT") and "_match_0" in answers[0].executed_sql  # type: ignore[union-attr]
    assert answers[1].rows > 0 and "_match_" not in answers[1].executed_sql  # type: ignore[union-attr]
    # A global aggregate yields a row even over nothing: it runs, and says 0.
    assert answers[2].frame["n"].tolist() == [0]  # type: ignore[union-attr]


def test_members_with_the_most_rows_are_handed_out_first(local: LocalEngine, trail: list[Path],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    queries = ["SELECT eventid FROM cloudtrail WHERE eventname = 'ConsoleLogin' AND errorcode IS NULL",
               "SELECT eventid FROM cloudtrail WHERE eventname IN ('GetObject', 'ConsoleLogin')",
               "SELECT eventid FROM cloudtrail WHERE eventname = 'GetObject'"]
    handed: list[int] = []
    answer = LocalEngine._answer_members

    def spy(self: LocalEngine, jobs: list) -> dict:
        handed.extend(index for index, _, _ in jobs)
        return answer(self, jobs)

    monkeypatch.setattr(LocalEngine, "_answer_members", spy)
    answers = local.run_batch(queries, WEEK)
    rows = [a.rows for a in answers]  # type: ignore[union-attr]
    assert len(set(rows)) == 3  # noqa: PLR2004 - three different sizes, or the test shows nothing
    assert handed == sorted(range(3), key=lambda i: -rows[i])


def test_a_member_whose_reads_cannot_be_pointed_at_the_shared_rows_runs_alone(
        local: LocalEngine, trail: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.engines import localshared

    queries = ["SELECT eventid FROM cloudtrail WHERE eventname = 'GetObject'",
               "SELECT eventid FROM cloudtrail WHERE eventname = 'ConsoleLogin'"]

    point = localshared.read_from

    def refuse(sql: str, *args: str) -> str:
        if "GetObject" in sql:
            raise EngineError("cannot point the query's reads of cloudtrail at other rows")
        return point(sql, *args)

    monkeypatch.setattr(localshared, "read_from", refuse)
    answers = local.run_batch(queries, WEEK)
    assert "shared_scan" not in answers[0].extra and answers[0].rows == 24  # type: ignore[union-attr]
    assert "shared_scan" in answers[1].extra  # type: ignore[union-attr]


def test_frames_answered_without_running_are_independent_copies() -> None:
    from workbench.engines.base import empty_frame

    first, second = empty_frame(("eventid", "eventtime")), empty_frame(["eventid", "eventtime"])
    assert list(first.columns) == ["eventid", "eventtime"] and first.empty and first is not second
    first["extra"] = []
    first.loc[0] = ["e1", "t1", "x"]
    assert list(second.columns) == ["eventid", "eventtime"] and second.empty
    assert list(empty_frame(("eventid", "eventtime")).columns) == ["eventid", "eventtime"]
    for columns in [("eventid", "eventtime"), ("n",), ()]:  # what pandas' own constructor gives
        built, expected = empty_frame(columns), pd.DataFrame(columns=list(columns))
        assert built.equals(expected) and list(built.dtypes) == list(expected.dtypes)
        assert built.index.equals(expected.index) and built.columns.equals(expected.columns)


@pytest.mark.parametrize(("sql", "lifted", "not_lifted"), [
    ("SELECT eventid FROM (SELECT eventid, json_extract_scalar(requestparameters, '$.policyArn') AS policy "
     "FROM cloudtrail WHERE eventname = 'AttachUserPolicy') WHERE policy LIKE '%Admin%'",
     "LIKE '%Admin%'", None),
    ("SELECT eventid FROM (SELECT eventid, eventname, row_number() OVER (ORDER BY eventtime) AS rn "
     "FROM cloudtrail WHERE eventsource = 's3.amazonaws.com') WHERE eventname = 'GetObject'",
     "s3.amazonaws.com", "GetObject"),
    ("SELECT eventid FROM (SELECT eventid, eventname FROM cloudtrail WHERE eventsource = 's3.amazonaws.com' "
     "LIMIT 10) WHERE eventname = 'GetObject'", "s3.amazonaws.com", "GetObject"),
    ("SELECT p.eventid FROM (SELECT eventid, eventname FROM cloudtrail WHERE eventsource = 's3.amazonaws.com') p "
     "JOIN (VALUES ('GetObject')) AS v(name) ON v.name = p.eventname WHERE p.eventname = 'GetObject'",
     "s3.amazonaws.com", "GetObject"),
], ids=["json-alias", "window-between", "limit-between", "joined-outside"])
def test_conditions_around_a_subquery_are_lifted_only_through_one_for_one_selects(
        sql: str, lifted: str, not_lifted: str | None) -> None:
    plan = analyse(sql)
    assert isinstance(plan, Shareable)
    predicate = plan.predicate.sql(dialect="athena")
    assert lifted in predicate
    if not_lifted:
        assert not_lifted not in predicate


# -- LEFT joins ---------------------------------------------------------------------------------------
# The right side of a LEFT JOIN lifts its own ON conditions only; its WHERE conditions also see the
# rows the join NULL-extends, so they are never lifted for it.

_FAILED = "json_extract_scalar({q}.responseelements, '$.ConsoleLogin') = 'Failure'"
_SUCCEEDED = "json_extract_scalar({q}.responseelements, '$.ConsoleLogin') = 'Success'"
_SUCCESSES = f"s.eventname = 'ConsoleLogin' AND {_SUCCEEDED.format(q='s')}"
# Failures of the same user in the hour before a success (the first-seen-console-address shape).
_FAILED_BEFORE = ("f.useridentity.arn = s.useridentity.arn AND f.eventname = 'ConsoleLogin' AND "
                  f"{_FAILED.format(q='f')} AND from_iso8601_timestamp(f.eventtime) BETWEEN "
                  "from_iso8601_timestamp(s.eventtime) - INTERVAL '1' HOUR AND from_iso8601_timestamp(s.eventtime)")
_FAILED_PREDICATE = "eventname = 'ConsoleLogin' AND JSON_EXTRACT_SCALAR(responseelements, '$.ConsoleLogin') = 'Failure'"


@pytest.mark.parametrize(("sql", "expected"), [
    (f"SELECT s.eventid, f.eventid AS failure FROM cloudtrail s LEFT JOIN cloudtrail f ON {_FAILED_BEFORE} "
     "WHERE s.eventname = 'ConsoleLogin'", f"(eventname = 'ConsoleLogin') OR ({_FAILED_PREDICATE})"),
    (f"SELECT s.eventid FROM cloudtrail s LEFT OUTER JOIN cloudtrail f ON {_FAILED_BEFORE} "
     "WHERE s.eventname = 'ConsoleLogin' AND f.eventid IS NULL", f"(eventname = 'ConsoleLogin') OR ({_FAILED_PREDICATE})"),
    (f"SELECT s.eventid FROM cloudtrail s LEFT JOIN cloudtrail f ON {_FAILED_BEFORE} "
     "WHERE s.eventname = 'ConsoleLogin' AND coalesce(f.errorcode, 'y') = 'y' AND f.awsregion = 'us-east-1'",
     f"(eventname = 'ConsoleLogin') OR ({_FAILED_PREDICATE})"),
    # An ON condition naming the preserved side decides its matches, never whether its rows exist.
    ("SELECT s.eventid FROM cloudtrail s LEFT JOIN cloudtrail f ON f.eventid = s.eventid AND s.errorcode IS NULL "
     "AND f.eventname = 'y' WHERE s.eventname = 'x'", "(eventname = 'x') OR (eventname = 'y')"),
    # b's condition in c's ON decides c's matches, not b's rows; c's WHERE condition is not lifted.
    ("SELECT a.eventid FROM cloudtrail a LEFT JOIN cloudtrail b ON b.eventid = a.eventid AND b.eventname = 'y' "
     "LEFT JOIN cloudtrail c ON c.eventid = b.eventid AND c.errorcode = 'z' AND b.awsregion = 'r' "
     "WHERE a.eventname = 'x' AND c.eventid IS NULL AND c.awsregion = 'r'",
     "(eventname = 'x') OR (eventname = 'y') OR (errorcode = 'z')"),
    # c is an inner join after the LEFT one: never NULL-extended, its WHERE lifts; b's does not.
    ("SELECT a.eventid FROM cloudtrail a LEFT JOIN cloudtrail b ON b.eventid = a.eventid AND b.eventname = 'y' "
     "JOIN cloudtrail c ON c.sourceipaddress = b.sourceipaddress "
     "WHERE a.eventname = 'x' AND c.errorcode = 'z' AND b.awsregion = 'r'",
     "(eventname = 'x') OR (eventname = 'y') OR (errorcode = 'z')"),
    ("SELECT s.eventid FROM cloudtrail s LEFT JOIN (SELECT eventid FROM cloudtrail WHERE errorcode = 'z') f "
     "ON f.eventid = s.eventid WHERE s.eventname = 'x' AND f.eventid IS NULL", "(eventname = 'x') OR (errorcode = 'z')"),
    ("SELECT eventid FROM cloudtrail LEFT JOIN UNNEST(resources) AS r(arn) ON TRUE WHERE eventname = 'x'",
     "eventname = 'x'"),
], ids=["on-conditions", "anti-join-where-not-lifted", "coalesce-where-not-lifted", "preserved-side-on-not-lifted",
        "left-left-chain", "left-then-inner", "left-join-subquery", "left-join-unnest"])
def test_what_a_left_join_lifts(sql: str, expected: str) -> None:
    plan = analyse(sql)
    assert isinstance(plan, Shareable), plan
    assert plan.predicate.sql(dialect="athena") == expected


@pytest.mark.parametrize(("sql", "reason"), [
    ("SELECT s.eventid FROM cloudtrail s LEFT JOIN cloudtrail f ON f.useridentity.arn = s.useridentity.arn "
     "WHERE s.eventname = 'ConsoleLogin' AND f.eventname = 'ConsoleLogin'",
     "reference 2 of 2 to cloudtrail: is the right side of a LEFT JOIN whose ON has no condition"),
    ("SELECT s.eventid FROM cloudtrail s LEFT JOIN cloudtrail f USING (sourceipaddress) WHERE s.eventname = 'x'",
     "reference 2 of 2 to cloudtrail: is the right side of a LEFT JOIN"),
    ("SELECT a.eventid FROM cloudtrail a LEFT JOIN cloudtrail b ON b.eventid = a.eventid AND b.eventname = 'y' "
     "LEFT JOIN cloudtrail c ON c.eventid = b.eventid AND b.errorcode = 'z' WHERE a.eventname = 'x'",
     "reference 3 of 3 to cloudtrail: is the right side of a LEFT JOIN"),
    ("SELECT a.eventid FROM cloudtrail a LEFT JOIN cloudtrail b ON b.eventid = a.eventid "
     "JOIN cloudtrail c ON c.sourceipaddress = b.sourceipaddress "
     "WHERE a.eventname = 'x' AND b.eventname = 'y' AND c.errorcode = 'z'",
     "reference 2 of 3 to cloudtrail: is the right side of a LEFT JOIN"),
    ("SELECT s.eventid FROM cloudtrail s RIGHT JOIN cloudtrail f ON f.eventid = s.eventid AND f.eventname = 'y' "
     "WHERE s.eventname = 'x' AND f.eventname = 'y'", "RIGHT join"),
    ("SELECT s.eventid FROM cloudtrail s FULL OUTER JOIN cloudtrail f ON f.eventid = s.eventid AND f.eventname = 'y' "
     "WHERE s.eventname = 'x'", "FULL join"),
    ("SELECT r.eventid FROM cloudtrail AS r RIGHT JOIN (VALUES 'a') AS v(id) ON r.eventid = v.id "
     "WHERE r.eventname = 'x'", "RIGHT join"),
    ("SELECT s.eventid FROM cloudtrail s LEFT JOIN cloudtrail f ON f.eventid = s.eventid AND f.eventname = 'y' "
     "RIGHT JOIN cloudtrail g ON g.eventid = f.eventid AND g.eventname = 'z' WHERE s.eventname = 'x'", "RIGHT join"),
    ("SELECT s.eventid FROM cloudtrail s LEFT ANTI JOIN cloudtrail f ON f.eventid = s.eventid AND f.eventname = 'y' "
     "WHERE s.eventname = 'x'", "semi or anti join"),
], ids=["correlation-only-on", "using", "chain-last-correlation-only", "left-then-inner-right-side-in-where",
        "right-join", "full-join", "right-join-other-source", "left-then-right", "left-anti-join"])
def test_what_a_left_join_leaves_alone_and_why(sql: str, reason: str) -> None:
    plan = analyse(sql)
    assert isinstance(plan, Solo) and reason in plan.reason, plan


ATTACKER = "203.0.113.80"


def _call(eventid: str, user: str | None, at: str, outcome: str | None = None, *, name: str = "ConsoleLogin",
          ip: str = "198.51.100.1", errorcode: str | None = None) -> dict:
    return {"eventtime": f"{DAY1.isoformat()}T{at}:00Z", "eventid": eventid, "eventname": name,
            "eventsource": "signin.amazonaws.com" if name == "ConsoleLogin" else "s3.amazonaws.com",
            "useridentity": None if user is None else {
                "type": "IAMUser", "arn": f"arn:aws:iam::111122223333:user/{user}", "username": user},
            "responseelements": None if outcome is None else json.dumps({"ConsoleLogin": outcome}),
            "errorcode": errorcode, "sourceipaddress": ip, "awsregion": "us-east-1", "eventtype": "AwsConsoleSignIn"}


# Successes with failures before them (alice, erin) and without (bob, carol, a success with no
# identity); carol's own rows in the hour before fail the ON's own conditions (a success, a
# GetObject) or its correlation (a failure hours earlier); dave's failure has no success after it.
LOGINS = [
    _call("a-f1", "alice", "08:00", "Failure", ip=ATTACKER, errorcode="Failed authentication"),
    _call("a-f2", "alice", "08:01", "Failure", ip=ATTACKER, errorcode="Failed authentication"),
    _call("a-s", "alice", "08:02", "Success", ip=ATTACKER),
    _call("a-get", "alice", "08:05", name="GetObject", ip=ATTACKER),
    _call("b-s", "bob", "09:00", "Success", ip="198.51.100.10"),
    _call("c-f-old", "carol", "06:00", "Failure", ip="198.51.100.21", errorcode="Failed authentication"),
    _call("c-s1", "carol", "09:50", "Success", ip="198.51.100.20"),
    _call("c-get", "carol", "09:55", name="GetObject", ip="198.51.100.20", errorcode="AccessDenied"),
    _call("c-s2", "carol", "10:00", "Success", ip="198.51.100.20"),
    _call("d-f", "dave", "11:00", "Failure", ip="198.51.100.30", errorcode="Failed authentication"),
    _call("e-f", "erin", "12:00", "Failure", ip="198.51.100.40"),  # a failure with no error code
    _call("e-s", "erin", "12:01", "Success", ip="198.51.100.40"),
    _call("z-get", "zed", "14:00", name="GetObject", ip="198.51.100.40"),
    _call("n-s", None, "13:00", "Success", ip="198.51.100.50"),
]

_S_F = f"FROM cloudtrail s LEFT JOIN cloudtrail f ON {_FAILED_BEFORE}"
# (id, query, whether it shares the scan, its answer: rows as sorted tuples, None to skip the check)
LEFT_QUERIES = [
    ("count-failures-before", f"SELECT s.eventid, count(f.eventid) AS failures {_S_F} WHERE {_SUCCESSES} "
                              "GROUP BY s.eventid", True,
     [("a-s", 2), ("b-s", 0), ("c-s1", 0), ("c-s2", 0), ("e-s", 1), ("n-s", 0)]),
    ("anti-join", f"SELECT s.eventid {_S_F} WHERE {_SUCCESSES} AND f.eventid IS NULL", True,
     [("b-s",), ("c-s1",), ("c-s2",), ("n-s",)]),
    # Lifting the coalesce for f would drop alice's failures and let her success through.
    ("coalesce-where", f"SELECT s.eventid, f.eventid AS failure {_S_F} WHERE {_SUCCESSES} "
                       "AND coalesce(f.errorcode, 'none') = 'none'", True,
     [("b-s", None), ("c-s1", None), ("c-s2", None), ("e-s", "e-f"), ("n-s", None)]),
    # The ON tests the preserved side too: alice's success stays, NULL-extended.
    ("on-names-preserved-side", f"SELECT s.eventid, f.eventid AS failure {_S_F} AND s.sourceipaddress <> '{ATTACKER}' "
                                f"WHERE {_SUCCESSES}", True,
     [("a-s", None), ("b-s", None), ("c-s1", None), ("c-s2", None), ("e-s", "e-f"), ("n-s", None)]),
    # b's condition in c's ON must not drop erin's failure (no error code) from b.
    ("left-left-chain", "SELECT s.eventid, f.eventid AS failure, c.eventid AS fetch "
                        f"{_S_F} LEFT JOIN cloudtrail c ON c.sourceipaddress = f.sourceipaddress "
                        "AND c.eventname = 'GetObject' AND f.errorcode IS NOT NULL "
                        f"WHERE {_SUCCESSES} AND c.eventid IS NULL", True,
     [("b-s", None, None), ("c-s1", None, None), ("c-s2", None, None), ("e-s", "e-f", None), ("n-s", None, None)]),
    ("left-then-inner", "SELECT s.eventid, f.eventid AS failure, c.eventid AS fetch "
                        f"{_S_F} JOIN cloudtrail c ON c.sourceipaddress = f.sourceipaddress "
                        f"WHERE {_SUCCESSES} AND c.eventname = 'GetObject'", True,
     [("a-s", "a-f1", "a-get"), ("a-s", "a-f2", "a-get"), ("e-s", "e-f", "z-get")]),
    ("correlation-only", "SELECT s.eventid, f.eventid AS other FROM cloudtrail s LEFT JOIN cloudtrail f "
                         f"ON f.useridentity.arn = s.useridentity.arn AND f.eventid <> s.eventid WHERE {_SUCCESSES} "
                         "AND (f.eventid IS NULL OR f.eventname = 'GetObject')", False,
     [("a-s", "a-get"), ("b-s", None), ("c-s1", "c-get"), ("c-s2", "c-get"), ("n-s", None)]),
    ("right-join", f"SELECT s.eventid, f.eventid AS failure FROM cloudtrail s RIGHT JOIN cloudtrail f "
                   f"ON f.useridentity.arn = s.useridentity.arn AND {_SUCCESSES} "
                   f"WHERE f.eventname = 'ConsoleLogin' AND {_FAILED.format(q='f')}", False, None),
    ("full-join", f"SELECT s.eventid, f.eventid AS failure FROM cloudtrail s FULL JOIN cloudtrail f "
                  f"ON f.useridentity.arn = s.useridentity.arn AND {_SUCCESSES} AND f.eventname = 'ConsoleLogin' "
                  f"AND {_FAILED.format(q='f')}", False, None),
    ("plain", "SELECT eventid FROM cloudtrail WHERE eventname = 'GetObject'", True,
     [("a-get",), ("c-get",), ("z-get",)]),
]


@pytest.fixture()
def logins(lake: Path, write_rows: WriteRows) -> Path:
    return write_rows(lake, "cloudtrail", DAY1, LOGINS)


def _rows(frame: pd.DataFrame) -> list[tuple]:
    return sorted((tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False)),
                  key=repr)


@pytest.mark.parametrize("threads", [1, 3], ids=["one-cursor", "three-cursors"])
def test_left_joins_answer_through_a_shared_scan_as_alone(local: LocalEngine, logins: Path, threads: int,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LocalEngine, "MEMBER_THREADS", threads)
    batched = local.run_batch([q for _, q, _, _ in LEFT_QUERIES], WEEK)
    wrong = {}
    for (name, sql, _, expected), answer in zip(LEFT_QUERIES, batched, strict=True):
        assert isinstance(answer, Result), f"{name}: {answer}"
        alone = _rows(local.run(sql, WEEK).frame)
        if _rows(answer.frame) != alone or (expected is not None and alone != sorted(expected, key=repr)):
            wrong[name] = {"batched": _rows(answer.frame), "alone": alone, "expected": expected}
    assert not wrong
    shared = {name for (name, _, _, _), a in zip(LEFT_QUERIES, batched, strict=True) if "shared_scan" in a.extra}
    assert shared == {name for name, _, shares, _ in LEFT_QUERIES if shares}
    assert all(batched[i].rows for i in range(len(LEFT_QUERIES)))  # type: ignore[union-attr]
