"""Column resolution against the catalog: aliases, CTEs, UNNEST, lambdas, struct paths."""

from __future__ import annotations

import pytest

from workbench.rules import analyze

CLEAN = [
    ("alias-and-struct", "SELECT ct.useridentity.sessioncontext.sessionissuer.username AS role, ct.eventtime "
     "FROM cloudtrail ct", ["role", "eventtime"]),
    ("cte", "WITH x AS (SELECT eventname AS en, useridentity.arn FROM cloudtrail) SELECT en, arn FROM x",
     ["en", "arn"]),
    ("derived-table-types-flow", "SELECT d.ui.sessioncontext.sessionissuer.arn AS a FROM "
     "(SELECT useridentity AS ui FROM cloudtrail) d", ["a"]),
    ("unnest-element", "SELECT r.arn, eventtime FROM cloudtrail CROSS JOIN UNNEST(resources) AS t(r)",
     ["arn", "eventtime"]),
    ("unnest-rows-spread", "SELECT arn, accountid FROM cloudtrail CROSS JOIN UNNEST(resources) AS t(arn, accountid, type)",
     ["arn", "accountid"]),
    ("lambda", "SELECT any_match(resources, r -> r.arn LIKE '%prod%') AS prod FROM cloudtrail", ["prod"]),
    ("subscript", "SELECT resources[1].arn AS first_arn FROM cloudtrail", ["first_arn"]),
    ("order-by-alias", "SELECT srcaddr, count(DISTINCT dstport) AS ports FROM vpc_flow GROUP BY srcaddr "
     "HAVING count(DISTINCT dstport) > 5 ORDER BY ports DESC", ["srcaddr", "ports"]),
    ("union", "SELECT eventname AS name FROM cloudtrail UNION ALL SELECT type AS name FROM guardduty", ["name"]),
    ("quoted-reserved", 'SELECT "end", start FROM vpc_flow', ["end", "start"]),
    # Two CTEs with the same columns: only the one the outer SELECT reads is a source there, and
    # the second CTE does not see the first as a source either.
    ("two-ctes-one-read", "WITH logins AS (SELECT eventtime, eventid, sourceipaddress FROM cloudtrail "
     "WHERE eventname = 'ConsoleLogin'), keys AS (SELECT eventtime, eventid, sourceipaddress FROM cloudtrail "
     "WHERE eventname = 'CreateAccessKey') SELECT eventtime, eventid, sourceipaddress FROM logins",
     ["eventtime", "eventid", "sourceipaddress"]),
    ("two-ctes-unnest", "WITH logins AS (SELECT eventid, resources FROM cloudtrail), keys AS (SELECT eventid "
     "FROM cloudtrail) SELECT eventid, r.arn FROM logins CROSS JOIN UNNEST(resources) AS t(r)", ["eventid", "arn"]),
    ("two-ctes-subquery", "WITH a AS (SELECT eventid FROM cloudtrail), b AS (SELECT eventid FROM cloudtrail) "
     "SELECT eventid FROM a WHERE eventid IN (SELECT eventid FROM b)", ["eventid"]),
]


@pytest.mark.parametrize(("sql", "outputs"), [c[1:] for c in CLEAN], ids=[c[0] for c in CLEAN])
def test_valid_queries_have_no_problems(sql: str, outputs: list[str]) -> None:
    result = analyze(sql)
    # `resources[1]` is valid and resolves; it is only warned as failing on Athena for an empty
    # array (tests/rules/test_query_breaking_values.py).
    assert [p for p in result.problems if p.kind != "athena"] == []
    assert result.outputs == outputs


BAD = [
    ("unknown-column", "SELECT eventnme FROM cloudtrail", "column",
     "unknown column 'eventnme' in cloudtrail — did you mean 'eventname'?"),
    ("unknown-struct-field", "SELECT useridentity.typ AS t FROM cloudtrail", "column",
     "'useridentity' has no field 'typ' — did you mean 'type'?"),
    ("json-column-dot", "SELECT requestparameters.policyarn AS p FROM cloudtrail", "column",
     "use json_extract_scalar(requestparameters, '$.policyarn')"),
    ("unnest-field", "SELECT r.arnn AS a FROM cloudtrail CROSS JOIN UNNEST(resources) AS t(r)", "column",
     "'r' has no field 'arnn' — did you mean 'arn'?"),
    ("derived-column", "SELECT d.b FROM (SELECT eventname AS a FROM cloudtrail) d", "column",
     "unknown column 'b' in 'd' (columns: a)"),
    ("alias-in-where", "SELECT eventname AS en FROM cloudtrail WHERE en = 'x'", "column",
     "unknown column 'en' in cloudtrail"),
    ("unknown-table", "SELECT eventname FROM cloudtrial", "table", "did you mean 'cloudtrail'?"),
    ("ambiguous", "SELECT eventname FROM cloudtrail a JOIN cloudtrail b ON a.eventid = b.eventid", "column",
     "is in more than one source"),
    ("ambiguous-ctes-joined", "WITH a AS (SELECT eventid, eventname FROM cloudtrail), b AS (SELECT eventid, "
     "eventname FROM cloudtrail) SELECT a.eventid FROM a JOIN b ON a.eventid = b.eventid WHERE eventname = 'x'",
     "column", "column 'eventname' is in more than one source"),
    ("cte-not-read", "WITH a AS (SELECT eventid FROM cloudtrail), b AS (SELECT eventname FROM cloudtrail) "
     "SELECT eventname FROM a", "column", "unknown column 'eventname'"),
    ("unnamed-output", "SELECT count(*) FROM cloudtrail", "output", "has no name; add `AS name`"),
    ("duplicate-output", "SELECT eventname, useridentity.type AS eventname FROM cloudtrail", "output",
     "two output columns are named 'eventname'"),
    ("star", "SELECT c.* FROM cloudtrail c", "star", "SELECT *"),
    ("not-select", "DELETE FROM cloudtrail", "statement", "a rule is exactly one read-only SELECT"),
    ("syntax", "SELECT eventname FROM", "syntax", "not valid Athena SQL"),
    ("partition-by-hand", "SELECT eventname FROM cloudtrail WHERE year = '2026'", "window",
     "partition column 'year' used by hand"),
    ("time-by-hand", "SELECT eventname FROM cloudtrail WHERE eventtime >= '2026-01-01T00:00:00Z'", "window",
     "time filter on 'eventtime' written by hand"),
    ("now-by-hand", "SELECT eventname FROM cloudtrail WHERE from_iso8601_timestamp(eventtime) > now() - "
     "interval '1' hour", "window", "bounds time by hand"),
]


@pytest.mark.parametrize(("sql", "kind", "words"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_problems_are_found_and_explained(sql: str, kind: str, words: str) -> None:
    problems = analyze(sql).of(kind)
    assert problems, analyze(sql).problems
    assert any(words in p.message for p in problems), problems


def test_time_comparison_between_two_events_is_not_a_hand_window() -> None:
    sql = ("SELECT a.eventtime FROM cloudtrail a JOIN cloudtrail b ON a.eventid <> b.eventid "
           "WHERE date_diff('minute', from_iso8601_timestamp(a.eventtime), from_iso8601_timestamp(b.eventtime)) < 60 "
           "AND b.eventtime > a.eventtime")
    assert analyze(sql).problems == []


def test_problem_lines_point_into_the_query() -> None:
    sql = "SELECT eventtime,\n       eventnme\nFROM cloudtrail"
    (problem,) = analyze(sql).problems
    assert problem.line == 2
